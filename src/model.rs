//! The resources the DeleteImage rule looks at: images, the tasks running on them, and the
//! instances made from them. Plain data; the [`ImageStore`](crate::ImageStore) keeps them
//! consistent and indexed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::attributes::ImageAttributes;
use crate::ids::{AccountId, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::launch::LaunchSettings;
use crate::time::Timestamp;

/// Who provides an image (DescribeImages `ImageOwnerAlias`). Only a custom image can be its
/// caller's own; the others are visible to every account in their region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// An image an account made (CreateImage, ImportImage, CopyImage).
    Custom,
    /// An Alibaba Cloud public image.
    System,
    /// An Alibaba Cloud Marketplace image.
    Marketplace,
}

/// An image's status, as DescribeImages reports it \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImageStatus {
    /// Being created (CreateImage), or a copy being made (CopyImage).
    Creating,
    /// Waiting for an import to start (ImportImage).
    Waiting,
    /// Ready to use.
    Available,
    /// Not available.
    UnAvailable,
    /// Creation or import failed.
    CreateFailed,
    /// Deprecated with ModifyImageAttribute; can still launch instances.
    Deprecated,
}

impl ImageStatus {
    /// Every status, in the order DescribeImages documents them.
    pub const ALL: [ImageStatus; 6] = [
        ImageStatus::Creating,
        ImageStatus::Waiting,
        ImageStatus::Available,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
    ];

    /// The status as the API spells it, e.g. `UnAvailable`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageStatus::Creating => "Creating",
            ImageStatus::Waiting => "Waiting",
            ImageStatus::Available => "Available",
            ImageStatus::UnAvailable => "UnAvailable",
            ImageStatus::CreateFailed => "CreateFailed",
            ImageStatus::Deprecated => "Deprecated",
        }
    }
}

/// Who besides its owner can see a custom image.
///
/// Publication and explicit shares are independent [D: after unpublishing, accounts the image
/// was shared with keep access], so an image may be both community and shared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Visibility {
    /// Published as a community image (ModifyImageSharePermission `IsPublic=true`): visible to
    /// every account in the region.
    #[serde(default)]
    pub community: bool,
    /// Accounts the image is explicitly shared with (at most 50 \[D\]; never the owner).
    #[serde(default)]
    pub shared_with: BTreeSet<AccountId>,
}

impl Visibility {
    /// Private: neither published nor shared.
    pub fn private() -> Self {
        Self::default()
    }
}

/// An image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    /// The image's id; unique in the store.
    pub id: ImageId,
    /// The account that owns it.
    pub owner: AccountId,
    /// The region it lives in; images are regional.
    pub region: RegionId,
    /// Custom, system or marketplace.
    pub kind: ImageKind,
    /// Its status.
    pub status: ImageStatus,
    /// Community publication and shares.
    #[serde(default)]
    pub visibility: Visibility,
    /// The snapshots it was built from; released (not deleted) when it is deleted \[D\].
    #[serde(default)]
    pub snapshots: Vec<SnapshotId>,
    /// Its name, description, operating system and the rest; boxed apart, `None` when it has
    /// none (fixtures), so that they cost an image without them 8 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Box<ImageAttributes>>,
}

impl Image {
    /// A private, available custom image without snapshots.
    pub fn custom(id: ImageId, owner: AccountId, region: RegionId) -> Self {
        Self {
            id,
            owner,
            region,
            kind: ImageKind::Custom,
            status: ImageStatus::Available,
            visibility: Visibility::private(),
            snapshots: Vec::new(),
            attributes: None,
        }
    }

    /// Its attributes; all empty when it has none.
    pub fn attributes(&self) -> &ImageAttributes {
        static NONE: ImageAttributes = ImageAttributes::EMPTY;
        self.attributes.as_deref().unwrap_or(&NONE)
    }
}

/// What a running task does, and to which images.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", deny_unknown_fields)]
pub enum TaskKind {
    /// ImportImage: `image` is being imported.
    ImportImage {
        /// The image being imported.
        image: ImageId,
    },
    /// ExportImage: `image` is being exported.
    ExportImage {
        /// The image being exported.
        image: ImageId,
    },
    /// CopyImage: `source` is being copied into `destination` (usually in another region).
    /// Both ends are Copying until the task ends \[D\].
    CopyImage {
        /// The image being copied.
        source: ImageId,
        /// The copy being made.
        destination: ImageId,
    },
}

/// A running task. A task that has ended is kept as an [`EndedTask`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
// No `deny_unknown_fields` here: serde does not support it together with `flatten`; the
// flattened `TaskKind` refuses unknown fields itself.
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task's id; unique in the store.
    pub id: TaskId,
    /// What it does.
    #[serde(flatten)]
    pub kind: TaskKind,
    /// When it was created (DescribeTasks `CreationTime`); `None` for a task from a fixture
    /// or an older saved state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
}

impl Task {
    /// The images the task runs on: one for an import or an export, two for a copy.
    pub fn images(&self) -> impl Iterator<Item = &ImageId> {
        let (first, second) = match &self.kind {
            TaskKind::ImportImage { image } | TaskKind::ExportImage { image } => (image, None),
            TaskKind::CopyImage {
                source,
                destination,
            } => (source, Some(destination)),
        };
        std::iter::once(first).chain(second)
    }
}

/// How a task ended: the service finished it, it failed, or its owner cancelled it
/// (CancelTask, CancelCopyImage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TaskEnd {
    /// The task completed: an import or a copy made its image Available; an export finished.
    Finished,
    /// The task failed: an imported image or a copy became CreateFailed.
    Failed,
    /// The owner cancelled it; an import's image or a copy was removed with it.
    Cancelled,
}

impl TaskEnd {
    /// The end as DescribeTasks-like output spells it, e.g. `Finished`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskEnd::Finished => "Finished",
            TaskEnd::Failed => "Failed",
            TaskEnd::Cancelled => "Cancelled",
        }
    }
}

/// A task that is no longer running, kept so that the service can still answer for it:
/// CancelTask on it is `InvalidTaskId.IncorrectTaskStatus` rather than "not found", and
/// CancelCopyImage on a finished copy is `IncorrectImageStatus` rather than
/// `ImageCreatedNotFromCopy` \[D\].
///
/// Its images may since have been deleted, so it records its own owner and region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
// No `deny_unknown_fields`: see `Task`.
#[serde(rename_all = "camelCase")]
pub struct EndedTask {
    /// The task's id; unique among running and ended tasks.
    pub id: TaskId,
    /// What it did.
    #[serde(flatten)]
    pub kind: TaskKind,
    /// The account that owned it (the owner of its images).
    pub owner: AccountId,
    /// Its region: the image's, or for a copy the destination's (where CancelCopyImage is
    /// called).
    pub region: RegionId,
    /// How it ended.
    pub end: TaskEnd,
    /// When it was created, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// When it ended (DescribeTasks `FinishedTime`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
}

/// An instance's status, as DescribeInstances reports it and filters on (`Status`) \[D\].
///
/// RunInstances makes an instance `Pending`; StartInstance and RebootInstance make it
/// `Starting`; StopInstance makes it `Stopping`. The service then settles it on its own
/// ([`ImageStore::settle_instance`](crate::ImageStore::settle_instance)): `Pending` and
/// `Starting` become `Running`, `Stopping` becomes `Stopped` [D statuses and paths; I: the
/// intermediate `Starting` of a new instance is folded into `Pending`].
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum InstanceStatus {
    /// Just created by RunInstances, not yet started.
    Pending,
    /// Being started (StartInstance) or restarted (RebootInstance).
    Starting,
    /// Running. An instance a world file lists without a status runs \[I\].
    #[default]
    Running,
    /// Being stopped (StopInstance).
    Stopping,
    /// Stopped.
    Stopped,
}

impl InstanceStatus {
    /// Every status, in the order the documentation's status table lists them.
    pub const ALL: [InstanceStatus; 5] = [
        InstanceStatus::Pending,
        InstanceStatus::Starting,
        InstanceStatus::Running,
        InstanceStatus::Stopping,
        InstanceStatus::Stopped,
    ];

    /// The status as the API spells it, e.g. `Stopped`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "Pending",
            InstanceStatus::Starting => "Starting",
            InstanceStatus::Running => "Running",
            InstanceStatus::Stopping => "Stopping",
            InstanceStatus::Stopped => "Stopped",
        }
    }

    /// Whether the instance is Running.
    pub fn is_running(&self) -> bool {
        *self == InstanceStatus::Running
    }

    /// Whether the service is still moving the instance to a steady status (`Pending`,
    /// `Starting`, `Stopping`).
    pub const fn is_transitional(self) -> bool {
        matches!(
            self,
            InstanceStatus::Pending | InstanceStatus::Starting | InstanceStatus::Stopping
        )
    }
}

/// An existing (not released) ECS instance. Releasing it (DeleteInstance) removes it from the
/// store, so it no longer counts for [`Blocker::InUse`](crate::Blocker::InUse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instance {
    /// The instance's id; unique in the store.
    pub id: InstanceId,
    /// The account that owns it.
    pub owner: AccountId,
    /// The region it runs in.
    pub region: RegionId,
    /// The image it was created from.
    pub image: ImageId,
    /// Its status. Written only when it is not Running, so that a world or a vector that
    /// lists running instances reads as it did before instances had statuses.
    #[serde(default, skip_serializing_if = "InstanceStatus::is_running")]
    pub status: InstanceStatus,
    /// Set once its image has been deleted: the instance keeps running but can no longer
    /// re-initialize its system disk \[D\]. Set exactly when `image` is no longer in the store.
    /// Whether it can re-initialize also depends on whether its owner can still see the image:
    /// ask [`ImageStore::can_reinitialize_system_disk`](crate::ImageStore::can_reinitialize_system_disk).
    #[serde(default)]
    pub image_deleted: bool,
    /// What RunInstances set on it (type, name, zone, network), shown by DescribeInstances;
    /// `None` for an instance put in the store by other means (boxed: a fixture's million
    /// instances carry none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<Box<LaunchSettings>>,
}
