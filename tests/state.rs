//! Snapshots: a store survives a JSON round trip, every structural fault in a snapshot is
//! refused with its own `InvariantError` (variant and text written out by hand), and any
//! combination of the six blockers on one image loads.

mod common;

use common::{SPEC_ORDER, account, blocker_answer, default, json, refused};
use ecs_image_rules::{
    Blocker, ImageKind, ImageSpec, ImageStatus, ImageStore, InvariantError, StoreState, blockers,
};

const HZ: &str = "cn-hangzhou";

/// An image object with the required fields only.
fn image(id: &str, owner: &str, region: &str) -> String {
    format!(
        r#"{{"id":"{id}","owner":"{owner}","region":"{region}","kind":"custom","status":"Available"}}"#
    )
}

/// A snapshot that knows cn-hangzhou and cn-beijing.
fn snapshot(images: &[String], tasks: &[&str], instances: &[&str]) -> String {
    format!(
        r#"{{"regions":["cn-beijing","cn-hangzhou"],"images":[{}],"tasks":[{}],"instances":[{}]}}"#,
        images.join(","),
        tasks.join(","),
        instances.join(",")
    )
}

/// Loads snapshot JSON, both as a `StoreState` (then `from_state`) and straight into an
/// `ImageStore`; the two paths must agree.
fn load(text: &str) -> Result<ImageStore, InvariantError> {
    let parsed: StoreState = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("the test's snapshot JSON does not parse: {e}"));
    let loaded = ImageStore::from_state(parsed);
    let direct = serde_json::from_str::<ImageStore>(text);
    match (&loaded, direct) {
        (Ok(a), Ok(b)) => assert_eq!(*a, b),
        (Err(e), Err(d)) => assert!(
            d.to_string().contains(&e.to_string()),
            "{d} should contain {e}"
        ),
        (a, b) => panic!("from_state gave {a:?} but deserializing gave {b:?}"),
    }
    loaded
}

/// The invariant error a snapshot is refused with, and its text (leaked, as in
/// `common::refused`, so that expectations are plain literals).
fn refusal(text: &str) -> (InvariantError, &'static str) {
    let error = load(text).expect_err("the snapshot must be refused");
    let display: &'static str = Box::leak(error.to_string().into_boxed_str());
    (error, display)
}

// ---- round trip ---------------------------------------------------------------------------------

/// A store with every kind of resource: all blockers, statuses, kinds, snapshots, a deleted
/// image's flagged instances, and a region of its own.
fn rich_store() -> ImageStore {
    let mut s = ImageStore::new();
    s.add_region("xx-sim-1".parse().unwrap());
    for spec in [
        ImageSpec::custom("m-z", "alice", HZ)
            .add_snapshot("s-2")
            .add_snapshot("s-1"),
        ImageSpec::custom("m-all", "alice", HZ)
            .importing()
            .exporting()
            .copying_to("cn-beijing")
            .community()
            .add_share("bob")
            .add_share("carol")
            .used_by(2)
            .add_instance("i-bob", "bob")
            .add_snapshot("s-1"),
        ImageSpec::custom("m-dst", "alice", "cn-beijing").copy_of("m-z"),
        ImageSpec::custom("m-gone", "bob", "xx-sim-1").used_by(2),
        ImageSpec::custom("m-old", "carol", HZ).with_status(ImageStatus::Deprecated),
        ImageSpec::custom("m-bad", "carol", HZ).with_status(ImageStatus::CreateFailed),
        ImageSpec::system("ubuntu_22_04_x64_20G_alibase_20240101.vhd", HZ),
        ImageSpec::marketplace("m-market", "cn-beijing"),
    ] {
        s.put(spec).expect("fixture");
    }
    common::deleted(
        &mut s,
        "bob",
        "RegionId=xx-sim-1&ImageId=m-gone&Force=true",
        &default(),
    );
    s
}

#[test]
fn a_store_survives_a_json_round_trip() {
    let store = rich_store();
    let text = json(&store);
    let back: ImageStore = serde_json::from_str(&text).expect("a serialized store loads");
    assert_eq!(back, store);
    assert_eq!(json(&back), text);
    assert_eq!(back.to_state(), store.to_state());
}

/// A store is written from references to its images (no copy of them) and read by inserting
/// each image as it comes: the bytes are those of its `StoreState`, and a state whose images
/// come before its regions (not as a store writes it) loads as well.
#[test]
fn a_store_is_written_and_read_as_its_state() {
    let store = rich_store();
    assert_eq!(
        json(&store),
        serde_json::to_string(&store.to_state()).unwrap()
    );
    let state: serde_json::Value = serde_json::from_str(&json(&store)).unwrap();
    let object = state.as_object().unwrap();
    let mut reordered = String::from("{");
    // In the order of the keys: `images` before `regions`.
    for (n, (key, value)) in object.iter().enumerate() {
        if n > 0 {
            reordered.push(',');
        }
        reordered.push_str(&format!("{}:{value}", serde_json::to_string(key).unwrap()));
    }
    reordered.push('}');
    assert!(
        reordered.find("\"images\"").unwrap() < reordered.find("\"regions\"").unwrap(),
        "{reordered}"
    );
    assert_eq!(load(&reordered).unwrap(), store);
    let twice = r#"{"regions":["cn-hangzhou"],"images":[],"images":[]}"#;
    let refused = serde_json::from_str::<ImageStore>(twice).unwrap_err();
    assert!(
        refused.to_string().contains("duplicate field `images`"),
        "{refused}"
    );
}

#[test]
fn a_store_without_tasks_survives_a_json_round_trip() {
    let mut store = ImageStore::new();
    for spec in [
        ImageSpec::custom("m-z", "alice", HZ)
            .add_snapshot("s-2")
            .add_snapshot("s-1")
            .community()
            .add_share("bob"),
        ImageSpec::custom("m-a", "bob", "cn-beijing")
            .used_by(3)
            .add_instance("i-alice", "alice"),
        ImageSpec::custom("m-gone", "bob", HZ)
            .used_by(1)
            .add_snapshot("s-1"),
        ImageSpec::system("ubuntu_22_04_x64_20G_alibase_20240101.vhd", HZ),
    ] {
        store.put(spec).unwrap();
    }
    common::deleted(
        &mut store,
        "bob",
        "RegionId=cn-hangzhou&ImageId=m-gone&Force=true",
        &default(),
    );
    let text = json(&store);
    let back: ImageStore = serde_json::from_str(&text).unwrap();
    assert_eq!(back, store);
    assert_eq!(json(&back), text);
    // The released snapshot count survives: deleting m-z now releases both of its snapshots.
    let mut back = back;
    let mut snapshot = back.to_state();
    snapshot
        .images
        .iter_mut()
        .for_each(|i| i.visibility = Default::default());
    back = ImageStore::from_state(snapshot).unwrap();
    let deletion = common::deleted(
        &mut back,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-z",
        &default(),
    );
    assert_eq!(
        deletion
            .released_snapshots
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        ["s-2", "s-1"]
    );
}

#[test]
fn snapshots_list_everything_sorted_by_id() {
    let mut store = ImageStore::without_regions();
    store.add_region("cn-hangzhou".parse().unwrap());
    store
        .put(ImageSpec::custom("m-b", "alice", HZ).add_instance("i-2", "alice"))
        .unwrap();
    store
        .put(
            ImageSpec::custom("m-a", "alice", HZ)
                .add_instance("i-1", "alice")
                .exporting(),
        )
        .unwrap();
    assert_eq!(
        json(&store),
        concat!(
            r#"{"regions":["cn-hangzhou"],"images":["#,
            r#"{"id":"m-a","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","visibility":{"community":false,"sharedWith":[]},"snapshots":[]},"#,
            r#"{"id":"m-b","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","visibility":{"community":false,"sharedWith":[]},"snapshots":[]}],"#,
            r#""tasks":[{"id":"t-m-a-export","action":"ExportImage","image":"m-a"}],"#,
            r#""instances":["#,
            r#"{"id":"i-1","owner":"alice","region":"cn-hangzhou","image":"m-a","imageDeleted":false},"#,
            r#"{"id":"i-2","owner":"alice","region":"cn-hangzhou","image":"m-b","imageDeleted":false}]}"#
        )
    );
}

#[test]
fn a_task_deserializes_and_refuses_unknown_fields() {
    // Regression: `Task` flattens its kind, and serde's `deny_unknown_fields` on the outer
    // struct used to refuse the kind's own `action` tag, so no snapshot with a task loaded.
    let text = r#"{"id":"t-1","action":"ExportImage","image":"m-1"}"#;
    let task: ecs_image_rules::Task = serde_json::from_str(text).unwrap();
    assert_eq!(task.id.as_str(), "t-1");
    let extra = r#"{"id":"t-1","action":"ExportImage","image":"m-1","extra":1}"#;
    assert!(serde_json::from_str::<ecs_image_rules::Task>(extra).is_err());
    let mixed = r#"{"id":"t-1","action":"ExportImage","image":"m-1","source":"m-2"}"#;
    assert!(serde_json::from_str::<ecs_image_rules::Task>(mixed).is_err());
    let with_task = snapshot(&[image("m-1", "alice", HZ)], &[text], &[]);
    assert!(load(&with_task).is_ok());
}

#[test]
fn reusing_a_deleted_image_id_keeps_the_store_loadable() {
    // After an image is deleted its instances stay, flagged imageDeleted. A new image with the
    // same id must either be refused (store unchanged) or give a store whose snapshot loads:
    // the store must never hold a state its own loader refuses (InstanceImagePresent).
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-1", "alice", HZ).used_by(1))
        .unwrap();
    common::deleted(
        &mut store,
        "alice",
        "RegionId=cn-hangzhou&ImageId=m-1&Force=true",
        &default(),
    );
    let before = store.clone();
    match store.put(ImageSpec::custom("m-1", "alice", "cn-beijing")) {
        Err(_) => assert_eq!(store, before, "a refused put changes nothing"),
        Ok(_) => match serde_json::from_str::<ImageStore>(&json(&store)) {
            Ok(back) => assert_eq!(back, store),
            Err(e) => panic!("the store accepted a put whose snapshot it refuses: {e}"),
        },
    }
}

// ---- one refused snapshot per InvariantError variant ----------------------------------------------

fn shared_with_n(n: usize) -> String {
    let accounts: Vec<String> = (1..=n).map(|k| format!(r#""acct-{k}""#)).collect();
    let image = format!(
        r#"{{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","visibility":{{"sharedWith":[{}]}}}}"#,
        accounts.join(",")
    );
    snapshot(&[image], &[], &[])
}

/// Every structural fault a snapshot can hold, with the `InvariantError` and the text it is
/// refused with.
#[test]
fn every_structural_fault_is_refused_with_its_own_error() {
    fn id<T: std::str::FromStr<Err: std::fmt::Debug>>(s: &str) -> T {
        s.parse().unwrap()
    }
    let instance_1 = r#"{"id":"i-1","owner":"alice","region":"cn-hangzhou","image":"m-1"}"#;
    let cases: Vec<(&str, String, InvariantError, &str)> = vec![
        (
            "duplicate image",
            snapshot(
                &[image("m-1", "alice", HZ), image("m-1", "bob", "cn-beijing")],
                &[],
                &[],
            ),
            InvariantError::DuplicateImage(id("m-1")),
            "image m-1 appears twice",
        ),
        (
            "duplicate instance",
            snapshot(&[image("m-1", "alice", HZ)], &[], &[instance_1, instance_1]),
            InvariantError::DuplicateInstance(id("i-1")),
            "instance i-1 appears twice",
        ),
        (
            "duplicate task",
            snapshot(
                &[image("m-1", "alice", HZ), image("m-2", "alice", HZ)],
                &[
                    r#"{"id":"t-1","action":"ExportImage","image":"m-1"}"#,
                    r#"{"id":"t-1","action":"ExportImage","image":"m-2"}"#,
                ],
                &[],
            ),
            InvariantError::DuplicateTask(id("t-1")),
            "task t-1 appears twice",
        ),
        (
            "an image in an unknown region",
            snapshot(&[image("m-1", "alice", "xx-nowhere-1")], &[], &[]),
            InvariantError::UnknownRegion {
                what: "image m-1".to_owned(),
                region: id("xx-nowhere-1"),
            },
            "image m-1 is in region xx-nowhere-1, which the store does not know",
        ),
        (
            "an instance in an unknown region",
            snapshot(
                &[],
                &[],
                &[
                    r#"{"id":"i-1","owner":"alice","region":"xx-nowhere-1","image":"m-gone","imageDeleted":true}"#,
                ],
            ),
            InvariantError::UnknownRegion {
                what: "instance i-1".to_owned(),
                region: id("xx-nowhere-1"),
            },
            "instance i-1 is in region xx-nowhere-1, which the store does not know",
        ),
        (
            // A snapshot names its regions; a store loaded from one knows no others.
            "a snapshot that knows no region",
            format!(
                r#"{{"regions":[],"images":[{}]}}"#,
                image("m-1", "alice", HZ)
            ),
            InvariantError::UnknownRegion {
                what: "image m-1".to_owned(),
                region: id(HZ),
            },
            "image m-1 is in region cn-hangzhou, which the store does not know",
        ),
        (
            "a snapshot listed twice by one image",
            snapshot(
                &[r#"{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","snapshots":["s-1","s-2","s-1"]}"#.to_owned()],
                &[],
                &[],
            ),
            InvariantError::DuplicateSnapshot {
                image: id("m-1"),
                snapshot: id("s-1"),
            },
            "image m-1 lists snapshot s-1 twice",
        ),
        (
            "an image shared with its owner",
            snapshot(
                &[r#"{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","visibility":{"sharedWith":["bob","alice"]}}"#.to_owned()],
                &[],
                &[],
            ),
            InvariantError::SharedWithOwner {
                image: id("m-1"),
                owner: account("alice"),
            },
            "image m-1 is shared with its owner alice",
        ),
        (
            "more than fifty shares",
            shared_with_n(51),
            InvariantError::TooManyShares {
                image: id("m-1"),
                count: 51,
            },
            "image m-1 is shared with 51 accounts; at most 50 are allowed",
        ),
        (
            "a shared system image",
            snapshot(
                &[r#"{"id":"ubuntu","owner":"alibaba-cloud","region":"cn-hangzhou","kind":"system","status":"Available","visibility":{"sharedWith":["bob"]}}"#.to_owned()],
                &[],
                &[],
            ),
            InvariantError::NotCustom {
                image: id("ubuntu"),
                kind: ImageKind::System,
                what: "shared",
            },
            "image ubuntu is a System image and cannot be shared",
        ),
        (
            "a published marketplace image",
            snapshot(
                &[r#"{"id":"m-market","owner":"vendor","region":"cn-hangzhou","kind":"marketplace","status":"Available","visibility":{"community":true}}"#.to_owned()],
                &[],
                &[],
            ),
            InvariantError::NotCustom {
                image: id("m-market"),
                kind: ImageKind::Marketplace,
                what: "published",
            },
            "image m-market is a Marketplace image and cannot be published",
        ),
        (
            "a task on a system image",
            snapshot(
                &[r#"{"id":"ubuntu","owner":"alibaba-cloud","region":"cn-hangzhou","kind":"system","status":"Available"}"#.to_owned()],
                &[r#"{"id":"t-1","action":"ExportImage","image":"ubuntu"}"#],
                &[],
            ),
            InvariantError::NotCustom {
                image: id("ubuntu"),
                kind: ImageKind::System,
                what: "the subject of a task",
            },
            "image ubuntu is a System image and cannot be the subject of a task",
        ),
        (
            "a task naming a missing image",
            snapshot(
                &[image("m-1", "alice", HZ)],
                &[r#"{"id":"t-1","action":"CopyImage","source":"m-1","destination":"m-9"}"#],
                &[],
            ),
            InvariantError::TaskImageMissing {
                task: id("t-1"),
                image: id("m-9"),
            },
            "task t-1 refers to image m-9, which is not in the store",
        ),
        (
            "a second import",
            snapshot(
                &[image("m-1", "alice", HZ)],
                &[
                    r#"{"id":"t-1","action":"ImportImage","image":"m-1"}"#,
                    r#"{"id":"t-2","action":"ImportImage","image":"m-1"}"#,
                ],
                &[],
            ),
            InvariantError::SecondImport {
                image: id("m-1"),
                task: id("t-2"),
            },
            "image m-1 already has a running import; task t-2 is a second one",
        ),
        (
            "a second copy into one image",
            snapshot(
                &[
                    image("m-1", "alice", HZ),
                    image("m-2", "alice", "cn-beijing"),
                    image("m-3", "alice", HZ),
                ],
                &[
                    r#"{"id":"t-1","action":"CopyImage","source":"m-1","destination":"m-2"}"#,
                    r#"{"id":"t-2","action":"CopyImage","source":"m-3","destination":"m-2"}"#,
                ],
                &[],
            ),
            InvariantError::SecondCopyInto {
                image: id("m-2"),
                task: id("t-2"),
            },
            "image m-2 is already the destination of a running copy; task t-2 is a second one",
        ),
        (
            "a copy into itself",
            snapshot(
                &[image("m-1", "alice", HZ)],
                &[r#"{"id":"t-1","action":"CopyImage","source":"m-1","destination":"m-1"}"#],
                &[],
            ),
            InvariantError::BadCopy { task: id("t-1") },
            "copy task t-1 must copy an image into another image of the same owner",
        ),
        (
            "a copy between owners",
            snapshot(
                &[image("m-1", "alice", HZ), image("m-2", "bob", HZ)],
                &[r#"{"id":"t-1","action":"CopyImage","source":"m-1","destination":"m-2"}"#],
                &[],
            ),
            InvariantError::BadCopy { task: id("t-1") },
            "copy task t-1 must copy an image into another image of the same owner",
        ),
        (
            "an instance of a missing image, not flagged",
            snapshot(
                &[],
                &[],
                &[r#"{"id":"i-1","owner":"alice","region":"cn-hangzhou","image":"m-9"}"#],
            ),
            InvariantError::InstanceImageMissing {
                instance: id("i-1"),
                image: id("m-9"),
            },
            "instance i-1 refers to image m-9, which is not in the store, but is not flagged imageDeleted",
        ),
        (
            "an instance flagged while its image is present",
            snapshot(
                &[image("m-1", "alice", HZ)],
                &[],
                &[
                    r#"{"id":"i-1","owner":"alice","region":"cn-hangzhou","image":"m-1","imageDeleted":true}"#,
                ],
            ),
            InvariantError::InstanceImagePresent {
                instance: id("i-1"),
                image: id("m-1"),
            },
            "instance i-1 is flagged imageDeleted, but its image m-1 is in the store",
        ),
        (
            "an instance in another region than its image",
            snapshot(
                &[image("m-1", "alice", HZ)],
                &[],
                &[r#"{"id":"i-1","owner":"alice","region":"cn-beijing","image":"m-1"}"#],
            ),
            InvariantError::InstanceRegionMismatch {
                instance: id("i-1"),
                region: id("cn-beijing"),
                image: id("m-1"),
                image_region: id(HZ),
            },
            "instance i-1 is in region cn-beijing, but its image m-1 is in cn-hangzhou",
        ),
    ];
    for (name, text, error, message) in cases {
        assert_eq!(refusal(&text), (error, message), "{name}");
    }
}

/// The edges just inside the faults above load.
#[test]
fn the_edges_of_the_faults_load() {
    let fifty = load(&shared_with_n(50)).expect("50 shares are allowed");
    assert_eq!(fifty.image("m-1").unwrap().visibility.shared_with.len(), 50);
    let flagged = snapshot(
        &[],
        &[],
        &[
            r#"{"id":"i-1","owner":"alice","region":"cn-hangzhou","image":"m-9","imageDeleted":true}"#,
        ],
    );
    let store = load(&flagged).expect("a flagged instance of a deleted image loads");
    assert!(!store.can_reinitialize_system_disk("i-1").unwrap());
}

#[test]
fn malformed_snapshots_are_refused_by_serde() {
    for text in [
        r#"{"images":[]}"#,
        r#"{"regions":["cn hangzhou"]}"#,
        r#"{"regions":[],"extra":1}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom"}]}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"Custom","status":"Available"}]}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","x":1}]}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available"}]}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available"}],"tasks":[{"id":"t-1","action":"ExportImage","image":"m-1","extra":1}]}"#,
        r#"{"regions":["cn-hangzhou"],"images":[{"id":"m-1","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available"}],"tasks":[{"id":"t-1","action":"Unknown","image":"m-1"}]}"#,
    ] {
        assert!(serde_json::from_str::<StoreState>(text).is_err(), "{text}");
        assert!(serde_json::from_str::<ImageStore>(text).is_err(), "{text}");
    }
    let bad_id = serde_json::from_str::<ImageStore>(r#"{"regions":["cn hangzhou"]}"#).unwrap_err();
    assert!(
        bad_id.to_string().contains(
            r#"region id "cn hangzhou" holds ' ' at byte 2; only visible ASCII is allowed"#
        ),
        "{bad_id}"
    );
}

// ---- every combination of blockers loads -----------------------------------------------------------

/// A snapshot holding image `m-x` (alice, cn-hangzhou) with exactly the blockers in `mask`
/// (bit k = `SPEC_ORDER[k]`).
fn snapshot_with_blockers(mask: u32) -> String {
    let on = |k: usize| mask & (1 << k) != 0;
    let mut images = vec![format!(
        r#"{{"id":"m-x","owner":"alice","region":"cn-hangzhou","kind":"custom","status":"Available","visibility":{{"community":{},"sharedWith":[{}]}}}}"#,
        on(3),
        if on(4) { r#""bob""# } else { "" }
    )];
    let mut tasks = Vec::new();
    let mut instances = Vec::new();
    if on(0) {
        tasks.push(r#"{"id":"t-import","action":"ImportImage","image":"m-x"}"#);
    }
    if on(1) {
        tasks.push(r#"{"id":"t-export","action":"ExportImage","image":"m-x"}"#);
    }
    if on(2) {
        images.push(image("m-x-copy", "alice", "cn-beijing"));
        tasks.push(
            r#"{"id":"t-copy","action":"CopyImage","source":"m-x","destination":"m-x-copy"}"#,
        );
    }
    if on(5) {
        instances.push(r#"{"id":"i-1","owner":"carol","region":"cn-hangzhou","image":"m-x"}"#);
    }
    snapshot(&images, &tasks, &instances)
}

#[test]
fn every_combination_of_blockers_loads() {
    for mask in 0..64 {
        let expected: Vec<Blocker> = (0..6)
            .filter(|k| mask & (1 << k) != 0)
            .map(|k| SPEC_ORDER[k])
            .collect();
        let mut store =
            load(&snapshot_with_blockers(mask)).unwrap_or_else(|e| panic!("mask {mask:#08b}: {e}"));
        assert_eq!(
            blockers(&store, &"m-x".parse().unwrap()),
            expected,
            "mask {mask:#08b}"
        );
        let query = "RegionId=cn-hangzhou&ImageId=m-x";
        match expected.first() {
            None => {
                common::deleted(&mut store, "alice", query, &default());
            }
            Some(&first) => {
                let (code, message) = blocker_answer(first, Default::default());
                assert_eq!(
                    refused(&mut store, "alice", query, &default()),
                    (403, code, message)
                );
            }
        }
    }
}

#[test]
fn a_world_with_a_repeated_account_or_access_key_is_refused() {
    let store = r#"{"regions":["cn-hangzhou"]}"#;
    let world = |accounts: &str| format!(r#"{{"accounts":{accounts},"store":{store}}}"#);
    let refusal = |accounts: &str| {
        serde_json::from_str::<ecs_image_rules::World>(&world(accounts))
            .unwrap_err()
            .to_string()
    };
    assert!(
        serde_json::from_str::<ecs_image_rules::World>(&world(
            r#"[{"id":"alice","accessKeys":[{"id":"AK1"}]},{"id":"bob","accessKeys":[{"id":"AK2"}]}]"#
        ))
        .is_ok()
    );
    assert_eq!(
        refusal(r#"[{"id":"alice"},{"id":"alice"}]"#),
        "account alice appears twice"
    );
    assert_eq!(
        refusal(
            r#"[{"id":"alice","accessKeys":[{"id":"AK1"}]},{"id":"bob","accessKeys":[{"id":"AK1"}]}]"#
        ),
        "access key AK1 appears twice"
    );
}

#[test]
fn an_access_key_never_prints_its_secret() {
    let key = ecs_image_rules::AccessKey {
        id: "LTAI-alice".to_owned(),
        secret: Some("s3cr3t-do-not-print".to_owned()),
    };
    let world = ecs_image_rules::World {
        accounts: vec![ecs_image_rules::Account {
            id: account("alice"),
            access_keys: vec![key.clone()],
        }],
        store: ImageStore::new(),
    };
    for printed in [
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{world:?}"),
    ] {
        assert!(printed.contains("LTAI-alice"), "{printed}");
        assert!(!printed.contains("s3cr3t"), "the secret leaked: {printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
    let keyless = ecs_image_rules::AccessKey {
        id: "LTAI-bob".to_owned(),
        secret: None,
    };
    assert!(!format!("{keyless:?}").contains("<redacted>"));
}
