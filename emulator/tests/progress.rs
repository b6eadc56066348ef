//! The emulator's clock and progress policy over HTTP: work progresses by itself as the policy
//! says, with no admin completion; a fixed clock moved by the admin API makes it
//! deterministic; `after-describes` counts Describe calls; work a world file pins stays; and a
//! state file replays clock and progress to the same world, byte for byte.

#[path = "common/process.rs"]
mod child;
mod common;

use child::{Process, Scratch, world_of};
use common::{ALICE_KEY, Server, acs3_headers, call, query, send};
use ecs_image_emulator::clock::Clock;
use ecs_image_emulator::{Config, demo};
use serde_json::{Value, json};

const HZ: &str = "cn-hangzhou";

async fn admin(server: &Server, method: &str, path: &str, body: Value) -> Value {
    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    send(
        method,
        &server.url(path),
        &headers,
        serde_json::to_vec(&body).unwrap(),
    )
    .await
    .assert_ok()
}

async fn status_of(server: &Server, instance: &str) -> String {
    let ids = format!("[\"{instance}\"]");
    let body = call(
        server,
        ALICE_KEY,
        "DescribeInstances",
        &[("RegionId", HZ), ("InstanceIds", &ids)],
    )
    .await
    .assert_ok();
    body["Instances"]["Instance"][0]["Status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn run_instance(server: &Server) -> String {
    let run = call(
        server,
        ALICE_KEY,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    run["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned()
}

fn fixed_config(progress: &str) -> Config {
    Config {
        clock: "fixed:2026-12-02T12:00:00Z".parse::<Clock>().unwrap(),
        progress: progress.parse().unwrap(),
        ..Config::new(demo::world())
    }
}

#[tokio::test]
async fn after_seconds_follows_the_clock_and_no_admin_completion_is_needed() {
    let server = Server::start(fixed_config("manual,instance=after:10")).await;
    let instance = run_instance(&server).await;
    assert_eq!(status_of(&server, &instance).await, "Pending");
    admin(
        &server,
        "POST",
        "/_emulator/clock/advance?Seconds=9.5",
        json!({}),
    )
    .await;
    assert_eq!(status_of(&server, &instance).await, "Pending");
    admin(
        &server,
        "POST",
        "/_emulator/clock/advance?Seconds=0.5",
        json!({}),
    )
    .await;
    assert_eq!(status_of(&server, &instance).await, "Running");

    // StopInstance at 12:00:10, stopped ten seconds later.
    call(
        &server,
        ALICE_KEY,
        "StopInstance",
        &[("InstanceId", &instance)],
    )
    .await
    .assert_ok();
    assert_eq!(status_of(&server, &instance).await, "Stopping");
    admin(
        &server,
        "POST",
        "/_emulator/clock/advance?Seconds=10",
        json!({}),
    )
    .await;
    assert_eq!(status_of(&server, &instance).await, "Stopped");

    // Images stay manual under this policy: a CreateImage stays Creating whatever the time.
    let made = call(&server, ALICE_KEY, "CreateImage", &[("RegionId", HZ)])
        .await
        .assert_ok();
    let image = made["ImageId"].as_str().unwrap();
    admin(
        &server,
        "POST",
        "/_emulator/clock/advance?Seconds=3600",
        json!({}),
    )
    .await;
    let found = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageId", image), ("Status", "Creating")],
    )
    .await
    .assert_ok();
    assert_eq!(found["TotalCount"], 1, "{found}");

    // The policy and the clock read back as set; the store's clock is the last change's.
    let clock = send("GET", &server.url("/_emulator/clock"), &[], Vec::new())
        .await
        .assert_ok();
    assert_eq!(clock["Clock"], "fixed:2026-12-02T13:00:20Z");
    assert_eq!(clock["StoreClock"], "2026-12-02T12:00:20Z");
    let policy = send("GET", &server.url("/_emulator/progress"), &[], Vec::new())
        .await
        .assert_ok();
    assert_eq!(policy["Progress"], "manual,instance=after:10");
}

#[tokio::test]
async fn after_describes_counts_describe_calls() {
    let server = Server::start(fixed_config("manual")).await;
    admin(
        &server,
        "PUT",
        "/_emulator/progress",
        json!({"Progress": "manual,image-creation=after-describes:2"}),
    )
    .await;
    let made = call(&server, ALICE_KEY, "CreateImage", &[("RegionId", HZ)])
        .await
        .assert_ok();
    let image = made["ImageId"].as_str().unwrap().to_owned();
    let status = || {
        let server = &server;
        let image = image.clone();
        async move {
            let all = "Creating,Available";
            let body = call(
                server,
                ALICE_KEY,
                "DescribeImages",
                &[("RegionId", HZ), ("ImageId", &image), ("Status", all)],
            )
            .await
            .assert_ok();
            body["Images"]["Image"][0]["Status"].clone()
        }
    };
    assert_eq!(status().await, "Creating");
    assert_eq!(status().await, "Creating");
    assert_eq!(status().await, "Available");
}

#[tokio::test]
async fn work_a_world_file_lists_is_pinned_and_bad_settings_are_refused() {
    // Immediate progress, and yet the demo world's running import still blocks DeleteImage.
    let server = Server::start(fixed_config("immediate")).await;
    for _ in 0..2 {
        call(
            &server,
            ALICE_KEY,
            "DeleteImage",
            &[("RegionId", HZ), ("ImageId", "m-demo-importing")],
        )
        .await
        .assert_error(403, "ImageIsImporting", "The specified Image is importing.");
    }
    // Work the API starts is not pinned: immediate means done by the next call.
    let instance = run_instance(&server).await;
    assert_eq!(status_of(&server, &instance).await, "Running");

    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    for (path, body) in [
        ("/_emulator/progress", json!({"Progress": "sometimes"})),
        ("/_emulator/clock", json!({"Clock": "sundial"})),
    ] {
        let answer = send(
            "PUT",
            &server.url(path),
            &headers,
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
        assert_eq!(answer.status, 400, "{path}: {}", answer.body);
    }
    admin(&server, "PUT", "/_emulator/clock", json!({"Clock": "wall"})).await;
    let moved = send(
        "POST",
        &server.url("/_emulator/clock/advance?Seconds=1"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(moved.status, 400, "the wall clock cannot be moved");
}

/// A state file replays the journaled times and progress: the world after a restart is the
/// world before it, byte for byte.
#[tokio::test]
async fn a_restart_replays_clock_and_progress_to_the_same_world() {
    let scratch = Scratch::new();
    std::fs::write(
        scratch.0.join("world.json"),
        world_of(&["m-pr-1".to_owned()]),
    )
    .unwrap();
    let world = scratch.path("world.json");
    let state = scratch.path("state.json");
    let args = [
        "--world",
        world.as_str(),
        "--state",
        state.as_str(),
        "--clock",
        "stepped:2026-12-02T12:00:00Z+1",
        "--progress",
        "after:2",
    ];
    let signed = |p: &Process, action: &'static str, params: Vec<(&'static str, String)>| {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let headers = acs3_headers("POST", &p.address, &params, b"", action, ALICE_KEY);
        let url = p.url(&format!("/?{}", query(&params)));
        async move { send("POST", &url, &headers, Vec::new()).await }
    };
    let first = Process::start(&args, &[]);
    let run = signed(
        &first,
        "RunInstances",
        vec![
            ("RegionId", HZ.to_owned()),
            ("ImageId", "m-pr-1".to_owned()),
        ],
    )
    .await
    .assert_ok();
    let instance = run["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned();
    signed(&first, "CreateImage", vec![("RegionId", HZ.to_owned())])
        .await
        .assert_ok();
    // Each call is a second later: by the fourth the instance (started at 12:00:00) is due.
    for _ in 0..3 {
        signed(
            &first,
            "DescribeInstances",
            vec![("RegionId", HZ.to_owned())],
        )
        .await
        .assert_ok();
    }
    let before = send("GET", &first.url("/_emulator/world"), &[], Vec::new())
        .await
        .body;
    let parsed: Value = serde_json::from_str(&before).unwrap();
    let instances = parsed["store"]["instances"].as_array().unwrap();
    let ours = instances
        .iter()
        .find(|i| i["id"] == instance.as_str())
        .unwrap();
    assert_eq!(
        ours.get("status"),
        None,
        "Running is written by omission: {ours}"
    );
    assert_eq!(
        parsed["store"]["images"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["status"] == "Available")
            .count(),
        2,
        "the CreateImage made at 12:00:01 is done by 12:00:04: {parsed}"
    );
    first.signal("TERM");
    assert!(first.wait().0, "a clean stop");

    let second = Process::start(&args, &[]);
    let after = send("GET", &second.url("/_emulator/world"), &[], Vec::new())
        .await
        .body;
    assert_eq!(after, before);
    second.signal("TERM");
    assert!(second.wait().0);
}

async fn advance(server: &Server, seconds: &str) {
    let path = format!("/_emulator/clock/advance?Seconds={seconds}");
    admin(server, "POST", &path, json!({})).await;
}

async fn task_attribute(server: &Server, task: &str) -> Value {
    call(
        server,
        ALICE_KEY,
        "DescribeTaskAttribute",
        &[("RegionId", HZ), ("TaskId", task)],
    )
    .await
    .assert_ok()
}

/// DescribeTaskAttribute, what Terraform's `alicloud_image_export` waits on: `TaskProcess`
/// moves with the pace, `TaskStatus` goes from `Processing` to `Finished` with no admin call,
/// and the counts and times follow.
#[tokio::test]
async fn describe_task_attribute_follows_the_pace_of_an_export() {
    let server = Server::start(fixed_config("manual,export=after:10")).await;
    let export = call(
        &server,
        ALICE_KEY,
        "ExportImage",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("OSSBucket", "bucket"),
        ],
    )
    .await
    .assert_ok();
    let task = export["TaskId"].as_str().unwrap();
    let running = task_attribute(&server, task).await;
    assert_eq!(running["TaskId"], task, "{running}");
    assert_eq!(running["RegionId"], HZ);
    assert_eq!(running["TaskAction"], "ExportImage");
    assert_eq!(running["TaskStatus"], "Processing");
    assert_eq!(running["TaskProcess"], "0%");
    assert_eq!(running["SupportCancel"], "true");
    assert_eq!(running["CreationTime"], "2026-12-02T12:00:00Z");
    assert!(running.get("FinishedTime").is_none(), "{running}");
    assert_eq!(
        (
            &running["TotalCount"],
            &running["SuccessCount"],
            &running["FailedCount"]
        ),
        (&json!(1), &json!(0), &json!(0))
    );
    let item = &running["OperationProgressSet"]["OperationProgress"][0];
    assert_eq!(
        item["RelatedItemSet"]["RelatedItem"][0]["Value"],
        "m-demo-free"
    );

    advance(&server, "4").await;
    assert_eq!(task_attribute(&server, task).await["TaskProcess"], "40%");
    advance(&server, "6").await;
    let done = task_attribute(&server, task).await;
    assert_eq!(done["TaskStatus"], "Finished", "{done}");
    assert_eq!(done["TaskProcess"], "100%");
    assert_eq!(done["SupportCancel"], "false");
    assert_eq!(done["FinishedTime"], "2026-12-02T12:00:10Z");
    assert_eq!(done["SuccessCount"], 1);

    // Another account's task is not found; a missing TaskId is the gateway's answer.
    call(
        &server,
        common::BOB_KEY,
        "DescribeTaskAttribute",
        &[("RegionId", HZ), ("TaskId", task)],
    )
    .await
    .assert_error(
        400,
        "InvalidTaskId.NotFound",
        "The specified \"TaskId\" is not found.",
    );
    call(
        &server,
        ALICE_KEY,
        "DescribeTaskAttribute",
        &[("RegionId", HZ)],
    )
    .await
    .assert_error(400, "MissingTaskId", "TaskId is mandatory for this action.");
}

/// A creating image's `Progress`, and its disk mappings' `Progress` and `RemainTime`, are read
/// from the pace at the call's time, and agree with each other.
#[tokio::test]
async fn a_creating_image_shows_its_progress_and_time_left() {
    let server = Server::start(fixed_config("manual,image-creation=after:20")).await;
    let made = call(
        &server,
        ALICE_KEY,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("SnapshotId", "s-demo-free"),
            ("DiskDeviceMapping.1.Size", "40"),
        ],
    )
    .await
    .assert_ok();
    let image = made["ImageId"].as_str().unwrap();
    let describe = || async {
        let found = call(
            &server,
            ALICE_KEY,
            "DescribeImages",
            &[("RegionId", HZ), ("ImageId", image), ("Status", "ALL")],
        )
        .await
        .assert_ok();
        found["Images"]["Image"][0].clone()
    };
    advance(&server, "5").await;
    let creating = describe().await;
    assert_eq!(creating["Status"], "Creating", "{creating}");
    assert_eq!(creating["Progress"], "25%");
    let mapping = &creating["DiskDeviceMappings"]["DiskDeviceMapping"][0];
    assert_eq!(mapping["Progress"], "25%", "{mapping}");
    assert_eq!(mapping["RemainTime"], 15);
    advance(&server, "15").await;
    let made = describe().await;
    assert_eq!(made["Status"], "Available", "{made}");
    assert_eq!(made["Progress"], "100%");
    let mapping = &made["DiskDeviceMappings"]["DiskDeviceMapping"][0];
    assert_eq!(mapping["Progress"], "100%");
    assert_eq!(mapping["RemainTime"], 0);
}
