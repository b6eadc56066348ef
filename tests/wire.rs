//! Spec §4 and §5 on the wire: the success and error bodies byte for byte, request ids, and
//! `wire::delete_image` from RPC parameters to response.

mod common;

use common::{account, default, doc2025, json};
use ecs_image_rules::wire::{self, Body, ErrorBody, Response, SuccessBody};
use ecs_image_rules::{
    Blocker, Error, IdError, ImageSpec, ImageStore, MissingImage, Outcome, Parameter, Profile,
    RegionId, RequestId, RequestIdSequence,
};

const RID: &str = "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E";
const HZ: &str = "cn-hangzhou";

fn rid() -> RequestId {
    RequestId::new(RID).unwrap()
}

fn store() -> ImageStore {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-plain", "alice", HZ))
        .unwrap();
    store
        .put(ImageSpec::custom("m-shared", "alice", HZ).add_share("bob"))
        .unwrap();
    store
        .put(ImageSpec::custom("m-used", "alice", HZ).used_by(1))
        .unwrap();
    store
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("bodies serialize")
}

/// Runs one call through the wire layer as Alice: (HTTP status, body as JSON text). The text
/// is leaked so that expectations are plain literals.
fn wire_call(store: &mut ImageStore, query: &str, profile: &Profile) -> (u16, &'static str) {
    let params = common::params(query);
    let (response, _) = wire::delete_image(store, &account("alice"), params, profile, rid());
    let body: &'static str = Box::leak(to_json(&response.body).into_boxed_str());
    (response.http_status, body)
}

#[test]
fn success_body_is_exactly_the_documented_object() {
    let body = SuccessBody { request_id: rid() };
    assert_eq!(
        to_json(&body),
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
    );
    let response = Response::success(rid());
    assert_eq!(response.http_status, 200);
    assert_eq!(
        to_json(&response.body),
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
    );
}

#[test]
fn error_body_has_five_keys_in_order() {
    let error = Error::Blocked {
        blocker: Blocker::Shared,
        catalog: Default::default(),
    };
    let host = wire::host_id(Some(&RegionId::new(HZ).unwrap()));
    let body = ErrorBody::new(&error, rid(), host);
    assert_eq!(
        to_json(&body),
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"ImageUseShared","Message":"The specified image has been shared to others.","Recommend":"https://api.aliyun.com/troubleshoot?q=ImageUseShared&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
    );
    let back: ErrorBody = serde_json::from_str(&to_json(&body)).unwrap();
    assert_eq!(back, body);
    let response = Response::error(&error, rid(), "ecs.cn-hangzhou.aliyuncs.com".to_owned());
    assert_eq!(response.http_status, 403);
    assert_eq!(response.body, Body::Error(body));
}

#[test]
fn error_body_escapes_quotes_in_messages() {
    let error = Error::InvalidParameter(Parameter::Force);
    let body = ErrorBody::new(&error, rid(), wire::host_id(None));
    assert_eq!(
        to_json(&body),
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.aliyuncs.com","Code":"InvalidParameter","Message":"The specified parameter \"Force\" is not valid.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
    );
}

#[test]
fn host_ids() {
    let region = |r: &str| RegionId::new(r).unwrap();
    assert_eq!(
        wire::host_id(Some(&region("eu-central-1"))),
        "ecs.eu-central-1.aliyuncs.com"
    );
    assert_eq!(
        wire::host_id(Some(&region(HZ))),
        "ecs.cn-hangzhou.aliyuncs.com"
    );
    assert_eq!(wire::host_id(None), "ecs.aliyuncs.com");
}

#[test]
fn bodies_refuse_unknown_or_missing_keys() {
    let extra = r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","X":1}"#;
    assert!(serde_json::from_str::<SuccessBody>(extra).is_err());
    let lowercase = r#"{"RequestId":"473469c7-aa6f-4dc5-b3db-a3dc0de3c83e"}"#;
    assert!(serde_json::from_str::<SuccessBody>(lowercase).is_err());
    let partial =
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","Code":"X","Message":"Y"}"#;
    assert!(serde_json::from_str::<ErrorBody>(partial).is_err());
}

// ---- request ids ----------------------------------------------------------------------------------

#[test]
fn request_ids_are_uppercase_uuids() {
    for good in [
        RID,
        "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    ] {
        assert_eq!(RequestId::new(good).unwrap().as_str(), good);
        assert_eq!(RequestId::new(good).unwrap().to_string(), good);
    }
    for bad in [
        "",
        "473469c7-aa6f-4dc5-b3db-a3dc0de3c83e",
        "473469C7-AA6F-4DC5-B3DB-a3dc0de3c83e",
        "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83",
        "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E0",
        "473469C7AA6F4DC5B3DBA3DC0DE3C83E",
        "473469C7-AA6F-4DC5-B3DBA3DC0DE3C83E",
        "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E-",
        "{473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E}",
        " 473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
        "473469G7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
        "473469C7_AA6F_4DC5_B3DB_A3DC0DE3C83E",
        "4734６9C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
        "+73469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
    ] {
        let error = RequestId::new(bad).expect_err(bad);
        let value = bad.to_owned();
        assert_eq!(error, IdError::NotUppercaseUuid { value });
        assert_eq!(
            error.to_string(),
            format!("request id {bad:?} is not an uppercase UUID (8-4-4-4-12 hex digits)")
        );
    }
}

#[test]
fn a_long_bad_request_id_is_cut_in_its_error() {
    let long = "é".repeat(100);
    let IdError::NotUppercaseUuid { value } = RequestId::new(&long).unwrap_err() else {
        panic!("wrong variant");
    };
    assert_eq!(value, "é".repeat(64));
}

#[test]
fn request_id_sequences_are_deterministic() {
    let first: Vec<String> = RequestIdSequence::new(0x1234_ABCD)
        .take(3)
        .map(|id| id.to_string())
        .collect();
    assert_eq!(
        first,
        [
            "1234ABCD-0000-4000-8000-000000000001",
            "1234ABCD-0000-4000-8000-000000000002",
            "1234ABCD-0000-4000-8000-000000000003",
        ]
    );
    let nth = RequestIdSequence::new(7).nth(0xABC - 1).unwrap();
    assert_eq!(nth.as_str(), "00000007-0000-4000-8000-000000000ABC");
    let a: Vec<RequestId> = RequestIdSequence::new(42).take(1000).collect();
    let b: Vec<RequestId> = RequestIdSequence::new(42).take(1000).collect();
    assert_eq!(a, b);
    let unique: std::collections::BTreeSet<&RequestId> = a.iter().collect();
    assert_eq!(unique.len(), 1000);
    for id in &a {
        assert_eq!(
            &RequestId::new(id.as_str()).unwrap(),
            id,
            "a generated id is valid"
        );
    }
    assert_ne!(
        RequestIdSequence::new(1).next(),
        RequestIdSequence::new(2).next()
    );
}

// ---- wire::delete_image end to end -----------------------------------------------------------------

#[test]
fn delete_image_end_to_end_success() {
    let s = &mut store();
    let params = [("RegionId", HZ), ("ImageId", "m-plain")];
    let (response, outcome) = wire::delete_image(s, &account("alice"), params, &default(), rid());
    assert_eq!(response.http_status, 200);
    assert_eq!(
        to_json(&response.body),
        r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
    );
    assert!(matches!(response.body, Body::Success(_)));
    let Some(Outcome::Deleted(deletion)) = outcome else {
        panic!("expected a deletion, got {outcome:?}")
    };
    assert_eq!(deletion.image.id.as_str(), "m-plain");
    assert!(s.image("m-plain").is_none());

    let (response, outcome) = wire::delete_image(s, &account("alice"), params, &default(), rid());
    assert_eq!(response.http_status, 200);
    assert_eq!(outcome, Some(Outcome::Ignored));
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&ImageId=m-plain", &default()),
        (
            200,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
}

#[test]
fn delete_image_end_to_end_refusals() {
    let s = &mut store();
    let before = json(s);
    let not_found = default().with_missing_image(MissingImage::NotFound);
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&ImageId=m-shared", &default()),
        (
            403,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"ImageUseShared","Message":"The specified image has been shared to others.","Recommend":"https://api.aliyun.com/troubleshoot?q=ImageUseShared&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&ImageId=m-used", &doc2025()),
        (
            403,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"ImageUsingByInstance","Message":"The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed.","Recommend":"https://api.aliyun.com/troubleshoot?q=ImageUsingByInstance&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(
            s,
            "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=True",
            &default()
        ),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set.","Recommend":"https://api.aliyun.com/troubleshoot?q=DryRunOperation&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&ImageId=ubuntu", &not_found),
        (
            404,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"InvalidImageId.NotFound","Message":"The specified ImageId does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidImageId.NotFound&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(json(s), before, "refusals change nothing");
}

#[test]
fn error_host_ids_name_a_known_region_even_when_parsing_fails() {
    // [I] in wire.rs: HostId is regional whenever the request's RegionId names a region the
    // store knows, whatever went wrong; otherwise the central endpoint.
    let s = &mut store();
    assert_eq!(
        wire_call(s, "ImageId=m-plain", &default()),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.aliyuncs.com","Code":"MissingRegionId","Message":"RegionId is mandatory for this action.","Recommend":"https://api.aliyun.com/troubleshoot?q=MissingRegionId&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou", &default()),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"MissingImageId","Message":"ImageId is mandatory for this action.","Recommend":"https://api.aliyun.com/troubleshoot?q=MissingImageId&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(
            s,
            "RegionId=cn-hangzhou&ImageId=m-plain&DryRun=yes",
            &default()
        ),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"InvalidParameter","Message":"The specified parameter \"DryRun\" is not valid.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&ImageId=m plain", &default()),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"InvalidParameter","Message":"The specified parameter \"ImageId\" is not valid.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=xx-nowhere-1&ImageId=m-plain", &default()),
        (
            404,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.aliyuncs.com","Code":"InvalidRegionId.NotFound","Message":"The specified RegionId does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidRegionId.NotFound&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    // A malformed region is no known region; a repeated RegionId counts by its first value.
    assert_eq!(
        wire_call(s, "RegionId=cn hangzhou&ImageId=m-plain", &default()),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.aliyuncs.com","Code":"InvalidParameter","Message":"The specified parameter \"RegionId\" is not valid.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(
            s,
            "RegionId=xx-nowhere-1&RegionId=cn-hangzhou&ImageId=m-shared",
            &default()
        ),
        (
            404,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.aliyuncs.com","Code":"InvalidRegionId.NotFound","Message":"The specified RegionId does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidRegionId.NotFound&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
    assert_eq!(
        wire_call(s, "RegionId=cn-hangzhou&RegionId=xx-nowhere-1", &default()),
        (
            400,
            r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","HostId":"ecs.cn-hangzhou.aliyuncs.com","Code":"MissingImageId","Message":"ImageId is mandatory for this action.","Recommend":"https://api.aliyun.com/troubleshoot?q=MissingImageId&product=Ecs&requestId=473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#
        )
    );
}

#[test]
fn host_id_for_names_only_regions_the_store_knows() {
    let mut s = ImageStore::without_regions();
    assert_eq!(
        wire::host_id_for(&s, Some("cn-hangzhou")),
        "ecs.aliyuncs.com"
    );
    s.add_region(RegionId::new("my-lab-1").unwrap());
    assert_eq!(
        wire::host_id_for(&s, Some("my-lab-1")),
        "ecs.my-lab-1.aliyuncs.com"
    );
    assert_eq!(wire::host_id_for(&s, Some("My-Lab-1")), "ecs.aliyuncs.com");
    assert_eq!(wire::host_id_for(&s, Some("")), "ecs.aliyuncs.com");
    assert_eq!(wire::host_id_for(&s, None), "ecs.aliyuncs.com");
    let public = ImageStore::new();
    assert_eq!(
        wire::host_id_for(&public, Some("eu-central-1")),
        "ecs.eu-central-1.aliyuncs.com"
    );
}

#[test]
fn booleans_are_true_or_false_in_any_ascii_case() {
    for yes in ["true", "True", "TRUE", "tRuE"] {
        assert_eq!(wire::parse_bool(yes), Some(true), "{yes}");
    }
    for no in ["false", "False", "FALSE", "fAlSe"] {
        assert_eq!(wire::parse_bool(no), Some(false), "{no}");
    }
    for neither in ["", "1", "0", "yes", " true", "true ", "truE\0", "ｔｒｕｅ"] {
        assert_eq!(wire::parse_bool(neither), None, "{neither:?}");
    }
}

#[test]
fn the_first_value_of_a_repeated_parameter_counts() {
    let borrowed = [("Force", ""), ("Force", "true"), ("force", "false")];
    assert_eq!(wire::first_value(&borrowed, "Force"), Some(""));
    assert_eq!(wire::first_value(&borrowed, "force"), Some("false"));
    assert_eq!(wire::first_value(&borrowed, "FORCE"), None);
    let owned = vec![
        ("ImageId".to_owned(), "m-1".to_owned()),
        ("ImageId".to_owned(), "m-2".to_owned()),
    ];
    assert_eq!(wire::first_value(&owned, "ImageId"), Some("m-1"));
}

#[test]
fn a_refused_wire_call_reports_no_outcome() {
    let s = &mut store();
    let params = [("RegionId", HZ), ("ImageId", "m-used")];
    let (response, outcome) = wire::delete_image(s, &account("alice"), params, &default(), rid());
    assert_eq!(response.http_status, 403);
    assert_eq!(outcome, None);
    assert!(matches!(response.body, Body::Error(ref e) if e.code == "ImageUsingByInstance"));
    assert!(s.can_reinitialize_system_disk("i-m-used-1").unwrap());
}

#[test]
fn a_forced_wire_call_flags_instances() {
    let s = &mut store();
    let params = common::params("Format=JSON&RegionId=cn-hangzhou&ImageId=m-used&Force=TRUE");
    let request_id = RequestIdSequence::new(1).next().unwrap();
    let (response, outcome) =
        wire::delete_image(s, &account("alice"), params, &default(), request_id);
    assert_eq!(
        to_json(&response.body),
        r#"{"RequestId":"00000001-0000-4000-8000-000000000001"}"#
    );
    let Some(Outcome::Deleted(deletion)) = outcome else {
        panic!("expected a deletion, got {outcome:?}")
    };
    let flagged: Vec<&str> = deletion
        .instances_losing_reinit
        .iter()
        .map(|i| i.as_str())
        .collect();
    assert_eq!(flagged, ["i-m-used-1"]);
    assert!(!s.can_reinitialize_system_disk("i-m-used-1").unwrap());
}
