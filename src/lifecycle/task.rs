//! Running tasks end: CancelTask (imports and exports), and the service completing or failing
//! an import, an export or a copy.

use crate::ids::{AccountId, RegionId, TaskId};
use crate::model::{ImageStatus, TaskEnd, TaskKind};
use crate::store::ImageStore;

use super::{LifecycleError, known_region};

/// CancelTask: cancels one of the caller's running ImportImage or ExportImage tasks \[D\]. A
/// cancelled import removes its image; a cancelled export leaves the image as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelTask {
    /// `RegionId`: the task's region.
    pub region_id: RegionId,
    /// `TaskId`: the task.
    pub task_id: TaskId,
}

impl CancelTask {
    /// A request.
    pub fn new(region_id: RegionId, task_id: TaskId) -> Self {
        Self { region_id, task_id }
    }
}

impl ImageStore {
    /// CancelTask: ends the task as cancelled; for an import, the image being imported is
    /// removed with it.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidTaskId.NotFound` unless the
    /// task (running or ended) is the caller's in the region; `InvalidTaskId.TaskActionNotSupport`
    /// for a copy task (CancelCopyImage cancels copies) [I when];
    /// `InvalidTaskId.IncorrectTaskStatus` for a task that has ended; `CancelTaskFailed` when
    /// other tasks run on the image an import would remove (hand-built stores only) [I when].
    pub fn cancel_task(
        &mut self,
        caller: &AccountId,
        request: CancelTask,
    ) -> Result<(), LifecycleError> {
        known_region(self, &request.region_id)?;
        let id = request.task_id.as_str();
        let (kind, running) = if let Some(task) = self.task(id) {
            let (owner, region) = self
                .task_owner_and_region(task)
                .ok_or(LifecycleError::TaskNotFound)?;
            if owner != caller || *region != request.region_id {
                return Err(LifecycleError::TaskNotFound);
            }
            (&task.kind, true)
        } else if let Some(task) = self.ended_task(id) {
            if task.owner != *caller || task.region != request.region_id {
                return Err(LifecycleError::TaskNotFound);
            }
            (&task.kind, false)
        } else {
            return Err(LifecycleError::TaskNotFound);
        };
        if matches!(kind, TaskKind::CopyImage { .. }) {
            return Err(LifecycleError::TaskActionNotSupported);
        }
        if !running {
            return Err(LifecycleError::TaskNotRunning);
        }
        let doomed_image = match kind {
            TaskKind::ImportImage { image } => {
                let others = self.entry(image.as_str()).map(|e| e.running);
                if others.is_some_and(|r| r.exports + r.copies_out + r.copies_in > 0) {
                    return Err(LifecycleError::CancelTaskFailed);
                }
                Some(image.clone())
            }
            _ => None,
        };
        self.end_task(id, TaskEnd::Cancelled);
        if let Some(image) = doomed_image {
            self.remove_image(image.as_str());
        }
        Ok(())
    }

    /// The service completes a running task: an import makes its image Available, a copy makes
    /// the copy Available, an export just ends. Not an API call.
    ///
    /// Refusals: `InvalidTaskId.NotFound` for a task the store never held;
    /// `InvalidTaskId.IncorrectTaskStatus` for one that has ended.
    pub fn complete_task(&mut self, task: &TaskId) -> Result<(), LifecycleError> {
        self.end_running_task(task, TaskEnd::Finished, ImageStatus::Available)
    }

    /// The service fails a running task: an import's image or a copy becomes CreateFailed, an
    /// export just ends. Not an API call. Refused as [`complete_task`](Self::complete_task) is.
    pub fn fail_task(&mut self, task: &TaskId) -> Result<(), LifecycleError> {
        self.end_running_task(task, TaskEnd::Failed, ImageStatus::CreateFailed)
    }

    fn end_running_task(
        &mut self,
        task: &TaskId,
        end: TaskEnd,
        made: ImageStatus,
    ) -> Result<(), LifecycleError> {
        let Some(running) = self.task(task.as_str()) else {
            return Err(if self.ended_task(task.as_str()).is_some() {
                LifecycleError::TaskNotRunning
            } else {
                LifecycleError::TaskNotFound
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
