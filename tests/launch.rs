//! RunInstances' settings (docs/lifecycle.md, instances): `InstanceType`, `InstanceName`,
//! `ZoneId`, `MinAmount`, the network and bandwidth settings, each checked as the docs say and
//! kept on every new instance; refusals written out by hand from the docs, and a refused call
//! changes nothing.

mod common;

use std::fmt::Debug;

use ecs_image_rules::{
    AccountId, ApiError, Error, ImageId, ImageStore, InstanceName, InstanceType,
    InternetChargeType, IoOptimized, LaunchSettings, RegionId, RunInstances, SecurityGroupId,
    StoreState, Timestamp, VSwitchId, ZoneId,
};

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn region(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}
fn hz() -> RegionId {
    region("cn-hangzhou")
}

fn run() -> RunInstances {
    RunInstances::new(hz(), ImageId::new("m-src").unwrap())
}

fn refused<T: Debug>(result: Result<T, Error>, (status, code, message): (u16, &str, &str)) {
    let e = result.expect_err("should be refused");
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (status, code, message)
    );
}

/// Runs a RunInstances that must be refused and checks that nothing changed.
fn refused_run(request: RunInstances, answer: (u16, &str, &str)) {
    let mut store = common::store_with_source();
    let before = serde_json::to_string(&store).unwrap();
    refused(store.run_instances(&alice(), request), answer);
    assert_eq!(serde_json::to_string(&store).unwrap(), before);
}

fn settings() -> LaunchSettings {
    LaunchSettings {
        instance_type: Some("ecs.g6.large".parse().unwrap()),
        instance_name: Some("packer_golden".parse().unwrap()),
        zone_id: Some("cn-hangzhou-h".parse().unwrap()),
        security_group_ids: vec!["sg-bp15ed6xe1yxeycg7".parse().unwrap()],
        vswitch_id: Some("vsw-bp1s5fnvk4gn2tws0".parse().unwrap()),
        internet_charge_type: Some(InternetChargeType::PayByBandwidth),
        internet_max_bandwidth_out: Some(100),
        io_optimized: Some(IoOptimized::Optimized),
        creation_time: None,
    }
}

#[test]
fn every_new_instance_keeps_the_settings_and_the_creation_time() {
    let mut store = common::store_with_source();
    let at = Timestamp::from_unix_millis(1_764_633_600_000).unwrap();
    store.advance_clock(at);
    let ids = store
        .run_instances(&alice(), run().with_amount(2).with_launch(settings()))
        .unwrap();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let launch = store
            .instance(id.as_str())
            .unwrap()
            .launch
            .as_deref()
            .unwrap();
        assert_eq!(
            *launch,
            LaunchSettings {
                creation_time: Some(at),
                ..settings()
            }
        );
    }
    // The settings survive a saved state.
    let state: StoreState = serde_json::from_str(&serde_json::to_string(&store).unwrap()).unwrap();
    let loaded = ImageStore::from_state(state).unwrap();
    assert_eq!(loaded, store);
}

#[test]
fn without_a_zone_the_service_picks_the_regions_zone_a() {
    let mut store = common::store_with_source();
    let id = store.run_instances(&alice(), run()).unwrap().remove(0);
    let launch = store
        .instance(id.as_str())
        .unwrap()
        .launch
        .as_deref()
        .unwrap();
    assert_eq!(launch.zone_id.as_ref().unwrap().as_str(), "cn-hangzhou-a");
    assert_eq!(launch.instance_name, None, "DescribeInstances shows the id");
    assert_eq!(
        ZoneId::default_for(&region("us-west-1")).as_str(),
        "us-west-1a"
    );
}

#[test]
fn a_zone_must_be_one_of_the_regions() {
    let zone = |s: &str| s.parse::<ZoneId>().unwrap();
    for (z, r, inside) in [
        ("cn-hangzhou-k", "cn-hangzhou", true),
        ("us-west-1b", "us-west-1", true),
        ("cn-beijing-a", "cn-hangzhou", false),
        ("cn-hangzhou", "cn-hangzhou", false),
        ("cn-hangzhou-ab", "cn-hangzhou", false),
        ("cn-hangzhouk", "cn-hangzhou", false),
        ("us-west-1-a", "us-west-1", false),
    ] {
        assert_eq!(zone(z).in_region(&region(r)), inside, "{z} in {r}");
    }
    let mut elsewhere = settings();
    elsewhere.zone_id = Some(zone("cn-beijing-a"));
    refused_run(
        run().with_launch(elsewhere),
        (
            404,
            "InvalidZoneId.NotFound",
            "The specified zoneId does not exist.",
        ),
    );
    refused(
        "CN-HANGZHOU-H".parse::<ZoneId>(),
        (
            404,
            "InvalidZoneId.NotFound",
            "The specified zoneId does not exist.",
        ),
    );
}

#[test]
fn min_amount_is_one_to_amount_and_the_service_makes_amount() {
    let malformed = (
        400,
        "InvalidMinAmount.Malformed",
        "The specified parameter MinAmount is not valid.",
    );
    refused_run(run().with_amount(2).with_min_amount(3), malformed);
    refused_run(run().with_min_amount(0), malformed);
    let mut store = common::store_with_source();
    let ids = store
        .run_instances(&alice(), run().with_amount(3).with_min_amount(1))
        .unwrap();
    assert_eq!(ids.len(), 3, "resources never run short: Amount is made");
}

#[test]
fn bandwidth_out_is_zero_to_a_hundred() {
    let mut wide = settings();
    wide.internet_max_bandwidth_out = Some(101);
    refused_run(
        run().with_launch(wide),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"InternetMaxBandwidthOut\" is not valid.",
        ),
    );
}

#[test]
fn instance_types_have_the_ecs_family_size_shape() {
    for good in [
        "ecs.g6.large",
        "ecs.t5-lc1m1.small",
        "ecs.gn7i-c8g1.2xlarge",
        "ecs.ebmg5s.24xlarge",
    ] {
        assert_eq!(good.parse::<InstanceType>().unwrap().as_str(), good);
    }
    for bad in [
        "g6.large",
        "ecs.g6",
        "ecs..large",
        "ecs.G6.large",
        "ecs.g6.large ",
        "",
    ] {
        refused(
            bad.parse::<InstanceType>(),
            (
                400,
                "InvalidInstanceType.ValueNotSupported",
                "The specified InstanceType does not exist or beyond the permitted range.",
            ),
        );
    }
}

#[test]
fn instance_names_follow_the_documented_rule() {
    for good in ["packer_golden", "web-01.prod:blue", "a1", "名字-1"] {
        assert!(good.parse::<InstanceName>().is_ok(), "{good}");
    }
    let long = format!("a{}", "b".repeat(128));
    for bad in [
        "a",
        long.as_str(),
        "1st",
        "-web",
        "http://x",
        "web 1",
        "k8s-node-[1,4]",
    ] {
        refused(
            bad.parse::<InstanceName>(),
            (
                400,
                "InvalidInstanceName.Malformed",
                "The specified parameter \"InstanceName\" is not valid.",
            ),
        );
    }
}

#[test]
fn network_ids_and_values_answer_their_documented_codes() {
    assert!("sg-bp15ed6xe1yxeycg7".parse::<SecurityGroupId>().is_ok());
    refused(
        "bp15ed6xe1yxeycg7".parse::<SecurityGroupId>(),
        (
            400,
            "InvalidSecurityGroupId.NotFound",
            "The SecurityGroupId provided does not exist in our records.",
        ),
    );
    refused(
        "vsw-".parse::<VSwitchId>(),
        (
            404,
            "InvalidVSwitchId.NotFound",
            "Specified virtual switch does not exist.",
        ),
    );
    refused(
        "PayByHour".parse::<InternetChargeType>(),
        (
            400,
            "InvalidInternetChargeType.ValueNotSupported",
            "The specified InternetChargeType is not valid.",
        ),
    );
    refused(
        "yes".parse::<IoOptimized>(),
        (
            400,
            "InvalidIoOptimize.ValueNotSupported",
            "The specified IoOptimize is not valid.",
        ),
    );
}

#[test]
fn a_client_token_covers_the_settings_too() {
    let mut store = common::store_with_source();
    let token = "t-1".parse::<ecs_image_rules::ClientToken>().unwrap();
    let request = run().with_launch(settings()).with_client_token(token);
    let first = store.run_instances(&alice(), request.clone()).unwrap();
    assert_eq!(
        store.run_instances(&alice(), request.clone()).unwrap(),
        first
    );
    let mut renamed = settings();
    renamed.instance_name = Some("other".parse().unwrap());
    refused(
        store.run_instances(&alice(), request.with_launch(renamed)),
        (
            400,
            "IdempotentParameterMismatch",
            "The request is retried with updated parameters.",
        ),
    );
}
