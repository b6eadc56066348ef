//! Spec §2: who asks, and what they can see. Own images go on to the blockers; images the
//! caller can see but does not own answer 404; absent images are ignored, or 404 under
//! `MissingImage::NotFound`.

mod common;

use common::{account, call, default, deleted, doc2025, ignored, image, refused, region};
use ecs_image_rules::{ImageSpec, ImageStore, MissingImage, Profile, Relation, relation};

const HZ: &str = "cn-hangzhou";
const BJ: &str = "cn-beijing";
const SYSTEM: &str = "ubuntu_22_04_x64_20G_alibase_20240101.vhd";
const MARKET: &str = "m-marketplace-wordpress";

/// Images the caller can see but does not own, all in cn-hangzhou.
const VISIBLE_NOT_OWN: [&str; 4] = [SYSTEM, MARKET, "m-bob-shared", "m-bob-community"];
/// Ids that are absent for Alice in cn-hangzhou: never existed, in another region, another
/// account's private image, shared with somebody else, community in another region.
const ABSENT: [&str; 5] = [
    "m-never",
    "m-alice-bj",
    "m-bob-private",
    "m-bob-shared-carol",
    "m-bob-community-bj",
];

fn store() -> ImageStore {
    let mut store = ImageStore::new();
    for spec in [
        ImageSpec::custom("m-alice", "alice", HZ),
        ImageSpec::custom("m-alice-bj", "alice", BJ),
        ImageSpec::custom("m-bob-shared", "bob", HZ).add_share("alice"),
        ImageSpec::custom("m-bob-shared-carol", "bob", HZ).add_share("carol"),
        ImageSpec::custom("m-bob-community", "bob", HZ).community(),
        ImageSpec::custom("m-bob-private", "bob", HZ),
        ImageSpec::custom("m-bob-community-bj", "bob", BJ).community(),
        ImageSpec::system(SYSTEM, HZ),
        ImageSpec::marketplace(MARKET, HZ),
    ] {
        store.put(spec).expect("fixture");
    }
    store
}

fn not_found_policy() -> Profile {
    default().with_missing_image(MissingImage::NotFound)
}

const NOT_FOUND: (u16, &str, &str) = (
    404,
    "InvalidImageId.NotFound",
    "The specified ImageId does not exist.",
);

/// A request for an image in cn-hangzhou.
fn hz(image: &str) -> String {
    format!("RegionId=cn-hangzhou&ImageId={image}")
}

#[test]
fn own_images_are_deleted() {
    let s = &mut store();
    let deletion = deleted(s, "alice", &hz("m-alice"), &default());
    assert_eq!(deletion.image.id.as_str(), "m-alice");
    assert_eq!(deletion.image.owner.as_str(), "alice");
    assert!(s.image("m-alice").is_none());
}

#[test]
fn visible_images_that_are_not_own_are_not_found_under_both_policies() {
    let profiles = [
        default(),
        not_found_policy(),
        doc2025(),
        doc2025().with_missing_image(MissingImage::NotFound),
    ];
    for p in &profiles {
        let s = &mut store();
        for image in VISIBLE_NOT_OWN {
            assert_eq!(refused(s, "alice", &hz(image), p), NOT_FOUND, "{image}");
            // Force and DryRun never reach an image the caller does not own.
            let forced = format!("{}&Force=true&DryRun=true", hz(image));
            assert_eq!(refused(s, "alice", &forced, p), NOT_FOUND, "{image}");
        }
    }
}

#[test]
fn absent_images_are_ignored_by_default() {
    let s = &mut store();
    for image in ABSENT {
        ignored(s, "alice", &hz(image), &default());
        ignored(s, "alice", &format!("{}&Force=true", hz(image)), &default());
    }
    // Already deleted.
    deleted(s, "alice", &hz("m-alice"), &default());
    ignored(s, "alice", &hz("m-alice"), &default());
}

#[test]
fn absent_images_are_not_found_under_the_not_found_policy() {
    let s = &mut store();
    let p = &not_found_policy();
    for image in ABSENT {
        assert_eq!(refused(s, "alice", &hz(image), p), NOT_FOUND, "{image}");
    }
    deleted(s, "alice", &hz("m-alice"), p);
    assert_eq!(refused(s, "alice", &hz("m-alice"), p), NOT_FOUND);
}

#[test]
fn system_images_are_nobodys_own() {
    // Not even the account the fixture names as their owner.
    let s = &mut store();
    let p = &default();
    assert_eq!(
        refused(s, ecs_image_rules::SYSTEM_OWNER, &hz(SYSTEM), p),
        NOT_FOUND
    );
    assert_eq!(
        refused(s, ecs_image_rules::MARKETPLACE_OWNER, &hz(MARKET), p),
        NOT_FOUND
    );
}

#[test]
fn the_owner_still_owns_a_shared_or_community_image() {
    let s = &mut store();
    assert_eq!(
        refused(s, "bob", &hz("m-bob-shared"), &default()),
        (
            403,
            "ImageUseShared",
            "The specified image has been shared to others."
        )
    );
    assert_eq!(
        refused(s, "bob", &hz("m-bob-community"), &default()),
        (
            403,
            "ImageIsPublic",
            "You can not delete public image, please modify it to private."
        )
    );
    deleted(s, "bob", &hz("m-bob-private"), &default());
}

#[test]
fn an_image_is_deleted_only_in_its_own_region() {
    let s = &mut store();
    ignored(s, "alice", &hz("m-alice-bj"), &default());
    assert!(s.image("m-alice-bj").is_some());
    deleted(
        s,
        "alice",
        "RegionId=cn-beijing&ImageId=m-alice-bj",
        &default(),
    );
}

#[test]
fn relation_names_the_three_classes() {
    let s = &store();
    let alice = &account("alice");
    assert_eq!(
        relation(s, alice, &region(HZ), &image("m-alice")),
        Relation::Own
    );
    for id in VISIBLE_NOT_OWN {
        assert_eq!(
            relation(s, alice, &region(HZ), &image(id)),
            Relation::VisibleNotOwn,
            "{id}"
        );
    }
    for id in ABSENT {
        assert_eq!(
            relation(s, alice, &region(HZ), &image(id)),
            Relation::Absent,
            "{id}"
        );
    }
    assert_eq!(
        relation(s, alice, &region("xx-nowhere-1"), &image("m-alice")),
        Relation::Absent
    );
    assert_eq!(
        relation(
            s,
            &account("carol"),
            &region(HZ),
            &image("m-bob-shared-carol")
        ),
        Relation::VisibleNotOwn
    );
}

#[test]
fn the_answer_does_not_reveal_a_private_image() {
    // Another account's private image and an id that never existed answer alike, under both
    // policies, with and without DryRun.
    for p in &[default(), not_found_policy()] {
        for extra in ["", "&DryRun=true", "&Force=true"] {
            let s = &mut store();
            let private = call(s, "alice", &format!("{}{extra}", hz("m-bob-private")), p);
            let never = call(s, "alice", &format!("{}{extra}", hz("m-never")), p);
            assert_eq!(format!("{private:?}"), format!("{never:?}"));
        }
    }
}
