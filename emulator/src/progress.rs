//! The service's own progress as the admin API drives it: `POST /_emulator/tasks/complete`
//! ends running tasks, CreateImage creations and CreateSnapshot creations, and settles
//! changing instances, through the
//! library's service-side transitions; the same code replays its journal record.

use ecs_image_rules::{
    Error, ImageId, ImageStatus, ImageStore, InstanceId, Parameter, SnapshotId, SnapshotStatus,
    TaskId,
};

use crate::error::GatewayError;
use crate::protocol::param;

/// What a `POST /_emulator/tasks/complete` ended.
#[derive(Debug)]
pub(crate) struct Completed {
    /// The tasks ended.
    pub(crate) tasks: Vec<TaskId>,
    /// The images whose creation finished (or failed).
    pub(crate) images: Vec<ImageId>,
    /// The instances settled (Running or Stopped).
    pub(crate) instances: Vec<InstanceId>,
    /// The snapshots whose CreateSnapshot finished (or failed).
    pub(crate) snapshots: Vec<SnapshotId>,
}

impl Completed {
    /// Whether nothing changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.tasks.is_empty()
            && self.images.is_empty()
            && self.instances.is_empty()
            && self.snapshots.is_empty()
    }
}

/// Completes the tasks a `POST /_emulator/tasks/complete` query selects (see [`Selection`]);
/// also how its journal record is replayed.
pub(crate) fn complete_tasks(
    store: &mut ImageStore,
    raw_query: &str,
) -> Result<Completed, GatewayError> {
    Selection::of(raw_query)?.complete(store)
}

/// What `POST /_emulator/tasks/complete` ends: every running task, every CreateImage in
/// progress, every changing instance and every CreateSnapshot in progress, or only the task
/// `TaskId`, or only what runs on the image `ImageId`, or only the instance `InstanceId`, or
/// only the snapshot `SnapshotId`; and how: `Outcome=Finished` (the default) or
/// `Outcome=Failed` (instances settle either way: a start or stop does not fail).
struct Selection {
    task: Option<TaskId>,
    image: Option<ImageId>,
    instance: Option<InstanceId>,
    snapshot: Option<SnapshotId>,
    fail: bool,
}

impl Selection {
    fn of(raw_query: &str) -> Result<Self, GatewayError> {
        let params = query(raw_query);
        let get = |name: &str| param(&params, name).filter(|v| !v.is_empty());
        let task = get("TaskId")
            .map(TaskId::new)
            .transpose()
            .map_err(|_| Error::InvalidParameter(Parameter::TaskId))?;
        let image = get("ImageId")
            .map(ImageId::new)
            .transpose()
            .map_err(|_| Error::InvalidParameter(Parameter::ImageId))?;
        let instance = get("InstanceId")
            .map(InstanceId::new)
            .transpose()
            .map_err(|_| Error::InvalidParameter(Parameter::InstanceId))?;
        let snapshot = get("SnapshotId")
            .map(SnapshotId::new)
            .transpose()
            .map_err(|_| Error::InvalidParameter(Parameter::SnapshotId))?;
        let fail = match get("Outcome") {
            None | Some("Finished") => false,
            Some("Failed") => true,
            Some(_) => return Err(GatewayError::InvalidAdminParameter("Outcome")),
        };
        Ok(Self {
            task,
            image,
            instance,
            snapshot,
            fail,
        })
    }

    /// Ends the selected tasks, then the selected CreateImage creations, then settles the
    /// selected instances, through the library's service-side transitions. A selection by id
    /// that matches nothing is refused.
    fn complete(&self, store: &mut ImageStore) -> Result<Completed, GatewayError> {
        let by_snapshot = self.snapshot.is_some();
        let by_instance = self.instance.is_some() || by_snapshot;
        let tasks: Vec<TaskId> = store
            .tasks()
            .filter(|_| !by_instance)
            .filter(|t| self.task.as_ref().is_none_or(|id| t.id == *id))
            .filter(|t| {
                self.image
                    .as_ref()
                    .is_none_or(|i| t.images().any(|x| x == i))
            })
            .map(|t| t.id.clone())
            .collect();
        // CreateImage is not a task; its creations are finished here too, unless a task was
        // named. The library refuses images that an import or a copy is making; those are
        // skipped (their tasks finish them).
        let mut creating: Vec<ImageId> = if self.task.is_some() || by_instance {
            Vec::new()
        } else {
            store
                .images()
                .filter(|i| i.status == ImageStatus::Creating)
                .filter(|i| self.image.as_ref().is_none_or(|id| i.id == *id))
                .map(|i| i.id.clone())
                .collect()
        };
        creating.sort();
        for task in &tasks {
            let ended = if self.fail {
                store.fail_task(task)
            } else {
                store.complete_task(task)
            };
            ended.map_err(|_| GatewayError::Internal)?;
        }
        let finished: Vec<ImageId> = creating
            .into_iter()
            .filter(|image| {
                let ended = if self.fail {
                    store.fail_create_image(image)
                } else {
                    store.finish_create_image(image)
                };
                ended.is_ok()
            })
            .collect();
        let mut instances: Vec<InstanceId> =
            if self.task.is_some() || self.image.is_some() || by_snapshot {
                Vec::new()
            } else {
                store
                    .instances()
                    .filter(|i| i.status.is_transitional())
                    .filter(|i| self.instance.as_ref().is_none_or(|id| i.id == *id))
                    .map(|i| i.id.clone())
                    .collect()
            };
        instances.sort();
        for instance in &instances {
            store
                .settle_instance(instance)
                .map_err(|_| GatewayError::Internal)?;
        }
        // CreateSnapshot's creations; those an image creation makes end with their image,
        // and the library refuses them.
        let mut snapshots: Vec<SnapshotId> =
            if self.task.is_some() || self.image.is_some() || self.instance.is_some() {
                Vec::new()
            } else {
                store
                    .snapshots()
                    .filter(|s| s.status == SnapshotStatus::Progressing)
                    .filter(|s| self.snapshot.as_ref().is_none_or(|id| s.id == *id))
                    .map(|s| s.id.clone())
                    .collect()
            };
        snapshots.sort();
        snapshots.retain(|snapshot| {
            let ended = if self.fail {
                store.fail_snapshot(snapshot)
            } else {
                store.finish_snapshot(snapshot)
            };
            ended.is_ok()
        });
        let selected = self.task.is_some() || self.image.is_some() || by_instance;
        let completed = Completed {
            tasks,
            images: finished,
            instances,
            snapshots,
        };
        if selected && completed.is_empty() {
            return Err(GatewayError::AdminTaskNotFound);
        }
        Ok(completed)
    }
}

/// The parameters of an admin request's query string.
pub(crate) fn query(raw_query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
