//! The actions that make, copy, export and change images: CreateImage (and its completion or
//! failure), ImportImage, ExportImage, CopyImage, CancelCopyImage and ModifyImageAttribute.
//! An import's or a copy's completion, failure and cancellation are in [`task`](super::task).

use crate::ids::{AccountId, ImageId, RegionId, SnapshotId, TaskId};
use crate::model::{Image, ImageStatus, Task, TaskEnd, TaskKind};
use crate::store::ImageStore;

use super::{LifecycleError, checked, known_region, own_image, still_being_made};

/// CreateImage: a new custom image of the caller's, made from snapshots
/// (`DiskDeviceMapping.N.SnapshotId`). It starts Creating; the service later finishes it
/// ([`ImageStore::finish_create_image`]) or fails it ([`ImageStore::fail_create_image`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateImage {
    /// `RegionId`: where the image is made.
    pub region_id: RegionId,
    /// The snapshots it is built from, each at most once; may be empty \[I\].
    pub snapshot_ids: Vec<SnapshotId>,
}

impl CreateImage {
    /// A request without snapshots.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            snapshot_ids: Vec::new(),
        }
    }

    /// The same request with one more snapshot.
    pub fn snapshot(mut self, snapshot_id: SnapshotId) -> Self {
        self.snapshot_ids.push(snapshot_id);
        self
    }
}

/// ImportImage: a new custom image of the caller's, Waiting while its import task runs. The
/// task then completes (Available), fails (CreateFailed) or is cancelled (the image is removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportImage {
    /// `RegionId`: where the image is imported.
    pub region_id: RegionId,
}

impl ImportImage {
    /// A request.
    pub fn new(region_id: RegionId) -> Self {
        Self { region_id }
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
}

impl ExportImage {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
        }
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
}

impl CopyImage {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId, destination_region_id: RegionId) -> Self {
        Self {
            region_id,
            image_id,
            destination_region_id,
        }
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
}

impl CancelCopyImage {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
        }
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

/// ModifyImageAttribute with `Status`: deprecates one of the caller's images or makes it
/// Available again. (The action's other attributes, name and description and so on, play no
/// part in DeleteImage and are not modelled.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifyImageAttribute {
    /// `RegionId`: the image's region.
    pub region_id: RegionId,
    /// `ImageId`: the image.
    pub image_id: ImageId,
    /// `Status`: the new status.
    pub status: AttributeStatus,
}

impl ModifyImageAttribute {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId, status: AttributeStatus) -> Self {
        Self {
            region_id,
            image_id,
            status,
        }
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

impl ImageStore {
    /// CreateImage: a new private custom image of the caller's, Creating, built from the
    /// request's snapshots. Returns its id.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidParameter` when a snapshot
    /// is listed twice.
    pub fn create_image(
        &mut self,
        caller: &AccountId,
        request: CreateImage,
    ) -> Result<ImageId, LifecycleError> {
        known_region(self, &request.region_id)?;
        let listed_twice = request
            .snapshot_ids
            .iter()
            .enumerate()
            .any(|(i, s)| request.snapshot_ids[..i].contains(s));
        if listed_twice {
            return Err(LifecycleError::DuplicateSnapshot);
        }
        let id = self.new_image_id();
        checked(self.insert_image(Image {
            status: ImageStatus::Creating,
            snapshots: request.snapshot_ids,
            ..Image::custom(id.clone(), caller.clone(), request.region_id)
        }));
        Ok(id)
    }

    /// The service finishes a CreateImage: the image becomes Available. Not an API call.
    ///
    /// Refusals: `InvalidImageId.NotFound` for an image the store does not hold;
    /// `IncorrectImageStatus` \[I\] for one that is not Creating, or that an import or a copy is
    /// making (their tasks finish those).
    pub fn finish_create_image(&mut self, image: &ImageId) -> Result<(), LifecycleError> {
        self.end_create_image(image, ImageStatus::Available)
    }

    /// The service fails a CreateImage: the image becomes CreateFailed. Not an API call.
    /// Refused as [`finish_create_image`](Self::finish_create_image) is.
    pub fn fail_create_image(&mut self, image: &ImageId) -> Result<(), LifecycleError> {
        self.end_create_image(image, ImageStatus::CreateFailed)
    }

    fn end_create_image(
        &mut self,
        image: &ImageId,
        status: ImageStatus,
    ) -> Result<(), LifecycleError> {
        let entry = self
            .entry(image.as_str())
            .ok_or(LifecycleError::ImageNotFound)?;
        if entry.image.status != ImageStatus::Creating || still_being_made(entry) {
            return Err(LifecycleError::NotBeingCreated);
        }
        self.set_status(image.as_str(), status);
        Ok(())
    }

    /// ImportImage: a new private custom image of the caller's, Waiting, and the import task
    /// that makes it.
    ///
    /// Refusal: `InvalidRegionId.NotFound`.
    pub fn import_image(
        &mut self,
        caller: &AccountId,
        request: ImportImage,
    ) -> Result<NewImage, LifecycleError> {
        known_region(self, &request.region_id)?;
        let image = self.new_image_id();
        let task = self.new_task_id();
        checked(self.insert_image(Image {
            status: ImageStatus::Waiting,
            ..Image::custom(image.clone(), caller.clone(), request.region_id)
        }));
        checked(self.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::ImportImage {
                image: image.clone(),
            },
        }));
        Ok(NewImage { image, task })
    }

    /// ExportImage: an export task on one of the caller's images. Returns the task's id.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless
    /// the image is the caller's own in the region; `OperationDenied.CommunityImage` for a
    /// community image; `IncorrectImageStatus` unless it is Available (and not still being
    /// imported or copied); `ImageIsExporting` while another export of it runs.
    pub fn export_image(
        &mut self,
        caller: &AccountId,
        request: ExportImage,
    ) -> Result<TaskId, LifecycleError> {
        known_region(self, &request.region_id)?;
        let entry = own_image(self, caller, &request.region_id, &request.image_id)?;
        if entry.image.visibility.community {
            return Err(LifecycleError::CommunityImageExport);
        }
        if entry.image.status != ImageStatus::Available || still_being_made(entry) {
            return Err(LifecycleError::ImageNotAvailable);
        }
        if entry.running.exports > 0 {
            return Err(LifecycleError::ImageIsExporting);
        }
        let task = self.new_task_id();
        checked(self.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::ExportImage {
                image: request.image_id,
            },
        }));
        Ok(task)
    }

    /// CopyImage: a private copy of one of the caller's images in the destination region,
    /// Creating, and the copy task that makes it. The copy lists no snapshots (its own are made
    /// in the destination region and are not modelled) \[I\].
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `DestinationRegion.NotFound`;
    /// `InvalidImageId.NotFound` unless the image is the caller's own in the region (copying an
    /// image shared with the caller is not modelled \[I\]); `OperationDenied.CommunityImage` for
    /// a community image; `IncorrectImageStatus` unless it is Available (and not still being
    /// imported or copied; a Deprecated image cannot be copied \[D\]).
    pub fn copy_image(
        &mut self,
        caller: &AccountId,
        request: CopyImage,
    ) -> Result<NewImage, LifecycleError> {
        known_region(self, &request.region_id)?;
        if !self.has_region(request.destination_region_id.as_str()) {
            return Err(LifecycleError::DestinationRegionNotFound);
        }
        let entry = own_image(self, caller, &request.region_id, &request.image_id)?;
        if entry.image.visibility.community {
            return Err(LifecycleError::CommunityImageCopy);
        }
        if entry.image.status != ImageStatus::Available || still_being_made(entry) {
            return Err(LifecycleError::CopySourceNotAvailable);
        }
        let image = self.new_image_id();
        let task = self.new_task_id();
        checked(self.insert_image(Image {
            status: ImageStatus::Creating,
            ..Image::custom(image.clone(), caller.clone(), request.destination_region_id)
        }));
        checked(self.insert_task(Task {
            id: task.clone(),
            kind: TaskKind::CopyImage {
                source: request.image_id,
                destination: image.clone(),
            },
        }));
        Ok(NewImage { image, task })
    }

    /// CancelCopyImage: ends the running copy into the image and removes the copy; the source
    /// is unchanged. The copy task is kept as cancelled.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless
    /// the image is the caller's own in the region; `ImageCreatedNotFromCopy` for an image no
    /// copy made; `IncorrectImageStatus` for a copy that has finished ("The image is copied
    /// finished."), failed ("The Image copy has been failed.") or, in a hand-built store, was
    /// cancelled and is still there ("The specified image is not coping."); `CancelNotSupported`
    /// when other tasks run on the copy (hand-built stores only).
    pub fn cancel_copy_image(
        &mut self,
        caller: &AccountId,
        request: CancelCopyImage,
    ) -> Result<(), LifecycleError> {
        known_region(self, &request.region_id)?;
        let entry = own_image(self, caller, &request.region_id, &request.image_id)?;
        let task = self
            .copy_task_into(request.image_id.as_str())
            .ok_or(LifecycleError::NotCreatedFromCopy)?;
        if let Some(ended) = self.ended_task(task.as_str()) {
            return Err(match ended.end {
                TaskEnd::Finished => LifecycleError::CopyFinished,
                TaskEnd::Failed => LifecycleError::CopyFailed,
                TaskEnd::Cancelled => LifecycleError::NotCopying,
            });
        }
        let running = entry.running;
        if running.imports + running.exports + running.copies_out > 0 {
            return Err(LifecycleError::CopyNotCancellable);
        }
        let task = task.clone();
        self.end_task(task.as_str(), TaskEnd::Cancelled);
        self.remove_image(request.image_id.as_str());
        Ok(())
    }

    /// ModifyImageAttribute `Status`: deprecates one of the caller's images, or makes a
    /// deprecated one Available again. Setting the status it already has succeeds and changes
    /// nothing.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless
    /// the image is the caller's own in the region; `IncorrectImageStatus` \[I\] unless it is
    /// Available or Deprecated (and not still being imported or copied); to deprecate, a shared
    /// image must be unshared first, `ImageUseShared` [D rule, I code], and a community image
    /// unpublished first, `Image.Public` \[I\].
    pub fn modify_image_attribute(
        &mut self,
        caller: &AccountId,
        request: ModifyImageAttribute,
    ) -> Result<(), LifecycleError> {
        known_region(self, &request.region_id)?;
        let entry = own_image(self, caller, &request.region_id, &request.image_id)?;
        let changeable = matches!(
            entry.image.status,
            ImageStatus::Available | ImageStatus::Deprecated
        );
        if !changeable || still_being_made(entry) {
            return Err(LifecycleError::StatusChangeNotAllowed);
        }
        if request.status == AttributeStatus::Deprecated {
            if !entry.image.visibility.shared_with.is_empty() {
                return Err(LifecycleError::ImageShared);
            }
            if entry.image.visibility.community {
                return Err(LifecycleError::ImagePublic);
            }
        }
        self.set_status(request.image_id.as_str(), request.status.status());
        Ok(())
    }
}
