//! One call of an action, and what an action sees while it answers it.

use ecs_image_rules::{
    AccountId, Error, ImageStore, Profile, ProgressPolicy, RequestId, Timestamp, World,
};
use serde::Serialize;

use crate::protocol::{Format, Reply};
use crate::rpc::Params;
use crate::signature::SignedRequest;

/// An action the emulator answers.
#[derive(Debug)]
pub(crate) struct ActionSpec {
    /// The ECS action name, e.g. `DeleteImage`.
    pub(crate) name: &'static str,
    /// Whether it may change the world (and so needs a backup to roll back a failed persist).
    pub(crate) mutating: bool,
    /// Reads the parameters, asks the library, renders the answer.
    pub(crate) run: fn(&mut Context<'_, '_>) -> Result<Reply, Error>,
    /// The parameters the real action declares that this one models (indexes written `N`).
    pub(crate) modelled: &'static [&'static str],
}

impl ActionSpec {
    /// Whether the action models the declared parameter `name` (indexes written `N`).
    pub(crate) fn models(&self, name: &str) -> bool {
        self.modelled.contains(&name)
    }
}

/// One call of an action, its caller not yet identified.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) action: &'static ActionSpec,
    pub(crate) format: Format,
    pub(crate) request_id: RequestId,
    pub(crate) signed: SignedRequest<'a>,
}

/// The progress policy and the time of a call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pacing {
    pub(crate) policy: ProgressPolicy,
    pub(crate) now: Timestamp,
}

/// What an action sees: its call, its caller, the world and the profile.
pub(crate) struct Context<'c, 'a> {
    pub(crate) call: &'c Call<'a>,
    pub(crate) caller: &'c AccountId,
    pub(crate) world: &'c mut World,
    pub(crate) profile: &'c Profile,
    /// How the service's own work progresses, and the call's time: what a Describe answer's
    /// progress figures (`Progress`, `TaskProcess`, `RemainTime`) are read at.
    pub(crate) pacing: Pacing,
    /// Whether the world changed (and so must be persisted before the answer).
    pub(crate) mutated: bool,
}

impl<'c, 'a> Context<'c, 'a> {
    pub(crate) fn params(&self) -> Params<'a> {
        let action = self.call.action;
        Params::new(self.call.signed.params, action.name, action.modelled)
    }

    pub(crate) fn store(&self) -> &ImageStore {
        &self.world.store
    }

    pub(crate) fn request_id(&self) -> RequestId {
        self.call.request_id.clone()
    }

    /// The success reply for this action.
    pub(crate) fn ok<T: Serialize>(&self, body: &T) -> Reply {
        Reply::success(
            self.call.format,
            self.call.action.name,
            body,
            self.request_id(),
        )
    }
}
