//! The running emulator: one world behind one lock, so every request is linearizable, and the
//! `--state` file written before a change is acknowledged.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ecs_image_rules::{AccountId, Profile, RequestId, World};

use crate::actions::{self, Call};
use crate::error::GatewayError;
use crate::faults::Faults;
use crate::identity::{Auth, authenticate};
use crate::persist::{self, StateFileError};
use crate::protocol::{Format, Reply, host_for};
use crate::recorder::{DEFAULT_REQUEST_LOG_CAPACITY, Entry, RequestLog};
use crate::signature::presented;

/// The default bound on a request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// The world to start from (and to go back to on reset): `--world`, or the demo world.
    pub world: World,
    /// The reading of the documentation the actions answer by.
    pub profile: Profile,
    /// How callers are identified.
    pub auth: Auth,
    /// `--state`: where the world is kept across restarts.
    pub state_file: Option<PathBuf>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How many calls the request log keeps before it drops the oldest.
    pub request_log_capacity: usize,
}

impl Config {
    /// A config for a world with the default profile, signature checks, no state file, and
    /// the default body bound.
    pub fn new(world: World) -> Self {
        Self {
            world,
            profile: Profile::default(),
            auth: Auth::Verify,
            state_file: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
        }
    }
}

/// The world and the profile: what the lock guards.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) profile: Profile,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    initial: World,
    auth: Auth,
    state_file: Option<PathBuf>,
    max_body_bytes: usize,
    /// Taken while `state` is held (never the other way round), so the log's order is the
    /// order the calls ran in.
    log: Mutex<RequestLog>,
    faults: Mutex<Faults>,
}

/// A running emulator; cheap to clone (one shared world).
#[derive(Debug, Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Emulator {
    /// Starts from a config. With a state file that exists, its world is loaded instead of
    /// `config.world`; with one that does not, `config.world` is written to it at once.
    pub fn new(config: Config) -> Result<Self, StateFileError> {
        let world = match &config.state_file {
            Some(path) if path.exists() => persist::read_world(path)?,
            Some(path) => {
                persist::write_world(path, &config.world).map_err(|source| StateFileError::Io {
                    path: path.clone(),
                    source,
                })?;
                config.world.clone()
            }
            None => config.world.clone(),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    world,
                    profile: config.profile,
                }),
                initial: config.world,
                auth: config.auth,
                state_file: config.state_file,
                max_body_bytes: config.max_body_bytes,
                log: Mutex::new(RequestLog::new(config.request_log_capacity)),
                faults: Mutex::new(Faults::default()),
            }),
        })
    }

    /// The largest request body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.shared.max_body_bytes
    }

    /// Whether a change is written to a `--state` file (and fsynced) before it is answered.
    pub(crate) fn persists(&self) -> bool {
        self.shared.state_file.is_some()
    }

    /// A copy of the current world.
    pub fn world(&self) -> World {
        self.lock().world.clone()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // The library checks before it mutates, so a panic under the lock would be a library
        // bug; answering later requests from the world as it stands beats refusing them all.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The world a reset goes back to.
    pub(crate) fn initial_world(&self) -> &World {
        &self.shared.initial
    }

    /// The `HostId` for an error answered before an action runs.
    pub(crate) fn host_for(&self, params: &[(String, String)]) -> String {
        host_for(&self.lock().world.store, params)
    }

    /// The request log.
    pub(crate) fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The fault rules.
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs an action call to its reply, under the lock: identify the caller, let a fault rule
    /// answer or run the action (persisting before answering when it changed the world), and
    /// log the call. Blocking (it may fsync).
    pub(crate) fn execute(&self, call: Call<'_>) -> Reply {
        let mut state = self.lock();
        let params = call.signed.params;
        let (caller, fired, reply) =
            match authenticate(&state.world, &self.shared.auth, &call.signed) {
                Err(e) => {
                    let host = host_for(&state.world.store, params);
                    let reply = Reply::error(call.format, &e, call.request_id.clone(), host);
                    (None, None, reply)
                }
                Ok(caller) => {
                    let fired = self.faults().fire(call.action.name, &caller, params);
                    let reply = match fired.as_ref().and_then(|f| f.error.as_ref()) {
                        Some(error) => {
                            let host = host_for(&state.world.store, params);
                            Reply::error(call.format, error, call.request_id.clone(), host)
                        }
                        None => self.run_locked(&mut state, &call, &caller),
                    };
                    (Some(caller), fired, reply)
                }
            };
        let key = presented(&call.signed).ok().flatten();
        self.log().record(Entry::new(
            call.request_id.clone(),
            call.action.name,
            caller,
            key.map(|k| k.access_key_id),
            params,
            &reply,
            fired.as_ref().map(|f| (f.rule, f.error.is_some())),
        ));
        reply.with_delay(fired.and_then(|f| f.delay))
    }

    /// Runs the action for an identified caller, and persists when it changed the world.
    fn run_locked(
        &self,
        state: &mut MutexGuard<'_, State>,
        call: &Call<'_>,
        caller: &AccountId,
    ) -> Reply {
        let request_id = call.request_id.clone();
        let format = call.format;
        let backup =
            (self.shared.state_file.is_some() && call.action.mutating).then(|| state.world.clone());
        let state_ref = &mut **state;
        let answer = actions::run(call, caller, &mut state_ref.world, &state_ref.profile);
        if answer.mutated
            && let Err(e) = self.persist_locked(&state.world)
        {
            if let Some(backup) = backup {
                state.world = backup;
            }
            let host = host_for(&state.world.store, call.signed.params);
            return Reply::error(format, &e, request_id, host);
        }
        answer.reply
    }

    /// Replaces the world (admin), persisting first; on failure nothing changes.
    pub(crate) fn replace_world(&self, world: World) -> Result<(), GatewayError> {
        let mut state = self.lock();
        self.persist_locked(&world)?;
        state.world = world;
        Ok(())
    }

    /// Changes the world with `change` (admin), persisting after; on failure nothing changes.
    pub(crate) fn change_world<T>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, GatewayError>,
    ) -> Result<T, GatewayError> {
        let mut state = self.lock();
        let mut world = state.world.clone();
        let result = change(&mut world)?;
        self.persist_locked(&world)?;
        state.world = world;
        Ok(result)
    }

    /// Sets the profile (admin). Not persisted: the state file holds the world only \[I\].
    pub(crate) fn set_profile(&self, profile: Profile) {
        self.lock().profile = profile;
    }

    /// The current profile.
    pub fn profile(&self) -> Profile {
        self.lock().profile
    }

    fn persist_locked(&self, world: &World) -> Result<(), GatewayError> {
        match &self.shared.state_file {
            Some(path) => persist::write_world(path, world).map_err(|_| GatewayError::Internal),
            None => Ok(()),
        }
    }
}

/// An error reply for a failure before the action runs.
pub(crate) fn early_error(
    emulator: &Emulator,
    format: Format,
    error: &GatewayError,
    request_id: RequestId,
    params: &[(String, String)],
) -> Reply {
    Reply::error(format, error, request_id, emulator.host_for(params))
}
