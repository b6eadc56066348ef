//! The DeleteImage decision against the floor: a bare `HashMap<String, _>` lookup of the same
//! key, measured in the same run, on stores of 1k, 100k and 1M images.
//!
//! Run with `cargo bench --bench decision`; `DECISION_SIZES=1000,1000000` picks the sizes and
//! `DECISION_ROUNDS` (default 3) how often each pair is measured. Each group holds one size; in
//! it, every case is measured as `hashmap_floor` then `decide`, one second each, and the pairs
//! are measured again in later rounds, so that load from other processes on a shared machine
//! hits one round rather than a whole figure. `python3 perf/ratios.py` prints the median over
//! the rounds of each round's ratio.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecs_image_rules::{
    AccountId, ApiError, DeleteImageRequest, Image, ImageId, ImageStore, Profile, RegionId, decide,
};

mod common;

use common::{REGION, image_id};

/// A store of `size` private images owned by 1,000 accounts (image `n` by account `n % 1000`;
/// the caller is account 0), except that image 1 is the caller's own image shared with another
/// account, and image 2, another account's, is shared with the caller.
fn store(size: usize) -> ImageStore {
    let mut store = ImageStore::new();
    let region = RegionId::new(REGION).unwrap();
    for n in 0..size {
        let owner = match n {
            1 => caller(),
            _ => AccountId::new(&format!("{:016}", n % 1000)).unwrap(),
        };
        let id = ImageId::new(&image_id(n)).unwrap();
        let mut image = Image::custom(id, owner, region.clone());
        if n == 1 {
            // The caller's own image, blocked: shared with another account.
            image
                .visibility
                .shared_with
                .insert(AccountId::new("0000000000000999").unwrap());
        }
        if n == 2 {
            // Another account's image, shared with the caller: visible, not own.
            image.visibility.shared_with.insert(caller());
        }
        store.insert_image(image).unwrap();
    }
    store
}

fn caller() -> AccountId {
    AccountId::new(&format!("{:016}", 0)).unwrap()
}

fn rounds() -> usize {
    std::env::var("DECISION_ROUNDS")
        .ok()
        .map(|s| s.trim().parse().expect("DECISION_ROUNDS: a number"))
        .unwrap_or(3)
}

fn bench(c: &mut Criterion) {
    let profile = Profile::default();
    let caller = caller();
    for size in common::sizes("DECISION_SIZES") {
        let store = store(size);
        let floor: HashMap<String, u64> = (0..size).map(|n| (image_id(n), n as u64)).collect();
        let mut group = c.benchmark_group(format!("decide/{size}"));
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(1));
        // Own image without blocker (image 0 is owned by account 0, the caller), own image
        // blocked, absent (an id not in the store), visible not own.
        let cases = [
            ("own_unblocked", image_id(0)),
            ("own_blocked", image_id(1)),
            ("absent", image_id(size + 7)),
            ("visible_not_own", image_id(2)),
        ];
        // Each case must be what its name says, or its figure measures another path.
        let answers: Vec<String> = cases
            .iter()
            .map(|(_, id)| {
                let request = DeleteImageRequest::new(
                    RegionId::new(REGION).unwrap(),
                    ImageId::new(id).unwrap(),
                );
                match decide(&store, &caller, &request, &profile) {
                    Ok(verdict) if verdict.image_to_delete().is_some() => "delete".to_owned(),
                    Ok(_) => "ignore".to_owned(),
                    Err(e) => e.code().to_owned(),
                }
            })
            .collect();
        assert_eq!(
            answers,
            [
                "delete",
                "ImageUseShared",
                "ignore",
                "InvalidImageId.NotFound"
            ],
            "the bench's cases"
        );
        for round in 0..rounds() {
            for (name, id) in &cases {
                group.bench_function(
                    BenchmarkId::new(format!("{name}/hashmap_floor/r{round}"), size),
                    |b| b.iter(|| black_box(floor.get(black_box(id.as_str())))),
                );
                let request = DeleteImageRequest::new(
                    RegionId::new(REGION).unwrap(),
                    ImageId::new(id).unwrap(),
                );
                group.bench_function(
                    BenchmarkId::new(format!("{name}/decide/r{round}"), size),
                    |b| {
                        b.iter(|| {
                            let _ = black_box(decide(
                                black_box(&store),
                                black_box(&caller),
                                black_box(&request),
                                &profile,
                            ));
                        })
                    },
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
