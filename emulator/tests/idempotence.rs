//! `ClientToken` over HTTP (docs/lifecycle.md, idempotence): CreateImage, RunInstances and
//! CopyImage answer a repeat with the first answer, refuse other parameters under the same
//! token, refuse a malformed token, and still know a token after a kill -9 and restart.

mod common;

#[path = "common/process.rs"]
mod child;

use child::{Process, Scratch};
use common::{ALICE_KEY, BOB_KEY, Server, call, instance_ids, world};
use serde_json::Value;

const HZ: &str = "cn-hangzhou";

async fn instance_count(server: &Server) -> usize {
    world(server).await["store"]["instances"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn run_instances_with_a_client_token_launches_once() {
    let server = Server::demo().await;
    let params = [
        ("RegionId", HZ),
        ("ImageId", "m-demo-free"),
        ("Amount", "2"),
        ("ClientToken", "123e4567-e89b-12d3-a456-426655440000"),
    ];
    let first = call(&server, ALICE_KEY, "RunInstances", &params)
        .await
        .assert_ok();
    let launched = instance_count(&server).await;
    let again = call(&server, ALICE_KEY, "RunInstances", &params)
        .await
        .assert_ok();
    assert_eq!(instance_ids(&again), instance_ids(&first));
    assert_eq!(instance_ids(&first).len(), 2);
    assert_eq!(
        instance_count(&server).await,
        launched,
        "nothing launched twice"
    );
    assert_ne!(
        again["RequestId"], first["RequestId"],
        "a new request, the old answer"
    );

    let mut other = params;
    other[2] = ("Amount", "1");
    call(&server, ALICE_KEY, "RunInstances", &other)
        .await
        .assert_error(
            400,
            "IdempotentParameterMismatch",
            "The request is retried with updated parameters.",
        );
    // Bob's token is his own: the same token launches his instance from his image.
    let bobs = call(
        &server,
        BOB_KEY,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-bob"),
            ("ClientToken", "123e4567-e89b-12d3-a456-426655440000"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(instance_ids(&bobs).len(), 1);
    assert_eq!(instance_count(&server).await, launched + 1);
}

#[tokio::test]
async fn create_image_and_copy_image_repeat_their_first_image() {
    let server = Server::demo().await;
    let create = [
        ("RegionId", HZ),
        ("ImageName", "golden"),
        ("ClientToken", "tf-create-1"),
    ];
    let first = call(&server, ALICE_KEY, "CreateImage", &create)
        .await
        .assert_ok();
    let again = call(&server, ALICE_KEY, "CreateImage", &create)
        .await
        .assert_ok();
    assert_eq!(again["ImageId"], first["ImageId"]);
    let renamed = [
        ("RegionId", HZ),
        ("ImageName", "silver"),
        ("ClientToken", "tf-create-1"),
    ];
    call(&server, ALICE_KEY, "CreateImage", &renamed)
        .await
        .assert_error(
            400,
            "IdempotentParameterMismatch",
            "The request is retried with updated parameters.",
        );

    let copy = [
        ("RegionId", HZ),
        ("ImageId", "m-demo-free"),
        ("DestinationRegionId", "cn-beijing"),
        ("ClientToken", "copy-1"),
    ];
    let copied = call(&server, ALICE_KEY, "CopyImage", &copy)
        .await
        .assert_ok();
    let copied_again = call(&server, ALICE_KEY, "CopyImage", &copy)
        .await
        .assert_ok();
    assert_eq!(copied_again["ImageId"], copied["ImageId"]);
}

#[tokio::test]
async fn a_malformed_client_token_is_refused_and_a_dry_run_records_none() {
    let server = Server::demo().await;
    let long = "t".repeat(65);
    for action in ["CreateImage", "RunInstances"] {
        call(
            &server,
            ALICE_KEY,
            action,
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("ClientToken", long.as_str()),
            ],
        )
        .await
        .assert_error(
            400,
            "InvalidClientToken.ValueNotSupported",
            "The ClientToken provided is invalid.",
        );
    }
    let dry = [
        ("RegionId", HZ),
        ("ImageId", "m-demo-free"),
        ("ClientToken", "dry"),
        ("DryRun", "true"),
    ];
    call(&server, ALICE_KEY, "RunInstances", &dry)
        .await
        .assert_error(
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        );
    // The dry run left no token: other parameters under it are a first call.
    let real = [
        ("RegionId", HZ),
        ("ImageId", "m-demo-free"),
        ("Amount", "2"),
        ("ClientToken", "dry"),
    ];
    let made = call(&server, ALICE_KEY, "RunInstances", &real)
        .await
        .assert_ok();
    assert_eq!(instance_ids(&made).len(), 2);
}

/// The journal replays the calls, so a token used before a kill -9 is known after it.
#[tokio::test]
async fn a_client_token_survives_kill_9() {
    let scratch = Scratch::new();
    let state = scratch.0.join("state.json");
    let state_arg = state.to_str().unwrap();
    let params = [
        ("RegionId", HZ),
        ("ImageId", "m-demo-free"),
        ("ClientToken", "packer-run-1"),
    ];
    let first = Process::start(&["--state", state_arg], &[]);
    let launched = instance_ids(&first.alice("RunInstances", &params).await);
    let count = |world: Value| world["store"]["instances"].as_array().unwrap().len();
    let before = count(first.world().await);
    drop(first); // SIGKILL
    let second = Process::start(&["--state", state_arg], &[]);
    let again = instance_ids(&second.alice("RunInstances", &params).await);
    assert_eq!(again, launched);
    let after = count(second.world().await);
    assert_eq!(
        after, before,
        "the repeat after the restart launched nothing"
    );
}
