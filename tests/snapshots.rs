//! Snapshots as resources a caller makes: CreateImage from an instance snapshots each of its
//! disks with the image, CreateSnapshot snapshots one disk, and both progress until the
//! service ends them (docs/lifecycle.md). Every refusal is written out by hand from the
//! CreateImage and CreateSnapshot error tables, and a refused call changes nothing.

use ecs_image_rules::{
    AccountId, Action, Answer, ApiError, CreateImage, CreateSnapshot, DeleteSnapshotRequest,
    DiskId, Error, ImageAttributes, ImageId, ImageSpec, ImageStatus, ImageStore, InstanceId,
    InstancePower, PowerAction, Profile, Progress, RegionId, RunInstances, SnapshotId,
    SnapshotStatus, SnapshotUsage, Step, Tag, Work,
};

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn bob() -> AccountId {
    AccountId::new("bob").unwrap()
}
fn hz() -> RegionId {
    RegionId::new("cn-hangzhou").unwrap()
}

type Refusal = (u16, &'static str, &'static str);

const NO_INSTANCE: Refusal = (
    404,
    "InvalidInstanceId.NotFound",
    "The specified InstanceId does not exist.",
);
const IMAGE_INSTANCE_STATUS: Refusal = (
    400,
    "IncorrectInstanceStatus",
    "The current status of the instance does not support this operation.",
);
const CREATING_SNAPSHOT: Refusal = (
    403,
    "IncorrectDiskStatus.CreatingSnapshot",
    "A previous snapshot creation is in process.",
);
const NO_DISK: Refusal = (
    404,
    "InvalidDiskId.NotFound",
    "The specified DiskId does not exist.",
);
const SNAPSHOT_INSTANCE_STATUS: Refusal = (
    400,
    "IncorrectInstanceStatus",
    "The current status of the resource does not support this operation.",
);
const QUOTA: Refusal = (403, "QuotaExceed.Snapshot", "The snapshot quota exceeds.");

/// Runs a call that must be refused with `refusal` and checks the store did not change.
fn refused<T: std::fmt::Debug>(
    store: &mut ImageStore,
    refusal: Refusal,
    run: impl FnOnce(&mut ImageStore) -> Result<T, Error>,
) {
    let before = serde_json::to_string(&*store).unwrap();
    let e = run(store).expect_err("the call should be refused");
    assert_eq!((e.http_status(), e.code(), &*e.message()), refusal);
    assert_eq!(serde_json::to_string(&*store).unwrap(), before);
}

/// A store with alice's image `m-base` (one snapshot) and one instance of hers from it,
/// settled Running; the instance and its system disk.
fn running() -> (ImageStore, InstanceId, DiskId) {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-base", "alice", "cn-hangzhou").add_snapshot("s-base"))
        .unwrap();
    let instance = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-base").unwrap()),
        )
        .unwrap()
        .remove(0);
    store.settle_instance(&instance).unwrap();
    let disk = store
        .disks_of_instance(instance.as_str())
        .next()
        .unwrap()
        .clone();
    (store, instance, disk)
}

/// DeleteSnapshot of Alice's snapshot, which must succeed.
fn delete_snapshot(store: &mut ImageStore, snapshot: &SnapshotId) {
    store
        .delete_snapshot(
            &alice(),
            &DeleteSnapshotRequest::new(snapshot.clone()),
            &Profile::default(),
        )
        .unwrap();
}

fn snapshot_status(store: &ImageStore, id: &SnapshotId) -> SnapshotStatus {
    store.snapshot(id.as_str()).unwrap().status
}

#[test]
fn create_image_from_an_instance_snapshots_its_disk_and_ends_with_the_image() {
    let (mut store, instance, disk) = running();
    let image = store
        .create_image(&alice(), CreateImage::new(hz()).with_instance(instance))
        .unwrap();
    let made = store.image(image.as_str()).unwrap();
    assert_eq!(made.status, ImageStatus::Creating);
    assert_eq!(made.snapshots.len(), 1, "one snapshot per disk");
    let snapshot = made.snapshots[0].clone();
    assert!(snapshot.as_str().starts_with("s-"));
    assert_ne!(
        snapshot.as_str(),
        "s-base",
        "a new snapshot, not the image's source"
    );
    let s = store.snapshot(snapshot.as_str()).unwrap();
    assert_eq!(s.source_disk.as_ref(), Some(&disk));
    assert_eq!((s.status, s.progress), (SnapshotStatus::Progressing, 0));
    assert_eq!(s.owner, alice());
    assert_eq!(
        store.snapshot_usage(snapshot.as_str()),
        Some(SnapshotUsage::Image)
    );
    assert_eq!(
        made.attributes().disks[0].disk_type.map(|t| t.as_str()),
        Some("system")
    );

    store.finish_create_image(&image).unwrap();
    let s = store.snapshot(snapshot.as_str()).unwrap();
    assert_eq!((s.status, s.progress), (SnapshotStatus::Accomplished, 100));
}

/// Terraform's `alicloud_image` reads the system disk mapping's `Size` and the image's `Size`
/// of an image made from an instance: the instance's system disk took its image's size.
#[test]
fn an_image_from_an_instance_states_its_system_disks_size() {
    let mut store = ImageStore::new();
    store
        .put(
            ImageSpec::custom("m-sized", "alice", "cn-hangzhou")
                .add_snapshot("s-sized")
                .with_attributes(ImageAttributes {
                    size_gib: Some(40),
                    ..ImageAttributes::default()
                }),
        )
        .unwrap();
    let instance = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-sized").unwrap()),
        )
        .unwrap()
        .remove(0);
    store.settle_instance(&instance).unwrap();
    let image = store
        .create_image(&alice(), CreateImage::new(hz()).with_instance(instance))
        .unwrap();
    let made = store.image(image.as_str()).unwrap().attributes();
    assert_eq!(made.disks[0].size_gib, Some(40), "the system disk mapping");
    assert_eq!(made.size_gib, Some(40), "the image's Size");
}

#[test]
fn a_failed_image_fails_the_snapshots_it_made() {
    let (mut store, instance, _) = running();
    let image = store
        .create_image(&alice(), CreateImage::new(hz()).with_instance(instance))
        .unwrap();
    let snapshot = store.image(image.as_str()).unwrap().snapshots[0].clone();
    store.fail_create_image(&image).unwrap();
    assert_eq!(snapshot_status(&store, &snapshot), SnapshotStatus::Failed);
    // The image's own snapshot is not CreateSnapshot's to finish.
    let e = store.finish_snapshot(&snapshot).unwrap_err();
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (
            400,
            "IncorrectSnapshotStatus",
            "The specified snapshot is not being created."
        )
    );
}

#[test]
fn the_instance_takes_precedence_over_snapshots() {
    let (mut store, instance, _) = running();
    let image = store
        .create_image(
            &alice(),
            CreateImage::new(hz())
                .with_instance(instance)
                .add_snapshot(SnapshotId::new("s-base").unwrap()),
        )
        .unwrap();
    let snapshots = &store.image(image.as_str()).unwrap().snapshots;
    assert_eq!(snapshots.len(), 1);
    assert_ne!(snapshots[0].as_str(), "s-base");
}

#[test]
fn create_image_from_an_instance_refusals() {
    let (mut store, instance, disk) = running();
    // Another account's instance, and one in another region, are not found.
    refused(&mut store, NO_INSTANCE, |s| {
        s.create_image(
            &bob(),
            CreateImage::new(hz()).with_instance(instance.clone()),
        )
    });
    refused(&mut store, NO_INSTANCE, |s| {
        s.create_image(
            &alice(),
            CreateImage::new(RegionId::new("cn-beijing").unwrap()).with_instance(instance.clone()),
        )
    });
    refused(&mut store, NO_INSTANCE, |s| {
        s.create_image(
            &alice(),
            CreateImage::new(hz()).with_instance(InstanceId::new("i-none").unwrap()),
        )
    });
    // Stopping is neither Running nor Stopped.
    store
        .power_instance(
            &alice(),
            InstancePower::new(PowerAction::Stop, instance.clone()),
        )
        .unwrap();
    refused(&mut store, IMAGE_INSTANCE_STATUS, |s| {
        s.create_image(
            &alice(),
            CreateImage::new(hz()).with_instance(instance.clone()),
        )
    });
    store.settle_instance(&instance).unwrap();
    // A snapshot of its disk in progress.
    store
        .create_snapshot(&alice(), CreateSnapshot::new(disk))
        .unwrap();
    refused(&mut store, CREATING_SNAPSHOT, |s| {
        s.create_image(
            &alice(),
            CreateImage::new(hz()).with_instance(instance.clone()),
        )
    });
}

#[test]
fn create_snapshot_progresses_until_the_service_ends_it() {
    let (mut store, _, disk) = running();
    let tag = Tag::new("team", "ops").unwrap();
    let snapshot = store
        .create_snapshot(
            &alice(),
            CreateSnapshot::new(disk.clone())
                .with_name("nightly-1".parse().unwrap())
                .with_description("before upgrade".parse().unwrap())
                .add_tag(tag),
        )
        .unwrap();
    let s = store.snapshot(snapshot.as_str()).unwrap();
    assert_eq!((s.status, s.progress), (SnapshotStatus::Progressing, 0));
    assert_eq!(s.name.as_deref(), Some("nightly-1"));
    assert_eq!(s.description.as_deref(), Some("before upgrade"));
    assert_eq!(s.source_disk.as_ref(), Some(&disk));
    assert_eq!(s.region, hz());
    // Its creation is scheduled work a pace ends.
    assert!(
        store
            .due(&"immediate".parse().unwrap(), store.now())
            .contains(&Work::Snapshot(snapshot.clone()))
    );
    store
        .perform(
            Step::Progress(Progress::FinishSnapshot(snapshot.clone())),
            &Profile::default(),
        )
        .unwrap();
    let s = store.snapshot(snapshot.as_str()).unwrap();
    assert_eq!((s.status, s.progress), (SnapshotStatus::Accomplished, 100));
    assert!(
        store
            .due(&"immediate".parse().unwrap(), store.now())
            .is_empty()
    );
    // Once accomplished, the disk may be snapshotted again.
    let again = store.perform(
        Step::Call {
            caller: alice(),
            action: Action::CreateSnapshot(CreateSnapshot::new(disk)),
        },
        &Profile::default(),
    );
    assert!(matches!(again, Ok(Answer::Snapshot(_))));
}

#[test]
fn deleting_a_progressing_snapshot_cancels_its_creation() {
    let (mut store, _, disk) = running();
    let snapshot = store
        .create_snapshot(&alice(), CreateSnapshot::new(disk))
        .unwrap();
    delete_snapshot(&mut store, &snapshot);
    assert!(store.snapshot(snapshot.as_str()).is_none());
    assert!(
        store
            .due(&"immediate".parse().unwrap(), store.now())
            .is_empty()
    );
    let e = store.fail_snapshot(&snapshot).unwrap_err();
    assert_eq!(e.code(), "InvalidSnapshotId.NotFound");
}

#[test]
fn create_snapshot_refusals() {
    let (mut store, instance, disk) = running();
    refused(&mut store, NO_DISK, |s| {
        s.create_snapshot(&bob(), CreateSnapshot::new(disk.clone()))
    });
    refused(&mut store, NO_DISK, |s| {
        s.create_snapshot(
            &alice(),
            CreateSnapshot::new(DiskId::new("d-none").unwrap()),
        )
    });
    store
        .power_instance(
            &alice(),
            InstancePower::new(PowerAction::Reboot, instance.clone()),
        )
        .unwrap();
    refused(&mut store, SNAPSHOT_INSTANCE_STATUS, |s| {
        s.create_snapshot(&alice(), CreateSnapshot::new(disk.clone()))
    });
    store.settle_instance(&instance).unwrap();
    let first = store
        .create_snapshot(&alice(), CreateSnapshot::new(disk.clone()))
        .unwrap();
    refused(&mut store, CREATING_SNAPSHOT, |s| {
        s.create_snapshot(&alice(), CreateSnapshot::new(disk.clone()))
    });
    store.finish_snapshot(&first).unwrap();
    // Up to the quota, then refused.
    for _ in 1..ecs_image_rules::MAX_SNAPSHOTS_PER_DISK {
        let s = store
            .create_snapshot(&alice(), CreateSnapshot::new(disk.clone()))
            .unwrap();
        store.finish_snapshot(&s).unwrap();
    }
    refused(&mut store, QUOTA, |s| {
        s.create_snapshot(&alice(), CreateSnapshot::new(disk.clone()))
    });
}

#[test]
fn a_snapshot_name_follows_the_documented_rule() {
    let bad = |s: &str| {
        let e = s.parse::<ecs_image_rules::SnapshotName>().unwrap_err();
        assert_eq!(
            (e.http_status(), e.code(), &*e.message()),
            (
                400,
                "InvalidSnapshotName.Malformed",
                "The specified SnapshotName is wrongly formed."
            ),
            "{s}"
        );
    };
    bad("a");
    bad("auto-nightly");
    bad("1abc");
    bad("http://x");
    assert!(
        "nightly:2026-12-02"
            .parse::<ecs_image_rules::SnapshotName>()
            .is_ok()
    );
}

#[test]
fn snapshots_and_disks_carry_tags_until_they_go() {
    use ecs_image_rules::{DeleteInstance, ResourceId, ResourceType, TagResources};
    let (mut store, instance, disk) = running();
    let snapshot = store
        .create_snapshot(
            &alice(),
            CreateSnapshot::new(disk.clone()).add_tag(Tag::new("team", "ops").unwrap()),
        )
        .unwrap();
    store.finish_snapshot(&snapshot).unwrap();
    store
        .tag_resources(
            &alice(),
            TagResources::new(hz(), ResourceType::Disk)
                .add_resource(ResourceId::new(disk.as_str()).unwrap())
                .add_tag(Tag::new("env", "dev").unwrap()),
        )
        .unwrap();
    let tags = |store: &ImageStore, kind, id: &str| -> Vec<String> {
        store
            .tags_of(kind, id)
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    };
    assert_eq!(
        tags(&store, ResourceType::Snapshot, snapshot.as_str()),
        ["team=ops"]
    );
    assert_eq!(tags(&store, ResourceType::Disk, disk.as_str()), ["env=dev"]);
    // Another account cannot tag them: they are not its resources.
    let e = store
        .tag_resources(
            &bob(),
            TagResources::new(hz(), ResourceType::Snapshot)
                .add_resource(ResourceId::new(snapshot.as_str()).unwrap())
                .add_tag(Tag::new("env", "dev").unwrap()),
        )
        .unwrap_err();
    assert_eq!(e.code(), "InvalidResourceId.NotFound");

    // A resource's tags go with it.
    delete_snapshot(&mut store, &snapshot);
    assert!(tags(&store, ResourceType::Snapshot, snapshot.as_str()).is_empty());
    store
        .delete_instance(&alice(), DeleteInstance::new(instance).with_force(true))
        .unwrap();
    assert!(tags(&store, ResourceType::Disk, disk.as_str()).is_empty());
}

mod describe {
    use super::*;
    use ecs_image_rules::{
        DescribeSnapshots, Page, SnapshotPaging, SnapshotType, TagFilter, TagKey, TagValue,
    };

    /// Alice's Running instance with three accomplished snapshots of its disk (the second
    /// named and tagged) and one progressing; Bob's own instance and snapshot.
    fn world() -> (ImageStore, InstanceId, DiskId, Vec<SnapshotId>) {
        let (mut store, instance, disk) = running();
        let mut made = Vec::new();
        for n in 0..4 {
            let mut request = CreateSnapshot::new(disk.clone());
            if n == 1 {
                request = request
                    .with_name("keep-me".parse().unwrap())
                    .add_tag(Tag::new("keep", "yes").unwrap());
            }
            let s = store.create_snapshot(&alice(), request).unwrap();
            if n < 3 {
                store.finish_snapshot(&s).unwrap();
            }
            made.push(s);
        }
        store
            .put(ImageSpec::custom("m-bob", "bob", "cn-hangzhou"))
            .unwrap();
        let bobs = store
            .run_instances(
                &bob(),
                RunInstances::new(hz(), ImageId::new("m-bob").unwrap()),
            )
            .unwrap()
            .remove(0);
        store.settle_instance(&bobs).unwrap();
        let bob_disk = store
            .disks_of_instance(bobs.as_str())
            .next()
            .unwrap()
            .clone();
        store
            .create_snapshot(&bob(), CreateSnapshot::new(bob_disk))
            .unwrap();
        (store, instance, disk, made)
    }

    fn ids(store: &ImageStore, request: &DescribeSnapshots) -> Vec<String> {
        store
            .describe_snapshots(&alice(), request)
            .unwrap()
            .listing
            .items
            .iter()
            .map(|s| s.id.to_string())
            .collect()
    }

    fn sorted(ids: &[SnapshotId]) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }

    #[test]
    fn filters_select_the_callers_snapshots() {
        let (store, instance, disk, made) = world();
        let all = DescribeSnapshots::new(hz());
        // Alice's four; Bob's is not listed, nor the image's implied one (listed only by m-base,
        // which she owns: it is hers too).
        let mut mine = made.clone();
        mine.push(SnapshotId::new("s-base").unwrap());
        assert_eq!(ids(&store, &all), sorted(&mine));
        let by_disk = DescribeSnapshots {
            disk_id: Some(disk.clone()),
            ..all.clone()
        };
        assert_eq!(ids(&store, &by_disk), sorted(&made));
        let by_instance = DescribeSnapshots {
            instance_id: Some(instance),
            ..all.clone()
        };
        assert_eq!(ids(&store, &by_instance), sorted(&made));
        let progressing = DescribeSnapshots {
            status: Some(SnapshotStatus::Progressing),
            ..by_disk.clone()
        };
        assert_eq!(ids(&store, &progressing), sorted(&made[3..]));
        let named = DescribeSnapshots {
            name: Some("keep-me".into()),
            ..all.clone()
        };
        assert_eq!(ids(&store, &named), sorted(&made[1..2]));
        let tagged = DescribeSnapshots {
            tags: vec![TagFilter {
                key: TagKey::new("keep").unwrap(),
                value: Some(TagValue::new("yes").unwrap()),
            }],
            ..all.clone()
        };
        assert_eq!(ids(&store, &tagged), sorted(&made[1..2]));
        let by_ids = DescribeSnapshots {
            snapshot_ids: vec![made[0].clone(), made[2].clone()],
            ..all.clone()
        };
        let mut two = vec![made[0].clone(), made[2].clone()];
        two.sort();
        assert_eq!(ids(&store, &by_ids), sorted(&two));
        // The image lists s-base: usage image (its disk was created from it too: image_disk).
        let used = DescribeSnapshots {
            usage: Some(SnapshotUsage::ImageDisk),
            ..all.clone()
        };
        assert_eq!(ids(&store, &used), ["s-base"]);
        let auto = DescribeSnapshots {
            snapshot_type: SnapshotType::Auto,
            ..all.clone()
        };
        assert!(ids(&store, &auto).is_empty());
    }

    #[test]
    fn pages_by_number_and_by_token() {
        let (store, _, disk, made) = world();
        let by_disk = DescribeSnapshots {
            disk_id: Some(disk),
            ..DescribeSnapshots::new(hz())
        };
        let every = sorted(&made);
        let second = DescribeSnapshots {
            paging: SnapshotPaging::Numbered(Page::new(Some(2), Some(3)).unwrap()),
            ..by_disk.clone()
        };
        let answer = store.describe_snapshots(&alice(), &second).unwrap();
        assert_eq!(answer.listing.total_count, 4);
        assert_eq!(ids(&store, &second), every[3..]);
        let first = DescribeSnapshots {
            paging: SnapshotPaging::token(None, Some(3)).unwrap(),
            ..by_disk.clone()
        };
        let answer = store.describe_snapshots(&alice(), &first).unwrap();
        assert_eq!(ids(&store, &first), every[..3]);
        let token = answer.next_token.expect("a next page");
        assert_eq!(token.as_str(), every[3]);
        let next = DescribeSnapshots {
            paging: SnapshotPaging::token(Some(token.as_str()), Some(3)).unwrap(),
            ..by_disk
        };
        let answer = store.describe_snapshots(&alice(), &next).unwrap();
        assert_eq!(ids(&store, &next), every[3..]);
        assert_eq!(answer.next_token, None);
    }

    #[test]
    fn refusals() {
        let (store, _, _, _) = world();
        let too_many = DescribeSnapshots {
            snapshot_ids: (0..101)
                .map(|n| SnapshotId::new(&format!("s-{n}")).unwrap())
                .collect(),
            ..DescribeSnapshots::new(hz())
        };
        let e = store.describe_snapshots(&alice(), &too_many).unwrap_err();
        assert_eq!(
            (e.http_status(), e.code(), &*e.message()),
            (
                400,
                "InvalidParameter",
                "The specified parameter \"SnapshotIds\" is not valid."
            )
        );
        let e = SnapshotPaging::token(None, Some(101)).unwrap_err();
        assert_eq!(
            &*e.message(),
            "The specified parameter \"MaxResults\" is not valid."
        );
        let e = "nope".parse::<SnapshotUsage>().unwrap_err();
        assert_eq!(
            (e.http_status(), e.code(), &*e.message()),
            (404, "InvalidUsage", "The specified Usage is not valid.")
        );
    }
}

#[test]
fn add_tags_and_remove_tags_work_on_one_resource() {
    use ecs_image_rules::{
        AddTags, RemoveTags, ResourceId, ResourceType, TagFilter, TagKey, TagValue,
    };
    let (mut store, _, disk) = running();
    let snapshot = store
        .create_snapshot(&alice(), CreateSnapshot::new(disk))
        .unwrap();
    let id = ResourceId::new(snapshot.as_str()).unwrap();
    let add = |tags: Vec<Tag>| AddTags {
        region_id: hz(),
        resource_type: ResourceType::Snapshot,
        resource_id: id.clone(),
        tags,
    };
    store
        .add_tags(
            &alice(),
            add(vec![
                Tag::new("env", "dev").unwrap(),
                Tag::new("team", "ops").unwrap(),
            ]),
        )
        .unwrap();
    // A key it has takes the new value.
    store
        .add_tags(&alice(), add(vec![Tag::new("env", "prod").unwrap()]))
        .unwrap();
    let tags = |store: &ImageStore| -> Vec<String> {
        store
            .tags_of(ResourceType::Snapshot, snapshot.as_str())
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    };
    assert_eq!(tags(&store), ["env=prod", "team=ops"]);
    // Refusals, each changing nothing.
    refused(
        &mut store,
        (
            400,
            "InvalidTagCount",
            "The specified tags are beyond the permitted range.",
        ),
        |s| {
            s.add_tags(
                &alice(),
                add((0..21)
                    .map(|n| Tag::new(&format!("k{n}"), "v").unwrap())
                    .collect()),
            )
        },
    );
    refused(
        &mut store,
        (
            404,
            "InvalidResourceId.NotFound",
            "The specified ResourceIds are not found in our records.",
        ),
        |s| s.add_tags(&bob(), add(vec![Tag::new("x", "y").unwrap()])),
    );
    let remove = |key: &str, value: Option<&str>| RemoveTags {
        region_id: hz(),
        resource_type: ResourceType::Snapshot,
        resource_id: id.clone(),
        tags: vec![TagFilter {
            key: TagKey::new(key).unwrap(),
            value: value.map(|v| TagValue::new(v).unwrap()),
        }],
    };
    // A value that does not match removes nothing; a key alone removes the tag.
    store
        .remove_tags(&alice(), remove("env", Some("dev")))
        .unwrap();
    assert_eq!(tags(&store), ["env=prod", "team=ops"]);
    store.remove_tags(&alice(), remove("env", None)).unwrap();
    assert_eq!(tags(&store), ["team=ops"]);
    store
        .remove_tags(&alice(), remove("team", Some("ops")))
        .unwrap();
    assert!(tags(&store).is_empty());
}

#[test]
fn describe_disks_selects_the_callers_disks() {
    use ecs_image_rules::{DescribeDisks, DiskType};
    let (mut store, instance, disk) = running();
    let second = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-base").unwrap()),
        )
        .unwrap()
        .remove(0);
    let ids = |request: &DescribeDisks, caller: &AccountId| -> Vec<String> {
        store
            .describe_disks(caller, request)
            .unwrap()
            .items
            .iter()
            .map(|d| d.id.to_string())
            .collect()
    };
    let all = DescribeDisks::new(hz());
    assert_eq!(ids(&all, &alice()).len(), 2);
    assert!(ids(&all, &bob()).is_empty());
    let of_instance = DescribeDisks {
        instance_id: Some(instance),
        disk_type: Some(DiskType::System),
        ..all.clone()
    };
    assert_eq!(ids(&of_instance, &alice()), [disk.to_string()]);
    let data = DescribeDisks {
        disk_type: Some(DiskType::Data),
        ..all.clone()
    };
    assert!(ids(&data, &alice()).is_empty());
    let other = store
        .disks_of_instance(second.as_str())
        .next()
        .unwrap()
        .clone();
    let by_ids = DescribeDisks {
        disk_ids: vec![other.clone()],
        ..all.clone()
    };
    assert_eq!(ids(&by_ids, &alice()), [other.to_string()]);
    let too_many = DescribeDisks {
        disk_ids: (0..101)
            .map(|n| DiskId::new(&format!("d-{n}")).unwrap())
            .collect(),
        ..all
    };
    let e = store.describe_disks(&alice(), &too_many).unwrap_err();
    assert_eq!(
        &*e.message(),
        "The specified parameter \"DiskIds\" is not valid."
    );
}
