//! Helpers for the HTTP tests: an emulator on a free port in this process, a plain HTTP client,
//! and request signers written from docs/clients.md §4 independently of the emulator's own
//! verifier (so a shared misreading of docs/clients.md would have to be made twice).
#![allow(dead_code)]

use std::net::SocketAddr;

use base64::Engine;
use ecs_image_emulator::{Config, Emulator, Options, demo, serve_with};
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

pub const ALICE_KEY: (&str, &str) = (
    "LTAI5tDemoAlice000000001",
    "DemoAliceSecret0000000000000001",
);
pub const BOB_KEY: (&str, &str) = (
    "LTAI5tDemoBob00000000001",
    "DemoBobSecret000000000000000001",
);
pub const UUID_PATTERN: &str = "8-4-4-4-12 uppercase hex";

/// An emulator serving on 127.0.0.1:<free port>, stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub emulator: Emulator,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    pub async fn start(config: Config) -> Server {
        Server::start_with(config, Options::default()).await
    }

    /// An emulator served with these server options.
    pub async fn start_with(config: Config, options: Options) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Server::serve_on(listener, config, options)
    }

    /// An emulator served on this listener with these server options.
    pub fn serve_on(listener: tokio::net::TcpListener, config: Config, options: Options) -> Server {
        let emulator = Emulator::new(config).expect("the emulator starts");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = emulator.clone();
        tokio::spawn(async move {
            serve_with(serving, listener, options, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Server {
            addr,
            emulator,
            stop: Some(stop),
        }
    }

    /// The demo world, signatures verified.
    pub async fn demo() -> Server {
        Server::start(Config::new(demo::world())).await
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// Asserts the five-field JSON error body with this status, code and message, and returns
    /// the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, message: &str) -> Value {
        assert_eq!(self.status, status, "status; body {}", self.body);
        assert_eq!(self.content_type(), "application/json;charset=utf-8");
        let body = self.json();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            sorted(keys),
            ["Code", "HostId", "Message", "Recommend", "RequestId"],
            "error body keys"
        );
        assert_eq!(body["Code"], code, "Code; body {}", self.body);
        assert_eq!(body["Message"], message, "Message");
        let id = body["RequestId"].as_str().unwrap();
        assert_uuid(id);
        assert_eq!(
            body["Recommend"],
            format!("https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={id}")
        );
        body
    }

    /// Asserts a 200 JSON answer and returns the body.
    #[track_caller]
    pub fn assert_ok(&self) -> Value {
        assert_eq!(self.status, 200, "status; body {}", self.body);
        assert_eq!(self.content_type(), "application/json;charset=utf-8");
        let body = self.json();
        assert_uuid(body["RequestId"].as_str().expect("RequestId"));
        body
    }
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}

/// An uppercase UUID: 8-4-4-4-12 hex digits, no lowercase.
#[track_caller]
pub fn assert_uuid(id: &str) {
    let groups: Vec<&str> = id.split('-').collect();
    let shaped = groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        });
    assert!(shaped, "{id:?} is not an uppercase UUID ({UUID_PATTERN})");
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Sends a request and reads the whole answer.
pub async fn send(method: &str, url: &str, headers: &[(String, String)], body: Vec<u8>) -> Answer {
    let mut request = client().request(method.parse().unwrap(), url).body(body);
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let response = request.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

// ---- signing, from docs/clients.md §4 --------------------------------------------------------

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn pct(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// A query string with every pair percent-encoded, in the order given.
pub fn query(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn sorted_pairs(params: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (pct(k), pct(v))).collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RPC V1: the query with `AccessKeyId`, `SignatureMethod` and the `Signature` of `params`
/// (HMAC-SHA1 with `secret&` over `METHOD&%2F&pct(sorted pairs)`).
pub fn rpc_v1_query(method: &str, params: &[(&str, &str)], key: (&str, &str)) -> String {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.push(("AccessKeyId", key.0));
    all.push(("SignatureMethod", "HMAC-SHA1"));
    all.push(("SignatureVersion", "1.0"));
    let string_to_sign = format!("{method}&%2F&{}", pct(&sorted_pairs(&all)));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{}&", key.1).as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut q = query(&all);
    q.push_str("&Signature=");
    q.push_str(&pct(&signature));
    q
}

/// ACS3-HMAC-SHA256: the headers (with `Authorization`) that sign a request whose query is
/// `params` and body `body`, for `action`. Signs `host` and every `x-acs-*` header, as the Node
/// SDK does.
pub fn acs3_headers(
    method: &str,
    host: &str,
    params: &[(&str, &str)],
    body: &[u8],
    action: &str,
    key: (&str, &str),
) -> Vec<(String, String)> {
    let payload = hex::encode(Sha256::digest(body));
    let signed: Vec<(String, String)> = vec![
        ("host".into(), host.into()),
        ("x-acs-action".into(), action.into()),
        ("x-acs-content-sha256".into(), payload),
        ("x-acs-date".into(), "2026-11-28T00:00:00Z".into()),
        ("x-acs-signature-nonce".into(), "0123456789abcdef".into()),
        ("x-acs-version".into(), "2014-05-26".into()),
    ];
    acs3_sign(method, params, body, signed, key)
}

/// ACS3-HMAC-SHA256 over exactly the `signed` headers (lowercase names): those headers (but
/// `host`, which the HTTP client sets) and the `Authorization` that names them.
pub fn acs3_sign(
    method: &str,
    params: &[(&str, &str)],
    body: &[u8],
    mut signed: Vec<(String, String)>,
    key: (&str, &str),
) -> Vec<(String, String)> {
    let payload = hex::encode(Sha256::digest(body));
    signed.sort();
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let names = signed
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{method}\n/\n{}\n{canonical_headers}\n{names}\n{payload}",
        sorted_pairs(params)
    );
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.1.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let mut headers: Vec<(String, String)> =
        signed.into_iter().filter(|(k, _)| k != "host").collect();
    headers.push((
        "authorization".into(),
        format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders={names},Signature={signature}",
            key.0
        ),
    ));
    headers
}

/// A V3-signed POST of `action` with `params` in the query, as `key`.
pub async fn call(
    server: &Server,
    key: (&str, &str),
    action: &str,
    params: &[(&str, &str)],
) -> Answer {
    let host = server.addr.to_string();
    let headers = acs3_headers("POST", &host, params, b"", action, key);
    send(
        "POST",
        &server.url(&format!("/?{}", query(params))),
        &headers,
        Vec::new(),
    )
    .await
}

/// DeleteImage as Alice (V3-signed).
pub async fn delete(server: &Server, params: &[(&str, &str)]) -> Answer {
    call(server, ALICE_KEY, "DeleteImage", params).await
}

/// `POST /_emulator/tasks/complete` with this query (e.g. `?ImageId=m-…`); its answer.
pub async fn complete(server: &Server, query: &str) -> Value {
    send(
        "POST",
        &server.url(&format!("/_emulator/tasks/complete{query}")),
        &[],
        Vec::new(),
    )
    .await
    .assert_ok()
}

/// The world as the admin API shows it.
pub async fn world(server: &Server) -> Value {
    let answer = send("GET", &server.url("/_emulator/world"), &[], Vec::new()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// Whether the admin world holds an image.
pub async fn has_image(server: &Server, id: &str) -> bool {
    world(server).await["store"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id)
}

/// The instance ids of a RunInstances answer, in order.
pub fn instance_ids(body: &Value) -> Vec<String> {
    body["InstanceIdSets"]["InstanceIdSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}
