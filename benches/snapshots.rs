//! DescribeSnapshots costs what its answer costs, not what the store holds: each case is
//! measured on a world of 1k and of 1M snapshots in the same run, and `perf/ratios.py` prints
//! each case's ratio, 1M over 1k (target: at most 3×), with the Describe cases.
//!
//! Run with `cargo bench --bench snapshots`; `SNAPSHOT_SIZES=1000,1000000` (the default) picks
//! the sizes. The world: `size` snapshots of 999 other accounts, `size / 10` of the caller's
//! (so its unfiltered first page has a growing `TotalCount` to count), and one Running instance
//! of the caller's whose disk has 20 snapshots, tagged `team=a`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecs_image_rules::{
    AccountId, DescribeSnapshots, Disk, DiskId, DiskType, ImageId, ImageStore, Instance,
    InstanceId, InstanceStatus, RegionId, ResourceId, ResourceType, Snapshot, SnapshotId,
    SnapshotPaging, SnapshotStatus, Tag, TagFilter, TagKey, TagResources, TagValue, Timestamp,
};

mod common;

use common::{REGION, image_id};

fn account(n: usize) -> AccountId {
    AccountId::new(&format!("{:016}", 1_000_000_000_000_000 + n)).unwrap()
}

fn region() -> RegionId {
    RegionId::new(REGION).unwrap()
}

fn snapshot(n: usize, owner: AccountId, disk: Option<DiskId>) -> Snapshot {
    Snapshot {
        source_disk: disk,
        ..Snapshot::accomplished(
            SnapshotId::new(&format!("s-bp{n:018}")).unwrap(),
            owner,
            region(),
            Timestamp::EPOCH,
        )
    }
}

fn world(size: usize) -> (ImageStore, DiskId) {
    let mut store = ImageStore::new();
    let caller = account(0);
    for n in 0..size {
        let owner = account(1 + n % 999);
        store.insert_snapshot(snapshot(n, owner, None)).unwrap();
    }
    for n in size..size + size / 10 {
        store
            .insert_snapshot(snapshot(n, caller.clone(), None))
            .unwrap();
    }
    let instance = InstanceId::new("i-bench").unwrap();
    store
        .insert_instance(Instance {
            id: instance.clone(),
            owner: caller.clone(),
            region: region(),
            image: ImageId::new(&image_id(0)).unwrap(),
            status: InstanceStatus::Running,
            image_deleted: true,
            launch: None,
        })
        .unwrap();
    let disk = DiskId::new("d-bench").unwrap();
    store
        .insert_disk(Disk {
            id: disk.clone(),
            owner: caller.clone(),
            region: region(),
            disk_type: DiskType::System,
            instance: Some(instance),
            source_snapshot: None,
            source_snapshot_deleted: false,
            size_gib: None,
        })
        .unwrap();
    let mut tagging =
        TagResources::new(region(), ResourceType::Snapshot).add_tag(Tag::new("team", "a").unwrap());
    for n in 0..20 {
        let mut s = snapshot(2 * size + n, caller.clone(), Some(disk.clone()));
        s.status = SnapshotStatus::Accomplished;
        tagging = tagging.add_resource(ResourceId::new(s.id.as_str()).unwrap());
        store.insert_snapshot(s).unwrap();
    }
    store.tag_resources(&caller, tagging).unwrap();
    (store, disk)
}

fn describe(c: &mut Criterion) {
    let caller = account(0);
    let mut group = c.benchmark_group("describe");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(20);
    for size in common::sizes_or("SNAPSHOT_SIZES", &[1_000, 1_000_000]) {
        let (store, disk) = world(size);
        let all = DescribeSnapshots::new(region());
        let by_disk = DescribeSnapshots {
            disk_id: Some(disk.clone()),
            ..all.clone()
        };
        let by_tag = DescribeSnapshots {
            tags: vec![TagFilter {
                key: TagKey::new("team").unwrap(),
                value: Some(TagValue::new("a").unwrap()),
            }],
            ..all.clone()
        };
        let by_ids = DescribeSnapshots {
            snapshot_ids: (0..10)
                .map(|n| SnapshotId::new(&format!("s-bp{:018}", 2 * size + n)).unwrap())
                .collect(),
            ..all.clone()
        };
        let by_token = DescribeSnapshots {
            paging: SnapshotPaging::token(None, Some(10)).unwrap(),
            ..by_disk.clone()
        };
        for (name, request) in [
            ("snapshots_first_page", &all),
            ("snapshots_of_disk_20", &by_disk),
            ("snapshots_tag_20_matches", &by_tag),
            ("snapshots_10_ids", &by_ids),
            ("snapshots_of_disk_token", &by_token),
        ] {
            group.bench_function(BenchmarkId::new(name, size), |b| {
                b.iter(|| {
                    black_box(store.describe_snapshots(&caller, request).unwrap())
                        .listing
                        .total_count
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, describe);
criterion_main!(benches);
