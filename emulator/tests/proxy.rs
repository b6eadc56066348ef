//! Proxy mode over a raw socket: requests in absolute form for an ECS host are served as if
//! sent directly; any other host, and CONNECT, are refused with a clear error.

mod common;

use common::{ALICE_KEY, Server, has_image, rpc_v1_query};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one raw HTTP/1.1 request line (absolute or authority form) and reads the answer:
/// (status, body as JSON when it is JSON).
async fn raw(server: &Server, method: &str, target: &str, host: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8(answer).unwrap();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn delete_query(image: &str) -> String {
    rpc_v1_query(
        "GET",
        &[
            ("Action", "DeleteImage"),
            ("Version", "2014-05-26"),
            ("RegionId", "cn-hangzhou"),
            ("ImageId", image),
            ("Timestamp", "2026-12-02T00:00:00Z"),
            ("SignatureNonce", image),
        ],
        ALICE_KEY,
    )
}

#[tokio::test]
async fn absolute_form_for_each_ecs_host_is_served_as_if_sent_directly() {
    let server = Server::demo().await;
    for (host, image) in [
        ("ecs.aliyuncs.com", "m-demo-free"),
        ("ecs-cn-hangzhou.aliyuncs.com", "m-demo-deprecated"),
        ("ecs.cn-hangzhou.aliyuncs.com", "m-demo-bob-not-alices"),
    ] {
        let target = format!("http://{host}/?{}", delete_query(image));
        let (status, body) = raw(&server, "GET", &target, host).await;
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body["RequestId"].is_string(), "{body}");
    }
    assert!(!has_image(&server, "m-demo-free").await);
    assert!(!has_image(&server, "m-demo-deprecated").await);

    let target = format!(
        "http://ecs-cn-hangzhou.aliyuncs.com/?{}",
        delete_query("m-demo-shared")
    );
    let (status, body) = raw(&server, "GET", &target, "ecs-cn-hangzhou.aliyuncs.com").await;
    assert_eq!(status, 403);
    assert_eq!(body["Code"], "ImageUseShared");
}

#[tokio::test]
async fn absolute_form_for_another_host_is_refused_and_runs_nothing() {
    let server = Server::demo().await;
    for host in ["oss-cn-hangzhou.aliyuncs.com", "example.com"] {
        let target = format!("http://{host}/?{}", delete_query("m-demo-free"));
        let (status, body) = raw(&server, "GET", &target, host).await;
        assert_eq!(status, 502, "{host}: {body}");
        assert_eq!(body["Code"], "InvalidProxyHost");
    }
    assert!(has_image(&server, "m-demo-free").await);
}

#[tokio::test]
async fn connect_is_refused_with_a_message_that_names_https() {
    let server = Server::demo().await;
    let (status, body) = raw(
        &server,
        "CONNECT",
        "ecs.aliyuncs.com:443",
        "ecs.aliyuncs.com:443",
    )
    .await;
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["Code"], "UnsupportedProxyMethod");
    assert!(
        body["Message"].as_str().unwrap().contains("HTTPS"),
        "{body}"
    );
}
