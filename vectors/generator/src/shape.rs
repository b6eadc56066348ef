//! The shape every vectors file shares (`schema.json`): header, notes, groups of tests with
//! their world and profile, and the per-value manifests. Each API's module brings its own
//! profile fields (`P`), effects (`F`), tables and worlds; this module numbers the tests and
//! writes the files.

use std::collections::{BTreeMap, BTreeSet};

use ecs_image_rules::{AccessKey, Account, AccountId, World};
use serde::Serialize;

use crate::{Result, table};

/// What names one API's vectors: its action, its file and manifests, its notes.
pub(crate) struct Api {
    /// The action, as in "ECS DeleteImage".
    pub action: &'static str,
    /// The vectors file in `vectors/`.
    pub file: &'static str,
    /// The manifests' file names, as a glob for the header.
    pub manifests_glob: &'static str,
    /// `flag | tag | source | description`, one flag a line.
    pub notes: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VectorFile<P, F> {
    schema: &'static str,
    api: String,
    api_version: &'static str,
    number_of_tests: usize,
    header: Vec<String>,
    notes: BTreeMap<&'static str, Note>,
    test_groups: Vec<TestGroup<P, F>>,
}

#[derive(Serialize)]
struct Note {
    tag: &'static str,
    source: &'static str,
    description: &'static str,
}

/// A group of tests that start from one world under one profile.
#[derive(Serialize)]
pub(crate) struct TestGroup<P, F> {
    pub name: &'static str,
    pub comment: String,
    /// The profile fields the group's answers depend on; a field left out changes none.
    pub profile: P,
    pub world: World,
    pub tests: Vec<TestVector<F>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TestVector<F> {
    tc_id: usize,
    comment: String,
    flags: BTreeSet<&'static str>,
    caller: &'static str,
    params: Vec<(String, String)>,
    expected: Expected<F>,
}

/// An expected answer as the file states it: the kind of result, the HTTP status, the code
/// and message of an error, and the effects (`F::default()`: nothing changed).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Expected<F> {
    result: &'static str,
    http_status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    effects: F,
}

impl<F: Default> Expected<F> {
    pub fn deleted(effects: F) -> Self {
        Self {
            result: "Deleted",
            http_status: 200,
            code: None,
            message: None,
            effects,
        }
    }

    pub fn ignored() -> Self {
        Self {
            result: "Ignored",
            http_status: 200,
            code: None,
            message: None,
            effects: F::default(),
        }
    }

    pub fn error(status: u16, code: &'static str, message: String) -> Self {
        Self {
            result: "Error",
            http_status: status,
            code: Some(code),
            message: Some(message),
            effects: F::default(),
        }
    }
}

/// A per-value manifest: the file, and which groups' profiles hold under its value.
pub(crate) struct Manifest<P> {
    pub file: &'static str,
    pub admits: fn(&P) -> bool,
}

/// A test before it gets its tcId.
pub(crate) fn test<F>(
    comment: String,
    flags: &[&'static str],
    caller: &'static str,
    params: Vec<(String, String)>,
    expected: impl Into<Expected<F>>,
) -> TestVector<F> {
    TestVector {
        tc_id: 0,
        comment,
        flags: flags.iter().copied().collect(),
        caller,
        params,
        expected: expected.into(),
    }
}

/// The accounts of a world: one access key each, named after the account.
pub(crate) fn accounts(names: &[&str]) -> Result<Vec<Account>> {
    names
        .iter()
        .map(|name| {
            Ok(Account {
                id: AccountId::new(name)?,
                access_keys: vec![AccessKey {
                    id: format!("AKID-{name}"),
                    secret: Some(format!("vectors-only-secret-{name}")),
                }],
            })
        })
        .collect()
}

/// The API's files: the vectors, with every test numbered 1 to N in file order, then one
/// manifest per entry of `manifests`.
pub(crate) fn files<P: Serialize, F: Serialize>(
    api: &Api,
    mut groups: Vec<TestGroup<P, F>>,
    manifests: &[Manifest<P>],
) -> Result<Vec<(String, String)>> {
    for (test, id) in groups.iter_mut().flat_map(|g| &mut g.tests).zip(1..) {
        test.tc_id = id;
    }
    let mut files = Vec::new();
    for manifest in manifests {
        let ids: String = groups
            .iter()
            .filter(|g| (manifest.admits)(&g.profile))
            .flat_map(|g| &g.tests)
            .map(|t| format!("{}\n", t.tc_id))
            .collect();
        files.push((manifest.file.to_owned(), ids));
    }
    let file = VectorFile {
        schema: "schema.json",
        api: format!("ECS {}", api.action),
        api_version: "2014-05-26",
        number_of_tests: groups.iter().map(|g| g.tests.len()).sum(),
        header: header(api),
        notes: table(api.notes)
            .map(|cells| match cells[..] {
                [flag, tag, source, description] => Ok((
                    flag,
                    Note {
                        tag,
                        source,
                        description,
                    },
                )),
                _ => Err(format!(
                    "a note is not flag | tag | source | description: {cells:?}"
                )),
            })
            .collect::<std::result::Result<_, _>>()?,
        test_groups: groups,
    };
    let mut json = serde_json::to_string_pretty(&file)?;
    json.push('\n');
    files.insert(0, (api.file.to_owned(), json));
    Ok(files)
}

fn header(api: &Api) -> Vec<String> {
    vec![
        format!(
            "Conformance vectors for Alibaba Cloud ECS {} (API version 2014-05-26), generated by vectors/generator in the ecs-image-rules repository: cargo run -p ecs-image-vectors. Do not edit by hand.",
            api.action
        ),
        "Each test is independent: it starts from its group's world, never from the state another test left behind.".to_owned(),
        "Replay: load the group's world, apply the group's profile, send the test's params (raw strings, in order) as the test's caller, and compare the HTTP status with Code and Message, or the kind of success (Deleted or Ignored) and its effects. A refused request changes nothing.".to_owned(),
        format!(
            "A profile field that a group leaves out changes none of that group's answers. The {} files list the tcIds that hold under one setting of one profile field; intersect them to pick what you implement.",
            api.manifests_glob
        ),
        "Every flag is explained in notes, with its tag: [D] documented by Alibaba Cloud, [O] observed from a real client, [I] a decision of this project.".to_owned(),
    ]
}
