//! docs/contract.md §1 (request parameters) and §3 (blockers, precedence, Force, DryRun), row by row, in
//! both catalogs. Every expected status, code and message is copied by hand from
//! docs/decision.md. Requests are written as query strings (see `common::params`).

mod common;

use common::{account, call, default, deleted, doc2025, ignored, refused};
use ecs_image_rules::{
    Blocker, Catalog, DeleteImageRequest, ImageSpec, ImageStatus, ImageStore, MissingImage,
    Outcome, Precedence, PrecedenceError, Profile,
};

const HZ: &str = "cn-hangzhou";

/// Alice's images in cn-hangzhou, one per §3 row, plus a plain one and a system image.
fn store() -> ImageStore {
    let mut store = ImageStore::new();
    for spec in [
        ImageSpec::custom("m-plain", "alice", HZ),
        ImageSpec::custom("m-importing", "alice", HZ).importing(),
        ImageSpec::custom("m-exporting", "alice", HZ).exporting(),
        ImageSpec::custom("m-copying", "alice", HZ).copying(),
        ImageSpec::custom("m-public", "alice", HZ).community(),
        ImageSpec::custom("m-shared", "alice", HZ).add_share("bob"),
        ImageSpec::custom("m-used", "alice", HZ).used_by(1),
        ImageSpec::system("ubuntu_22_04_x64_20G_alibase_20240101.vhd", HZ),
    ] {
        store.put(spec).expect("fixture");
    }
    store
}

/// Alice's request, refused: (HTTP status, code, message).
fn alice(
    store: &mut ImageStore,
    query: &str,
    profile: &Profile,
) -> (u16, &'static str, &'static str) {
    refused(store, "alice", query, profile)
}

fn both_catalogs() -> [Profile; 2] {
    [default(), doc2025()]
}

// ---- §1 parameter errors --------------------------------------------------------------------

#[test]
fn missing_region_id_when_absent_or_empty() {
    for p in &both_catalogs() {
        let s = &mut store();
        let missing = (
            400,
            "MissingRegionId",
            "RegionId is mandatory for this action.",
        );
        assert_eq!(alice(s, "ImageId=m-plain", p), missing);
        assert_eq!(alice(s, "RegionId=&ImageId=m-plain", p), missing);
        assert_eq!(alice(s, "", p), missing);
    }
}

#[test]
fn missing_image_id_when_absent_or_empty() {
    for p in &both_catalogs() {
        let s = &mut store();
        let missing = (
            400,
            "MissingImageId",
            "ImageId is mandatory for this action.",
        );
        assert_eq!(alice(s, "RegionId=cn-hangzhou", p), missing);
        assert_eq!(alice(s, "RegionId=cn-hangzhou&ImageId=", p), missing);
    }
}

#[test]
fn odd_force_values_are_invalid() {
    let invalid = (
        400,
        "InvalidParameter",
        "The specified parameter \"Force\" is not valid.",
    );
    for p in &both_catalogs() {
        let s = &mut store();
        for value in [
            "yes", "1", "0", "tru", "truee", " true", "true ", "on", "falsch", "\0",
        ] {
            let query = format!("RegionId=cn-hangzhou&ImageId=m-plain&Force={value}");
            assert_eq!(alice(s, &query, p), invalid, "Force={value:?}");
        }
    }
}

#[test]
fn odd_dry_run_values_are_invalid() {
    let invalid = (
        400,
        "InvalidParameter",
        "The specified parameter \"DryRun\" is not valid.",
    );
    for p in &both_catalogs() {
        let s = &mut store();
        for value in [
            "yes",
            "1",
            "0",
            "tru",
            "T",
            "F",
            "null",
            "TRUE!",
            "ｔｒｕｅ",
        ] {
            let query = format!("RegionId=cn-hangzhou&ImageId=m-plain&DryRun={value}");
            assert_eq!(alice(s, &query, p), invalid, "DryRun={value:?}");
        }
    }
}

#[test]
fn unknown_region_is_not_found() {
    for p in &both_catalogs() {
        let s = &mut store();
        let not_found = (
            404,
            "InvalidRegionId.NotFound",
            "The specified RegionId does not exist.",
        );
        assert_eq!(
            alice(s, "RegionId=xx-nowhere-1&ImageId=m-plain", p),
            not_found
        );
        // Region ids are case-sensitive, like every other id.
        assert_eq!(
            alice(s, "RegionId=CN-HANGZHOU&ImageId=m-plain", p),
            not_found
        );
    }
}

#[test]
fn a_region_added_to_the_store_exists() {
    let s = &mut ImageStore::new();
    s.add_region("xx-sim-1".parse().unwrap());
    s.put(ImageSpec::custom("m-sim", "alice", "xx-sim-1"))
        .unwrap();
    deleted(s, "alice", "RegionId=xx-sim-1&ImageId=m-sim", &default());
    assert_eq!(
        alice(
            &mut ImageStore::without_regions(),
            "RegionId=cn-hangzhou&ImageId=m-1",
            &default()
        ),
        (
            404,
            "InvalidRegionId.NotFound",
            "The specified RegionId does not exist."
        )
    );
}

#[test]
fn malformed_ids_are_invalid_parameters() {
    // [I] in wire.rs: a present id that is not visible ASCII (or is too long) is not valid.
    let s = &mut store();
    let p = &default();
    let region = (
        400,
        "InvalidParameter",
        "The specified parameter \"RegionId\" is not valid.",
    );
    let image = (
        400,
        "InvalidParameter",
        "The specified parameter \"ImageId\" is not valid.",
    );
    assert_eq!(alice(s, "RegionId=cn hangzhou&ImageId=m-plain", p), region);
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou\n&ImageId=m-plain", p),
        region
    );
    assert_eq!(alice(s, "RegionId=cn-hangzhou&ImageId=m-pläin", p), image);
    let long = "m".repeat(129);
    assert_eq!(
        alice(s, &format!("RegionId=cn-hangzhou&ImageId={long}"), p),
        image
    );
    // A malformed id comes before a bad boolean, and before the region's existence.
    assert_eq!(
        alice(s, "RegionId=xx nowhere&ImageId=m-plain&Force=yes", p),
        region
    );
    // 128 bytes is still an id: well formed, and absent, so ignored.
    let longest = "m".repeat(128);
    ignored(
        s,
        "alice",
        &format!("RegionId=cn-hangzhou&ImageId={longest}"),
        p,
    );
}

#[test]
fn booleans_in_any_ascii_case() {
    let p = &default();
    for value in ["true", "True", "TRUE", "tRuE"] {
        let s = &mut store();
        deleted(
            s,
            "alice",
            &format!("RegionId=cn-hangzhou&ImageId=m-used&Force={value}"),
            p,
        );
        assert_eq!(
            alice(
                s,
                &format!("RegionId=cn-hangzhou&ImageId=m-plain&DryRun={value}"),
                p
            ),
            (
                400,
                "DryRunOperation",
                "Request validation has been passed with DryRun flag set."
            )
        );
    }
    for value in ["false", "False", "FALSE", "fAlSe"] {
        let s = &mut store();
        assert_eq!(
            alice(
                s,
                &format!("RegionId=cn-hangzhou&ImageId=m-used&Force={value}"),
                p
            ),
            (
                403,
                "ImageUsingByInstance",
                "The specified image has been used to create instances."
            )
        );
        deleted(
            s,
            "alice",
            &format!("RegionId=cn-hangzhou&ImageId=m-plain&DryRun={value}"),
            p,
        );
    }
}

#[test]
fn empty_booleans_count_as_absent() {
    let s = &mut store();
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-used&Force=", &default()),
        (
            403,
            "ImageUsingByInstance",
            "The specified image has been used to create instances."
        )
    );
    deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=",
        &default(),
    );
}

#[test]
fn the_builders_match_the_parser() {
    let parsed = DeleteImageRequest::from_rpc_params(common::params(
        "RegionId=cn-hangzhou&ImageId=m-plain&Force=True&DryRun=false",
    ))
    .unwrap();
    let built = DeleteImageRequest::new(HZ.parse().unwrap(), "m-plain".parse().unwrap());
    assert_eq!(parsed, built.clone().with_force(true));
    assert!(parsed.force && !parsed.dry_run);
    let plain =
        DeleteImageRequest::from_rpc_params(common::params("ImageId=m-plain&RegionId=cn-hangzhou"));
    assert_eq!(plain.unwrap(), built);
}

#[test]
fn unknown_parameters_are_ignored() {
    let noise = "Action=DeleteImage&Format=JSON&Version=2014-05-26&Timestamp=2024-10-21T00:00:00Z\
        &SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=3ee8c1b8-83d3-44af\
        &Signature=not checked here&AccessKeyId=LTAI-not-a-key&OwnerId=1234567890\
        &ResourceOwnerAccount=someone&ResourceOwnerId=not a number&OwnerAccount=&=";
    // Parameter names are case-sensitive: these are unknown, not bad values.
    let lowercase = "force=yes&dryrun=maybe&regionid=&imageid=";
    let s = &mut store();
    let p = &default();
    deleted(
        s,
        "alice",
        &format!("{noise}&RegionId=cn-hangzhou&{lowercase}&ImageId=m-plain"),
        p,
    );
    let missing = (
        400,
        "MissingRegionId",
        "RegionId is mandatory for this action.",
    );
    assert_eq!(alice(s, noise, p), missing);
    assert_eq!(alice(s, lowercase, p), missing);
}

#[test]
fn parameter_errors_come_in_the_documented_order() {
    let s = &mut store();
    let p = &default();
    let missing_region = (
        400,
        "MissingRegionId",
        "RegionId is mandatory for this action.",
    );
    let missing_image = (
        400,
        "MissingImageId",
        "ImageId is mandatory for this action.",
    );
    let bad_force = (
        400,
        "InvalidParameter",
        "The specified parameter \"Force\" is not valid.",
    );
    let bad_dry_run = (
        400,
        "InvalidParameter",
        "The specified parameter \"DryRun\" is not valid.",
    );
    let no_region = (
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );

    let rows = [
        ("Force=yes&DryRun=no", missing_region),
        ("ImageId=m-plain&Force=yes", missing_region),
        ("RegionId=&ImageId=", missing_region),
        ("RegionId=xx-nowhere-1&Force=yes", missing_image),
        ("RegionId=cn-hangzhou&Force=1&DryRun=1", missing_image),
        (
            "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=1&Force=1",
            bad_force,
        ),
        ("RegionId=xx-nowhere-1&ImageId=m-plain&Force=yes", bad_force),
        (
            "RegionId=xx-nowhere-1&ImageId=m-plain&DryRun=yes",
            bad_dry_run,
        ),
        // The region comes before everything the store answers, DryRun included.
        (
            "RegionId=xx-nowhere-1&ImageId=m-plain&DryRun=true",
            no_region,
        ),
        ("RegionId=xx-nowhere-1&ImageId=m-shared", no_region),
        ("RegionId=xx-nowhere-1&ImageId=m-never", no_region),
    ];
    for (query, expected) in rows {
        assert_eq!(alice(s, query, p), expected, "{query}");
    }
}

#[test]
fn the_first_value_of_a_repeated_parameter_wins() {
    let s = &mut store();
    let p = &default();
    let rows = [
        (
            "RegionId=xx-nowhere-1&RegionId=cn-hangzhou&ImageId=m-plain",
            (
                404,
                "InvalidRegionId.NotFound",
                "The specified RegionId does not exist.",
            ),
        ),
        (
            "RegionId=cn-hangzhou&ImageId=m-shared&ImageId=m-plain",
            (
                403,
                "ImageUseShared",
                "The specified image has been shared to others.",
            ),
        ),
        (
            "RegionId=cn-hangzhou&ImageId=m-used&Force=yes&Force=true",
            (
                400,
                "InvalidParameter",
                "The specified parameter \"Force\" is not valid.",
            ),
        ),
        (
            "RegionId=cn-hangzhou&ImageId=m-used&Force=false&Force=true",
            (
                403,
                "ImageUsingByInstance",
                "The specified image has been used to create instances.",
            ),
        ),
    ];
    for (query, expected) in rows {
        assert_eq!(alice(s, query, p), expected, "{query}");
    }
    deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&RegionId=x&ImageId=m-plain&ImageId=m-shared",
        p,
    );
    deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-used&Force=true&Force=bogus",
        p,
    );
    assert!(s.image("m-shared").is_some());
}

// ---- §3 blockers, one row each, both catalogs ---------------------------------------------------

/// §3, one row per blocker: the image that holds it alone, its code, and its message in the
/// 2024-10 and the 2025 catalog.
#[test]
fn each_blocker_alone_in_both_catalogs() {
    let copying_2025 = "The image is being copied. Please use the CancelCopyImage API.";
    let rows = [
        (
            "m-importing",
            "ImageIsImporting",
            "The specified Image is importing.",
            "The specified Image is importing.",
        ),
        (
            "m-exporting",
            "ImageIsExporting",
            "The specified Image is exporting. Please cancel task first.",
            "The specified image is currently being exported. You can use the DescribeTasks API to check the status of related tasks and cancel them if needed.",
        ),
        (
            "m-copying",
            "OperationDenied.ImageCopying",
            "The Image is coping.",
            copying_2025,
        ),
        (
            "m-copying-copy1",
            "OperationDenied.ImageCopying",
            "The Image is coping.",
            copying_2025,
        ),
        (
            "m-public",
            "ImageIsPublic",
            "You can not delete public image, please modify it to private.",
            "You can not delete public image, please modify it to private.",
        ),
        (
            "m-shared",
            "ImageUseShared",
            "The specified image has been shared to others.",
            "The specified image has been shared to others. You can use the DescribeImageSharePermission API to query the users who have been shared.",
        ),
        (
            "m-used",
            "ImageUsingByInstance",
            "The specified image has been used to create instances.",
            "The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed.",
        ),
    ];
    for (profile, catalog) in [(default(), "2024-10"), (doc2025(), "2025")] {
        let s = &mut store();
        for (image, code, message_2024_10, message_2025) in rows {
            let message = if catalog == "2025" {
                message_2025
            } else {
                message_2024_10
            };
            assert_eq!(
                alice(
                    s,
                    &format!("RegionId=cn-hangzhou&ImageId={image}"),
                    &profile
                ),
                (403, code, message),
                "{image} in the {catalog} catalog"
            );
        }
    }
}

#[test]
fn the_other_rows_do_not_depend_on_the_catalog() {
    let s = &mut store();
    let p = &doc2025();
    assert_eq!(
        alice(
            s,
            "RegionId=cn-hangzhou&ImageId=ubuntu_22_04_x64_20G_alibase_20240101.vhd",
            p
        ),
        (
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist."
        )
    );
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=true", p),
        (
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set."
        )
    );
}

#[test]
fn a_copy_destination_is_copying_too() {
    // copy_of: the destination of a running copy, made from an image already in the store.
    let s = &mut ImageStore::new();
    s.put(ImageSpec::custom("m-src", "alice", HZ)).unwrap();
    s.put(ImageSpec::custom("m-dst", "alice", "cn-beijing").copy_of("m-src"))
        .unwrap();
    let copying = (403, "OperationDenied.ImageCopying", "The Image is coping.");
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-src", &default()),
        copying
    );
    assert_eq!(
        alice(s, "RegionId=cn-beijing&ImageId=m-dst", &default()),
        copying
    );
}

// ---- §3 combinations and precedence ---------------------------------------------------------------

/// Alice's image `m-x` holding exactly the given blockers (a copy's destination is `m-x-copy1`).
fn holding(blockers: &[Blocker]) -> ImageStore {
    let mut spec = ImageSpec::custom("m-x", "alice", HZ);
    for blocker in blockers {
        spec = match blocker {
            Blocker::Importing => spec.importing(),
            Blocker::Exporting => spec.exporting(),
            Blocker::Copying => spec.copying(),
            Blocker::Public => spec.community(),
            Blocker::Shared => spec.add_share("bob").add_share("carol"),
            Blocker::InUse => spec.used_by(2),
        };
    }
    let mut store = ImageStore::new();
    store.put(spec).expect("fixture");
    store
}

/// The code Alice's request for `m-x` is refused with, among the given blockers.
fn code(blockers: &[Blocker], force: bool, profile: &Profile) -> &'static str {
    let query = format!("RegionId=cn-hangzhou&ImageId=m-x&Force={force}");
    alice(&mut holding(blockers), &query, profile).1
}

#[test]
fn the_default_precedence_is_the_table_order() {
    use Blocker::*;
    let p = &default();
    let all = [Importing, Exporting, Copying, Public, Shared, InUse];
    assert_eq!(code(&all, false, p), "ImageIsImporting");
    assert_eq!(code(&all[1..], false, p), "ImageIsExporting");
    assert_eq!(code(&all[2..], false, p), "OperationDenied.ImageCopying");
    assert_eq!(code(&all[3..], false, p), "ImageIsPublic");
    assert_eq!(code(&all[4..], false, p), "ImageUseShared");
    assert_eq!(code(&all[5..], false, p), "ImageUsingByInstance");
    assert_eq!(code(&[InUse, Public], false, p), "ImageIsPublic");
    assert_eq!(code(&[InUse, Importing], false, p), "ImageIsImporting");
    assert_eq!(code(&[Shared, Exporting], false, p), "ImageIsExporting");
    assert_eq!(code(&[Copying, Importing], false, p), "ImageIsImporting");
    assert_eq!(
        code(&[Shared, Copying], false, p),
        "OperationDenied.ImageCopying"
    );
    assert_eq!(
        code(&[InUse, Copying, Public], false, p),
        "OperationDenied.ImageCopying"
    );
}

#[test]
fn combinations_answer_in_the_2025_catalog_too() {
    use Blocker::*;
    assert_eq!(
        alice(
            &mut holding(&[Shared, InUse, Copying]),
            "RegionId=cn-hangzhou&ImageId=m-x",
            &doc2025()
        ),
        (
            403,
            "OperationDenied.ImageCopying",
            "The image is being copied. Please use the CancelCopyImage API."
        )
    );
}

#[test]
fn force_skips_in_use_and_nothing_else() {
    use Blocker::*;
    let p = &default();
    assert_eq!(code(&[Importing], true, p), "ImageIsImporting");
    assert_eq!(code(&[Exporting], true, p), "ImageIsExporting");
    assert_eq!(code(&[Copying], true, p), "OperationDenied.ImageCopying");
    assert_eq!(code(&[Public], true, p), "ImageIsPublic");
    assert_eq!(code(&[Shared], true, p), "ImageUseShared");
    assert_eq!(code(&[Shared, InUse], true, p), "ImageUseShared");
    let deletion = deleted(
        &mut holding(&[InUse]),
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-x&Force=true",
        p,
    );
    assert_eq!(deletion.image.id.as_str(), "m-x");
}

#[test]
fn in_use_first_then_force_answers_the_next_blocker() {
    use Blocker::*;
    let in_use_first =
        Precedence::new(&[InUse, Shared, Public, Copying, Exporting, Importing]).unwrap();
    let p = &default().with_precedence(in_use_first);

    let s = &mut holding(&[Shared, InUse]);
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-x", p),
        (
            403,
            "ImageUsingByInstance",
            "The specified image has been used to create instances."
        )
    );
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-x&Force=true", p),
        (
            403,
            "ImageUseShared",
            "The specified image has been shared to others."
        )
    );

    let all = [Importing, Exporting, Copying, Public, Shared, InUse];
    assert_eq!(code(&all, false, p), "ImageUsingByInstance");
    assert_eq!(code(&all, true, p), "ImageUseShared");
    assert_eq!(
        code(&[Importing, Exporting, InUse], true, p),
        "ImageIsExporting"
    );
    assert_eq!(
        code(&[Importing, Copying], false, p),
        "OperationDenied.ImageCopying"
    );
    assert_eq!(code(&[Importing, InUse], true, p), "ImageIsImporting");
    deleted(
        &mut holding(&[InUse]),
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-x&Force=true",
        p,
    );
}

#[test]
fn another_permutation_is_honoured() {
    use Blocker::*;
    let order = Precedence::new(&[Shared, Importing, InUse, Public, Exporting, Copying]).unwrap();
    let p = &default().with_precedence(order);
    assert_eq!(code(&[Importing, Shared], false, p), "ImageUseShared");
    assert_eq!(
        code(&[Copying, InUse, Exporting], false, p),
        "ImageUsingByInstance"
    );
    assert_eq!(
        code(&[Copying, InUse, Exporting], true, p),
        "ImageIsExporting"
    );
    assert_eq!(code(&[Copying, Public], false, p), "ImageIsPublic");
}

// ---- DryRun -------------------------------------------------------------------------------------

#[test]
fn dry_run_answers_dry_run_operation_where_the_request_would_succeed() {
    let dry = (
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    for p in &both_catalogs() {
        let s = &mut store();
        // Would be deleted; `refused` also checks that nothing changed.
        assert_eq!(
            alice(s, "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=true", p),
            dry
        );
        assert_eq!(
            alice(
                s,
                "RegionId=cn-hangzhou&ImageId=m-used&Force=true&DryRun=true",
                p
            ),
            dry
        );
        assert!(s.can_reinitialize_system_disk("i-m-used-1").unwrap());
        // Would be ignored: an unknown id, another region, an image already deleted.
        assert_eq!(
            alice(s, "RegionId=cn-hangzhou&ImageId=m-never&DryRun=true", p),
            dry
        );
        assert_eq!(
            alice(s, "RegionId=cn-beijing&ImageId=m-plain&DryRun=true", p),
            dry
        );
        deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-plain", p);
        assert_eq!(
            alice(s, "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=true", p),
            dry
        );
    }
}

#[test]
fn dry_run_answers_errors_as_usual() {
    let s = &mut store();
    let p = &default();
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-shared&DryRun=true", p),
        (
            403,
            "ImageUseShared",
            "The specified image has been shared to others."
        )
    );
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-used&DryRun=true", p),
        (
            403,
            "ImageUsingByInstance",
            "The specified image has been used to create instances."
        )
    );
    assert_eq!(
        refused(
            s,
            "bob",
            "RegionId=cn-hangzhou&ImageId=m-shared&DryRun=true",
            p
        ),
        (
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist."
        )
    );
    assert_eq!(
        alice(
            s,
            "RegionId=cn-hangzhou&ImageId=m-never&DryRun=true",
            &p.with_missing_image(MissingImage::NotFound)
        ),
        (
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist."
        )
    );
    assert_eq!(
        alice(s, "ImageId=m-plain&DryRun=true", p),
        (
            400,
            "MissingRegionId",
            "RegionId is mandatory for this action."
        )
    );
}

// ---- statuses ---------------------------------------------------------------------------------------

#[test]
fn deletable_in_every_status() {
    for status in [
        ImageStatus::Available,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
        // From CreateImage: no task runs on the image.
        ImageStatus::Creating,
        ImageStatus::Waiting,
    ] {
        let s = &mut ImageStore::new();
        s.put(ImageSpec::custom("m-s", "alice", HZ).with_status(status))
            .unwrap();
        let deletion = deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-s", &default());
        assert_eq!(deletion.image.status, status);
        assert!(s.image("m-s").is_none());
    }
}

#[test]
fn status_does_not_hide_a_blocker() {
    let s = &mut ImageStore::new();
    let spec = ImageSpec::custom("m-s", "alice", HZ)
        .with_status(ImageStatus::CreateFailed)
        .add_share("bob");
    s.put(spec).unwrap();
    assert_eq!(
        alice(s, "RegionId=cn-hangzhou&ImageId=m-s", &default()),
        (
            403,
            "ImageUseShared",
            "The specified image has been shared to others."
        )
    );
}

// ---- Precedence and Profile -------------------------------------------------------------------

#[test]
fn precedence_refuses_wrong_lengths() {
    use Blocker::*;
    let five = Precedence::new(&[Importing, Exporting, Copying, Public, Shared]).unwrap_err();
    assert_eq!(five, PrecedenceError::WrongLength(5));
    assert_eq!(
        five.to_string(),
        "a precedence lists each of the six blockers once; this one has 5 entries"
    );
    let seven = Precedence::new(&[Importing, Exporting, Copying, Public, Shared, InUse, InUse]);
    assert_eq!(seven.unwrap_err(), PrecedenceError::WrongLength(7));
    assert_eq!(
        Precedence::new(&[]).unwrap_err(),
        PrecedenceError::WrongLength(0)
    );
}

#[test]
fn precedence_refuses_repeats() {
    use Blocker::*;
    let repeat =
        Precedence::new(&[Importing, Exporting, Shared, Public, Shared, InUse]).unwrap_err();
    assert_eq!(repeat, PrecedenceError::Repeated(Shared));
    assert_eq!(
        repeat.to_string(),
        "a precedence lists each of the six blockers once; Shared appears twice"
    );
    let all_in_use = Precedence::new(&[InUse; 6]);
    assert_eq!(all_in_use.unwrap_err(), PrecedenceError::Repeated(InUse));
}

#[test]
fn precedence_keeps_a_permutation_and_defaults_to_the_table_order() {
    use Blocker::*;
    let order = [Public, InUse, Importing, Shared, Copying, Exporting];
    assert_eq!(Precedence::new(&order).unwrap().order(), &order);
    let table = [Importing, Exporting, Copying, Public, Shared, InUse];
    assert_eq!(Precedence::default().order(), &table);
    assert_eq!(Profile::default().precedence.order(), &table);
}

#[test]
fn profiles_deserialize_and_refuse_bad_precedences() {
    use Blocker::*;
    let empty: Profile = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, Profile::default());
    assert_eq!(empty.catalog, Catalog::Doc2024_10);
    assert_eq!(empty.missing_image, MissingImage::Ignore);

    let full: Profile = serde_json::from_str(
        r#"{"catalog":"2025","missingImage":"NotFound",
            "precedence":["InUse","Shared","Public","Copying","Exporting","Importing"]}"#,
    )
    .unwrap();
    let order = Precedence::new(&[InUse, Shared, Public, Copying, Exporting, Importing]).unwrap();
    let expected = Profile::default()
        .with_catalog(Catalog::Doc2025)
        .with_missing_image(MissingImage::NotFound)
        .with_precedence(order);
    assert_eq!(full, expected);
    let text = serde_json::to_string(&full).unwrap();
    assert_eq!(serde_json::from_str::<Profile>(&text).unwrap(), full);

    let error = |text: &str| {
        serde_json::from_str::<Profile>(text)
            .unwrap_err()
            .to_string()
    };
    let short = error(r#"{"precedence":["InUse","Shared"]}"#);
    assert!(
        short.contains("a precedence lists each of the six blockers once; this one has 2 entries"),
        "{short}"
    );
    let repeated =
        error(r#"{"precedence":["InUse","Shared","Public","Copying","Exporting","InUse"]}"#);
    assert!(
        repeated.contains("a precedence lists each of the six blockers once; InUse appears twice"),
        "{repeated}"
    );
    error(r#"{"precedence":["InUse","Shared","Public","Copying","Exporting","Deleting"]}"#);
    error(r#"{"catalog":"2023"}"#);
    error(r#"{"catalogue":"2025"}"#);
    error(r#"{"missingImage":"Ignored"}"#);
}

#[test]
fn decide_changes_nothing_and_apply_carries_it_out() {
    let s = &mut store();
    let before = s.clone();
    let request = DeleteImageRequest::new(HZ.parse().unwrap(), "m-plain".parse().unwrap());
    let (alice, profile) = (account("alice"), default());
    let verdict = ecs_image_rules::decide(s, &alice, &request, &profile).unwrap();
    assert_eq!(*s, before);
    assert_eq!(
        verdict.image_to_delete().map(|i| i.as_str()),
        Some("m-plain")
    );
    assert!(
        matches!(s.apply(verdict), Ok(Outcome::Deleted(d)) if d.image.id.as_str() == "m-plain")
    );
    let again = ecs_image_rules::decide(s, &alice, &request, &profile).unwrap();
    assert_eq!(again.image_to_delete(), None);
    assert_eq!(s.apply(again), Ok(Outcome::Ignored));
    let answer = call(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-plain",
        &default(),
    );
    assert!(matches!(answer, Ok(Outcome::Ignored)));
}

#[test]
fn a_verdict_is_asked_again_of_the_store_it_is_applied_to() {
    use ecs_image_rules::ApiError;
    let s = &mut store();
    let alice = account("alice");
    let request = DeleteImageRequest::new(HZ.parse().unwrap(), "m-plain".parse().unwrap());
    let profile = default();
    let verdict = ecs_image_rules::decide(s, &alice, &request, &profile).unwrap();
    assert!(verdict.image_to_delete().is_some());

    // The store changes between the decision and its application: an export starts.
    let mut changed = s.clone();
    changed
        .export_image(
            &alice,
            ecs_image_rules::ExportImage::new(HZ.parse().unwrap(), "m-plain".parse().unwrap())
                .with_oss_bucket("bucket"),
        )
        .unwrap();
    let before = changed.clone();
    let refused = changed.apply(verdict).unwrap_err();
    assert_eq!(
        (refused.http_status(), refused.code(), refused.to_string()),
        (
            403,
            "ImageIsExporting",
            "The specified Image is exporting. Please cancel task first.".to_owned()
        )
    );
    assert_eq!(changed, before);

    // Applied to a store where the image is someone else's private image: absent, ignored.
    let mut elsewhere = ImageStore::new();
    elsewhere
        .put(ImageSpec::custom("m-plain", "bob", HZ).used_by(1))
        .unwrap();
    let before = elsewhere.clone();
    assert_eq!(elsewhere.apply(verdict), Ok(Outcome::Ignored));
    assert_eq!(elsewhere, before);
}
