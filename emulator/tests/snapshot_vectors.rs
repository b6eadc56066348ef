//! The DeleteSnapshot conformance vectors (`vectors/delete_snapshot.json`) replayed over real
//! HTTP, as emulator/tests/vectors.rs replays DeleteImage's: each test starts from its group's
//! world and profile (set through the admin API), is sent with its raw parameters in order,
//! signed by its caller's access key, and must get its status, code and message, or its kind of
//! success and effects.

mod common;

use common::{Server, acs3_headers, query, send};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/delete_snapshot.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("vectors/delete_snapshot.json")).unwrap()
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

/// DeleteSnapshot's declared parameters that the emulator does not model (docs/coverage.md):
/// refused before DeleteSnapshot runs, the world unchanged (docs/emulator.md).
const NOT_MODELLED: [&str; 4] = [
    "OwnerAccount",
    "OwnerId",
    "ResourceOwnerAccount",
    "ResourceOwnerId",
];

fn snapshots(world: &Value) -> Vec<Value> {
    world["store"]["snapshots"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn disks(world: &Value) -> Vec<Value> {
    world["store"]["disks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_snapshot_vector_replays_over_http() {
    let vectors = vectors();
    let server = Server::demo().await;
    let host = server.addr.to_string();
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
            let headers = acs3_headers("POST", &host, &params, b"", "DeleteSnapshot", key);
            let answer = send(
                "POST",
                &server.url(&format!("/?{}", query(&params))),
                &headers,
                Vec::new(),
            )
            .await;
            replayed += 1;
            let expected = &test["expected"];
            let mut fail =
                |what: String| failures.push(format!("{name} #{id} ({}): {what}", test["comment"]));
            let refused = params
                .iter()
                .find(|(k, v)| !v.is_empty() && NOT_MODELLED.contains(k));
            if let Some((parameter, _)) = refused {
                let message = format!(
                    "The parameter \"{parameter}\" of DeleteSnapshot is declared by ECS but not \
                     modelled by this emulator, so it is refused rather than ignored; see \
                     docs/coverage.md."
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
                    let snapshot = params.iter().find(|(k, _)| *k == "SnapshotId").unwrap().1;
                    if snapshots(&after).iter().any(|s| s["id"] == snapshot) {
                        fail(format!("{snapshot} is still there"));
                    }
                    for disk in expected["effects"]["disksLosingReinit"].as_array().unwrap() {
                        let flagged = disks(&after)
                            .iter()
                            .any(|d| d["id"] == *disk && d["sourceSnapshotDeleted"] == true);
                        if !flagged {
                            fail(format!("disk {disk} not flagged sourceSnapshotDeleted"));
                        }
                    }
                    let flagged_before = disks(before)
                        .iter()
                        .filter(|d| d["sourceSnapshotDeleted"] == true)
                        .count();
                    let flagged_after = disks(&after)
                        .iter()
                        .filter(|d| d["sourceSnapshotDeleted"] == true)
                        .count();
                    let listed = expected["effects"]["disksLosingReinit"]
                        .as_array()
                        .unwrap()
                        .len();
                    if flagged_after != flagged_before + listed {
                        fail("other disks were flagged too".into());
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
