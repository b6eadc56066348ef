//! World files, and the `--state` files: a snapshot of the world plus a journal of the
//! changes made since, so that an acknowledged change costs one append and one fsync, shared
//! by every change that waits for the same fsync (group commit).
//!
//! The state is two files side by side: `STATE`, the snapshot (JSON: the sequence number of
//! the last change it holds, and the world), and `STATE.journal`, the changes after it
//! ([`journal`](crate::journal)). Start-up reads the snapshot and replays the journal's records
//! whose numbers follow the snapshot's, dropping a torn tail. When the journal grows longer
//! than the snapshot, the world is written to a new snapshot (a temporary file, fsynced, and
//! renamed over `STATE`) and the journal is cut back to its header; a record the snapshot
//! already holds is skipped, so a crash between the two steps loses nothing. A symlinked
//! `STATE` is followed: its target is the file replaced. The journal is locked (`flock`) for
//! the life of the process, so a second emulator on the same state refuses to start.
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

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use ecs_image_rules::World;
use serde::{Deserialize, Serialize};

use crate::disk::{Disk, Role};
use crate::journal::{self, Change, MAGIC, ReadRecord, Record};

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

/// Replays one change on a world: the emulator's action path, given to [`Durable::open`].
pub(crate) type Replay = fn(&mut World, &Change<Vec<(String, String)>>) -> Result<(), String>;

/// The files of a state.
#[derive(Debug)]
struct Paths {
    snapshot: PathBuf,
    journal: PathBuf,
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
            journal: dir.join(format!("{name}.journal")),
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
    /// The durable length of the journal.
    journal_len: u64,
    /// The length of the snapshot.
    snapshot_len: u64,
    /// Compact when the journal is longer than this.
    compact_above: u64,
}

/// The durable state of a running emulator: the files, the journal's lock, and the commit
/// queue.
#[derive(Debug)]
pub(crate) struct Durable {
    disk: Disk,
    paths: Paths,
    /// The journal, open to append and locked.
    journal: File,
    replay: Replay,
    commit: Mutex<Commit>,
    resolved: Condvar,
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
        let paths = Paths::of(path).map_err(io)?;
        let journal_error = |reason: String| StateFileError::Journal {
            path: paths.journal.clone(),
            reason,
        };
        let mut journal = disk
            .open_or_create(Role::Journal, &paths.journal)
            .map_err(io)?;
        if let Err(e) = journal.try_lock() {
            return Err(match e {
                fs::TryLockError::WouldBlock => StateFileError::Locked {
                    path: path.to_owned(),
                    journal: paths.journal.clone(),
                },
                fs::TryLockError::Error(source) => io(source),
            });
        }
        // Left by a crash while a snapshot was being replaced; the lock says no one else is
        // writing them.
        for stray in [&paths.temporary, &paths.backup] {
            if stray.exists() {
                disk.unlink(stray).map_err(io)?;
            }
        }
        let mut bytes = Vec::new();
        journal.read_to_end(&mut bytes).map_err(io)?;
        let snapshot_exists = paths.snapshot.exists();
        let (mut sequence, mut world) = if snapshot_exists {
            read_snapshot(&paths.snapshot)?
        } else {
            (0, World::default())
        };
        let base = sequence;
        let valid_len = journal::scan(&bytes, |record| {
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
            Ok(())
        })
        .map_err(|e| journal_error(e.to_string()))?;
        drop(bytes);
        let header = MAGIC.len() as u64;
        let file_len = journal.metadata().map_err(io)?.len();
        // Keep only what counts: a header cut short is written again, records the snapshot
        // already holds (a crash after a snapshot, before the journal was emptied) are
        // dropped, and so is a torn tail.
        let keep = if valid_len < header {
            0
        } else if sequence == base {
            header
        } else {
            valid_len
        };
        if keep != file_len || keep == 0 {
            if valid_len >= header && valid_len < file_len {
                eprintln!(
                    "ecs-image-emulator: state journal {}: dropped a torn tail of {} bytes",
                    paths.journal.display(),
                    file_len - valid_len
                );
            }
            disk.truncate(Role::Journal, &journal, &paths.journal, keep)
                .map_err(io)?;
            if keep == 0 {
                disk.write(Role::Journal, &journal, &paths.journal, MAGIC)
                    .map_err(io)?;
            }
            disk.sync(Role::Journal, &journal, &paths.journal)
                .map_err(io)?;
        }
        let journal_len = keep.max(header);
        let durable = Durable {
            disk,
            paths,
            journal,
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
                journal_len,
                snapshot_len: 0,
                compact_above: 0,
            }),
            resolved: Condvar::new(),
        };
        if snapshot_exists {
            let len = fs::metadata(&durable.paths.snapshot).map_err(io)?.len();
            let mut commit = durable.lock();
            commit.snapshot_len = len;
            commit.compact_above = len;
        } else {
            world = start()?;
            let mut commit = durable.lock();
            durable.write_snapshot(&mut commit, 0, &world).map_err(io)?;
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
    /// queued records itself when no one else is. `Ok(true)` asks the caller to
    /// [`compact`](Self::compact): the journal has outgrown the snapshot.
    pub(crate) fn wait(&self, ticket: Ticket) -> Result<bool, Lost> {
        let mut commit = self.lock();
        loop {
            if ticket <= commit.resolved {
                let lost = commit.lost.iter().any(|&(a, b)| (a..=b).contains(&ticket));
                return if lost { Err(Lost) } else { Ok(false) };
            }
            if !commit.writing && !commit.broken && !commit.pending.is_empty() {
                let batch = std::mem::take(&mut commit.pending);
                let last = commit.assigned;
                commit.writing = true;
                drop(commit);
                let written = self.append_durably(&batch);
                commit = self.lock();
                commit.writing = false;
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
                    }
                    Err(e) => {
                        eprintln!(
                            "ecs-image-emulator: state journal {}: {e}; the changes not yet \
                             durable are undone",
                            self.paths.journal.display()
                        );
                        commit.broken = true;
                    }
                }
                self.resolved.notify_all();
                if commit.broken {
                    return Err(Lost);
                }
                if ticket <= commit.resolved {
                    return Ok(commit.journal_len > commit.compact_above);
                }
                continue;
            }
            commit = self.wait_on(commit);
        }
    }

    /// Writes and fsyncs records at the journal's end.
    fn append_durably(&self, batch: &[u8]) -> io::Result<()> {
        let path = &self.paths.journal;
        self.disk.write(Role::Journal, &self.journal, path, batch)?;
        self.disk.sync(Role::Journal, &self.journal, path)
    }

    /// After a failed write: cuts the journal back to its durable length, reads the world
    /// again from the disk, and marks every change not yet durable lost. The caller holds the
    /// world's lock. Does nothing if nothing failed.
    pub(crate) fn repair(&self, world: &mut World) {
        let mut commit = self.lock();
        while commit.writing {
            commit = self.wait_on(commit);
        }
        if !commit.broken {
            return;
        }
        *world = World::default();
        match self.reload(commit.journal_len) {
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

    /// Cuts the journal to `len`, and reads the snapshot and those records again.
    fn reload(&self, len: u64) -> Result<(u64, World), String> {
        let path = &self.paths.journal;
        self.disk
            .truncate(Role::Journal, &self.journal, path, len)
            .and_then(|()| self.disk.sync(Role::Journal, &self.journal, path))
            .map_err(|e| e.to_string())?;
        let (mut sequence, mut world) =
            read_snapshot(&self.paths.snapshot).map_err(|e| e.to_string())?;
        let bytes = fs::read(path).map_err(|e| e.to_string())?;
        let base = sequence;
        journal::scan(&bytes, |record: ReadRecord| {
            if record.sequence > base {
                (self.replay)(&mut world, &record.change)?;
                sequence = record.sequence;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok((sequence, world))
    }

    /// Writes `world` to a new snapshot and empties the journal, once every queued change is
    /// durable; the caller holds the world's lock, and `world` is the world in memory.
    pub(crate) fn compact(&self, world: &mut World) {
        let mut commit = self.drain(world);
        if commit.poisoned || commit.journal_len <= commit.compact_above {
            return;
        }
        let sequence = commit.next_sequence - 1;
        if let Err(e) = self.write_snapshot(&mut commit, sequence, world) {
            // The journal still holds every change; try again when it has grown as much more.
            commit.compact_above = commit.journal_len + commit.snapshot_len;
            eprintln!(
                "ecs-image-emulator: state {}: compaction failed ({e}); the journal keeps \
                 every change",
                self.paths.snapshot.display()
            );
        }
    }

    /// Replaces the world on disk by `new` (a reset or a PUT of the world), once every queued
    /// change is durable; the caller holds the world's lock, and swaps `new` in on success.
    /// On failure nothing on disk has changed.
    pub(crate) fn replace(&self, world: &mut World, new: &World) -> Result<(), Lost> {
        let mut commit = self.drain(world);
        if commit.poisoned {
            return Err(Lost);
        }
        let sequence = commit.next_sequence;
        self.write_snapshot(&mut commit, sequence, new)
            .map_err(|e| {
                eprintln!(
                    "ecs-image-emulator: state {}: {e}; the world is not replaced",
                    self.paths.snapshot.display()
                );
                Lost
            })?;
        commit.next_sequence = sequence + 1;
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
            match self.append_durably(&batch) {
                Ok(()) => {
                    commit.journal_len += batch.len() as u64;
                    commit.resolved = commit.assigned;
                    self.resolved.notify_all();
                }
                Err(e) => {
                    eprintln!(
                        "ecs-image-emulator: state journal {}: {e}; the changes not yet \
                         durable are undone",
                        self.paths.journal.display()
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
    /// rename is durable), the directory fsynced; then the journal is emptied. Before the
    /// rename is durable, a failure puts the old snapshot back; after it, the new snapshot
    /// holds every change and the journal's records are skipped as already held.
    fn write_snapshot(&self, commit: &mut Commit, sequence: u64, world: &World) -> io::Result<()> {
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
        commit.snapshot_len = len;
        commit.compact_above = len;
        // The snapshot holds every change: the journal's records are skipped from now on, so
        // emptying it is only a saving, and a failure here loses nothing.
        let header = MAGIC.len() as u64;
        if commit.journal_len <= header {
            return Ok(());
        }
        let emptied = self
            .disk
            .truncate(Role::Journal, &self.journal, &p.journal, header)
            .and_then(|()| self.disk.sync(Role::Journal, &self.journal, &p.journal));
        match emptied {
            Ok(()) => commit.journal_len = header,
            Err(e) => eprintln!(
                "ecs-image-emulator: state journal {}: not emptied after a snapshot ({e})",
                p.journal.display()
            ),
        }
        Ok(())
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
