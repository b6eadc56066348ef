//! Nothing silently ignored (docs/emulator.md, "What the emulator does not model"): a parameter
//! the real action declares but the emulator does not model is refused, naming it; a parameter
//! the real action does not declare is ignored; a real ECS action the emulator does not answer
//! is "not emulated", a 400 that names it, not the 404 of a name that is no API.

mod common;

use common::{ALICE_KEY, Answer, Server, call, has_image, world};

const HZ: &str = "cn-hangzhou";

fn not_modelled(answer: &Answer, action: &str, parameter: &str) {
    answer.assert_error(
        400,
        "Emulator.ParameterNotModelled",
        &format!(
            "The parameter \"{parameter}\" of {action} is declared by ECS but not modelled by this \
             emulator, so it is refused rather than ignored; see docs/coverage.md."
        ),
    );
}

#[tokio::test]
async fn a_refused_parameter_changes_nothing() {
    let server = Server::demo().await;
    let before = world(&server).await;
    let answer = call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("OwnerId", "1234567890"),
        ],
    )
    .await;
    not_modelled(&answer, "DeleteImage", "OwnerId");
    assert!(has_image(&server, "m-demo-free").await);
    let answer = call(
        &server,
        ALICE_KEY,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("SnapshotId", "s-demo-free"),
            ("Features.ImdsSupport", "v2"),
        ],
    )
    .await;
    not_modelled(&answer, "CreateImage", "Features.ImdsSupport");
    let answer = call(
        &server,
        ALICE_KEY,
        "ExportImage",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("OSSBucket", "bucket"),
            ("OSSPrefix", "exports/"),
        ],
    )
    .await;
    not_modelled(&answer, "ExportImage", "OSSPrefix");
    assert_eq!(world(&server).await, before);
}

/// The refusal names the parameter as it was sent, index included; it is refused before the
/// action's own checks (even on a DryRun, or with a required parameter missing).
#[tokio::test]
async fn a_repeat_list_parameter_is_refused_by_its_wire_name_before_other_checks() {
    let server = Server::demo().await;
    let answer = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("DataDisk.1.Category", "cloud_essd"),
            ("DryRun", "true"),
        ],
    )
    .await;
    not_modelled(&answer, "RunInstances", "DataDisk.1.Category");
    let answer = call(
        &server,
        ALICE_KEY,
        "ModifyImageAttribute",
        &[("Features.NvmeSupport", "supported")],
    )
    .await;
    not_modelled(&answer, "ModifyImageAttribute", "Features.NvmeSupport");
}

#[tokio::test]
async fn a_parameter_the_real_action_does_not_declare_is_ignored() {
    let server = Server::demo().await;
    // DescribeImages declares no `InstanceId`; DeleteInstance declares no `RegionId` (the Go
    // SDK adds it to every request).
    let answer = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[("RegionId", HZ), ("InstanceId", "i-x"), ("Whatever", "1")],
    )
    .await;
    answer.assert_ok();
    let made = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await;
    let instance = made.assert_ok()["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned();
    // Pending at first: the answer is the instance's status, not a refusal of `RegionId`.
    call(
        &server,
        ALICE_KEY,
        "DeleteInstance",
        &[
            ("InstanceId", &instance),
            ("RegionId", HZ),
            ("Force", "true"),
        ],
    )
    .await
    .assert_error(
        403,
        "IncorrectInstanceStatus.Initializing",
        "The specified instance status does not support this operation.",
    );
}

/// An empty value is an absent parameter, for the refusal as for every parameter read.
#[tokio::test]
async fn an_empty_declared_parameter_is_absent() {
    let server = Server::demo().await;
    call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageName", ""),
            ("ImageId", "m-demo-free"),
        ],
    )
    .await
    .assert_ok();
}

/// Every parameter an action reads is accepted: each action called with all of them.
#[tokio::test]
async fn no_modelled_parameter_is_refused() {
    let server = Server::demo().await;
    let calls: &[(&str, &[(&str, &str)])] = &[
        (
            "DescribeImages",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("Status", "Available"),
                ("ImageOwnerAlias", "self"),
                ("PageNumber", "1"),
                ("PageSize", "10"),
                ("Usable", "true"),
                ("SnapshotId", "s-demo-free"),
                ("ImageOwnerId", "1234"),
                ("ResourceGroupId", "rg-demo"),
                ("Filter.1.Key", "CreationStartTime"),
                ("Filter.1.Value", "2026-12-02T00:00Z"),
            ],
        ),
        (
            "DescribeImageSharePermission",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-shared"),
                ("PageNumber", "1"),
                ("PageSize", "10"),
            ],
        ),
        (
            "DescribeInstances",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-in-use"),
                ("PageNumber", "1"),
                ("PageSize", "10"),
            ],
        ),
        (
            "DescribeTasks",
            &[
                ("RegionId", HZ),
                ("TaskAction", "ImportImage"),
                ("TaskStatus", "Processing"),
                ("TaskIds", "t-x"),
                ("PageNumber", "1"),
                ("PageSize", "10"),
                ("StartTime", "2026-12-02T00:00:00Z"),
                ("EndTime", "2026-12-03T00:00:00Z"),
                ("ResourceIds.1", "m-demo-free"),
            ],
        ),
        (
            "DescribeTaskAttribute",
            &[("RegionId", HZ), ("TaskId", "t-x")],
        ),
        (
            "CreateImage",
            &[
                ("RegionId", HZ),
                ("SnapshotId", "s-demo-free"),
                ("DiskDeviceMapping.1.SnapshotId", "s-demo-other"),
                ("DiskDeviceMapping.1.Device", "/dev/xvda"),
                ("DiskDeviceMapping.1.Size", "40"),
                ("DiskDeviceMapping.1.DiskType", "system"),
                ("ImageName", "named"),
                ("Description", "a described image"),
                ("ImageFamily", "family"),
                ("ImageVersion", "1.0"),
                ("Architecture", "arm64"),
                ("Platform", "CentOS"),
                ("BootMode", "BIOS"),
                ("DetectionStrategy", "Standard"),
                ("ResourceGroupId", "rg-demo"),
                ("DryRun", "true"),
            ],
        ),
        (
            "ImportImage",
            &[
                ("RegionId", HZ),
                ("ImageName", "imported"),
                ("Description", "an imported image"),
                ("OSType", "linux"),
                ("Platform", "Ubuntu"),
                ("Architecture", "x86_64"),
                ("BootMode", "UEFI"),
                ("LicenseType", "BYOL"),
                ("DetectionStrategy", "Standard"),
                ("DiskDeviceMapping.1.OSSBucket", "bucket"),
                ("DiskDeviceMapping.1.OSSObject", "image.qcow2"),
                ("DiskDeviceMapping.1.Format", "qcow2"),
                ("DiskDeviceMapping.1.Device", "/dev/xvda"),
                ("DiskDeviceMapping.1.DiskImageSize", "40"),
                ("DiskDeviceMapping.2.DiskImSize", "20"),
                ("DiskDeviceMapping.2.OSSBucket", "bucket"),
                ("DiskDeviceMapping.2.OSSObject", "data.raw"),
                ("DryRun", "true"),
            ],
        ),
        (
            "ExportImage",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("OSSBucket", "bucket"),
                ("DryRun", "true"),
            ],
        ),
        (
            "CopyImage",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("DestinationRegionId", "cn-shanghai"),
                ("DestinationImageName", "copied"),
                ("DestinationDescription", "a copy"),
                ("Encrypted", "true"),
                ("KMSKeyId", "key-1"),
                ("ResourceGroupId", "rg-demo"),
                ("DryRun", "true"),
            ],
        ),
        (
            "CancelCopyImage",
            &[("RegionId", HZ), ("ImageId", "m-demo-free")],
        ),
        ("CancelTask", &[("RegionId", HZ), ("TaskId", "t-x")]),
        (
            "ModifyImageSharePermission",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("AddAccount.1", "bob"),
                ("RemoveAccount.1", "carol"),
                ("IsPublic", "false"),
                ("DryRun", "true"),
            ],
        ),
        (
            "RunInstances",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("Amount", "1"),
                ("DryRun", "true"),
            ],
        ),
        (
            "DeleteInstance",
            &[("InstanceId", "i-x"), ("DryRun", "true")],
        ),
        (
            "ModifyImageAttribute",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("Status", "Deprecated"),
                ("ImageName", "renamed"),
                ("Description", "re-described"),
                ("ImageFamily", "family"),
                ("BootMode", "UEFI-Preferred"),
                ("LicenseType", "Auto"),
                ("DryRun", "true"),
            ],
        ),
        (
            "DeleteImage",
            &[
                ("RegionId", HZ),
                ("ImageId", "m-demo-free"),
                ("Force", "true"),
                ("DryRun", "true"),
            ],
        ),
    ];
    for (action, params) in calls {
        let answer = call(&server, ALICE_KEY, action, params).await;
        let code = answer.json()["Code"].as_str().unwrap_or("").to_owned();
        assert_ne!(
            code, "Emulator.ParameterNotModelled",
            "{action}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_real_action_not_emulated_is_a_400_naming_it() {
    let server = Server::demo().await;
    for action in [
        "JoinResourceGroup",
        "AttachKeyPair",
        "DescribeSecurityGroups",
    ] {
        let answer = call(&server, ALICE_KEY, action, &[("RegionId", HZ)]).await;
        answer.assert_error(
            400,
            "Emulator.ActionNotEmulated",
            &format!(
                "The action \"{action}\" exists in ECS 2014-05-26 but this emulator does not \
                 emulate it; see docs/coverage.md."
            ),
        );
    }
    // A name that is no ECS action is still the service's "no such API".
    call(&server, ALICE_KEY, "DescribeImagez", &[("RegionId", HZ)])
        .await
        .assert_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
}
