//! The neighbouring ECS actions as transitions of an [`ImageStore`] (docs/contract.md §6), so that a
//! simulator reaches the states DeleteImage refuses the way the real service reaches them.
//!
//! Each API action is a method named after it that takes the caller and a typed request and
//! returns the action's answer or a [`LifecycleError`] with the documented HTTP status, code
//! and message. Every transition checks everything first and changes the store only after every
//! check has passed, so a refused transition changes nothing; and it changes the store only
//! through the store's structural inserts and removals, so it keeps every invariant the snapshot
//! loader checks.
//!
//! | Action | Method | Answer |
//! |---|---|---|
//! | CreateImage | [`ImageStore::create_image`] | the new image (Creating) |
//! | ImportImage | [`ImageStore::import_image`] | the new image (Waiting) and its import task |
//! | ExportImage | [`ImageStore::export_image`] | the export task |
//! | CopyImage | [`ImageStore::copy_image`] | the copy (Creating) and its copy task |
//! | CancelCopyImage | [`ImageStore::cancel_copy_image`] | the copy is gone |
//! | CancelTask | [`ImageStore::cancel_task`] | the task is cancelled (an import's image is gone) |
//! | ModifyImageSharePermission | [`ImageStore::modify_image_share_permission`] | shares and publication changed |
//! | RunInstances | [`ImageStore::run_instances`] | the new instance |
//! | DeleteInstance | [`ImageStore::delete_instance`] | the instance is released |
//! | ModifyImageAttribute | [`ImageStore::modify_image_attribute`] | Deprecated / Available |
//! | DeleteImage | [`ImageStore::delete_image`] (in [`rule`](crate::decide)) | [`Outcome`] |
//!
//! What the service does on its own (an image creation completes or fails, a task finishes or
//! fails) is not an API call and has no caller: [`ImageStore::finish_create_image`],
//! [`ImageStore::fail_create_image`], [`ImageStore::complete_task`] and
//! [`ImageStore::fail_task`].
//!
//! [`ImageStore::perform`] runs any of these from data ([`Step`]), which is what a simulator
//! replaying a script or a property test needs.
//!
//! New image (`m-…`), instance (`i-…`) and task (`t-…`) ids come from the store's own
//! deterministic generator: the same actions on the same store give the same ids, and a
//! snapshot carries the generator's position.
//!
//! The full table of effects and refusals, with the source of every code and message, is
//! docs/lifecycle.md.
//!
//! ```
//! use ecs_image_rules::{
//!     AccountId, ApiError, CopyImage, CreateImage, DeleteImageRequest, ImageStore, Profile,
//!     RegionId,
//! };
//!
//! let mut store = ImageStore::new();
//! let alice = AccountId::new("alice")?;
//! let hangzhou = RegionId::new("cn-hangzhou")?;
//! let image = store.create_image(&alice, CreateImage::new(hangzhou.clone()))?;
//! store.finish_create_image(&image)?;
//!
//! let copy = store.copy_image(
//!     &alice,
//!     CopyImage::new(hangzhou.clone(), image.clone(), RegionId::new("cn-beijing")?),
//! )?;
//! let refused = store
//!     .delete_image(&alice, &DeleteImageRequest::new(hangzhou, image), &Profile::default())
//!     .unwrap_err();
//! assert_eq!(refused.code(), "OperationDenied.ImageCopying");
//!
//! store.complete_task(&copy.task)?;
//! assert_eq!(store.image(copy.image.as_str()).unwrap().status.as_str(), "Available");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod image;
mod instance;
mod share;
mod task;

pub use error::LifecycleError;
pub use image::{
    AttributeStatus, CancelCopyImage, CopyImage, CreateImage, ExportImage, ImportImage,
    ModifyImageAttribute, NewImage,
};
pub use instance::{DeleteInstance, RunInstances};
pub use share::{MAX_ACCOUNTS_PER_CALL, ModifyImageSharePermission};
pub use task::CancelTask;

use crate::ids::{AccountId, ImageId, InstanceId, RegionId, TaskId};
use crate::profile::Profile;
use crate::rule::{DeleteImageRequest, Outcome, Relation, relation};
use crate::store::{Entry, ImageStore, InvariantError};

/// An API action with its typed request: what a caller asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// CreateImage.
    CreateImage(CreateImage),
    /// ImportImage.
    ImportImage(ImportImage),
    /// ExportImage.
    ExportImage(ExportImage),
    /// CopyImage.
    CopyImage(CopyImage),
    /// CancelCopyImage.
    CancelCopyImage(CancelCopyImage),
    /// CancelTask.
    CancelTask(CancelTask),
    /// ModifyImageSharePermission.
    ModifyImageSharePermission(ModifyImageSharePermission),
    /// RunInstances.
    RunInstances(RunInstances),
    /// DeleteInstance.
    DeleteInstance(DeleteInstance),
    /// ModifyImageAttribute.
    ModifyImageAttribute(ModifyImageAttribute),
    /// DeleteImage, answered by the rule with the profile given to [`ImageStore::perform`].
    DeleteImage(DeleteImageRequest),
}

impl Action {
    /// The action's name on the wire, e.g. `CopyImage`.
    pub const fn name(&self) -> &'static str {
        match self {
            Action::CreateImage(_) => "CreateImage",
            Action::ImportImage(_) => "ImportImage",
            Action::ExportImage(_) => "ExportImage",
            Action::CopyImage(_) => "CopyImage",
            Action::CancelCopyImage(_) => "CancelCopyImage",
            Action::CancelTask(_) => "CancelTask",
            Action::ModifyImageSharePermission(_) => "ModifyImageSharePermission",
            Action::RunInstances(_) => "RunInstances",
            Action::DeleteInstance(_) => "DeleteInstance",
            Action::ModifyImageAttribute(_) => "ModifyImageAttribute",
            Action::DeleteImage(_) => "DeleteImage",
        }
    }
}

/// Something the service does on its own, without a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A CreateImage completes: the image becomes Available.
    FinishCreateImage(ImageId),
    /// A CreateImage fails: the image becomes CreateFailed.
    FailCreateImage(ImageId),
    /// A running import, export or copy completes.
    CompleteTask(TaskId),
    /// A running import, export or copy fails.
    FailTask(TaskId),
}

/// One step of a simulation: a call by an account, or the service's own progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `caller` calls an API action.
    Call {
        /// The account making the call.
        caller: AccountId,
        /// What it asks for.
        action: Action,
    },
    /// The service moves on by itself.
    Progress(Progress),
}

/// What a successful step answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// CreateImage: the new image.
    Image(ImageId),
    /// ImportImage and CopyImage: the new image and the task making it.
    NewImage(NewImage),
    /// ExportImage: the export task.
    Task(TaskId),
    /// RunInstances: the new instance.
    Instance(InstanceId),
    /// DeleteImage: what it did.
    DeleteImage(Outcome),
    /// Every other step: done, nothing to report.
    Done,
}

impl ImageStore {
    /// Runs one step: an API call (DeleteImage answered with `profile`) or a progress event.
    /// A refused step changes nothing.
    pub fn perform(&mut self, step: Step, profile: &Profile) -> Result<Answer, LifecycleError> {
        let (caller, action) = match step {
            Step::Progress(progress) => {
                return match progress {
                    Progress::FinishCreateImage(image) => self.finish_create_image(&image),
                    Progress::FailCreateImage(image) => self.fail_create_image(&image),
                    Progress::CompleteTask(task) => self.complete_task(&task),
                    Progress::FailTask(task) => self.fail_task(&task),
                }
                .map(|()| Answer::Done);
            }
            Step::Call { caller, action } => (caller, action),
        };
        let caller = &caller;
        match action {
            Action::CreateImage(r) => self.create_image(caller, r).map(Answer::Image),
            Action::ImportImage(r) => self.import_image(caller, r).map(Answer::NewImage),
            Action::ExportImage(r) => self.export_image(caller, r).map(Answer::Task),
            Action::CopyImage(r) => self.copy_image(caller, r).map(Answer::NewImage),
            Action::CancelCopyImage(r) => self.cancel_copy_image(caller, r).map(|()| Answer::Done),
            Action::CancelTask(r) => self.cancel_task(caller, r).map(|()| Answer::Done),
            Action::ModifyImageSharePermission(r) => self
                .modify_image_share_permission(caller, r)
                .map(|()| Answer::Done),
            Action::RunInstances(r) => self.run_instances(caller, r).map(Answer::Instance),
            Action::DeleteInstance(r) => self.delete_instance(caller, r).map(|()| Answer::Done),
            Action::ModifyImageAttribute(r) => self
                .modify_image_attribute(caller, r)
                .map(|()| Answer::Done),
            Action::DeleteImage(r) => self
                .delete_image(caller, &r, profile)
                .map(Answer::DeleteImage)
                .map_err(LifecycleError::from),
        }
    }
}

// ---- the checks every action shares ------------------------------------------------------

/// `RegionId` must name a region the store knows.
fn known_region(store: &ImageStore, region: &RegionId) -> Result<(), LifecycleError> {
    if store.has_region(region.as_str()) {
        Ok(())
    } else {
        Err(LifecycleError::RegionNotFound)
    }
}

/// The caller's own custom image in the region; anything else (absent, another account's,
/// system, marketplace, another region) is `InvalidImageId.NotFound` for the actions that act
/// on one's own image \[D\].
fn own_image<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Result<&'s Entry, LifecycleError> {
    image_seen_as(store, caller, region, image, |r| r == Relation::Own)
}

/// An image the caller can see in the region: its own, shared with it, community, system or
/// marketplace.
fn visible_image<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Result<&'s Entry, LifecycleError> {
    image_seen_as(store, caller, region, image, |r| r != Relation::Absent)
}

/// The image, when the caller's [`Relation`] to it is one that `admits`; else
/// `InvalidImageId.NotFound`.
fn image_seen_as<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
    admits: impl Fn(Relation) -> bool,
) -> Result<&'s Entry, LifecycleError> {
    let relation = relation(store, caller, region.as_str(), image.as_str());
    store
        .entry(image.as_str())
        .filter(|_| admits(relation))
        .ok_or(LifecycleError::ImageNotFound)
}

/// Whether an import or an incoming copy is still making the image: whatever its recorded
/// status, it cannot be used, shared or copied yet.
fn still_being_made(entry: &Entry) -> bool {
    entry.running.imports > 0 || entry.running.copies_in > 0
}

/// Unwraps a structural insert that the transition checked before changing anything: a fault
/// here is a bug in this module, never bad input.
fn checked<T>(result: Result<T, InvariantError>) -> T {
    result.unwrap_or_else(|e| panic!("a checked lifecycle transition broke a store invariant: {e}"))
}
