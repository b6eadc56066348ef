//! HTTP: one handler for every request. `/` is the ECS action router, `/_emulator/...` the
//! admin API (never reachable as an action), anything else `InvalidAction.NotFound`.

use std::future::Future;
use std::io;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::net::TcpListener;

use crate::actions::{self, Call};
use crate::admin;
use crate::emulator::{Emulator, early_error};
use crate::error::GatewayError;
use crate::protocol::{self, Format, Reply, new_request_id};
use crate::proxy;
use crate::signature::SignedRequest;

/// The admin API's path prefix.
pub const ADMIN_PREFIX: &str = "/_emulator";

/// The emulator as an axum router.
pub fn router(emulator: Emulator) -> Router {
    Router::new().fallback(handle).with_state(emulator)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight and returns.
pub async fn serve(
    emulator: Emulator,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(emulator))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle(State(emulator): State<Emulator>, request: Request) -> Response {
    let request_id = new_request_id();
    let persists = emulator.persists();
    let (parts, body) = request.into_parts();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let path = parts.uri.path().to_owned();
    // Proxy mode: absolute form for an ECS host is served as if sent here (proxy.rs).
    if let Err(refusal) = proxy::check(&parts.method, &parts.uri) {
        let params = protocol::params(&raw_query, &HeaderMap::new(), &[]);
        let host = emulator.host_for(&params);
        return Reply::error(Format::of(&params), &refusal, request_id, host).into_response();
    }
    let admin = path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/"));
    // The path and the method need no body, so they are checked before it is read (E4); their
    // errors, like the size bound's, take `Format` and `RegionId` from the query string alone.
    let unroutable = if admin {
        None
    } else if path != "/" {
        Some(GatewayError::ActionNotFound)
    } else if parts.method != Method::GET && parts.method != Method::POST {
        Some(GatewayError::UnsupportedHttpMethod)
    } else {
        None
    };
    let body = match unroutable {
        Some(e) => Err(e),
        None => read_body(body, &parts.headers, emulator.max_body_bytes()).await,
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            let params = protocol::params(&raw_query, &HeaderMap::new(), &[]);
            let format = Format::of(&params);
            return early_error(&emulator, format, &e, request_id, &params).into_response();
        }
    };
    if admin {
        let reply = tokio::task::spawn_blocking({
            let emulator = emulator.clone();
            move || {
                admin::handle(
                    &emulator,
                    &parts.method,
                    &path,
                    &raw_query,
                    &body,
                    request_id,
                )
            }
        })
        .await;
        return reply
            .unwrap_or_else(|_| internal(Format::Json))
            .into_response();
    }
    let params = protocol::params(&raw_query, &parts.headers, &body);
    let format = Format::of(&params);
    let action = protocol::action(&params, &parts.headers)
        .and_then(|name| actions::lookup(&name).ok_or(GatewayError::ActionNotFound));
    let action = match action {
        Ok(action) => action,
        Err(e) => return early_error(&emulator, format, &e, request_id, &params).into_response(),
    };
    let method = parts.method.as_str().to_owned();
    let headers = parts.headers;
    let run = move || {
        let signed = SignedRequest {
            method: &method,
            path: "/",
            raw_query: &raw_query,
            headers: &headers,
            body: &body,
            params: &params,
        };
        emulator.execute(Call {
            action,
            format,
            request_id,
            signed,
        })
    };
    // Without a state file an action does no I/O, only CPU work under the lock: a few lookups
    // for most actions, but a pass over the store for Describe* and a copy of it for DryRun,
    // so on a large world those hold this worker (and the lock) for as long. It runs here all
    // the same: for the common small call, handing it to a blocking thread cost more than the
    // action itself (perf/load.sh; docs/performance.md). With a state file it may fsync, which
    // must not stall an async worker.
    let reply = if persists {
        let reply = tokio::task::spawn_blocking(run).await;
        reply.unwrap_or_else(|_| internal(format))
    } else {
        run()
    };
    // An injected latency: the action has run; only its answer waits (faults.rs).
    if let Some(delay) = reply.delay() {
        tokio::time::sleep(delay).await;
    }
    reply.into_response()
}

/// A worker panicked: a server fault, answered as a typed 500 with a fresh request id.
fn internal(format: Format) -> Reply {
    Reply::error(
        format,
        &GatewayError::Internal,
        new_request_id(),
        ecs_image_rules::wire::host_id(None),
    )
}

/// The body, refused past `limit` bytes: at once when `Content-Length` says so, else while
/// reading.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, GatewayError> {
    let too_large = GatewayError::RequestTooLarge { limit };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large),
        Err(_) => Err(GatewayError::UnreadableBody),
    }
}
