//! Running tasks end: CancelTask (imports and exports), and the service completing or failing
//! an import, an export or a copy.

use crate::error::{Denial, Error, NotFound};
use crate::ids::{AccountId, ImageId, RegionId, TaskId};
use crate::model::{ImageStatus, TaskEnd, TaskKind};
use crate::profile::Profile;
use crate::store::ImageStore;

use super::{Transition, known_region};

/// CancelTask: cancels one of the caller's running ImportImage or ExportImage tasks \[D\]. A
/// cancelled import removes its image; a cancelled export leaves the image as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelTask {
    /// `RegionId`: the task's region.
    pub region_id: RegionId,
    /// `TaskId`: the task.
    pub task_id: TaskId,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl CancelTask {
    /// A request.
    pub fn new(region_id: RegionId, task_id: TaskId) -> Self {
        Self {
            region_id,
            task_id,
            dry_run: false,
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidTaskId.NotFound` unless the
/// task (running or ended) is the caller's in the region; `InvalidTaskId.TaskActionNotSupport`
/// for a copy task (CancelCopyImage cancels copies) [I when];
/// `InvalidTaskId.IncorrectTaskStatus` for a task that has ended; `CancelTaskFailed` when other
/// tasks run on the image an import would remove (hand-built stores only) [I when].
impl Transition for CancelTask {
    /// The image an import is making, removed with it.
    type Checked = Option<ImageId>;
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        _: &Profile,
    ) -> Result<Option<ImageId>, Error> {
        known_region(store, &self.region_id)?;
        let id = self.task_id.as_str();
        let (kind, running) = if let Some(task) = store.task(id) {
            let (owner, region) = store.task_owner_and_region(task).ok_or(NotFound::Task)?;
            if owner != caller || *region != self.region_id {
                return Err(NotFound::Task.into());
            }
            (&task.kind, true)
        } else if let Some(task) = store.ended_task(id) {
            if task.owner != *caller || task.region != self.region_id {
                return Err(NotFound::Task.into());
            }
            (&task.kind, false)
        } else {
            return Err(NotFound::Task.into());
        };
        if matches!(kind, TaskKind::CopyImage { .. }) {
            return Err(Denial::TaskActionNotSupported.into());
        }
        if !running {
            return Err(Denial::TaskNotRunning.into());
        }
        match kind {
            TaskKind::ImportImage { image } => {
                let others = store.entry(image.as_str()).map(|e| e.running());
                if others.is_some_and(|r| r.exports + r.copies_out + r.copies_in > 0) {
                    return Err(Denial::CancelTaskFailed.into());
                }
                Ok(Some(image.clone()))
            }
            _ => Ok(None),
        }
    }

    /// Ends the task as cancelled; for an import, the image being imported is removed with it.
    fn change(&self, store: &mut ImageStore, _: &AccountId, doomed_image: Option<ImageId>) {
        store.end_task(self.task_id.as_str(), TaskEnd::Cancelled);
        if let Some(image) = doomed_image {
            store.remove_image(image.as_str());
        }
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

impl ImageStore {
    /// CancelTask: ends one of the caller's running imports or exports as cancelled.
    pub fn cancel_task(&mut self, caller: &AccountId, request: CancelTask) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// The service completes a running task: an import makes its image Available, a copy makes
    /// the copy Available, an export just ends. Not an API call.
    ///
    /// Refusals: `InvalidTaskId.NotFound` for a task the store never held;
    /// `InvalidTaskId.IncorrectTaskStatus` for one that has ended.
    pub fn complete_task(&mut self, task: &TaskId) -> Result<(), Error> {
        self.end_running_task(task, TaskEnd::Finished, ImageStatus::Available)
    }

    /// The service fails a running task: an import's image or a copy becomes CreateFailed, an
    /// export just ends. Not an API call. Refused as [`complete_task`](Self::complete_task) is.
    pub fn fail_task(&mut self, task: &TaskId) -> Result<(), Error> {
        self.end_running_task(task, TaskEnd::Failed, ImageStatus::CreateFailed)
    }

    fn end_running_task(
        &mut self,
        task: &TaskId,
        end: TaskEnd,
        made: ImageStatus,
    ) -> Result<(), Error> {
        let Some(running) = self.task(task.as_str()) else {
            return Err(if self.ended_task(task.as_str()).is_some() {
                Error::from(Denial::TaskNotRunning)
            } else {
                Error::from(NotFound::Task)
            });
        };
        let made_image = match &running.kind {
            TaskKind::ImportImage { image } => Some(image.clone()),
            TaskKind::CopyImage { destination, .. } => Some(destination.clone()),
            TaskKind::ExportImage { .. } => None,
        };
        self.end_task(task.as_str(), end);
        if let Some(image) = made_image {
            self.set_status(image.as_str(), made);
        }
        Ok(())
    }
}
