//! The service's own work in progress, as the store records it: which work (an image being
//! created, a task, an instance changing state), of which kind, started when. The store keeps
//! it in start order per kind, so that what a pace ends at a time is a range; the paces
//! themselves, and the question "what is due now", are src/pace.rs's, above the store.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::ids::{ImageId, InstanceId, SnapshotId, TaskId};
use crate::time::Timestamp;

/// One piece of the service's own work in progress.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Work {
    /// A CreateImage making its image (Creating → Available).
    Creation(ImageId),
    /// A running import, export or copy.
    Task(TaskId),
    /// An instance Pending, Starting or Stopping.
    Instance(InstanceId),
    /// A CreateSnapshot making its snapshot (progressing → accomplished).
    Snapshot(SnapshotId),
}

/// The kinds of work a progress policy paces separately
/// ([`ProgressPolicy`](crate::ProgressPolicy)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkKind {
    /// CreateImage (`image-creation`).
    ImageCreation,
    /// ImportImage (`import`).
    Import,
    /// ExportImage (`export`).
    Export,
    /// CopyImage (`copy`).
    Copy,
    /// CreateSnapshot (`snapshot`).
    Snapshot,
    /// An instance starting or stopping: RunInstances, StartInstance, StopInstance,
    /// RebootInstance (`instance`).
    Instance,
}

impl WorkKind {
    /// Every kind, in the order a policy is written.
    pub const ALL: [WorkKind; 6] = [
        WorkKind::ImageCreation,
        WorkKind::Import,
        WorkKind::Export,
        WorkKind::Copy,
        WorkKind::Snapshot,
        WorkKind::Instance,
    ];

    /// The kind's name in a policy, e.g. `image-creation`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkKind::ImageCreation => "image-creation",
            WorkKind::Import => "import",
            WorkKind::Export => "export",
            WorkKind::Copy => "copy",
            WorkKind::Snapshot => "snapshot",
            WorkKind::Instance => "instance",
        }
    }
}

/// The work in progress that a pace may end, with when each started: kept in start order per
/// kind, so that what is due is a range, whatever else the store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Schedule {
    started: HashMap<Work, (WorkKind, Timestamp)>,
    by_start: BTreeSet<(WorkKind, Timestamp, Work)>,
}

/// One entry of the schedule as a saved state lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scheduled {
    /// The work.
    pub work: Work,
    /// Its kind.
    pub kind: WorkKind,
    /// When it started.
    pub since: Timestamp,
}

impl Schedule {
    pub(crate) fn insert(&mut self, work: Work, kind: WorkKind, since: Timestamp) {
        self.remove(&work);
        self.by_start.insert((kind, since, work.clone()));
        self.started.insert(work, (kind, since));
    }

    pub(crate) fn remove(&mut self, work: &Work) {
        if let Some((kind, since)) = self.started.remove(work) {
            self.by_start.remove(&(kind, since, work.clone()));
        }
    }

    pub(crate) fn get(&self, work: &Work) -> Option<(WorkKind, Timestamp)> {
        self.started.get(work).copied()
    }

    /// The work of one kind that started at or before `until`, oldest first.
    pub(crate) fn started_by(
        &self,
        kind: WorkKind,
        until: Option<Timestamp>,
    ) -> impl Iterator<Item = &Work> {
        self.by_start
            .range((kind, Timestamp::EPOCH, Work::Creation(min_image()))..)
            .take_while(move |(k, since, _)| *k == kind && until.is_none_or(|u| *since <= u))
            .map(|(_, _, work)| work)
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = Scheduled> + '_ {
        self.by_start.iter().map(|(kind, since, work)| Scheduled {
            work: work.clone(),
            kind: *kind,
            since: *since,
        })
    }
}

/// The least image id, to start a range of the schedule at.
fn min_image() -> ImageId {
    ImageId::new("!").expect("`!` is the least visible ASCII character")
}
