//! `vectors/delete_image.json`: DeleteImage's profile fields and effects, what a deletion must
//! have done, and the coverage the file promises (every blocker subset, every visibility class,
//! every parameter error).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use ecs_image_rules::wire::{self, Response};
use ecs_image_rules::{
    AccountId, Blocker, Catalog, Deletion, ImageStore, MissingImage, Outcome, Precedence, Profile,
    RequestId, StoreState, blockers,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    Admits, Api, Done, Kind, Test, TestVector, Vectors, every_combination, file, refused, replay,
    settings, tests,
};

struct DeleteImage;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileSpec {
    catalog: Option<Catalog>,
    missing_image: Option<MissingImage>,
    precedence: Option<Precedence>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Effects {
    image_deleted: bool,
    instances_losing_reinit: Vec<String>,
    snapshots_released: Vec<String>,
}

static VECTORS: LazyLock<Vectors<DeleteImage>> = LazyLock::new(Vectors::load);

fn reversed() -> Precedence {
    let mut order = Blocker::ALL;
    order.reverse();
    Precedence::new(&order).unwrap()
}

impl Api for DeleteImage {
    const FILE: &'static str = "delete_image.json";
    const API: &'static str = "ECS DeleteImage";
    type ProfileSpec = ProfileSpec;
    type Effects = Effects;
    type Deletion = Deletion;

    fn vectors() -> &'static Vectors<Self> {
        &VECTORS
    }

    fn profiles(spec: &ProfileSpec) -> Vec<Profile> {
        every_combination(vec![
            settings(
                spec.catalog,
                [Catalog::Doc2024_10, Catalog::Doc2025],
                Profile::with_catalog,
            ),
            settings(
                spec.missing_image,
                [MissingImage::Ignore, MissingImage::NotFound],
                Profile::with_missing_image,
            ),
            settings(
                spec.precedence,
                [Precedence::default(), reversed()],
                Profile::with_precedence,
            ),
        ])
    }

    fn manifests() -> Vec<(&'static str, Admits<Self>)> {
        vec![
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
        ]
    }

    fn send(
        store: &mut ImageStore,
        caller: &AccountId,
        params: &[(&str, &str)],
        profile: &Profile,
        request_id: RequestId,
    ) -> (Response, Option<Done<Deletion>>) {
        let (response, outcome) =
            wire::delete_image(store, caller, params.iter().copied(), profile, request_id);
        let done = outcome.map(|o| match o {
            Outcome::Deleted(deletion) => Done::Deleted(deletion),
            Outcome::Ignored => Done::Ignored,
        });
        (response, done)
    }

    fn deleted(effects: &Effects) -> bool {
        effects.image_deleted
    }

    fn deletion_faults(
        world: &ImageStore,
        store: &ImageStore,
        test: &Test<Self>,
        deletion: Deletion,
    ) -> Vec<String> {
        let expected = &test.expected.effects;
        let mut faults = Vec::new();
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
        if instances != expected.instances_losing_reinit {
            faults.push(format!(
                "instances losing re-init {instances:?} (expected {:?})",
                expected.instances_losing_reinit
            ));
        }
        let mut snapshots: Vec<&str> = deletion
            .released_snapshots
            .iter()
            .map(|s| s.as_str())
            .collect();
        snapshots.sort();
        if snapshots != expected.snapshots_released {
            faults.push(format!(
                "snapshots released {snapshots:?} (expected {:?})",
                expected.snapshots_released
            ));
        }
        if store.to_state() != after_deletion(world, image, &expected.instances_losing_reinit) {
            faults.push("the store after the deletion is not the world minus the image with those instances flagged".to_owned());
        }
        faults
    }
}

/// The world's state with `image` gone and `instances` flagged as having lost it.
fn after_deletion(world: &ImageStore, image: &str, instances: &[String]) -> StoreState {
    let mut state = world.to_state();
    state.images.retain(|i| i.id.as_str() != image);
    for instance in &mut state.instances {
        if instances.iter().any(|i| i == instance.id.as_str()) {
            instance.image_deleted = true;
        }
    }
    state
}

crate::shared_checks!(DeleteImage);

#[test]
fn the_schema_refuses_what_the_format_forbids() {
    let test = "/testGroups/0/tests/0";
    assert!(refused::<DeleteImage>(|f| {
        f["surprise"] = Value::Bool(true);
    }));
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(test).unwrap()["note"] = "extra".into();
    }));
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(test)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("tcId");
    }));
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(test).unwrap()["params"] = serde_json::json!([["RegionId", "a", "b"]]);
    }));
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(test).unwrap()["flags"] = serde_json::json!(["lowercase"]);
    }));
    assert!(refused::<DeleteImage>(|f| {
        f["testGroups"][0]["profile"]["catalog"] = "2023".into();
    }));
    assert!(refused::<DeleteImage>(|f| {
        f["testGroups"][0]["profile"]["precedence"] =
            serde_json::json!(["InUse", "InUse", "Shared", "Public", "Copying", "Exporting"]);
    }));
    assert!(refused::<DeleteImage>(|f| {
        f["testGroups"][0]["world"]["store"]["images"][0]["colour"] = "blue".into();
    }));
    // The first test of the first group is an error: it must keep its code, and an error
    // changes nothing.
    let expected = format!("{test}/expected");
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(&expected)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("code");
    }));
    assert!(refused::<DeleteImage>(|f| {
        f.pointer_mut(&expected).unwrap()["effects"]["imageDeleted"] = true.into();
    }));
    assert!(refused::<DeleteImage>(|f| {
        let e = f.pointer_mut(&expected).unwrap();
        e["result"] = "Ignored".into();
        e["httpStatus"] = 200.into();
    }));
    assert!(refused::<DeleteImage>(|f| {
        let e = f.pointer_mut(&expected).unwrap();
        assert_eq!(e["result"], "Error");
        e["result"] = "Deleted".into();
        e["httpStatus"] = 200.into();
        e["effects"]["imageDeleted"] = true.into();
    }));
}

#[test]
fn worlds_hold_only_the_regions_they_need() {
    for group in &file::<DeleteImage>().test_groups {
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
    let len = VECTORS.raw.len();
    assert!(len < 4 << 20, "delete_image.json is {len} bytes");
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
    let grids: Vec<_> = file::<DeleteImage>()
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
    let specs: Vec<&ProfileSpec> = file::<DeleteImage>()
        .test_groups
        .iter()
        .map(|g| &g.profile)
        .collect();
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
                tests::<DeleteImage>().any(|(_, t)| t.has(policy) && t.has(class)),
                "{class} under {policy}"
            );
        }
    }
}

#[test]
fn every_parameter_error_is_covered() {
    let answers: BTreeSet<(u16, &str, &str)> = tests::<DeleteImage>()
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
        assert!(tests::<DeleteImage>().any(|(_, t)| t.has(flag)), "{flag}");
    }
    for result in [Kind::Deleted, Kind::Ignored, Kind::Error] {
        assert!(
            tests::<DeleteImage>().any(|(_, t)| t.expected.result == result),
            "{result:?}"
        );
    }
}

/// The replay can fail: a vector with a wrong expectation is caught.
#[test]
fn a_wrong_expectation_is_caught() {
    let (group, test) = tests::<DeleteImage>()
        .find(|(_, t)| {
            t.expected.result == Kind::Deleted
                && !t.expected.effects.instances_losing_reinit.is_empty()
        })
        .unwrap();
    let profile = DeleteImage::profiles(&group.profile)[0];
    assert_eq!(replay::<DeleteImage>(group, test, &profile), Ok(()));

    let mut wrong: TestVector<Effects> = test.clone();
    wrong.expected.effects.instances_losing_reinit.clear();
    assert!(
        replay::<DeleteImage>(group, &wrong, &profile)
            .unwrap_err()
            .contains("instances losing re-init")
    );

    wrong.expected = serde_json::from_value(serde_json::json!({
        "result": "Error", "httpStatus": 403, "code": "ImageUsingByInstance",
        "message": "The specified image has been used to create instances.",
        "effects": {"imageDeleted": false, "instancesLosingReinit": [], "snapshotsReleased": []}
    }))
    .unwrap();
    assert!(replay::<DeleteImage>(group, &wrong, &profile).is_err());
}
