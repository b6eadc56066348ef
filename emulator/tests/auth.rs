//! Identity and signatures over real HTTP: access key id → account, both signature schemes
//! (docs/clients.md §4), the real error forms, and `--no-auth`.

mod common;

use common::{
    ALICE_KEY, BOB_KEY, Server, acs3_headers, acs3_sign, call, has_image, query, rpc_v1_query, send,
};
use ecs_image_emulator::{Auth, Config, Options, demo};
use ecs_image_rules::{AccessKey, AccountId};
use sha2::{Digest, Sha256};

const DELETE_SHARED: [(&str, &str); 2] =
    [("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-shared")];
const SIGNATURE_PREFIX: &str =
    "Specified signature is not matched with our calculation. server string to sign is:";

fn v1_params() -> Vec<(&'static str, &'static str)> {
    let mut params = vec![
        ("Action", "DeleteImage"),
        ("Version", "2014-05-26"),
        ("Format", "JSON"),
    ];
    params.extend(DELETE_SHARED);
    params
}

#[tokio::test]
async fn a_good_acs3_signature_acts_as_the_key_owner() {
    let server = Server::demo().await;
    // Alice owns m-demo-shared: refused for its share. Bob only sees it: not found.
    let alice = call(&server, ALICE_KEY, "DeleteImage", &DELETE_SHARED).await;
    alice.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
    let bob = call(&server, BOB_KEY, "DeleteImage", &DELETE_SHARED).await;
    bob.assert_error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
}

#[tokio::test]
async fn a_bad_acs3_signature_is_signature_does_not_match() {
    let server = Server::demo().await;
    let answer = call(
        &server,
        (ALICE_KEY.0, "not-alices-secret"),
        "DeleteImage",
        &DELETE_SHARED,
    )
    .await;
    assert_eq!(answer.status, 400);
    let body = answer.json();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    let message = body["Message"].as_str().unwrap();
    let sts = message
        .strip_prefix(SIGNATURE_PREFIX)
        .expect("the real message form");
    let (algorithm, digest) = sts.split_once('\n').expect("two lines");
    assert_eq!(algorithm, "ACS3-HMAC-SHA256");
    assert_eq!(digest.len(), 64, "hex sha256 of the canonical request");
}

#[tokio::test]
async fn a_tampered_acs3_request_is_refused() {
    let server = Server::demo().await;
    let host = server.addr.to_string();
    let headers = acs3_headers("POST", &host, &DELETE_SHARED, b"", "DeleteImage", ALICE_KEY);
    // Signed for m-demo-shared, sent for m-demo-free.
    let tampered = query(&[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-free")]);
    let answer = send(
        "POST",
        &server.url(&format!("/?{tampered}")),
        &headers,
        Vec::new(),
    )
    .await;
    assert_eq!(answer.json()["Code"], "SignatureDoesNotMatch");
    assert!(common::has_image(&server, "m-demo-free").await);
    // And a body that is not the signed one.
    let url = server.url(&format!("/?{}", query(&DELETE_SHARED)));
    let answer = send("POST", &url, &headers, b"x".to_vec()).await;
    assert_eq!(answer.json()["Code"], "SignatureDoesNotMatch");
}

#[tokio::test]
async fn a_good_rpc_v1_signature_acts_as_the_key_owner() {
    let server = Server::demo().await;
    let q = rpc_v1_query("POST", &v1_params(), ALICE_KEY);
    let answer = send("POST", &server.url(&format!("/?{q}")), &[], Vec::new()).await;
    answer.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
}

#[tokio::test]
async fn a_bad_rpc_v1_signature_shows_the_string_to_sign() {
    let server = Server::demo().await;
    let q = rpc_v1_query("POST", &v1_params(), (ALICE_KEY.0, "wrong"));
    let answer = send("POST", &server.url(&format!("/?{q}")), &[], Vec::new()).await;
    let body = answer.assert_error(400, "SignatureDoesNotMatch", &{
        // Written out from §4: METHOD&%2F&pct(sorted, encoded pairs without Signature).
        let pairs = "AccessKeyId=LTAI5tDemoAlice000000001&Action=DeleteImage&Format=JSON\
                     &ImageId=m-demo-shared&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1\
                     &SignatureVersion=1.0&Version=2014-05-26";
        format!("{SIGNATURE_PREFIX}POST&%2F&{}", common::pct(pairs))
    });
    // The legacy Python client splits the message on ':' and needs a second part.
    assert!(body["Message"].as_str().unwrap().contains(':'));
}

#[tokio::test]
async fn an_rpc_v1_request_without_signature_is_incomplete() {
    let server = Server::demo().await;
    let mut params = v1_params();
    params.push(("AccessKeyId", ALICE_KEY.0));
    let answer = send(
        "POST",
        &server.url(&format!("/?{}", query(&params))),
        &[],
        Vec::new(),
    )
    .await;
    answer.assert_error(
        400,
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards.",
    );
}

#[tokio::test]
async fn an_unknown_access_key_is_not_found_in_both_schemes() {
    let server = Server::demo().await;
    let stranger = ("LTAI5tNobodyHasThisKey01", "whatever");
    let v3 = call(&server, stranger, "DeleteImage", &DELETE_SHARED).await;
    v3.assert_error(
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    );
    let q = rpc_v1_query("POST", &v1_params(), stranger);
    let v1 = send("POST", &server.url(&format!("/?{q}")), &[], Vec::new()).await;
    v1.assert_error(
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    );
}

#[tokio::test]
async fn a_request_without_a_key_is_missing_access_key_id() {
    let server = Server::demo().await;
    let answer = send(
        "POST",
        &server.url(&format!("/?{}", query(&v1_params()))),
        &[],
        Vec::new(),
    )
    .await;
    answer.assert_error(
        400,
        "MissingAccessKeyId",
        "AccessKeyId is mandatory for this action.",
    );
}

#[tokio::test]
async fn a_malformed_authorization_header_is_incomplete_signature() {
    let server = Server::demo().await;
    let url = server.url(&format!("/?{}", query(&v1_params())));
    for value in [
        "Bearer abc",
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=LTAI5tDemoAlice000000001",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=00",
    ] {
        let headers = [("authorization".to_owned(), value.to_owned())];
        let answer = send("POST", &url, &headers, Vec::new()).await;
        answer.assert_error(
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        );
    }
}

#[tokio::test]
async fn a_key_without_a_secret_identifies_without_a_signature() {
    let mut world = demo::world();
    world.accounts[1].access_keys.push(AccessKey {
        id: "LTAI5tBobNoSecret0000001".into(),
        secret: None,
    });
    let server = Server::start(Config::new(world)).await;
    let mut params = v1_params();
    params.push(("AccessKeyId", "LTAI5tBobNoSecret0000001"));
    let answer = send(
        "POST",
        &server.url(&format!("/?{}", query(&params))),
        &[],
        Vec::new(),
    )
    .await;
    // Bob sees Alice's shared image but does not own it.
    answer.assert_error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
}

#[tokio::test]
async fn no_auth_maps_unknown_keys_to_the_default_account() {
    let config = Config {
        auth: Auth::NoAuth {
            default_account: None,
        },
        ..Config::new(demo::world())
    };
    let server = Server::start(config).await;
    // No key at all, and a bad signature with an unknown key: both are Alice, the first account.
    let plain = send(
        "POST",
        &server.url(&format!("/?{}", query(&v1_params()))),
        &[],
        Vec::new(),
    )
    .await;
    plain.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
    let stranger = call(
        &server,
        ("LTAI5tNobodyHasThisKey01", "x"),
        "DeleteImage",
        &DELETE_SHARED,
    )
    .await;
    stranger.assert_error(
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
    // A key the world holds still names its account, even with a wrong signature.
    let bob = call(&server, (BOB_KEY.0, "wrong"), "DeleteImage", &DELETE_SHARED).await;
    bob.assert_error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
}

#[tokio::test]
async fn no_auth_uses_the_configured_default_account() {
    let config = Config {
        auth: Auth::NoAuth {
            default_account: Some(AccountId::new("bob").unwrap()),
        },
        ..Config::new(demo::world())
    };
    let server = Server::start(config).await;
    let answer = send(
        "POST",
        &server.url(&format!("/?{}", query(&v1_params()))),
        &[],
        Vec::new(),
    )
    .await;
    answer.assert_error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
}

// ---- what a signature must cover ----------------------------------------------------------

const FREE: [(&str, &str); 2] = [("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-free")];
const INCOMPLETE: &str = "IncompleteSignature";

fn unsigned(name: &str) -> String {
    format!(
        "The request signature does not conform to Aliyun standards: SignedHeaders must include \"{name}\"."
    )
}

/// The headers an SDK signs for `action` with this body, as (name, value), `host` included.
fn sdk_headers(server: &Server, action: &str, body: &[u8]) -> Vec<(String, String)> {
    vec![
        ("host".into(), server.addr.to_string()),
        ("x-acs-action".into(), action.into()),
        (
            "x-acs-content-sha256".into(),
            hex::encode(Sha256::digest(body)),
        ),
        ("x-acs-date".into(), "2026-11-28T00:00:00Z".into()),
        ("x-acs-signature-nonce".into(), "nonce-1".into()),
        ("x-acs-version".into(), "2014-05-26".into()),
    ]
}

#[tokio::test]
async fn acs3_must_sign_host_action_version_date_and_payload_hash() {
    let server = Server::demo().await;
    let url = server.url(&format!("/?{}", query(&FREE)));
    for left_out in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-content-sha256",
    ] {
        let all = sdk_headers(&server, "DeleteImage", b"");
        let signed: Vec<_> = all.iter().filter(|(k, _)| k != left_out).cloned().collect();
        let mut headers = acs3_sign("POST", &FREE, b"", signed, ALICE_KEY);
        // Sent all the same, just not signed (the client sets host itself).
        headers.extend(
            all.into_iter()
                .filter(|(k, _)| k == left_out && k != "host"),
        );
        let answer = send("POST", &url, &headers, Vec::new()).await;
        answer.assert_error(400, INCOMPLETE, &unsigned(left_out));
        assert!(has_image(&server, "m-demo-free").await, "{left_out}");
    }
    // Signing them all is enough.
    let headers = acs3_sign(
        "POST",
        &FREE,
        b"",
        sdk_headers(&server, "DeleteImage", b""),
        ALICE_KEY,
    );
    send("POST", &url, &headers, Vec::new()).await.assert_ok();
    assert!(!has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn an_unsigned_content_type_cannot_turn_a_dry_run_into_a_deletion() {
    // A signed DeleteImage with DryRun=true in a form body. Were its Content-Type unsigned, a
    // man in the middle could change it so that the body is no longer read as parameters:
    // DryRun would vanish and the image be deleted.
    let server = Server::demo().await;
    let body = query(&[
        ("RegionId", "cn-hangzhou"),
        ("ImageId", "m-demo-free"),
        ("DryRun", "true"),
    ])
    .into_bytes();
    let form = (
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    );
    let swapped = (
        "content-type".to_owned(),
        "application/octet-stream".to_owned(),
    );
    let url = server.url("/");

    let mut unsigned_type = acs3_sign(
        "POST",
        &[],
        &body,
        sdk_headers(&server, "DeleteImage", &body),
        ALICE_KEY,
    );
    for content_type in [&form, &swapped] {
        let mut headers = unsigned_type.clone();
        headers.push(content_type.clone());
        let answer = send("POST", &url, &headers, body.clone()).await;
        answer.assert_error(400, INCOMPLETE, &unsigned("content-type"));
        assert!(has_image(&server, "m-demo-free").await, "{content_type:?}");
    }

    let mut with_type = sdk_headers(&server, "DeleteImage", &body);
    with_type.push(form.clone());
    let signed_type = acs3_sign("POST", &[], &body, with_type, ALICE_KEY);
    send("POST", &url, &signed_type, body.clone())
        .await
        .assert_error(
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        );
    unsigned_type = signed_type
        .into_iter()
        .map(|(k, v)| {
            if k == "content-type" {
                swapped.clone()
            } else {
                (k, v)
            }
        })
        .collect();
    let answer = send("POST", &url, &unsigned_type, body).await;
    assert_eq!(
        answer.json()["Code"],
        "SignatureDoesNotMatch",
        "{}",
        answer.body
    );
    assert!(has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn an_rpc_v1_action_comes_from_its_signed_parameters_only() {
    let server = Server::demo().await;
    // Signed without Action (and, in a second try, without Version); the unsigned headers
    // must not supply them.
    let cases: [(&[(&str, &str)], &str); 2] = [
        (
            &[
                ("Version", "2014-05-26"),
                ("RegionId", "cn-hangzhou"),
                ("ImageId", "m-demo-free"),
            ],
            "Action",
        ),
        (
            &[
                ("Action", "DeleteImage"),
                ("RegionId", "cn-hangzhou"),
                ("ImageId", "m-demo-free"),
            ],
            "Version",
        ),
    ];
    let headers = [
        ("x-acs-action".to_owned(), "DeleteImage".to_owned()),
        ("x-acs-version".to_owned(), "2014-05-26".to_owned()),
    ];
    for (params, missing) in cases {
        let q = rpc_v1_query("POST", params, ALICE_KEY);
        let answer = send("POST", &server.url(&format!("/?{q}")), &headers, Vec::new()).await;
        answer.assert_error(
            400,
            "MissingParameter",
            &format!(
                "The input parameter \"{missing}\" that is mandatory for processing this request is not supplied."
            ),
        );
        assert!(has_image(&server, "m-demo-free").await);
    }
}

#[tokio::test]
async fn a_huge_bad_signature_gets_a_bounded_answer() {
    // 500 parameters of 1,500 bytes and a known key with a junk RPC V1 signature: the string
    // to sign is over a megabyte; the answer repeats at most 4,096 bytes of it.
    let server = Server::demo().await;
    let mut body = String::from(
        "Action=DeleteImage&Version=2014-05-26&RegionId=cn-hangzhou&ImageId=m-demo-free\
         &AccessKeyId=LTAI5tDemoAlice000000001&Signature=junk",
    );
    let value = "v".repeat(1_500);
    for i in 0..500 {
        body.push_str(&format!("&P{i}={value}"));
    }
    let answer = form_post(&server, body).await;
    assert_eq!(answer.status, 400);
    let message = answer.json()["Message"].as_str().unwrap().to_owned();
    let echoed = message
        .strip_prefix(SIGNATURE_PREFIX)
        .expect("the real form");
    assert!(echoed.starts_with("POST&%2F&AccessKeyId%3DLTAI5tDemoAlice000000001"));
    let (kept, rest) = echoed.split_at(4096);
    assert!(kept.len() == 4096 && rest.starts_with("... ("), "{rest}");
    assert!(rest.ends_with(" bytes in all)"), "{rest}");
    assert!(answer.body.len() < 5000, "{} bytes", answer.body.len());
}

async fn form_post(server: &Server, body: String) -> common::Answer {
    let headers = [(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    send("POST", &server.url("/"), &headers, body.into_bytes()).await
}

/// Issue 11, finding 4: a request of a hundred thousand parameters with a junk signature is
/// refused for its size, before its parameters are decoded past the bound and before the
/// signature is checked (which would canonicalize and hash all of them); the bound itself
/// still reaches the signature check.
#[tokio::test]
async fn more_than_1000_parameters_are_refused_before_the_signature_is_checked() {
    let server = Server::demo().await;
    let junk = |parameters: usize| {
        // 6 parameters here, the rest numbered.
        let mut body = String::from(
            "Action=DeleteImage&Version=2014-05-26&RegionId=cn-hangzhou&ImageId=m-demo-free\
             &AccessKeyId=LTAI5tDemoAlice000000001&Signature=junk",
        );
        for i in 6..parameters {
            body.push_str(&format!("&P{i}=v"));
        }
        body
    };
    let answer = form_post(&server, junk(100_000)).await;
    answer.assert_error(
        400,
        "InvalidParameter",
        "The request has more than 1000 parameters.",
    );
    let answer = form_post(&server, junk(1_001)).await;
    answer.assert_error(
        400,
        "InvalidParameter",
        "The request has more than 1000 parameters.",
    );
    let answer = form_post(&server, junk(1_000)).await;
    assert_eq!(answer.json()["Code"], "SignatureDoesNotMatch");
    // Query and body count together.
    let url = server.url("/?Format=JSON&P0=a&P1=b");
    let headers = [(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let answer = send("POST", &url, &headers, junk(999).into_bytes()).await;
    answer.assert_error(
        400,
        "InvalidParameter",
        "The request has more than 1000 parameters.",
    );
}

// ---- replay protection (off by default) ----------------------------------------------------

fn replay_options() -> Options {
    Options {
        replay_window: Some(std::time::Duration::from_secs(15 * 60)),
        ..Options::default()
    }
}

fn now_iso8601(offset_seconds: i64) -> String {
    let now = std::time::SystemTime::now();
    let shifted = if offset_seconds >= 0 {
        now + std::time::Duration::from_secs(offset_seconds as u64)
    } else {
        now - std::time::Duration::from_secs(offset_seconds.unsigned_abs())
    };
    humantime::format_rfc3339_seconds(shifted).to_string()
}

/// A V3-signed DescribeImages with this date and nonce.
async fn describe_at(server: &Server, date: &str, nonce: &str) -> common::Answer {
    let params = [("RegionId", "cn-hangzhou")];
    let mut signed = sdk_headers(server, "DescribeImages", b"");
    for (k, v) in &mut signed {
        match k.as_str() {
            "x-acs-date" => *v = date.to_owned(),
            "x-acs-signature-nonce" => *v = nonce.to_owned(),
            _ => {}
        }
    }
    let headers = acs3_sign("POST", &params, b"", signed, ALICE_KEY);
    send(
        "POST",
        &server.url(&format!("/?{}", query(&params))),
        &headers,
        Vec::new(),
    )
    .await
}

#[tokio::test]
async fn without_replay_protection_a_request_may_be_replayed() {
    let server = Server::demo().await;
    for _ in 0..2 {
        describe_at(&server, "2001-01-01T00:00:00Z", "same")
            .await
            .assert_ok();
    }
}

#[tokio::test]
async fn replay_protection_refuses_a_used_nonce_and_a_time_out_of_the_window() {
    let server = Server::start_with(Config::new(demo::world()), replay_options()).await;
    let now = now_iso8601(0);
    describe_at(&server, &now, "nonce-a").await.assert_ok();
    describe_at(&server, &now, "nonce-a").await.assert_error(
        400,
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    );
    describe_at(&server, &now, "nonce-b").await.assert_ok();
    for date in [now_iso8601(-16 * 60), now_iso8601(16 * 60)] {
        describe_at(&server, &date, "nonce-c").await.assert_error(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }
    // A refused time does not use up the nonce.
    describe_at(&server, &now_iso8601(-60), "nonce-c")
        .await
        .assert_ok();
    describe_at(&server, "yesterday", "nonce-d")
        .await
        .assert_error(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        );
    // A bad signature does not use up the nonce either.
    let params = [("RegionId", "cn-hangzhou")];
    let mut signed = sdk_headers(&server, "DescribeImages", b"");
    signed.retain(|(k, _)| k != "x-acs-date" && k != "x-acs-signature-nonce");
    signed.push(("x-acs-date".into(), now.clone()));
    signed.push(("x-acs-signature-nonce".into(), "nonce-e".into()));
    let forged = acs3_sign("POST", &params, b"", signed, (ALICE_KEY.0, "wrong"));
    let url = server.url(&format!("/?{}", query(&params)));
    let answer = send("POST", &url, &forged, Vec::new()).await;
    assert_eq!(answer.json()["Code"], "SignatureDoesNotMatch");
    describe_at(&server, &now, "nonce-e").await.assert_ok();
}

#[tokio::test]
async fn replay_protection_covers_rpc_v1_too() {
    let server = Server::start_with(Config::new(demo::world()), replay_options()).await;
    let now = now_iso8601(0);
    let params = |nonce: &'static str, time: &str| -> String {
        let time = time.to_owned();
        let list = [
            ("Action", "DescribeImages"),
            ("Version", "2014-05-26"),
            ("RegionId", "cn-hangzhou"),
            ("Timestamp", time.as_str()),
            ("SignatureNonce", nonce),
        ];
        rpc_v1_query("GET", &list, ALICE_KEY)
    };
    let get = |q: String| {
        let url = server.url(&format!("/?{q}"));
        async move { send("GET", &url, &[], Vec::new()).await }
    };
    get(params("v1-a", &now)).await.assert_ok();
    get(params("v1-a", &now)).await.assert_error(
        400,
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    );
    get(params("v1-b", &now_iso8601(-3600))).await.assert_error(
        400,
        "InvalidTimeStamp.Expired",
        "Specified time stamp or date value is expired.",
    );
    // Without a Timestamp at all.
    let q = rpc_v1_query(
        "GET",
        &[
            ("Action", "DescribeImages"),
            ("Version", "2014-05-26"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureNonce", "v1-c"),
        ],
        ALICE_KEY,
    );
    get(q).await.assert_error(
        400,
        "MissingParameter",
        "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied.",
    );
}
