//! The neighbouring ECS actions as transitions of an [`ImageStore`] (docs/contract.md §6), so that a
//! simulator reaches the states DeleteImage refuses the way the real service reaches them.
//!
//! Every action has DeleteImage's shape. A typed request ([`Action`]); a pure [`check`] that
//! reads the store, changes nothing, and answers a refusal ([`Error`]) or a [`Plan`]; and
//! [`ImageStore::commit`], which carries a plan out. `DryRun=true` is the check alone: a
//! request that passes every check answers [`Error::DryRunOperation`], at the cost of the
//! check, never of a copy of the store. [`ImageStore::perform`] checks and commits one
//! [`Step`]; each action also has a method named after it that does both and returns its
//! typed answer. A plan changes the store only through the store's structural inserts and
//! removals, so it keeps every invariant the snapshot loader checks.
//!
//! The actions, their requests and methods are tabled in the crate docs.
//!
//! What the service does on its own (an image creation completes or fails, a task finishes or
//! fails) is not an API call and has no caller: [`ImageStore::finish_create_image`],
//! [`ImageStore::fail_create_image`], [`ImageStore::complete_task`] and
//! [`ImageStore::fail_task`].
//!
//! New image (`m-…`), instance (`i-…`) and task (`t-…`) ids come from the store's own
//! deterministic generator when a plan is committed: the same actions on the same store give
//! the same ids, a check never draws one, and a saved [`StoreState`](crate::StoreState) carries the generator's position.
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

mod idempotent;
mod image;
mod instance;
mod share;
mod snapshot;
mod tag;
mod task;

pub use image::{
    AttributeStatus, CancelCopyImage, CopyImage, CreateImage, ExportImage, ImportDisk, ImportImage,
    ModifyImageAttribute, NewImage,
};
pub use instance::{DeleteInstance, InstancePower, MAX_AMOUNT, PowerAction, RunInstances};
pub use share::{MAX_ACCOUNTS_PER_CALL, ModifyImageSharePermission};
pub use snapshot::{CreateSnapshot, MAX_SNAPSHOTS_PER_DISK};
pub use tag::{AddTags, RemoveTags, TagResources, UntagResources};
pub use task::CancelTask;

use crate::error::{Error, NotFound};
use crate::ids::{AccountId, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::profile::Profile;
use crate::rule::known_region;
use crate::rule::{DeleteImageRequest, Outcome, Relation, Verdict, decide, relation};
use crate::snapshot_rule::{
    DeleteSnapshotRequest, SnapshotOutcome, SnapshotVerdict, decide_snapshot,
};
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
    /// StartInstance, StopInstance or RebootInstance.
    InstancePower(InstancePower),
    /// ModifyImageAttribute.
    ModifyImageAttribute(ModifyImageAttribute),
    /// DeleteImage, answered by the rule with the profile given to [`check`].
    DeleteImage(DeleteImageRequest),
    /// TagResources.
    TagResources(TagResources),
    /// UntagResources.
    UntagResources(UntagResources),
    /// DeleteSnapshot, answered by its rule with the profile given to [`check`].
    DeleteSnapshot(DeleteSnapshotRequest),
    /// CreateSnapshot.
    CreateSnapshot(CreateSnapshot),
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
            Action::InstancePower(r) => r.action.name(),
            Action::ModifyImageAttribute(_) => "ModifyImageAttribute",
            Action::DeleteImage(_) => "DeleteImage",
            Action::TagResources(_) => "TagResources",
            Action::UntagResources(_) => "UntagResources",
            Action::DeleteSnapshot(_) => "DeleteSnapshot",
            Action::CreateSnapshot(_) => "CreateSnapshot",
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
    /// A Pending, Starting or Stopping instance becomes Running or Stopped.
    SettleInstance(InstanceId),
    /// A CreateSnapshot completes: the snapshot becomes accomplished.
    FinishSnapshot(SnapshotId),
    /// A CreateSnapshot fails: the snapshot becomes failed.
    FailSnapshot(SnapshotId),
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
    /// RunInstances: the new instances, `Amount` of them, in the order they were made.
    Instances(Vec<InstanceId>),
    /// DeleteImage: what it did.
    DeleteImage(Outcome),
    /// DeleteSnapshot: what it did.
    DeleteSnapshot(SnapshotOutcome),
    /// CreateSnapshot: the new snapshot.
    Snapshot(SnapshotId),
    /// Every other step: done, nothing to report.
    Done,
}

/// One action's two halves: a pure check of a request against the store, and the change a
/// passed check allows. Each request type implements it in the file of its action.
pub(crate) trait Transition {
    /// What the check found that the change needs (e.g. the shares an image will have).
    type Checked;
    /// The action's answer.
    type Answer;
    /// Every refusal of the action, in its documented order; reads the store, changes nothing.
    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        profile: &Profile,
    ) -> Result<Self::Checked, Error>;
    /// The change, for a check that has just passed on this very store.
    fn change(
        &self,
        store: &mut ImageStore,
        caller: &AccountId,
        checked: Self::Checked,
    ) -> Self::Answer;
    /// `DryRun`: check only.
    fn dry_run(&self) -> bool;
}

/// What a request that passed every check will do. Only [`check`] makes one. Like DeleteImage's
/// [`Verdict`], it borrows the question it answers, so that [`ImageStore::commit`] asks it again
/// of the store it is committed to.
#[derive(Debug)]
#[must_use = "a plan does nothing until it is committed"]
pub struct Plan<'r> {
    caller: &'r AccountId,
    action: &'r Action,
    profile: &'r Profile,
    change: Change<'r>,
}

impl<'r> Plan<'r> {
    /// The action the plan carries out.
    pub fn action(&self) -> &'r Action {
        self.action
    }
}

/// A checked request with what its check found.
#[derive(Debug)]
enum Change<'r> {
    CreateImage(&'r CreateImage),
    ImportImage(&'r ImportImage),
    ExportImage(&'r ExportImage),
    CopyImage(&'r CopyImage),
    CancelCopyImage(&'r CancelCopyImage, TaskId),
    CancelTask(&'r CancelTask, Option<ImageId>),
    ModifyImageSharePermission(
        &'r ModifyImageSharePermission,
        <ModifyImageSharePermission as Transition>::Checked,
    ),
    RunInstances(&'r RunInstances),
    DeleteInstance(&'r DeleteInstance, InstanceId),
    InstancePower(&'r InstancePower, <InstancePower as Transition>::Checked),
    ModifyImageAttribute(&'r ModifyImageAttribute),
    DeleteImage(Verdict<'r>),
    TagResources(&'r TagResources),
    UntagResources(&'r UntagResources),
    DeleteSnapshot(SnapshotVerdict<'r>),
    CreateSnapshot(&'r CreateSnapshot),
    /// A repeat of a call made with the same `ClientToken` and parameters: its first answer.
    Repeat(Answer),
}

/// Checks a call without changing anything: every refusal of the action in its documented
/// order, then `DryRun` (a request that would succeed answers [`Error::DryRunOperation`]).
/// Costs what the action's checks cost: a constant number of lookups, whatever the store holds.
pub fn check<'r>(
    store: &ImageStore,
    caller: &'r AccountId,
    action: &'r Action,
    profile: &'r Profile,
) -> Result<Plan<'r>, Error> {
    fn passed<R: Transition>(
        request: &R,
        store: &ImageStore,
        caller: &AccountId,
        profile: &Profile,
    ) -> Result<R::Checked, Error> {
        let checked = request.check(store, caller, profile)?;
        if request.dry_run() {
            return Err(Error::DryRunOperation);
        }
        Ok(checked)
    }
    let change = match action {
        Action::CreateImage(r) => match idempotent::recall(store, caller, r)? {
            Some(first) => Change::Repeat(Answer::Image(first)),
            None => {
                passed(r, store, caller, profile)?;
                Change::CreateImage(r)
            }
        },
        Action::ImportImage(r) => {
            passed(r, store, caller, profile)?;
            Change::ImportImage(r)
        }
        Action::ExportImage(r) => {
            passed(r, store, caller, profile)?;
            Change::ExportImage(r)
        }
        Action::CopyImage(r) => match idempotent::recall(store, caller, r)? {
            Some(first) => Change::Repeat(Answer::NewImage(first)),
            None => {
                passed(r, store, caller, profile)?;
                Change::CopyImage(r)
            }
        },
        Action::CancelCopyImage(r) => {
            Change::CancelCopyImage(r, passed(r, store, caller, profile)?)
        }
        Action::CancelTask(r) => Change::CancelTask(r, passed(r, store, caller, profile)?),
        Action::ModifyImageSharePermission(r) => {
            Change::ModifyImageSharePermission(r, passed(r, store, caller, profile)?)
        }
        Action::RunInstances(r) => match idempotent::recall(store, caller, r)? {
            Some(first) => Change::Repeat(Answer::Instances(first)),
            None => {
                passed(r, store, caller, profile)?;
                Change::RunInstances(r)
            }
        },
        Action::DeleteInstance(r) => Change::DeleteInstance(r, passed(r, store, caller, profile)?),
        Action::InstancePower(r) => Change::InstancePower(r, passed(r, store, caller, profile)?),
        Action::ModifyImageAttribute(r) => {
            passed(r, store, caller, profile)?;
            Change::ModifyImageAttribute(r)
        }
        Action::DeleteImage(r) => Change::DeleteImage(decide(store, caller, r, profile)?),
        Action::TagResources(r) => {
            passed(r, store, caller, profile)?;
            Change::TagResources(r)
        }
        Action::UntagResources(r) => {
            passed(r, store, caller, profile)?;
            Change::UntagResources(r)
        }
        Action::DeleteSnapshot(r) => {
            Change::DeleteSnapshot(decide_snapshot(store, caller, r, profile)?)
        }
        Action::CreateSnapshot(r) => {
            passed(r, store, caller, profile)?;
            Change::CreateSnapshot(r)
        }
    };
    Ok(Plan {
        caller,
        action,
        profile,
        change,
    })
}

impl ImageStore {
    /// Carries out a plan. The plan's question is asked again of this store as it is now (what
    /// [`check`] costs), so a plan made on another store, or before the store changed, gets the
    /// answer this store gives now: possibly a refusal, and then nothing changes.
    pub fn commit(&mut self, plan: Plan<'_>) -> Result<Answer, Error> {
        let now = check(self, plan.caller, plan.action, plan.profile)?;
        Ok(self.carry_out(now.caller, now.change))
    }

    /// Runs one step: an API call (checked with `profile`, then committed) or a progress event.
    /// A refused step changes nothing.
    pub fn perform(&mut self, step: Step, profile: &Profile) -> Result<Answer, Error> {
        match step {
            Step::Progress(progress) => match progress {
                Progress::FinishCreateImage(image) => self.finish_create_image(&image),
                Progress::FailCreateImage(image) => self.fail_create_image(&image),
                Progress::CompleteTask(task) => self.complete_task(&task),
                Progress::FailTask(task) => self.fail_task(&task),
                Progress::SettleInstance(instance) => self.settle_instance(&instance).map(drop),
                Progress::FinishSnapshot(snapshot) => self.finish_snapshot(&snapshot),
                Progress::FailSnapshot(snapshot) => self.fail_snapshot(&snapshot),
            }
            .map(|()| Answer::Done),
            Step::Call { caller, action } => {
                let plan = check(self, &caller, &action, profile)?;
                Ok(self.carry_out(plan.caller, plan.change))
            }
        }
    }

    /// The change of a plan [`check`] has just made on this very store.
    fn carry_out(&mut self, caller: &AccountId, change: Change<'_>) -> Answer {
        match change {
            Change::CreateImage(r) => Answer::Image(self.change_remembered(caller, r, ())),
            Change::ImportImage(r) => Answer::NewImage(r.change(self, caller, ())),
            Change::ExportImage(r) => Answer::Task(r.change(self, caller, ())),
            Change::CopyImage(r) => Answer::NewImage(self.change_remembered(caller, r, ())),
            Change::CancelCopyImage(r, task) => {
                r.change(self, caller, task);
                Answer::Done
            }
            Change::CancelTask(r, doomed) => {
                r.change(self, caller, doomed);
                Answer::Done
            }
            Change::ModifyImageSharePermission(r, visibility) => {
                r.change(self, caller, visibility);
                Answer::Done
            }
            Change::RunInstances(r) => Answer::Instances(self.change_remembered(caller, r, ())),
            Change::DeleteInstance(r, instance) => {
                r.change(self, caller, instance);
                Answer::Done
            }
            Change::InstancePower(r, then) => {
                r.change(self, caller, then);
                Answer::Done
            }
            Change::ModifyImageAttribute(r) => {
                r.change(self, caller, ());
                Answer::Done
            }
            Change::DeleteImage(verdict) => Answer::DeleteImage(self.carry_out_verdict(verdict)),
            Change::TagResources(r) => {
                r.change(self, caller, ());
                Answer::Done
            }
            Change::UntagResources(r) => {
                r.change(self, caller, ());
                Answer::Done
            }
            Change::DeleteSnapshot(verdict) => {
                Answer::DeleteSnapshot(self.carry_out_snapshot_verdict(verdict))
            }
            Change::CreateSnapshot(r) => Answer::Snapshot(r.change(self, caller, ())),
            Change::Repeat(first) => first,
        }
    }

    /// Checks one request and, unless refused (or `DryRun`), carries it out: what each
    /// action's own method does.
    fn transition<R: Transition>(
        &mut self,
        caller: &AccountId,
        request: &R,
        profile: &Profile,
    ) -> Result<R::Answer, Error> {
        let checked = request.check(self, caller, profile)?;
        if request.dry_run() {
            return Err(Error::DryRunOperation);
        }
        Ok(request.change(self, caller, checked))
    }
}

// ---- the checks every action shares ------------------------------------------------------

/// The caller's own custom image in the region; anything else (absent, another account's,
/// system, marketplace, another region) is `InvalidImageId.NotFound` for the actions that act
/// on one's own image \[D\].
fn own_image<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Result<&'s Entry, Error> {
    image_seen_as(store, caller, region, image, |r| r == Relation::Own)
}

/// An image the caller can see in the region: its own, shared with it, community, system or
/// marketplace.
fn visible_image<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Result<&'s Entry, Error> {
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
) -> Result<&'s Entry, Error> {
    let relation = relation(store, caller, region, image);
    store
        .entry(image.as_str())
        .filter(|_| admits(relation))
        .ok_or(NotFound::Image.into())
}

/// Whether an import or an incoming copy is still making the image: whatever its recorded
/// status, it cannot be used, shared or copied yet.
fn still_being_made(entry: &Entry) -> bool {
    entry.running().imports > 0 || entry.running().copies_in > 0
}

/// Unwraps a structural insert that the check allowed: a fault here is a bug in this module,
/// never bad input.
fn checked<T>(result: Result<T, InvariantError>) -> T {
    result.unwrap_or_else(|e| panic!("a checked lifecycle transition broke a store invariant: {e}"))
}
