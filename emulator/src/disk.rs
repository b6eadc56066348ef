//! Every step that changes the `--state` files — create, write, fsync, rename, link, unlink,
//! truncate, fsync of the directory — as one call each, so that a test can make any one of
//! them fail, or cut the power just before it.
//!
//! A fault is named in the environment variable [`FAULT_VARIABLE`] as `KIND@STEP#N`, e.g.
//! `crash@12`, `io@journal-sync#2` or `nospace@snapshot-write#2+`:
//!
//! - `KIND` is `crash` (the power is cut just before the step: whatever was not made durable
//!   is lost, see below, and the process aborts), `nospace` (a write stores half of its bytes,
//!   then fails with "no space left"; any other step just fails) or `io` (the step fails with
//!   an I/O error and does nothing) or `stall` (the step waits [`STALL`], then runs: a slow
//!   disk, so that a test can see what a long step holds up).
//! - `STEP#N` is the `N`th step of that name, counted from the start of the process: a role
//!   (`journal`, `snapshot`, `dir`) and an operation (`create`, `write`, `sync`, `rename`,
//!   `link`, `unlink`, `truncate`), as in `journal-sync`. A bare `N` counts every step.
//! - A trailing `+` makes the fault hit that step and every later one of the same name (a disk
//!   that stays full).
//!
//! A power cut is simulated against what this module has seen since the start: each file is
//! cut back to its length at its last fsync plus half of what was written after it (a torn
//! write), and every create, rename and link in the directory since the directory's last
//! fsync is undone. So a crash test fails on an implementation that skips an fsync, renames
//! before the data is durable, or overwrites in place. Without a fault nothing is tracked.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The environment variable that injects a storage fault (for tests).
pub(crate) const FAULT_VARIABLE: &str = "ECS_EMULATOR_DISK_FAULT";

/// How long a `stall` fault holds its step back.
pub(crate) const STALL: std::time::Duration = std::time::Duration::from_secs(20);

/// Which file a step is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The journal of changes.
    Journal,
    /// A snapshot of the world (the state file, or the temporary file that replaces it).
    Snapshot,
    /// The directory that holds them.
    Dir,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Write,
    Sync,
    Rename,
    Link,
    Unlink,
    Truncate,
}

fn step_name(role: Role, op: Op) -> String {
    let role = match role {
        Role::Journal => "journal",
        Role::Snapshot => "snapshot",
        Role::Dir => "dir",
    };
    let op = match op {
        Op::Create => "create",
        Op::Write => "write",
        Op::Sync => "sync",
        Op::Rename => "rename",
        Op::Link => "link",
        Op::Unlink => "unlink",
        Op::Truncate => "truncate",
    };
    format!("{role}-{op}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Crash,
    NoSpace,
    Io,
    Stall,
}

/// A parsed [`FAULT_VARIABLE`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fault {
    kind: Kind,
    /// The step name, or `None` for every step.
    step: Option<String>,
    nth: u64,
    and_later: bool,
}

impl Fault {
    fn parse(spec: &str) -> Option<Fault> {
        let (kind, target) = spec.trim().split_once('@')?;
        let kind = match kind {
            "crash" => Kind::Crash,
            "nospace" => Kind::NoSpace,
            "io" => Kind::Io,
            "stall" => Kind::Stall,
            _ => return None,
        };
        let (target, and_later) = match target.strip_suffix('+') {
            Some(t) => (t, true),
            None => (target, false),
        };
        let (step, nth) = match target.split_once('#') {
            Some((step, nth)) => (Some(step.to_owned()), nth),
            None => (None, target),
        };
        let nth = nth.parse().ok().filter(|&n| n > 0)?;
        Some(Fault {
            kind,
            step,
            nth,
            and_later,
        })
    }
}

/// What would survive a power cut, as far as this process changed it.
#[derive(Debug, Default)]
struct Durability {
    /// Files written since the start: their length now and at their last fsync.
    files: HashMap<PathBuf, Lengths>,
    /// Directory changes since the directory's last fsync, oldest first.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Lengths {
    now: u64,
    synced: u64,
}

#[derive(Debug)]
enum Entry {
    Created(PathBuf),
    Linked(PathBuf),
    Renamed {
        from: PathBuf,
        to: PathBuf,
        /// A link to the file `to` named before the rename, to put back.
        displaced: Option<PathBuf>,
    },
}

#[derive(Debug, Default)]
struct Counts {
    all: u64,
    by_step: HashMap<String, u64>,
    durability: Option<Durability>,
}

/// The storage steps of one emulator, with the fault (if any) they are to meet.
#[derive(Debug)]
pub(crate) struct Disk {
    fault: Option<Fault>,
    counts: Mutex<Counts>,
}

impl Disk {
    /// A disk with the fault named in the environment, if any. An unreadable fault spec is
    /// refused, so that a test never runs without the fault it meant.
    pub(crate) fn from_environment() -> io::Result<Disk> {
        let fault = match std::env::var(FAULT_VARIABLE) {
            Ok(spec) => Some(Fault::parse(&spec).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{FAULT_VARIABLE}={spec:?} is not KIND@STEP#N"),
                )
            })?),
            Err(_) => None,
        };
        let durability = fault
            .as_ref()
            .filter(|f| f.kind == Kind::Crash)
            .map(|_| Durability::default());
        Ok(Disk {
            fault,
            counts: Mutex::new(Counts {
                durability,
                ..Counts::default()
            }),
        })
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a step and answers the fault it meets, if any. A crash does not return. The
    /// guard is held for the step itself, so that a crash in another thread sees it whole.
    fn step(&self, role: Role, op: Op) -> (MutexGuard<'_, Counts>, Option<Kind>) {
        let mut counts = self.counts();
        let Some(fault) = &self.fault else {
            return (counts, None);
        };
        let name = step_name(role, op);
        counts.all += 1;
        let all = counts.all;
        let nth = {
            let n = counts.by_step.entry(name.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let count = match &fault.step {
            None => all,
            Some(step) if *step == name => nth,
            Some(_) => return (counts, None),
        };
        let hit = count == fault.nth || (fault.and_later && count > fault.nth);
        if !hit {
            return (counts, None);
        }
        if fault.kind == Kind::Crash {
            if let Some(durability) = counts.durability.take() {
                durability.cut_power();
            }
            eprintln!("ecs-image-emulator: {FAULT_VARIABLE}: power cut before {name}");
            std::process::abort();
        }
        if fault.kind == Kind::Stall {
            // Not under the guard: a stalled step holds up only its own thread.
            drop(counts);
            eprintln!("ecs-image-emulator: {FAULT_VARIABLE}: {name} stalls");
            std::thread::sleep(STALL);
            return (self.counts(), None);
        }
        (counts, Some(fault.kind))
    }

    /// Creates (or truncates) a file to write.
    pub(crate) fn create(&self, role: Role, path: &Path) -> io::Result<File> {
        let (mut counts, fault) = self.step(role, Op::Create);
        fail(fault)?;
        let existed = path.exists();
        let file = File::create(path)?;
        if let Some(d) = counts.durability.as_mut() {
            d.files
                .insert(path.to_owned(), Lengths { now: 0, synced: 0 });
            if !existed {
                d.entries.push(Entry::Created(path.to_owned()));
            }
        }
        Ok(file)
    }

    /// Opens a file to append to and read, creating it if it is missing.
    pub(crate) fn open_or_create(&self, role: Role, path: &Path) -> io::Result<File> {
        let existed = path.exists();
        let open = || {
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(path)
        };
        if existed {
            let file = open()?;
            let len = file.metadata()?.len();
            if let Some(d) = self.counts().durability.as_mut() {
                d.files.insert(
                    path.to_owned(),
                    Lengths {
                        now: len,
                        synced: len,
                    },
                );
            }
            return Ok(file);
        }
        let (mut counts, fault) = self.step(role, Op::Create);
        fail(fault)?;
        let file = open()?;
        if let Some(d) = counts.durability.as_mut() {
            d.files
                .insert(path.to_owned(), Lengths { now: 0, synced: 0 });
            d.entries.push(Entry::Created(path.to_owned()));
        }
        Ok(file)
    }

    /// Writes all of `bytes` at the file's position.
    pub(crate) fn write(
        &self,
        role: Role,
        file: &File,
        path: &Path,
        bytes: &[u8],
    ) -> io::Result<()> {
        let (mut counts, fault) = self.step(role, Op::Write);
        let (bytes, result) = match fault {
            Some(Kind::NoSpace) => (
                &bytes[..bytes.len() / 2],
                Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "no space left on device (injected)",
                )),
            ),
            Some(_) => return fail(fault),
            None => (bytes, Ok(())),
        };
        let mut writer = file;
        writer.write_all(bytes)?;
        if let Some(d) = counts.durability.as_mut() {
            d.files
                .entry(path.to_owned())
                .or_insert(Lengths { now: 0, synced: 0 })
                .now += bytes.len() as u64;
        }
        result
    }

    /// Makes a file's data durable (fdatasync: the length is part of it).
    pub(crate) fn sync(&self, role: Role, file: &File, path: &Path) -> io::Result<()> {
        let (mut counts, fault) = self.step(role, Op::Sync);
        fail(fault)?;
        file.sync_data()?;
        if let Some(lengths) = counts
            .durability
            .as_mut()
            .and_then(|d| d.files.get_mut(path))
        {
            lengths.synced = lengths.now;
        }
        Ok(())
    }

    /// Cuts a file to `len` bytes (not durable until [`sync`](Self::sync)).
    pub(crate) fn truncate(
        &self,
        role: Role,
        file: &File,
        path: &Path,
        len: u64,
    ) -> io::Result<()> {
        let (mut counts, fault) = self.step(role, Op::Truncate);
        fail(fault)?;
        file.set_len(len)?;
        if let Some(lengths) = counts
            .durability
            .as_mut()
            .and_then(|d| d.files.get_mut(path))
        {
            lengths.now = len;
            lengths.synced = lengths.synced.min(len);
        }
        Ok(())
    }

    /// Renames `from` over `to` (not durable until [`sync_dir`](Self::sync_dir)).
    pub(crate) fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (mut counts, fault) = self.step(Role::Snapshot, Op::Rename);
        fail(fault)?;
        let displaced = match counts.durability.as_ref() {
            Some(_) if to.exists() => {
                let keep = displaced_name(to);
                fs::hard_link(to, &keep)?;
                Some(keep)
            }
            _ => None,
        };
        fs::rename(from, to)?;
        if let Some(d) = counts.durability.as_mut() {
            if let Some(lengths) = d.files.remove(from) {
                d.files.insert(to.to_owned(), lengths);
            }
            d.entries.push(Entry::Renamed {
                from: from.to_owned(),
                to: to.to_owned(),
                displaced,
            });
        }
        Ok(())
    }

    /// Links `link` to the file `original` (not durable until [`sync_dir`](Self::sync_dir)).
    pub(crate) fn link(&self, original: &Path, link: &Path) -> io::Result<()> {
        let (mut counts, fault) = self.step(Role::Snapshot, Op::Link);
        fail(fault)?;
        fs::hard_link(original, link)?;
        if let Some(d) = counts.durability.as_mut() {
            d.entries.push(Entry::Linked(link.to_owned()));
        }
        Ok(())
    }

    /// Removes a file name.
    pub(crate) fn unlink(&self, path: &Path) -> io::Result<()> {
        let (mut counts, fault) = self.step(Role::Snapshot, Op::Unlink);
        fail(fault)?;
        fs::remove_file(path)?;
        if let Some(d) = counts.durability.as_mut() {
            d.files.remove(path);
        }
        Ok(())
    }

    /// Makes the directory's entries durable: creates, renames and links in it.
    pub(crate) fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let (mut counts, fault) = self.step(Role::Dir, Op::Sync);
        fail(fault)?;
        File::open(dir)?.sync_all()?;
        if let Some(d) = counts.durability.as_mut() {
            for entry in d.entries.drain(..) {
                if let Entry::Renamed {
                    displaced: Some(keep),
                    ..
                } = entry
                {
                    let _ = fs::remove_file(keep);
                }
            }
        }
        Ok(())
    }
}

fn fail(fault: Option<Kind>) -> io::Result<()> {
    match fault {
        None => Ok(()),
        Some(Kind::NoSpace) => Err(io::Error::new(
            io::ErrorKind::StorageFull,
            "no space left on device (injected)",
        )),
        Some(Kind::Stall) => Ok(()),
        Some(_) => Err(io::Error::other("input/output error (injected)")),
    }
}

fn displaced_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".powercut");
    PathBuf::from(name)
}

impl Durability {
    /// Leaves on disk only what a power cut now could leave: each file cut back to its synced
    /// length plus half of the rest (a torn write), then the directory's unsynced changes
    /// undone, newest first. Best effort: this runs just before an abort.
    fn cut_power(mut self) {
        for (path, lengths) in &self.files {
            if lengths.now > lengths.synced {
                let keep = lengths.synced + (lengths.now - lengths.synced) / 2;
                if let Ok(file) = OpenOptions::new().write(true).open(path) {
                    let _ = file.set_len(keep);
                }
            }
        }
        while let Some(entry) = self.entries.pop() {
            let _ = match entry {
                Entry::Created(path) | Entry::Linked(path) => fs::remove_file(path),
                Entry::Renamed {
                    from,
                    to,
                    displaced,
                } => fs::rename(&to, &from).and_then(|()| match displaced {
                    Some(keep) => fs::rename(keep, &to),
                    None => Ok(()),
                }),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_parse() {
        assert_eq!(
            Fault::parse("io@journal-sync#2"),
            Some(Fault {
                kind: Kind::Io,
                step: Some("journal-sync".into()),
                nth: 2,
                and_later: false
            })
        );
        assert_eq!(
            Fault::parse("crash@7"),
            Some(Fault {
                kind: Kind::Crash,
                step: None,
                nth: 7,
                and_later: false
            })
        );
        assert_eq!(
            Fault::parse("stall@snapshot-sync#2").map(|f| (f.kind, f.nth)),
            Some((Kind::Stall, 2))
        );
        assert_eq!(
            Fault::parse("nospace@snapshot-write#1+").map(|f| (f.kind, f.and_later)),
            Some((Kind::NoSpace, true))
        );
        for bad in ["", "crash", "crash@0", "melt@3", "io@journal-sync#x"] {
            assert_eq!(Fault::parse(bad), None, "{bad:?}");
        }
    }
}
