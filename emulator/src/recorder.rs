//! The request log: every action call, in the order the emulator ran them, so a test can
//! assert what the code under test called ("DeleteImage once, with Force=true").
//!
//! Each entry holds the action, its parameters (the protocol's own — signature, key, nonce,
//! timestamp, format, version, security token — left out: no secret or signature is ever
//! kept), the access key id and the account it meant, the HTTP status, the error code and
//! the outcome. The log is bounded: past its capacity the oldest entries go, and `Dropped`
//! counts them.

use std::collections::{BTreeMap, VecDeque};

use ecs_image_rules::{AccountId, RequestId};
use serde::Serialize;

use crate::protocol::Reply;

/// Entries kept before the oldest are dropped.
pub const DEFAULT_REQUEST_LOG_CAPACITY: usize = 10_000;

/// The bytes of parameter names and values one entry keeps \[I\]. A request body may carry
/// 1 MiB of parameters, signed or not; at the default capacity, 10,000 such entries would hold
/// about 10 GB. Past this budget an entry keeps no further parameter and says `Truncated`.
pub(crate) const MAX_LOGGED_PARAMETER_BYTES: usize = 16 * 1024;

/// The parameters of the protocol rather than of the action; never logged. `Signature` and
/// `SecurityToken` are secrets or derived from one; the others are noise to an assertion
/// (`AccessKeyId` has its own field).
const PROTOCOL_PARAMS: &[&str] = &[
    "Signature",
    "SecurityToken",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "Format",
    "Version",
    "Action",
];

/// What became of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Outcome {
    /// A success that is not a DeleteImage.
    Succeeded,
    /// DeleteImage deleted the image.
    Deleted,
    /// DeleteImage found nothing to delete and answered success.
    Ignored,
    /// A 4xx answer of the emulator or of the action.
    Refused,
    /// A 5xx answer.
    Failed,
    /// A fault rule answered with an error; the action did not run.
    Injected,
}

/// One logged call.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Entry {
    /// Its place in the log, from 1; never reused, even after a clear.
    seq: u64,
    request_id: RequestId,
    action: &'static str,
    /// The account it acted as; `null` when the caller was refused.
    caller: Option<AccountId>,
    access_key_id: Option<String>,
    parameters: BTreeMap<String, String>,
    /// Whether parameters were left out for [`MAX_LOGGED_PARAMETER_BYTES`].
    truncated: bool,
    status: u16,
    /// The error code; `null` on success.
    code: Option<String>,
    outcome: Outcome,
    /// The fault rule that fired on it, if any.
    fault: Option<u64>,
}

impl Entry {
    pub(crate) fn new(
        request_id: RequestId,
        action: &'static str,
        caller: Option<AccountId>,
        access_key_id: Option<String>,
        params: &[(String, String)],
        reply: &Reply,
        fault: Option<(u64, bool)>,
    ) -> Self {
        let mut parameters = BTreeMap::new();
        let (mut kept_bytes, mut truncated) = (0, false);
        for (name, value) in params {
            if PROTOCOL_PARAMS.contains(&name.as_str()) || parameters.contains_key(name) {
                // The first value wins, as it does for the actions.
                continue;
            }
            kept_bytes += name.len() + value.len();
            if kept_bytes > MAX_LOGGED_PARAMETER_BYTES {
                truncated = true;
                break;
            }
            parameters.insert(name.clone(), value.clone());
        }
        let outcome = match (fault, reply.status) {
            (Some((_, true)), _) => Outcome::Injected,
            (_, 500..) => Outcome::Failed,
            (_, 400..) => Outcome::Refused,
            _ => match reply.outcome() {
                Some("Deleted") => Outcome::Deleted,
                Some("Ignored") => Outcome::Ignored,
                _ => Outcome::Succeeded,
            },
        };
        Entry {
            seq: 0,
            request_id,
            action,
            caller,
            access_key_id,
            parameters,
            truncated,
            status: reply.status,
            code: reply.code().map(str::to_owned),
            outcome,
            fault: fault.map(|(id, _)| id),
        }
    }
}

/// The log itself.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<Entry>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

/// `GET /_emulator/requests`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Listing {
    requests: Vec<Entry>,
    /// Entries dropped for the bound since the last clear.
    dropped: u64,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity,
            next_seq: 0,
            dropped: 0,
        }
    }

    pub(crate) fn record(&mut self, mut entry: Entry) {
        if self.capacity == 0 {
            self.dropped += 1;
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.next_seq += 1;
        entry.seq = self.next_seq;
        self.entries.push_back(entry);
    }

    /// The entries of `action` by `caller` (each when given), oldest first.
    pub(crate) fn list(&self, action: Option<&str>, caller: Option<&str>) -> Listing {
        let requests = self
            .entries
            .iter()
            .filter(|e| action.is_none_or(|a| e.action == a))
            .filter(|e| caller.is_none_or(|c| e.caller.as_ref().is_some_and(|x| x.as_str() == c)))
            .cloned()
            .collect();
        Listing {
            requests,
            dropped: self.dropped,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Format, new_request_id};

    fn ok() -> Reply {
        Reply::success(Format::Json, "X", &serde_json::json!({}), new_request_id())
    }

    fn entry(action: &'static str, params: &[(&str, &str)]) -> Entry {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Entry::new(
            new_request_id(),
            action,
            Some(AccountId::new("alice").unwrap()),
            Some("AK".into()),
            &params,
            &ok(),
            None,
        )
    }

    #[test]
    fn no_signature_or_token_is_kept() {
        let e = entry(
            "DeleteImage",
            &[
                ("Signature", "c2lnbmF0dXJl"),
                ("SecurityToken", "token"),
                ("ImageId", "m-1"),
                ("Force", "true"),
            ],
        );
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            !json.contains("c2lnbmF0dXJl") && !json.contains("token"),
            "{json}"
        );
        assert_eq!(e.parameters.get("Force").map(String::as_str), Some("true"));
    }

    #[test]
    fn an_entry_keeps_a_bounded_share_of_a_large_request() {
        let values: Vec<(String, String)> = (0..100_000)
            .map(|i| (format!("ImageId.{i}"), "m-0123456789abcdef".to_owned()))
            .collect();
        let params: Vec<(&str, &str)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let e = entry("DescribeImages", &params);
        let kept: usize = e.parameters.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(kept <= 16 * 1024, "{kept} bytes kept");
        assert!(e.truncated);
        assert_eq!(
            e.parameters.get("ImageId.0").map(String::as_str),
            Some("m-0123456789abcdef")
        );
        assert!(!entry("DeleteImage", &[("ImageId", "m-1")]).truncated);
    }

    #[test]
    fn the_bound_drops_the_oldest_and_counts_them() {
        let mut log = RequestLog::new(2);
        for action in ["DeleteImage", "DescribeImages", "CreateImage"] {
            log.record(entry(action, &[]));
        }
        let listing = log.list(None, None);
        let actions: Vec<&str> = listing.requests.iter().map(|e| e.action).collect();
        assert_eq!(actions, ["DescribeImages", "CreateImage"]);
        assert_eq!(listing.dropped, 1);
        assert_eq!(listing.requests[1].seq, 3);
    }
}
