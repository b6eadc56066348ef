//! How fast the service's own work progresses: a [`ProgressPolicy`] gives each [`WorkKind`]
//! a [`Pace`], and [`ImageStore::due`] answers, purely, which work is done at a time.
//!
//! Work the API starts (a CreateImage, an import, an export, a copy, an instance starting or
//! stopping) is entered in the store's schedule (src/schedule.rs) with the store's clock at that moment; it
//! leaves when it ends, by whatever path (the service, a cancel, a delete). Work a world file
//! lists without a schedule entry is *pinned*: no pace moves it, only an explicit service step
//! (the emulator's admin call) does \[I\]. So the demo world's blockers stay blockers, and a
//! test that loads a running import keeps it running until it says otherwise.
//!
//! The library reads no clock: whoever drives the store (the emulator) asks
//! [`ImageStore::due`] with its own time, advances the store's clock, and performs the steps.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::TaskId;
use crate::lifecycle::Progress;
use crate::model::{Image, ImageStatus, TaskEnd, TaskKind};
use crate::schedule::{Work, WorkKind};
use crate::storage::{Snapshot, SnapshotStatus};
use crate::store::ImageStore;
use crate::time::Timestamp;

impl Work {
    /// The service step that ends it well: the image Available, the task Finished, the
    /// instance Running or Stopped, the snapshot accomplished.
    pub fn done(&self) -> Progress {
        match self {
            Work::Creation(image) => Progress::FinishCreateImage(image.clone()),
            Work::Task(task) => Progress::CompleteTask(task.clone()),
            Work::Instance(instance) => Progress::SettleInstance(instance.clone()),
            Work::Snapshot(snapshot) => Progress::FinishSnapshot(snapshot.clone()),
        }
    }
}

/// How fast one kind of work progresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pace {
    /// `immediate`: done by the next call after it started.
    Immediate,
    /// `after:<seconds>` (decimals allowed, e.g. `after:0.5`): done once that long has passed
    /// on the caller's clock since it started.
    After(Duration),
    /// `after-describes:<n>`: done once `n` Describe calls have been answered since it
    /// started. The store does not count calls: the caller does, and asks
    /// [`ImageStore::scheduled`] which work to count for.
    AfterDescribes(u32),
    /// `manual`: only an explicit service step ends it (the emulator's admin call).
    Manual,
}

impl fmt::Display for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pace::Immediate => f.write_str("immediate"),
            Pace::After(d) => {
                let millis = d.as_millis();
                if millis % 1000 == 0 {
                    write!(f, "after:{}", millis / 1000)
                } else {
                    write!(f, "after:{}.{:03}", millis / 1000, millis % 1000)
                }
            }
            Pace::AfterDescribes(n) => write!(f, "after-describes:{n}"),
            Pace::Manual => f.write_str("manual"),
        }
    }
}

/// A pace or a policy that does not parse; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PaceError(String);

impl FromStr for Pace {
    type Err = PaceError;

    fn from_str(s: &str) -> Result<Self, PaceError> {
        let bad = || {
            PaceError(format!(
                "{s:?} is not a pace: immediate, after:<seconds>, after-describes:<n> or manual"
            ))
        };
        match s {
            "immediate" => return Ok(Pace::Immediate),
            "manual" => return Ok(Pace::Manual),
            _ => {}
        }
        if let Some(n) = s.strip_prefix("after-describes:") {
            return n.parse().map(Pace::AfterDescribes).map_err(|_| bad());
        }
        let seconds = s.strip_prefix("after:").ok_or_else(bad)?;
        let seconds: f64 = seconds.parse().map_err(|_| bad())?;
        // At most a day: a longer wait is `manual` in practice, and keeps the sum in range.
        if !(0.0..=86_400.0).contains(&seconds) {
            return Err(bad());
        }
        Ok(Pace::After(Duration::from_millis(
            (seconds * 1000.0).round() as u64,
        )))
    }
}

/// A [`Pace`] per [`WorkKind`].
///
/// Written as comma-separated items applied left to right, each a pace for every kind or
/// `<kind>=<pace>` for one: `after:1`, `manual,instance=immediate`,
/// `after:2,import=after-describes:3`. Serialized as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProgressPolicy {
    paces: [Pace; 6],
}

impl Default for ProgressPolicy {
    /// `after:1`: every kind of work is done a second after it started, so that a tool that
    /// only polls finishes \[I\].
    fn default() -> Self {
        Self::uniform(Pace::After(Duration::from_secs(1)))
    }
}

impl ProgressPolicy {
    /// The same pace for every kind.
    pub const fn uniform(pace: Pace) -> Self {
        Self { paces: [pace; 6] }
    }

    /// `manual` for every kind: nothing progresses on its own.
    pub const fn manual() -> Self {
        Self::uniform(Pace::Manual)
    }

    /// The pace of one kind.
    pub fn pace(&self, kind: WorkKind) -> Pace {
        self.paces[kind as usize]
    }

    /// The same policy with one kind's pace set.
    pub fn with_pace(mut self, kind: WorkKind, pace: Pace) -> Self {
        self.paces[kind as usize] = pace;
        self
    }
}

impl fmt::Display for ProgressPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.paces[0];
        if self.paces.iter().all(|p| *p == first) {
            return write!(f, "{first}");
        }
        write!(f, "{first}")?;
        for kind in WorkKind::ALL.into_iter().skip(1) {
            if self.pace(kind) != first {
                write!(f, ",{}={}", kind.as_str(), self.pace(kind))?;
            }
        }
        Ok(())
    }
}

impl FromStr for ProgressPolicy {
    type Err = PaceError;

    fn from_str(s: &str) -> Result<Self, PaceError> {
        let mut policy = ProgressPolicy::default();
        for item in s.split(',').map(str::trim) {
            match item.split_once('=') {
                None => policy = ProgressPolicy::uniform(item.parse()?),
                Some((kind, pace)) => {
                    let kind = WorkKind::ALL
                        .into_iter()
                        .find(|k| k.as_str() == kind.trim())
                        .ok_or_else(|| {
                            PaceError(format!(
                                "{kind:?} is not a kind of work: image-creation, import, \
                                 export, copy, snapshot or instance"
                            ))
                        })?;
                    policy = policy.with_pace(kind, pace.trim().parse()?);
                }
            }
        }
        Ok(policy)
    }
}

impl Serialize for ProgressPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProgressPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl ImageStore {
    /// What is due at `now` under `policy`, in start order (oldest first, kinds in
    /// [`WorkKind::ALL`] order); [`Work::done`] is the step that ends each. Pure: nothing
    /// changes until the caller performs the steps. Costs the number of pieces due plus a
    /// range lookup per kind.
    pub fn due(&self, policy: &ProgressPolicy, now: Timestamp) -> Vec<Work> {
        let mut due = Vec::new();
        for kind in WorkKind::ALL {
            let until = match policy.pace(kind) {
                Pace::Immediate => None,
                Pace::After(d) => match now.unix_millis().checked_sub(d.as_millis() as u64) {
                    Some(millis) => Some(Timestamp::from_unix_millis(millis).expect("earlier")),
                    None => continue,
                },
                Pace::AfterDescribes(_) | Pace::Manual => continue,
            };
            due.extend(self.schedule().started_by(kind, until).cloned());
        }
        due
    }

    /// The work of one kind in progress that a pace may end (pinned work is not listed),
    /// oldest first: what a caller counting Describe calls counts for.
    pub fn scheduled(&self, kind: WorkKind) -> impl Iterator<Item = &Work> {
        self.schedule().started_by(kind, None)
    }

    /// How far along scheduled work is at `now` under `policy`, in percent: the share of an
    /// `after:<seconds>` wait that has passed, at most 99 until it is done; 0 for any other
    /// pace and for pinned work.
    pub fn percent_done(&self, work: &Work, policy: &ProgressPolicy, now: Timestamp) -> u8 {
        let Some((kind, since)) = self.schedule().get(work) else {
            return 0;
        };
        match policy.pace(kind) {
            Pace::After(d) if !d.is_zero() => {
                let passed = now.since(since).as_millis();
                (passed * 100 / d.as_millis()).min(99) as u8
            }
            _ => 0,
        }
    }

    /// How long scheduled work still has to go at `now` under `policy`: the rest of an
    /// `after:<seconds>` wait; `None` for any other pace and for pinned work (nothing says
    /// when they end).
    pub fn time_left(
        &self,
        work: &Work,
        policy: &ProgressPolicy,
        now: Timestamp,
    ) -> Option<Duration> {
        let (kind, since) = self.schedule().get(work)?;
        match policy.pace(kind) {
            Pace::After(d) => Some(d.saturating_sub(now.since(since))),
            _ => None,
        }
    }

    /// The work that is making an image still being made: its CreateImage, its copy task or
    /// its import task; `None` for an image that is made (or failed).
    pub fn work_making(&self, image: &Image) -> Option<Work> {
        match image.status {
            ImageStatus::Creating => Some(match self.copy_task_into(image.id.as_str()) {
                Some(task) => Work::Task(task.clone()),
                None => Work::Creation(image.id.clone()),
            }),
            // The import task is among its owner's few tasks in the region.
            ImageStatus::Waiting => self
                .tasks_of_account(&image.owner, &image.region)?
                .iter()
                .find(|id| {
                    self.task(id.as_str()).is_some_and(|task| {
                        matches!(&task.kind, TaskKind::ImportImage { image: i } if *i == image.id)
                    })
                })
                .map(|id| Work::Task(id.clone())),
            _ => None,
        }
    }

    /// DescribeImages `Progress` of an image, in percent: 100 once made (Available,
    /// UnAvailable, Deprecated), 0 for one that failed, else how far the work making it is
    /// ([`percent_done`](Self::percent_done)) \[I\].
    pub fn image_percent(&self, image: &Image, policy: &ProgressPolicy, now: Timestamp) -> u8 {
        match image.status {
            ImageStatus::Available | ImageStatus::UnAvailable | ImageStatus::Deprecated => 100,
            ImageStatus::CreateFailed => 0,
            ImageStatus::Creating | ImageStatus::Waiting => self
                .work_making(image)
                .map_or(0, |work| self.percent_done(&work, policy, now)),
        }
    }

    /// DescribeSnapshots `Progress` of a snapshot, in percent: 100 once accomplished, how far
    /// a CreateSnapshot in progress is ([`percent_done`](Self::percent_done)), else its
    /// recorded progress (a failed one's, or one an image creation makes, which ends with its
    /// image) \[I\].
    pub fn snapshot_percent(
        &self,
        snapshot: &Snapshot,
        policy: &ProgressPolicy,
        now: Timestamp,
    ) -> u8 {
        let work = Work::Snapshot(snapshot.id.clone());
        match snapshot.status {
            SnapshotStatus::Accomplished => 100,
            SnapshotStatus::Progressing if self.schedule().get(&work).is_some() => {
                self.percent_done(&work, policy, now).max(snapshot.progress)
            }
            _ => snapshot.progress,
        }
    }

    /// DescribeTaskAttribute `TaskProcess` of a task, in percent: how far a running one is
    /// ([`percent_done`](Self::percent_done)), 100 for one that finished, 0 for one that
    /// failed or was cancelled \[I\].
    pub fn task_percent(&self, task: &TaskId, policy: &ProgressPolicy, now: Timestamp) -> u8 {
        if self.task(task.as_str()).is_some() {
            return self.percent_done(&Work::Task(task.clone()), policy, now);
        }
        match self.ended_task(task.as_str()).map(|t| t.end) {
            Some(TaskEnd::Finished) => 100,
            _ => 0,
        }
    }

    /// Runs `call` with the clock advanced to `now`; when `call` answers that it changed
    /// nothing, the clock is put back too, so that a refused call leaves the store exactly as
    /// it was.
    pub fn at<T>(&mut self, now: Timestamp, call: impl FnOnce(&mut Self) -> (T, bool)) -> T {
        let before = self.now();
        self.advance_clock(now);
        let (answer, changed) = call(self);
        if !changed {
            self.set_clock(before);
        }
        answer
    }

    /// Puts the clock back to `to`, a time it stood at before a call that changed nothing
    /// (what [`at`](Self::at) does for a caller that cannot hand it a closure).
    pub fn restore_clock(&mut self, to: Timestamp) {
        self.set_clock(to);
    }

    /// Enters work the API has just started, stamped with the store's clock.
    pub(crate) fn start_work(&mut self, work: Work, kind: WorkKind) {
        let now = self.now();
        self.schedule_mut().insert(work, kind, now);
    }
}
