//! An HTTP server that speaks the ECS RPC protocol (API version 2014-05-26) over the
//! `ecs-image-rules` library, so the real Alibaba Cloud SDKs can be pointed at it.
//!
//! The wire contract is docs/clients.md §7 (signatures: §4): `POST` or `GET` on `/`, the
//! action in `Action` or `x-acs-action`, parameters in the query string plus a form body,
//! JSON answers (`Format=XML` gives XML), an uppercase UUID request id per request, and the
//! five-field error body of the library's [`wire`](ecs_image_rules::wire) module.
//!
//! The emulator is a thin protocol layer: every answer about images comes from the library.
//! It adds identity (access key id → account, from the [`World`](ecs_image_rules::World)),
//! signature checks, an admin API under `/_emulator/`, and persistence of the world.
//!
//! Every action runs under one lock, start to finish (decide, apply, persist), so requests
//! are linearizable; a DeleteImage answer names what it did in the [`OUTCOME_HEADER`]
//! (`Deleted` or `Ignored`). The caller is identified before, with the lock held only to look
//! up the access key: checking a signature costs time in proportion to the request.
//!
//! The server bounds what a client can hold (timeouts, a connection bound, a bounded stop:
//! [`Options`]) and who can reach the admin API (docs/security.md).
//!
//! # Example
//!
//! ```no_run
//! use ecs_image_emulator::{Config, Emulator, demo, serve};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::new(Config::new(demo::world()))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(emulator, listener, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod access;
mod actions;
mod admin;
mod call;
pub mod clock;
mod coverage;
mod declared;
pub mod demo;
mod describe;
mod disk;
mod emulator;
mod error;
mod faults;
mod identity;
mod journal;
mod persist;
mod progress;
mod protocol;
mod proxy;
mod recorder;
mod regions;
mod replay;
mod rpc;
mod server;
mod signature;
mod snapshots;
mod tags;

pub use access::Denial;
pub use actions::names as action_names;
pub use coverage::report as coverage_report;
pub use emulator::{Config, DEFAULT_MAX_BODY_BYTES, Emulator, StartWorld};
pub use error::GatewayError;
pub use identity::Auth;
pub use persist::{StateFileError, read_world};
pub use protocol::{API_VERSION, OUTCOME_HEADER};
pub use recorder::DEFAULT_REQUEST_LOG_CAPACITY;
pub use server::{
    ADMIN_PREFIX, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REPLAY_WINDOW, DEFAULT_SHUTDOWN_GRACE, Options, serve,
    serve_with,
};
