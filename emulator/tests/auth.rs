//! Identity and signatures over real HTTP: access key id → account, both signature schemes
//! (docs/clients.md §4), the real error forms, and `--no-auth`.

mod common;

use common::{ALICE_KEY, BOB_KEY, Server, acs3_headers, call, query, rpc_v1_query, send};
use ecs_image_emulator::{Auth, Config, demo};
use ecs_image_rules::{AccessKey, AccountId};

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
