//! The admin API under `/_emulator/` over real HTTP: the world, the profile, reset, task
//! completion, and that no action can reach it.

mod common;

use common::{ALICE_KEY, Server, call, delete, has_image, send, world};
use serde_json::{Value, json};

async fn admin(server: &Server, method: &str, path: &str, body: &str) -> common::Answer {
    send(method, &server.url(path), &[], body.as_bytes().to_vec()).await
}

fn tiny_world() -> Value {
    json!({
        "accounts": [{"id": "carol", "accessKeys": [{"id": "AKID-carol", "secret": "carol-secret"}]}],
        "store": {
            "regions": ["cn-hangzhou"],
            "images": [{"id": "m-carol", "owner": "carol", "region": "cn-hangzhou",
                        "kind": "custom", "status": "Available"}]
        }
    })
}

#[tokio::test]
async fn get_world_shows_the_demo_world() {
    let server = Server::demo().await;
    let w = world(&server).await;
    let accounts: Vec<&str> = w["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["alice", "bob"]);
    assert!(has_image(&server, "m-demo-importing").await);
    assert_eq!(
        w["store"]["tasks"].as_array().unwrap().len(),
        3,
        "import, export, copy"
    );
}

#[tokio::test]
async fn put_world_replaces_accounts_and_store() {
    let server = Server::demo().await;
    let put = admin(
        &server,
        "PUT",
        "/_emulator/world",
        &tiny_world().to_string(),
    )
    .await;
    put.assert_ok();
    assert!(!has_image(&server, "m-demo-free").await);
    // Alice's key is gone with the old world; Carol's works.
    let alice = delete(
        &server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-carol")],
    )
    .await;
    alice.assert_error(
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    );
    let carol = call(
        &server,
        ("AKID-carol", "carol-secret"),
        "DeleteImage",
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-carol")],
    )
    .await;
    carol.assert_ok();
    assert_eq!(carol.header("x-emulator-outcome"), Some("Deleted"));
}

#[tokio::test]
async fn an_invalid_world_is_refused_and_changes_nothing() {
    let server = Server::demo().await;
    let before = world(&server).await;
    let dangling = json!({"accounts": [], "store": {"regions": ["cn-hangzhou"],
        "instances": [{"id": "i-1", "owner": "a", "region": "cn-hangzhou", "image": "m-gone"}]}});
    for body in ["not json", "{}", &dangling.to_string()] {
        let answer = admin(&server, "PUT", "/_emulator/world", body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        let error = answer.json();
        assert_eq!(error["Code"], "InvalidWorld");
        assert!(
            error["Message"]
                .as_str()
                .unwrap()
                .starts_with("The world is not valid: ")
        );
    }
    assert_eq!(world(&server).await, before);
}

#[tokio::test]
async fn reset_restores_the_starting_world() {
    let server = Server::demo().await;
    let before = world(&server).await;
    delete(
        &server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert_ne!(world(&server).await, before);
    admin(&server, "POST", "/_emulator/reset", "")
        .await
        .assert_ok();
    assert_eq!(world(&server).await, before);
}

#[tokio::test]
async fn the_profile_can_be_read_and_changed() {
    let server = Server::demo().await;
    let profile = admin(&server, "GET", "/_emulator/profile", "").await;
    assert_eq!(profile.json()["catalog"], "2024-10");
    admin(
        &server,
        "PUT",
        "/_emulator/profile",
        r#"{"catalog": "2025", "missingImage": "NotFound"}"#,
    )
    .await
    .assert_ok();
    let shared = delete(
        &server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-shared")],
    )
    .await;
    shared.assert_error(403, "ImageUseShared",
        "The specified image has been shared to others. You can use the DescribeImageSharePermission API to query the users who have been shared.");
    let absent = delete(
        &server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-nothing")],
    )
    .await;
    absent.assert_error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
    let bad = admin(
        &server,
        "PUT",
        "/_emulator/profile",
        r#"{"precedence": ["InUse"]}"#,
    )
    .await;
    bad.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"profile\" is not valid.",
    );
}

#[tokio::test]
async fn completing_every_task_unblocks_the_images() {
    let server = Server::demo().await;
    let answer = admin(&server, "POST", "/_emulator/tasks/complete", "").await;
    let body = answer.assert_ok();
    let mut completed: Vec<&str> = body["CompletedTaskIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    completed.sort_unstable();
    assert_eq!(
        completed,
        [
            "t-copy-m-demo-copying-copy1",
            "t-m-demo-exporting-export",
            "t-m-demo-importing-import"
        ]
    );
    assert!(
        world(&server).await["store"]["tasks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for image in ["m-demo-importing", "m-demo-exporting", "m-demo-copying"] {
        let answer = delete(&server, &[("RegionId", "cn-hangzhou"), ("ImageId", image)]).await;
        answer.assert_ok();
        assert_eq!(
            answer.header("x-emulator-outcome"),
            Some("Deleted"),
            "{image}"
        );
    }
}

#[tokio::test]
async fn completing_one_task_by_task_or_image_id() {
    let server = Server::demo().await;
    let by_image = admin(
        &server,
        "POST",
        "/_emulator/tasks/complete?ImageId=m-demo-exporting",
        "",
    )
    .await;
    assert_eq!(
        by_image.assert_ok()["CompletedTaskIds"],
        json!(["t-m-demo-exporting-export"])
    );
    let by_task = admin(
        &server,
        "POST",
        "/_emulator/tasks/complete?TaskId=t-m-demo-importing-import",
        "",
    )
    .await;
    assert_eq!(
        by_task.assert_ok()["CompletedTaskIds"],
        json!(["t-m-demo-importing-import"])
    );
    let imported = world(&server).await["store"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "m-demo-importing")
        .cloned()
        .unwrap();
    assert_eq!(imported["status"], "Available");
    // The copy still runs.
    let copying = delete(
        &server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-copying")],
    )
    .await;
    copying.assert_error(403, "OperationDenied.ImageCopying", "The Image is coping.");
    let again = admin(
        &server,
        "POST",
        "/_emulator/tasks/complete?TaskId=t-m-demo-importing-import",
        "",
    )
    .await;
    again.assert_error(
        404,
        "InvalidTaskId.NotFound",
        "The specified task does not exist.",
    );
}

#[tokio::test]
async fn failing_a_task_on_request() {
    let server = Server::demo().await;
    let answer = admin(
        &server,
        "POST",
        "/_emulator/tasks/complete?ImageId=m-demo-importing&Outcome=Failed",
        "",
    )
    .await;
    answer.assert_ok();
    let imported = world(&server).await["store"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "m-demo-importing")
        .cloned()
        .unwrap();
    assert_eq!(imported["status"], "CreateFailed");
    let bad = admin(
        &server,
        "POST",
        "/_emulator/tasks/complete?Outcome=Maybe",
        "",
    )
    .await;
    bad.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Outcome\" is not valid.",
    );
}

#[tokio::test]
async fn admin_paths_check_their_method_and_exist() {
    let server = Server::demo().await;
    let wrong = admin(&server, "DELETE", "/_emulator/world", "").await;
    wrong.assert_error(
        405,
        "UnsupportedHTTPMethod",
        "The method is not allowed on this admin path; allowed: GET, PUT.",
    );
    let get_reset = admin(&server, "GET", "/_emulator/reset", "").await;
    get_reset.assert_error(
        405,
        "UnsupportedHTTPMethod",
        "The method is not allowed on this admin path; allowed: POST.",
    );
    let missing = admin(&server, "GET", "/_emulator/nothing", "").await;
    missing.assert_error(
        404,
        "NotFound",
        "No such admin path. See docs/emulator.md (Admin API) for the /_emulator/ paths.",
    );
}

#[tokio::test]
async fn no_action_reaches_the_admin_api() {
    let server = Server::demo().await;
    for action in ["_emulator/reset", "/_emulator/reset", "reset", "_emulator"] {
        let answer = call(&server, ALICE_KEY, action, &[]).await;
        answer.assert_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    }
}
