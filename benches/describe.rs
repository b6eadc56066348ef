//! The Describe actions and the DryRun checks cost what their answer costs, not what the store
//! holds: each case is measured on a world of 1k and of 1M images in the same run, and
//! `perf/ratios.py` prints each case's ratio, 1M over 1k (target: at most 3×).
//!
//! Run with `cargo bench --bench describe`; `DESCRIBE_SIZES=1000,1000000` (the default) picks
//! the sizes. The world: the caller owns every other image; the rest belong to 999 other
//! accounts, every 100th of theirs shared with the caller and every 1,000th published; the
//! caller has an instance for every 100th of its images and an export running on every
//! 1,000th (at least 20 of each, so that a first page is full at 1k too). Tags: every 10th of
//! the caller's images carries `bulk=yes` (50k at 1M), and 20 of them at every size carry
//! `team=a`, which the tag cases look for.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecs_image_rules::{
    AccountId, Action, DescribeImageSharePermission, DescribeImages, DescribeInstances,
    DescribeTasks, ExportImage, Image, ImageId, ImageStatus, ImageStore, Instance, InstanceId,
    InstanceStatus, ModifyImageSharePermission, OwnerAlias, Page, Profile, RegionId, Task, TaskId,
    TaskKind, check,
};
use ecs_image_rules::{
    DescribeTags, ListTagResources, ResourceId, ResourceType, Tag, TagFilter, TagKey, TagResources,
    TagValue,
};

mod common;

use common::{REGION, image_id};

fn account(n: usize) -> AccountId {
    AccountId::new(&format!("{:016}", 1_000_000_000_000_000 + n)).unwrap()
}

fn region() -> RegionId {
    RegionId::new(REGION).unwrap()
}

fn world(size: usize) -> ImageStore {
    let mut store = ImageStore::new();
    let caller = account(0);
    let others: Vec<AccountId> = (1..1000).map(account).collect();
    for n in 0..size {
        let id = ImageId::new(&image_id(n)).unwrap();
        let mut image = if n % 2 == 0 {
            Image::custom(id, caller.clone(), region())
        } else {
            Image::custom(id, others[n % others.len()].clone(), region())
        };
        if n % 2 == 1 && n % 200 == 1 {
            image.visibility.shared_with.insert(caller.clone());
        }
        if n % 2 == 1 && n % 2000 == 3 {
            image.visibility.community = true;
        }
        store.insert_image(image).unwrap();
    }
    // At least 20 instances and 20 exports at every size, so that each first page is full:
    // the sizes compare what the same answer costs.
    for n in (0..size).step_by((size / 20).clamp(2, 200)) {
        store
            .insert_instance(Instance {
                id: InstanceId::new(&format!("i-{n:020}")).unwrap(),
                owner: caller.clone(),
                region: region(),
                image: ImageId::new(&image_id(n)).unwrap(),
                status: InstanceStatus::Running,
                image_deleted: false,
                launch: None,
            })
            .unwrap();
    }
    for n in (0..size).step_by((size / 20).clamp(2, 2000)) {
        store
            .insert_task(Task {
                id: TaskId::new(&format!("t-{n:020}")).unwrap(),
                kind: TaskKind::ExportImage {
                    image: ImageId::new(&image_id(n)).unwrap(),
                },
                created: None,
            })
            .unwrap();
    }
    let tag = |store: &mut ImageStore, ids: Vec<usize>, key: &str, value: &str| {
        for chunk in ids.chunks(50) {
            let mut request = TagResources::new(region(), ResourceType::Image)
                .add_tag(Tag::new(key, value).unwrap());
            request.resource_ids = chunk
                .iter()
                .map(|&n| ResourceId::new(&image_id(n)).unwrap())
                .collect();
            store.tag_resources(&caller, request).unwrap();
        }
    };
    tag(&mut store, (0..size).step_by(20).collect(), "bulk", "yes");
    tag(
        &mut store,
        (0..size).step_by(size / 20).collect(),
        "team",
        "a",
    );
    store
}

fn describe(c: &mut Criterion) {
    let caller = account(0);
    let profile = Profile::default();
    let mut group = c.benchmark_group("describe");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(20);
    for size in common::sizes_or("DESCRIBE_SIZES", &[1_000, 1_000_000]) {
        let store = world(size);
        let own = ImageId::new(&image_id(size / 2)).unwrap();
        let images = |f: &dyn Fn(&mut DescribeImages)| {
            let mut request = DescribeImages::new(region());
            f(&mut request);
            request
        };
        let last_page = |matches: usize| {
            Page::new(Some(u32::try_from(matches.div_ceil(10)).unwrap()), None).unwrap()
        };
        let cases: Vec<(&str, DescribeImages)> = vec![
            ("images_first_page", images(&|_| {})),
            (
                "images_self_first_page",
                images(&|r| r.owner_alias = Some(OwnerAlias::Own)),
            ),
            (
                "images_self_last_page",
                images(&|r| {
                    r.owner_alias = Some(OwnerAlias::Own);
                    r.page = last_page(size / 2);
                }),
            ),
            (
                // No alias: the caller's, shared and community groups merged; the skipped
                // matches are read one by one.
                "images_last_page",
                images(&|r| r.page = last_page(size / 2 + size / 200 + size / 2000)),
            ),
            (
                "images_others_first_page",
                images(&|r| r.owner_alias = Some(OwnerAlias::Others)),
            ),
            (
                "images_every_status",
                images(&|r| r.statuses = ImageStatus::ALL.to_vec()),
            ),
            (
                // Terraform's create waiter: `Status=ALL` and `Usable=true` narrow to the
                // Available groups, read from the index.
                "images_usable_first_page",
                images(&|r| {
                    r.statuses = ImageStatus::ALL.to_vec();
                    r.usable = Some(true);
                }),
            ),
            (
                // footmark's lookup by snapshot: not indexed, it walks the caller's selection
                // (docs/performance.md), so it grows with the caller's own images.
                "images_self_snapshot_id",
                images(&|r| {
                    r.owner_alias = Some(OwnerAlias::Own);
                    r.attributes.snapshot_id = Some("s-none".to_owned());
                }),
            ),
            (
                "images_one_id",
                images(&|r| r.image_ids = vec![own.clone()]),
            ),
            (
                "images_100_ids",
                images(&|r| {
                    r.image_ids = (0..100)
                        .map(|k| ImageId::new(&image_id(k * size / 100)).unwrap())
                        .collect();
                }),
            ),
            (
                // An 800 KB `ImageId=x,x,…` list: 36,000 repeats of one id.
                "images_one_id_repeated_36k",
                images(&|r| r.image_ids = vec![own.clone(); 36_000]),
            ),
        ];
        for (name, request) in &cases {
            group.bench_function(BenchmarkId::new(*name, size), |b| {
                b.iter(|| black_box(store.describe_images(&caller, request).unwrap()).total_count)
            });
        }
        let instances = DescribeInstances::new(region());
        group.bench_function(BenchmarkId::new("instances_first_page", size), |b| {
            b.iter(|| black_box(store.describe_instances(&caller, &instances).unwrap()).total_count)
        });
        let tasks = DescribeTasks::new(region());
        group.bench_function(BenchmarkId::new("tasks_first_page", size), |b| {
            b.iter(|| black_box(store.describe_tasks(&caller, &tasks).unwrap()).total_count)
        });
        let share = DescribeImageSharePermission::new(region(), own.clone());
        group.bench_function(BenchmarkId::new("share_permission", size), |b| {
            b.iter(|| {
                black_box(
                    store
                        .describe_image_share_permission(&caller, &share)
                        .unwrap(),
                )
            })
        });
        // Tag conditions read the tag index: they cost their 20 matches at every size.
        let team = TagFilter {
            key: TagKey::new("team").unwrap(),
            value: Some(TagValue::new("a").unwrap()),
        };
        let by_tag = images(&|r| r.tags = vec![team.clone()]);
        group.bench_function(BenchmarkId::new("images_tag_20_matches", size), |b| {
            b.iter(|| black_box(store.describe_images(&caller, &by_tag).unwrap()).total_count)
        });
        let list = ListTagResources::new(region(), ResourceType::Image).add_tag(team.clone());
        group.bench_function(
            BenchmarkId::new("list_tag_resources_20_matches", size),
            |b| {
                b.iter(|| {
                    black_box(store.list_tag_resources(&caller, &list).unwrap())
                        .items
                        .len()
                })
            },
        );
        let mut one = DescribeTags::new(region());
        one.resource_type = Some(ResourceType::Image);
        one.resource_id = Some(ResourceId::new(own.as_str()).unwrap());
        group.bench_function(BenchmarkId::new("describe_tags_one_resource", size), |b| {
            b.iter(|| black_box(store.describe_tags(&caller, &one).unwrap()).total_count)
        });
        // DryRun is the check alone.
        let export =
            Action::ExportImage(ExportImage::new(region(), own.clone()).with_oss_bucket("bucket"));
        group.bench_function(BenchmarkId::new("dry_run_export_image", size), |b| {
            b.iter(|| black_box(check(&store, &caller, &export, &profile).is_ok()))
        });
        let mut modify = ModifyImageSharePermission::new(region(), own.clone());
        modify.add_accounts = vec![account(7)];
        let modify = Action::ModifyImageSharePermission(modify);
        group.bench_function(BenchmarkId::new("dry_run_share", size), |b| {
            b.iter(|| black_box(check(&store, &caller, &modify, &profile).is_ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, describe);
criterion_main!(benches);
