//! The `ecs-image-emulator` binary as a process: the start-up banner, `--world`, `--state`
//! surviving a kill -9, and graceful shutdown on SIGTERM and SIGINT.

mod common;

#[path = "common/process.rs"]
mod child;

use std::path::Path;
use std::process::Command;

use child::{BINARY, Process, Scratch};
use common::send;

#[tokio::test]
async fn the_banner_prints_the_address_keys_and_an_sdk_example() {
    let process = Process::start(&[], &[]);
    let banner = process.banner.join("\n");
    for expected in [
        "AccessKeyId LTAI5tDemoAlice000000001  AccessKeySecret DemoAliceSecret0000000000000001",
        "AccessKeyId LTAI5tDemoBob00000000001  AccessKeySecret DemoBobSecret000000000000000001",
        "signatures: verified",
        &format!("endpoint='{}', protocol='http'", process.address),
    ] {
        assert!(banner.contains(expected), "{expected:?} not in\n{banner}");
    }
}

#[tokio::test]
async fn listen_address_comes_from_the_environment_too() {
    let process = Process::start(&[], &[("ECS_EMULATOR_LISTEN", "127.0.0.1:0")]);
    assert!(process.address.starts_with("127.0.0.1:"));
    process.delete("m-demo-free").await.assert_ok();
}

#[tokio::test]
async fn a_world_file_is_loaded() {
    let scratch = Scratch::new();
    let file = scratch.0.join("world.json");
    std::fs::write(
        &file,
        r#"{"accounts": [{"id": "alice", "accessKeys": [{"id": "LTAI5tDemoAlice000000001",
            "secret": "DemoAliceSecret0000000000000001"}]}],
           "store": {"regions": ["cn-hangzhou"], "images": [{"id": "m-from-file", "owner": "alice",
            "region": "cn-hangzhou", "kind": "custom", "status": "Available"}]}}"#,
    )
    .unwrap();
    let process = Process::start(&["--world", file.to_str().unwrap()], &[]);
    assert!(process.has_image("m-from-file").await);
    assert!(!process.has_image("m-demo-free").await);
    let answer = process.delete("m-from-file").await;
    assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
}

#[test]
fn a_bad_world_file_stops_the_start_with_a_message() {
    let scratch = Scratch::new();
    let file = scratch.0.join("world.json");
    std::fs::write(&file, "{\"accounts\": []}").unwrap();
    let output = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--world", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a valid world"), "{stderr}");
}

/// The world of a state file's snapshot.
fn state_world(path: &Path) -> serde_json::Value {
    let snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    snapshot["world"].clone()
}

#[tokio::test]
async fn the_state_file_survives_kill_9() {
    let scratch = Scratch::new();
    let state = scratch.0.join("state.json");
    let state_arg = state.to_str().unwrap();
    let first = Process::start(&["--state", state_arg], &[]);
    assert!(state.exists(), "the starting world is written at once");
    let answer = first.delete("m-demo-free").await;
    assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
    drop(first); // SIGKILL: no chance to flush anything more

    let second = Process::start(&["--state", state_arg], &[]);
    assert!(!second.has_image("m-demo-free").await);
    assert!(second.has_image("m-demo-shared").await);
    // Admin changes persist too.
    let put = send(
        "POST",
        &second.url("/_emulator/tasks/complete"),
        &[],
        Vec::new(),
    )
    .await;
    put.assert_ok();
    drop(second);
    let third = Process::start(&["--state", state_arg], &[]);
    let world = send("GET", &third.url("/_emulator/world"), &[], Vec::new())
        .await
        .json();
    assert!(world["store"]["tasks"].as_array().unwrap().is_empty());
    assert!(!third.has_image("m-demo-free").await);
    // The snapshot and its journal's two segments, and no temporary file beside them.
    assert_eq!(
        scratch.names(),
        ["state.json", "state.json.journal", "state.json.journal.b"]
    );
}

/// Tags are journaled like every change: after a kill -9 the replayed journal gives them back,
/// and an untag after the restart is kept too.
#[tokio::test]
async fn tags_survive_kill_9() {
    let scratch = Scratch::new();
    let state = scratch.0.join("state.json");
    let state_arg = state.to_str().unwrap();
    let tag = [
        ("RegionId", "cn-hangzhou"),
        ("ResourceType", "image"),
        ("ResourceId.1", "m-demo-free"),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "dev"),
        ("Tag.2.Key", "team"),
        ("Tag.2.Value", "a"),
    ];
    let list = [
        ("RegionId", "cn-hangzhou"),
        ("ResourceType", "image"),
        ("ResourceId.1", "m-demo-free"),
    ];
    let keys = |body: serde_json::Value| -> Vec<String> {
        body["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                format!(
                    "{}={}",
                    t["TagKey"].as_str().unwrap(),
                    t["TagValue"].as_str().unwrap()
                )
            })
            .collect()
    };
    let first = Process::start(&["--state", state_arg], &[]);
    first.alice("TagResources", &tag).await;
    drop(first); // SIGKILL
    let second = Process::start(&["--state", state_arg], &[]);
    assert_eq!(
        keys(second.alice("ListTagResources", &list).await),
        ["env=dev", "team=a"]
    );
    let untag = [
        ("RegionId", "cn-hangzhou"),
        ("ResourceType", "image"),
        ("ResourceId.1", "m-demo-free"),
        ("TagKey.1", "env"),
    ];
    second.alice("UntagResources", &untag).await;
    drop(second);
    let third = Process::start(&["--state", state_arg], &[]);
    assert_eq!(
        keys(third.alice("ListTagResources", &list).await),
        ["team=a"]
    );
}

#[tokio::test]
async fn reset_goes_back_to_the_starting_world_not_the_state_file() {
    let scratch = Scratch::new();
    let state = scratch.0.join("state.json");
    let state_arg = state.to_str().unwrap();
    let first = Process::start(&["--state", state_arg], &[]);
    first.delete("m-demo-free").await.assert_ok();
    drop(first);
    let second = Process::start(&["--state", state_arg], &[]);
    send("POST", &second.url("/_emulator/reset"), &[], Vec::new())
        .await
        .assert_ok();
    assert!(second.has_image("m-demo-free").await);
    assert!(
        state_world(&state)["store"]["images"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "m-demo-free")
    );
}

#[tokio::test]
async fn sigterm_and_sigint_stop_it_gracefully() {
    for signal in ["TERM", "INT"] {
        let process = Process::start(&[], &[]);
        process.delete("m-demo-free").await.assert_ok();
        process.signal(signal);
        let (success, rest) = process.wait();
        assert!(success, "exit status after SIG{signal}");
        assert!(
            rest.contains("ecs-image-emulator: stopped"),
            "SIG{signal}: {rest:?}"
        );
    }
}

#[tokio::test]
async fn a_default_account_without_no_auth_is_unused() {
    let process = Process::start(&[], &[("ECS_EMULATOR_DEFAULT_ACCOUNT", "bob")]);
    let banner = process.banner.join("\n");
    for expected in [
        "signatures: verified",
        "default account bob: unused without --no-auth",
    ] {
        assert!(banner.contains(expected), "{expected:?} not in\n{banner}");
    }
    // Signatures are still required: an unsigned request acts as nobody.
    let unsigned = process
        .url("/?Action=DeleteImage&Version=2014-05-26&RegionId=cn-hangzhou&ImageId=m-demo-bob");
    send("POST", &unsigned, &[], Vec::new()).await.assert_error(
        400,
        "MissingAccessKeyId",
        "AccessKeyId is mandatory for this action.",
    );
    assert!(process.has_image("m-demo-bob").await);
}

/// The banner's `try:` line for a world file.
fn try_line(world: &str) -> String {
    let scratch = Scratch::new();
    let file = scratch.0.join("world.json");
    std::fs::write(&file, world).unwrap();
    let process = Process::start(&["--world", file.to_str().unwrap()], &[]);
    process.banner.last().unwrap().clone()
}

#[test]
fn the_try_line_uses_the_loaded_world() {
    // The first account with an access key (Dave) signs; of his images, the one a blocker
    // holds on (trying it shows a refusal).
    let line = try_line(
        r#"{"accounts": [{"id": "carol"}, {"id": "dave", "accessKeys": [{"id": "KeyDave"}]},
            {"id": "carol2", "accessKeys": [{"id": "KeyCarol2", "secret": "s2"}]}],
           "store": {"regions": ["my-lab-1"], "images": [
            {"id": "m-a", "owner": "dave", "region": "my-lab-1", "kind": "custom", "status": "Available"},
            {"id": "m-b", "owner": "dave", "region": "my-lab-1", "kind": "custom", "status": "Available",
             "visibility": {"community": true}},
            {"id": "m-c", "owner": "carol2", "region": "my-lab-1", "kind": "custom", "status": "Available"}]}}"#,
    );
    assert!(line.starts_with("  try: python3 -c \""), "{line}");
    for expected in [
        "access_key_id='KeyDave', access_key_secret='any'",
        "region_id='my-lab-1')).delete_image(DeleteImageRequest(region_id='my-lab-1', image_id='m-b'))",
    ] {
        assert!(line.contains(expected), "{expected:?} not in {line}");
    }
    assert!(
        !line.contains("cn-hangzhou") && !line.contains("m-demo"),
        "{line}"
    );
}

#[test]
fn the_try_line_without_an_own_image_lists_the_accounts_images() {
    let line = try_line(
        r#"{"accounts": [{"id": "erin", "accessKeys": [{"id": "KeyErin", "secret": "se"}]}],
           "store": {"regions": ["my-lab-1"], "images": [
            {"id": "m-x", "owner": "frank", "region": "my-lab-1", "kind": "custom", "status": "Available"}]}}"#,
    );
    let expected = "access_key_id='KeyErin', access_key_secret='se', endpoint=";
    assert!(line.contains(expected), "{expected:?} not in {line}");
    let expected = "region_id='my-lab-1')).describe_images(DescribeImagesRequest(region_id='my-lab-1', image_owner_alias='self'))";
    assert!(line.contains(expected), "{expected:?} not in {line}");
}

#[tokio::test]
async fn the_admin_world_is_streamed_not_built_as_one_string() {
    let process = Process::start(&[], &[]);
    let answer = send("GET", &process.url("/_emulator/world"), &[], Vec::new()).await;
    // Sent in chunks as read from a file: no length known up front.
    assert_eq!(answer.header("transfer-encoding"), Some("chunked"));
    assert_eq!(answer.header("content-length"), None);
    assert_eq!(answer.content_type(), "application/json;charset=utf-8");
    assert!(answer.json()["store"]["images"].as_array().unwrap().len() > 5);
}
