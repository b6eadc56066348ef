//! The two request signature schemes the Alibaba Cloud SDKs use, verified exactly as
//! docs/clients.md §4 writes them (checked there against five real clients):
//!
//! - **ACS3-HMAC-SHA256** (V3, the Tea/Darabonba default): the access key id and the signed
//!   header names travel in the `Authorization` header;
//! - **RPC V1** (HMAC-SHA1: the legacy Python client, and Tea with `signature_algorithm='v2'`):
//!   `AccessKeyId` and `Signature` are parameters.
//!
//! What the emulator acts on is signed, or the request is refused:
//!
//! - ACS3: the query and the body are always covered; `SignedHeaders` must name `host`,
//!   `x-acs-action`, `x-acs-version`, `x-acs-date` and `x-acs-content-sha256`, and
//!   `content-type` when the request has a body and a content type (which decides whether the
//!   body is read as parameters), else the answer is `IncompleteSignature`.
//! - RPC V1: the signature covers the parameters (query and form body) and nothing else, so
//!   the action and the version are taken from them only (see `protocol::action`).
//!
//! Timestamps and nonces are checked only with replay protection on (`replay.rs`) \[I\].

use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::GatewayError;

/// RFC 3986 percent-encoding: everything but `A-Za-z0-9-_.~` is escaped.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const ACS3: &str = "ACS3-HMAC-SHA256";

/// The headers an ACS3 signature must cover, whatever the request: the host (so a request
/// signed for one endpoint is not taken by another), the action and the version (they choose
/// what runs), the date and the payload hash [D: the V3 signature's common request headers,
/// which the SDKs always sign].
const ACS3_ALWAYS_SIGNED: [&str; 5] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-content-sha256",
];

/// The longest string to sign a `SignatureDoesNotMatch` message repeats in full. An RPC V1
/// string to sign holds every parameter, so it grows with the request; the SDKs compare it
/// with their own only to tell a wrong secret from a wrong canonical form, for which a
/// request of ordinary size suffices \[I\].
pub(crate) const STRING_TO_SIGN_ECHO_LIMIT: usize = 4096;

/// The parts of an HTTP request a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The path, `/`.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub raw_query: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The body bytes.
    pub body: &'a [u8],
    /// Query and form parameters, decoded, query first.
    pub params: &'a [(String, String)],
}

/// The access key and signature a request presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The access key id.
    pub access_key_id: String,
    scheme: Scheme,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    Acs3 {
        signed_headers: Vec<String>,
        signature: String,
    },
    RpcV1 {
        signature: Option<String>,
        method: Option<String>,
    },
}

/// The access key a request presents and under which scheme, or `None` when it presents
/// none. An `Authorization` header wins over an `AccessKeyId` parameter; one that is not a
/// well-formed `ACS3-HMAC-SHA256` header is an `IncompleteSignature`.
pub fn presented(request: &SignedRequest<'_>) -> Result<Option<Presented>, GatewayError> {
    if let Some(value) = request.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| GatewayError::IncompleteSignature)?;
        return parse_acs3(value).map(Some);
    }
    let Some(access_key_id) = param(request.params, "AccessKeyId").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(Presented {
        access_key_id: access_key_id.to_owned(),
        scheme: Scheme::RpcV1 {
            signature: param(request.params, "Signature").map(str::to_owned),
            method: param(request.params, "SignatureMethod").map(str::to_owned),
        },
    }))
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=a;b,Signature=<hex>`.
fn parse_acs3(value: &str) -> Result<Presented, GatewayError> {
    let rest = value
        .strip_prefix(ACS3)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(GatewayError::IncompleteSignature)?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, v) = part
            .trim()
            .split_once('=')
            .ok_or(GatewayError::IncompleteSignature)?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        *slot = Some(v.to_owned());
    }
    match (credential, signed_headers, signature) {
        (Some(ak), Some(headers), Some(signature)) if !ak.is_empty() && !signature.is_empty() => {
            Ok(Presented {
                access_key_id: ak,
                scheme: Scheme::Acs3 {
                    signed_headers: headers
                        .split(';')
                        .filter(|h| !h.is_empty())
                        .map(str::to_ascii_lowercase)
                        .collect(),
                    signature,
                },
            })
        }
        _ => Err(GatewayError::IncompleteSignature),
    }
}

impl Presented {
    /// Checks the signature with the access key's secret.
    pub fn verify(&self, request: &SignedRequest<'_>, secret: &str) -> Result<(), GatewayError> {
        match &self.scheme {
            Scheme::Acs3 {
                signed_headers,
                signature,
            } => {
                if let Some(name) = acs3_unsigned_header(request, signed_headers) {
                    return Err(GatewayError::UnsignedHeader(name));
                }
                let string_to_sign = acs3_string_to_sign(request, signed_headers);
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                    .expect("HMAC takes a key of any length");
                mac.update(string_to_sign.as_bytes());
                let claimed = hex::decode(signature).unwrap_or_default();
                mac.verify_slice(&claimed)
                    .map_err(|_| mismatch(string_to_sign))
            }
            Scheme::RpcV1 { signature, method } => {
                if method.as_deref().is_some_and(|m| m != "HMAC-SHA1") {
                    return Err(GatewayError::UnsupportedSignatureMethod);
                }
                let signature = signature
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .ok_or(GatewayError::IncompleteSignature)?;
                let string_to_sign = rpc_v1_string_to_sign(request);
                let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
                    .expect("HMAC takes a key of any length");
                mac.update(string_to_sign.as_bytes());
                let claimed = base64::engine::general_purpose::STANDARD
                    .decode(signature)
                    .unwrap_or_default();
                mac.verify_slice(&claimed)
                    .map_err(|_| mismatch(string_to_sign))
            }
        }
    }

    /// The request's time and its name: `x-acs-date` (ACS3) or `Timestamp` (RPC V1).
    pub fn timestamp<'r>(&self, request: &SignedRequest<'r>) -> (&'static str, Option<&'r str>) {
        self.freshness_field(request, "x-acs-date", "Timestamp")
    }

    /// The request's nonce and its name: `x-acs-signature-nonce` (ACS3) or `SignatureNonce`
    /// (RPC V1).
    pub fn nonce<'r>(&self, request: &SignedRequest<'r>) -> (&'static str, Option<&'r str>) {
        self.freshness_field(request, "x-acs-signature-nonce", "SignatureNonce")
    }

    /// Whether an ACS3 signature covers the nonce (replay protection needs it to); an RPC V1
    /// signature covers every parameter.
    pub fn signs_nonce(&self) -> bool {
        match &self.scheme {
            Scheme::Acs3 { signed_headers, .. } => {
                signed_headers.iter().any(|h| h == "x-acs-signature-nonce")
            }
            Scheme::RpcV1 { .. } => true,
        }
    }

    fn freshness_field<'r>(
        &self,
        request: &SignedRequest<'r>,
        header: &'static str,
        parameter: &'static str,
    ) -> (&'static str, Option<&'r str>) {
        match &self.scheme {
            Scheme::Acs3 { .. } => (
                header,
                request.headers.get(header).and_then(|v| v.to_str().ok()),
            ),
            Scheme::RpcV1 { .. } => (parameter, param(request.params, parameter)),
        }
    }
}

/// `SignatureDoesNotMatch`, its string to sign cut at [`STRING_TO_SIGN_ECHO_LIMIT`] bytes.
fn mismatch(mut string_to_sign: String) -> GatewayError {
    if string_to_sign.len() > STRING_TO_SIGN_ECHO_LIMIT {
        let total = string_to_sign.len();
        let mut cut = STRING_TO_SIGN_ECHO_LIMIT;
        while !string_to_sign.is_char_boundary(cut) {
            cut -= 1;
        }
        string_to_sign.truncate(cut);
        string_to_sign.push_str(&format!("... ({total} bytes in all)"));
    }
    GatewayError::SignatureDoesNotMatch { string_to_sign }
}

/// The first header the emulator acts on that an ACS3 `SignedHeaders` leaves out.
fn acs3_unsigned_header(request: &SignedRequest<'_>, signed: &[String]) -> Option<&'static str> {
    let covered = |name: &str| signed.iter().any(|h| h == name);
    if let Some(name) = ACS3_ALWAYS_SIGNED.into_iter().find(|name| !covered(name)) {
        return Some(name);
    }
    let content_type = axum::http::header::CONTENT_TYPE;
    (!request.body.is_empty()
        && request.headers.contains_key(&content_type)
        && !covered(content_type.as_str()))
    .then_some("content-type")
}

fn pct(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// `k=v` pairs, RFC 3986-encoded, sorted by key then value, joined with `&`.
fn canonical_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut encoded: Vec<(String, String)> = pairs.map(|(k, v)| (pct(k), pct(v))).collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `"ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))`.
fn acs3_string_to_sign(request: &SignedRequest<'_>, signed_headers: &[String]) -> String {
    let query: Vec<(String, String)> = form_urlencoded::parse(request.raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let canonical_query = canonical_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let canonical_headers: String = signed_headers
        .iter()
        .map(|name| {
            let value = request
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
                .collect::<Vec<_>>()
                .join(",");
            format!("{name}:{value}\n")
        })
        .collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.path,
        canonical_query,
        canonical_headers,
        signed_headers.join(";"),
        hex::encode(Sha256::digest(request.body)),
    );
    format!(
        "{ACS3}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// `METHOD + "&%2F&" + pct(sorted, encoded parameters without Signature)`.
fn rpc_v1_string_to_sign(request: &SignedRequest<'_>) -> String {
    let joined = canonical_pairs(
        request
            .params
            .iter()
            .filter(|(k, _)| k != "Signature")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    format!("{}&{}&{}", request.method, pct(request.path), pct(&joined))
}
