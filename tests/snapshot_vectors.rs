//! The DeleteSnapshot conformance vectors (`vectors/delete_snapshot.json`): the file matches the
//! JSON Schema it shares with the DeleteImage vectors, its bookkeeping (counts, ids, flags,
//! manifests, coverage) holds, and every vector replays against the library with the expected
//! status, code, message and effects.
//!
//! The generator computes its expected answers from hand-written tables and the worlds it
//! builds, never from the library's decision, so the replay here is a real check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use ecs_image_rules::wire::{self, Body};
use ecs_image_rules::{
    AccountId, ImageStore, MissingSnapshot, Profile, ProgressingSnapshot, RequestId,
    SnapshotBlocker, SnapshotOutcome, SnapshotPrecedence, World, snapshot_blockers,
};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VectorFile {
    schema: String,
    api: String,
    api_version: String,
    number_of_tests: usize,
    header: Vec<String>,
    notes: BTreeMap<String, Note>,
    test_groups: Vec<TestGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    tag: String,
    source: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    name: String,
    comment: String,
    profile: ProfileSpec,
    world: World,
    tests: Vec<TestVector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileSpec {
    missing_snapshot: Option<MissingSnapshot>,
    progressing_snapshot: Option<ProgressingSnapshot>,
    snapshot_precedence: Option<SnapshotPrecedence>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TestVector {
    tc_id: usize,
    comment: String,
    flags: Vec<String>,
    caller: String,
    params: Vec<(String, String)>,
    expected: Expected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Kind {
    Deleted,
    Ignored,
    Error,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expected {
    result: Kind,
    http_status: u16,
    code: Option<String>,
    message: Option<String>,
    effects: Effects,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Effects {
    snapshot_deleted: bool,
    disks_losing_reinit: Vec<String>,
}

impl TestVector {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

static RAW: LazyLock<String> = LazyLock::new(|| read("delete_snapshot.json"));
static FILE: LazyLock<VectorFile> = LazyLock::new(|| {
    serde_json::from_str(&RAW).unwrap_or_else(|e| panic!("delete_snapshot.json: {e}"))
});

fn tests() -> impl Iterator<Item = (&'static TestGroup, &'static TestVector)> {
    FILE.test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
}

fn reversed() -> SnapshotPrecedence {
    let mut order = SnapshotBlocker::ALL;
    order.reverse();
    SnapshotPrecedence::new(&order).unwrap()
}

/// Every profile a group admits: its own fields, and both values of each field it leaves out
/// (for the precedence: the default and its reverse).
fn profiles(spec: &ProfileSpec) -> Vec<Profile> {
    let missing = spec.missing_snapshot.map_or(
        vec![MissingSnapshot::Ignore, MissingSnapshot::NotFound],
        |m| vec![m],
    );
    let progressing = spec.progressing_snapshot.map_or(
        vec![ProgressingSnapshot::Cancel, ProgressingSnapshot::Refuse],
        |p| vec![p],
    );
    let orders = spec
        .snapshot_precedence
        .map_or(vec![SnapshotPrecedence::default(), reversed()], |p| vec![p]);
    let mut all = Vec::new();
    for &m in &missing {
        for &p in &progressing {
            for &o in &orders {
                all.push(
                    Profile::default()
                        .with_missing_snapshot(m)
                        .with_progressing_snapshot(p)
                        .with_snapshot_precedence(o),
                );
            }
        }
    }
    all
}

// ---- schema and bookkeeping ----------------------------------------------------------------

fn schema_errors(instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(&read("schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_vectors_file_matches_the_schema() {
    let file: Value = serde_json::from_str(&RAW).unwrap();
    let errors = schema_errors(&file);
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(10)]);
}

#[test]
fn the_schema_refuses_snapshot_effects_that_contradict_the_result() {
    let mut file: Value = serde_json::from_str(&RAW).unwrap();
    let groups = file["testGroups"].as_array_mut().unwrap();
    groups.truncate(1);
    groups[0]["tests"].as_array_mut().unwrap().truncate(1);
    assert!(schema_errors(&file).is_empty());
    let expected = "/testGroups/0/tests/0/expected";
    assert_eq!(file.pointer(expected).unwrap()["result"], "Error");
    let mut changed = file.clone();
    changed.pointer_mut(expected).unwrap()["effects"]["snapshotDeleted"] = true.into();
    assert!(
        !schema_errors(&changed).is_empty(),
        "an error deletes nothing"
    );
    let mut changed = file.clone();
    changed.pointer_mut(expected).unwrap()["effects"]["disksLosingReinit"] =
        serde_json::json!(["d-1"]);
    assert!(
        !schema_errors(&changed).is_empty(),
        "an error flags no disk"
    );
    let mut changed = file.clone();
    changed["testGroups"][0]["profile"]["snapshotPrecedence"] =
        serde_json::json!(["Creating", "Creating", "CreatedDisk"]);
    assert!(
        !schema_errors(&changed).is_empty(),
        "a precedence is a permutation"
    );
    let mut changed = file;
    changed["testGroups"][0]["world"]["store"]["snapshots"][0]["progress"] = 101.into();
    assert!(
        !schema_errors(&changed).is_empty(),
        "progress is a percentage"
    );
}

#[test]
fn counts_ids_and_flags_are_consistent() {
    let file = &*FILE;
    assert_eq!(file.schema, "schema.json");
    assert_eq!(file.api, "ECS DeleteSnapshot");
    assert_eq!(file.api_version, "2014-05-26");
    assert!(!file.header.is_empty());
    assert_eq!(file.number_of_tests, tests().count());
    let ids: Vec<usize> = tests().map(|(_, t)| t.tc_id).collect();
    assert_eq!(ids, (1..=file.number_of_tests).collect::<Vec<_>>());
    let used: BTreeSet<&str> = tests()
        .flat_map(|(_, t)| t.flags.iter().map(String::as_str))
        .collect();
    let noted: BTreeSet<&str> = file.notes.keys().map(String::as_str).collect();
    assert_eq!(used, noted, "every flag has a note and every note is used");
    for (flag, note) in &file.notes {
        assert!(["[D]", "[O]", "[I]"].contains(&note.tag.as_str()), "{flag}");
        assert!(!note.source.is_empty() && !note.description.is_empty());
    }
    for (group, test) in tests() {
        assert!(!group.comment.is_empty() && !test.comment.is_empty());
        assert!(
            group
                .world
                .accounts
                .iter()
                .any(|a| a.id.as_str() == test.caller),
            "tcId {}",
            test.tc_id
        );
    }
}

type Admits = fn(&ProfileSpec) -> bool;

#[test]
fn manifests_list_the_tests_each_setting_admits() {
    let admits: [(&str, Admits); 5] = [
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
    ];
    for (name, admits) in admits {
        let listed: Vec<usize> = read(name).lines().map(|l| l.parse().unwrap()).collect();
        let expected: Vec<usize> = tests()
            .filter(|(g, _)| admits(&g.profile))
            .map(|(_, t)| t.tc_id)
            .collect();
        assert_eq!(listed, expected, "{name}");
        assert!(!listed.is_empty() && listed.len() < FILE.number_of_tests);
    }
}

const BLOCKER_FLAGS: [&str; 3] = ["Creating", "CreatedImage", "CreatedDisk"];

#[test]
fn every_blocker_subset_meets_every_force() {
    let grids: Vec<&TestGroup> = FILE
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

// ---- replay ------------------------------------------------------------------------------

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

fn replay(group: &TestGroup, test: &TestVector, profile: &Profile) -> Result<(), String> {
    let world = &group.world.store;
    let mut store = world.clone();
    let caller = AccountId::new(&test.caller).map_err(|e| e.to_string())?;
    let request_id = RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").unwrap();
    let params = test.params.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let (response, outcome) =
        wire::delete_snapshot(&mut store, &caller, params, profile, request_id);
    let expected = &test.expected;
    let mut faults = Vec::new();
    if response.http_status != expected.http_status {
        faults.push(format!(
            "HTTP {} (expected {})",
            response.http_status, expected.http_status
        ));
    }
    match (&response.body, expected.result, outcome) {
        (Body::Error(body), Kind::Error, None) => {
            let want = (expected.code.as_deref(), expected.message.as_deref());
            if (Some(body.code.as_str()), Some(body.message.as_str())) != want {
                faults.push(format!(
                    "{} {:?} (expected {want:?})",
                    body.code, body.message
                ));
            }
            if store != *world {
                faults.push("a refused request changed the store".to_owned());
            }
        }
        (Body::Success(_), Kind::Ignored, Some(SnapshotOutcome::Ignored)) => {
            if store != *world {
                faults.push("an ignored request changed the store".to_owned());
            }
        }
        (Body::Success(_), Kind::Deleted, Some(SnapshotOutcome::Deleted(deletion))) => {
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
            if disks != expected.effects.disks_losing_reinit {
                faults.push(format!(
                    "disks losing re-init {disks:?} (expected {:?})",
                    expected.effects.disks_losing_reinit
                ));
            }
            for disk in &expected.effects.disks_losing_reinit {
                if store.can_reinitialize_disk(disk) != Some(false) {
                    faults.push(format!("disk {disk} can still re-initialize"));
                }
            }
            let after = serde_json::to_value(&store).unwrap();
            if after != after_deletion(world, snapshot, &expected.effects.disks_losing_reinit) {
                faults.push("the store after the deletion is not the world minus the snapshot with those disks flagged".to_owned());
            }
        }
        (body, result, outcome) => faults.push(format!(
            "answered {body:?} / {outcome:?} (expected {result:?})"
        )),
    }
    if expected.effects.snapshot_deleted != (expected.result == Kind::Deleted) {
        faults.push("effects.snapshotDeleted disagrees with the result".to_owned());
    }
    if faults.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tcId {} ({}; {profile:?}): {}",
            test.tc_id,
            test.comment,
            faults.join("; ")
        ))
    }
}

#[test]
fn every_vector_replays_against_the_library() {
    let mut runs = 0;
    let mut faults = Vec::new();
    for group in &FILE.test_groups {
        for profile in profiles(&group.profile) {
            for test in &group.tests {
                runs += 1;
                if let Err(fault) = replay(group, test, &profile) {
                    faults.push(fault);
                }
            }
        }
    }
    assert!(runs > FILE.number_of_tests);
    assert!(
        faults.is_empty(),
        "{} of {runs} replays disagree; the first:\n{}",
        faults.len(),
        faults[..faults.len().min(20)].join("\n")
    );
}

/// The replay can fail: a vector with a wrong expectation is caught.
#[test]
fn a_wrong_expectation_is_caught() {
    let (group, test) = tests()
        .find(|(_, t)| {
            t.expected.result == Kind::Deleted && !t.expected.effects.disks_losing_reinit.is_empty()
        })
        .unwrap();
    let profile = profiles(&group.profile)[0];
    assert_eq!(replay(group, test, &profile), Ok(()));
    let mut wrong = test.clone();
    wrong.expected.effects.disks_losing_reinit.pop();
    assert!(
        replay(group, &wrong, &profile)
            .unwrap_err()
            .contains("disks losing re-init")
    );
    wrong.expected = serde_json::from_value(serde_json::json!({
        "result": "Error", "httpStatus": 403, "code": "SnapshotCreatedDisk",
        "message": "The snapshot has been used to create disk(s).",
        "effects": {"snapshotDeleted": false, "disksLosingReinit": []}
    }))
    .unwrap();
    assert!(replay(group, &wrong, &profile).is_err());
}
