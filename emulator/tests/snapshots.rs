//! Snapshots over real HTTP: CreateImage from an instance (Packer's and Terraform's way) makes
//! a snapshot of the instance's disk that ends with the image; CreateSnapshot makes one of a
//! disk that the admin API finishes; each refusal is the documented answer.

mod common;

use common::{ALICE_KEY, Answer, BOB_KEY, Server, call, complete, world};
use serde_json::{Value, json};

const HZ: &str = "cn-hangzhou";

async fn alice(server: &Server, action: &str, params: &[(&str, &str)]) -> Answer {
    call(server, ALICE_KEY, action, params).await
}

/// A Running instance of Alice's, from the demo's free image.
async fn running_instance(server: &Server) -> String {
    let run = alice(
        server,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    let instance = run["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned();
    complete(server, &format!("?InstanceId={instance}")).await;
    instance
}

/// The world's snapshot of this id, as the admin API shows it.
async fn snapshot(server: &Server, id: &str) -> Value {
    world(server).await["store"]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The id of the instance's (only) disk, as the admin API shows it.
async fn disk_of(server: &Server, instance: &str) -> String {
    world(server).await["store"]["disks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["instance"] == instance)
        .expect("the instance has its system disk")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn create_image_from_an_instance_snapshots_its_disk() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let disk = disk_of(&server, &instance).await;
    let made = alice(
        &server,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("InstanceId", &instance),
            ("ImageName", "packer-build-1"),
        ],
    )
    .await
    .assert_ok();
    let image = made["ImageId"].as_str().unwrap().to_owned();
    let listed = alice(
        &server,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageId", &image),
            ("Status", "Creating"),
        ],
    )
    .await
    .assert_ok();
    let mapping = &listed["Images"]["Image"][0]["DiskDeviceMappings"]["DiskDeviceMapping"];
    assert_eq!(mapping.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(mapping[0]["Type"], "system", "{listed}");
    let snap = mapping[0]["SnapshotId"].as_str().unwrap().to_owned();
    let s = snapshot(&server, &snap).await;
    assert_eq!(s["status"], "progressing", "{s}");
    assert_eq!(s["sourceDisk"], json!(disk), "{s}");

    // The snapshot ends with its image.
    complete(&server, &format!("?ImageId={image}")).await;
    let s = snapshot(&server, &snap).await;
    assert_eq!(
        (&s["status"], &s["progress"]),
        (&json!("accomplished"), &json!(100))
    );
}

#[tokio::test]
async fn create_image_from_an_instance_refusals() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    call(
        &server,
        BOB_KEY,
        "CreateImage",
        &[("RegionId", HZ), ("InstanceId", &instance)],
    )
    .await
    .assert_error(
        404,
        "InvalidInstanceId.NotFound",
        "The specified InstanceId does not exist.",
    );
    alice(&server, "StopInstance", &[("InstanceId", &instance)])
        .await
        .assert_ok();
    alice(
        &server,
        "CreateImage",
        &[("RegionId", HZ), ("InstanceId", &instance)],
    )
    .await
    .assert_error(
        400,
        "IncorrectInstanceStatus",
        "The current status of the instance does not support this operation.",
    );
}

#[tokio::test]
async fn create_snapshot_progresses_until_completed() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let disk = disk_of(&server, &instance).await;
    let made = alice(
        &server,
        "CreateSnapshot",
        &[
            ("DiskId", &disk),
            ("SnapshotName", "nightly-1"),
            ("Description", "before upgrade"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "ops"),
        ],
    )
    .await
    .assert_ok();
    let snap = made["SnapshotId"].as_str().unwrap().to_owned();
    assert!(snap.starts_with("s-"), "{made}");
    let s = snapshot(&server, &snap).await;
    assert_eq!(
        (&s["status"], &s["name"], &s["description"]),
        (
            &json!("progressing"),
            &json!("nightly-1"),
            &json!("before upgrade")
        )
    );
    // A second snapshot of the disk waits for the first.
    alice(&server, "CreateSnapshot", &[("DiskId", &disk)])
        .await
        .assert_error(
            403,
            "IncorrectDiskStatus.CreatingSnapshot",
            "A previous snapshot creation is in process.",
        );
    let done = complete(&server, &format!("?SnapshotId={snap}")).await;
    assert_eq!(done["FinishedSnapshotIds"], json!([snap]));
    assert_eq!(snapshot(&server, &snap).await["status"], "accomplished");
}

#[tokio::test]
async fn create_snapshot_refusals() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let disk = disk_of(&server, &instance).await;
    alice(&server, "CreateSnapshot", &[]).await.assert_error(
        400,
        "MissingParameter",
        "The input parameter DiskId that is mandatory for processing this request is not \
         supplied.",
    );
    call(&server, BOB_KEY, "CreateSnapshot", &[("DiskId", &disk)])
        .await
        .assert_error(
            404,
            "InvalidDiskId.NotFound",
            "The specified DiskId does not exist.",
        );
    alice(
        &server,
        "CreateSnapshot",
        &[("DiskId", &disk), ("SnapshotName", "auto-1")],
    )
    .await
    .assert_error(
        400,
        "InvalidSnapshotName.Malformed",
        "The specified SnapshotName is wrongly formed.",
    );
}

#[tokio::test]
async fn describe_snapshots_lists_filters_and_pages() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let disk = disk_of(&server, &instance).await;
    let mut made = Vec::new();
    for name in ["first-1", "second-1", "third-1"] {
        let answer = alice(
            &server,
            "CreateSnapshot",
            &[
                ("DiskId", &disk),
                ("SnapshotName", name),
                ("Tag.1.Key", "run"),
                ("Tag.1.Value", name),
            ],
        )
        .await
        .assert_ok();
        let id = answer["SnapshotId"].as_str().unwrap().to_owned();
        if name != "third-1" {
            complete(&server, &format!("?SnapshotId={id}")).await;
        }
        made.push(id);
    }
    let listed = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("DiskId", &disk)],
    )
    .await
    .assert_ok();
    assert_eq!(listed["TotalCount"], 3, "{listed}");
    let items = listed["Snapshots"]["Snapshot"].as_array().unwrap();
    let second = items
        .iter()
        .find(|s| s["SnapshotId"] == made[1].as_str())
        .unwrap();
    assert_eq!(second["SnapshotName"], "second-1");
    assert_eq!(second["Status"], "accomplished");
    assert_eq!(second["Progress"], "100%");
    assert_eq!(second["SourceDiskId"], disk.as_str());
    assert_eq!(second["SourceDiskType"], "system");
    assert_eq!(second["Usage"], "none");
    assert_eq!(
        second["Tags"]["Tag"],
        json!([{"TagKey": "run", "TagValue": "second-1"}])
    );
    let third = items
        .iter()
        .find(|s| s["SnapshotId"] == made[2].as_str())
        .unwrap();
    assert_eq!(
        (&third["Status"], &third["Progress"]),
        (&json!("progressing"), &json!("0%"))
    );

    // Filters: Status, SnapshotIds (JSON array), Tag.N, InstanceId; Bob sees none of them.
    let progressing = alice(
        &server,
        "DescribeSnapshots",
        &[
            ("RegionId", HZ),
            ("DiskId", &disk),
            ("Status", "progressing"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(progressing["TotalCount"], 1);
    let ids = format!("[\"{}\",\"{}\"]", made[0], made[2]);
    let by_ids = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("SnapshotIds", &ids)],
    )
    .await
    .assert_ok();
    assert_eq!(by_ids["TotalCount"], 2);
    let by_tag = alice(
        &server,
        "DescribeSnapshots",
        &[
            ("RegionId", HZ),
            ("Tag.1.Key", "run"),
            ("Tag.1.Value", "first-1"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(
        by_tag["Snapshots"]["Snapshot"][0]["SnapshotId"],
        made[0].as_str()
    );
    let by_instance = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("InstanceId", &instance)],
    )
    .await
    .assert_ok();
    assert_eq!(by_instance["TotalCount"], 3);
    let bobs = call(
        &server,
        BOB_KEY,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("DiskId", &disk)],
    )
    .await
    .assert_ok();
    assert_eq!(bobs["TotalCount"], 0);

    // Token paging: two, then the last one.
    let first = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("DiskId", &disk), ("MaxResults", "2")],
    )
    .await
    .assert_ok();
    assert_eq!(first["Snapshots"]["Snapshot"].as_array().unwrap().len(), 2);
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let rest = alice(
        &server,
        "DescribeSnapshots",
        &[
            ("RegionId", HZ),
            ("DiskId", &disk),
            ("MaxResults", "2"),
            ("NextToken", &token),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(rest["Snapshots"]["Snapshot"].as_array().unwrap().len(), 1);
    assert!(rest.get("NextToken").is_none(), "{rest}");

    alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("Status", "done")],
    )
    .await
    .assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Status\" is not valid.",
    );
}

#[tokio::test]
async fn packer_tags_the_images_snapshots_with_add_tags() {
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let made = alice(
        &server,
        "CreateImage",
        &[("RegionId", HZ), ("InstanceId", &instance)],
    )
    .await
    .assert_ok();
    let image = made["ImageId"].as_str().unwrap().to_owned();
    complete(&server, &format!("?ImageId={image}")).await;
    let listed = alice(
        &server,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageId", &image)],
    )
    .await
    .assert_ok();
    let snap =
        listed["Images"]["Image"][0]["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]
            .as_str()
            .unwrap()
            .to_owned();
    alice(
        &server,
        "AddTags",
        &[
            ("RegionId", HZ),
            ("ResourceId", &snap),
            ("ResourceType", "snapshot"),
            ("Tag.1.Key", "packer"),
            ("Tag.1.Value", "yes"),
        ],
    )
    .await
    .assert_ok();
    let tagged = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("Tag.1.Key", "packer")],
    )
    .await
    .assert_ok();
    assert_eq!(
        tagged["Snapshots"]["Snapshot"][0]["SnapshotId"],
        snap.as_str()
    );
    assert_eq!(tagged["Snapshots"]["Snapshot"][0]["Usage"], "image");
    alice(
        &server,
        "RemoveTags",
        &[
            ("RegionId", HZ),
            ("ResourceId", &snap),
            ("ResourceType", "snapshot"),
            ("Tag.1.Key", "packer"),
        ],
    )
    .await
    .assert_ok();
    let untagged = alice(
        &server,
        "DescribeSnapshots",
        &[("RegionId", HZ), ("Tag.1.Key", "packer")],
    )
    .await
    .assert_ok();
    assert_eq!(untagged["TotalCount"], 0);
    call(
        &server,
        BOB_KEY,
        "AddTags",
        &[
            ("RegionId", HZ),
            ("ResourceId", &snap),
            ("ResourceType", "snapshot"),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .assert_error(
        404,
        "InvalidResourceId.NotFound",
        "The specified ResourceIds are not found in our records.",
    );
}

#[tokio::test]
async fn describe_disks_finds_an_instances_system_disk() {
    // Packer's step_create_snapshot: DescribeDisks(RegionId, InstanceId, DiskType=system).
    let server = Server::demo().await;
    let instance = running_instance(&server).await;
    let disk = disk_of(&server, &instance).await;
    let found = alice(
        &server,
        "DescribeDisks",
        &[
            ("RegionId", HZ),
            ("InstanceId", &instance),
            ("DiskType", "system"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(found["TotalCount"], 1, "{found}");
    let item = &found["Disks"]["Disk"][0];
    assert_eq!(item["DiskId"], disk.as_str());
    assert_eq!(item["InstanceId"], instance.as_str());
    assert_eq!(item["Type"], "system");
    assert_eq!(item["Status"], "In_use");
    let data = alice(
        &server,
        "DescribeDisks",
        &[
            ("RegionId", HZ),
            ("InstanceId", &instance),
            ("DiskType", "data"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(data["TotalCount"], 0);
    let ids = format!("[\"{disk}\"]");
    let by_id = alice(
        &server,
        "DescribeDisks",
        &[("RegionId", HZ), ("DiskIds", &ids)],
    )
    .await
    .assert_ok();
    assert_eq!(by_id["Disks"]["Disk"][0]["DiskId"], disk.as_str());
    let bobs = call(
        &server,
        BOB_KEY,
        "DescribeDisks",
        &[("RegionId", HZ), ("DiskIds", &ids)],
    )
    .await
    .assert_ok();
    assert_eq!(bobs["TotalCount"], 0);
    alice(
        &server,
        "DescribeDisks",
        &[("RegionId", HZ), ("DiskType", "ephemeral")],
    )
    .await
    .assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"DiskType\" is not valid.",
    );
}
