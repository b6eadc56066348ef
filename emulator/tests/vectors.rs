//! The conformance vectors (`vectors/delete_image.json`, `vectors/delete_snapshot.json`)
//! replayed over real HTTP by one harness: each test starts from its group's world and profile
//! (set through the admin API), is sent with its raw parameters in order, signed with
//! ACS3-HMAC-SHA256 by its caller's access key, and must get its status, code and message, or
//! its kind of success and effects. What differs between the files is the action, the id
//! parameter and what a deletion must have done ([`Api`]).

mod common;

use common::{Server, send};
use serde_json::Value;

/// One vectors file and what its action's deletion must have done.
struct Api {
    /// The file in `vectors/`.
    file: &'static str,
    action: &'static str,
    /// The parameter naming what a deletion removes.
    id_param: &'static str,
    /// The faults of a deletion of `id`: the world before and after, the expected effects.
    deletion_faults: fn(id: &str, before: &Value, after: &Value, effects: &Value) -> Vec<String>,
}

fn vectors(file: &str) -> Value {
    let path = format!("{}/../vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

fn key_of<'w>(world: &'w Value, caller: &str) -> (&'w str, &'w str) {
    let account = world["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == caller)
        .unwrap_or_else(|| panic!("no account {caller}"));
    let key = &account["accessKeys"][0];
    (
        key["id"].as_str().unwrap(),
        key["secret"].as_str().unwrap_or(""),
    )
}

/// The declared parameters of DeleteImage and DeleteSnapshot that the emulator does not model
/// (the SDK's request models have them; docs/coverage.md). The library's vectors ignore them;
/// the emulator refuses them before the action runs, and the world stays as it was
/// (docs/emulator.md).
const NOT_MODELLED: [&str; 4] = [
    "OwnerAccount",
    "OwnerId",
    "ResourceOwnerAccount",
    "ResourceOwnerId",
];

/// A list of the world's store; an empty list is not written.
fn listed<'w>(world: &'w Value, list: &str) -> &'w [Value] {
    world["store"][list].as_array().map_or(&[], Vec::as_slice)
}

const DELETE_IMAGE: Api = Api {
    file: "delete_image.json",
    action: "DeleteImage",
    id_param: "ImageId",
    deletion_faults: |image, _, after, effects| {
        let mut faults = Vec::new();
        if listed(after, "images").iter().any(|i| i["id"] == image) {
            faults.push(format!("{image} is still there"));
        }
        for instance in effects["instancesLosingReinit"].as_array().unwrap() {
            let flagged = listed(after, "instances")
                .iter()
                .any(|i| i["id"] == *instance && i["imageDeleted"] == true);
            if !flagged {
                faults.push(format!("instance {instance} not flagged imageDeleted"));
            }
        }
        for snapshot in effects["snapshotsReleased"].as_array().unwrap() {
            let listed = listed(after, "images").iter().any(|i| {
                i["snapshots"]
                    .as_array()
                    .is_some_and(|s| s.contains(snapshot))
            });
            if listed {
                faults.push(format!("snapshot {snapshot} is still listed by an image"));
            }
        }
        faults
    },
};

const DELETE_SNAPSHOT: Api = Api {
    file: "delete_snapshot.json",
    action: "DeleteSnapshot",
    id_param: "SnapshotId",
    deletion_faults: |snapshot, before, after, effects| {
        let mut faults = Vec::new();
        if listed(after, "snapshots")
            .iter()
            .any(|s| s["id"] == snapshot)
        {
            faults.push(format!("{snapshot} is still there"));
        }
        let losing = effects["disksLosingReinit"].as_array().unwrap();
        for disk in losing {
            let flagged = listed(after, "disks")
                .iter()
                .any(|d| d["id"] == *disk && d["sourceSnapshotDeleted"] == true);
            if !flagged {
                faults.push(format!("disk {disk} not flagged sourceSnapshotDeleted"));
            }
        }
        let flagged = |world| {
            listed(world, "disks")
                .iter()
                .filter(|d| d["sourceSnapshotDeleted"] == true)
                .count()
        };
        if flagged(after) != flagged(before) + losing.len() {
            faults.push("other disks were flagged too".into());
        }
        faults
    },
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delete_image_vector_replays_over_http() {
    replay_over_http(&DELETE_IMAGE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delete_snapshot_vector_replays_over_http() {
    replay_over_http(&DELETE_SNAPSHOT).await;
}

async fn replay_over_http(api: &Api) {
    let vectors = vectors(api.file);
    let server = Server::demo().await;
    let mut failures = Vec::new();
    let mut replayed = 0;
    for group in vectors["testGroups"].as_array().unwrap() {
        let name = group["name"].as_str().unwrap();
        let profile = send(
            "PUT",
            &server.url("/_emulator/profile"),
            &[],
            group["profile"].to_string().into_bytes(),
        )
        .await;
        assert_eq!(profile.status, 200, "{name}: profile {}", profile.body);
        let world_body = group["world"].to_string().into_bytes();
        let mut baseline = None;
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let put = send(
                "PUT",
                &server.url("/_emulator/world"),
                &[],
                world_body.clone(),
            )
            .await;
            assert_eq!(put.status, 200, "{name} #{id}: world {}", put.body);
            if baseline.is_none() {
                baseline = Some(common::world(&server).await);
            }
            let before = baseline.as_ref().unwrap();
            let params: Vec<(&str, &str)> = test["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
                .collect();
            let key = key_of(&group["world"], test["caller"].as_str().unwrap());
            let answer = common::call(&server, key, api.action, &params).await;
            replayed += 1;
            let expected = &test["expected"];
            let mut fail =
                |what: String| failures.push(format!("{name} #{id} ({}): {what}", test["comment"]));
            let refused = params
                .iter()
                .find(|(k, v)| !v.is_empty() && NOT_MODELLED.contains(k));
            if let Some((parameter, _)) = refused {
                let message = format!(
                    "The parameter \"{parameter}\" of {} is declared by ECS but not \
                     modelled by this emulator, so it is refused rather than ignored; see \
                     docs/coverage.md.",
                    api.action
                );
                let body = answer.json();
                if answer.status != 400
                    || body["Code"] != "Emulator.ParameterNotModelled"
                    || body["Message"] != message.as_str()
                {
                    fail(format!("not refused as not modelled: {}", answer.body));
                } else if common::world(&server).await != *before {
                    fail("a refused request changed the world".into());
                }
                continue;
            }
            if u64::from(answer.status) != expected["httpStatus"].as_u64().unwrap() {
                fail(format!(
                    "status {} ≠ {}; body {}",
                    answer.status, expected["httpStatus"], answer.body
                ));
                continue;
            }
            let after = common::world(&server).await;
            match expected["result"].as_str().unwrap() {
                "Error" => {
                    let body = answer.json();
                    if body["Code"] != expected["code"] || body["Message"] != expected["message"] {
                        fail(format!("got {} {}", body["Code"], body["Message"]));
                    }
                    if after != *before {
                        fail("a refused request changed the world".into());
                    }
                }
                "Ignored" => {
                    if answer.header("x-emulator-outcome") != Some("Ignored") {
                        fail(format!("outcome {:?}", answer.header("x-emulator-outcome")));
                    }
                    if after != *before {
                        fail("an ignored request changed the world".into());
                    }
                }
                "Deleted" => {
                    if answer.header("x-emulator-outcome") != Some("Deleted") {
                        fail(format!("outcome {:?}", answer.header("x-emulator-outcome")));
                    }
                    let id = params.iter().find(|(k, _)| *k == api.id_param).unwrap().1;
                    for fault in (api.deletion_faults)(id, before, &after, &expected["effects"]) {
                        fail(fault);
                    }
                }
                other => panic!("unknown result {other}"),
            }
        }
    }
    let total = vectors["numberOfTests"].as_u64().unwrap();
    assert_eq!(replayed, total, "every vector was sent");
    assert!(
        failures.is_empty(),
        "{} of {replayed} vectors failed over HTTP:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
