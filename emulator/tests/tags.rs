//! The tag actions over real HTTP: Terraform's tag update (UntagResources for removed keys,
//! TagResources for the rest) read back with ListTagResources, DescribeTags as
//! `alicloud_images` reads it, the documented refusals, and tags leaving with their image.

mod common;

use common::{ALICE_KEY, BOB_KEY, Server, call, world};
use serde_json::{Value, json};

const HZ: &str = "cn-hangzhou";

async fn list(server: &Server, key: (&str, &str), image: &str) -> Value {
    call(
        server,
        key,
        "ListTagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "image"),
            ("ResourceId.1", image),
        ],
    )
    .await
    .assert_ok()
}

#[tokio::test]
async fn terraform_tags_an_image_reads_and_untags() {
    let server = Server::demo().await;
    call(
        &server,
        ALICE_KEY,
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "image"),
            ("ResourceId.1", "m-demo-free"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("Tag.2.Key", "owner"),
            ("Tag.2.Value", "team-a"),
        ],
    )
    .await
    .assert_ok();
    let body = list(&server, ALICE_KEY, "m-demo-free").await;
    assert_eq!(
        body["TagResources"]["TagResource"],
        json!([
            {"ResourceId": "m-demo-free", "ResourceType": "image", "TagKey": "env", "TagValue": "dev"},
            {"ResourceId": "m-demo-free", "ResourceType": "image", "TagKey": "owner", "TagValue": "team-a"},
        ])
    );
    assert!(body.get("NextToken").is_none(), "{body}");

    // DescribeTags, as alicloud_images asks for one image's tags.
    let body = call(
        &server,
        ALICE_KEY,
        "DescribeTags",
        &[
            ("RegionId", HZ),
            ("ResourceType", "image"),
            ("ResourceId", "m-demo-free"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(body["TotalCount"], 2);
    assert_eq!(body["PageSize"], 50);
    assert_eq!(body["Tags"]["Tag"][0]["TagKey"], "env");
    assert_eq!(body["Tags"]["Tag"][0]["TagValue"], "dev");
    assert_eq!(body["Tags"]["Tag"][0]["ResourceTypeCount"]["Image"], 1);
    assert_eq!(body["Tags"]["Tag"][0]["ResourceTypeCount"]["Instance"], 0);

    call(
        &server,
        ALICE_KEY,
        "UntagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "image"),
            ("ResourceId.1", "m-demo-free"),
            ("TagKey.1", "owner"),
        ],
    )
    .await
    .assert_ok();
    let body = list(&server, ALICE_KEY, "m-demo-free").await;
    assert_eq!(
        body["TagResources"]["TagResource"],
        json!([{"ResourceId": "m-demo-free", "ResourceType": "image", "TagKey": "env", "TagValue": "dev"}])
    );
    // Bob sees none of Alice's tags.
    let body = list(&server, BOB_KEY, "m-demo-free").await;
    assert_eq!(body["TagResources"]["TagResource"], json!([]));

    // The tags are part of the world, and go when the image goes.
    let before = world(&server).await;
    assert_eq!(
        before["store"]["tags"],
        json!([{"resourceType": "image", "resourceId": "m-demo-free", "tags": [{"key": "env", "value": "dev"}]}])
    );
    call(
        &server,
        ALICE_KEY,
        "DeleteImage",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert!(world(&server).await["store"].get("tags").is_none());
}

/// An action, its parameters, and the error it answers: status, code, message.
type Row = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn tag_refusals_are_the_documented_ones_and_change_nothing() {
    let server = Server::demo().await;
    let before = world(&server).await;
    let tag = |extra: &'static [(&'static str, &'static str)]| {
        let mut params = vec![("RegionId", HZ), ("ResourceType", "image")];
        params.extend_from_slice(extra);
        params
    };
    let rows: &[Row] = &[
        (
            "TagResources",
            tag(&[
                ("ResourceId.1", "m-demo-bob"),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v"),
            ]),
            404,
            "InvalidResourceId.NotFound",
            "The specified ResourceIds are not found in our records.",
        ),
        (
            "TagResources",
            tag(&[("ResourceId.1", "m-demo-free")]),
            404,
            "MissingParameter.Tags",
            "The parameter - Tags should not be null",
        ),
        (
            "TagResources",
            tag(&[("ResourceId.1", "m-demo-free"), ("Tag.1.Key", "aliyun:x")]),
            400,
            "InvalidTagKey.Malformed",
            "The specified Tag.n.Key is not valid.",
        ),
        (
            "TagResources",
            tag(&[("ResourceId.1", "m-demo-free"), ("Tag.1.Value", "orphan")]),
            400,
            "InvalidTag.Mismatch",
            "The specified Tag.n.Key and Tag.n.Value are not match.",
        ),
        (
            "TagResources",
            tag(&[
                ("ResourceId.1", "m-demo-free"),
                ("Tag.1.Key", "k"),
                ("Tag.2.Key", "k"),
            ]),
            400,
            "Duplicate.TagKey",
            "The Tag.N.Key contain duplicate key.",
        ),
        (
            "TagResources",
            vec![
                ("RegionId", HZ),
                ("ResourceId.1", "m-demo-free"),
                ("Tag.1.Key", "k"),
            ],
            404,
            "MissingParameter.ResourceType",
            "The parameter - ResourceType should not be null",
        ),
        (
            "UntagResources",
            vec![
                ("RegionId", HZ),
                ("ResourceType", "securitygroup"),
                ("ResourceId.1", "d-1"),
                ("TagKey.1", "k"),
            ],
            404,
            "InvalidResourceType.NotFound",
            "The ResourceType provided does not exist in our records.",
        ),
        (
            "ListTagResources",
            tag(&[
                ("ResourceId.1", "m-demo-free"),
                ("NextToken", "not-a-token"),
            ]),
            400,
            "InvalidParameter",
            "The specified parameter \"NextToken\" is not valid.",
        ),
    ];
    for (action, params, status, code, message) in rows {
        call(&server, ALICE_KEY, action, params)
            .await
            .assert_error(*status, code, message);
    }
    assert_eq!(world(&server).await, before);
}

#[tokio::test]
async fn tag_filter_on_list_tag_resources_uses_every_condition() {
    let server = Server::demo().await;
    for (image, env) in [("m-demo-free", "dev"), ("m-demo-deprecated", "prod")] {
        call(
            &server,
            ALICE_KEY,
            "TagResources",
            &[
                ("RegionId", HZ),
                ("ResourceType", "image"),
                ("ResourceId.1", image),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", env),
                ("Tag.2.Key", "keep"),
                ("Tag.2.Value", ""),
            ],
        )
        .await
        .assert_ok();
    }
    let body = call(
        &server,
        ALICE_KEY,
        "ListTagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "image"),
            ("Tag.1.Key", "keep"),
            ("Tag.2.Key", "env"),
            ("Tag.2.Value", "prod"),
        ],
    )
    .await
    .assert_ok();
    let ids: Vec<&str> = body["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ResourceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["m-demo-deprecated", "m-demo-deprecated"]);
}

#[tokio::test]
async fn create_image_tags_are_filtered_on_and_shown_by_describe_images() {
    let server = Server::demo().await;
    let made = call(
        &server,
        ALICE_KEY,
        "CreateImage",
        &[
            ("RegionId", HZ),
            ("SnapshotId", "s-demo-free"),
            ("Tag.1.Key", "built-by"),
            ("Tag.1.Value", "packer"),
        ],
    )
    .await
    .assert_ok();
    let image = made["ImageId"].as_str().unwrap().to_owned();
    let describe = |key, extra: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let mut params = vec![("RegionId", HZ), ("Status", "Creating,Available")];
            params.extend_from_slice(extra);
            call(server, key, "DescribeImages", &params)
                .await
                .assert_ok()
        }
    };
    let body = describe(
        ALICE_KEY,
        &[("Tag.1.Key", "built-by"), ("Tag.1.Value", "packer")],
    )
    .await;
    assert_eq!(body["TotalCount"], 1, "{body}");
    assert_eq!(body["Images"]["Image"][0]["ImageId"], image.as_str());
    assert_eq!(
        body["Images"]["Image"][0]["Tags"],
        json!({"Tag": [{"TagKey": "built-by", "TagValue": "packer"}]})
    );
    let body = describe(
        ALICE_KEY,
        &[("Tag.1.Key", "built-by"), ("Tag.1.Value", "terraform")],
    )
    .await;
    assert_eq!(body["TotalCount"], 0, "{body}");
    // Untagged images show an empty tag list.
    let body = call(
        &server,
        ALICE_KEY,
        "DescribeImages",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert_eq!(body["Images"]["Image"][0]["Tags"], json!({"Tag": []}));
    // Bob cannot find Alice's image by her tags.
    let body = describe(BOB_KEY, &[("Tag.1.Key", "built-by")]).await;
    assert_eq!(body["TotalCount"], 0, "{body}");

    // RunInstances Tag.N, then DescribeInstances by tag.
    let run = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("Tag.1.Key", "role"),
            ("Tag.1.Value", "builder"),
        ],
    )
    .await
    .assert_ok();
    let instance = run["InstanceIdSets"]["InstanceIdSet"][0].clone();
    let body = call(
        &server,
        ALICE_KEY,
        "DescribeInstances",
        &[
            ("RegionId", HZ),
            ("Tag.1.Key", "role"),
            ("Tag.1.Value", "builder"),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(body["TotalCount"], 1, "{body}");
    assert_eq!(body["Instances"]["Instance"][0]["InstanceId"], instance);
    assert_eq!(
        body["Instances"]["Instance"][0]["Tags"]["Tag"][0],
        json!({"TagKey": "role", "TagValue": "builder"})
    );
}

/// Packer's pre-validation: DescribeRegions (no RegionId of its own: the Go SDK adds one) lists
/// the build region.
#[tokio::test]
async fn describe_regions_lists_the_store_regions_in_the_language_asked_for() {
    let server = Server::demo().await;
    let body = call(&server, ALICE_KEY, "DescribeRegions", &[("RegionId", HZ)])
        .await
        .assert_ok();
    let regions = body["Regions"]["Region"].as_array().unwrap();
    assert_eq!(regions.len(), 25, "{body}");
    let hangzhou = regions
        .iter()
        .find(|r| r["RegionId"] == HZ)
        .expect("the build region is listed");
    assert_eq!(
        hangzhou,
        &json!({
            "RegionId": "cn-hangzhou",
            "LocalName": "华东1（杭州）",
            "RegionEndpoint": "ecs.cn-hangzhou.aliyuncs.com",
            "Status": "available",
        })
    );
    let body = call(
        &server,
        ALICE_KEY,
        "DescribeRegions",
        &[("AcceptLanguage", "en-US")],
    )
    .await
    .assert_ok();
    let qingdao = body["Regions"]["Region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["RegionId"] == "cn-qingdao")
        .unwrap()
        .clone();
    assert_eq!(qingdao["LocalName"], "China (Qingdao)");
    call(
        &server,
        ALICE_KEY,
        "DescribeRegions",
        &[("AcceptLanguage", "ja")],
    )
    .await
    .assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"AcceptLanguage\" is not valid.",
    );
}
