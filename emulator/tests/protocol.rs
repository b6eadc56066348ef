//! The ECS RPC protocol over real HTTP (docs/clients.md §7): routing, where the action and
//! the version come from, parameters from the query and a form body, the exact bodies and
//! content types, request ids, HostId, and XML.

mod common;

use common::{
    ALICE_KEY, Server, acs3_headers, assert_uuid, call, delete, query, rpc_v1_query, send,
};

const REGION: &str = "cn-hangzhou";

#[tokio::test]
async fn a_v3_post_with_action_in_the_header_deletes() {
    let server = Server::demo().await;
    let answer = delete(&server, &[("RegionId", REGION), ("ImageId", "m-demo-free")]).await;
    let body = answer.assert_ok();
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "only RequestId: {}",
        answer.body
    );
    assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
    assert_eq!(
        answer.header("x-acs-request-id"),
        body["RequestId"].as_str()
    );
    assert!(!common::has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn a_v1_get_with_action_in_the_query_is_answered() {
    let server = Server::demo().await;
    let params = [
        ("Action", "DeleteImage"),
        ("Version", "2014-05-26"),
        ("RegionId", REGION),
        ("ImageId", "m-demo-shared"),
    ];
    let q = rpc_v1_query("GET", &params, ALICE_KEY);
    let answer = send("GET", &server.url(&format!("/?{q}")), &[], Vec::new()).await;
    answer.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
}

#[tokio::test]
async fn form_body_parameters_are_read_and_signed() {
    let server = Server::demo().await;
    let params = [
        ("Action", "DeleteImage"),
        ("Version", "2014-05-26"),
        ("RegionId", REGION),
        ("ImageId", "m-demo-in-use"),
        ("Force", "TRUE"),
    ];
    // RPC V1 signs query and form parameters alike: send them all in the body.
    let body = rpc_v1_query("POST", &params, ALICE_KEY);
    let headers = [(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
    )];
    let answer = send("POST", &server.url("/"), &headers, body.into_bytes()).await;
    answer.assert_ok();
    assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
}

#[tokio::test]
async fn booleans_are_read_in_any_case() {
    let server = Server::demo().await;
    for (value, image) in [("True", "m-demo-in-use"), ("tRuE", "m-demo-free")] {
        let answer = delete(
            &server,
            &[("RegionId", REGION), ("ImageId", image), ("Force", value)],
        )
        .await;
        answer.assert_ok();
        assert_eq!(
            answer.header("x-emulator-outcome"),
            Some("Deleted"),
            "Force={value}"
        );
    }
    let answer = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-deprecated"),
            ("DryRun", "FALSE"),
        ],
    )
    .await;
    assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
    let answer = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-bob"),
            ("Force", "yes"),
        ],
    )
    .await;
    answer.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Force\" is not valid.",
    );
}

#[tokio::test]
async fn the_success_body_is_exactly_the_request_id() {
    let server = Server::demo().await;
    let answer = delete(
        &server,
        &[("RegionId", REGION), ("ImageId", "m-never-existed")],
    )
    .await;
    let id = answer.assert_ok()["RequestId"].as_str().unwrap().to_owned();
    assert_eq!(answer.body, format!("{{\"RequestId\":\"{id}\"}}"));
    assert_eq!(answer.header("x-emulator-outcome"), Some("Ignored"));
}

#[tokio::test]
async fn the_error_body_has_its_five_fields_in_order() {
    let server = Server::demo().await;
    let answer = delete(
        &server,
        &[("RegionId", REGION), ("ImageId", "m-demo-public")],
    )
    .await;
    let body = answer.assert_error(
        403,
        "ImageIsPublic",
        "You can not delete public image, please modify it to private.",
    );
    let id = body["RequestId"].as_str().unwrap();
    assert_eq!(
        answer.body,
        format!(
            "{{\"RequestId\":\"{id}\",\"HostId\":\"ecs.cn-hangzhou.aliyuncs.com\",\"Code\":\"ImageIsPublic\",\
             \"Message\":\"You can not delete public image, please modify it to private.\",\
             \"Recommend\":\"https://api.aliyun.com/troubleshoot?q=ImageIsPublic&product=Ecs&requestId={id}\"}}"
        )
    );
}

#[tokio::test]
async fn request_ids_are_fresh_uppercase_uuids() {
    let server = Server::demo().await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let answer = delete(
            &server,
            &[("RegionId", REGION), ("ImageId", "m-demo-shared")],
        )
        .await;
        let id = answer.json()["RequestId"].as_str().unwrap().to_owned();
        assert_uuid(&id);
        assert!(seen.insert(id), "a request id repeated");
    }
}

#[tokio::test]
async fn host_id_names_the_region_when_it_is_known() {
    let server = Server::demo().await;
    let shanghai = delete(
        &server,
        &[
            ("RegionId", "cn-shanghai"),
            ("ImageId", "m-demo-copying-copy1"),
        ],
    )
    .await;
    let body = shanghai.assert_error(403, "OperationDenied.ImageCopying", "The Image is coping.");
    assert_eq!(body["HostId"], "ecs.cn-shanghai.aliyuncs.com");
    let unknown = delete(
        &server,
        &[("RegionId", "xx-nowhere-1"), ("ImageId", "m-demo-free")],
    )
    .await;
    let body = unknown.assert_error(
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
    assert_eq!(body["HostId"], "ecs.aliyuncs.com");
}

#[tokio::test]
async fn every_error_names_a_known_region_in_host_id_even_a_parameter_error() {
    // One rule for every action and every error (wire::host_id_for): the regional endpoint
    // whenever the RegionId parameter names a region the store knows.
    let server = Server::demo().await;
    let hangzhou = "ecs.cn-hangzhou.aliyuncs.com";
    let missing_image = delete(&server, &[("RegionId", REGION)]).await;
    let body = missing_image.assert_error(
        400,
        "MissingImageId",
        "ImageId is mandatory for this action.",
    );
    assert_eq!(body["HostId"], hangzhou, "DeleteImage, parse error");
    let bad_force = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-free"),
            ("Force", "yes"),
        ],
    )
    .await;
    let body = bad_force.assert_error(
        400,
        "InvalidParameter",
        "The specified parameter \"Force\" is not valid.",
    );
    assert_eq!(body["HostId"], hangzhou, "DeleteImage, bad boolean");
    let copy = call(&server, ALICE_KEY, "CopyImage", &[("RegionId", REGION)]).await;
    let body = copy.assert_error(
        400,
        "MissingImageId",
        "ImageId is mandatory for this action.",
    );
    assert_eq!(body["HostId"], hangzhou, "CopyImage, parse error");
    let bad_key = call(
        &server,
        (ALICE_KEY.0, "not-alices-secret"),
        "DescribeImages",
        &[("RegionId", REGION)],
    )
    .await;
    assert_eq!(bad_key.json()["Code"], "SignatureDoesNotMatch");
    assert_eq!(bad_key.json()["HostId"], hangzhou, "gateway error");
    // No RegionId, or one the store does not know: the central endpoint.
    let no_region = delete(&server, &[("ImageId", "m-demo-free")]).await;
    let body = no_region.assert_error(
        400,
        "MissingRegionId",
        "RegionId is mandatory for this action.",
    );
    assert_eq!(body["HostId"], "ecs.aliyuncs.com");
    let unknown = call(
        &server,
        ALICE_KEY,
        "CopyImage",
        &[("RegionId", "xx-nowhere-1"), ("ImageId", "m-demo-free")],
    )
    .await;
    let body = unknown.assert_error(
        400,
        "MissingDestinationRegionId",
        "DestinationRegionId is mandatory for this action.",
    );
    assert_eq!(body["HostId"], "ecs.aliyuncs.com");
}

#[tokio::test]
async fn format_xml_answers_xml() {
    let server = Server::demo().await;
    let refused = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-exporting"),
            ("Format", "XML"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.content_type(), "text/xml;charset=utf-8");
    let id = refused.header("x-acs-request-id").unwrap();
    assert_eq!(
        refused.body,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>{id}</RequestId>\
             <HostId>ecs.cn-hangzhou.aliyuncs.com</HostId><Code>ImageIsExporting</Code>\
             <Message>The specified Image is exporting. Please cancel task first.</Message>\
             <Recommend>https://api.aliyun.com/troubleshoot?q=ImageIsExporting&amp;product=Ecs&amp;requestId={id}</Recommend></Error>"
        )
    );
    let deleted = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-free"),
            ("Format", "xml"),
        ],
    )
    .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.content_type(), "text/xml;charset=utf-8");
    let id = deleted.header("x-acs-request-id").unwrap();
    assert_eq!(
        deleted.body,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><DeleteImageResponse><RequestId>{id}</RequestId></DeleteImageResponse>"
        )
    );
}

#[tokio::test]
async fn format_json_in_lower_case_is_json() {
    let server = Server::demo().await;
    let answer = delete(
        &server,
        &[
            ("RegionId", REGION),
            ("ImageId", "m-demo-shared"),
            ("Format", "json"),
        ],
    )
    .await;
    answer.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
}

#[tokio::test]
async fn an_unknown_action_is_invalid_action_not_found() {
    let server = Server::demo().await;
    let answer = call(&server, ALICE_KEY, "DeleteImages", &[("RegionId", REGION)]).await;
    answer.assert_error(
        404,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    );
}

#[tokio::test]
async fn action_names_are_case_sensitive() {
    let server = Server::demo().await;
    let answer = call(
        &server,
        ALICE_KEY,
        "deleteimage",
        &[("RegionId", REGION), ("ImageId", "m-demo-free")],
    )
    .await;
    answer.assert_error(
        404,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    );
    assert!(common::has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn a_missing_action_or_version_is_missing_parameter() {
    let server = Server::demo().await;
    let no_action = send(
        "POST",
        &server.url("/?Version=2014-05-26&RegionId=cn-hangzhou"),
        &[],
        Vec::new(),
    )
    .await;
    no_action.assert_error(
        400,
        "MissingParameter",
        "The input parameter \"Action\" that is mandatory for processing this request is not supplied.",
    );
    let no_version = send(
        "POST",
        &server.url("/?Action=DeleteImage&RegionId=cn-hangzhou"),
        &[],
        Vec::new(),
    )
    .await;
    no_version.assert_error(
        400,
        "MissingParameter",
        "The input parameter \"Version\" that is mandatory for processing this request is not supplied.",
    );
}

#[tokio::test]
async fn another_version_is_invalid_version() {
    let server = Server::demo().await;
    for version in ["2016-03-14", "2014-05-26 ", "latest"] {
        let url = server.url(&format!(
            "/?{}",
            query(&[("Action", "DeleteImage"), ("Version", version)])
        ));
        let answer = send("POST", &url, &[], Vec::new()).await;
        answer.assert_error(
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        );
    }
    // The header counts when the query has none.
    let headers = [
        ("x-acs-action".to_owned(), "DeleteImage".to_owned()),
        ("x-acs-version".to_owned(), "2019-01-01".to_owned()),
    ];
    let answer = send(
        "POST",
        &server.url("/?RegionId=cn-hangzhou"),
        &headers,
        Vec::new(),
    )
    .await;
    answer.assert_error(
        400,
        "InvalidVersion",
        "Specified parameter Version is not valid.",
    );
}

#[tokio::test]
async fn only_the_root_path_routes_actions() {
    let server = Server::demo().await;
    for path in ["/DeleteImage", "/api", "/_emulatorx"] {
        let url = server.url(&format!("{path}?Action=DeleteImage&Version=2014-05-26"));
        let answer = send("POST", &url, &[], Vec::new()).await;
        answer.assert_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    }
}

#[tokio::test]
async fn methods_other_than_get_and_post_are_refused() {
    let server = Server::demo().await;
    for method in ["PUT", "DELETE", "PATCH"] {
        let url = server.url(
            "/?Action=DeleteImage&Version=2014-05-26&RegionId=cn-hangzhou&ImageId=m-demo-free",
        );
        let answer = send(method, &url, &[], Vec::new()).await;
        answer.assert_error(
            403,
            "UnsupportedHTTPMethod",
            "The specified HTTP method is not supported.",
        );
    }
    assert!(common::has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn the_action_parameter_wins_over_the_header() {
    let server = Server::demo().await;
    let params = [
        ("Action", "DescribeImages"),
        ("Version", "2014-05-26"),
        ("RegionId", REGION),
    ];
    let host = server.addr.to_string();
    let headers = acs3_headers("POST", &host, &params, b"", "DeleteImage", ALICE_KEY);
    let answer = send(
        "POST",
        &server.url(&format!("/?{}", query(&params))),
        &headers,
        Vec::new(),
    )
    .await;
    let body = answer.assert_ok();
    assert!(
        body.get("Images").is_some(),
        "DescribeImages answered: {}",
        answer.body
    );
}
