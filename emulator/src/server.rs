//! HTTP: the connections, and one handler for every request. `/` is the ECS action router,
//! `/_emulator/...` the admin API (never reachable as an action), anything else
//! `InvalidAction.NotFound`.
//!
//! # Connections
//!
//! The server runs its own accept loop over hyper's HTTP/1 connection (axum's `serve` sets
//! neither a timer nor a connection bound), so that no client can hold the server:
//!
//! - at most [`Options::max_connections`] connections are open; one more is closed at once;
//! - a request head must arrive within [`Options::header_read_timeout`] (hyper's own timer,
//!   which also runs while a kept-alive connection waits for its next request);
//! - a body must arrive within [`Options::body_read_timeout`] (408 `RequestTimeout`);
//! - a connection on which no byte moves either way for [`Options::idle_timeout`] is closed
//!   (a client that stops reading its answer, or trickles nothing);
//! - on the stop signal, the listener closes, idle connections close, requests in flight run
//!   to their answer, and whatever is still open after [`Options::shutdown_grace`] is closed.
//!
//! Each such refusal is one line on stderr.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::access::Gate;
use crate::actions::{self, Call};
use crate::admin;
use crate::emulator::{Emulator, early_error};
use crate::error::GatewayError;
use crate::identity::{self, Auth};
use crate::protocol::{self, Format, Reply, new_request_id};
use crate::proxy;
use crate::replay::Replay;
use crate::signature::SignedRequest;

/// The admin API's path prefix.
pub const ADMIN_PREFIX: &str = "/_emulator";

/// How the server treats connections and who may use the admin API. The defaults suit a test
/// machine: a real SDK call takes milliseconds, so a client silent for seconds is stalled.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a request head may take to arrive, counted from the first byte a connection
    /// waits for (so it also bounds a kept-alive connection's wait for its next request).
    pub header_read_timeout: Duration,
    /// How long a request body may take to arrive, counted from the end of its head.
    pub body_read_timeout: Duration,
    /// How long a connection may move no byte in either direction.
    pub idle_timeout: Duration,
    /// How many connections may be open at once; the next one is closed at once.
    pub max_connections: usize,
    /// How long the stop signal waits for requests in flight before closing what is left.
    pub shutdown_grace: Duration,
    /// The admin token: with it, the admin API asks for `Authorization: Bearer <token>` (and
    /// may then be used from other machines); without it, the admin API answers loopback
    /// clients only, and is off unless the listen address is loopback.
    pub admin_token: Option<String>,
    /// Replay protection \[I: off by default\]: with a window, a signed request's
    /// `Timestamp`/`x-acs-date` must be within it of the server's clock, and its
    /// `SignatureNonce`/`x-acs-signature-nonce` must not have been used within twice it.
    pub replay_window: Option<Duration>,
}

/// The default header-read timeout.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default body-read timeout.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default idle timeout.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default connection bound: well under the usual 1,024 file descriptors of a process.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The default shutdown grace.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The real gateway's timestamp window: 15 minutes either way [D, OpenAPI client-side errors].
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(15 * 60);

impl Default for Options {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            admin_token: None,
            replay_window: None,
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
struct Served {
    emulator: Emulator,
    gate: Arc<Gate>,
    body_read_timeout: Duration,
    replay: Option<Arc<Replay>>,
    /// One large request is worked on at a time.
    large: Arc<Semaphore>,
}

/// A request whose query and body together are longer than this is answered on a blocking
/// thread, one such request at a time \[I: a signed call of the image actions is a few
/// kilobytes at most; 64 KiB leaves room for a full `ImageId` list\].
pub const LARGE_REQUEST_BYTES: usize = 64 * 1024;

/// The client's address, set on every request by the connection that carries it.
#[derive(Debug, Clone, Copy)]
struct Peer(SocketAddr);

/// Serves with the default [`Options`] until `shutdown` resolves; see [`serve_with`].
pub async fn serve(
    emulator: Emulator,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(emulator, listener, Options::default(), shutdown).await
}

/// Serves until `shutdown` resolves, then finishes the requests in flight (for at most
/// [`Options::shutdown_grace`]) and returns.
pub async fn serve_with(
    emulator: Emulator,
    listener: TcpListener,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let listen = listener.local_addr()?;
    let served = Served {
        emulator,
        gate: Arc::new(Gate::new(listen, options.admin_token.as_deref())),
        body_read_timeout: options.body_read_timeout,
        replay: options.replay_window.map(|w| Arc::new(Replay::new(w))),
        large: Arc::new(Semaphore::new(1)),
    };
    let app = Router::new().fallback(handle).with_state(served);
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close rather
                    // than spin on the error.
                    refusal(format_args!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            refusal(format_args!(
                "{peer}: connection closed: {} connections are open (--max-connections)",
                options.max_connections
            ));
            continue;
        };
        let connection = Connection {
            peer,
            header_read_timeout: options.header_read_timeout,
            idle_timeout: options.idle_timeout,
        };
        let app = app.clone();
        let stopping = stopping.clone();
        connections.spawn(async move {
            connection.serve(stream, app, stopping).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(options.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        refusal(format_args!(
            "{} connection(s) still open {} after the stop signal: closed (--shutdown-grace)",
            connections.len(),
            humantime::format_duration(options.shutdown_grace)
        ));
        connections.shutdown().await;
    }
    Ok(())
}

/// One line on stderr about a refused or closed connection. A closed stderr is no reason to
/// fail a request, so a failed write is ignored.
fn refusal(what: fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(io::stderr().lock(), "ecs-image-emulator: {what}");
}

struct Connection {
    peer: SocketAddr,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

impl Connection {
    async fn serve(self, stream: TcpStream, app: Router, mut stopping: watch::Receiver<bool>) {
        let peer = self.peer;
        let idle = Idle::new(stream, self.idle_timeout);
        let went_idle = idle.expired.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(Peer(peer));
            app.clone().oneshot(request.map(Body::new))
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        let mut conn = pin!(builder.serve_connection(TokioIo::new(idle), service));
        let mut stop_sent = false;
        let result = loop {
            if !stop_sent && *stopping.borrow() {
                conn.as_mut().graceful_shutdown();
                stop_sent = true;
            }
            tokio::select! {
                result = conn.as_mut() => break result,
                changed = stopping.changed(), if !stop_sent => {
                    if changed.is_err() {
                        // The server is gone without a stop: close as on a stop.
                        conn.as_mut().graceful_shutdown();
                        stop_sent = true;
                    }
                }
            }
        };
        if went_idle.load(Ordering::Relaxed) {
            refusal(format_args!(
                "{peer}: connection closed: no byte moved for {} (--idle-timeout)",
                humantime::format_duration(self.idle_timeout)
            ));
        } else if let Err(e) = result
            && e.is_timeout()
        {
            refusal(format_args!(
                "{peer}: connection closed: no complete request head within {} (--header-read-timeout)",
                humantime::format_duration(self.header_read_timeout)
            ));
        }
    }
}

/// A stream that fails with `TimedOut` once neither a read nor a write has made progress for
/// `timeout` while one is waiting. hyper has a timer for request heads only; this covers a
/// client that stops reading its answer or stalls mid-body.
struct Idle<S> {
    inner: S,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

impl<S> Idle<S> {
    fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            expired: Arc::new(AtomicBool::new(false)),
        }
    }

    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        progress: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match progress {
            Poll::Ready(result) => {
                let next = Instant::now() + self.timeout;
                self.deadline.as_mut().reset(next);
                Poll::Ready(result)
            }
            Poll::Pending if self.deadline.as_mut().poll(cx).is_ready() => {
                self.expired.store(true, Ordering::Relaxed);
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was idle too long",
                )))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Idle<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let progress = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.watch(cx, progress)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Idle<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let progress = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, progress)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let progress = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, progress)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

async fn handle(State(served): State<Served>, request: Request) -> Response {
    let emulator = &served.emulator;
    let request_id = new_request_id();
    let persists = emulator.persists();
    let (parts, body) = request.into_parts();
    let peer = parts.extensions.get::<Peer>().map(|p| p.0);
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let path = parts.uri.path().to_owned();
    // Proxy mode: absolute form for an ECS host is served as if sent here (proxy.rs).
    if let Err(refusal) = proxy::check(&parts.method, &parts.uri) {
        let params = protocol::params(&raw_query, &HeaderMap::new(), &[]);
        return early_error(emulator, Format::of(&params), &refusal, request_id, &params)
            .into_response();
    }
    let admin = path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/"));
    // The access rules, the path and the method need no body, so they are checked before it
    // is read (E4); their errors, like the size bound's, take `Format` and `RegionId` from the
    // query string alone.
    let unroutable = if admin {
        served
            .gate
            .admin(peer, &parts.method, &parts.headers)
            .err()
            .map(GatewayError::Denied)
    } else if path != "/" {
        Some(GatewayError::ActionNotFound)
    } else if parts.method != Method::GET && parts.method != Method::POST {
        Some(GatewayError::UnsupportedHttpMethod)
    } else if matches!(emulator.auth(), Auth::NoAuth { .. }) {
        served
            .gate
            .unsigned_action(&parts.headers)
            .err()
            .map(GatewayError::Denied)
    } else {
        None
    };
    let body = match unroutable {
        Some(e) => Err(e),
        None => {
            read_body(
                body,
                &parts.headers,
                emulator.max_body_bytes(),
                served.body_read_timeout,
            )
            .await
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            if let (GatewayError::BodyTimeout(_), Some(peer)) = (&e, peer) {
                refusal(format_args!(
                    "{peer}: request refused: its body did not arrive within {} (--body-read-timeout)",
                    humantime::format_duration(served.body_read_timeout)
                ));
            }
            let timed_out = matches!(e, GatewayError::BodyTimeout(_));
            let params = protocol::params(&raw_query, &HeaderMap::new(), &[]);
            let format = Format::of(&params);
            let mut response =
                early_error(emulator, format, &e, request_id, &params).into_response();
            if timed_out {
                // The rest of the body may still come: this connection cannot carry another
                // request.
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            return response;
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
    let large = raw_query.len() + body.len() > LARGE_REQUEST_BYTES;
    // A blocking thread's panic is answered in the format the query asks for.
    let query_format = || Format::of(&protocol::params(&raw_query, &HeaderMap::new(), &[]));
    let fallback = if large || persists {
        query_format()
    } else {
        Format::Json
    };
    let emulator = emulator.clone();
    let replay = served.replay.clone();
    let run = move || {
        answer(
            &emulator,
            parts,
            &raw_query,
            &body,
            request_id,
            replay.as_deref(),
        )
    };
    // Without a state file a small action runs here: a few lookups under the lock, less than
    // handing it to a blocking thread would cost (perf/load.sh; docs/performance.md). With a
    // state file it may fsync, which must not stall an async worker: it runs in place, the
    // worker's other tasks handed to another thread. A large request (up to a megabyte of
    // parameters to decode, canonicalize and hash, signed or not) runs on a blocking thread,
    // one at a time, so that junk cannot take every worker and core from
    // the small requests of other clients (perf/junk.sh).
    let reply = if large {
        let _turn = served.large.acquire().await;
        tokio::task::spawn_blocking(run).await.ok()
    } else if persists {
        off_the_runtime(run).await
    } else {
        Some(run())
    };
    let reply = reply.unwrap_or_else(|| internal(fallback));
    // An injected latency: the action has run; only its answer waits (faults.rs).
    if let Some(delay) = reply.delay() {
        tokio::time::sleep(delay).await;
    }
    reply.into_response()
}

/// Runs a blocking call on this worker thread, the runtime handing its other tasks to another
/// worker meanwhile (`block_in_place`): the request then waits for no thread to be woken and
/// scheduled, twice, around its fsync, which on a loaded machine cost more than the fsync
/// (docs/performance.md). On a runtime with one thread (a test's), on a blocking thread: there
/// the request in place would stall the very task whose fsync it may wait for. `None` if it
/// panicked.
async fn off_the_runtime(run: impl FnOnce() -> Reply + Send + 'static) -> Option<Reply> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::current().runtime_flavor() {
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).ok()
        }),
        _ => tokio::task::spawn_blocking(run).await.ok(),
    }
}

/// An action request whose body has arrived: its parameters (at most
/// [`protocol::MAX_PARAMETERS`]), its action, its signature (checked before the world's lock
/// is taken: its cost grows with the request, and an unauthenticated caller must not hold up
/// the others), then the action.
fn answer(
    emulator: &Emulator,
    parts: axum::http::request::Parts,
    raw_query: &str,
    body: &Bytes,
    request_id: ecs_image_rules::RequestId,
    replay: Option<&Replay>,
) -> Reply {
    let params = protocol::params(raw_query, &parts.headers, body);
    let format = Format::of(&params);
    if params.len() > protocol::MAX_PARAMETERS {
        let limit = protocol::MAX_PARAMETERS;
        let error = GatewayError::TooManyParameters { limit };
        return early_error(emulator, format, &error, request_id, &params);
    }
    // Under signature checks an RPC V1 request (an `AccessKeyId` parameter, no
    // `Authorization` header) signs its parameters only, so its action and version come from
    // them alone; an ACS3 request signs `x-acs-action` and `x-acs-version` too (see
    // signature.rs), and one that presents no key is refused whatever it names.
    let rpc_v1 = !parts.headers.contains_key(header::AUTHORIZATION)
        && protocol::param(&params, "AccessKeyId").is_some();
    let headers_name_the_action = matches!(emulator.auth(), Auth::NoAuth { .. }) || !rpc_v1;
    let action = protocol::action(&params, headers_name_the_action.then_some(&parts.headers))
        .and_then(|name| actions::route(&name));
    let action = match action {
        Ok(action) => action,
        Err(e) => return early_error(emulator, format, &e, request_id, &params),
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: "/",
        raw_query,
        headers: &parts.headers,
        body,
        params: &params,
    };
    let identified = identity::authenticate(emulator.auth(), emulator, &signed, replay);
    emulator.execute(
        Call {
            action,
            format,
            request_id,
            signed,
        },
        identified,
    )
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

/// The body, refused past `limit` bytes (at once when `Content-Length` says so, else while
/// reading) or when it takes longer than `timeout` to arrive.
async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, GatewayError> {
    let too_large = GatewayError::RequestTooLarge { limit };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(GatewayError::BodyTimeout(timeout)),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large),
        Ok(Err(_)) => Err(GatewayError::UnreadableBody),
    }
}
