//! CreateSnapshot: a snapshot of one of the caller's disks, progressing until the service
//! ends it ([`ImageStore::finish_snapshot`], [`ImageStore::fail_snapshot`]). DeleteSnapshot is
//! its own rule (src/snapshot_rule.rs); the snapshots CreateImage makes of an instance's disks
//! end with their image (src/lifecycle/image.rs).

use crate::attributes::{Description, SnapshotName};
use crate::error::{Denial, Error, NotFound};
use crate::ids::{AccountId, DiskId, SnapshotId};
use crate::model::InstanceStatus;
use crate::profile::Profile;
use crate::schedule::{Work, WorkKind};
use crate::storage::{SnapshotStatus, SnapshotUsage};
use crate::store::ImageStore;
use crate::tags::{ResourceType, Tag, check_new_tags};

use super::Transition;

/// The most snapshots one disk may have: more is `QuotaExceed.Snapshot` [D, CreateSnapshot:
/// "a maximum of 64 snapshots can be created for a single disk"].
pub const MAX_SNAPSHOTS_PER_DISK: usize = 64;

/// CreateSnapshot: a new snapshot of one of the caller's disks, in the disk's region. The
/// action declares no `RegionId`: a disk id names one disk whatever the region, as a snapshot
/// id does for DeleteSnapshot \[D: SDK request model\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSnapshot {
    /// `DiskId`: the disk.
    pub disk_id: DiskId,
    /// `SnapshotName`.
    pub name: Option<SnapshotName>,
    /// `Description`.
    pub description: Option<Description>,
    /// `Tag.N`: tags for the new snapshot, at most 20, keys unique.
    pub tags: Vec<Tag>,
}

impl CreateSnapshot {
    /// A request for a snapshot of `disk_id`, without name, description or tags.
    pub fn new(disk_id: DiskId) -> Self {
        Self {
            disk_id,
            name: None,
            description: None,
            tags: Vec::new(),
        }
    }

    /// The same request with `SnapshotName` set.
    pub fn with_name(self, name: SnapshotName) -> Self {
        Self {
            name: Some(name),
            ..self
        }
    }

    /// The same request with `Description` set.
    pub fn with_description(self, description: Description) -> Self {
        Self {
            description: Some(description),
            ..self
        }
    }

    /// The same request with one more `Tag.N`.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }
}

/// Refusals, in this order: `InvalidTagCount` or `Duplicate.TagKey` for its `Tag.N`;
/// `InvalidDiskId.NotFound` unless the disk is the caller's; `IncorrectDiskStatus.NeverAttached`
/// for a disk attached to no instance; `IncorrectInstanceStatus` unless its instance is
/// Running or Stopped; `IncorrectDiskStatus.CreatingSnapshot` while a snapshot of the disk is
/// progressing; `QuotaExceed.Snapshot` when the disk has [`MAX_SNAPSHOTS_PER_DISK`] snapshots
/// [D codes and messages; I the order]. Costs the disk's snapshots, whatever the store holds.
impl Transition for CreateSnapshot {
    type Checked = ();
    type Answer = SnapshotId;

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        check_new_tags(&self.tags)?;
        let disk = store
            .disk(self.disk_id.as_str())
            .filter(|d| d.owner == *caller)
            .ok_or(NotFound::Disk)?;
        let instance = disk
            .instance
            .as_ref()
            .and_then(|i| store.instance(i.as_str()))
            .ok_or(Denial::DiskNeverAttached)?;
        if !matches!(
            instance.status,
            InstanceStatus::Running | InstanceStatus::Stopped
        ) {
            return Err(Denial::SnapshotInstanceStatus.into());
        }
        if disk_is_snapshotting(store, &self.disk_id) {
            return Err(Denial::DiskCreatingSnapshot.into());
        }
        if store.snapshots_of_disk(self.disk_id.as_str()).count() >= MAX_SNAPSHOTS_PER_DISK {
            return Err(Denial::SnapshotQuota.into());
        }
        Ok(())
    }

    /// A new progressing snapshot of the disk, entered in the schedule.
    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) -> SnapshotId {
        let id = store.snapshot_disk(
            &self.disk_id,
            self.name.as_ref().map(|n| n.as_str().to_owned()),
            self.description.as_ref().map(|d| d.as_str().to_owned()),
        );
        store.tag_new(ResourceType::Snapshot, id.as_str(), &self.tags);
        store.start_work(Work::Snapshot(id.clone()), WorkKind::Snapshot);
        id
    }

    fn dry_run(&self) -> bool {
        false
    }
}

/// Whether a snapshot of the disk is progressing. Costs the disk's snapshots (at most
/// [`MAX_SNAPSHOTS_PER_DISK`] made by CreateSnapshot, plus those its images made).
pub(super) fn disk_is_snapshotting(store: &ImageStore, disk: &DiskId) -> bool {
    store.snapshots_of_disk(disk.as_str()).any(|s| {
        store
            .snapshot(s.as_str())
            .is_some_and(|s| s.status == SnapshotStatus::Progressing)
    })
}

impl ImageStore {
    /// CreateSnapshot: a new progressing snapshot of one of the caller's disks. Returns its
    /// id. Refused as [`check`](super::check) refuses it.
    pub fn create_snapshot(
        &mut self,
        caller: &AccountId,
        request: CreateSnapshot,
    ) -> Result<SnapshotId, Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// The service finishes a snapshot's creation: it becomes accomplished, progress 100. Not
    /// an API call.
    ///
    /// Refusals: `InvalidSnapshotId.NotFound` for a snapshot the store does not hold;
    /// `IncorrectSnapshotStatus` \[I\] for one that is not progressing, or that an image
    /// lists (an image creation makes it, and it ends with its image).
    pub fn finish_snapshot(&mut self, snapshot: &SnapshotId) -> Result<(), Error> {
        self.end_created_snapshot(snapshot, SnapshotStatus::Accomplished)
    }

    /// The service fails a snapshot's creation: it becomes failed. Not an API call. Refused
    /// as [`finish_snapshot`](Self::finish_snapshot) is.
    pub fn fail_snapshot(&mut self, snapshot: &SnapshotId) -> Result<(), Error> {
        self.end_created_snapshot(snapshot, SnapshotStatus::Failed)
    }

    fn end_created_snapshot(
        &mut self,
        snapshot: &SnapshotId,
        status: SnapshotStatus,
    ) -> Result<(), Error> {
        let current = self.snapshot(snapshot.as_str()).ok_or(NotFound::Snapshot)?;
        let images = self
            .snapshot_usage(snapshot.as_str())
            .is_some_and(|u| matches!(u, SnapshotUsage::Image | SnapshotUsage::ImageDisk));
        if current.status != SnapshotStatus::Progressing || images {
            return Err(Denial::SnapshotNotBeingCreated.into());
        }
        self.end_snapshot(snapshot.as_str(), status);
        Ok(())
    }
}
