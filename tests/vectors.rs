//! The conformance vectors in `vectors/`: the vectors file matches its JSON Schema, its
//! bookkeeping (counts, ids, flags, manifests, coverage) holds, and every vector replays
//! against the library with the expected status, code, message and effects.
//!
//! The generator (`vectors/generator`, whose own test checks that the committed files are what
//! it writes) computes its expected answers from hand-written tables and the worlds it builds,
//! never from the library's decision, so the replay here is a real check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ecs_image_rules::wire::{self, Body};
use ecs_image_rules::{
    AccountId, Blocker, Catalog, ImageStore, MissingImage, Outcome, Precedence, Profile, RequestId,
    World, blockers,
};
use serde::Deserialize;
use serde_json::Value;

// ---- the file, read with its own types (deny_unknown_fields: a second check on the format) --

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
    catalog: Option<Catalog>,
    missing_image: Option<MissingImage>,
    precedence: Option<Precedence>,
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expected {
    result: Kind,
    http_status: u16,
    code: Option<String>,
    message: Option<String>,
    effects: Effects,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Effects {
    image_deleted: bool,
    instances_losing_reinit: Vec<String>,
    snapshots_released: Vec<String>,
}

impl TestVector {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The first value of a parameter, as the library reads it.
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

fn read(name: &str) -> String {
    let path = vectors_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The vectors file; the manifests sit next to it.
const VECTORS_FILE: &str = "delete_image.json";

static RAW: LazyLock<String> = LazyLock::new(|| read(VECTORS_FILE));
static PARSED: LazyLock<Result<VectorFile, String>> =
    LazyLock::new(|| serde_json::from_str(&RAW).map_err(|e| e.to_string()));

/// The parsed vectors file; a parse failure fails every test that reads it, with its cause.
fn file() -> &'static VectorFile {
    match &*PARSED {
        Ok(file) => file,
        Err(e) => panic!("vectors/{VECTORS_FILE} does not load: {e}"),
    }
}

fn tests() -> impl Iterator<Item = (&'static TestGroup, &'static TestVector)> {
    file()
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
}

const SIX: [Blocker; 6] = Blocker::ALL;

fn reversed() -> Precedence {
    let mut order = SIX;
    order.reverse();
    Precedence::new(&order).unwrap()
}

/// Every profile a group admits: its own fields, and both values of each field it leaves out
/// (for the precedence: the default and its reverse).
fn profiles(spec: &ProfileSpec) -> Vec<Profile> {
    let catalogs = spec
        .catalog
        .map_or(vec![Catalog::Doc2024_10, Catalog::Doc2025], |c| vec![c]);
    let missing = spec
        .missing_image
        .map_or(vec![MissingImage::Ignore, MissingImage::NotFound], |m| {
            vec![m]
        });
    let orders = spec
        .precedence
        .map_or(vec![Precedence::default(), reversed()], |p| vec![p]);
    let mut all = Vec::new();
    for &c in &catalogs {
        for &m in &missing {
            for &p in &orders {
                all.push(
                    Profile::default()
                        .with_catalog(c)
                        .with_missing_image(m)
                        .with_precedence(p),
                );
            }
        }
    }
    all
}

// ---- schema --------------------------------------------------------------------------------

fn schema() -> Value {
    serde_json::from_str(&read("schema.json")).expect("the schema parses")
}

fn schema_errors(instance: &Value) -> Vec<String> {
    let validator = jsonschema::draft202012::new(&schema()).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    jsonschema::meta::validate(&schema()).expect("the schema is valid against its meta-schema");
}

#[test]
fn the_vectors_file_matches_the_schema() {
    let file: Value = serde_json::from_str(&RAW).unwrap();
    let errors = schema_errors(&file);
    assert!(
        errors.is_empty(),
        "{} schema errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
}

/// A small valid file built from the real one: its first group with its first test.
fn small_file() -> Value {
    let mut file: Value = serde_json::from_str(&RAW).unwrap();
    let groups = file["testGroups"].as_array_mut().unwrap();
    groups.truncate(1);
    groups[0]["tests"].as_array_mut().unwrap().truncate(1);
    assert!(schema_errors(&file).is_empty());
    file
}

fn refused(change: impl FnOnce(&mut Value)) -> bool {
    let mut file = small_file();
    change(&mut file);
    !schema_errors(&file).is_empty()
}

#[test]
fn the_schema_refuses_what_the_format_forbids() {
    let test = "/testGroups/0/tests/0";
    let at = |file: &mut Value, pointer: &str| -> Value { file.pointer(pointer).unwrap().clone() };
    assert!(refused(|f| {
        f["surprise"] = Value::Bool(true);
    }));
    assert!(refused(|f| {
        f.pointer_mut(test).unwrap()["note"] = "extra".into();
    }));
    assert!(refused(|f| {
        f.pointer_mut(test)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("tcId");
    }));
    assert!(refused(|f| {
        f.pointer_mut(test).unwrap()["params"] = serde_json::json!([["RegionId", "a", "b"]]);
    }));
    assert!(refused(|f| {
        f.pointer_mut(test).unwrap()["flags"] = serde_json::json!(["lowercase"]);
    }));
    assert!(refused(|f| {
        f["testGroups"][0]["profile"]["catalog"] = "2023".into();
    }));
    assert!(refused(|f| {
        f["testGroups"][0]["profile"]["precedence"] =
            serde_json::json!(["InUse", "InUse", "Shared", "Public", "Copying", "Exporting"]);
    }));
    assert!(refused(|f| {
        f["testGroups"][0]["world"]["store"]["images"][0]["colour"] = "blue".into();
    }));
    // The first test of the first group is an error: it must keep its code, and an error
    // changes nothing.
    let expected = format!("{test}/expected");
    assert!(refused(|f| {
        f.pointer_mut(&expected)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("code");
    }));
    assert!(refused(|f| {
        f.pointer_mut(&expected).unwrap()["effects"]["imageDeleted"] = true.into();
    }));
    assert!(refused(|f| {
        let e = f.pointer_mut(&expected).unwrap();
        e["result"] = "Ignored".into();
        e["httpStatus"] = 200.into();
    }));
    assert!(refused(|f| {
        let e = at(f, &expected);
        assert_eq!(e["result"], "Error");
        let e = f.pointer_mut(&expected).unwrap();
        e["result"] = "Deleted".into();
        e["httpStatus"] = 200.into();
        e["effects"]["imageDeleted"] = true.into();
    }));
}

// ---- bookkeeping ---------------------------------------------------------------------------

#[test]
fn counts_ids_and_flags_are_consistent() {
    let file = file();
    assert_eq!(file.schema, "schema.json");
    assert_eq!(file.api, "ECS DeleteImage");
    assert_eq!(file.api_version, "2014-05-26");
    assert!(!file.header.is_empty());
    assert_eq!(file.number_of_tests, tests().count());
    let ids: Vec<usize> = tests().map(|(_, t)| t.tc_id).collect();
    assert_eq!(
        ids,
        (1..=file.number_of_tests).collect::<Vec<_>>(),
        "tcIds run 1..=N in file order"
    );

    let names: BTreeSet<&str> = file.test_groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names.len(),
        file.test_groups.len(),
        "group names are unique"
    );

    let used: BTreeSet<&str> = tests()
        .flat_map(|(_, t)| t.flags.iter().map(String::as_str))
        .collect();
    let noted: BTreeSet<&str> = file.notes.keys().map(String::as_str).collect();
    assert_eq!(used, noted, "every flag has a note and every note is used");
    for (flag, note) in &file.notes {
        assert!(
            ["[D]", "[O]", "[I]"].contains(&note.tag.as_str()),
            "{flag}: {}",
            note.tag
        );
        assert!(
            !note.source.is_empty() && !note.description.is_empty(),
            "{flag}"
        );
    }
    for (group, test) in tests() {
        assert!(!group.comment.is_empty() && !test.comment.is_empty());
        let accounts: Vec<&str> = group.world.accounts.iter().map(|a| a.id.as_str()).collect();
        assert!(
            accounts.contains(&test.caller.as_str()),
            "tcId {}: the caller is an account of the world",
            test.tc_id
        );
        let mut flags = test.flags.clone();
        flags.sort();
        flags.dedup();
        assert_eq!(
            flags, test.flags,
            "tcId {}: flags are sorted and unique",
            test.tc_id
        );
    }
}

#[test]
fn worlds_hold_only_the_regions_they_need() {
    for group in &file().test_groups {
        let store = &group.world.store;
        let needed: BTreeSet<&str> = store
            .images()
            .map(|i| i.region.as_str())
            .chain(store.instances().map(|i| i.region.as_str()))
            .collect();
        let held: BTreeSet<&str> = store.regions().map(|r| r.as_str()).collect();
        assert_eq!(held, needed, "group {}", group.name);
    }
}

#[test]
fn the_file_stays_a_reasonable_size() {
    let len = RAW.len();
    assert!(len < 4 << 20, "delete_image.json is {len} bytes");
}

/// Whether a group's profile admits one setting of one field.
type Admits = fn(&ProfileSpec) -> bool;

#[test]
fn manifests_list_the_tests_each_setting_admits() {
    let admits: [(&str, Admits); 5] = [
        ("manifest-2024-10.txt", |p| {
            p.catalog != Some(Catalog::Doc2025)
        }),
        ("manifest-2025.txt", |p| {
            p.catalog != Some(Catalog::Doc2024_10)
        }),
        ("manifest-missing-image-ignore.txt", |p| {
            p.missing_image != Some(MissingImage::NotFound)
        }),
        ("manifest-missing-image-notfound.txt", |p| {
            p.missing_image != Some(MissingImage::Ignore)
        }),
        ("manifest-default-precedence.txt", |p| {
            p.precedence.is_none_or(|o| o == Precedence::default())
        }),
    ];
    for (name, admits) in admits {
        let listed: Vec<usize> = read(name).lines().map(|l| l.parse().unwrap()).collect();
        let expected: Vec<usize> = tests()
            .filter(|(g, _)| admits(&g.profile))
            .map(|(_, t)| t.tc_id)
            .collect();
        assert_eq!(listed, expected, "{name}");
        assert!(
            !listed.is_empty() && listed.len() < file().number_of_tests,
            "{name} picks some tests"
        );
    }
}

// ---- coverage (issue 4, item 2) ------------------------------------------------------------

const BLOCKER_FLAGS: [&str; 6] = [
    "Importing",
    "Exporting",
    "Copying",
    "Public",
    "Shared",
    "InUse",
];

#[test]
fn every_blocker_subset_meets_every_force_and_dry_run() {
    let grids: Vec<&TestGroup> = file()
        .test_groups
        .iter()
        .filter(|g| g.name.starts_with("blockers-"))
        .collect();
    assert_eq!(grids.len(), 4);
    for group in grids {
        let mut seen = BTreeSet::new();
        for test in &group.tests {
            let subset: Vec<&str> = BLOCKER_FLAGS.into_iter().filter(|f| test.has(f)).collect();
            // The flags tell the truth about the world: the image holds exactly these blockers.
            let image = test.param("ImageId").unwrap();
            let held: Vec<String> = blockers(&group.world.store, &image.parse().unwrap())
                .iter()
                .map(|b| format!("{b:?}"))
                .collect();
            assert_eq!(held, subset, "tcId {}", test.tc_id);
            seen.insert((subset, test.param("Force"), test.param("DryRun")));
        }
        let mut expected = BTreeSet::new();
        for mask in 0..64 {
            let subset: Vec<&str> = (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| BLOCKER_FLAGS[i])
                .collect();
            for force in [None, Some("false"), Some("true")] {
                for dry_run in [None, Some("true")] {
                    expected.insert((subset.clone(), force, dry_run));
                }
            }
        }
        assert_eq!(seen, expected, "group {}", group.name);
        assert_eq!(group.tests.len(), 64 * 3 * 2);
    }
}

#[test]
fn profiles_catalogs_and_precedences_are_all_covered() {
    let specs: Vec<&ProfileSpec> = file().test_groups.iter().map(|g| &g.profile).collect();
    for catalog in [Catalog::Doc2024_10, Catalog::Doc2025] {
        assert!(
            specs.iter().any(|p| p.catalog == Some(catalog)),
            "{catalog:?}"
        );
    }
    for missing in [MissingImage::Ignore, MissingImage::NotFound] {
        assert!(
            specs.iter().any(|p| p.missing_image == Some(missing)),
            "{missing:?}"
        );
    }
    let custom: BTreeSet<Vec<Blocker>> = specs
        .iter()
        .filter_map(|p| p.precedence)
        .filter(|p| *p != Precedence::default())
        .map(|p| p.order().to_vec())
        .collect();
    assert!(
        custom.len() >= 2,
        "at least two non-default precedences: {custom:?}"
    );
}

#[test]
fn every_visibility_class_meets_both_missing_image_policies() {
    for policy in ["MissingImageIgnore", "MissingImageNotFound"] {
        for class in [
            "Own",
            "VisibleNotOwn",
            "Absent",
            "SystemImage",
            "MarketplaceImage",
            "SharedWithCaller",
            "CommunityImage",
            "OtherAccountPrivate",
            "NeverExisted",
            "AlreadyDeleted",
            "OtherRegion",
        ] {
            assert!(
                tests().any(|(_, t)| t.has(policy) && t.has(class)),
                "{class} under {policy}"
            );
        }
    }
}

#[test]
fn every_parameter_error_is_covered() {
    let answers: BTreeSet<(u16, &str, &str)> = tests()
        .filter(|(_, t)| t.expected.result == Kind::Error)
        .map(|(_, t)| {
            let e = &t.expected;
            (
                e.http_status,
                e.code.as_deref().unwrap(),
                e.message.as_deref().unwrap(),
            )
        })
        .collect();
    for wanted in [
        (
            400,
            "MissingRegionId",
            "RegionId is mandatory for this action.",
        ),
        (
            400,
            "MissingImageId",
            "ImageId is mandatory for this action.",
        ),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"Force\" is not valid.",
        ),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"DryRun\" is not valid.",
        ),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"RegionId\" is not valid.",
        ),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"ImageId\" is not valid.",
        ),
        (
            404,
            "InvalidRegionId.NotFound",
            "The specified RegionId does not exist.",
        ),
        (
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist.",
        ),
        (
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        ),
        (403, "OperationDenied.ImageCopying", "The Image is coping."),
    ] {
        assert!(answers.contains(&wanted), "{wanted:?}");
    }
    for flag in [
        "OddBooleanSpelling",
        "UnknownParameter",
        "EmptyValue",
        "RepeatedParameter",
        "ParameterOrder",
    ] {
        assert!(tests().any(|(_, t)| t.has(flag)), "{flag}");
    }
    for result in [Kind::Deleted, Kind::Ignored, Kind::Error] {
        assert!(
            tests().any(|(_, t)| t.expected.result == result),
            "{result:?}"
        );
    }
}

// ---- replay ------------------------------------------------------------------------------

/// Replays one test under one profile; `Err` describes the disagreement.
fn replay(group: &TestGroup, test: &TestVector, profile: &Profile) -> Result<(), String> {
    let world = &group.world.store;
    let mut store = world.clone();
    let caller = AccountId::new(&test.caller).map_err(|e| e.to_string())?;
    let request_id = RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").unwrap();
    let params = test.params.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let (response, outcome) = wire::delete_image(&mut store, &caller, params, profile, request_id);
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
        (Body::Success(_), Kind::Ignored, Some(Outcome::Ignored)) => {
            if store != *world {
                faults.push("an ignored request changed the store".to_owned());
            }
        }
        (Body::Success(_), Kind::Deleted, Some(Outcome::Deleted(deletion))) => {
            let image = test.param("ImageId").unwrap_or_default();
            if deletion.image.id.as_str() != image {
                faults.push(format!("deleted {} (expected {image})", deletion.image.id));
            }
            let mut instances: Vec<&str> = deletion
                .instances_losing_reinit
                .iter()
                .map(|i| i.as_str())
                .collect();
            instances.sort();
            if instances != expected.effects.instances_losing_reinit {
                faults.push(format!(
                    "instances losing re-init {instances:?} (expected {:?})",
                    expected.effects.instances_losing_reinit
                ));
            }
            let mut snapshots: Vec<&str> = deletion
                .released_snapshots
                .iter()
                .map(|s| s.as_str())
                .collect();
            snapshots.sort();
            if snapshots != expected.effects.snapshots_released {
                faults.push(format!(
                    "snapshots released {snapshots:?} (expected {:?})",
                    expected.effects.snapshots_released
                ));
            }
            if store.to_state()
                != after_deletion(world, image, &expected.effects.instances_losing_reinit)
            {
                faults.push("the store after the deletion is not the world minus the image with those instances flagged".to_owned());
            }
        }
        (body, result, outcome) => faults.push(format!(
            "answered {body:?} / {outcome:?} (expected {result:?})"
        )),
    }
    if expected.effects.image_deleted != (expected.result == Kind::Deleted) {
        faults.push("effects.imageDeleted disagrees with the result".to_owned());
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

/// The world's snapshot with `image` gone and `instances` flagged as having lost it.
fn after_deletion(
    world: &ImageStore,
    image: &str,
    instances: &[String],
) -> ecs_image_rules::StoreState {
    let mut snapshot = world.to_state();
    snapshot.images.retain(|i| i.id.as_str() != image);
    for instance in &mut snapshot.instances {
        if instances.iter().any(|i| i == instance.id.as_str()) {
            instance.image_deleted = true;
        }
    }
    snapshot
}

#[test]
fn every_vector_replays_against_the_library() {
    let mut runs = 0;
    let mut faults = Vec::new();
    for group in &file().test_groups {
        for profile in profiles(&group.profile) {
            for test in &group.tests {
                runs += 1;
                if let Err(fault) = replay(group, test, &profile) {
                    faults.push(fault);
                }
            }
        }
    }
    assert!(runs >= file().number_of_tests);
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
            t.expected.result == Kind::Deleted
                && !t.expected.effects.instances_losing_reinit.is_empty()
        })
        .unwrap();
    let profile = profiles(&group.profile)[0];
    assert_eq!(replay(group, test, &profile), Ok(()));

    let mut wrong: TestVector = serde_json::from_value(serde_json::json!({
        "tcId": test.tc_id, "comment": "mutated", "flags": [], "caller": test.caller,
        "params": test.params,
        "expected": {"result": "Deleted", "httpStatus": 200,
                     "effects": {"imageDeleted": true, "instancesLosingReinit": [],
                                 "snapshotsReleased": test.expected.effects.snapshots_released}}
    }))
    .unwrap();
    assert!(
        replay(group, &wrong, &profile)
            .unwrap_err()
            .contains("instances losing re-init")
    );

    wrong.expected = serde_json::from_value(serde_json::json!({
        "result": "Error", "httpStatus": 403, "code": "ImageUsingByInstance",
        "message": "The specified image has been used to create instances.",
        "effects": {"imageDeleted": false, "instancesLosingReinit": [], "snapshotsReleased": []}
    }))
    .unwrap();
    assert!(replay(group, &wrong, &profile).is_err());
}
