//! The actions that make, copy, export and change images: CreateImage (and its completion or
//! failure), ImportImage, ExportImage, CopyImage, CancelCopyImage and ModifyImageAttribute.
//! An import's or a copy's completion, failure and cancellation are in [`task`](super::task).

use std::str::FromStr;

use crate::attributes::{
    BootMode, Description, DiskFormat, DiskMapping, DiskType, ImageAttributes, ImageFamily,
    ImageName, KmsKeyId, LicenseType, ResourceGroupId,
};
use crate::blocker::Blocker;
use crate::error::{Denial, Error, Malformed, Missing, NotFound, Parameter};
use crate::idempotence::ClientToken;
use crate::ids::{AccountId, DiskId, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::model::{Image, ImageStatus, InstanceStatus, Task, TaskEnd, TaskKind};
use crate::profile::Profile;
use crate::schedule::{Work, WorkKind};
use crate::storage::SnapshotStatus;
use crate::store::ImageStore;
use crate::tags::{ResourceType, Tag, check_new_tags};

use super::instance::own_instance;
use super::{Transition, checked, known_region, own_image, still_being_made};

/// CreateImage: a new custom image of the caller's, made from snapshots
/// (`DiskDeviceMapping.N.SnapshotId`, `SnapshotId`) or from an instance (`InstanceId`: a new
/// snapshot of each of its disks, made with the image). It starts Creating; the service later
/// finishes it ([`ImageStore::finish_create_image`]) or fails it
/// ([`ImageStore::fail_create_image`]), and the snapshots it made with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateImage {
    /// `RegionId`: where the image is made.
    pub region_id: RegionId,
    /// `InstanceId`: the instance whose disks the image is made of. It takes precedence over
    /// the snapshots and the disk mappings, which are then ignored \[D\].
    pub instance_id: Option<InstanceId>,
    /// The snapshots it is built from, each at most once; may be empty \[I\].
    pub snapshot_ids: Vec<SnapshotId>,
    /// `Tag.N`: tags for the new image, at most 20, keys unique.
    pub tags: Vec<Tag>,
    /// `ImageName`, `Description`, `ImageFamily`, `ImageVersion`, `Architecture`,
    /// `Platform`, `BootMode`, `DetectionStrategy` and the disk mappings' `Device`, `Size` and
    /// `DiskType`: the new image's attributes, each already valid (boxed: most requests set
    /// few, and an [`Action`](crate::Action) stays small).
    pub attributes: Box<ImageAttributes>,
    /// `ClientToken`: makes a retry answer the first call's answer (crate::idempotence).
    pub client_token: Option<ClientToken>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl CreateImage {
    /// A request without snapshots.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            instance_id: None,
            snapshot_ids: Vec::new(),
            tags: Vec::new(),
            attributes: Box::default(),
            client_token: None,
            dry_run: false,
        }
    }

    /// The same request made from this instance's disks.
    pub fn with_instance(self, instance_id: InstanceId) -> Self {
        Self {
            instance_id: Some(instance_id),
            ..self
        }
    }

    /// The same request with these attributes for the new image.
    pub fn with_attributes(self, attributes: ImageAttributes) -> Self {
        Self {
            attributes: Box::new(attributes),
            ..self
        }
    }

    /// The same request with one more snapshot.
    pub fn add_snapshot(mut self, snapshot_id: SnapshotId) -> Self {
        self.snapshot_ids.push(snapshot_id);
        self
    }

    /// The same request with one more `Tag.N`.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// The same request with `ClientToken` set.
    pub fn with_client_token(self, client_token: ClientToken) -> Self {
        Self {
            client_token: Some(client_token),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// ImportImage: a new custom image of the caller's, Waiting while its import task runs. The
/// task then completes (Available), fails (CreateFailed) or is cancelled (the image is removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportImage {
    /// `RegionId`: where the image is imported.
    pub region_id: RegionId,
    /// `Tag.N`: tags for the new image, at most 20, keys unique.
    pub tags: Vec<Tag>,
    /// `DiskDeviceMapping.N`: the disks to import, the system disk first; at least one.
    pub disks: Vec<ImportDisk>,
    /// `ImageName`, `Description`, `OSType`, `Platform`, `Architecture`, `BootMode`,
    /// `LicenseType`, `DetectionStrategy`: the new image's attributes, each already valid.
    /// (Its disks come from `disks`.) Boxed, as CreateImage's.
    pub attributes: Box<ImageAttributes>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl ImportImage {
    /// A request without disks yet (refused until one is added).
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            tags: Vec::new(),
            disks: Vec::new(),
            attributes: Box::default(),
            dry_run: false,
        }
    }

    /// The same request with one more `Tag.N`.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// The same request with one more disk.
    pub fn add_disk(mut self, disk: ImportDisk) -> Self {
        self.disks.push(disk);
        self
    }

    /// The same request with these attributes for the new image.
    pub fn with_attributes(self, attributes: ImageAttributes) -> Self {
        Self {
            attributes: Box::new(attributes),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// One `DiskDeviceMapping.N` of ImportImage: an image file in OSS. The bucket and the object
/// are required \[D\]; the check refuses a disk without them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportDisk {
    /// `OSSBucket`.
    pub oss_bucket: Option<String>,
    /// `OSSObject`.
    pub oss_object: Option<String>,
    /// `Format`.
    pub format: Option<DiskFormat>,
    /// `Device`.
    pub device: Option<String>,
    /// `DiskImageSize` (or its older spelling `DiskImSize`), in GiB.
    pub size_gib: Option<u32>,
}

impl ImportDisk {
    /// The image file `object` in `bucket`.
    pub fn from_oss(bucket: &str, object: &str) -> Self {
        Self {
            oss_bucket: Some(bucket.to_owned()),
            oss_object: Some(object.to_owned()),
            ..Self::default()
        }
    }
}

/// ExportImage: an export task on one of the caller's Available images. The task then
/// completes, fails or is cancelled; the image is unchanged either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportImage {
    /// `RegionId`: the image's region.
    pub region_id: RegionId,
    /// `ImageId`: the image to export.
    pub image_id: ImageId,
    /// `OSSBucket`: where to; required \[D\].
    pub oss_bucket: Option<String>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl ExportImage {
    /// A request without its bucket yet (refused until one is set).
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            oss_bucket: None,
            dry_run: false,
        }
    }

    /// The same request with `OSSBucket` set.
    pub fn with_oss_bucket(self, bucket: &str) -> Self {
        Self {
            oss_bucket: Some(bucket.to_owned()),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// CopyImage: a copy of one of the caller's Available images, owned by the caller, in
/// `destination_region_id` (which may be the source's region). The copy is Creating, and
/// source and copy both hold the Copying blocker until the copy task completes, fails, or the
/// copy is cancelled ([`ImageStore::cancel_copy_image`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyImage {
    /// `RegionId`: the source image's region.
    pub region_id: RegionId,
    /// `ImageId`: the source image.
    pub image_id: ImageId,
    /// `DestinationRegionId`: where the copy is made.
    pub destination_region_id: RegionId,
    /// `Tag.N`: tags for the new image, at most 20, keys unique.
    pub tags: Vec<Tag>,
    /// `DestinationImageName`: the copy's name; without it the copy keeps the source's
    /// \[I\].
    pub destination_image_name: Option<ImageName>,
    /// `DestinationDescription`: the copy's description; without it the copy keeps the
    /// source's \[I\].
    pub destination_description: Option<Description>,
    /// `Encrypted`: `true` encrypts the copy; `false` (what Terraform always sends) or absent
    /// leaves it as the source is. Encryption cannot be undone \[D\], so a copy of an
    /// encrypted image is encrypted whatever this says (not refused: the docs leave it to
    /// "the backend logic") \[I\].
    pub encrypted: Option<bool>,
    /// `KMSKeyId`: the key that encrypts the copy; only with `Encrypted=true`, else 400
    /// `InvalidParameter` for it \[I\]. An encrypted copy without one keeps the source's key,
    /// or the service key \[D: "if you enable encryption but do not specify a key, the
    /// service key is used"\].
    pub kms_key_id: Option<KmsKeyId>,
    /// `ResourceGroupId`: the copy's resource group; without it the default group \[D\].
    pub resource_group_id: Option<ResourceGroupId>,
    /// `ClientToken`: makes a retry answer the first call's answer (crate::idempotence).
    pub client_token: Option<ClientToken>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl CopyImage {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId, destination_region_id: RegionId) -> Self {
        Self {
            region_id,
            image_id,
            destination_region_id,
            tags: Vec::new(),
            destination_image_name: None,
            destination_description: None,
            encrypted: None,
            kms_key_id: None,
            resource_group_id: None,
            client_token: None,
            dry_run: false,
        }
    }

    /// The same request with `Encrypted` set.
    pub fn with_encrypted(self, encrypted: bool) -> Self {
        Self {
            encrypted: Some(encrypted),
            ..self
        }
    }

    /// The same request with `KMSKeyId` set.
    pub fn with_kms_key_id(self, key: KmsKeyId) -> Self {
        Self {
            kms_key_id: Some(key),
            ..self
        }
    }

    /// The same request with `ResourceGroupId` set.
    pub fn with_resource_group_id(self, group: ResourceGroupId) -> Self {
        Self {
            resource_group_id: Some(group),
            ..self
        }
    }

    /// The same request with one more `Tag.N`.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// The same request with `DestinationImageName` set.
    pub fn with_destination_image_name(self, name: ImageName) -> Self {
        Self {
            destination_image_name: Some(name),
            ..self
        }
    }

    /// The same request with `DestinationDescription` set.
    pub fn with_destination_description(self, description: Description) -> Self {
        Self {
            destination_description: Some(description),
            ..self
        }
    }

    /// The same request with `ClientToken` set.
    pub fn with_client_token(self, client_token: ClientToken) -> Self {
        Self {
            client_token: Some(client_token),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// CancelCopyImage: stops a running copy. Called on the copy, in the destination region; the
/// copy is removed, the source is unchanged \[D\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelCopyImage {
    /// `RegionId`: the copy's region.
    pub region_id: RegionId,
    /// `ImageId`: the copy.
    pub image_id: ImageId,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl CancelCopyImage {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            dry_run: false,
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// The `Status` values ModifyImageAttribute accepts \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeStatus {
    /// `Deprecated`: the image can still launch instances but can no longer be shared or
    /// copied.
    Deprecated,
    /// `Available`: undoes a deprecation.
    Available,
}

impl AttributeStatus {
    /// The image status this sets.
    pub const fn status(self) -> ImageStatus {
        match self {
            AttributeStatus::Deprecated => ImageStatus::Deprecated,
            AttributeStatus::Available => ImageStatus::Available,
        }
    }
}

impl FromStr for AttributeStatus {
    type Err = Error;

    /// `Deprecated` or `Available`, as the API spells them; anything else is
    /// `InvalidParameter` for `Status` \[I\].
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "Deprecated" => Ok(AttributeStatus::Deprecated),
            "Available" => Ok(AttributeStatus::Available),
            _ => Err(Error::InvalidParameter(Parameter::Status)),
        }
    }
}

/// ModifyImageAttribute: renames, re-describes or re-families one of the caller's images,
/// changes its boot mode or licence type, and with `Status` deprecates it or makes it
/// Available again. An attribute left out keeps its value \[D\]; a call that sets nothing is
/// checked and changes nothing \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifyImageAttribute {
    /// `RegionId`: the image's region.
    pub region_id: RegionId,
    /// `ImageId`: the image.
    pub image_id: ImageId,
    /// `Status`: the new status, if any.
    pub status: Option<AttributeStatus>,
    /// `ImageName`: the new name, if any.
    pub image_name: Option<ImageName>,
    /// `Description`: the new description, if any.
    pub description: Option<Description>,
    /// `ImageFamily`: the new family, if any.
    pub image_family: Option<ImageFamily>,
    /// `BootMode`: the new boot mode, if any.
    pub boot_mode: Option<BootMode>,
    /// `LicenseType`: the new licence type, if any.
    pub license_type: Option<LicenseType>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl ModifyImageAttribute {
    /// A request that changes no attribute yet.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            status: None,
            image_name: None,
            description: None,
            image_family: None,
            boot_mode: None,
            license_type: None,
            dry_run: false,
        }
    }

    /// The same request with `ImageName` set.
    pub fn with_image_name(self, name: ImageName) -> Self {
        Self {
            image_name: Some(name),
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

    /// Whether it changes anything besides `Status`.
    fn changes_attributes(&self) -> bool {
        self.image_name.is_some()
            || self.description.is_some()
            || self.image_family.is_some()
            || self.boot_mode.is_some()
            || self.license_type.is_some()
    }

    /// The same request with `Status` set.
    pub fn with_status(self, status: AttributeStatus) -> Self {
        Self {
            status: Some(status),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// An image that a task is making: ImportImage's and CopyImage's answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NewImage {
    /// The new image.
    pub image: ImageId,
    /// The import or copy task making it.
    pub task: TaskId,
}

// ---- CreateImage ---------------------------------------------------------------------------

/// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidTagCount` or
/// `Duplicate.TagKey` for its `Tag.N`; then, with an `InstanceId`, the instance's refusals
/// (below), else `InvalidParameter` (`SnapshotId`) when a snapshot is listed twice.
impl Transition for CreateImage {
    type Checked = ();
    type Answer = ImageId;

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        known_region(store, &self.region_id)?;
        check_new_tags(&self.tags)?;
        if let Some(instance) = &self.instance_id {
            return check_imaged_instance(store, caller, &self.region_id, instance);
        }
        let snapshots = &self.snapshot_ids;
        if (0..snapshots.len()).any(|i| snapshots[..i].contains(&snapshots[i])) {
            return Err(Error::InvalidParameter(Parameter::SnapshotId));
        }
        Ok(())
    }

    /// A new private custom image of the caller's, Creating, built from the snapshots, or
    /// from new snapshots of the instance's disks.
    fn change(&self, store: &mut ImageStore, caller: &AccountId, (): ()) -> ImageId {
        let (snapshots, disks) = match &self.instance_id {
            Some(instance) => snapshot_disks(store, instance),
            None => (self.snapshot_ids.clone(), self.attributes.disks.clone()),
        };
        let id = store.new_image_id();
        checked(
            store.insert_image(Image {
                status: ImageStatus::Creating,
                snapshots,
                attributes: ImageAttributes {
                    creation_time: Some(store.now()),
                    size_gib: disks.first().and_then(|d| d.size_gib),
                    disks,
                    ..(*self.attributes).clone()
                }
                .boxed(),
                ..Image::custom(id.clone(), caller.clone(), self.region_id.clone())
            }),
        );
        store.tag_new(ResourceType::Image, id.as_str(), &self.tags);
        store.start_work(Work::Creation(id.clone()), WorkKind::ImageCreation);
        id
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// CreateImage's refusals for an instance, in this order: `InvalidInstanceId.NotFound` unless
/// it is the caller's own in the region; `IncorrectInstanceStatus` unless it is Running or
/// Stopped \[D\]; `IncorrectDiskStatus.CreatingSnapshot` while a snapshot of one of its disks
/// is progressing [D code and message; I when]. Costs the instance's disks and their
/// snapshots, whatever the store holds.
fn check_imaged_instance(
    store: &ImageStore,
    caller: &AccountId,
    region: &RegionId,
    instance: &InstanceId,
) -> Result<(), Error> {
    let instance = own_instance(store, caller, Some(region), instance)?;
    if !matches!(
        instance.status,
        InstanceStatus::Running | InstanceStatus::Stopped
    ) {
        return Err(Denial::InstanceNotImageable.into());
    }
    let creating = store.disks_of_instance(instance.id.as_str()).any(|disk| {
        store.snapshots_of_disk(disk.as_str()).any(|s| {
            store
                .snapshot(s.as_str())
                .is_some_and(|s| s.status == SnapshotStatus::Progressing)
        })
    });
    if creating {
        return Err(Denial::DiskCreatingSnapshot.into());
    }
    Ok(())
}

/// A new progressing snapshot of each of the instance's disks, the system disk first, then the
/// data disks in id order \[I\]; and the image's disk mapping of each (its type; device and
/// size are not modelled).
fn snapshot_disks(
    store: &mut ImageStore,
    instance: &InstanceId,
) -> (Vec<SnapshotId>, Vec<DiskMapping>) {
    let mut disks: Vec<(DiskId, DiskType, Option<u32>)> = store
        .disks_of_instance(instance.as_str())
        .filter_map(|d| store.disk(d.as_str()))
        .map(|d| (d.id.clone(), d.disk_type, d.size_gib))
        .collect();
    disks.sort_by_key(|(_, t, _)| *t != DiskType::System);
    let mut snapshots = Vec::with_capacity(disks.len());
    let mut mappings = Vec::with_capacity(disks.len());
    for (disk, disk_type, size_gib) in disks {
        snapshots.push(store.snapshot_disk(&disk, None, None));
        mappings.push(DiskMapping {
            disk_type: Some(disk_type),
            size_gib,
            ..DiskMapping::default()
        });
    }
    (snapshots, mappings)
}

// ---- ImportImage ---------------------------------------------------------------------------

/// Refusals, in this order: `MissingParameter.DiskDeviceMapping` without any disk;
/// `MissingParameter` for a disk without its `OSSBucket`, then without its `OSSObject` \[D\];
/// `InvalidRegionId.NotFound`; `InvalidTagCount` or `Duplicate.TagKey` for its `Tag.N`.
impl Transition for ImportImage {
    type Checked = ();
    type Answer = NewImage;

    fn check(&self, store: &ImageStore, _: &AccountId, _: &Profile) -> Result<(), Error> {
        if self.disks.is_empty() {
            return Err(Missing::DiskDeviceMapping.into());
        }
        for disk in &self.disks {
            if disk.oss_bucket.is_none() {
                return Err(Missing::MappingOssBucket.into());
            }
            if disk.oss_object.is_none() {
                return Err(Missing::MappingOssObject.into());
            }
        }
        known_region(store, &self.region_id)?;
        check_new_tags(&self.tags)
    }

    /// A new private custom image of the caller's, Waiting, and the import task making it.
    fn change(&self, store: &mut ImageStore, caller: &AccountId, (): ()) -> NewImage {
        let image = store.new_image_id();
        let task = store.new_task_id();
        checked(
            store.insert_image(Image {
                status: ImageStatus::Waiting,
                attributes: ImageAttributes {
                    creation_time: Some(store.now()),
                    ..self.imported_attributes()
                }
                .boxed(),
                ..Image::custom(image.clone(), caller.clone(), self.region_id.clone())
            }),
        );
        checked(store.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::ImportImage {
                image: image.clone(),
            },
            created: Some(store.now()),
        }));
        store.tag_new(ResourceType::Image, image.as_str(), &self.tags);
        store.start_work(Work::Task(task.clone()), WorkKind::Import);
        NewImage { image, task }
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

impl ImportImage {
    /// The new image's attributes: the request's, with a disk mapping per imported disk (the
    /// first is the system disk \[D\]) and the system disk's size as the image's.
    fn imported_attributes(&self) -> ImageAttributes {
        let disks: Vec<DiskMapping> = (0..)
            .zip(&self.disks)
            .map(|(n, disk)| DiskMapping {
                device: disk.device.clone(),
                size_gib: disk.size_gib,
                disk_type: Some(if n == 0 {
                    DiskType::System
                } else {
                    DiskType::Data
                }),
                format: disk.format,
                oss_bucket: disk.oss_bucket.clone(),
                oss_object: disk.oss_object.clone(),
            })
            .collect();
        ImageAttributes {
            size_gib: disks.first().and_then(|d| d.size_gib),
            disks,
            ..(*self.attributes).clone()
        }
    }
}

// ---- ExportImage ---------------------------------------------------------------------------

/// Refusals, in this order: `MissingParameter` without `OSSBucket` \[D\];
/// `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the image is the caller's own
/// in the region; `OperationDenied.CommunityImage` for a community image;
/// `IncorrectImageStatus` unless it is Available (and not still being imported or copied);
/// `ImageIsExporting` while another export of it runs.
impl Transition for ExportImage {
    type Checked = ();
    type Answer = TaskId;

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        if self.oss_bucket.is_none() {
            return Err(Missing::OssBucket.into());
        }
        known_region(store, &self.region_id)?;
        let entry = own_image(store, caller, &self.region_id, &self.image_id)?;
        if entry.image.visibility.community {
            return Err(Denial::CommunityImageExport.into());
        }
        if entry.image.status != ImageStatus::Available || still_being_made(entry) {
            return Err(Denial::ImageNotAvailable.into());
        }
        if entry.running().exports > 0 {
            return Err(Denial::ImageIsExporting.into());
        }
        Ok(())
    }

    /// An export task on the image.
    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) -> TaskId {
        let task = store.new_task_id();
        checked(store.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::ExportImage {
                image: self.image_id.clone(),
            },
            created: Some(store.now()),
        }));
        store.start_work(Work::Task(task.clone()), WorkKind::Export);
        task
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

// ---- CopyImage -----------------------------------------------------------------------------

/// Refusals, in this order: `InvalidRegionId.NotFound`; `DestinationRegion.NotFound`;
/// `InvalidParameter` for a `KMSKeyId` without `Encrypted=true` \[I\];
/// `InvalidTagCount` or `Duplicate.TagKey` for its `Tag.N` (which go on the copy);
/// `InvalidImageId.NotFound` unless the image is the caller's own in the region (copying an
/// image shared with the caller is not modelled \[I\]); `OperationDenied.CommunityImage` for a
/// community image; `IncorrectImageStatus` unless it is Available (and not still being imported
/// or copied; a Deprecated image cannot be copied \[D\]).
impl Transition for CopyImage {
    type Checked = ();
    type Answer = NewImage;

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        known_region(store, &self.region_id)?;
        if !store.has_region(self.destination_region_id.as_str()) {
            return Err(NotFound::DestinationRegion.into());
        }
        if self.kms_key_id.is_some() && self.encrypted != Some(true) {
            return Err(Malformed::KmsKeyId.into());
        }
        check_new_tags(&self.tags)?;
        let entry = own_image(store, caller, &self.region_id, &self.image_id)?;
        if entry.image.visibility.community {
            return Err(Denial::CommunityImageCopy.into());
        }
        if entry.image.status != ImageStatus::Available || still_being_made(entry) {
            return Err(Denial::CopySourceNotAvailable.into());
        }
        Ok(())
    }

    /// A private copy in the destination region, Creating, and the copy task making it. The
    /// copy lists no snapshots (its own are made in the destination region and are not
    /// modelled) \[I\].
    fn change(&self, store: &mut ImageStore, caller: &AccountId, (): ()) -> NewImage {
        let image = store.new_image_id();
        let task = store.new_task_id();
        // The copy is the same image: it keeps the source's attributes, under its new name
        // and description when given \[D: same content; I: what it keeps\].
        let mut attributes = store
            .image(self.image_id.as_str())
            .map(|source| source.attributes().clone())
            .unwrap_or_default();
        if let Some(name) = &self.destination_image_name {
            attributes.name = Some(name.clone());
        }
        if let Some(description) = &self.destination_description {
            attributes.description = Some(description.clone());
        }
        if self.encrypted == Some(true) {
            attributes.encrypted = true;
            if let Some(key) = &self.kms_key_id {
                attributes.kms_key_id = Some(key.clone());
            }
        }
        attributes
            .resource_group_id
            .clone_from(&self.resource_group_id);
        attributes.creation_time = Some(store.now());
        checked(store.insert_image(Image {
            status: ImageStatus::Creating,
            attributes: attributes.boxed(),
            ..Image::custom(
                image.clone(),
                caller.clone(),
                self.destination_region_id.clone(),
            )
        }));
        checked(store.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::CopyImage {
                source: self.image_id.clone(),
                destination: image.clone(),
            },
            created: Some(store.now()),
        }));
        store.tag_new(ResourceType::Image, image.as_str(), &self.tags);
        store.start_work(Work::Task(task.clone()), WorkKind::Copy);
        NewImage { image, task }
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

// ---- CancelCopyImage -----------------------------------------------------------------------

/// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the
/// image is the caller's own in the region; `ImageCreatedNotFromCopy` for an image no copy
/// made; `IncorrectImageStatus` for a copy that has finished ("The image is copied
/// finished."), failed ("The Image copy has been failed.") or, in a hand-built store, was
/// cancelled and is still there ("The specified image is not coping."); `CancelNotSupported`
/// when other tasks run on the copy (hand-built stores only).
impl Transition for CancelCopyImage {
    /// The running copy task.
    type Checked = TaskId;
    type Answer = ();

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<TaskId, Error> {
        known_region(store, &self.region_id)?;
        let entry = own_image(store, caller, &self.region_id, &self.image_id)?;
        let task = store
            .copy_task_into(self.image_id.as_str())
            .ok_or(Denial::NotCreatedFromCopy)?;
        if let Some(ended) = store.ended_task(task.as_str()) {
            return Err(match ended.end {
                TaskEnd::Finished => Denial::CopyFinished,
                TaskEnd::Failed => Denial::CopyFailed,
                TaskEnd::Cancelled => Denial::NotCopying,
            }
            .into());
        }
        let running = entry.running();
        if running.imports + running.exports + running.copies_out > 0 {
            return Err(Denial::CopyNotCancellable.into());
        }
        Ok(task.clone())
    }

    /// Ends the copy task as cancelled and removes the copy; the source is unchanged.
    fn change(&self, store: &mut ImageStore, _: &AccountId, task: TaskId) {
        store.end_task(task.as_str(), TaskEnd::Cancelled);
        store.remove_image(self.image_id.as_str());
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

// ---- ModifyImageAttribute ------------------------------------------------------------------

/// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the
/// image is the caller's own in the region; `InvalidStatus.ImageIsCreating` when it changes an
/// attribute other than `Status` of a Creating image [D code; I when]; then, with `Status`
/// only: `IncorrectImageStatus`
/// \[I\] unless it is Available or Deprecated (and not still being imported or copied); to
/// deprecate, a shared image must be unshared first, `ImageUseShared` in the profile's catalog
/// [D rule, I code], and a community image unpublished first, `Image.Public` \[I\].
impl Transition for ModifyImageAttribute {
    type Checked = ();
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        profile: &Profile,
    ) -> Result<(), Error> {
        known_region(store, &self.region_id)?;
        let entry = own_image(store, caller, &self.region_id, &self.image_id)?;
        if self.changes_attributes() && entry.image.status == ImageStatus::Creating {
            return Err(Denial::ImageIsCreating.into());
        }
        let Some(status) = self.status else {
            return Ok(());
        };
        let changeable = matches!(
            entry.image.status,
            ImageStatus::Available | ImageStatus::Deprecated
        );
        if !changeable || still_being_made(entry) {
            return Err(Denial::StatusChangeNotAllowed.into());
        }
        if status == AttributeStatus::Deprecated {
            if !entry.image.visibility.shared_with.is_empty() {
                return Err(Error::Blocked {
                    blocker: Blocker::Shared,
                    catalog: profile.catalog,
                });
            }
            if entry.image.visibility.community {
                return Err(Denial::ImagePublic.into());
            }
        }
        Ok(())
    }

    /// Sets the attributes and the status given; one left out keeps its value.
    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) {
        if self.changes_attributes() {
            fn set<T: Clone>(to: &Option<T>, value: &mut Option<T>) {
                if let Some(to) = to {
                    *value = Some(to.clone());
                }
            }
            store.change_attributes(self.image_id.as_str(), |attributes| {
                set(&self.image_name, &mut attributes.name);
                set(&self.description, &mut attributes.description);
                set(&self.image_family, &mut attributes.family);
                set(&self.boot_mode, &mut attributes.boot_mode);
                set(&self.license_type, &mut attributes.license_type);
            });
        }
        if let Some(status) = self.status {
            store.set_status(self.image_id.as_str(), status.status());
        }
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

impl ImageStore {
    /// CreateImage: a new private custom image of the caller's, Creating, built from the
    /// request's snapshots. Returns its id. Refused as [`check`](super::check) refuses it.
    pub fn create_image(
        &mut self,
        caller: &AccountId,
        request: CreateImage,
    ) -> Result<ImageId, Error> {
        self.idempotent(caller, &request, &Profile::default())
    }

    /// The service finishes a CreateImage: the image becomes Available. Not an API call.
    ///
    /// Refusals: `InvalidImageId.NotFound` for an image the store does not hold;
    /// `IncorrectImageStatus` \[I\] for one that is not Creating, or that an import or a copy is
    /// making (their tasks finish those).
    pub fn finish_create_image(&mut self, image: &ImageId) -> Result<(), Error> {
        self.end_create_image(image, ImageStatus::Available)
    }

    /// The service fails a CreateImage: the image becomes CreateFailed. Not an API call.
    /// Refused as [`finish_create_image`](Self::finish_create_image) is.
    pub fn fail_create_image(&mut self, image: &ImageId) -> Result<(), Error> {
        self.end_create_image(image, ImageStatus::CreateFailed)
    }

    fn end_create_image(&mut self, image: &ImageId, status: ImageStatus) -> Result<(), Error> {
        let entry = self.entry(image.as_str()).ok_or(NotFound::Image)?;
        if entry.image.status != ImageStatus::Creating || still_being_made(entry) {
            return Err(Denial::NotBeingCreated.into());
        }
        self.set_status(image.as_str(), status);
        // The snapshots made with the image (CreateImage from an instance) end with it.
        let made = if status == ImageStatus::Available {
            SnapshotStatus::Accomplished
        } else {
            SnapshotStatus::Failed
        };
        let snapshots = self.image(image.as_str()).map(|i| i.snapshots.clone());
        for snapshot in snapshots.into_iter().flatten() {
            if self
                .snapshot(snapshot.as_str())
                .is_some_and(|s| s.status == SnapshotStatus::Progressing)
            {
                self.end_snapshot(snapshot.as_str(), made);
            }
        }
        Ok(())
    }

    /// ImportImage: a new private custom image of the caller's, Waiting, and the import task
    /// that makes it.
    pub fn import_image(
        &mut self,
        caller: &AccountId,
        request: ImportImage,
    ) -> Result<NewImage, Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// ExportImage: an export task on one of the caller's images. Returns the task's id.
    pub fn export_image(
        &mut self,
        caller: &AccountId,
        request: ExportImage,
    ) -> Result<TaskId, Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// CopyImage: a private copy of one of the caller's images in the destination region,
    /// Creating, and the copy task that makes it.
    pub fn copy_image(
        &mut self,
        caller: &AccountId,
        request: CopyImage,
    ) -> Result<NewImage, Error> {
        self.idempotent(caller, &request, &Profile::default())
    }

    /// CancelCopyImage: ends the running copy into the image and removes the copy; the source
    /// is unchanged. The copy task is kept as cancelled.
    pub fn cancel_copy_image(
        &mut self,
        caller: &AccountId,
        request: CancelCopyImage,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// ModifyImageAttribute: deprecates one of the caller's images, or makes a deprecated one
    /// Available again; messages in `profile`'s catalog.
    pub fn modify_image_attribute(
        &mut self,
        caller: &AccountId,
        request: ModifyImageAttribute,
        profile: &Profile,
    ) -> Result<(), Error> {
        self.transition(caller, &request, profile)
    }
}
