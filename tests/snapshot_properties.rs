//! DeleteSnapshot's properties over arbitrary stores and requests. The expected answer is
//! computed from the test's own plan of the store (which images list a snapshot, which disks
//! were made from it, whether it is still being made), never from the library's
//! `snapshot_blockers()`; codes and messages are written out here by hand from
//! docs/delete-snapshot.md.
//!
//! `PROPTEST_CASES=10000 cargo test --test snapshot_properties` runs a soak.

use ecs_image_rules::{
    AccountId, ApiError, DeleteImageRequest, DeleteSnapshotRequest, Disk, DiskId, DiskType, Image,
    ImageId, ImageStore, MissingSnapshot, Profile, ProgressingSnapshot, RegionId, Snapshot,
    SnapshotBlocker, SnapshotId, SnapshotOutcome, SnapshotPrecedence, SnapshotStatus, Timestamp,
    decide_snapshot,
};
use proptest::prelude::*;

const ACCOUNTS: [&str; 2] = ["alice", "bob"];
const REGION: &str = "cn-hangzhou";

/// One snapshot to put, with the states the test chose for it.
#[derive(Debug, Clone)]
struct Plan {
    owner: usize,
    progressing: bool,
    images: usize,
    disks: usize,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        0..ACCOUNTS.len(),
        prop::bool::weighted(0.3),
        0..3usize,
        0..3usize,
    )
        .prop_map(|(owner, progressing, images, disks)| Plan {
            owner,
            progressing,
            images,
            disks,
        })
}

fn profile() -> impl Strategy<Value = Profile> {
    let orders = [
        [
            SnapshotBlocker::Creating,
            SnapshotBlocker::CreatedImage,
            SnapshotBlocker::CreatedDisk,
        ],
        [
            SnapshotBlocker::CreatedDisk,
            SnapshotBlocker::CreatedImage,
            SnapshotBlocker::Creating,
        ],
        [
            SnapshotBlocker::CreatedImage,
            SnapshotBlocker::CreatedDisk,
            SnapshotBlocker::Creating,
        ],
    ];
    (any::<bool>(), any::<bool>(), 0..orders.len()).prop_map(move |(missing, refuse, order)| {
        Profile::default()
            .with_missing_snapshot(if missing {
                MissingSnapshot::NotFound
            } else {
                MissingSnapshot::Ignore
            })
            .with_progressing_snapshot(if refuse {
                ProgressingSnapshot::Refuse
            } else {
                ProgressingSnapshot::Cancel
            })
            .with_snapshot_precedence(SnapshotPrecedence::new(&orders[order]).unwrap())
    })
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// The store a list of plans describes: snapshot `s-N`, its images `m-N-K`, its disks `d-N-K`.
fn build(plans: &[Plan]) -> ImageStore {
    let mut store = ImageStore::new();
    for (n, p) in plans.iter().enumerate() {
        let owner: AccountId = id(ACCOUNTS[p.owner]);
        let mut snapshot = Snapshot::accomplished(
            id(&format!("s-{n}")),
            owner.clone(),
            id(REGION),
            Timestamp::EPOCH,
        );
        if p.progressing {
            snapshot.status = SnapshotStatus::Progressing;
            snapshot.progress = 50;
        }
        store.insert_snapshot(snapshot).unwrap();
        for k in 0..p.images {
            let mut image = Image::custom(id(&format!("m-{n}-{k}")), owner.clone(), id(REGION));
            image.snapshots = vec![id(&format!("s-{n}"))];
            store.insert_image(image).unwrap();
        }
        for k in 0..p.disks {
            store
                .insert_disk(Disk {
                    id: id(&format!("d-{n}-{k}")),
                    owner: owner.clone(),
                    region: id(REGION),
                    disk_type: DiskType::Data,
                    instance: None,
                    source_snapshot: Some(id(&format!("s-{n}"))),
                    source_snapshot_deleted: false,
                    size_gib: None,
                })
                .unwrap();
        }
    }
    store
}

/// The answer the plan implies, as (HTTP status, code) or the disks that lose re-init.
fn expected(
    plans: &[Plan],
    target: usize,
    caller: usize,
    force: bool,
    profile: &Profile,
) -> Result<Option<Vec<String>>, (u16, &'static str, &'static str)> {
    let Some(p) = plans.get(target).filter(|p| p.owner == caller) else {
        return match profile.missing_snapshot {
            MissingSnapshot::Ignore => Ok(None),
            _ => Err((
                404,
                "InvalidSnapshotId.NotFound",
                "The specified snapshot is not found",
            )),
        };
    };
    for blocker in profile.snapshot_precedence.order() {
        let refusal = match blocker {
            SnapshotBlocker::Creating
                if p.progressing && profile.progressing_snapshot == ProgressingSnapshot::Refuse =>
            {
                Some((
                    400,
                    "IncorrectDiskStatus.CreatingSnapshot",
                    "A previous snapshot creation is in process.",
                ))
            }
            SnapshotBlocker::CreatedImage if p.images > 0 => Some((
                403,
                "SnapshotCreatedImage",
                "The snapshot has been used to create user defined image(s).",
            )),
            SnapshotBlocker::CreatedDisk if p.disks > 0 && !force => Some((
                403,
                "SnapshotCreatedDisk",
                "The snapshot has been used to create disk(s).",
            )),
            _ => None,
        };
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
    }
    Ok(Some(
        (0..p.disks).map(|k| format!("d-{target}-{k}")).collect(),
    ))
}

proptest! {
    /// Every answer is the one the plan implies; a refused or ignored request changes nothing;
    /// a deletion removes exactly the snapshot and flags exactly its disks.
    #[test]
    fn answers_follow_the_plan(
        plans in prop::collection::vec(plan(), 1..6),
        target in 0..7usize,
        caller in 0..ACCOUNTS.len(),
        force in any::<bool>(),
        profile in profile(),
    ) {
        let world = build(&plans);
        let mut store = world.clone();
        let caller_id: AccountId = id(ACCOUNTS[caller]);
        let request = DeleteSnapshotRequest::new(id(&format!("s-{target}"))).with_force(force);
        let answer = store.delete_snapshot(&caller_id, &request, &profile);
        match (expected(&plans, target, caller, force, &profile), answer) {
            (Err((status, code, message)), Err(e)) => {
                let message_got = e.message();
                prop_assert_eq!((e.http_status(), e.code(), message_got.as_ref()), (status, code, message));
                prop_assert_eq!(&store, &world);
            }
            (Ok(None), Ok(SnapshotOutcome::Ignored)) => prop_assert_eq!(&store, &world),
            (Ok(Some(disks)), Ok(SnapshotOutcome::Deleted(deletion))) => {
                let got: Vec<&str> = deletion.disks_losing_reinit.iter().map(DiskId::as_str).collect();
                prop_assert_eq!(got, disks.iter().map(String::as_str).collect::<Vec<_>>());
                let gone = format!("s-{target}");
                prop_assert!(store.snapshot(&gone).is_none());
                for disk in world.disks() {
                    let flagged = disks.contains(&disk.id.to_string());
                    prop_assert_eq!(store.can_reinitialize_disk(disk.id.as_str()), Some(!flagged));
                }
                prop_assert_eq!(store.snapshot_count() + 1, world.snapshot_count());
                prop_assert_eq!(store.images().count(), world.images().count());
            }
            (want, got) => prop_assert!(false, "expected {:?}, got {:?}", want, got),
        }
    }

    /// Force never bypasses an image: a snapshot an image lists is never deleted.
    #[test]
    fn force_never_deletes_a_snapshot_an_image_lists(
        plans in prop::collection::vec(plan(), 1..6),
        target in 0..6usize,
        profile in profile(),
    ) {
        let mut store = build(&plans);
        let Some(p) = plans.get(target) else { return Ok(()) };
        let owner: AccountId = id(ACCOUNTS[p.owner]);
        let request = DeleteSnapshotRequest::new(id(&format!("s-{target}"))).with_force(true);
        let deleted = matches!(store.delete_snapshot(&owner, &request, &profile), Ok(SnapshotOutcome::Deleted(_)));
        prop_assert!(!(deleted && p.images > 0));
    }

    /// Deleting every image that lists a snapshot releases it: then only Creating and
    /// CreatedDisk can still refuse, and with Force and the default policy it is deleted.
    #[test]
    fn deleting_the_images_releases_the_snapshot(
        plans in prop::collection::vec(plan(), 1..5),
        target in 0..5usize,
    ) {
        let mut store = build(&plans);
        let Some(p) = plans.get(target) else { return Ok(()) };
        let owner: AccountId = id(ACCOUNTS[p.owner]);
        let region: RegionId = id(REGION);
        let request = DeleteSnapshotRequest::new(id(&format!("s-{target}"))).with_force(true);
        for k in 0..p.images {
            let image: ImageId = id(&format!("m-{target}-{k}"));
            store.delete_image(&owner, &DeleteImageRequest::new(region.clone(), image), &Profile::default()).unwrap();
        }
        let outcome = store.delete_snapshot(&owner, &request, &Profile::default()).unwrap();
        prop_assert!(matches!(outcome, SnapshotOutcome::Deleted(_)));
    }

    /// The decision is pure, and a verdict applied to a store that changed since is checked
    /// again: a verdict to delete, applied after the snapshot was listed by a new image, is
    /// refused and changes nothing.
    #[test]
    fn decide_is_pure_and_apply_rechecks(
        plans in prop::collection::vec(plan(), 1..5),
        target in 0..5usize,
        profile in profile(),
    ) {
        let world = build(&plans);
        let Some(p) = plans.get(target) else { return Ok(()) };
        let owner: AccountId = id(ACCOUNTS[p.owner]);
        let request = DeleteSnapshotRequest::new(id(&format!("s-{target}"))).with_force(true);
        let first = decide_snapshot(&world, &owner, &request, &profile);
        let second = decide_snapshot(&world, &owner, &request, &profile);
        prop_assert_eq!(&first, &second);
        let Ok(verdict) = first else { return Ok(()) };
        let mut changed = world.clone();
        let mut image = Image::custom(id("m-late"), owner.clone(), id(REGION));
        image.snapshots = vec![id::<SnapshotId>(&format!("s-{target}"))];
        changed.insert_image(image).unwrap();
        let before = changed.clone();
        let refused = changed.apply_snapshot(verdict).unwrap_err();
        prop_assert_eq!(refused.code(), "SnapshotCreatedImage");
        prop_assert_eq!(&changed, &before);
    }
}

#[test]
fn a_forced_delete_leaves_disks_unable_to_reinitialize_and_their_ids_reserved() {
    let plans = [Plan {
        owner: 0,
        progressing: false,
        images: 0,
        disks: 2,
    }];
    let mut store = build(&plans);
    let alice: AccountId = id("alice");
    let request = DeleteSnapshotRequest::new(id("s-0"));
    let refused = store
        .delete_snapshot(&alice, &request, &Profile::default())
        .unwrap_err();
    assert_eq!(refused.code(), "SnapshotCreatedDisk");
    assert_eq!(store.can_reinitialize_disk("d-0-0"), Some(true));
    store
        .delete_snapshot(&alice, &request.with_force(true), &Profile::default())
        .unwrap();
    assert_eq!(store.can_reinitialize_disk("d-0-0"), Some(false));
    assert_eq!(store.can_reinitialize_disk("d-0-1"), Some(false));
    // The disks remember the snapshot, so its id cannot be taken again.
    let again = Snapshot::accomplished(id("s-0"), alice.clone(), id(REGION), Timestamp::EPOCH);
    assert!(store.insert_snapshot(again).is_err());
    // A saved store keeps all of it.
    let json = serde_json::to_string(&store).unwrap();
    let back: ImageStore = serde_json::from_str(&json).unwrap();
    assert_eq!(back, store);
}
