//! Fault and latency injection: rules, set through the admin API, that make chosen action calls
//! fail with the service's own throttling and service errors, or answer late — so a test can
//! check that the code under test retries, backs off or gives up as it should.
//!
//! A rule names an action and optionally a caller (an account id) and an image (the call's
//! `ImageId`). Every call that matches is counted; the rule fires on the `Nth` matching call
//! and the `Times - 1` after it, each with probability `Probability` drawn from a generator
//! seeded with `Seed`, so a run is reproducible. Rules are checked in the order they were
//! added; the first that fires answers. Rules match after the caller is identified: a throttle
//! is counted per account, as the service's flow control is, and a request with a bad signature
//! is refused as such, never throttled \[I\].
//!
//! The errors are the service's own, with the statuses and messages of ECS's common error
//! table (docs/research/errors-throttling.md; the table is in docs/testing.md).

use std::time::Duration;

use ecs_image_rules::AccountId;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::actions;
use crate::error::GatewayError;
use crate::protocol::param;

/// The longest latency a rule may add: past it a client has long timed out \[I\].
const MAX_LATENCY_MS: u64 = 60_000;

/// The most rules held at once, so that a runaway test cannot grow the emulator \[I\].
const MAX_RULES: usize = 1_000;

/// An error a rule answers with: the service's throttling and service errors, each answered as
/// the [`GatewayError`] of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum InjectedError {
    Throttling,
    #[serde(rename = "Throttling.User")]
    ThrottlingUser,
    UnknownError,
    ServiceUnavailable,
    InternalError,
}

impl InjectedError {
    fn answer(self) -> GatewayError {
        match self {
            InjectedError::Throttling => GatewayError::Throttling,
            InjectedError::ThrottlingUser => GatewayError::ThrottlingUser,
            InjectedError::UnknownError => GatewayError::UnknownError,
            InjectedError::ServiceUnavailable => GatewayError::ServiceUnavailable,
            InjectedError::InternalError => GatewayError::Internal,
        }
    }
}

/// A rule as the admin API takes it (`POST /_emulator/faults`, JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(crate) struct FaultSpec {
    /// The action it applies to, e.g. `DescribeImages`.
    action: String,
    /// Only calls by this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caller: Option<AccountId>,
    /// Only calls whose `ImageId` is this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_id: Option<String>,
    /// The error to answer instead of running the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<InjectedError>,
    /// Milliseconds to hold the answer back (the action itself runs at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    latency_ms: Option<u64>,
    /// The first matching call it fires on, counted from 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nth: Option<u64>,
    /// How many times it fires: default 1 when `Nth` is given, else without end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u64>,
    /// The chance that an eligible call fires it, in (0, 1] (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    /// The seed of the draws for `Probability` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

/// A rule with its counters, as `GET /_emulator/faults` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FaultRule {
    id: u64,
    #[serde(flatten)]
    spec: FaultSpec,
    /// Matching calls seen.
    seen: u64,
    /// Times it fired.
    fired: u64,
    #[serde(skip)]
    rng: ChaCha8Rng,
}

/// What a rule that fired does to a call.
#[derive(Debug, Clone)]
pub(crate) struct Fired {
    /// The rule's id.
    pub(crate) rule: u64,
    /// The error to answer, instead of running the action.
    pub(crate) error: Option<GatewayError>,
    /// How long to hold the answer back.
    pub(crate) delay: Option<Duration>,
}

/// The rules in force.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Vec<FaultRule>,
    next_id: u64,
}

impl Faults {
    /// Adds a rule after checking it; returns its id.
    pub(crate) fn add(&mut self, spec: FaultSpec) -> Result<u64, GatewayError> {
        if actions::lookup(&spec.action).is_none() {
            return Err(GatewayError::InvalidAdminParameter("Action"));
        }
        if spec.error.is_none() && spec.latency_ms.is_none() {
            return Err(GatewayError::InvalidAdminParameter("Error"));
        }
        if spec.latency_ms.is_some_and(|ms| ms > MAX_LATENCY_MS) {
            return Err(GatewayError::InvalidAdminParameter("LatencyMs"));
        }
        if spec.nth == Some(0) {
            return Err(GatewayError::InvalidAdminParameter("Nth"));
        }
        if spec.times == Some(0) {
            return Err(GatewayError::InvalidAdminParameter("Times"));
        }
        if spec.probability.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
            return Err(GatewayError::InvalidAdminParameter("Probability"));
        }
        if self.rules.len() >= MAX_RULES {
            return Err(GatewayError::InvalidAdminParameter("too many fault rules"));
        }
        self.next_id += 1;
        let id = self.next_id;
        let rng = ChaCha8Rng::seed_from_u64(spec.seed.unwrap_or(0));
        self.rules.push(FaultRule {
            id,
            spec,
            seen: 0,
            fired: 0,
            rng,
        });
        Ok(id)
    }

    /// The rules, in the order they are checked.
    pub(crate) fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Removes every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Removes one rule; whether it was there.
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Counts a call against every rule it matches; the first rule that fires says what
    /// happens to it.
    pub(crate) fn fire(
        &mut self,
        action: &str,
        caller: &AccountId,
        params: &[(String, String)],
    ) -> Option<Fired> {
        let image = param(params, "ImageId");
        let mut fired = None;
        for rule in &mut self.rules {
            let spec = &rule.spec;
            let matches = spec.action == action
                && spec.caller.as_ref().is_none_or(|c| c == caller)
                && spec.image_id.as_deref().is_none_or(|i| Some(i) == image);
            if !matches {
                continue;
            }
            rule.seen += 1;
            let nth = spec.nth.unwrap_or(1);
            let times = spec
                .times
                .unwrap_or(if spec.nth.is_some() { 1 } else { u64::MAX });
            let eligible = rule.seen >= nth && rule.fired < times;
            // Draw only for eligible calls, so the sequence of draws depends on the seed and
            // on the calls the rule could fire on, not on unrelated traffic.
            let lucky = eligible
                && spec
                    .probability
                    .is_none_or(|p| unit_interval(rule.rng.next_u64()) < p);
            if lucky && fired.is_none() {
                rule.fired += 1;
                fired = Some(Fired {
                    rule: rule.id,
                    error: spec.error.map(InjectedError::answer),
                    delay: spec.latency_ms.map(Duration::from_millis),
                });
            }
        }
        fired
    }
}

/// A uniform draw in [0, 1) from 64 random bits (the top 53, as many as an f64 holds).
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> FaultSpec {
        serde_json::from_value(json).expect("a well-formed rule")
    }

    fn alice() -> AccountId {
        AccountId::new("alice").unwrap()
    }

    fn calls(faults: &mut Faults, n: usize) -> Vec<bool> {
        (0..n)
            .map(|_| faults.fire("DescribeImages", &alice(), &[]).is_some())
            .collect()
    }

    #[test]
    fn nth_alone_fires_once_on_that_call() {
        let mut f = Faults::default();
        f.add(spec(
            serde_json::json!({"Action": "DescribeImages", "Error": "Throttling", "Nth": 2}),
        ))
        .unwrap();
        assert_eq!(calls(&mut f, 4), [false, true, false, false]);
    }

    #[test]
    fn times_alone_fires_on_the_first_calls() {
        let mut f = Faults::default();
        f.add(spec(
            serde_json::json!({"Action": "DescribeImages", "Error": "Throttling", "Times": 2}),
        ))
        .unwrap();
        assert_eq!(calls(&mut f, 4), [true, true, false, false]);
    }

    #[test]
    fn a_seeded_probability_repeats_and_depends_on_the_seed() {
        let run = |seed: u64| {
            let mut f = Faults::default();
            f.add(spec(serde_json::json!({
                "Action": "DescribeImages", "Error": "ServiceUnavailable",
                "Probability": 0.5, "Seed": seed
            })))
            .unwrap();
            calls(&mut f, 64)
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let fired = run(7).iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired} of 64 at p = 0.5");
    }

    #[test]
    fn other_actions_callers_and_images_do_not_match() {
        let mut f = Faults::default();
        f.add(spec(serde_json::json!({
            "Action": "DeleteImage", "Caller": "bob", "ImageId": "m-1", "Error": "Throttling"
        })))
        .unwrap();
        let bob = AccountId::new("bob").unwrap();
        let image = |id: &str| vec![("ImageId".to_owned(), id.to_owned())];
        assert!(f.fire("DescribeImages", &bob, &image("m-1")).is_none());
        assert!(f.fire("DeleteImage", &alice(), &image("m-1")).is_none());
        assert!(f.fire("DeleteImage", &bob, &image("m-2")).is_none());
        assert!(f.fire("DeleteImage", &bob, &image("m-1")).is_some());
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut f = Faults::default();
        for bad in [
            serde_json::json!({"Action": "NoSuchAction", "Error": "Throttling"}),
            serde_json::json!({"Action": "DeleteImage"}),
            serde_json::json!({"Action": "DeleteImage", "Error": "Throttling", "Nth": 0}),
            serde_json::json!({"Action": "DeleteImage", "Error": "Throttling", "Probability": 0.0}),
            serde_json::json!({"Action": "DeleteImage", "LatencyMs": 600_000}),
        ] {
            assert!(f.add(spec(bad.clone())).is_err(), "{bad}");
        }
        assert!(
            serde_json::from_value::<FaultSpec>(
                serde_json::json!({"Action": "DeleteImage", "Error": "Throttled"})
            )
            .is_err()
        );
        assert!(f.list().is_empty());
    }
}
