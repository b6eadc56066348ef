//! Who may reach the admin API, and the cross-site guard for actions under `--no-auth`, over
//! real HTTP: DNS rebinding (a foreign `Host`), a browser's cross-site requests (a foreign
//! `Origin`, `Sec-Fetch-Site: cross-site`, the content types a browser sends unasked), a
//! non-loopback listen address, and the admin token.

mod common;

use common::{Server, has_image, query, send};
use ecs_image_emulator::{Auth, Config, Options, demo};

const FORBIDDEN: &str = "Forbidden";
const FOREIGN_HOST: &str = "The Host header names neither this machine nor the listen address.";
const CROSS_SITE: &str = "Cross-site requests are refused (Origin or Sec-Fetch-Site).";
const CONTENT_TYPE: &str = "This content type is refused here (a browser sends it cross-site): send application/json, or no body.";
const ADMIN_OFF: &str = "The admin API is off: the emulator listens on a non-loopback address and no admin token is set (--admin-token).";
const ADMIN_TOKEN: &str =
    "The admin API needs the admin token: send Authorization: Bearer <token>.";

type Headers = Vec<(String, String)>;

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// Deletes m-demo-free, so that a reset shows: it brings the image back.
async fn delete_free_image(server: &Server) {
    common::delete(
        server,
        &[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-free")],
    )
    .await
    .assert_ok();
    assert!(!has_image(server, "m-demo-free").await);
}

#[tokio::test]
async fn a_rebound_host_cannot_read_the_world() {
    // DNS rebinding: the page's own name resolves to 127.0.0.1; the browser sends that name.
    let server = Server::demo().await;
    let port = server.addr.port();
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".into(),
    ] {
        let answer = send(
            "GET",
            &server.url("/_emulator/world"),
            &[header("host", &host)],
            Vec::new(),
        )
        .await;
        answer.assert_error(403, FORBIDDEN, FOREIGN_HOST);
        assert!(!answer.body.contains("Secret"), "{}", answer.body);
    }
    // This machine's names are served.
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
    ] {
        let answer = send(
            "GET",
            &server.url("/_emulator/world"),
            &[header("host", &host)],
            Vec::new(),
        )
        .await;
        assert_eq!(answer.status, 200, "Host {host}: {}", answer.body);
    }
}

#[tokio::test]
async fn a_cross_site_simple_post_cannot_reset_the_world() {
    let server = Server::demo().await;
    delete_free_image(&server).await;
    // What a form or `fetch(..., {mode: 'no-cors'})` on another site sends.
    let simple = [
        vec![header("content-type", "text/plain;charset=UTF-8")],
        vec![header("content-type", "application/x-www-form-urlencoded")],
        vec![header(
            "content-type",
            "multipart/form-data; boundary=----x",
        )],
        vec![header("origin", "https://attacker.example")],
        vec![header("origin", "null")],
        vec![header("sec-fetch-site", "cross-site")],
    ];
    for headers in simple {
        let answer = send(
            "POST",
            &server.url("/_emulator/reset"),
            &headers,
            b"{}".to_vec(),
        )
        .await;
        let message = if headers[0].0 == "content-type" {
            CONTENT_TYPE
        } else {
            CROSS_SITE
        };
        answer.assert_error(403, FORBIDDEN, message);
        assert!(
            !has_image(&server, "m-demo-free").await,
            "{headers:?} reset the world"
        );
    }
    // A foreign Origin is refused on a read as well.
    send(
        "GET",
        &server.url("/_emulator/world"),
        &[header("origin", "http://attacker.example")],
        Vec::new(),
    )
    .await
    .assert_error(403, FORBIDDEN, CROSS_SITE);
    // The harness's own calls: JSON, or no body; an Origin of this machine.
    for headers in [
        vec![header("content-type", "application/json")],
        vec![],
        vec![header(
            "origin",
            &format!("http://localhost:{}", server.addr.port()),
        )],
    ] {
        send(
            "POST",
            &server.url("/_emulator/reset"),
            &headers,
            b"{}".to_vec(),
        )
        .await
        .assert_ok();
    }
    assert!(has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn no_auth_actions_refuse_cross_site_requests() {
    let config = Config {
        auth: Auth::NoAuth {
            default_account: None,
        },
        ..Config::new(demo::world())
    };
    let server = Server::start(config).await;
    let params = [
        ("Action", "DeleteImage"),
        ("Version", "2014-05-26"),
        ("RegionId", "cn-hangzhou"),
        ("ImageId", "m-demo-free"),
    ];
    let form = query(&params).into_bytes();
    let cross_site: [(&str, Headers, &str); 4] = [
        (
            "a form on another site",
            vec![
                header("content-type", "application/x-www-form-urlencoded"),
                header("origin", "https://attacker.example"),
            ],
            CROSS_SITE,
        ),
        (
            "an image tag on another site",
            vec![header("sec-fetch-site", "cross-site")],
            CROSS_SITE,
        ),
        (
            "a text/plain body",
            vec![header("content-type", "text/plain")],
            CONTENT_TYPE,
        ),
        (
            "a multipart body",
            vec![header("content-type", "multipart/form-data; boundary=x")],
            CONTENT_TYPE,
        ),
    ];
    for (what, headers, message) in cross_site {
        let answer = send("POST", &server.url("/"), &headers, form.clone()).await;
        answer.assert_error(403, FORBIDDEN, message);
        assert!(has_image(&server, "m-demo-free").await, "{what} deleted");
    }
    // An SDK's form POST goes through.
    let sdk = [header("content-type", "application/x-www-form-urlencoded")];
    let answer = send("POST", &server.url("/"), &sdk, form).await;
    answer.assert_ok();
    assert!(!has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn a_non_loopback_listen_address_turns_the_admin_api_off() {
    // Bound to every interface, reached here through loopback.
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Server::serve_on(listener, Config::new(demo::world()), Options::default());
    let url = format!("http://127.0.0.1:{port}/_emulator/world");
    send("GET", &url, &[], Vec::new())
        .await
        .assert_error(403, FORBIDDEN, ADMIN_OFF);
    let reset = format!("http://127.0.0.1:{port}/_emulator/reset");
    send("POST", &reset, &[], Vec::new())
        .await
        .assert_error(403, FORBIDDEN, ADMIN_OFF);
    drop(server);
}

#[tokio::test]
async fn an_admin_token_is_required_once_set() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = Options {
        admin_token: Some("s3cret-admin".into()),
        ..Options::default()
    };
    let _server = Server::serve_on(listener, Config::new(demo::world()), options);
    let url = format!("http://127.0.0.1:{port}/_emulator/world");
    for presented in [
        vec![],
        vec![header("authorization", "Bearer wrong")],
        vec![header("authorization", "s3cret-admin")],
        vec![header("authorization", "Bearer s3cret-admin-and-more")],
    ] {
        send("GET", &url, &presented, Vec::new())
            .await
            .assert_error(403, FORBIDDEN, ADMIN_TOKEN);
    }
    let good = [header("authorization", "Bearer s3cret-admin")];
    let answer = send("GET", &url, &good, Vec::new()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // With the token, a Host other than this machine's is fine (the token is the proof), but
    // a browser's cross-site request still is not.
    let answer = send(
        "GET",
        &url,
        &[good[0].clone(), header("host", "emulator.internal:1234")],
        Vec::new(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let mut cross_site = good.to_vec();
    cross_site.push(header("content-type", "text/plain"));
    send(
        "POST",
        &format!("http://127.0.0.1:{port}/_emulator/reset"),
        &cross_site,
        Vec::new(),
    )
    .await
    .assert_error(403, FORBIDDEN, CONTENT_TYPE);
}
