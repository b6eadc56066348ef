//! Block storage: the disks of instances and the snapshots made of them. Plain data; the
//! [`ImageStore`](crate::ImageStore) keeps them consistent and indexed (who uses a snapshot is
//! the store's to answer: [`ImageStore::snapshot_usage`](crate::ImageStore::snapshot_usage)).
//!
//! A snapshot is what an image is built from (`Image::snapshots`) and what a disk may be
//! created from; DeleteSnapshot ([`decide_snapshot`](crate::decide_snapshot)) refuses to delete
//! one that an image still lists, and one that disks were created from unless forced.

use serde::{Deserialize, Serialize};

use crate::attributes::DiskType;
use crate::error::{BadFilter, Error, Parameter};
use crate::ids::{AccountId, DiskId, InstanceId, RegionId, SnapshotId};
use crate::time::Timestamp;

/// A snapshot's status, as DescribeSnapshots reports it \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotStatus {
    /// Being made (CreateSnapshot), until the service progresses it.
    Progressing,
    /// Made: usable to create images and disks.
    Accomplished,
    /// The service failed to make it.
    Failed,
}

impl SnapshotStatus {
    /// Every status, in the order DescribeSnapshots documents them.
    pub const ALL: [SnapshotStatus; 3] = [
        SnapshotStatus::Progressing,
        SnapshotStatus::Accomplished,
        SnapshotStatus::Failed,
    ];

    /// The status as the API spells it, e.g. `accomplished`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SnapshotStatus::Progressing => "progressing",
            SnapshotStatus::Accomplished => "accomplished",
            SnapshotStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for SnapshotStatus {
    type Err = Error;

    /// The status as the API spells it; anything else is `InvalidParameter` for `Status` \[I\].
    fn from_str(s: &str) -> Result<Self, Error> {
        SnapshotStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(Error::InvalidParameter(Parameter::Status))
    }
}

/// A disk snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// The snapshot's id; unique in the store.
    pub id: SnapshotId,
    /// The account that owns it.
    pub owner: AccountId,
    /// Its region; snapshots are regional.
    pub region: RegionId,
    /// The disk it was made of, if known. The disk may since have been released (the
    /// snapshot stays \[D: DeleteInstance keeps manual snapshots\]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_disk: Option<DiskId>,
    /// Its status.
    pub status: SnapshotStatus,
    /// How far it is made, in percent: 100 once accomplished.
    pub progress: u8,
    /// When it was created, on the store's clock.
    pub creation_time: Timestamp,
    /// `SnapshotName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Snapshot {
    /// An accomplished snapshot of no known disk, without name or description: what a world
    /// that names a snapshot only in an image's list implies (docs/delete-snapshot.md).
    pub fn accomplished(
        id: SnapshotId,
        owner: AccountId,
        region: RegionId,
        creation_time: Timestamp,
    ) -> Self {
        Self {
            id,
            owner,
            region,
            source_disk: None,
            status: SnapshotStatus::Accomplished,
            progress: 100,
            creation_time,
            name: None,
            description: None,
        }
    }
}

/// An existing (not released) cloud disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Disk {
    /// The disk's id; unique in the store.
    pub id: DiskId,
    /// The account that owns it.
    pub owner: AccountId,
    /// Its region.
    pub region: RegionId,
    /// System or data disk \[D: DescribeDisks `Type`\].
    #[serde(rename = "type")]
    pub disk_type: DiskType,
    /// The instance it is attached to, if any; released with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceId>,
    /// The snapshot it was created from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_snapshot: Option<SnapshotId>,
    /// Set once its source snapshot has been deleted (DeleteSnapshot with `Force=true`): the
    /// disk stays, but can no longer be re-initialized \[D\]. Set exactly when
    /// `source_snapshot` names a snapshot no longer in the store.
    #[serde(default, skip_serializing_if = "is_false")]
    pub source_snapshot_deleted: bool,
    /// Its size in GiB, when known: a system disk takes its image's `Size` [I: RunInstances'
    /// `SystemDisk.Size` is not modelled]. An image made from the instance states it in its
    /// disk mappings and its `Size`, as Terraform's `alicloud_image` reads them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<u32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How a snapshot is used, as DescribeSnapshots' `Usage` says it \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnapshotUsage {
    /// `none`: no image lists it and no disk was created from it.
    #[serde(rename = "none")]
    Unused,
    /// `image`: an image lists it.
    #[serde(rename = "image")]
    Image,
    /// `disk`: disks were created from it.
    #[serde(rename = "disk")]
    Disk,
    /// `image_disk`: both.
    #[serde(rename = "image_disk")]
    ImageDisk,
}

impl std::str::FromStr for SnapshotUsage {
    type Err = Error;

    /// The usage as the API spells it; anything else is 404 `InvalidUsage` `The specified
    /// Usage is not valid.` [I: DescribeImages' answer].
    fn from_str(s: &str) -> Result<Self, Error> {
        SnapshotUsage::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(Error::BadFilter(BadFilter::Usage))
    }
}

impl SnapshotUsage {
    /// Every usage, in the order DescribeSnapshots documents them.
    pub const ALL: [SnapshotUsage; 4] = [
        SnapshotUsage::Image,
        SnapshotUsage::Disk,
        SnapshotUsage::ImageDisk,
        SnapshotUsage::Unused,
    ];

    /// The usage of a snapshot that `images` images list and `disks` disks were created from.
    pub const fn of(images: bool, disks: bool) -> Self {
        match (images, disks) {
            (false, false) => SnapshotUsage::Unused,
            (true, false) => SnapshotUsage::Image,
            (false, true) => SnapshotUsage::Disk,
            (true, true) => SnapshotUsage::ImageDisk,
        }
    }

    /// The usage as the API spells it, e.g. `image_disk`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SnapshotUsage::Unused => "none",
            SnapshotUsage::Image => "image",
            SnapshotUsage::Disk => "disk",
            SnapshotUsage::ImageDisk => "image_disk",
        }
    }
}
