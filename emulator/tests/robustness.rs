//! Robustness over real HTTP: a bounded body, any client input answered with a 4xx and a proper
//! error body (never a 5xx), and linearizable concurrent deletes.
//!
//! `EMULATOR_FUZZ_REQUESTS` sets how many generated garbage requests to send (default 300);
//! `EMULATOR_FUZZ_CALLS` how many generated, correctly signed calls to send per action
//! (default 40).

mod common;

use std::time::Duration;

use common::{ALICE_KEY, BOB_KEY, Server, call, delete, rpc_v1_query, send};
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
    // An arbitrary seed whose calls take every action down at least three paths (adding an
    // action shifts every later draw, so a new action may need a new seed).
    let mut rng = Lcg(0xac712);
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

// ---- generated calls that reach every action ---------------------------------------------

/// The parameters each action reads (docs/emulator.md, Actions), with the values a call may
/// carry. A value may be a real id of the world, a near miss, out of range, or junk, so that
/// each action's own checks run and, now and then, the call succeeds.
fn parameters_of(action: &str) -> &'static [&'static str] {
    match action {
        "DeleteImage" => &["RegionId", "ImageId", "Force", "DryRun"],
        "DescribeImages" => &[
            "RegionId",
            "ImageId",
            "Status",
            "ImageOwnerAlias",
            "PageNumber",
            "PageSize",
        ],
        "DescribeImageSharePermission" => &["RegionId", "ImageId", "PageNumber", "PageSize"],
        "DescribeInstances" => &["RegionId", "ImageId", "InstanceIds", "Status"],
        "DescribeInstanceStatus" => &["RegionId", "PageNumber", "PageSize"],
        "DescribeTasks" => &[
            "RegionId",
            "TaskAction",
            "TaskStatus",
            "TaskIds",
            "PageNumber",
            "PageSize",
        ],
        "DescribeTaskAttribute" => &["RegionId", "TaskId"],
        "CreateImage" => &[
            "RegionId",
            "InstanceId",
            "SnapshotId",
            "DiskDeviceMapping",
            "DryRun",
        ],
        "ImportImage" => &["RegionId", "DryRun"],
        "ExportImage" => &["RegionId", "ImageId", "OSSBucket", "DryRun"],
        "CopyImage" => &["RegionId", "ImageId", "DestinationRegionId", "DryRun"],
        "CancelCopyImage" => &["RegionId", "ImageId"],
        "CancelTask" => &["RegionId", "TaskId"],
        "ModifyImageSharePermission" => &[
            "RegionId",
            "ImageId",
            "AddAccount",
            "RemoveAccount",
            "IsPublic",
            "DryRun",
        ],
        "RunInstances" => &["RegionId", "ImageId", "Amount", "DryRun"],
        "DeleteInstance" => &["InstanceId", "RegionId", "Force"],
        "StartInstance" => &["InstanceId", "DryRun"],
        "StopInstance" | "RebootInstance" => &["InstanceId", "ForceStop", "DryRun"],
        "ModifyImageAttribute" => &["RegionId", "ImageId", "Status", "DryRun"],
        "TagResources" => &["RegionId", "ResourceType", "ResourceId", "Tag"],
        // InstanceChargeType is declared and not modelled: refused, a third outcome.
        "DescribeRegions" => &["AcceptLanguage", "InstanceChargeType"],
        "UntagResources" => &["RegionId", "ResourceType", "ResourceId", "TagKey", "All"],
        "ListTagResources" => &["RegionId", "ResourceType", "ResourceId", "Tag", "NextToken"],
        "DescribeTags" => &[
            "RegionId",
            "ResourceType",
            "ResourceId",
            "Tag",
            "PageNumber",
            "PageSize",
        ],
        "DeleteSnapshot" => &["SnapshotId", "Force"],
        "CreateSnapshot" => &["DiskId", "SnapshotName"],
        "DescribeDisks" => &["RegionId", "DiskIds", "InstanceId", "DiskType", "PageSize"],
        "AddTags" | "RemoveTags" => &["RegionId", "ResourceType", "ResourceId", "Tag"],
        "DescribeSnapshots" => &[
            "RegionId",
            "SnapshotIds",
            "DiskId",
            "Status",
            "Usage",
            "NextToken",
            "MaxResults",
        ],
        other => panic!("no parameters listed for {other}: add it here"),
    }
}

/// The values a parameter may take: plausible ones (the world's current ids among them), and
/// near misses, out-of-range values and junk.
fn values_of(name: &str, ids: &WorldIds) -> (Vec<String>, Vec<String>) {
    let (plausible, wrong): (&[&str], &[&str]) = match name {
        "RegionId" => (
            &["cn-hangzhou", "cn-hangzhou", "cn-hangzhou", "cn-shanghai"],
            &["xx-nowhere-1", ""],
        ),
        "DestinationRegionId" => (&["cn-shanghai"], &["cn-hangzhou", "xx-nowhere-1", ""]),
        "ImageId" => (
            &[],
            &["m-nope", "", "m-demo-free,m-demo-bob", "M-DEMO-FREE"],
        ),
        "TaskId" | "TaskIds" => (&[], &["t-nope", ""]),
        "InstanceId" => (&[], &["i-nope", ""]),
        "Force" | "IsPublic" | "ForceStop" => (&["true", "false"], &["TRUE", "yes", ""]),
        "InstanceIds" => (&["[]"], &["i-nope", "[\"i-nope\"", "[1]", ""]),
        "DryRun" => (&["false", "false", "true"], &["yes", ""]),
        "Status" => (
            &["Available", "Deprecated", "Running", "Stopped"],
            &["Available,Creating", "Nope", ""],
        ),
        "ImageOwnerAlias" => (&["self", "system", "others", "marketplace"], &["x"]),
        "TaskAction" => (&["ImportImage", "ExportImage"], &["CopyImage", "x"]),
        "TaskStatus" => (&["Processing", "Finished", "Failed", "Cancelled"], &["x"]),
        "PageNumber" => (&["1", "2"], &["0", "-1", "99999999999"]),
        "PageSize" => (&["1", "10", "100"], &["101", "0", "x"]),
        "Amount" => (&["1", "2"], &["100", "101", "0", "x"]),
        "SnapshotId" => (&["s-fuzz-1", "s-demo-free"], &["", "not an id"]),
        "AddAccount" | "RemoveAccount" => (&["bob", "alice"], &["carol", ""]),
        "ResourceType" => (
            &["image", "image", "instance", "snapshot", "disk"],
            &["securitygroup", "Image", ""],
        ),
        "DiskId" => (&["d-fuzz-1"], &["d-nope", ""]),
        "SnapshotName" => (&["nightly-1"], &["auto-1", "x", ""]),
        "SnapshotIds" => (&["[]", "[\"s-demo-free\"]"], &["s-1", "[1]", ""]),
        "Usage" => (&["image", "none", "disk"], &["nope"]),
        "MaxResults" => (&["1", "10"], &["0", "101", "x"]),
        "DiskIds" => (&["[]", "[\"d-fuzz-1\"]"], &["d-1", "[1]", ""]),
        "DiskType" => (&["system", "data", "all"], &["System", "x"]),
        "ResourceId" => (&[], &["m-nope", "", "i-nope"]),
        "Tag" | "TagKey" => (&["env", "team", "keep"], &["aliyun-x", "http://x", ""]),
        "TagValue" => (&["dev", "prod", ""], &["https://y"]),
        "All" => (&["true", "false"], &["yes"]),
        "AcceptLanguage" => (&["zh-CN", "en-US"], &["ja", "fr", ""]),
        "InstanceChargeType" => (&["PostPaid"], &[""]),
        // (m-demo-free, env) as a ListTagResources token spells it.
        "NextToken" => (&["6d2d64656d6f2d66726565.656e76"], &["x", "zz.zz"]),
        "OSSBucket" => (&["bucket"], &[""]),
        other => panic!("no values listed for {other}"),
    };
    let owned = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    let mut plausible = owned(plausible);
    match name {
        "ImageId" => plausible.extend(ids.images.iter().cloned()),
        "TaskId" | "TaskIds" => plausible.extend(ids.tasks.iter().cloned()),
        "InstanceId" => plausible.extend(ids.instances.iter().cloned()),
        "DiskId" => plausible.extend(ids.disks.iter().cloned()),
        "ResourceId" => {
            plausible.extend(ids.images.iter().cloned());
            plausible.extend(ids.instances.iter().cloned());
            plausible.extend(ids.disks.iter().cloned());
        }
        "InstanceIds" => plausible.extend(ids.instances.iter().map(|i| format!("[\"{i}\"]"))),
        _ => {}
    }
    (plausible, owned(wrong))
}

#[derive(Default)]
struct WorldIds {
    images: Vec<String>,
    tasks: Vec<String>,
    instances: Vec<String>,
    disks: Vec<String>,
}

impl WorldIds {
    async fn of(server: &Server) -> WorldIds {
        let world = common::world(server).await;
        let ids = |kind: &str| -> Vec<String> {
            world["store"][kind]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i["id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        WorldIds {
            images: ids("images"),
            tasks: ids("tasks"),
            instances: ids("instances"),
            disks: ids("disks"),
        }
    }
}

/// One generated call of `action`. Half the calls are plausible: every parameter it requires
/// and half the optional ones, each with a plausible value. The others leave each parameter out with probability 1/4 and give
/// it a wrong value with probability 1/2. A list parameter has one to three entries, its index
/// now and then past the documented bound.
fn generate(rng: &mut Lcg, action: &str, ids: &WorldIds) -> Vec<(String, String)> {
    let plausible = rng.next().is_multiple_of(2);
    let pick = |rng: &mut Lcg, name: &str| {
        let (good, wrong) = values_of(name, ids);
        let pool = if plausible || rng.next().is_multiple_of(2) {
            &good
        } else {
            &wrong
        };
        pool[(rng.next() as usize) % pool.len()].clone()
    };
    let mut params = Vec::new();
    const REQUIRED: [&str; 5] = [
        "RegionId",
        "ImageId",
        "TaskId",
        "InstanceId",
        "DestinationRegionId",
    ];
    for name in parameters_of(action) {
        let leave_out = if plausible {
            !REQUIRED.contains(name) && rng.next().is_multiple_of(2)
        } else {
            rng.next().is_multiple_of(4)
        };
        if leave_out {
            continue;
        }
        match *name {
            "Tag" => {
                for _ in 0..=(rng.next() % 3) {
                    let index = if plausible {
                        1 + rng.next() % 3
                    } else {
                        1 + rng.next() % 25
                    };
                    params.push((format!("Tag.{index}.Key"), pick(rng, "Tag")));
                    params.push((format!("Tag.{index}.Value"), pick(rng, "TagValue")));
                }
            }
            "ResourceId" | "TagKey" if action != "DescribeTags" => {
                for _ in 0..=(rng.next() % 3) {
                    let index = 1 + rng.next() % 3;
                    params.push((format!("{name}.{index}"), pick(rng, name)));
                }
            }
            "DiskDeviceMapping" | "AddAccount" | "RemoveAccount" => {
                let values = if *name == "DiskDeviceMapping" {
                    "SnapshotId"
                } else {
                    name
                };
                for _ in 0..=(rng.next() % 3) {
                    let index = if plausible {
                        1 + rng.next() % 3
                    } else {
                        1 + rng.next() % 20
                    };
                    let key = if *name == "DiskDeviceMapping" {
                        format!("DiskDeviceMapping.{index}.SnapshotId")
                    } else {
                        format!("{name}.{index}")
                    };
                    params.push((key, pick(rng, values)));
                }
            }
            _ => params.push(((*name).to_owned(), pick(rng, name))),
        }
    }
    params
}

/// Whether an answer is the gateway's (the call never reached the action) rather than the
/// action's own.
fn gateway_answer(code: &str, message: &str) -> bool {
    const GATEWAY: [&str; 10] = [
        "InvalidAction.NotFound",
        "InvalidVersion",
        "MissingAccessKeyId",
        "InvalidAccessKeyId.NotFound",
        "IncompleteSignature",
        "SignatureDoesNotMatch",
        "UnsupportedHTTPMethod",
        "RequestTooLarge",
        "Forbidden",
        "RequestTimeout",
    ];
    GATEWAY.contains(&code)
        || (code == "MissingParameter"
            && (message.contains("\"Action\"") || message.contains("\"Version\"")))
}

#[tokio::test]
async fn generated_signed_calls_reach_every_action() {
    let server = Server::demo().await;
    let per_action: usize = std::env::var("EMULATOR_FUZZ_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let actions: Vec<&str> = ecs_image_emulator::action_names().collect();
    // An arbitrary seed whose calls take every action down at least three paths (adding an
    // action shifts every later draw, so a new action may need a new seed).
    let mut rng = Lcg(0xac712);
    let mut ids = WorldIds::of(&server).await;
    // Per action: sent, reached its own checks, succeeded, and the codes it answered.
    let mut tally: Vec<(usize, usize, usize, std::collections::BTreeSet<String>)> =
        vec![Default::default(); actions.len()];
    for i in 0..per_action * actions.len() {
        // Now and then start over, so that deleted images and cancelled tasks come back.
        if i % 97 == 96 {
            send("POST", &server.url("/_emulator/reset"), &[], Vec::new())
                .await
                .assert_ok();
            ids = WorldIds::of(&server).await;
        }
        let slot = i % actions.len();
        let action = actions[slot];
        let params = generate(&mut rng, action, &ids);
        let key = if rng.next().is_multiple_of(3) {
            BOB_KEY
        } else {
            ALICE_KEY
        };
        let answer = if rng.next().is_multiple_of(4) {
            // RPC V1, the legacy client's scheme, in a GET query.
            let mut all: Vec<(&str, &str)> = vec![("Action", action), ("Version", "2014-05-26")];
            all.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let q = rpc_v1_query("GET", &all, key);
            send("GET", &server.url(&format!("/?{q}")), &[], Vec::new()).await
        } else {
            let pairs: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            call(&server, key, action, &pairs).await
        };
        assert!(
            answer.status < 500,
            "call {i}: {action} {params:?}: {} {}",
            answer.status,
            answer.body
        );
        let body = answer.json();
        let (sent, reached, succeeded, codes) = &mut tally[slot];
        *sent += 1;
        if answer.status == 200 {
            *reached += 1;
            *succeeded += 1;
            continue;
        }
        let code = body["Code"].as_str().unwrap_or_default();
        let message = body["Message"].as_str().unwrap_or_default();
        if !gateway_answer(code, message) {
            *reached += 1;
        }
        codes.insert(code.to_owned());
    }
    println!("action: sent / reached the action's own checks / succeeded; codes answered");
    for (action, (sent, reached, succeeded, codes)) in actions.iter().zip(&tally) {
        println!("{action}: {sent} / {reached} / {succeeded}; {codes:?}");
    }
    for (action, (sent, reached, succeeded, codes)) in actions.iter().zip(&tally) {
        // Every call is signed right and names a known action: none stops at the gateway.
        assert_eq!(reached, sent, "{action}: {codes:?}");
        // And the calls take each action down several of its paths: a success, or refusals
        // with different codes.
        let outcomes = codes.len() + usize::from(*succeeded > 0);
        assert!(outcomes >= 3, "{action}: {succeeded} successes, {codes:?}");
    }
}

#[tokio::test]
async fn create_image_takes_at_most_seventeen_disk_device_mappings() {
    // One system disk and up to 16 data disks (CreateImage's request model).
    let server = Server::demo().await;
    let keys: Vec<String> = (1..=18)
        .map(|n| format!("DiskDeviceMapping.{n}.SnapshotId"))
        .collect();
    let values: Vec<String> = (1..=18).map(|n| format!("s-disk-{n}")).collect();
    let mapping = |count: usize| -> Vec<(&str, &str)> {
        let mut params = vec![("RegionId", "cn-hangzhou")];
        params.extend(
            keys.iter()
                .zip(&values)
                .take(count)
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        params
    };
    let images = |world: serde_json::Value| world["store"]["images"].as_array().unwrap().len();
    let images_before = images(common::world(&server).await);
    call(&server, ALICE_KEY, "CreateImage", &mapping(18))
        .await
        .assert_error(
            400,
            "InvalidParameter",
            "The specified parameter \"SnapshotId\" is not valid.",
        );
    assert_eq!(images(common::world(&server).await), images_before);
    call(&server, ALICE_KEY, "CreateImage", &mapping(17))
        .await
        .assert_ok();
    assert_eq!(images(common::world(&server).await), images_before + 1);
}
