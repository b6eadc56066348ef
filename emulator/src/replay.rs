//! Replay protection, off by default \[I\]: the real gateway refuses a request whose time is
//! more than 15 minutes from its clock (`InvalidTimeStamp.Expired`) [D, OpenAPI client-side
//! errors] and a nonce it has seen recently (`SignatureNonceUsed`) \[O\]. The emulator does the
//! same behind `--replay-window`: test clients replaying recorded requests, or clocks set back
//! on purpose, would otherwise be refused.
//!
//! A nonce is remembered for twice the window: a request older than one window is refused
//! by its time, so a nonce first seen up to one window before an equally old time stamp
//! could come back at most two windows later. Memory is bounded by [`MAX_NONCES`]; past it
//! the oldest nonces are forgotten first.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::error::GatewayError;

/// The most nonces remembered at once (about 100 MB at worst).
pub(crate) const MAX_NONCES: usize = 1_000_000;

/// The window and the nonces seen within twice it.
#[derive(Debug)]
pub(crate) struct Replay {
    window: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<(Instant, String)>,
    nonces: HashSet<String>,
}

impl Replay {
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            window,
            seen: Mutex::default(),
        }
    }

    /// Checks a request's time (`name` is the field it came from): present, ISO 8601 UTC,
    /// and within the window of the server's clock either way.
    pub(crate) fn check_time(
        &self,
        name: &'static str,
        value: Option<&str>,
    ) -> Result<(), GatewayError> {
        let value = value
            .filter(|v| !v.is_empty())
            .ok_or(GatewayError::MissingParameter(name))?;
        let time = humantime::parse_rfc3339(value).map_err(|_| GatewayError::TimestampFormat)?;
        let now = SystemTime::now();
        let skew = now
            .duration_since(time)
            .unwrap_or_else(|ahead| ahead.duration());
        if skew > self.window {
            return Err(GatewayError::TimestampExpired);
        }
        Ok(())
    }

    /// Records a nonce of a verified request; one seen within twice the window is refused.
    pub(crate) fn use_nonce(
        &self,
        name: &'static str,
        value: Option<&str>,
    ) -> Result<(), GatewayError> {
        let value = value
            .filter(|v| !v.is_empty())
            .ok_or(GatewayError::MissingParameter(name))?;
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let memory = self.window * 2;
        while let Some((at, _)) = seen.order.front() {
            if now.duration_since(*at) <= memory && seen.order.len() < MAX_NONCES {
                break;
            }
            if let Some((_, old)) = seen.order.pop_front() {
                seen.nonces.remove(&old);
            }
        }
        if !seen.nonces.insert(value.to_owned()) {
            return Err(GatewayError::SignatureNonceUsed);
        }
        seen.order.push_back((now, value.to_owned()));
        Ok(())
    }
}
