//! Spec §4: what a successful delete does (image gone, instances flagged, snapshots released,
//! copies unaffected), and the fixture builder's all-or-nothing `put`.

mod common;

use common::{account, default, deleted, ignored, image, json, refused, region};
use ecs_image_rules::{
    FixtureError, IdError, IdKind, Image, ImageSpec, ImageStore, InvariantError, Relation, relation,
};

const HZ: &str = "cn-hangzhou";

fn ids<T: AsRef<str>>(list: &[T]) -> Vec<&str> {
    list.iter().map(AsRef::as_ref).collect()
}

#[test]
fn the_image_is_gone_for_everyone() {
    let s = &mut ImageStore::new();
    s.put(ImageSpec::custom("m-x", "alice", HZ).used_by(1))
        .unwrap();
    let before = s.image("m-x").unwrap().clone();
    let deletion = deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-x&Force=true",
        &default(),
    );
    assert_eq!(deletion.image, before);
    assert!(s.image("m-x").is_none());
    assert!(s.images().all(|i| i.id.as_str() != "m-x"));
    assert_eq!(s.instances_of("m-x").count(), 0);
    for caller in ["alice", "bob", "carol"] {
        assert_eq!(
            relation(s, &account(caller), &region(HZ), &image("m-x")),
            Relation::Absent
        );
        ignored(s, caller, "RegionId=cn-hangzhou&ImageId=m-x", &default());
    }
}

#[test]
fn an_image_visible_to_others_is_gone_for_them_too() {
    // Bob saw the image while it was shared with him (404, visible but not own); once it is
    // unshared and deleted, his request is ignored (absent).
    let s = &mut ImageStore::new();
    s.put(ImageSpec::custom("m-x", "alice", HZ).add_share("bob"))
        .unwrap();
    assert_eq!(
        refused(s, "bob", "RegionId=cn-hangzhou&ImageId=m-x", &default()),
        (
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist."
        )
    );
    let mut snapshot = s.to_state();
    snapshot.images[0].visibility.shared_with.clear();
    let s = &mut ImageStore::from_state(snapshot).unwrap();
    deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-x", &default());
    ignored(s, "bob", "RegionId=cn-hangzhou&ImageId=m-x", &default());
}

#[test]
fn instances_made_from_it_lose_reinitialization() {
    let s = &mut ImageStore::new();
    s.put(
        ImageSpec::custom("m-x", "alice", HZ)
            .used_by(2)
            .add_instance("i-bob-1", "bob"),
    )
    .unwrap();
    s.put(ImageSpec::custom("m-y", "alice", HZ).used_by(1))
        .unwrap();
    for id in ["i-m-x-1", "i-m-x-2", "i-m-y-1"] {
        assert!(s.can_reinitialize_system_disk(id).unwrap(), "{id}");
    }
    // Bob's instance of Alice's private image: he cannot see the image, so cannot re-initialize.
    assert_eq!(s.can_reinitialize_system_disk("i-bob-1"), Some(false));
    let deletion = deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-x&Force=true",
        &default(),
    );
    assert_eq!(
        ids(&deletion.instances_losing_reinit),
        ["i-bob-1", "i-m-x-1", "i-m-x-2"]
    );
    for id in ["i-m-x-1", "i-m-x-2", "i-bob-1"] {
        let instance = s.instance(id).expect("instances keep running");
        assert_eq!(s.can_reinitialize_system_disk(id), Some(false), "{id}");
        assert!(instance.image_deleted);
        assert_eq!(instance.image.as_str(), "m-x");
    }
    assert!(s.can_reinitialize_system_disk("i-m-y-1").unwrap());
    assert_eq!(s.instances_of("m-y").count(), 1);
}

#[test]
fn an_image_without_instances_or_snapshots_reports_none() {
    let s = &mut ImageStore::new();
    s.put(ImageSpec::custom("m-x", "alice", HZ)).unwrap();
    let deletion = deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-x", &default());
    assert!(deletion.instances_losing_reinit.is_empty());
    assert!(deletion.released_snapshots.is_empty());
}

#[test]
fn snapshots_are_released_unless_another_image_lists_them() {
    let s = &mut ImageStore::new();
    let x = ImageSpec::custom("m-x", "alice", HZ)
        .add_snapshot("s-3")
        .add_snapshot("s-both")
        .add_snapshot("s-1");
    s.put(x).unwrap();
    s.put(ImageSpec::custom("m-y", "alice", "cn-beijing").add_snapshot("s-both"))
        .unwrap();
    let first = deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-x", &default());
    assert_eq!(ids(&first.released_snapshots), ["s-3", "s-1"]);
    let second = deleted(s, "alice", "RegionId=cn-beijing&ImageId=m-y", &default());
    assert_eq!(ids(&second.released_snapshots), ["s-both"]);
}

#[test]
fn copies_and_sources_are_unaffected() {
    // A finished copy: two images of one owner, no task between them any more.
    let s = &mut ImageStore::new();
    s.put(ImageSpec::custom("m-src", "alice", HZ).add_snapshot("s-1"))
        .unwrap();
    s.put(
        ImageSpec::custom("m-copy", "alice", "cn-beijing")
            .copy_of("m-src")
            .used_by(1),
    )
    .unwrap();
    let mut finished = s.to_state();
    finished.tasks.clear();
    let finished = ImageStore::from_state(finished).unwrap();

    let s = &mut finished.clone();
    let copy = s.image("m-copy").unwrap().clone();
    deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-src", &default());
    assert_eq!(s.image("m-copy"), Some(&copy));
    assert!(s.can_reinitialize_system_disk("i-m-copy-1").unwrap());

    let s = &mut finished.clone();
    let source = s.image("m-src").unwrap().clone();
    deleted(
        s,
        "alice",
        "RegionId=cn-beijing&ImageId=m-copy&Force=true",
        &default(),
    );
    assert_eq!(s.image("m-src"), Some(&source));
}

#[test]
fn a_delete_touches_nothing_but_its_image_and_instances() {
    let s = &mut ImageStore::new();
    s.put(
        ImageSpec::custom("m-x", "alice", HZ)
            .used_by(1)
            .add_snapshot("s-1"),
    )
    .unwrap();
    s.put(
        ImageSpec::custom("m-other", "alice", HZ)
            .add_share("bob")
            .exporting()
            .used_by(1),
    )
    .unwrap();
    s.put(ImageSpec::custom("m-bob", "bob", HZ).copying_to("cn-beijing"))
        .unwrap();
    let mut expected = s.to_state();
    expected.images.retain(|i| i.id.as_str() != "m-x");
    for instance in &mut expected.instances {
        instance.image_deleted |= instance.image.as_str() == "m-x";
    }
    deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-x&Force=true",
        &default(),
    );
    assert_eq!(s.to_state(), expected);
}

#[test]
fn a_deleted_image_no_longer_counts_for_its_snapshots_or_instances() {
    // Image::custom and a direct insert: the library's own constructor, not the fixture.
    let s = &mut ImageStore::new();
    let mut image = Image::custom(
        "m-x".parse().unwrap(),
        account("alice"),
        HZ.parse().unwrap(),
    );
    image.snapshots.push("s-1".parse().unwrap());
    s.insert_image(image).unwrap();
    deleted(s, "alice", "RegionId=cn-hangzhou&ImageId=m-x", &default());
    assert_eq!(s.image_count(), 0);
}

// ---- ImageSpec::put is all or nothing ------------------------------------------------------------

/// A store with a few resources that failing puts must leave exactly as they are.
fn base() -> ImageStore {
    let mut s = ImageStore::new();
    s.put(
        ImageSpec::custom("m-y", "alice", HZ)
            .add_snapshot("s-1")
            .used_by(1),
    )
    .unwrap();
    s.put(ImageSpec::custom("m-bob", "bob", HZ)).unwrap();
    s.put(ImageSpec::custom("m-taken-copy1", "alice", HZ))
        .unwrap();
    s
}

/// Puts a spec that must fail, checks the store is unchanged, and returns the error.
fn put_fails(spec: ImageSpec) -> FixtureError {
    let mut s = base();
    let before = s.clone();
    let before_json = json(&s);
    let error = s.put(spec).expect_err("the put must fail");
    assert_eq!(s, before);
    assert_eq!(json(&s), before_json);
    error
}

#[test]
fn a_put_failing_on_its_last_instance_leaves_nothing() {
    let spec = ImageSpec::custom("m-new", "alice", HZ)
        .add_snapshot("s-1")
        .add_snapshot("s-2")
        .exporting()
        .copying()
        .used_by(1)
        .add_instance("i-m-y-1", "alice");
    let error = put_fails(spec);
    let duplicate = InvariantError::DuplicateInstance("i-m-y-1".parse().unwrap());
    assert_eq!(error, FixtureError::Invariant(duplicate));
    assert_eq!(error.to_string(), "instance i-m-y-1 appears twice");
}

#[test]
fn a_rolled_back_put_leaves_snapshot_counts_intact() {
    // The failed put listed s-1 too; m-y must still be the last image listing it.
    let s = &mut base();
    let spec = ImageSpec::custom("m-new", "alice", HZ)
        .add_snapshot("s-1")
        .add_instance("i-m-y-1", "bob");
    s.put(spec).unwrap_err();
    let deletion = deleted(
        s,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-y&Force=true",
        &default(),
    );
    assert_eq!(ids(&deletion.released_snapshots), ["s-1"]);
}

#[test]
fn a_rolled_back_put_frees_its_ids() {
    let s = &mut base();
    let spec = ImageSpec::custom("m-new", "alice", HZ)
        .importing()
        .copying()
        .used_by(1);
    s.put(spec.clone().add_instance("i-m-y-1", "alice"))
        .unwrap_err();
    s.put(spec).unwrap();
    assert!(s.task("t-m-new-import").is_some());
    assert!(s.task("t-copy-m-new-copy1").is_some());
    assert_eq!(
        refused(
            s,
            "alice",
            "RegionId=cn-hangzhou&ImageId=m-new-copy1",
            &default()
        )
        .1,
        "OperationDenied.ImageCopying"
    );
}

#[test]
fn a_put_failing_on_its_copy_leaves_nothing() {
    let error = put_fails(ImageSpec::custom("m-taken", "alice", HZ).copying());
    let duplicate = InvariantError::DuplicateImage("m-taken-copy1".parse().unwrap());
    assert_eq!(error, FixtureError::Invariant(duplicate));
    assert_eq!(error.to_string(), "image m-taken-copy1 appears twice");

    let error = put_fails(ImageSpec::custom("m-new", "alice", HZ).copying_to("xx-nowhere-1"));
    assert_eq!(
        error.to_string(),
        "image m-new-copy1 is in region xx-nowhere-1, which the store does not know"
    );
}

#[test]
fn a_put_failing_on_its_task_leaves_nothing() {
    let error = put_fails(
        ImageSpec::custom("m-new", "alice", HZ)
            .used_by(1)
            .copy_of("m-missing"),
    );
    assert_eq!(
        error.to_string(),
        "task t-copy-m-new refers to image m-missing, which is not in the store"
    );
    let error = put_fails(ImageSpec::custom("m-new", "alice", HZ).copy_of("m-bob"));
    assert_eq!(
        error.to_string(),
        "copy task t-copy-m-new must copy an image into another image of the same owner"
    );
}

#[test]
fn a_put_refused_on_its_image_or_ids_leaves_nothing() {
    let error = put_fails(ImageSpec::custom("m-new", "alice", HZ).add_share("alice"));
    assert_eq!(
        error.to_string(),
        "image m-new is shared with its owner alice"
    );
    let error = put_fails(ImageSpec::custom("m-y", "alice", HZ));
    assert_eq!(error.to_string(), "image m-y appears twice");
    let error = put_fails(
        ImageSpec::custom("m-new", "alice", HZ)
            .add_share("bob ")
            .used_by(1),
    );
    let bad = IdError::BadCharacter {
        kind: IdKind::Account,
        value: "bob ".to_owned(),
        ch: ' ',
        at: 3,
    };
    assert_eq!(error, FixtureError::Id(bad));
    assert_eq!(
        error.to_string(),
        "account id \"bob \" holds ' ' at byte 3; only visible ASCII is allowed"
    );
    let error = put_fails(ImageSpec::custom("", "alice", HZ));
    assert_eq!(error.to_string(), "image id is empty");
}
