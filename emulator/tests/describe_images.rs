//! DescribeImages as real tools read it (issue 12): the attribute filters, `Status=ALL`, the
//! fields Terraform and Packer read, and the documented refusals of filter values. Expected
//! codes and messages are written out from the documentation
//! (docs/research/image-attributes.md, docs/research/describe-filters.md).

mod common;

use common::{ALICE_KEY, Server, call};

const HZ: &str = "cn-hangzhou";

/// Packer's pre-validation looks an image up by name and, with `image_force_delete`, deletes
/// what comes back: a name no image has must list nothing, whatever else the account owns.
#[tokio::test]
async fn a_name_no_image_has_lists_nothing() {
    let server = Server::demo().await;
    let answer = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageName", "packer-built-image"),
            ("Status", "Waiting,Creating,CreateFailed,Available"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(answer["TotalCount"], 0);
    assert_eq!(answer["Images"]["Image"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_created_image_is_found_by_name_with_its_fields() {
    let server = Server::demo().await;
    let made = call(
        &server,
        ALICE_KEY,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("SnapshotId", "s-demo-free"),
            ("ImageName", "web-1"),
            ("Description", "the web tier"),
            ("ImageFamily", "web"),
            ("Architecture", "arm64"),
            ("Platform", "Ubuntu"),
            ("DiskDeviceMapping.1.Size", "40"),
            ("DiskDeviceMapping.1.Device", "/dev/xvda"),
        ],
    )
    .await
    .assert_ok();
    let id = made["ImageId"].as_str().unwrap().to_owned();
    // Without Status only Available images are listed; the new one is Creating.
    let available = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageName", "web-1")],
    )
    .await
    .assert_ok();
    assert_eq!(available["TotalCount"], 0);
    for name in ["web-1", "web-*", "*-1", "w*b*1"] {
        let all = call(
            &server,
            ALICE_KEY,
            "DescribeImages",
            &[("RegionId", HZ), ("ImageName", name), ("Status", "ALL")],
        )
        .await
        .assert_ok();
        assert_eq!(all["TotalCount"], 1, "{name}");
        let image = &all["Images"]["Image"][0];
        assert_eq!(image["ImageId"], id.as_str());
        assert_eq!(image["ImageName"], "web-1");
        assert_eq!(image["Description"], "the web tier");
        assert_eq!(image["ImageFamily"], "web");
        assert_eq!(image["Architecture"], "arm64");
        assert_eq!(image["Platform"], "Ubuntu");
        assert_eq!(image["OSName"], "Ubuntu");
        assert_eq!(image["Status"], "Creating");
        assert_eq!(image["Usable"], false);
        assert_eq!(image["Progress"], "0%");
        assert_eq!(image["Size"], 40);
        let disk = &image["DiskDeviceMappings"]["DiskDeviceMapping"][0];
        assert_eq!(disk["SnapshotId"], "s-demo-free");
        assert_eq!(disk["Size"], "40");
        assert_eq!(disk["Device"], "/dev/xvda");
        let created = image["CreationTime"].as_str().unwrap();
        assert!(
            created.len() == 20 && created.ends_with('Z') && &created[10..11] == "T",
            "{created}"
        );
    }
    for (filter, value) in [
        ("ImageName", "web"),
        ("ImageFamily", "db"),
        ("Architecture", "x86_64"),
        ("OSType", "linux"),
        ("Usage", "instance"),
    ] {
        let none = call(
            &server,
            ALICE_KEY,
            "DescribeImages",
            &[("RegionId", HZ), (filter, value), ("Status", "ALL")],
        )
        .await
        .assert_ok();
        let ids: Vec<&str> = none["Images"]["Image"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["ImageId"].as_str())
            .collect();
        assert!(
            !ids.contains(&id.as_str()),
            "{filter}={value} listed {ids:?}"
        );
    }
}

/// Parameters beside `RegionId`, and the answer: HTTP status, code, message.
type Case = (
    &'static [(&'static str, &'static str)],
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn filter_values_the_action_does_not_support_are_refused() {
    let server = Server::demo().await;
    let cases: &[Case] = &[
        (
            &[("ImageOwnerAlias", "mine")],
            400,
            "InvalidImageOwnerAlias.ValueNotSupported",
            "The specified ImageOwnerAlias value is not supported.",
        ),
        (
            &[("IsPublic", "true"), ("ImageOwnerAlias", "self")],
            400,
            "InvalidImageOwnerAlias.PublicImageUnsupported",
            "When querying images, the parameter ImageOwnerAlias should be others while \
             specified parameter IsPublic is true.",
        ),
        (
            &[("OSType", "Linux")],
            404,
            "InvalidOSType",
            "The specified OSType is not valid.",
        ),
        (
            &[("Architecture", "amd64")],
            404,
            "InvalidArchitecture",
            "The specified Architecture is not valid.",
        ),
        (
            &[("Usage", "disk")],
            404,
            "InvalidUsage",
            "The specified Usage is not valid.",
        ),
        (
            &[("Status", "ALL,Available")],
            400,
            "InvalidParameter",
            "The specified parameter \"Status\" is not valid.",
        ),
        (
            &[("DryRun", "true")],
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        ),
    ];
    for (params, status, code, message) in cases {
        let mut all = vec![("RegionId", HZ)];
        all.extend_from_slice(params);
        call(&server, ALICE_KEY, "DescribeImages", &all)
            .await
            .assert_error(*status, code, message);
    }
}

#[tokio::test]
async fn is_public_lists_community_images_only() {
    let server = Server::demo().await;
    let community = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[
            ("RegionId", HZ),
            ("ImageOwnerAlias", "others"),
            ("IsPublic", "true"),
        ],
    )
    .await
    .assert_ok();
    for image in community["Images"]["Image"].as_array().unwrap() {
        assert_eq!(image["IsPublic"], true, "{image}");
    }
}

/// The filters tools send, over HTTP: Terraform's `Usable` (with `Status`, else the missing
/// parameter), footmark's `SnapshotId`, `ImageOwnerId` (an integer) and `Filter.N` creation
/// times (to the minute); DescribeTasks `ResourceIds.N` and `StartTime`.
#[tokio::test]
async fn the_filters_tools_send_select_and_refuse_as_documented() {
    let server = Server::demo().await;
    let images = |params: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let mut all = vec![("RegionId", HZ), ("ImageOwnerAlias", "self")];
            all.extend_from_slice(params);
            call(server, ALICE_KEY, "DescribeImages", &all).await
        }
    };
    let listed = |body: serde_json::Value| -> Vec<String> {
        body["Images"]["Image"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ImageId"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_snapshot = images(&[("SnapshotId", "s-demo-free"), ("Status", "ALL")])
        .await
        .assert_ok();
    assert_eq!(listed(by_snapshot), ["m-demo-free"]);
    let grouped = images(&[("ResourceGroupId", "rg-none"), ("Status", "ALL")])
        .await
        .assert_ok();
    assert_eq!(grouped["TotalCount"], 0, "{grouped}");
    let creating = images(&[("Status", "ALL"), ("Usable", "false")])
        .await
        .assert_ok();
    assert!(
        listed(creating.clone())
            .iter()
            .all(|id| id != "m-demo-free"),
        "{creating}"
    );
    images(&[("Usable", "true")]).await.assert_error(
        400,
        "MissingParameter",
        "Status is mandatory for this action.",
    );
    images(&[("ImageOwnerId", "alice")]).await.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"ImageOwnerId\" is not valid.",
    );
    let future = images(&[
        ("Status", "ALL"),
        ("Filter.1.Key", "CreationStartTime"),
        ("Filter.1.Value", "2999-01-01T00:00Z"),
    ])
    .await
    .assert_ok();
    assert_eq!(future["TotalCount"], 0, "{future}");
    images(&[("Filter.1.Key", "NetworkType"), ("Filter.1.Value", "vpc")])
        .await
        .assert_error(
            400,
            "InvalidParameter",
            "The specified parameter \"Filter.N.Key\" is not valid.",
        );
    images(&[("Filter.1.Key", "CreationEndTime")])
        .await
        .assert_error(
            400,
            "InvalidParameter",
            "The specified parameter \"Filter.N.Value\" is not valid.",
        );

    let tasks = |params: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let mut all = vec![("RegionId", HZ)];
            all.extend_from_slice(params);
            call(server, ALICE_KEY, "DescribeTasks", &all).await
        }
    };
    let exporting = tasks(&[("ResourceIds.1", "m-demo-exporting")])
        .await
        .assert_ok();
    assert_eq!(exporting["TotalCount"], 1, "{exporting}");
    assert_eq!(
        exporting["TaskSet"]["Task"][0]["ResourceId"],
        "m-demo-exporting"
    );
    tasks(&[("StartTime", "yesterday")]).await.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"StartTime\" is not valid.",
    );
}
