//! The conformance vectors in `vectors/`, one harness for every vectors file: the file matches
//! the JSON Schema they share, its bookkeeping (counts, ids, flags, manifests) holds, and every
//! vector replays against the library, under every profile its group admits, with the expected
//! status, code, message and effects. What differs between the files (the action, its profile
//! fields and effects, what a deletion must have done, the coverage each file promises) is an
//! [`Api`], in `delete_image` and `delete_snapshot` below.
//!
//! The generator (`vectors/generator`, whose own test checks that the committed files are what
//! it writes) computes its expected answers from hand-written tables and the worlds it builds,
//! never from the library's decisions, so the replay here is a real check.

// The crate root of a test target resolves modules beside it, where Cargo would take them for
// test targets of their own: the API modules live in tests/vectors/.
#[path = "vectors/delete_image.rs"]
mod delete_image;
#[path = "vectors/delete_snapshot.rs"]
mod delete_snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::Path;

use ecs_image_rules::wire::{Body, Response};
use ecs_image_rules::{AccountId, ImageStore, Profile, RequestId, World};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

// ---- the file, read with its own types (deny_unknown_fields: a second check on the format) --

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VectorFile<P, E> {
    schema: String,
    api: String,
    api_version: String,
    number_of_tests: usize,
    header: Vec<String>,
    notes: BTreeMap<String, Note>,
    test_groups: Vec<TestGroup<P, E>>,
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
struct TestGroup<P, E> {
    name: String,
    comment: String,
    profile: P,
    world: World,
    tests: Vec<TestVector<E>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TestVector<E> {
    tc_id: usize,
    comment: String,
    flags: Vec<String>,
    caller: String,
    params: Vec<(String, String)>,
    expected: Expected<E>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Kind {
    Deleted,
    Ignored,
    Error,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expected<E> {
    result: Kind,
    http_status: u16,
    code: Option<String>,
    message: Option<String>,
    effects: E,
}

impl<E> TestVector<E> {
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

// ---- what differs between the files --------------------------------------------------------

/// How a request ended when it succeeded.
#[derive(Debug)]
enum Done<D> {
    Deleted(D),
    Ignored,
}

type Group<A> = TestGroup<<A as Api>::ProfileSpec, <A as Api>::Effects>;
type Test<A> = TestVector<<A as Api>::Effects>;
/// Whether a group's profile admits one setting of one field.
type Admits<A> = fn(&<A as Api>::ProfileSpec) -> bool;

/// One vectors file: its action and what the harness needs to know about it.
trait Api: Sized + 'static {
    /// The vectors file in `vectors/`.
    const FILE: &'static str;
    /// The file's `api`.
    const API: &'static str;
    /// The profile fields a group may set.
    type ProfileSpec: DeserializeOwned + Debug + Sync;
    /// What a test expects a success to have done.
    type Effects: DeserializeOwned + Debug + Clone + Sync;
    /// What the library says a deletion did.
    type Deletion: Debug;

    /// The loaded file.
    fn vectors() -> &'static Vectors<Self>;
    /// Every profile a group admits: its own fields, and both values of each field it leaves
    /// out (for a precedence: the default and its reverse).
    fn profiles(spec: &Self::ProfileSpec) -> Vec<Profile>;
    /// The manifests, each with the groups it admits (written here, not read from the
    /// generator).
    fn manifests() -> Vec<(&'static str, Admits<Self>)>;
    /// Sends the action to the library.
    fn send(
        store: &mut ImageStore,
        caller: &AccountId,
        params: &[(&str, &str)],
        profile: &Profile,
        request_id: RequestId,
    ) -> (Response, Option<Done<Self::Deletion>>);
    /// The effects say something was deleted.
    fn deleted(effects: &Self::Effects) -> bool;
    /// What is wrong with a deletion: `world` before, `store` after.
    fn deletion_faults(
        world: &ImageStore,
        store: &ImageStore,
        test: &Test<Self>,
        deletion: Self::Deletion,
    ) -> Vec<String>;
}

/// A vectors file as read and as parsed; a parse failure fails every test that reads it, with
/// its cause.
struct Vectors<A: Api> {
    raw: String,
    parsed: Result<VectorFile<A::ProfileSpec, A::Effects>, String>,
}

impl<A: Api> Vectors<A> {
    fn load() -> Self {
        let raw = read(A::FILE);
        let parsed = serde_json::from_str(&raw).map_err(|e| e.to_string());
        Self { raw, parsed }
    }

    fn file(&self) -> &VectorFile<A::ProfileSpec, A::Effects> {
        match &self.parsed {
            Ok(file) => file,
            Err(e) => panic!("vectors/{} does not load: {e}", A::FILE),
        }
    }
}

fn file<A: Api>() -> &'static VectorFile<A::ProfileSpec, A::Effects> {
    A::vectors().file()
}

fn tests<A: Api>() -> impl Iterator<Item = (&'static Group<A>, &'static Test<A>)> {
    file::<A>()
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
}

/// One profile field's settings for a group: the group's own value, or both values when the
/// group leaves the field out (its answers must not depend on it).
type Settings = Vec<Box<dyn Fn(Profile) -> Profile>>;

fn settings<T: Copy + 'static>(
    given: Option<T>,
    both: [T; 2],
    set: fn(Profile, T) -> Profile,
) -> Settings {
    let values = given.map_or(both.to_vec(), |v| vec![v]);
    values
        .into_iter()
        .map(|v| Box::new(move |p| set(p, v)) as Box<dyn Fn(Profile) -> Profile>)
        .collect()
}

/// Every combination of the fields' settings, the first field varying slowest.
fn every_combination(fields: Vec<Settings>) -> Vec<Profile> {
    fields
        .into_iter()
        .fold(vec![Profile::default()], |profiles, settings| {
            profiles
                .into_iter()
                .flat_map(|p| settings.iter().map(move |set| set(p)).collect::<Vec<_>>())
                .collect()
        })
}

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The checks every vectors file gets, as tests of the module that names its [`Api`].
macro_rules! shared_checks {
    ($api:ty) => {
        #[test]
        fn the_file_matches_the_schema() {
            crate::the_file_matches_the_schema::<$api>();
        }

        #[test]
        fn counts_ids_and_flags_are_consistent() {
            crate::counts_ids_and_flags_are_consistent::<$api>();
        }

        #[test]
        fn manifests_list_the_tests_each_setting_admits() {
            crate::manifests_list_the_tests_each_setting_admits::<$api>();
        }

        #[test]
        fn every_vector_replays_against_the_library() {
            crate::every_vector_replays_against_the_library::<$api>();
        }
    };
}
use shared_checks;

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

fn the_file_matches_the_schema<A: Api>() {
    let file: Value = serde_json::from_str(&A::vectors().raw).unwrap();
    let errors = schema_errors(&file);
    assert!(
        errors.is_empty(),
        "{}: {} schema errors, first: {:?}",
        A::FILE,
        errors.len(),
        &errors[..errors.len().min(10)]
    );
}

/// A small valid file built from the real one: its first group with its first test.
fn small_file<A: Api>() -> Value {
    let mut file: Value = serde_json::from_str(&A::vectors().raw).unwrap();
    let groups = file["testGroups"].as_array_mut().unwrap();
    groups.truncate(1);
    groups[0]["tests"].as_array_mut().unwrap().truncate(1);
    assert!(schema_errors(&file).is_empty());
    file
}

/// Whether the schema refuses the small file once `change` is made to it.
fn refused<A: Api>(change: impl FnOnce(&mut Value)) -> bool {
    let mut file = small_file::<A>();
    change(&mut file);
    !schema_errors(&file).is_empty()
}

// ---- bookkeeping ---------------------------------------------------------------------------

fn counts_ids_and_flags_are_consistent<A: Api>() {
    let file = file::<A>();
    assert_eq!(file.schema, "schema.json");
    assert_eq!(file.api, A::API);
    assert_eq!(file.api_version, "2014-05-26");
    assert!(!file.header.is_empty());
    assert_eq!(file.number_of_tests, tests::<A>().count());
    let ids: Vec<usize> = tests::<A>().map(|(_, t)| t.tc_id).collect();
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

    let used: BTreeSet<&str> = tests::<A>()
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
    for (group, test) in tests::<A>() {
        assert!(!group.comment.is_empty() && !test.comment.is_empty());
        assert!(
            group
                .world
                .accounts
                .iter()
                .any(|a| a.id.as_str() == test.caller),
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

fn manifests_list_the_tests_each_setting_admits<A: Api>() {
    for (name, admits) in A::manifests() {
        let listed: Vec<usize> = read(name).lines().map(|l| l.parse().unwrap()).collect();
        let expected: Vec<usize> = tests::<A>()
            .filter(|(g, _)| admits(&g.profile))
            .map(|(_, t)| t.tc_id)
            .collect();
        assert_eq!(listed, expected, "{name}");
        assert!(
            !listed.is_empty() && listed.len() < file::<A>().number_of_tests,
            "{name} picks some tests"
        );
    }
}

// ---- replay ------------------------------------------------------------------------------

/// Replays one test under one profile; `Err` describes the disagreement.
fn replay<A: Api>(group: &Group<A>, test: &Test<A>, profile: &Profile) -> Result<(), String> {
    let world = &group.world.store;
    let mut store = world.clone();
    let caller = AccountId::new(&test.caller).map_err(|e| e.to_string())?;
    let request_id = RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").unwrap();
    let params: Vec<(&str, &str)> = test
        .params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (response, done) = A::send(&mut store, &caller, &params, profile, request_id);
    let expected = &test.expected;
    let mut faults = Vec::new();
    if response.http_status != expected.http_status {
        faults.push(format!(
            "HTTP {} (expected {})",
            response.http_status, expected.http_status
        ));
    }
    match (&response.body, expected.result, done) {
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
        (Body::Success(_), Kind::Ignored, Some(Done::Ignored)) => {
            if store != *world {
                faults.push("an ignored request changed the store".to_owned());
            }
        }
        (Body::Success(_), Kind::Deleted, Some(Done::Deleted(deletion))) => {
            faults.extend(A::deletion_faults(world, &store, test, deletion));
        }
        (body, result, done) => faults.push(format!(
            "answered {body:?} / {done:?} (expected {result:?})"
        )),
    }
    if A::deleted(&expected.effects) != (expected.result == Kind::Deleted) {
        faults.push("the effects' deletion flag disagrees with the result".to_owned());
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

fn every_vector_replays_against_the_library<A: Api>() {
    let mut runs = 0;
    let mut faults = Vec::new();
    for group in &file::<A>().test_groups {
        for profile in A::profiles(&group.profile) {
            for test in &group.tests {
                runs += 1;
                if let Err(fault) = replay::<A>(group, test, &profile) {
                    faults.push(fault);
                }
            }
        }
    }
    assert!(
        runs > file::<A>().number_of_tests,
        "groups admit several profiles"
    );
    assert!(
        faults.is_empty(),
        "{}: {} of {runs} replays disagree; the first:\n{}",
        A::FILE,
        faults.len(),
        faults[..faults.len().min(20)].join("\n")
    );
}
