//! World files, and the `--state` files: a snapshot of the world plus a journal of the
//! changes made since, so that an acknowledged change costs one append and one fsync, shared
//! by every change that waits for the same fsync (group commit).
//!
//! The state is three files side by side: `STATE`, the snapshot (JSON: the sequence number of
//! the last change it holds, and the world), and the journal's two segments `STATE.journal`
//! and `STATE.journal.b`, the changes after it ([`journal`](crate::journal)), appended to in
//! turn. Start-up reads the snapshot and replays the records whose numbers follow the
//! snapshot's, the older segment first, dropping a torn tail. When the segment appended to
//! grows longer than the snapshot, it is frozen and the other one, empty, is appended to; a
//! thread then replays the frozen segment on the snapshot read from disk, writes that world as
//! the new snapshot (a temporary file, fsynced, and renamed over `STATE`) and cuts the frozen
//! segment back to its header. It never takes the world's lock, so no request waits for it. A
//! record the snapshot already holds is skipped, so a crash between any two steps loses
//! nothing. A symlinked `STATE` is followed: its target is the file replaced. The first
//! segment is locked (`flock`) for the life of the process, so a second emulator on the same
//! state refuses to start.
//!
//! # Commit
//!
//! A change is applied in memory under the world's lock and its record queued; the lock is
//! released and the request waits until its record is durable. The first waiter finds no write
//! in progress and writes every queued record with one fsync; the others wait for it. A read
//! waits too, until every change it could have seen is durable: so no answer ever shows a
//! change that a crash could still lose. If a write or an fsync fails, the journal is cut back
//! to its last durable length, the world is read again from the disk, and every change not yet
//! durable is lost: each is answered 500, and the reads that saw one are run again.
//!
//! Locks, always taken in this order: the world's (the emulator's), `snapshotting` (a
//! compaction, a reset), `commit` (the queue).

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use ecs_image_rules::World;
use serde::{Deserialize, Serialize};

use crate::disk::{Disk, Role};
use crate::journal::{self, Change, MAGIC, Record};

/// Why a world file or the state could not be read at start-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a valid world.
    #[error("state file {path} is not a valid world: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: serde_json::Error,
    },
    /// Another process holds the state.
    #[error(
        "state file {path} is in use by another process (its journal {journal} is locked); \
         stop that emulator or choose another --state"
    )]
    Locked {
        /// The state file.
        path: PathBuf,
        /// Its journal, the file locked.
        journal: PathBuf,
    },
    /// The journal cannot be read or does not continue the snapshot.
    #[error("state journal {path}: {reason}")]
    Journal {
        /// The journal.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Reads a world file (`--world`, or a state file written before the journal existed).
pub fn read_world(path: &Path) -> Result<World, StateFileError> {
    let bytes = fs::read(path).map_err(|source| StateFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| StateFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// The snapshot file's content.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotOut<'a> {
    sequence: u64,
    world: &'a World,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotIn {
    sequence: u64,
    world: World,
}

/// Reads a snapshot: `{"sequence": N, "world": …}`, or a bare world (sequence 0) as the state
/// file was before the journal.
fn read_snapshot(path: &Path) -> Result<(u64, World), StateFileError> {
    let bytes = fs::read(path).map_err(|source| StateFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |source| StateFileError::Invalid {
        path: path.to_owned(),
        source,
    };
    if bytes.trim_ascii_start().starts_with(b"{\"sequence\":") {
        let snapshot: SnapshotIn = serde_json::from_slice(&bytes).map_err(invalid)?;
        Ok((snapshot.sequence, snapshot.world))
    } else {
        Ok((0, serde_json::from_slice(&bytes).map_err(invalid)?))
    }
}

/// The environment variable that lowers the length at which a journal segment is compacted
/// (bytes; by default the snapshot's length): for measurements and tests at a large world,
/// where reaching the snapshot's length takes hundreds of thousands of changes.
pub(crate) const COMPACT_VARIABLE: &str = "ECS_EMULATOR_COMPACT_ABOVE";

/// Replays one change on a world: the emulator's action path, given to [`Durable::open`].
pub(crate) type Replay = fn(&mut World, &Change<Vec<(String, String)>>) -> Result<(), String>;

/// The files of a state.
#[derive(Debug)]
struct Paths {
    snapshot: PathBuf,
    /// The journal's two segments, `STATE.journal` (locked for the life of the process) and
    /// `STATE.journal.b`, appended to in turn.
    segments: [PathBuf; 2],
    temporary: PathBuf,
    backup: PathBuf,
    dir: PathBuf,
}

impl Paths {
    /// The files of the state at `path`, a symlink followed to its target (so that the
    /// target is the file replaced, and the link stays).
    fn of(path: &Path) -> io::Result<Paths> {
        let mut snapshot = path.to_owned();
        for _ in 0..40 {
            match fs::symlink_metadata(&snapshot) {
                Ok(m) if m.file_type().is_symlink() => {
                    let target = fs::read_link(&snapshot)?;
                    snapshot = match snapshot.parent() {
                        Some(parent) => parent.join(target),
                        None => target,
                    };
                }
                _ => break,
            }
        }
        let name = snapshot
            .file_name()
            .ok_or_else(|| io::Error::other("the state path names no file"))?
            .to_string_lossy()
            .into_owned();
        let dir = match snapshot.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        Ok(Paths {
            segments: [
                dir.join(format!("{name}.journal")),
                dir.join(format!("{name}.journal.b")),
            ],
            temporary: dir.join(format!(".{name}.tmp")),
            backup: dir.join(format!(".{name}.old")),
            snapshot,
            dir,
        })
    }
}

/// A ticket: the number of a change in this process's order of applying them.
pub(crate) type Ticket = u64;

/// A change that never became durable: a write or an fsync failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lost;

/// The segment no longer appended to, whose records are not yet in the snapshot.
#[derive(Debug, Clone, Copy)]
struct Frozen {
    /// Which of the two.
    segment: usize,
    /// The sequence number of its last record: the snapshot to write holds the changes up to it.
    last: u64,
}

#[derive(Debug)]
struct Commit {
    /// Framed records not yet written, in ticket order.
    pending: Vec<u8>,
    /// The last ticket handed out: every change in memory has one up to it.
    assigned: Ticket,
    /// Every ticket up to this one is durable or lost.
    resolved: Ticket,
    /// Tickets lost to a failed write, as inclusive ranges.
    lost: Vec<(Ticket, Ticket)>,
    /// A waiter is writing and fsyncing (outside this lock).
    writing: bool,
    /// A write failed: the world holds changes that are not on disk until [`Durable::repair`].
    broken: bool,
    /// The state can no longer be trusted (a repair failed): every change is refused.
    poisoned: bool,
    /// The sequence number of the next record.
    next_sequence: u64,
    /// The segment appended to.
    active: usize,
    /// The durable length of the active segment.
    journal_len: u64,
    /// The other segment, while it holds records the snapshot does not; when `None`, the other
    /// segment holds its header only.
    frozen: Option<Frozen>,
    /// A compaction is under way (or about to start) on another thread.
    compacting: bool,
    /// The length of the snapshot.
    snapshot_len: u64,
    /// Compact when the active segment is longer than this.
    compact_above: u64,
    /// [`COMPACT_VARIABLE`]'s bytes, or `u64::MAX`.
    compact_limit: u64,
}

impl Commit {
    /// A snapshot of `len` bytes is in place: compact when a segment outgrows it.
    fn snapshot_written(&mut self, len: u64) {
        self.snapshot_len = len;
        self.compact_above = len.min(self.compact_limit);
    }

    /// After a durable write whose last record is `last`: when the active segment has outgrown
    /// the snapshot, freezes it and turns to the other (empty) segment. Whether a compaction is
    /// to start: the caller starts it, without this lock.
    fn rotate(&mut self, last: u64) -> bool {
        if self.compacting || self.poisoned || self.journal_len <= self.compact_above {
            return false;
        }
        if self.frozen.is_none() {
            self.frozen = Some(Frozen {
                segment: self.active,
                last,
            });
            self.active = 1 - self.active;
            self.journal_len = MAGIC.len() as u64;
        }
        // Else a compaction of the frozen segment failed before: try it again.
        self.compacting = true;
        true
    }
}

/// The durable state of a running emulator: the files, the journal's lock, and the commit
/// queue.
#[derive(Debug)]
pub(crate) struct Durable {
    disk: Disk,
    paths: Paths,
    /// The two segments, open to append and read; the first is locked.
    segments: [File; 2],
    replay: Replay,
    commit: Mutex<Commit>,
    resolved: Condvar,
    /// Held while a snapshot is written and the segments it makes redundant are emptied: by a
    /// compaction, or a reset or a PUT of the world (taken after the world's lock, before
    /// `commit`).
    snapshotting: Mutex<()>,
}

/// The snapshot and the records after it, replayed: the world as the files hold it.
struct Loaded {
    sequence: u64,
    world: World,
    /// The length of each segment's whole records, the header included.
    valid: [u64; 2],
    /// The last sequence number of each segment's records that the snapshot does not hold.
    newest: [Option<u64>; 2],
}

/// Replays the records of both segments that follow the snapshot `(sequence, world)`, the
/// older segment first (the one whose first record has the lower number), checking that they
/// follow each other without a gap. `snapshot_exists` is false when there is no snapshot yet,
/// and then a record is an error.
fn load(
    snapshot: Option<(u64, World)>,
    bytes: [&[u8]; 2],
    replay: Replay,
) -> Result<Loaded, String> {
    let snapshot_exists = snapshot.is_some();
    let (base, mut world) = snapshot.unwrap_or_default();
    let mut sequence = base;
    let mut order = [0, 1];
    order.sort_by_key(|&s| journal::first_sequence(bytes[s]).unwrap_or(u64::MAX));
    let mut valid = [0; 2];
    let mut newest = [None; 2];
    for s in order {
        valid[s] = journal::scan(bytes[s], |record| {
            if !snapshot_exists {
                return Err("the journal has records but its snapshot is missing".to_owned());
            }
            if record.sequence <= base {
                return Ok(());
            }
            if record.sequence != sequence + 1 {
                return Err(format!(
                    "record {} does not follow {sequence}: a record is missing",
                    record.sequence
                ));
            }
            replay(&mut world, &record.change)
                .map_err(|reason| format!("record {}: {reason}", record.sequence))?;
            sequence = record.sequence;
            newest[s] = Some(sequence);
            Ok(())
        })
        .map_err(|e| format!("{e} (segment {})", s + 1))?;
    }
    Ok(Loaded {
        sequence,
        world,
        valid,
        newest,
    })
}

impl Durable {
    /// Opens the state at `path`: locks it, then loads the snapshot and replays the journal,
    /// or, when there is no snapshot yet, writes `start()` as the first one.
    pub(crate) fn open(
        path: &Path,
        start: impl FnOnce() -> Result<World, StateFileError>,
        replay: Replay,
    ) -> Result<(Durable, World), StateFileError> {
        let io = |source| StateFileError::Io {
            path: path.to_owned(),
            source,
        };
        let disk = Disk::from_environment().map_err(io)?;
        let compact_limit = match std::env::var(COMPACT_VARIABLE) {
            Ok(bytes) => bytes.trim().parse().map_err(|_| {
                io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{COMPACT_VARIABLE}={bytes:?} is not a number of bytes"),
                ))
            })?,
            Err(_) => u64::MAX,
        };
        let paths = Paths::of(path).map_err(io)?;
        let journal_error = |reason: String| StateFileError::Journal {
            path: paths.segments[0].clone(),
            reason,
        };
        let first_existed = paths.segments[0].exists();
        let first = disk
            .open_or_create(Role::Journal, &paths.segments[0])
            .map_err(io)?;
        if let Err(e) = first.try_lock() {
            return Err(match e {
                fs::TryLockError::WouldBlock => StateFileError::Locked {
                    path: path.to_owned(),
                    journal: paths.segments[0].clone(),
                },
                fs::TryLockError::Error(source) => io(source),
            });
        }
        let second_existed = paths.segments[1].exists();
        let second = disk
            .open_or_create(Role::Journal, &paths.segments[1])
            .map_err(io)?;
        let mut segments = [first, second];
        // Left by a crash while a snapshot was being replaced; the lock says no one else is
        // writing them.
        for stray in [&paths.temporary, &paths.backup] {
            if stray.exists() {
                disk.unlink(stray).map_err(io)?;
            }
        }
        let mut bytes = [Vec::new(), Vec::new()];
        for (file, bytes) in segments.iter_mut().zip(&mut bytes) {
            file.read_to_end(bytes).map_err(io)?;
        }
        let snapshot_exists = paths.snapshot.exists();
        let snapshot = if snapshot_exists {
            Some(read_snapshot(&paths.snapshot)?)
        } else {
            None
        };
        let Loaded {
            sequence,
            mut world,
            valid,
            newest,
        } = load(snapshot, [&bytes[0], &bytes[1]], replay).map_err(journal_error)?;
        let lengths = [bytes[0].len() as u64, bytes[1].len() as u64];
        drop(bytes);
        let header = MAGIC.len() as u64;
        for s in 0..2 {
            // Keep only what counts: a header cut short is written again, records the
            // snapshot already holds (a crash after a snapshot, before the segment was
            // emptied) are dropped, and so is a torn tail.
            let keep = if valid[s] < header {
                0
            } else if newest[s].is_none() {
                header
            } else {
                valid[s]
            };
            if keep == lengths[s] && keep != 0 {
                continue;
            }
            let file = &segments[s];
            let path = &paths.segments[s];
            if valid[s] >= header && valid[s] < lengths[s] {
                eprintln!(
                    "ecs-image-emulator: state journal {}: dropped a torn tail of {} bytes",
                    path.display(),
                    lengths[s] - valid[s]
                );
            }
            disk.truncate(Role::Journal, file, path, keep).map_err(io)?;
            if keep == 0 {
                disk.write(Role::Journal, file, path, MAGIC).map_err(io)?;
            }
            disk.sync(Role::Journal, file, path).map_err(io)?;
        }
        // A segment created now must be found after a crash; without a snapshot yet, the
        // first snapshot's directory fsync does it.
        if snapshot_exists && !(first_existed && second_existed) {
            disk.sync_dir(&paths.dir).map_err(io)?;
        }
        let active = if newest[1].is_some() && newest[0].is_none() {
            1
        } else {
            0
        };
        let journal_len = if newest[active].is_some() {
            valid[active]
        } else {
            header
        };
        let durable = Durable {
            disk,
            paths,
            segments,
            replay,
            commit: Mutex::new(Commit {
                pending: Vec::new(),
                assigned: 0,
                resolved: 0,
                lost: Vec::new(),
                writing: false,
                broken: false,
                poisoned: false,
                next_sequence: sequence + 1,
                active,
                journal_len,
                frozen: None,
                compacting: false,
                snapshot_len: 0,
                compact_above: 0,
                compact_limit,
            }),
            resolved: Condvar::new(),
            snapshotting: Mutex::new(()),
        };
        if !snapshot_exists {
            world = start()?;
            let len = durable.write_snapshot(0, &world).map_err(io)?;
            let mut commit = durable.lock();
            commit.snapshot_written(len);
        } else if newest[0].is_some() && newest[1].is_some() {
            // A crash during a compaction: both segments hold changes the snapshot does not.
            // Nothing is served yet, so the world loaded is the snapshot to write.
            let len = durable.write_snapshot(sequence, &world).map_err(io)?;
            for s in 0..2 {
                durable.empty(s).map_err(io)?;
            }
            let mut commit = durable.lock();
            commit.active = 0;
            commit.journal_len = header;
            commit.snapshot_written(len);
        } else {
            let len = fs::metadata(&durable.paths.snapshot).map_err(io)?.len();
            let mut commit = durable.lock();
            commit.snapshot_written(len);
        }
        Ok((durable, world))
    }

    fn lock(&self) -> MutexGuard<'_, Commit> {
        self.commit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_on<'a>(&self, commit: MutexGuard<'a, Commit>) -> MutexGuard<'a, Commit> {
        self.resolved
            .wait(commit)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the state can no longer be trusted: changes are refused until a restart.
    pub(crate) fn poisoned(&self) -> bool {
        self.lock().poisoned
    }

    /// Queues the record of a change just applied to `world`; the caller holds the world's
    /// lock, so records are queued in the order the changes were made. Returns the ticket to
    /// [`wait`](Self::wait) for, after the world's lock is released.
    pub(crate) fn append(&self, world: &mut World, change: Change<&[(String, String)]>) -> Ticket {
        let mut commit = self.lock();
        commit.assigned += 1;
        let ticket = commit.assigned;
        if commit.broken || commit.poisoned {
            // The world holds lost changes, this one among them: put it back as it is on disk.
            drop(commit);
            self.repair(world);
            return ticket;
        }
        let record = Record {
            sequence: commit.next_sequence,
            change,
        };
        commit.next_sequence += 1;
        journal::encode(&record, &mut commit.pending);
        ticket
    }

    /// The ticket of every change a reader of the world sees now; the caller holds the
    /// world's lock.
    pub(crate) fn seen(&self) -> Ticket {
        self.lock().assigned
    }

    /// Waits until the change of `ticket` (and every one before it) is durable, writing the
    /// queued records itself when no one else is. When that write makes the active segment
    /// longer than the snapshot, it turns to the other segment and starts a compaction of the
    /// full one on another thread.
    pub(crate) fn wait(self: &Arc<Self>, ticket: Ticket) -> Result<(), Lost> {
        let mut commit = self.lock();
        loop {
            if ticket <= commit.resolved {
                let lost = commit.lost.iter().any(|&(a, b)| (a..=b).contains(&ticket));
                return if lost { Err(Lost) } else { Ok(()) };
            }
            if !commit.writing && !commit.broken && !commit.pending.is_empty() {
                let batch = std::mem::take(&mut commit.pending);
                let last = commit.assigned;
                let last_sequence = commit.next_sequence - 1;
                let segment = commit.active;
                commit.writing = true;
                drop(commit);
                let written = self.append_durably(segment, &batch);
                commit = self.lock();
                commit.writing = false;
                let mut compact = false;
                match written {
                    Ok(()) => {
                        commit.journal_len += batch.len() as u64;
                        commit.resolved = last;
                        // Keep the batch's buffer for the next one.
                        if commit.pending.is_empty() {
                            let mut buffer = batch;
                            buffer.clear();
                            commit.pending = buffer;
                        }
                        compact = commit.rotate(last_sequence);
                    }
                    Err(e) => {
                        eprintln!(
                            "ecs-image-emulator: state journal {}: {e}; the changes not yet \
                             durable are undone",
                            self.paths.segments[segment].display()
                        );
                        commit.broken = true;
                    }
                }
                self.resolved.notify_all();
                if commit.broken {
                    return Err(Lost);
                }
                if compact {
                    drop(commit);
                    self.start_compaction();
                    commit = self.lock();
                }
                continue;
            }
            commit = self.wait_on(commit);
        }
    }

    /// Writes and fsyncs records at a segment's end.
    fn append_durably(&self, segment: usize, batch: &[u8]) -> io::Result<()> {
        let (file, path) = (&self.segments[segment], &self.paths.segments[segment]);
        self.disk.write(Role::Journal, file, path, batch)?;
        self.disk.sync(Role::Journal, file, path)
    }

    /// Cuts a segment back to its header, durably.
    fn empty(&self, segment: usize) -> io::Result<()> {
        let (file, path) = (&self.segments[segment], &self.paths.segments[segment]);
        self.disk
            .truncate(Role::Journal, file, path, MAGIC.len() as u64)?;
        self.disk.sync(Role::Journal, file, path)
    }

    /// After a failed write: cuts the active segment back to its durable length, reads the
    /// world again from the disk, and marks every change not yet durable lost. The caller
    /// holds the world's lock. Does nothing if nothing failed.
    pub(crate) fn repair(&self, world: &mut World) {
        let mut commit = self.lock();
        while commit.writing {
            commit = self.wait_on(commit);
        }
        if !commit.broken {
            return;
        }
        *world = World::default();
        match self.reload(commit.active, commit.journal_len) {
            Ok((sequence, reloaded)) => {
                *world = reloaded;
                commit.next_sequence = sequence + 1;
            }
            Err(e) => {
                eprintln!(
                    "ecs-image-emulator: state {} cannot be read again ({e}); every change is \
                     refused until a restart",
                    self.paths.snapshot.display()
                );
                commit.poisoned = true;
            }
        }
        let from = commit.resolved + 1;
        let to = commit.assigned;
        if from <= to {
            commit.lost.push((from, to));
        }
        // A ticket for the world as read again, durable: a read of it is not lost.
        commit.assigned = to + 1;
        commit.resolved = to + 1;
        commit.pending.clear();
        commit.broken = false;
        self.resolved.notify_all();
    }

    /// Cuts the active segment to `len`, and reads the snapshot and the records after it
    /// again. A compaction may be replacing the snapshot meanwhile: the segments are read
    /// before the snapshot, and a compaction empties the frozen segment only once its new
    /// snapshot is in place, so the snapshot read holds at least what the segments lack.
    fn reload(&self, active: usize, len: u64) -> Result<(u64, World), String> {
        let (file, path) = (&self.segments[active], &self.paths.segments[active]);
        self.disk
            .truncate(Role::Journal, file, path, len)
            .and_then(|()| self.disk.sync(Role::Journal, file, path))
            .map_err(|e| e.to_string())?;
        let bytes = [
            fs::read(&self.paths.segments[0]).map_err(|e| e.to_string())?,
            fs::read(&self.paths.segments[1]).map_err(|e| e.to_string())?,
        ];
        let snapshot = read_snapshot(&self.paths.snapshot).map_err(|e| e.to_string())?;
        let loaded = load(Some(snapshot), [&bytes[0], &bytes[1]], self.replay)?;
        Ok((loaded.sequence, loaded.world))
    }

    /// Compacts the frozen segment on a thread of its own (or on this one, if no thread can
    /// be started): the world's lock is not taken.
    fn start_compaction(self: &Arc<Self>) {
        let durable = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("state-compaction".to_owned())
            .spawn(move || durable.compact());
        if let Err(e) = spawned {
            eprintln!("ecs-image-emulator: no thread for the compaction ({e}); compacting here");
            self.compact();
        }
    }

    /// Writes the snapshot that holds the frozen segment's changes, then empties that
    /// segment. The snapshot is not the world in memory (which has moved on, and is not
    /// locked): it is the snapshot on disk with the frozen segment's records replayed on it,
    /// the same world a restart would load, by the library's determinism.
    fn compact(&self) {
        let _snapshotting = self
            .snapshotting
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let frozen = self.lock().frozen;
        let result = match frozen {
            // A reset or a PUT of the world has emptied it meanwhile.
            None => Ok(None),
            Some(frozen) => self.compact_frozen(frozen).map(Some),
        };
        let mut commit = self.lock();
        commit.compacting = false;
        match result {
            Ok(None) => {}
            Ok(Some(len)) => {
                commit.frozen = None;
                commit.snapshot_written(len);
            }
            Err(e) => {
                // The segments still hold every change; try again when the active one has
                // grown as much more.
                commit.compact_above = commit.journal_len + commit.snapshot_len;
                eprintln!(
                    "ecs-image-emulator: state {}: compaction failed ({e}); the journal keeps \
                     every change",
                    self.paths.snapshot.display()
                );
            }
        }
    }

    /// The snapshot of `frozen`'s changes written, and `frozen` emptied; returns the snapshot's
    /// length.
    fn compact_frozen(&self, frozen: Frozen) -> io::Result<u64> {
        let (base, mut world) = read_snapshot(&self.paths.snapshot).map_err(io::Error::other)?;
        let bytes = fs::read(&self.paths.segments[frozen.segment])?;
        let mut sequence = base;
        journal::scan(&bytes, |record| {
            if record.sequence <= base {
                return Ok(());
            }
            if record.sequence != sequence + 1 {
                return Err(format!(
                    "record {} does not follow {sequence}",
                    record.sequence
                ));
            }
            (self.replay)(&mut world, &record.change)?;
            sequence = record.sequence;
            Ok(())
        })
        .map_err(io::Error::other)?;
        drop(bytes);
        if sequence != frozen.last {
            return Err(io::Error::other(format!(
                "the frozen segment ends at record {sequence}, not {}",
                frozen.last
            )));
        }
        let len = self.write_snapshot(sequence, &world)?;
        // The new snapshot is durable: the segment's records are skipped from now on.
        self.empty(frozen.segment)?;
        Ok(len)
    }

    /// Replaces the world on disk by `new` (a reset or a PUT of the world), once every queued
    /// change is durable and a compaction under way has ended; the caller holds the world's
    /// lock, and swaps `new` in on success. On failure nothing on disk has changed.
    pub(crate) fn replace(&self, world: &mut World, new: &World) -> Result<(), Lost> {
        let _snapshotting = self
            .snapshotting
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut commit = self.drain(world);
        if commit.poisoned {
            return Err(Lost);
        }
        let sequence = commit.next_sequence;
        let len = self.write_snapshot(sequence, new).map_err(|e| {
            eprintln!(
                "ecs-image-emulator: state {}: {e}; the world is not replaced",
                self.paths.snapshot.display()
            );
            Lost
        })?;
        commit.next_sequence = sequence + 1;
        commit.snapshot_written(len);
        // The snapshot holds every change: the segments' records are skipped from now on, so
        // emptying them is only a saving, and a failure here loses nothing.
        let header = MAGIC.len() as u64;
        let active = commit.active;
        if commit.journal_len > header {
            match self.empty(active) {
                Ok(()) => commit.journal_len = header,
                Err(e) => eprintln!(
                    "ecs-image-emulator: state journal {}: not emptied after a snapshot ({e})",
                    self.paths.segments[active].display()
                ),
            }
        }
        if let Some(frozen) = commit.frozen {
            // Emptied now, or compacted later (its records are all in the new snapshot).
            match self.empty(frozen.segment) {
                Ok(()) => commit.frozen = None,
                Err(_) => {
                    commit.frozen = Some(Frozen {
                        segment: frozen.segment,
                        last: sequence,
                    })
                }
            }
        }
        Ok(())
    }

    /// Waits for a write in progress, repairs after a failed one, and writes what is queued:
    /// then the world in memory is the world on disk. The caller holds the world's lock, so
    /// nothing more is queued meanwhile.
    fn drain(&self, world: &mut World) -> MutexGuard<'_, Commit> {
        let mut commit = self.lock();
        while commit.writing {
            commit = self.wait_on(commit);
        }
        if !commit.pending.is_empty() && !commit.broken {
            let batch = std::mem::take(&mut commit.pending);
            let segment = commit.active;
            match self.append_durably(segment, &batch) {
                Ok(()) => {
                    commit.journal_len += batch.len() as u64;
                    commit.resolved = commit.assigned;
                    self.resolved.notify_all();
                }
                Err(e) => {
                    eprintln!(
                        "ecs-image-emulator: state journal {}: {e}; the changes not yet \
                         durable are undone",
                        self.paths.segments[segment].display()
                    );
                    commit.broken = true;
                }
            }
        }
        if commit.broken {
            drop(commit);
            self.repair(world);
            commit = self.lock();
        }
        commit
    }

    /// Writes a snapshot of `world` holding the changes up to `sequence`: to a temporary file,
    /// fsynced, renamed over the state file (whose old name is kept as a backup link until the
    /// rename is durable), the directory fsynced. Before the rename is durable, a failure puts
    /// the old snapshot back. Returns the snapshot's length.
    fn write_snapshot(&self, sequence: u64, world: &World) -> io::Result<u64> {
        let p = &self.paths;
        let len = self.write_temporary(sequence, world).inspect_err(|_| {
            if p.temporary.exists() {
                let _ = self.disk.unlink(&p.temporary);
            }
        })?;
        let had_snapshot = p.snapshot.exists();
        if had_snapshot {
            if p.backup.exists() {
                let _ = self.disk.unlink(&p.backup);
            }
            self.disk.link(&p.snapshot, &p.backup).inspect_err(|_| {
                let _ = self.disk.unlink(&p.temporary);
            })?;
        }
        if let Err(e) = self.disk.rename(&p.temporary, &p.snapshot) {
            let _ = self.disk.unlink(&p.temporary);
            if had_snapshot {
                let _ = self.disk.unlink(&p.backup);
            }
            return Err(e);
        }
        if let Err(e) = self.disk.sync_dir(&p.dir) {
            // The rename may or may not last: put the old snapshot back.
            let _ = if had_snapshot {
                self.disk.rename(&p.backup, &p.snapshot)
            } else {
                self.disk.unlink(&p.snapshot)
            };
            let _ = self.disk.sync_dir(&p.dir);
            return Err(e);
        }
        if had_snapshot {
            // Not fsynced: a backup that comes back after a crash is removed at start.
            let _ = self.disk.unlink(&p.backup);
        }
        Ok(len)
    }

    /// Writes and fsyncs the temporary snapshot; returns its length.
    fn write_temporary(&self, sequence: u64, world: &World) -> io::Result<u64> {
        let p = &self.paths;
        let file = self.disk.create(Role::Snapshot, &p.temporary)?;
        let mut out = BufWriter::with_capacity(
            1 << 20,
            Chunks {
                disk: &self.disk,
                file: &file,
                path: &p.temporary,
                len: 0,
            },
        );
        serde_json::to_writer(&mut out, &SnapshotOut { sequence, world })
            .map_err(io::Error::from)?;
        out.flush()?;
        let len = out.get_ref().len;
        drop(out);
        self.disk.sync(Role::Snapshot, &file, &p.temporary)?;
        Ok(len)
    }
}

/// A writer whose every write is one [`Disk`] step.
struct Chunks<'a> {
    disk: &'a Disk,
    file: &'a File,
    path: &'a Path,
    len: u64,
}

impl Write for Chunks<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.disk
            .write(Role::Snapshot, self.file, self.path, bytes)?;
        self.len += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
