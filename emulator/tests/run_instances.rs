//! RunInstances as Packer sends it, over HTTP: the instance settings are kept and
//! DescribeInstances shows them in the SDKs' response shape; malformed ones answer their
//! documented codes (docs/lifecycle.md, instances).

mod common;

use common::{ALICE_KEY, Server, call, instance_ids};
use serde_json::{Value, json};

const HZ: &str = "cn-hangzhou";

/// An error answer: HTTP status, code and message.
type Refusal = (u16, &'static str, &'static str);

async fn describe(server: &Server, instance: &str) -> Value {
    let ids = format!("[\"{instance}\"]");
    let body = call(
        server,
        ALICE_KEY,
        "DescribeInstances",
        &[("RegionId", HZ), ("InstanceIds", ids.as_str())],
    )
    .await
    .assert_ok();
    assert_eq!(body["TotalCount"], 1, "{body}");
    body["Instances"]["Instance"][0].clone()
}

#[tokio::test]
async fn packers_run_instances_is_kept_and_described() {
    let server = Server::demo().await;
    let ran = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[
            ("ClientToken", "packer-1"),
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("InstanceType", "ecs.g6.large"),
            ("InstanceName", "packer_golden"),
            ("Amount", "1"),
            ("MinAmount", "1"),
            ("ZoneId", "cn-hangzhou-h"),
            ("SecurityGroupId", "sg-bp15ed6xe1yxeycg7"),
            ("VSwitchId", "vsw-bp1s5fnvk4gn2tws0"),
            ("InternetChargeType", "PayByBandwidth"),
            ("InternetMaxBandwidthOut", "5"),
            ("IoOptimized", "optimized"),
        ],
    )
    .await
    .assert_ok();
    let id = instance_ids(&ran).remove(0);
    let instance = describe(&server, &id).await;
    for (field, value) in [
        ("InstanceId", json!(id)),
        ("InstanceType", json!("ecs.g6.large")),
        ("InstanceName", json!("packer_golden")),
        ("ZoneId", json!("cn-hangzhou-h")),
        ("InternetChargeType", json!("PayByBandwidth")),
        ("InternetMaxBandwidthOut", json!(5)),
        ("IoOptimized", json!(true)),
        (
            "SecurityGroupIds",
            json!({"SecurityGroupId": ["sg-bp15ed6xe1yxeycg7"]}),
        ),
        (
            "VpcAttributes",
            json!({"VSwitchId": "vsw-bp1s5fnvk4gn2tws0", "VpcId": ""}),
        ),
    ] {
        assert_eq!(instance[field], value, "{field} in {instance}");
    }
    let created = instance["CreationTime"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
}

#[tokio::test]
async fn an_instance_run_with_nothing_set_shows_the_defaults() {
    let server = Server::demo().await;
    let ran = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[("RegionId", HZ), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    let id = instance_ids(&ran).remove(0);
    let instance = describe(&server, &id).await;
    assert_eq!(
        instance["InstanceName"],
        json!(id),
        "the name defaults to the id"
    );
    assert_eq!(instance["ZoneId"], "cn-hangzhou-a");
    assert_eq!(instance["InstanceType"], "");
    assert_eq!(instance["InternetChargeType"], "PayByTraffic");
    assert_eq!(instance["InternetMaxBandwidthOut"], 0);
    assert_eq!(instance["SecurityGroupIds"]["SecurityGroupId"], json!([]));
}

#[tokio::test]
async fn malformed_settings_answer_their_documented_codes() {
    let server = Server::demo().await;
    let rows: &[((&str, &str), Refusal)] = &[
        (
            ("InstanceType", "large"),
            (
                400,
                "InvalidInstanceType.ValueNotSupported",
                "The specified InstanceType does not exist or beyond the permitted range.",
            ),
        ),
        (
            ("InstanceName", "1-web"),
            (
                400,
                "InvalidInstanceName.Malformed",
                "The specified parameter \"InstanceName\" is not valid.",
            ),
        ),
        (
            ("ZoneId", "cn-beijing-a"),
            (
                404,
                "InvalidZoneId.NotFound",
                "The specified zoneId does not exist.",
            ),
        ),
        (
            ("MinAmount", "2"),
            (
                400,
                "InvalidMinAmount.Malformed",
                "The specified parameter MinAmount is not valid.",
            ),
        ),
        (
            ("MinAmount", "many"),
            (
                400,
                "InvalidMinAmount.Malformed",
                "The specified parameter MinAmount is not valid.",
            ),
        ),
        (
            ("InternetMaxBandwidthOut", "101"),
            (
                400,
                "InvalidParameter",
                "The specified parameter \"InternetMaxBandwidthOut\" is not valid.",
            ),
        ),
        (
            ("SecurityGroupIds.1", "default"),
            (
                400,
                "InvalidSecurityGroupId.NotFound",
                "The SecurityGroupId provided does not exist in our records.",
            ),
        ),
        (
            ("VSwitchId", "vpc-1"),
            (
                404,
                "InvalidVSwitchId.NotFound",
                "Specified virtual switch does not exist.",
            ),
        ),
        (
            ("InternetChargeType", "PayByHour"),
            (
                400,
                "InvalidInternetChargeType.ValueNotSupported",
                "The specified InternetChargeType is not valid.",
            ),
        ),
        (
            ("IoOptimized", "yes"),
            (
                400,
                "InvalidIoOptimize.ValueNotSupported",
                "The specified IoOptimize is not valid.",
            ),
        ),
    ];
    for &((name, value), (status, code, message)) in rows {
        call(
            &server,
            ALICE_KEY,
            "RunInstances",
            &[("RegionId", HZ), ("ImageId", "m-demo-free"), (name, value)],
        )
        .await
        .assert_error(status, code, message);
    }
}

#[tokio::test]
async fn describe_instance_status_lists_the_callers_instances_with_their_status() {
    let server = Server::demo().await;
    let ran = call(
        &server,
        ALICE_KEY,
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "m-demo-free"),
            ("Amount", "3"),
        ],
    )
    .await
    .assert_ok();
    let mut ids = instance_ids(&ran);
    ids.sort();
    let body = call(
        &server,
        ALICE_KEY,
        "DescribeInstanceStatus",
        &[
            ("RegionId", HZ),
            ("InstanceId.1", ids[2].as_str()),
            ("InstanceId.2", ids[0].as_str()),
        ],
    )
    .await
    .assert_ok();
    assert_eq!(body["TotalCount"], 2, "{body}");
    assert_eq!(
        (&body["PageNumber"], &body["PageSize"]),
        (&json!(1), &json!(10))
    );
    let listed = body["InstanceStatuses"]["InstanceStatus"]
        .as_array()
        .unwrap();
    let listed_ids: Vec<&str> = listed
        .iter()
        .map(|s| s["InstanceId"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed_ids,
        [ids[0].as_str(), ids[2].as_str()],
        "in id order"
    );
    for item in listed {
        let id = item["InstanceId"].as_str().unwrap();
        assert_eq!(item["Status"], describe(&server, id).await["Status"]);
    }
    // Without ids: every instance of the caller's in the region, one page of 2.
    let all = call(
        &server,
        ALICE_KEY,
        "DescribeInstanceStatus",
        &[("RegionId", HZ), ("PageSize", "2")],
    )
    .await
    .assert_ok();
    let described = call(&server, ALICE_KEY, "DescribeInstances", &[("RegionId", HZ)])
        .await
        .assert_ok();
    assert_eq!(all["TotalCount"], described["TotalCount"]);
    assert_eq!(
        all["InstanceStatuses"]["InstanceStatus"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    call(
        &server,
        ALICE_KEY,
        "DescribeInstanceStatus",
        &[("RegionId", HZ), ("PageSize", "51")],
    )
    .await
    .assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"PageSize\" is not valid.",
    );
    let zone = call(
        &server,
        ALICE_KEY,
        "DescribeInstanceStatus",
        &[("RegionId", HZ), ("ZoneId", "cn-hangzhou-h")],
    )
    .await;
    assert_eq!(zone.status, 400);
    assert_eq!(zone.json()["Code"], "Emulator.ParameterNotModelled");
}
