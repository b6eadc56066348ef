//! The running emulator: one world behind one lock, so every request is linearizable, and,
//! with `--state`, no answer given before every change it could show is durable
//! ([`persist`](crate::persist)).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::HeaderMap;
use ecs_image_rules::{
    AccountId, Pace, Profile, ProgressPolicy, RequestId, Step, Timestamp, Work, WorkKind, World,
};

use crate::actions::{self, Call};
use crate::call::Pacing;
use crate::clock::Clock;
use crate::demo;
use crate::error::GatewayError;
use crate::faults::Faults;
use crate::identity::{Auth, KeyDirectory};
use crate::journal::Change;
use crate::persist::{self, Durable, StateFileError, Ticket};
use crate::progress;
use crate::protocol::{Format, Reply, host_for, new_request_id};
use crate::recorder::{DEFAULT_REQUEST_LOG_CAPACITY, Entry, RequestLog};
use crate::signature::{SignedRequest, presented};

/// The default bound on a request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The world an emulator starts from, and goes back to on reset.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StartWorld {
    /// The built-in [demo](crate::demo) world, built again on each reset.
    Demo,
    /// A world file (`--world`), read again on each reset.
    File(PathBuf),
    /// This world; the emulator keeps a copy of it for resets.
    Given(Box<World>),
}

impl StartWorld {
    fn load(&self) -> Result<World, StateFileError> {
        match self {
            StartWorld::Demo => Ok(demo::world()),
            StartWorld::File(path) => persist::read_world(path),
            StartWorld::Given(world) => Ok(World::clone(world)),
        }
    }
}

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// The world to start from (and to go back to on reset): `--world`, or the demo world.
    pub start: StartWorld,
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
    /// `--clock`: the time of each call. Fixed at the epoch in a config made here, so that
    /// an embedding test's worlds are the same bytes from run to run; the command line's
    /// default is the wall clock.
    pub clock: Clock,
    /// `--progress`: how fast the service's own work progresses. `manual` in a config made
    /// here, so that an embedding test decides; the command line's default is `after:1`.
    pub progress: ProgressPolicy,
}

impl Config {
    /// A config for a given world (kept for resets) with the default profile, signature
    /// checks, no state file, and the default body bound.
    pub fn new(world: World) -> Self {
        Self::starting_from(StartWorld::Given(Box::new(world)))
    }

    /// A config that starts from `start`, otherwise as [`Config::new`].
    pub fn starting_from(start: StartWorld) -> Self {
        Self {
            start,
            profile: Profile::default(),
            auth: Auth::Verify,
            state_file: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
            clock: Clock::Fixed(Timestamp::EPOCH),
            progress: ProgressPolicy::manual(),
        }
    }
}

/// The world, the profile, the clock and the progress policy: what the lock guards.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) profile: Profile,
    pub(crate) clock: Clock,
    pub(crate) policy: ProgressPolicy,
    /// Under `after-describes:<n>`: how many Describe calls each piece of scheduled work has
    /// seen answered. Not persisted: the progress it causes is journaled.
    pub(crate) describes: HashMap<Work, u32>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    start: StartWorld,
    auth: Auth,
    durable: Option<Arc<Durable>>,
    max_body_bytes: usize,
    /// Taken while `state` is held or after it (never the other way round).
    log: Mutex<RequestLog>,
    faults: Mutex<Faults>,
}

/// A running emulator; cheap to clone (one shared world).
#[derive(Debug, Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Emulator {
    /// Starts from a config. With a state file that exists, its world (snapshot and journal)
    /// is loaded instead of the start world; with one that does not, the start world is
    /// written to it at once. A state file another process holds is refused.
    pub fn new(config: Config) -> Result<Self, StateFileError> {
        let (durable, world) = match &config.state_file {
            Some(path) => {
                let (durable, world) = Durable::open(path, || config.start.load(), replay)?;
                (Some(Arc::new(durable)), world)
            }
            None => (None, config.start.load()?),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    world,
                    profile: config.profile,
                    clock: config.clock,
                    policy: config.progress,
                    describes: HashMap::new(),
                }),
                start: config.start,
                auth: config.auth,
                durable,
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
        self.shared.durable.is_some()
    }

    /// A copy of the current world.
    pub fn world(&self) -> World {
        self.read(|state| state.world.clone())
    }

    /// Reads the current world under the lock, without a copy of it; with a state file,
    /// returns only once every change the read could see is durable.
    pub fn with_world<T>(&self, read: impl Fn(&World) -> T) -> T {
        self.read(|state| read(&state.world))
    }

    /// The current world as JSON in an unnamed temporary file, rewound: written under the lock
    /// (a consistent world) without a copy of it or a string of it in memory.
    pub(crate) fn world_file(&self) -> std::io::Result<std::fs::File> {
        use std::io::{Seek, Write};
        let mut file = self.read(|state| -> std::io::Result<std::fs::File> {
            let mut out = std::io::BufWriter::new(tempfile::tempfile()?);
            serde_json::to_writer(&mut out, &state.world)?;
            out.flush()?;
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)
        })?;
        file.rewind()?;
        Ok(file)
    }

    /// Reads the world under the lock; with a state file, returns only once every change the
    /// read could see is durable.
    pub(crate) fn read<T>(&self, read: impl Fn(&State) -> T) -> T {
        loop {
            let state = self.lock();
            let value = read(&state);
            let Some(durable) = &self.shared.durable else {
                return value;
            };
            let seen = durable.seen();
            drop(state);
            if self.settle(durable, seen).is_ok() {
                return value;
            }
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // The library checks before it mutates, so a panic under the lock would be a library
        // bug; answering later requests from the world as it stands beats refusing them all.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

    /// How callers are identified.
    pub(crate) fn auth(&self) -> &Auth {
        &self.shared.auth
    }

    /// Runs an action call to its reply: under the lock, answer a failed identification (made
    /// before, outside the lock: see identity.rs), else let a fault rule answer or run the
    /// action; then, with a state file, wait until the change (or, for
    /// a read, every change the answer could show) is durable; then log the call. Blocking (it
    /// may fsync).
    pub(crate) fn execute(
        &self,
        call: Call<'_>,
        identified: Result<AccountId, GatewayError>,
    ) -> Reply {
        let params = call.signed.params;
        loop {
            let mut state = self.lock();
            let (caller, fired, ran) = match identified.clone() {
                Err(e) => {
                    let host = host_for(&state.world.store, params);
                    let reply = Reply::error(call.format, &e, call.request_id.clone(), host);
                    (None, None, Ran::answered(reply))
                }
                Ok(caller) => {
                    let fired = self.faults().fire(call.action.name, &caller, params);
                    let ran = match fired.as_ref().and_then(|f| f.error.as_ref()) {
                        Some(error) => {
                            let host = host_for(&state.world.store, params);
                            let reply =
                                Reply::error(call.format, error, call.request_id.clone(), host);
                            Ran::answered(reply)
                        }
                        None => self.run_locked(&mut state, &call, &caller),
                    };
                    (Some(caller), fired, ran)
                }
            };
            drop(state);
            let reply = match (ran.ticket, &self.shared.durable) {
                (Some(ticket), Some(durable)) => match self.settle(durable, ticket) {
                    Ok(()) => ran.reply,
                    // The change was undone: the request changed nothing.
                    Err(persist::Lost) if ran.mutated => self.persistence_failed(&call),
                    // A read that saw a change that was then undone: read again.
                    Err(persist::Lost) => continue,
                },
                _ => ran.reply,
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
            return reply.with_delay(fired.and_then(|f| f.delay));
        }
    }

    /// Runs the action for an identified caller; with a state file, queues the record of a
    /// change, and says what to wait for.
    fn run_locked(&self, state: &mut State, call: &Call<'_>, caller: &AccountId) -> Ran {
        let durable = self.shared.durable.as_ref();
        if call.action.mutating && durable.is_some_and(|d| d.poisoned()) {
            return Ran::answered(self.persistence_failed_locked(state, call));
        }
        let now = state.clock.tick();
        let progressed = self.progress_locked(state, now);
        // A change is stamped with this call's time; a call that changes nothing leaves the
        // store's clock where it was, so that the journal replays to the same bytes.
        let before = state.world.store.now();
        if call.action.mutating {
            state.world.store.advance_clock(now);
        }
        let pacing = Pacing {
            policy: state.policy,
            now,
        };
        let answer = actions::run(call, caller, &mut state.world, &state.profile, pacing);
        if !answer.mutated {
            state.world.store.restore_clock(before);
        }
        if !call.action.mutating && call.action.name.starts_with("Describe") {
            count_describe(state);
        }
        let Some(durable) = durable else {
            return Ran::answered(answer.reply);
        };
        let ticket = if answer.mutated {
            let change = Change::Action {
                name: call.action.name.to_owned(),
                caller: caller.clone(),
                params: call.signed.params,
                profile: state.profile,
                at: Some(now),
            };
            durable.append(&mut state.world, change)
        } else {
            progressed.unwrap_or_else(|| durable.seen())
        };
        Ran {
            reply: answer.reply,
            ticket: Some(ticket),
            mutated: answer.mutated,
        }
    }

    /// Ends the work the progress policy makes due at `now` (and what enough Describe calls
    /// have seen), through the library's service steps; journals it. Returns the ticket of
    /// its record, if there was anything to do and a state file to write.
    fn progress_locked(&self, state: &mut State, now: Timestamp) -> Option<Ticket> {
        let store = &state.world.store;
        let mut due = store.due(&state.policy, now);
        for kind in WorkKind::ALL {
            if let Pace::AfterDescribes(n) = state.policy.pace(kind) {
                due.extend(
                    store
                        .scheduled(kind)
                        .filter(|w| state.describes.get(*w).is_some_and(|seen| *seen >= n))
                        .cloned(),
                );
            }
        }
        if due.is_empty() {
            return None;
        }
        state.world.store.advance_clock(now);
        let mut done = Vec::with_capacity(due.len());
        for work in due {
            state.describes.remove(&work);
            let step = Step::Progress(work.done());
            if state.world.store.perform(step, &Profile::default()).is_ok() {
                done.push(work);
            }
        }
        let durable = self.shared.durable.as_ref()?;
        Some(durable.append(
            &mut state.world,
            Change::Progress {
                at: now,
                work: done,
            },
        ))
    }

    fn persistence_failed(&self, call: &Call<'_>) -> Reply {
        self.persistence_failed_locked(&self.lock(), call)
    }

    fn persistence_failed_locked(&self, state: &State, call: &Call<'_>) -> Reply {
        let host = host_for(&state.world.store, call.signed.params);
        Reply::error(
            call.format,
            &GatewayError::Internal,
            call.request_id.clone(),
            host,
        )
    }

    /// Waits for a ticket; repairs the world after a failed write. (A journal that outgrows
    /// the snapshot is compacted on a thread of its own, without the world's lock.)
    fn settle(&self, durable: &Arc<Durable>, ticket: Ticket) -> Result<(), persist::Lost> {
        match durable.wait(ticket) {
            Ok(()) => Ok(()),
            Err(lost) => {
                durable.repair(&mut self.lock().world);
                Err(lost)
            }
        }
    }

    /// Replaces the world (admin), persisting first; on failure nothing changes.
    pub(crate) fn replace_world(&self, world: World) -> Result<(), GatewayError> {
        let mut state = self.lock();
        if let Some(durable) = &self.shared.durable {
            durable
                .replace(&mut state.world, &world)
                .map_err(|_| GatewayError::Internal)?;
        }
        // The old world is freed after the lock, not under it.
        let old = std::mem::replace(&mut state.world, world);
        drop(state);
        drop(old);
        Ok(())
    }

    /// Goes back to the start world (admin): read again from its file, or built again.
    pub(crate) fn reset(&self) -> Result<(), GatewayError> {
        let world = self.shared.start.load().map_err(|e| {
            eprintln!("ecs-image-emulator: reset: {e}");
            GatewayError::Internal
        })?;
        self.replace_world(world)
    }

    /// Completes tasks (admin) with the query of `POST /_emulator/tasks/complete`; with a
    /// state file, the change is journaled and answered once durable. Returns the tasks
    /// ended and the images finished.
    pub(crate) fn complete_tasks(&self, query: &str) -> Result<progress::Completed, GatewayError> {
        let mut state = self.lock();
        let completed = progress::complete_tasks(&mut state.world.store, query)?;
        let Some(durable) = &self.shared.durable else {
            return Ok(completed);
        };
        if completed.is_empty() {
            drop(state);
            return self
                .settle(durable, durable.seen())
                .map(|()| completed)
                .map_err(|_| GatewayError::Internal);
        }
        let ticket = durable.append(
            &mut state.world,
            Change::CompleteTasks {
                query: query.to_owned(),
            },
        );
        drop(state);
        self.settle(durable, ticket)
            .map(|()| completed)
            .map_err(|_| GatewayError::Internal)
    }

    /// Sets the profile (admin). Not persisted: the state file holds the world only \[I\];
    /// each journaled change records the profile it was answered by, for its replay.
    pub(crate) fn set_profile(&self, profile: Profile) {
        self.lock().profile = profile;
    }

    /// The clock (admin), the time it gives a call now without moving a stepped one, and the
    /// store's clock.
    pub(crate) fn clock(&self) -> (Clock, Timestamp) {
        let state = self.lock();
        (state.clock, state.world.store.now())
    }

    /// Sets the clock (admin). Not persisted \[I\]: each journaled change records its time.
    pub(crate) fn set_clock(&self, clock: Clock) {
        self.lock().clock = clock;
    }

    /// Moves a fixed or stepped clock later (admin).
    pub(crate) fn advance_clock(
        &self,
        by: std::time::Duration,
    ) -> Result<(), crate::clock::ClockError> {
        self.lock().clock.advance(by)
    }

    /// The progress policy.
    pub fn progress(&self) -> ProgressPolicy {
        self.lock().policy
    }

    /// Sets the progress policy (admin). Not persisted \[I\], as the profile.
    pub(crate) fn set_progress(&self, policy: ProgressPolicy) {
        let mut state = self.lock();
        state.policy = policy;
        state.describes.clear();
    }

    /// The current profile.
    pub fn profile(&self) -> Profile {
        self.lock().profile
    }
}

/// What running a call under the lock gave: the reply, and with a state file the ticket to
/// wait for before answering.
struct Ran {
    reply: Reply,
    ticket: Option<Ticket>,
    mutated: bool,
}

impl Ran {
    fn answered(reply: Reply) -> Ran {
        Ran {
            reply,
            ticket: None,
            mutated: false,
        }
    }
}

/// Replays a journaled change through the path that first made it, and checks that it
/// changes the world again.
fn replay(world: &mut World, change: &Change<Vec<(String, String)>>) -> Result<(), String> {
    match change {
        Change::Action {
            name,
            caller,
            params,
            profile,
            at,
        } => {
            if let Some(at) = at {
                world.store.advance_clock(*at);
            }
            let action = actions::lookup(name).ok_or_else(|| format!("no action {name}"))?;
            let headers = HeaderMap::new();
            let call = Call {
                action,
                format: Format::Json,
                request_id: new_request_id(),
                signed: SignedRequest {
                    method: "POST",
                    path: "/",
                    raw_query: "",
                    headers: &headers,
                    body: b"",
                    params,
                },
            };
            // A journaled change is no Describe: no progress figure is read.
            let pacing = Pacing {
                policy: ProgressPolicy::manual(),
                now: world.store.now(),
            };
            if actions::run(&call, caller, world, profile, pacing).mutated {
                Ok(())
            } else {
                Err(format!("{name} for {caller} no longer changes the world"))
            }
        }
        Change::Progress { at, work } => {
            world.store.advance_clock(*at);
            for w in work {
                world
                    .store
                    .perform(Step::Progress(w.done()), &Profile::default())
                    .map_err(|e| format!("progress of {w:?}: {e}"))?;
            }
            Ok(())
        }
        Change::CompleteTasks { query } => {
            let completed = progress::complete_tasks(&mut world.store, query)
                .map_err(|e| format!("tasks/complete?{query}: {e}"))?;
            if completed.is_empty() {
                Err(format!(
                    "tasks/complete?{query} no longer completes anything"
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// One Describe call answered: under `after-describes:<n>`, each piece of scheduled work of
/// those kinds has seen one more. Work no longer scheduled is forgotten.
fn count_describe(state: &mut State) {
    let counted: Vec<WorkKind> = WorkKind::ALL
        .into_iter()
        .filter(|k| matches!(state.policy.pace(*k), Pace::AfterDescribes(_)))
        .collect();
    if counted.is_empty() {
        return;
    }
    let mut seen = HashMap::new();
    for kind in counted {
        for work in state.world.store.scheduled(kind) {
            let before = state.describes.get(work).copied().unwrap_or(0);
            seen.insert(work.clone(), before.saturating_add(1));
        }
    }
    state.describes = seen;
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

impl KeyDirectory for Emulator {
    fn account_for_key(&self, access_key_id: &str) -> Option<(AccountId, Option<String>)> {
        let state = self.lock();
        let (account, key) = state.world.account_for_key(access_key_id)?;
        Some((account.id.clone(), key.secret.clone()))
    }

    fn first_account(&self) -> Option<AccountId> {
        self.lock().world.accounts.first().map(|a| a.id.clone())
    }
}
