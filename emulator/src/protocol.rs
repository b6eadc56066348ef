//! The ECS RPC protocol (docs/clients.md §7): where the action, the version and the parameters
//! come from, and how an answer is written (JSON, or XML on `Format=XML`).

use std::fs::File;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecs_image_rules::wire::{self, ErrorBody, host_id};
use ecs_image_rules::{ApiError, ImageStore, RequestId};
use serde::Serialize;

use crate::error::GatewayError;

/// The one API version the emulator speaks.
pub const API_VERSION: &str = "2014-05-26";

/// The response header that names what a DeleteImage did: `Deleted` or `Ignored` \[I\]. It lets a
/// test observe the outcome of concurrent deletes without another request.
pub const OUTCOME_HEADER: &str = "x-emulator-outcome";

const JSON: &str = "application/json;charset=utf-8";
const XML: &str = "text/xml;charset=utf-8";

/// How a response body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, the default [I: the real RPC default is XML, but every SDK asks for JSON or sends
    /// no `Format` and parses JSON].
    Json,
    /// XML, on `Format=XML` in any case.
    Xml,
}

impl Format {
    /// The format a request asks for with its `Format` parameter.
    pub fn of(params: &[(String, String)]) -> Self {
        match param(params, "Format") {
            Some(f) if f.eq_ignore_ascii_case("xml") => Format::Xml,
            _ => Format::Json,
        }
    }
}

/// The first value of a parameter: the library's rule for repeated names.
pub fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    wire::first_value(params, name)
}

/// The parameters of a request: the query string, then an
/// `application/x-www-form-urlencoded` body. Any other body is not read as parameters \[I\]
/// (it still counts for an ACS3 signature). Undecodable bytes become U+FFFD, which no id
/// accepts, so they end as a typed parameter error rather than a failure here.
///
/// At most [`MAX_PARAMETERS`]` + 1` are read: one more than the bound says the request is
/// refused, and the rest of a junk request is never decoded.
pub fn params(raw_query: &str, headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    let query = form_urlencoded::parse(raw_query.as_bytes());
    let body = form
        .then(|| form_urlencoded::parse(body))
        .into_iter()
        .flatten();
    query
        .chain(body)
        .take(MAX_PARAMETERS + 1)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The most parameters one request may carry, query and form body together \[I\]. The
/// action with the most declared parameters (CreateImage, with 17 disk mappings of 6 fields
/// and 20 tags) needs under 200 with the common ones; more is refused with 400
/// `InvalidParameter` before the signature is checked, so that an unauthenticated request
/// cannot make the server decode, canonicalize and hash a hundred thousand parameters.
pub const MAX_PARAMETERS: usize = 1_000;

/// A parameter, else (when `headers` are given) the `x-acs-<name>` header: the V3 SDKs send
/// `Action` and `Version` there.
fn param_or_header(
    params: &[(String, String)],
    headers: Option<&HeaderMap>,
    name: &str,
) -> Option<String> {
    param(params, name)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            let header = format!("x-acs-{}", name.to_ascii_lowercase());
            headers?
                .get(header.as_str())
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
}

/// The action a request names, after the version is checked: `Action` (parameter, else
/// `x-acs-action` when `headers` are given), then `Version` (likewise) must be `2014-05-26`.
/// Without `headers` only parameters count: an RPC V1 signature covers them and no header.
pub fn action(
    params: &[(String, String)],
    headers: Option<&HeaderMap>,
) -> Result<String, GatewayError> {
    let action = param_or_header(params, headers, "Action")
        .ok_or(GatewayError::MissingParameter("Action"))?;
    match param_or_header(params, headers, "Version") {
        None => Err(GatewayError::MissingParameter("Version")),
        Some(v) if v == API_VERSION => Ok(action),
        Some(_) => Err(GatewayError::InvalidVersion),
    }
}

/// A fresh request id: an uppercase v4 UUID, as the real service sends.
pub fn new_request_id() -> RequestId {
    let id = uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .to_ascii_uppercase();
    RequestId::new(&id).expect("an uppercased v4 UUID is an uppercase UUID")
}

/// The `HostId` for any error answered to a request: the library's rule
/// ([`wire::host_id_for`]) applied to its `RegionId` parameter.
pub fn host_for(store: &ImageStore, params: &[(String, String)]) -> String {
    wire::host_id_for(store, param(params, "RegionId"))
}

/// A finished answer: status, rendered body, and the headers the emulator adds.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    content_type: &'static str,
    body: String,
    request_id: RequestId,
    outcome: Option<&'static str>,
    /// The error code, for the request log.
    code: Option<String>,
    /// How long to hold the answer back (an injected latency).
    delay: Option<Duration>,
    /// A body sent from a file as it is read, instead of `body` (the admin world).
    file: Option<Arc<File>>,
}

impl Reply {
    /// A success: `body` rendered as JSON, or as XML under `<{action}Response>`.
    pub fn success<T: Serialize>(
        format: Format,
        action: &str,
        body: &T,
        request_id: RequestId,
    ) -> Reply {
        Self::render(format, 200, &format!("{action}Response"), body, request_id)
    }

    /// An error: the five-field body of the library, under `<Error>` in XML.
    pub fn error(
        format: Format,
        error: &dyn ApiError,
        request_id: RequestId,
        host_id: String,
    ) -> Reply {
        let body = ErrorBody::new(error, request_id.clone(), host_id);
        Self::error_body(format, error.http_status(), &body)
    }

    /// An error body the library already wrote, with its status.
    pub fn error_body(format: Format, status: u16, body: &ErrorBody) -> Reply {
        Reply {
            code: Some(body.code.clone()),
            ..Self::render(format, status, "Error", body, body.request_id.clone())
        }
    }

    /// A JSON answer of the admin API.
    pub fn admin<T: Serialize>(status: u16, body: &T, request_id: RequestId) -> Reply {
        Self::render(Format::Json, status, "Response", body, request_id)
    }

    /// A 200 JSON answer of the admin API whose body is the content of `file`, sent as it is
    /// read (the world, which may be too large to hold as one string).
    pub fn admin_file(file: File, request_id: RequestId) -> Reply {
        Reply {
            status: 200,
            content_type: JSON,
            body: String::new(),
            request_id,
            outcome: None,
            code: None,
            delay: None,
            file: Some(Arc::new(file)),
        }
    }

    fn render<T: Serialize>(
        format: Format,
        status: u16,
        root: &str,
        body: &T,
        request_id: RequestId,
    ) -> Reply {
        let rendered = match format {
            Format::Json => serde_json::to_string(body).map_err(|e| e.to_string()),
            Format::Xml => quick_xml::se::to_string_with_root(root, body)
                .map(|xml| format!("<?xml version='1.0' encoding='UTF-8'?>{xml}"))
                .map_err(|e| e.to_string()),
        };
        match rendered {
            Ok(body) => Reply {
                status,
                content_type: match format {
                    Format::Json => JSON,
                    Format::Xml => XML,
                },
                body,
                request_id,
                outcome: None,
                code: None,
                delay: None,
                file: None,
            },
            // Only a body type the emulator defines can get here; answer a typed 500 rather
            // than a half-written body.
            Err(_) if root != "Error" => {
                Reply::error(format, &GatewayError::Internal, request_id, host_id(None))
            }
            // An error body is plain strings; should its XML fail, JSON still carries it.
            Err(_) => Reply {
                status,
                content_type: JSON,
                body: serde_json::to_string(body).unwrap_or_default(),
                request_id,
                outcome: None,
                code: None,
                delay: None,
                file: None,
            },
        }
    }

    /// The same reply with the outcome header set.
    pub fn with_outcome(self, outcome: &'static str) -> Reply {
        Reply {
            outcome: Some(outcome),
            ..self
        }
    }

    /// The same reply, to be held back `delay` before it is sent.
    pub fn with_delay(self, delay: Option<Duration>) -> Reply {
        Reply { delay, ..self }
    }

    /// The error code, when it is an error.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The outcome header's value, when it has one.
    pub fn outcome(&self) -> Option<&'static str> {
        self.outcome
    }

    /// How long to hold it back before it is sent.
    pub fn delay(&self) -> Option<Duration> {
        self.delay
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = match self.file {
            Some(file) => Body::new(FileBody(file)),
            None => Body::from(self.body),
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(id) = HeaderValue::from_str(self.request_id.as_str()) {
            headers.insert("x-acs-request-id", id);
        }
        if let Some(outcome) = self.outcome {
            headers.insert(OUTCOME_HEADER, HeaderValue::from_static(outcome));
        }
        response
    }
}

/// A response body read from a file, a chunk at a time, as the client takes it: the file is
/// local and just written, so a read does not wait on the disk.
struct FileBody(Arc<File>);

impl HttpBody for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        let mut chunk = vec![0; 1 << 16];
        Poll::Ready(match (&*self.0).read(&mut chunk) {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some(Ok(http_body::Frame::data(Bytes::from(chunk))))
            }
            Err(e) => Some(Err(e)),
        })
    }
}
