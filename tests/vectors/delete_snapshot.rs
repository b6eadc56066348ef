//! `vectors/delete_snapshot.json`: DeleteSnapshot's profile fields and effects, what a deletion
//! must have done, and the coverage the file promises (every blocker subset with every Force).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use ecs_image_rules::wire::{self, Response};
use ecs_image_rules::{
    AccountId, ImageStore, MissingSnapshot, Profile, ProgressingSnapshot, RequestId,
    SnapshotBlocker, SnapshotDeletion, SnapshotOutcome, SnapshotPrecedence, snapshot_blockers,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    Admits, Api, Done, Kind, Test, Vectors, every_combination, file, refused, replay, settings,
    tests,
};

struct DeleteSnapshot;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileSpec {
    missing_snapshot: Option<MissingSnapshot>,
    progressing_snapshot: Option<ProgressingSnapshot>,
    snapshot_precedence: Option<SnapshotPrecedence>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Effects {
    snapshot_deleted: bool,
    disks_losing_reinit: Vec<String>,
}

static VECTORS: LazyLock<Vectors<DeleteSnapshot>> = LazyLock::new(Vectors::load);

fn reversed() -> SnapshotPrecedence {
    let mut order = SnapshotBlocker::ALL;
    order.reverse();
    SnapshotPrecedence::new(&order).unwrap()
}

impl Api for DeleteSnapshot {
    const FILE: &'static str = "delete_snapshot.json";
    const API: &'static str = "ECS DeleteSnapshot";
    type ProfileSpec = ProfileSpec;
    type Effects = Effects;
    type Deletion = SnapshotDeletion;

    fn vectors() -> &'static Vectors<Self> {
        &VECTORS
    }

    fn profiles(spec: &ProfileSpec) -> Vec<Profile> {
        every_combination(vec![
            settings(
                spec.missing_snapshot,
                [MissingSnapshot::Ignore, MissingSnapshot::NotFound],
                Profile::with_missing_snapshot,
            ),
            settings(
                spec.progressing_snapshot,
                [ProgressingSnapshot::Cancel, ProgressingSnapshot::Refuse],
                Profile::with_progressing_snapshot,
            ),
            settings(
                spec.snapshot_precedence,
                [SnapshotPrecedence::default(), reversed()],
                Profile::with_snapshot_precedence,
            ),
        ])
    }

    fn manifests() -> Vec<(&'static str, Admits<Self>)> {
        vec![
            ("manifest-snapshot-missing-ignore.txt", |p| {
                p.missing_snapshot != Some(MissingSnapshot::NotFound)
            }),
            ("manifest-snapshot-missing-notfound.txt", |p| {
                p.missing_snapshot != Some(MissingSnapshot::Ignore)
            }),
            ("manifest-snapshot-progressing-cancel.txt", |p| {
                p.progressing_snapshot != Some(ProgressingSnapshot::Refuse)
            }),
            ("manifest-snapshot-progressing-refuse.txt", |p| {
                p.progressing_snapshot != Some(ProgressingSnapshot::Cancel)
            }),
            ("manifest-snapshot-default-precedence.txt", |p| {
                p.snapshot_precedence
                    .is_none_or(|o| o == SnapshotPrecedence::default())
            }),
        ]
    }

    fn send(
        store: &mut ImageStore,
        caller: &AccountId,
        params: &[(&str, &str)],
        profile: &Profile,
        request_id: RequestId,
    ) -> (Response, Option<Done<SnapshotDeletion>>) {
        let (response, outcome) =
            wire::delete_snapshot(store, caller, params.iter().copied(), profile, request_id);
        let done = outcome.map(|o| match o {
            SnapshotOutcome::Deleted(deletion) => Done::Deleted(deletion),
            SnapshotOutcome::Ignored => Done::Ignored,
        });
        (response, done)
    }

    fn deleted(effects: &Effects) -> bool {
        effects.snapshot_deleted
    }

    fn deletion_faults(
        world: &ImageStore,
        store: &ImageStore,
        test: &Test<Self>,
        deletion: SnapshotDeletion,
    ) -> Vec<String> {
        let expected = &test.expected.effects;
        let mut faults = Vec::new();
        let snapshot = test.param("SnapshotId").unwrap_or_default();
        if deletion.snapshot.id.as_str() != snapshot {
            faults.push(format!(
                "deleted {} (expected {snapshot})",
                deletion.snapshot.id
            ));
        }
        let disks: Vec<&str> = deletion
            .disks_losing_reinit
            .iter()
            .map(|d| d.as_str())
            .collect();
        if disks != expected.disks_losing_reinit {
            faults.push(format!(
                "disks losing re-init {disks:?} (expected {:?})",
                expected.disks_losing_reinit
            ));
        }
        for disk in &expected.disks_losing_reinit {
            if store.can_reinitialize_disk(disk) != Some(false) {
                faults.push(format!("disk {disk} can still re-initialize"));
            }
        }
        let after = serde_json::to_value(store).unwrap();
        if after != after_deletion(world, snapshot, &expected.disks_losing_reinit) {
            faults.push("the store after the deletion is not the world minus the snapshot with those disks flagged".to_owned());
        }
        faults
    }
}

/// The world as JSON with `snapshot` gone and `disks` flagged as having lost it.
fn after_deletion(world: &ImageStore, snapshot: &str, disks: &[String]) -> Value {
    let mut state = serde_json::to_value(world).unwrap();
    let store = state.as_object_mut().unwrap();
    let snapshots = store["snapshots"].as_array_mut().unwrap();
    snapshots.retain(|s| s["id"] != snapshot);
    if snapshots.is_empty() {
        // An empty list is not written.
        store.remove("snapshots");
    }
    if let Some(all) = store.get_mut("disks").and_then(Value::as_array_mut) {
        for disk in all {
            if disks.iter().any(|d| disk["id"] == d.as_str()) {
                disk["sourceSnapshotDeleted"] = true.into();
            }
        }
    }
    state
}

crate::shared_checks!(DeleteSnapshot);

#[test]
fn the_schema_refuses_snapshot_effects_that_contradict_the_result() {
    let expected = "/testGroups/0/tests/0/expected";
    assert!(refused::<DeleteSnapshot>(|f| {
        let e = f.pointer_mut(expected).unwrap();
        assert_eq!(e["result"], "Error");
        e["effects"]["snapshotDeleted"] = true.into();
    }));
    assert!(
        refused::<DeleteSnapshot>(|f| {
            f.pointer_mut(expected).unwrap()["effects"]["disksLosingReinit"] =
                serde_json::json!(["d-1"]);
        }),
        "an error flags no disk"
    );
    assert!(
        refused::<DeleteSnapshot>(|f| {
            f["testGroups"][0]["profile"]["snapshotPrecedence"] =
                serde_json::json!(["Creating", "Creating", "CreatedDisk"]);
        }),
        "a precedence is a permutation"
    );
    assert!(
        refused::<DeleteSnapshot>(|f| {
            f["testGroups"][0]["world"]["store"]["snapshots"][0]["progress"] = 101.into();
        }),
        "progress is a percentage"
    );
}

const BLOCKER_FLAGS: [&str; 3] = ["Creating", "CreatedImage", "CreatedDisk"];

#[test]
fn every_blocker_subset_meets_every_force() {
    let grids: Vec<_> = file::<DeleteSnapshot>()
        .test_groups
        .iter()
        .filter(|g| g.name.starts_with("blockers-"))
        .collect();
    assert_eq!(grids.len(), 3);
    for group in grids {
        let mut seen = BTreeSet::new();
        for test in &group.tests {
            let subset: Vec<&str> = BLOCKER_FLAGS.into_iter().filter(|f| test.has(f)).collect();
            // The flags tell the truth about the world.
            let snapshot = test.param("SnapshotId").unwrap().parse().unwrap();
            let held: Vec<String> = snapshot_blockers(&group.world.store, &snapshot)
                .iter()
                .map(|b| format!("{b:?}"))
                .collect();
            assert_eq!(held, subset, "tcId {}", test.tc_id);
            seen.insert((subset, test.param("Force")));
        }
        assert_eq!(seen.len(), 8 * 3, "group {}", group.name);
    }
}

/// The replay can fail: a vector with a wrong expectation is caught.
#[test]
fn a_wrong_expectation_is_caught() {
    let (group, test) = tests::<DeleteSnapshot>()
        .find(|(_, t)| {
            t.expected.result == Kind::Deleted && !t.expected.effects.disks_losing_reinit.is_empty()
        })
        .unwrap();
    let profile = DeleteSnapshot::profiles(&group.profile)[0];
    assert_eq!(replay::<DeleteSnapshot>(group, test, &profile), Ok(()));
    let mut wrong = test.clone();
    wrong.expected.effects.disks_losing_reinit.pop();
    assert!(
        replay::<DeleteSnapshot>(group, &wrong, &profile)
            .unwrap_err()
            .contains("disks losing re-init")
    );
    wrong.expected = serde_json::from_value(serde_json::json!({
        "result": "Error", "httpStatus": 403, "code": "SnapshotCreatedDisk",
        "message": "The snapshot has been used to create disk(s).",
        "effects": {"snapshotDeleted": false, "disksLosingReinit": []}
    }))
    .unwrap();
    assert!(replay::<DeleteSnapshot>(group, &wrong, &profile).is_err());
}
