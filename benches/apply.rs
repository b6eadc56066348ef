//! Applying DeleteImage: a delete costs the same whatever the store holds, and a forced delete
//! of an image with K instances costs O(K).
//!
//! Run with `cargo bench --bench apply`; `APPLY_SIZES=1000,1000000` picks the store sizes of
//! the plain delete.
//!
//! - `delete/N`: an own image without blocker, deleted from a store of N images. The store is
//!   too big to clone per iteration, so each timed batch deletes up to 1,000 distinct images and
//!   the untimed restore puts them back.
//! - `forced/K`: `Force=true` on an own image with K instances, in a store of 1,000 images; each
//!   iteration gets a fresh clone of the store (untimed) and the store is dropped untimed too.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use ecs_image_rules::{
    AccountId, DeleteImageRequest, Image, ImageId, ImageStore, Instance, InstanceId,
    InstanceStatus, Outcome, Profile, RegionId,
};

mod common;

use common::{REGION, image_id};

fn caller() -> AccountId {
    AccountId::new("1000000000000000").unwrap()
}

/// A store of `size` private images, all owned by the caller.
fn store(size: usize) -> ImageStore {
    let mut store = ImageStore::new();
    let region = RegionId::new(REGION).unwrap();
    let owner = caller();
    for n in 0..size {
        let id = ImageId::new(&image_id(n)).unwrap();
        store
            .insert_image(Image::custom(id, owner.clone(), region.clone()))
            .unwrap();
    }
    store
}

fn request(id: &str) -> DeleteImageRequest {
    DeleteImageRequest::new(RegionId::new(REGION).unwrap(), ImageId::new(id).unwrap())
}

fn delete(c: &mut Criterion) {
    let profile = Profile::default();
    let caller = caller();
    let mut group = c.benchmark_group("apply/delete");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for size in common::sizes("APPLY_SIZES") {
        let mut store = store(size);
        let victims: Vec<DeleteImageRequest> = (0..size.min(1000))
            .map(|n| request(&image_id(n * (size / size.min(1000)))))
            .collect();
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let batch = &victims[..left.min(victims.len() as u64) as usize];
                    let mut deleted = Vec::with_capacity(batch.len());
                    let start = Instant::now();
                    for request in batch {
                        deleted.push(black_box(store.delete_image(&caller, request, &profile)));
                    }
                    timed += start.elapsed();
                    for outcome in deleted {
                        let Ok(Outcome::Deleted(deletion)) = outcome else {
                            panic!("every victim is an own image without blocker");
                        };
                        store.insert_image(deletion.image).unwrap();
                    }
                    left -= batch.len() as u64;
                }
                timed
            })
        });
    }
    group.finish();
}

fn forced(c: &mut Criterion) {
    let profile = Profile::default();
    let caller = caller();
    let region = RegionId::new(REGION).unwrap();
    let mut group = c.benchmark_group("apply/forced");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for k in [1usize, 1000] {
        let mut base = store(1000);
        let target = image_id(0);
        for i in 0..k {
            base.insert_instance(Instance {
                id: InstanceId::new(&format!("i-bp{i:018}")).unwrap(),
                owner: caller.clone(),
                region: region.clone(),
                image: ImageId::new(&target).unwrap(),
                status: InstanceStatus::Running,
                image_deleted: false,
                launch: None,
            })
            .unwrap();
        }
        let request = request(&target).with_force(true);
        group.bench_function(BenchmarkId::from_parameter(k), |b| {
            b.iter_batched(
                || base.clone(),
                |mut store| {
                    let outcome = store.delete_image(&caller, &request, &profile);
                    assert!(matches!(outcome, Ok(Outcome::Deleted(_))));
                    (store, outcome)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, delete, forced);
criterion_main!(benches);
