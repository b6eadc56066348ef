//! Robustness over real HTTP: a bounded body, any client input answered with a 4xx and a proper
//! error body (never a 5xx), and linearizable concurrent deletes.
//!
//! `EMULATOR_FUZZ_REQUESTS` sets how many generated garbage requests to send (default 300).

mod common;

use std::time::Duration;

use common::{Server, delete, send};
use ecs_image_emulator::{Config, demo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes and reads the answer (status, content type, body) until the server closes.
async fn raw(server: &Server, request: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .expect("the server answers and closes")
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    (status, content_type, body.to_owned())
}

fn request(target: &[u8], headers: &str, body: &[u8]) -> Vec<u8> {
    let mut r = b"POST ".to_vec();
    r.extend_from_slice(target);
    r.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    r.extend_from_slice(headers.as_bytes());
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    r.extend_from_slice(body);
    r
}

/// A 4xx with the five-field JSON error body.
#[track_caller]
fn assert_client_error(what: &str, (status, content_type, body): &(u16, String, String)) {
    assert!(
        (400..500).contains(status),
        "{what}: status {status}, body {body}"
    );
    assert_eq!(content_type, "application/json;charset=utf-8", "{what}");
    let json: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"));
    for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
        assert!(
            json[key].as_str().is_some_and(|v| !v.is_empty()),
            "{what}: {key} in {body}"
        );
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_with_an_error_body() {
    let config = Config {
        max_body_bytes: 1024,
        ..Config::new(demo::world())
    };
    let server = Server::start(config).await;
    let big = vec![b'a'; 4096];
    // Declared by Content-Length.
    let answer = send(
        "POST",
        &server.url("/?Action=DeleteImage&Version=2014-05-26"),
        &[],
        big.clone(),
    )
    .await;
    answer.assert_error(
        413,
        "RequestTooLarge",
        "The request body is larger than 1024 bytes.",
    );
    // Streamed in chunks, with no length given.
    let mut chunked = b"POST /?Action=DeleteImage&Version=2014-05-26 HTTP/1.1\r\nHost: x\r\n\
        Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        .to_vec();
    for _ in 0..4 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'a'; 1024]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(&server, &chunked).await;
    assert_eq!(answer.0, 413, "{}", answer.2);
    assert_client_error("chunked", &answer);
    // The admin API has the same bound.
    let answer = send("PUT", &server.url("/_emulator/world"), &[], big).await;
    answer.assert_error(
        413,
        "RequestTooLarge",
        "The request body is larger than 1024 bytes.",
    );
}

#[tokio::test]
async fn path_and_method_are_checked_before_the_body_size() {
    // E4: path, method, then body size.
    let config = Config {
        max_body_bytes: 100,
        ..Config::new(demo::world())
    };
    let server = Server::start(config).await;
    let big = vec![b'a'; 200];
    let dv = "Action=DeleteImage&Version=2014-05-26";
    send(
        "POST",
        &server.url(&format!("/nope?{dv}")),
        &[],
        big.clone(),
    )
    .await
    .assert_error(
        404,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    );
    send("PUT", &server.url(&format!("/?{dv}")), &[], big.clone())
        .await
        .assert_error(
            403,
            "UnsupportedHTTPMethod",
            "The specified HTTP method is not supported.",
        );
    send("POST", &server.url(&format!("/?{dv}")), &[], big.clone())
        .await
        .assert_error(
            413,
            "RequestTooLarge",
            "The request body is larger than 100 bytes.",
        );
    // An admin path is a known path: its body is bounded as well.
    send("POST", &server.url("/_emulator/reset"), &[], big)
        .await
        .assert_error(
            413,
            "RequestTooLarge",
            "The request body is larger than 100 bytes.",
        );
    // The body of an unroutable request is not waited for: a declared gigabyte that never
    // comes is answered at once.
    let head = format!(
        "POST /nope?{dv} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000000000\r\n\r\n"
    );
    let answer = raw(&server, head.as_bytes()).await;
    assert_eq!(answer.0, 404, "{}", answer.2);
    assert_client_error("unroutable, body never sent", &answer);
    // Errors before the body is read take Format from the query string.
    let xml = send(
        "DELETE",
        &server.url(&format!("/?{dv}&Format=XML")),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(xml.status, 403);
    assert!(
        xml.body.contains("<Code>UnsupportedHTTPMethod</Code>"),
        "{}",
        xml.body
    );
}

#[tokio::test]
async fn hand_made_garbage_gets_4xx_error_bodies() {
    let server = Server::demo().await;
    let dv = "Action=DeleteImage&Version=2014-05-26";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid UTF-8 in the query", request(format!("/?{dv}&RegionId=cn-hangzhou&ImageId=%FF%FE").as_bytes(), "", b"")),
        ("bad percent escapes", request(format!("/?{dv}&RegionId=%ZZ&ImageId=%").as_bytes(), "", b"")),
        ("control characters", request(format!("/?{dv}&RegionId=cn-hangzhou&ImageId=m%00x%0A").as_bytes(), "", b"")),
        ("a form body of binary", request(format!("/?{dv}").as_bytes(), "Content-Type: application/x-www-form-urlencoded\r\n", &[0, 159, 146, 150, 255, b'=', b'&'])),
        ("a JSON body", request(format!("/?{dv}").as_bytes(), "Content-Type: application/json\r\n", b"{\"ImageId\": 1}")),
        ("a non-ASCII authorization", request(format!("/?{dv}").as_bytes(), "Authorization: ACS3-HMAC-SHA256 Credential=é,SignedHeaders=host,Signature=zz\r\n", b"")),
        ("a bad hex signature", request(format!("/?{dv}").as_bytes(), "Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tDemoAlice000000001,SignedHeaders=host;nope,Signature=not-hex\r\n", b"")),
        ("a bad base64 signature", request(format!("/?{dv}&AccessKeyId=LTAI5tDemoAlice000000001&Signature=%%%").as_bytes(), "", b"")),
        ("an empty action", request(b"/?Action=&Version=2014-05-26", "", b"")),
        ("a very long image id", request(format!("/?{dv}&RegionId=cn-hangzhou&ImageId={}", "m".repeat(5000)).as_bytes(), "", b"")),
        ("many repeated parameters", request(format!("/?{dv}{}", "&ImageId=x".repeat(2000)).as_bytes(), "", b"")),
        ("an unknown signature method", request(format!("/?{dv}&AccessKeyId=LTAI5tDemoAlice000000001&Signature=abc&SignatureMethod=HMAC-MD5").as_bytes(), "", b"")),
        ("a path with dots", request(b"/../../etc/passwd", "", b"")),
        ("an admin PUT of garbage", {
            let mut r = b"PUT /_emulator/world HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\n".to_vec();
            r.extend_from_slice(&[0xff, 0x00, 0x7b]);
            r
        }),
        ("an admin task completion with a bad id", request(b"/_emulator/tasks/complete?TaskId=%00", "", b"")),
    ];
    for (what, bytes) in cases {
        assert_client_error(what, &raw(&server, &bytes).await);
    }
}

#[tokio::test]
async fn a_request_that_is_not_http_is_a_bare_400() {
    // A raw 0xFF in the request target is not HTTP/1.1: the HTTP layer refuses it before any
    // handler runs, with 400 and no body of ours.
    let server = Server::demo().await;
    let (status, _, _) = raw(&server, &request(b"/?ImageId=\xff", "", b"")).await;
    assert_eq!(status, 400);
}

/// A small deterministic generator (64-bit LCG): the same run every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

#[tokio::test]
async fn generated_garbage_is_never_a_server_error() {
    let server = Server::demo().await;
    let count: usize = std::env::var("EMULATOR_FUZZ_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let names = [
        "Action",
        "Version",
        "RegionId",
        "ImageId",
        "Force",
        "DryRun",
        "Format",
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "PageSize",
        "PageNumber",
        "Status",
        "ImageOwnerAlias",
        "AddAccount.1",
        "RemoveAccount.1",
        "IsPublic",
        "TaskId",
        "InstanceId",
        "Amount",
        "DestinationRegionId",
        "DiskDeviceMapping.1.SnapshotId",
        "TaskStatus",
        "TaskAction",
    ];
    let values = [
        "",
        "DeleteImage",
        "DescribeImages",
        "CreateImage",
        "CopyImage",
        "RunInstances",
        "ModifyImageSharePermission",
        "CancelTask",
        "DescribeTasks",
        "2014-05-26",
        "cn-hangzhou",
        "cn-shanghai",
        "m-demo-free",
        "m-demo-shared",
        "true",
        "FALSE",
        "xml",
        "-1",
        "0",
        "99999999999999999999",
        "%FF",
        "%00",
        "a%20b",
        "bob",
        "alice",
        "self",
        "Available,Nope",
        "t-m-demo-exporting-export",
        "i-m-demo-in-use-1",
        "LTAI5tDemoAlice000000001",
        "%E2%82%AC",
    ];
    let mut rng = Lcg(0x5eed);
    for i in 0..count {
        let n = 1 + (rng.next() % 8) as usize;
        let mut pairs: Vec<String> = (0..n)
            .map(|_| format!("{}={}", rng.pick(&names), rng.pick(&values)))
            .collect();
        if rng.next().is_multiple_of(2) {
            pairs.push("Version=2014-05-26".into());
        }
        let target = format!("/?{}", pairs.join("&"));
        let method = ["GET", "POST", "PUT"][(rng.next() % 3) as usize];
        let mut bytes =
            format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n").into_bytes();
        if rng.next().is_multiple_of(3) {
            bytes.extend_from_slice(format!("x-acs-action: {}\r\n", rng.pick(&values)).as_bytes());
        }
        bytes.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        let (status, content_type, body) = raw(&server, &bytes).await;
        assert!(
            status < 500,
            "request {i}: {method} {target}: {status} {body}"
        );
        if content_type == "text/xml;charset=utf-8" {
            assert!(
                body.starts_with("<?xml version='1.0' encoding='UTF-8'?><"),
                "request {i}: {body}"
            );
        } else {
            assert_eq!(
                content_type, "application/json;charset=utf-8",
                "request {i}: {target}"
            );
            serde_json::from_str::<serde_json::Value>(&body)
                .unwrap_or_else(|e| panic!("request {i}: {target}: not JSON ({e}): {body}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_parallel_deletes_of_one_image_delete_it_once() {
    let server = Server::demo().await;
    let attempts = (0..64).map(|_| {
        let server = &server;
        async move {
            delete(
                server,
                &[("RegionId", "cn-hangzhou"), ("ImageId", "m-demo-free")],
            )
            .await
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let mut deleted = 0;
    let mut ignored = 0;
    for answer in &answers {
        answer.assert_ok();
        match answer.header("x-emulator-outcome") {
            Some("Deleted") => deleted += 1,
            Some("Ignored") => ignored += 1,
            other => panic!("outcome {other:?}"),
        }
    }
    assert_eq!((deleted, ignored), (1, 63));
    assert!(!common::has_image(&server, "m-demo-free").await);
}
