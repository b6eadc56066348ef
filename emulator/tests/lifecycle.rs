//! The lifecycle actions and the Describe* queries over real HTTP: a full lifecycle that walks
//! one image through every blocker, each refused with DeleteImage's own answer and undone with
//! the API the message points to.

mod common;

use common::{ALICE_KEY, Answer, BOB_KEY, Server, call, complete, instance_ids};
use serde_json::{Value, json};

const HZ: &str = "cn-hangzhou";

async fn alice(server: &Server, action: &str, params: &[(&str, &str)]) -> Answer {
    call(server, ALICE_KEY, action, params).await
}

async fn delete_image(server: &Server, image: &str) -> Answer {
    alice(
        server,
        "DeleteImage",
        &[("RegionId", HZ), ("ImageId", image)],
    )
    .await
}

async fn describe_one(server: &Server, image: &str) -> Value {
    let all = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated";
    let body = alice(
        server,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageId", image), ("Status", all)],
    )
    .await
    .assert_ok();
    assert_eq!(body["TotalCount"], 1, "{body}");
    body["Images"]["Image"][0].clone()
}

/// An error answer: HTTP status, code and message.
type Refusal = (u16, &'static str, &'static str);

/// One call: who calls (an access key), which action, with which parameters.
type Call<'a> = ((&'a str, &'a str), &'a str, &'a [(&'a str, &'a str)]);

/// Each call is answered with exactly its error.
async fn refusals(server: &Server, rows: &[(Call<'_>, Refusal)]) {
    for &((key, action, params), (status, code, message)) in rows {
        call(server, key, action, params)
            .await
            .assert_error(status, code, message);
    }
}

const DRY_RUN_OPERATION: Refusal = (
    400,
    "DryRunOperation",
    "Request validation has been passed with DryRun flag set.",
);

#[tokio::test]
async fn a_full_lifecycle_meets_every_blocker() {
    let server = Server::demo().await;

    // CreateImage: Creating, then the service finishes it.
    let made = alice(
        &server,
        "CreateImage",
        &[("RegionId", HZ), ("SnapshotId", "s-new-1")],
    )
    .await
    .assert_ok();
    let image = made["ImageId"].as_str().unwrap().to_owned();
    assert!(image.starts_with("m-"), "{image}");
    assert_eq!(describe_one(&server, &image).await["Status"], "Creating");
    assert_eq!(
        complete(&server, &format!("?ImageId={image}")).await["FinishedImageIds"],
        json!([image])
    );
    let described = describe_one(&server, &image).await;
    assert_eq!(described["Status"], "Available");
    assert_eq!(described["ImageOwnerAlias"], "self");
    assert_eq!(
        described["DiskDeviceMappings"]["DiskDeviceMapping"],
        json!([{"SnapshotId": "s-new-1", "Encrypted": false, "Progress": "100%", "RemainTime": 0}])
    );
    let img = image.as_str();

    // Shared → ImageUseShared; DescribeImageSharePermission names Bob; RemoveAccount undoes it.
    alice(
        &server,
        "ModifyImageSharePermission",
        &[("RegionId", HZ), ("ImageId", img), ("AddAccount.1", "bob")],
    )
    .await
    .assert_ok();
    delete_image(&server, img).await.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
    let shares = alice(
        &server,
        "DescribeImageSharePermission",
        &[("RegionId", HZ), ("ImageId", img)],
    )
    .await
    .assert_ok();
    assert_eq!(shares["Accounts"]["Account"], json!([{"AliyunId": "bob"}]));
    assert_eq!(shares["TotalCount"], 1);
    assert_eq!(describe_one(&server, img).await["IsSelfShared"], "True");
    // Bob now sees it as "others" and cannot delete it.
    let bob_view = call(
        &server,
        BOB_KEY,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageId", img)],
    )
    .await
    .assert_ok();
    assert_eq!(bob_view["Images"]["Image"][0]["ImageOwnerAlias"], "others");
    alice(
        &server,
        "ModifyImageSharePermission",
        &[
            ("RegionId", HZ),
            ("ImageId", img),
            ("RemoveAccount.1", "bob"),
        ],
    )
    .await
    .assert_ok();

    // Public → ImageIsPublic; IsPublic=false undoes it.
    alice(
        &server,
        "ModifyImageSharePermission",
        &[("RegionId", HZ), ("ImageId", img), ("IsPublic", "True")],
    )
    .await
    .assert_ok();
    delete_image(&server, img).await.assert_error(
        403,
        "ImageIsPublic",
        "You can not delete public image, please modify it to private.",
    );
    let shares = alice(
        &server,
        "DescribeImageSharePermission",
        &[("RegionId", HZ), ("ImageId", img)],
    )
    .await
    .assert_ok();
    assert_eq!(
        shares["ShareGroups"]["ShareGroup"],
        json!([{"Group": "all"}])
    );
    assert_eq!(describe_one(&server, img).await["IsPublic"], true);
    alice(
        &server,
        "ModifyImageSharePermission",
        &[("RegionId", HZ), ("ImageId", img), ("IsPublic", "false")],
    )
    .await
    .assert_ok();

    // InUse → ImageUsingByInstance; DescribeInstances finds it; DeleteInstance (no RegionId, as
    // the SDKs send it) releases it.
    let run = alice(
        &server,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", img)],
    )
    .await
    .assert_ok();
    let instance = run["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned();
    delete_image(&server, img).await.assert_error(
        403,
        "ImageUsingByInstance",
        "The specified image has been used to create instances.",
    );
    let instances = alice(
        &server,
        "DescribeInstances",
        &[("RegionId", HZ), ("ImageId", img)],
    )
    .await
    .assert_ok();
    assert_eq!(instances["TotalCount"], 1);
    assert_eq!(
        instances["Instances"]["Instance"][0]["InstanceId"],
        instance.as_str()
    );
    assert_eq!(describe_one(&server, img).await["Usage"], "instance");
    // Pending until the service settles it; then Running, released only with Force.
    assert_eq!(instances["Instances"]["Instance"][0]["Status"], "Pending");
    alice(&server, "DeleteInstance", &[("InstanceId", &instance)])
        .await
        .assert_error(
            403,
            "IncorrectInstanceStatus.Initializing",
            "The specified instance status does not support this operation.",
        );
    let settled = complete(&server, &format!("?InstanceId={instance}")).await;
    assert_eq!(settled["SettledInstanceIds"][0], instance.as_str());
    alice(&server, "DeleteInstance", &[("InstanceId", &instance)])
        .await
        .assert_error(
            403,
            "IncorrectInstanceStatus",
            "The current status of the resource does not support this operation.",
        );
    alice(
        &server,
        "DeleteInstance",
        &[("InstanceId", &instance), ("Force", "true")],
    )
    .await
    .assert_ok();
    assert_eq!(describe_one(&server, img).await["Usage"], "none");

    // Exporting → ImageIsExporting; DescribeTasks shows it Processing; CancelTask ends it.
    let export = alice(
        &server,
        "ExportImage",
        &[("RegionId", HZ), ("ImageId", img), ("OSSBucket", "bucket")],
    )
    .await
    .assert_ok();
    let task = export["TaskId"].as_str().unwrap().to_owned();
    delete_image(&server, img).await.assert_error(
        403,
        "ImageIsExporting",
        "The specified Image is exporting. Please cancel task first.",
    );
    let tasks = alice(
        &server,
        "DescribeTasks",
        &[
            ("RegionId", HZ),
            ("TaskAction", "ExportImage"),
            ("TaskStatus", "Processing"),
        ],
    )
    .await
    .assert_ok();
    let listed: Vec<&str> = tasks["TaskSet"]["Task"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TaskId"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&task.as_str()), "{tasks}");
    let listed_task = tasks["TaskSet"]["Task"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["TaskId"] == task.as_str())
        .unwrap();
    assert_eq!(listed_task["SupportCancel"], true, "{listed_task}");
    assert!(listed_task["CreationTime"].as_str().unwrap().ends_with('Z'));
    assert!(listed_task.get("FinishedTime").is_none(), "{listed_task}");
    alice(
        &server,
        "CancelTask",
        &[("RegionId", HZ), ("TaskId", &task)],
    )
    .await
    .assert_ok();
    let again = alice(
        &server,
        "CancelTask",
        &[("RegionId", HZ), ("TaskId", &task)],
    )
    .await;
    again.assert_error(
        403,
        "InvalidTaskId.IncorrectTaskStatus",
        "The specified task status is not invalid.",
    );
    let ended = alice(
        &server,
        "DescribeTasks",
        &[("RegionId", HZ), ("TaskIds", &task)],
    )
    .await
    .assert_ok();
    assert_eq!(ended["TaskSet"]["Task"][0]["TaskStatus"], "Cancelled");

    // Copying → OperationDenied.ImageCopying on both ends; CancelCopyImage (in the copy's
    // region) removes the copy.
    let copy = alice(
        &server,
        "CopyImage",
        &[
            ("RegionId", HZ),
            ("ImageId", img),
            ("DestinationRegionId", "cn-shanghai"),
        ],
    )
    .await
    .assert_ok();
    let copy = copy["ImageId"].as_str().unwrap().to_owned();
    delete_image(&server, img).await.assert_error(
        403,
        "OperationDenied.ImageCopying",
        "The Image is coping.",
    );
    alice(
        &server,
        "DeleteImage",
        &[("RegionId", "cn-shanghai"), ("ImageId", &copy)],
    )
    .await
    .assert_error(403, "OperationDenied.ImageCopying", "The Image is coping.");
    alice(
        &server,
        "CancelCopyImage",
        &[("RegionId", "cn-shanghai"), ("ImageId", &copy)],
    )
    .await
    .assert_ok();

    // Deprecated images are deletable.
    alice(
        &server,
        "ModifyImageAttribute",
        &[("RegionId", HZ), ("ImageId", img), ("Status", "Deprecated")],
    )
    .await
    .assert_ok();
    assert_eq!(describe_one(&server, img).await["Status"], "Deprecated");
    let deleted = delete_image(&server, img).await;
    deleted.assert_ok();
    assert_eq!(deleted.header("x-emulator-outcome"), Some("Deleted"));

    // Importing → ImageIsImporting; CancelTask removes the image being imported.
    let import = alice(
        &server,
        "ImportImage",
        &[
            ("RegionId", HZ),
            ("DiskDeviceMapping.1.OSSBucket", "bucket"),
            ("DiskDeviceMapping.1.OSSObject", "image.qcow2"),
        ],
    )
    .await
    .assert_ok();
    let (imported, import_task) = (
        import["ImageId"].as_str().unwrap(),
        import["TaskId"].as_str().unwrap(),
    );
    assert_eq!(import["RegionId"], HZ);
    assert_eq!(describe_one(&server, imported).await["Status"], "Waiting");
    delete_image(&server, imported).await.assert_error(
        403,
        "ImageIsImporting",
        "The specified Image is importing.",
    );
    alice(
        &server,
        "CancelTask",
        &[("RegionId", HZ), ("TaskId", import_task)],
    )
    .await
    .assert_ok();
    let gone = delete_image(&server, imported).await;
    assert_eq!(gone.header("x-emulator-outcome"), Some("Ignored"));
}

#[tokio::test]
async fn lifecycle_refusals_are_the_libraries() {
    let server = Server::demo().await;
    refusals(
        &server,
        &[
            (
                (
                    ALICE_KEY,
                    "CopyImage",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-public"),
                        ("DestinationRegionId", "cn-beijing"),
                    ],
                ),
                (
                    400,
                    "OperationDenied.CommunityImage",
                    "Community image does not support copy.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ModifyImageSharePermission",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("AddAccount.1", "alice"),
                    ],
                ),
                (
                    404,
                    "InvalidAccount.Forbbiden",
                    "The specified Account does not yourself.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "CancelCopyImage",
                    &[("RegionId", HZ), ("ImageId", "m-demo-free")],
                ),
                (
                    400,
                    "ImageCreatedNotFromCopy",
                    "The specified image is not the target image of a copy action.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "CancelTask",
                    &[("RegionId", HZ), ("TaskId", "t-nothing")],
                ),
                (
                    400,
                    "InvalidTaskId.NotFound",
                    "The specified \"TaskId\" is not found.",
                ),
            ),
            (
                (
                    BOB_KEY,
                    "DeleteInstance",
                    &[("InstanceId", "i-m-demo-in-use-1")],
                ),
                (
                    404,
                    "InvalidInstanceId.NotFound",
                    "The specified InstanceId does not exist.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ExportImage",
                    &[
                        ("RegionId", "xx-nowhere-1"),
                        ("ImageId", "m-demo-free"),
                        ("OSSBucket", "bucket"),
                    ],
                ),
                (
                    404,
                    "InvalidRegionId.NotFound",
                    "The specified RegionId does not exist.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ExportImage",
                    &[("RegionId", HZ), ("ImageId", "m-demo-free")],
                ),
                (
                    400,
                    "MissingParameter",
                    "An input parameter \"OSSBucket\" that is mandatory for processing the \
                     request is not supplied.",
                ),
            ),
            (
                (ALICE_KEY, "ImportImage", &[("RegionId", HZ)]),
                (
                    403,
                    "MissingParameter.DiskDeviceMapping",
                    "The specified parameter DiskDeviceMapping is not supplied.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ImportImage",
                    &[
                        ("RegionId", HZ),
                        ("DiskDeviceMapping.1.OSSObject", "image.qcow2"),
                    ],
                ),
                (
                    400,
                    "MissingParameter",
                    "An input parameter \"DiskDeviceMapping.1.OSSBucket\" that is mandatory for \
                     processing the request is not supplied.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "CreateImage",
                    &[("RegionId", HZ), ("ImageName", "http://bad")],
                ),
                (
                    400,
                    "InvalidImageName.Malformed",
                    "The specified Image name is wrongly formed.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ModifyImageAttribute",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("Description", "x"),
                    ],
                ),
                (
                    400,
                    "InvalidDescription.Malformed",
                    "The specified description is wrongly formed.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "CopyImage",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("DestinationRegionId", "cn-shanghai"),
                        ("DestinationImageName", "9lives"),
                    ],
                ),
                (
                    400,
                    "InvalidImageName.Malformed",
                    "The specified Image name is wrongly formed.",
                ),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn parameters_are_checked_before_the_action() {
    let server = Server::demo().await;
    refusals(
        &server,
        &[
            (
                (ALICE_KEY, "ExportImage", &[("RegionId", HZ)]),
                (
                    400,
                    "MissingImageId",
                    "ImageId is mandatory for this action.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "CopyImage",
                    &[("RegionId", HZ), ("ImageId", "m-demo-free")],
                ),
                (
                    400,
                    "MissingDestinationRegionId",
                    "DestinationRegionId is mandatory for this action.",
                ),
            ),
            (
                (ALICE_KEY, "CancelTask", &[("TaskId", "t-1")]),
                (
                    400,
                    "MissingRegionId",
                    "RegionId is mandatory for this action.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ModifyImageSharePermission",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("IsPublic", "maybe"),
                    ],
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"IsPublic\" is not valid.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "ModifyImageAttribute",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("Status", "Gone"),
                    ],
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"Status\" is not valid.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "RunInstances",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("Amount", "101"),
                    ],
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"Amount\" is not valid.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "DescribeImages",
                    &[("RegionId", HZ), ("Status", "Available,Sleeping")],
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"Status\" is not valid.",
                ),
            ),
            (
                (
                    ALICE_KEY,
                    "DescribeImages",
                    &[("RegionId", HZ), ("PageSize", "101")],
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"PageSize\" is not valid.",
                ),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn dry_run_checks_and_changes_nothing() {
    let server = Server::demo().await;
    let before = common::world(&server).await;
    refusals(
        &server,
        &[
            (
                (
                    ALICE_KEY,
                    "CreateImage",
                    &[("RegionId", HZ), ("DryRun", "true")],
                ),
                DRY_RUN_OPERATION,
            ),
            (
                (
                    ALICE_KEY,
                    "RunInstances",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-free"),
                        ("DryRun", "True"),
                        ("Amount", "3"),
                    ],
                ),
                DRY_RUN_OPERATION,
            ),
            (
                (
                    ALICE_KEY,
                    "ExportImage",
                    &[
                        ("RegionId", HZ),
                        ("ImageId", "m-demo-public"),
                        ("OSSBucket", "bucket"),
                        ("DryRun", "true"),
                    ],
                ),
                (
                    400,
                    "OperationDenied.CommunityImage",
                    "Community image does not support export.",
                ),
            ),
        ],
    )
    .await;
    assert_eq!(common::world(&server).await, before);
}

#[tokio::test]
async fn run_instances_makes_amount_instances() {
    let server = Server::demo().await;
    let run = alice(
        &server,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("Amount", "3"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(
        run["InstanceIdSets"]["InstanceIdSet"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let listed = alice(
        &server,
        "DescribeInstances",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert_eq!(listed["TotalCount"], 3);
}

#[tokio::test]
async fn describe_images_filters_and_pages() {
    let server = Server::demo().await;
    // Default Status is Available: of Alice's own images that excludes the Waiting import, the
    // Creating copy (in another region anyway) and the Deprecated one.
    let own = alice(
        &server,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageOwnerAlias", "self")],
    )
    .await
    .assert_ok();
    let ids: Vec<&str> = own["Images"]["Image"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ImageId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "m-demo-copying",
            "m-demo-exporting",
            "m-demo-free",
            "m-demo-in-use",
            "m-demo-public",
            "m-demo-shared"
        ]
    );
    assert_eq!(own["TotalCount"], 6);
    let page = alice(
        &server,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageOwnerAlias", "self"),
            ("PageSize", "4"),
            ("PageNumber", "2"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(page["TotalCount"], 6);
    assert_eq!(page["PageNumber"], 2);
    let ids: Vec<&str> = page["Images"]["Image"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ImageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["m-demo-public", "m-demo-shared"]);
    let system = alice(
        &server,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageOwnerAlias", "system")],
    )
    .await
    .assert_ok();
    assert_eq!(
        system["Images"]["Image"][0]["ImageId"],
        "aliyun_3_x64_20G_alibase_20240819.vhd"
    );
    let bad_alias = alice(
        &server,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageOwnerAlias", "mine")],
    )
    .await;
    bad_alias.assert_error(
        400,
        "InvalidImageOwnerAlias.ValueNotSupported",
        "The specified ImageOwnerAlias value is not supported.",
    );
}

#[tokio::test]
async fn describe_images_in_xml_repeats_the_item_element() {
    let server = Server::demo().await;
    let answer = alice(
        &server,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free,m-demo-shared"),
            ("Format", "XML"),
        ],
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), "text/xml;charset=utf-8");
    let body = &answer.body;
    assert!(
        body.starts_with(
            "<?xml version='1.0' encoding='UTF-8'?><DescribeImagesResponse><RequestId>"
        ),
        "{body}"
    );
    assert_eq!(body.matches("<Image>").count(), 2, "{body}");
    assert!(
        body.contains("<Images><Image><ImageId>m-demo-free</ImageId>"),
        "{body}"
    );
    assert!(body.contains("<TotalCount>2</TotalCount>"), "{body}");
}

async fn modify_attribute(server: &Server, key: (&str, &str), params: &[(&str, &str)]) -> Answer {
    call(server, key, "ModifyImageAttribute", params).await
}

#[tokio::test]
async fn modify_image_attribute_without_status_checks_region_and_ownership() {
    let server = Server::demo().await;
    let before = common::world(&server).await;
    modify_attribute(
        &server,
        ALICE_KEY,
        &[("RegionId", "xx-nowhere"), ("ImageId", "m-nothing")],
    )
    .await
    .assert_error(
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
    let not_own: [((&str, &str), &str, &str); 4] = [
        (ALICE_KEY, HZ, "m-nothing"),
        (ALICE_KEY, "cn-shanghai", "m-demo-free"),
        (ALICE_KEY, HZ, "aliyun_3_x64_20G_alibase_20240819.vhd"),
        (BOB_KEY, HZ, "m-demo-shared"),
    ];
    for (key, region, image) in not_own {
        modify_attribute(&server, key, &[("RegionId", region), ("ImageId", image)])
            .await
            .assert_error(
                404,
                "InvalidImageId.NotFound",
                "The specified ImageId does not exist.",
            );
    }
    // A parameter error comes before the checks.
    modify_attribute(
        &server,
        ALICE_KEY,
        &[
            ("RegionId", HZ),
            ("ImageId", "m-nothing"),
            ("DryRun", "maybe"),
        ],
    )
    .await
    .assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"DryRun\" is not valid.",
    );
    modify_attribute(
        &server,
        ALICE_KEY,
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("DryRun", "true"),
        ],
    )
    .await
    .assert_error(
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    // The caller's own image, in any state: done, and nothing changes.
    for image in ["m-demo-free", "m-demo-shared", "m-demo-importing"] {
        modify_attribute(&server, ALICE_KEY, &[("RegionId", HZ), ("ImageId", image)])
            .await
            .assert_ok();
    }
    assert_eq!(common::world(&server).await, before);
}

async fn run_instances(server: &Server, image: &str, amount: &str) -> Answer {
    alice(
        server,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", image), ("Amount", amount)],
    )
    .await
}

#[tokio::test]
async fn run_instances_is_all_or_nothing() {
    let server = Server::demo().await;
    let before = common::world(&server).await;
    // An image still being imported cannot launch: not one instance is made.
    run_instances(&server, "m-demo-importing", "5")
        .await
        .assert_error(
            400,
            "IncorrectImageStatus",
            "The specified Image is not available.",
        );
    run_instances(&server, "m-nothing", "100")
        .await
        .assert_error(
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist.",
        );
    assert_eq!(common::world(&server).await, before);
    // The most it allows, all made.
    let all = instance_ids(
        &run_instances(&server, "m-demo-free", "100")
            .await
            .assert_ok(),
    );
    let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), 100);
    let listed = alice(
        &server,
        "DescribeInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("PageSize", "100"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(listed["TotalCount"], 100);
}

#[tokio::test]
async fn one_call_for_three_instances_is_three_calls_for_one() {
    let batched = Server::demo().await;
    let single = Server::demo().await;
    let three = instance_ids(
        &run_instances(&batched, "m-demo-free", "3")
            .await
            .assert_ok(),
    );
    let mut ones = Vec::new();
    for _ in 0..3 {
        ones.extend(instance_ids(
            &run_instances(&single, "m-demo-free", "1").await.assert_ok(),
        ));
    }
    assert_eq!(three, ones);
    assert_eq!(common::world(&batched).await, common::world(&single).await);
}

/// An instance over HTTP: Pending from RunInstances, settled by the service, stopped, started,
/// rebooted and released, each refusal the docs' own; DescribeInstances filters on the JSON
/// array `InstanceIds` the SDKs send and on `Status`.
#[tokio::test]
async fn an_instance_moves_through_its_statuses() {
    let server = Server::demo().await;
    let run = alice(
        &server,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("Amount", "2"),
        ],
    )
    .await
    .assert_ok();
    let ids: Vec<String> = run["InstanceIdSets"]["InstanceIdSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let (one, two) = (ids[0].as_str(), ids[1].as_str());
    let only = |id: &str| format!("[\"{id}\"]");
    let status_of = |body: &Value| body["Instances"]["Instance"][0]["Status"].clone();
    let describe = |ids: String, status: Option<&'static str>| {
        let server = &server;
        async move {
            let mut params = vec![("RegionId", HZ), ("InstanceIds", ids.as_str())];
            if let Some(status) = status {
                params.push(("Status", status));
            }
            alice(server, "DescribeInstances", &params).await
        }
    };
    let first = describe(only(one), None).await.assert_ok();
    assert_eq!(first["TotalCount"], 1, "{first}");
    assert_eq!(first["Instances"]["Instance"][0]["InstanceId"], one);
    assert_eq!(status_of(&first), "Pending");

    const WRONG: Refusal = (
        403,
        "IncorrectInstanceStatus",
        "The current status of the resource does not support this operation.",
    );
    const INITIALIZING: Refusal = (
        403,
        "IncorrectInstanceStatus.Initializing",
        "The specified instance status does not support this operation.",
    );
    refusals(
        &server,
        &[
            (
                (
                    ALICE_KEY,
                    "DeleteInstance",
                    &[("InstanceId", one), ("Force", "true")],
                ),
                INITIALIZING,
            ),
            ((ALICE_KEY, "StopInstance", &[("InstanceId", one)]), WRONG),
            ((ALICE_KEY, "StartInstance", &[("InstanceId", one)]), WRONG),
            (
                (BOB_KEY, "StopInstance", &[("InstanceId", one)]),
                (
                    404,
                    "InvalidInstanceId.NotFound",
                    "The specified InstanceId does not exist.",
                ),
            ),
        ],
    )
    .await;

    // The service settles both; a bare completion settles every changing instance.
    let settled = complete(&server, "").await;
    assert_eq!(settled["SettledInstanceIds"].as_array().unwrap().len(), 2);
    let running = describe(format!("[\"{one}\",\"{two}\"]"), Some("Running"))
        .await
        .assert_ok();
    assert_eq!(running["TotalCount"], 2, "{running}");

    // Stop: Stopping, then Stopped; a DryRun checks only.
    alice(
        &server,
        "StopInstance",
        &[
            ("InstanceId", one),
            ("ForceStop", "true"),
            ("DryRun", "true"),
        ],
    )
    .await
    .assert_error(
        DRY_RUN_OPERATION.0,
        DRY_RUN_OPERATION.1,
        DRY_RUN_OPERATION.2,
    );
    alice(&server, "StopInstance", &[("InstanceId", one)])
        .await
        .assert_ok();
    assert_eq!(
        status_of(&describe(only(one), None).await.assert_ok()),
        "Stopping"
    );
    refusals(
        &server,
        &[(
            (
                ALICE_KEY,
                "DeleteInstance",
                &[("InstanceId", one), ("Force", "true")],
            ),
            WRONG,
        )],
    )
    .await;
    complete(&server, &format!("?InstanceId={one}")).await;
    let stopped = describe(only(one), Some("Stopped")).await.assert_ok();
    assert_eq!(stopped["TotalCount"], 1, "{stopped}");
    // The other one is still Running: a Stopped filter on it finds nothing.
    let none = describe(only(two), Some("Stopped")).await.assert_ok();
    assert_eq!(none["TotalCount"], 0, "{none}");

    // Start, settle, reboot, settle.
    alice(&server, "StartInstance", &[("InstanceId", one)])
        .await
        .assert_ok();
    assert_eq!(
        status_of(&describe(only(one), None).await.assert_ok()),
        "Starting"
    );
    complete(&server, &format!("?InstanceId={one}")).await;
    alice(&server, "RebootInstance", &[("InstanceId", one)])
        .await
        .assert_ok();
    assert_eq!(
        status_of(&describe(only(one), None).await.assert_ok()),
        "Starting"
    );
    complete(&server, &format!("?InstanceId={one}")).await;

    // Running: released only with Force.
    refusals(
        &server,
        &[((ALICE_KEY, "DeleteInstance", &[("InstanceId", two)]), WRONG)],
    )
    .await;
    for id in [one, two] {
        alice(
            &server,
            "DeleteInstance",
            &[("InstanceId", id), ("Force", "true")],
        )
        .await
        .assert_ok();
    }
    let gone = describe(format!("[\"{one}\",\"{two}\"]"), None)
        .await
        .assert_ok();
    assert_eq!(gone["TotalCount"], 0, "{gone}");

    // InstanceIds must be a JSON array of strings; Status one of the five names.
    let bad_ids: Refusal = (
        400,
        "InvalidParameter",
        "The specified parameter \"InstanceIds\" is not valid.",
    );
    for junk in [one, "[\"i-1\"", "[1]", "{}"] {
        describe(junk.to_owned(), None)
            .await
            .assert_error(bad_ids.0, bad_ids.1, bad_ids.2);
    }
    describe(only(one), Some("running")).await.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Status\" is not valid.",
    );
}

/// How many images alice has, in every status.
async fn own_images(server: &Server) -> Value {
    let all = [
        ("RegionId", HZ),
        ("Status", "ALL"),
        ("ImageOwnerAlias", "self"),
    ];
    alice(server, "DescribeImages", &all).await.assert_ok()["TotalCount"].clone()
}

/// CopyImage as Terraform's `alicloud_image_copy` sends it (`Encrypted=false` always) makes a
/// plain copy; `Encrypted=true` with a key makes an encrypted one, shown in each disk
/// mapping's `Encrypted`; `ResourceGroupId` is echoed by DescribeImages, on CreateImage's
/// image too; a key without `Encrypted=true` is refused and makes nothing.
#[tokio::test]
async fn copy_image_encrypts_on_request_and_keeps_its_resource_group() {
    let server = Server::demo().await;
    let made = alice(
        &server,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("SnapshotId", "s-demo-free"),
            ("DiskDeviceMapping.1.Size", "40"),
            ("ResourceGroupId", "rg-images"),
        ],
    )
    .await
    .assert_ok();
    let source = made["ImageId"].as_str().unwrap();
    complete(&server, &format!("?ImageId={source}")).await;
    let shown = describe_one(&server, source).await;
    assert_eq!(shown["ResourceGroupId"], "rg-images", "{shown}");
    let mapping = &shown["DiskDeviceMappings"]["DiskDeviceMapping"][0];
    assert_eq!(mapping["Encrypted"], false, "{mapping}");

    let copy = |extra: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let mut params = vec![
                ("RegionId", HZ),
                ("ImageId", source),
                ("DestinationRegionId", HZ),
            ];
            params.extend_from_slice(extra);
            alice(server, "CopyImage", &params).await
        }
    };
    let plain = copy(&[("Encrypted", "false")]).await.assert_ok();
    let plain = describe_one(&server, plain["ImageId"].as_str().unwrap()).await;
    assert_eq!(
        plain["DiskDeviceMappings"]["DiskDeviceMapping"][0]["Encrypted"], false,
        "{plain}"
    );
    assert!(plain.get("ResourceGroupId").is_none(), "{plain}");

    let encrypted = copy(&[
        ("Encrypted", "true"),
        ("KMSKeyId", "key-1"),
        ("ResourceGroupId", "rg-copies"),
    ])
    .await
    .assert_ok();
    let encrypted = describe_one(&server, encrypted["ImageId"].as_str().unwrap()).await;
    assert_eq!(
        encrypted["DiskDeviceMappings"]["DiskDeviceMapping"][0]["Encrypted"], true,
        "{encrypted}"
    );
    assert_eq!(encrypted["ResourceGroupId"], "rg-copies");

    let images_before = own_images(&server).await;
    copy(&[("Encrypted", "false"), ("KMSKeyId", "key-1")])
        .await
        .assert_error(
            400,
            "InvalidParameter",
            "The specified parameter \"KMSKeyId\" is not valid.",
        );
    copy(&[("Encrypted", "maybe")]).await.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Encrypted\" is not valid.",
    );
    let images_after = own_images(&server).await;
    assert_eq!(images_before, images_after);
}
