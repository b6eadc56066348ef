//! The request log and fault injection of the admin API, over real HTTP with signed calls.
//! Expected codes and messages are written out from the docs (docs/testing.md), not read from
//! the emulator's tables.

mod common;

use std::time::{Duration, Instant};

use common::{ALICE_KEY, BOB_KEY, Server, call, has_image, send};
use serde_json::{Value, json};

async fn admin(server: &Server, method: &str, path: &str, body: Value) -> common::Answer {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    send(method, &server.url(path), &[], body).await
}

async fn requests(server: &Server, query: &str) -> Vec<Value> {
    let answer = admin(
        server,
        "GET",
        &format!("/_emulator/requests{query}"),
        Value::Null,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["Requests"].as_array().unwrap().clone()
}

async fn add_fault(server: &Server, rule: Value) -> u64 {
    let answer = admin(server, "POST", "/_emulator/faults", rule).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["Id"].as_u64().unwrap()
}

const HZ: (&str, &str) = ("RegionId", "cn-hangzhou");

#[tokio::test]
async fn the_log_holds_each_call_in_order_with_its_parameters_and_answer() {
    let server = Server::demo().await;
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-shared")],
    )
    .await
    .assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-in-use"), ("Force", "true")],
    )
    .await
    .assert_ok();
    call(&server, BOB_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();

    let log = requests(&server, "").await;
    let actions: Vec<&str> = log.iter().map(|e| e["Action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["DeleteImage", "DeleteImage", "DescribeImages"]);
    let seqs: Vec<u64> = log.iter().map(|e| e["Seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);

    let refused = &log[0];
    assert_eq!(refused["Caller"], "alice");
    assert_eq!(refused["AccessKeyId"], ALICE_KEY.0);
    assert_eq!(refused["Status"], 403);
    assert_eq!(refused["Code"], "ImageUseShared");
    assert_eq!(refused["Outcome"], "Refused");
    assert_eq!(
        refused["Parameters"],
        json!({"RegionId": "cn-hangzhou", "ImageId": "m-demo-shared"})
    );

    let forced = &log[1];
    assert_eq!(forced["Parameters"]["Force"], "true");
    assert_eq!(forced["Status"], 200);
    assert_eq!(forced["Code"], Value::Null);
    assert_eq!(forced["Outcome"], "Deleted");
    assert_eq!(log[2]["Caller"], "bob");
    assert_eq!(log[2]["Outcome"], "Succeeded");
}

#[tokio::test]
async fn the_log_keeps_no_signature_and_names_no_caller_it_refused() {
    let server = Server::demo().await;
    let wrong = (ALICE_KEY.0, "not-alices-secret");
    let answer = call(
        &server,
        wrong,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-free")],
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    let raw = admin(&server, "GET", "/_emulator/requests", Value::Null).await;
    assert!(!raw.body.contains("Signature="), "{}", raw.body);
    assert!(!raw.body.contains("ACS3-HMAC-SHA256"), "{}", raw.body);
    let log = raw.json()["Requests"].as_array().unwrap().clone();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["Caller"], Value::Null);
    assert_eq!(log[0]["AccessKeyId"], ALICE_KEY.0);
    assert_eq!(log[0]["Code"], "SignatureDoesNotMatch");
}

#[tokio::test]
async fn the_log_filters_by_action_and_caller_and_clears() {
    let server = Server::demo().await;
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    call(&server, BOB_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    call(
        &server,
        BOB_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-bob")],
    )
    .await
    .assert_ok();
    assert_eq!(requests(&server, "?Action=DescribeImages").await.len(), 2);
    assert_eq!(requests(&server, "?Caller=bob").await.len(), 2);
    let both = requests(&server, "?Action=DeleteImage&Caller=bob").await;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0]["Parameters"]["ImageId"], "m-demo-bob");

    admin(&server, "DELETE", "/_emulator/requests", Value::Null)
        .await
        .assert_ok();
    assert!(requests(&server, "").await.is_empty());
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    let after = requests(&server, "").await;
    assert_eq!(after[0]["Seq"], 4, "sequence numbers are never reused");
}

#[tokio::test]
async fn a_throttle_on_the_second_call_answers_the_real_error_and_runs_nothing() {
    let server = Server::demo().await;
    let id = add_fault(
        &server,
        json!({"Action": "DeleteImage", "Error": "Throttling", "Nth": 2}),
    )
    .await;
    // The first call runs; the second is throttled and deletes nothing; the third runs.
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-deprecated")],
    )
    .await
    .assert_ok();
    assert!(!has_image(&server, "m-demo-deprecated").await);
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-free")],
    )
    .await
    .assert_error(
        400,
        "Throttling",
        "You have made too many requests within a short time; your request is denied due to request throttling.",
    );
    assert!(has_image(&server, "m-demo-free").await);
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert!(!has_image(&server, "m-demo-free").await);

    let log = requests(&server, "?Action=DeleteImage").await;
    assert_eq!(log[1]["Outcome"], "Injected");
    assert_eq!(log[1]["Fault"], id);
    assert_eq!(log[2]["Fault"], Value::Null);
    let faults = admin(&server, "GET", "/_emulator/faults", Value::Null)
        .await
        .json();
    assert_eq!(faults["Faults"][0]["Id"], id);
    assert_eq!(faults["Faults"][0]["Seen"], 3);
    assert_eq!(faults["Faults"][0]["Fired"], 1);
}

#[tokio::test]
async fn service_errors_carry_their_statuses() {
    let server = Server::demo().await;
    add_fault(
        &server,
        json!({"Action": "DescribeImages", "Caller": "bob", "Error": "ServiceUnavailable"}),
    )
    .await;
    add_fault(
        &server,
        json!({"Action": "DescribeImages", "Caller": "alice", "Error": "InternalError", "Times": 1}),
    )
    .await;
    add_fault(
        &server,
        json!({"Action": "DeleteImage", "ImageId": "m-demo-free", "Error": "Throttling.User"}),
    )
    .await;
    call(&server, BOB_KEY, "DescribeImages", &[HZ])
        .await
        .assert_error(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        );
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_error(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        );
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    add_fault(
        &server,
        json!({"Action": "DescribeImages", "Caller": "alice", "Error": "UnknownError", "Times": 1}),
    )
    .await;
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_error(
            400,
            "UnknownError",
            "The request processing has failed due to some unknown error.",
        );
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-free")],
    )
    .await
    .assert_error(
        400,
        "Throttling.User",
        "Request was denied due to user flow control.",
    );
    assert!(has_image(&server, "m-demo-free").await);
    // Another image is not throttled.
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[HZ, ("ImageId", "m-demo-deprecated")],
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn latency_holds_the_answer_back() {
    let server = Server::demo().await;
    add_fault(
        &server,
        json!({"Action": "DescribeImages", "LatencyMs": 300}),
    )
    .await;
    let started = Instant::now();
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let log = requests(&server, "").await;
    assert_eq!(log[0]["Outcome"], "Succeeded");
    assert_eq!(log[0]["Fault"], 1);
}

#[tokio::test]
async fn faults_are_listed_removed_and_cleared_and_reset_clears_everything() {
    let server = Server::demo().await;
    let first = add_fault(
        &server,
        json!({"Action": "DescribeImages", "Error": "Throttling"}),
    )
    .await;
    let second = add_fault(&server, json!({"Action": "DeleteImage", "LatencyMs": 10})).await;
    admin(
        &server,
        "DELETE",
        &format!("/_emulator/faults/{first}"),
        Value::Null,
    )
    .await
    .assert_ok();
    let listed = admin(&server, "GET", "/_emulator/faults", Value::Null)
        .await
        .json();
    let ids: Vec<u64> = listed["Faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [second]);
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
    admin(&server, "DELETE", "/_emulator/faults", Value::Null)
        .await
        .assert_ok();
    let listed = admin(&server, "GET", "/_emulator/faults", Value::Null)
        .await
        .json();
    assert_eq!(listed["Faults"], json!([]));

    add_fault(
        &server,
        json!({"Action": "DescribeImages", "Error": "Throttling"}),
    )
    .await;
    admin(&server, "POST", "/_emulator/reset", Value::Null)
        .await
        .assert_ok();
    assert!(requests(&server, "").await.is_empty());
    call(&server, ALICE_KEY, "DescribeImages", &[HZ])
        .await
        .assert_ok();
}

#[tokio::test]
async fn a_bad_rule_is_refused_with_the_field_it_got_wrong() {
    let server = Server::demo().await;
    for (rule, field) in [
        (
            json!({"Action": "DescribeImagez", "Error": "Throttling"}),
            "Action",
        ),
        (json!({"Action": "DescribeImages"}), "Error"),
        (
            json!({"Action": "DescribeImages", "Error": "Throttling", "Probability": 2}),
            "Probability",
        ),
    ] {
        let answer = admin(&server, "POST", "/_emulator/faults", rule).await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert!(
            answer.json()["Message"].as_str().unwrap().contains(field),
            "{}",
            answer.body
        );
    }
    let typo = admin(
        &server,
        "POST",
        "/_emulator/faults",
        json!({"Action": "DescribeImages", "Eror": "Throttling"}),
    )
    .await;
    assert_eq!(typo.status, 400, "an unknown field is refused, not ignored");
}
