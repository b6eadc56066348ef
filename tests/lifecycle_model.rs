//! Model-based test of the lifecycle: random sequences of every action (and of the service's
//! own progress) by several accounts in several regions, run both on `ImageStore` and on a
//! deliberately plain reference model written from docs/lifecycle.md and docs/contract.md
//! (Vecs and linear scans; nothing shared with `src/`). After every step the two must give the
//! same answer and agree on what every account can see; a refused step must leave the
//! serialized store unchanged; the store must always survive a snapshot round trip.
//!
//! Instances go through every status (Pending, Starting, Running, Stopping, Stopped) by
//! StartInstance, StopInstance, RebootInstance, DeleteInstance with and without `Force`, and
//! the service settling them; whatever their status, an instance that exists keeps its image
//! InUse, and a forced DeleteImage takes the re-initialization from all of them.
//!
//! Default size: `DEFAULT_CASES` sequences of up to 60 steps. `LIFECYCLE_CASES=N` raises it
//! for soak runs; `PROPTEST_CASES` is honoured when `LIFECYCLE_CASES` is unset.

use ecs_image_rules::{
    AccountId, Action, Answer, ApiError, AttributeStatus, CancelCopyImage, CancelTask, CopyImage,
    CreateImage, DeleteImageRequest, DeleteInstance, Error, ExportImage, ImageFilter, ImageId,
    ImageSpec, ImageStore, ImportDisk, ImportImage, InstanceId, InstancePower, InstanceStatus,
    ModifyImageAttribute, ModifyImageSharePermission, Outcome, OwnerAlias, PowerAction, Profile,
    Progress, RegionId, RunInstances, SnapshotId, Step, TaskEnd, TaskId, blockers,
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

const DEFAULT_CASES: u32 = 256;

fn config() -> Config {
    let from_env = |name| std::env::var(name).ok().and_then(|v| v.parse::<u32>().ok());
    let cases = from_env("LIFECYCLE_CASES")
        .or_else(|| from_env("PROPTEST_CASES"))
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        ..Config::default()
    }
}

// ---- the world ---------------------------------------------------------------------------

/// Everyone who calls, and everyone an image can be shared with (more than the 10 one call
/// takes, so that the cut-off is exercised).
const ACCOUNTS: [&str; 12] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj",
];
/// Callers are the first four.
const CALLERS: usize = 4;
/// Three regions the store knows and one it does not.
const REGIONS: [&str; 4] = ["cn-hangzhou", "cn-beijing", "us-east-1", "xx-atlantis-1"];
const KNOWN_REGIONS: usize = 3;
const UNKNOWN_REGION: usize = 3;
const SNAPSHOTS: usize = 5;

const ABSENT_IMAGE: &str = "m-neverexisted0000000";
const ABSENT_TASK: &str = "t-neverexisted0000000";
const ABSENT_INSTANCE: &str = "i-neverexisted0000000";

// ---- the answers, written out from docs/lifecycle.md ------------------------------------

type Refusal = (u16, &'static str, &'static str);

const REGION_NOT_FOUND: Refusal = (
    404,
    "InvalidRegionId.NotFound",
    "The specified RegionId does not exist.",
);
const DESTINATION_NOT_FOUND: Refusal = (
    400,
    "DestinationRegion.NotFound",
    "The destination region not found",
);
const IMAGE_NOT_FOUND: Refusal = (
    404,
    "InvalidImageId.NotFound",
    "The specified ImageId does not exist.",
);
const INSTANCE_NOT_FOUND: Refusal = (
    404,
    "InvalidInstanceId.NotFound",
    "The specified InstanceId does not exist.",
);
const INSTANCE_INITIALIZING: Refusal = (
    403,
    "IncorrectInstanceStatus.Initializing",
    "The specified instance status does not support this operation.",
);
const INSTANCE_STATUS: Refusal = (
    403,
    "IncorrectInstanceStatus",
    "The current status of the resource does not support this operation.",
);
const INSTANCE_NOT_CHANGING: Refusal = (
    400,
    "IncorrectInstanceStatus",
    "The specified instance is not changing status.",
);
const TASK_NOT_FOUND: Refusal = (
    400,
    "InvalidTaskId.NotFound",
    "The specified \"TaskId\" is not found.",
);
const TASK_ACTION: Refusal = (
    403,
    "InvalidTaskId.TaskActionNotSupport",
    "The specified task action not support.",
);
const TASK_STATUS: Refusal = (
    403,
    "InvalidTaskId.IncorrectTaskStatus",
    "The specified task status is not invalid.",
);
const NOT_AVAILABLE: Refusal = (
    400,
    "IncorrectImageStatus",
    "The specified Image is not available.",
);
const IS_EXPORTING: Refusal = (403, "ImageIsExporting", "The specified Image is exporting.");
const COMMUNITY_EXPORT: Refusal = (
    400,
    "OperationDenied.CommunityImage",
    "Community image does not support export.",
);
const COMMUNITY_COPY: Refusal = (
    400,
    "OperationDenied.CommunityImage",
    "Community image does not support copy.",
);
const COPY_NOT_AVAILABLE: Refusal = (400, "IncorrectImageStatus", "The image not available.");
const NOT_FROM_COPY: Refusal = (
    400,
    "ImageCreatedNotFromCopy",
    "The specified image is not the target image of a copy action.",
);
const COPY_FINISHED: Refusal = (400, "IncorrectImageStatus", "The image is copied finished.");
const COPY_FAILED: Refusal = (
    400,
    "IncorrectImageStatus",
    "The Image copy has been failed.",
);
const SHARE_SELF: Refusal = (
    404,
    "InvalidAccount.Forbbiden",
    "The specified Account does not yourself.",
);
const SHARE_DEPRECATED: Refusal = (
    403,
    "OperationDenied.InvalidImageStatus",
    "The specified image cannot be shared when it is deprecated.",
);
const SHARE_UNAVAILABLE: Refusal = (
    403,
    "OperationDenied.InvalidImageStatus",
    "The specified image cannot be shared when it is not available.",
);
const IMAGE_PUBLIC: Refusal = (403, "Image.Public", "The specified image is public image.");
const IMAGE_NOT_PUBLIC: Refusal = (
    403,
    "Image.NotPublic",
    "The specified image is not public image.",
);
const IS_PUBLIC_CONFLICT: Refusal = (
    403,
    "InvalidParameter.IsPublic",
    "The specified parameter IsPublic is conflicted with other parameters.",
);
const SHARE_QUOTA: Refusal = (
    403,
    "QuotaExceed.ShareImageUser",
    "The shared Image user Quota exceeds.",
);
const DEPRECATE_SHARED: Refusal = (
    403,
    "ImageUseShared",
    "The specified image has been shared to others.",
);
const STATUS_CHANGE: Refusal = (
    400,
    "IncorrectImageStatus",
    "The current status of the image does not support this operation.",
);
const NOT_BEING_CREATED: Refusal = (
    400,
    "IncorrectImageStatus",
    "The specified image is not being created.",
);
const DUPLICATE_SNAPSHOT: Refusal = (
    400,
    "InvalidParameter",
    "The specified parameter \"SnapshotId\" is not valid.",
);
const DRY_RUN: Refusal = (
    400,
    "DryRunOperation",
    "Request validation has been passed with DryRun flag set.",
);
const IMPORTING: Refusal = (403, "ImageIsImporting", "The specified Image is importing.");
const EXPORTING: Refusal = (
    403,
    "ImageIsExporting",
    "The specified Image is exporting. Please cancel task first.",
);
const COPYING: Refusal = (403, "OperationDenied.ImageCopying", "The Image is coping.");
const PUBLIC: Refusal = (
    403,
    "ImageIsPublic",
    "You can not delete public image, please modify it to private.",
);
const SHARED: Refusal = (
    403,
    "ImageUseShared",
    "The specified image has been shared to others.",
);
const IN_USE: Refusal = (
    403,
    "ImageUsingByInstance",
    "The specified image has been used to create instances.",
);

// ---- the reference model -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Creating,
    Waiting,
    Available,
    CreateFailed,
    Deprecated,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Creating => "Creating",
            Status::Waiting => "Waiting",
            Status::Available => "Available",
            Status::CreateFailed => "CreateFailed",
            Status::Deprecated => "Deprecated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Account(usize),
    System,
    Marketplace,
}

#[derive(Debug, Clone)]
struct Img {
    /// The id of a seeded image; created images get theirs from the store.
    seeded_id: Option<String>,
    owner: Owner,
    region: usize,
    status: Status,
    community: bool,
    shares: Vec<usize>,
    snapshots: Vec<usize>,
    exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Import(usize),
    Export(usize),
    Copy { source: usize, copy: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskState {
    Running,
    Finished,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone)]
struct Tsk {
    work: Work,
    owner: usize,
    region: usize,
    state: TaskState,
}

/// An instance's status, from docs/lifecycle.md's instance table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Power {
    /// Made by RunInstances, not yet settled by the service.
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
}

/// StartInstance, StopInstance, RebootInstance: the status each accepts, and the one it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    Start,
    Stop,
    Reboot,
}

impl Switch {
    fn path(self) -> (Power, Power) {
        match self {
            Switch::Start => (Power::Stopped, Power::Starting),
            Switch::Stop => (Power::Running, Power::Stopping),
            Switch::Reboot => (Power::Running, Power::Starting),
        }
    }
}

#[derive(Debug, Clone)]
struct Inst {
    owner: usize,
    region: usize,
    image: usize,
    exists: bool,
    power: Power,
}

/// What a successful step answered, as far as the model can say without ids.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Made {
    Image,
    ImageAndTask,
    Task,
    Instance,
    Deleted {
        losing: Vec<usize>,
        released: Vec<usize>,
    },
    Ignored,
    Done,
}

#[derive(Debug, Clone, Default)]
struct Model {
    images: Vec<Img>,
    tasks: Vec<Tsk>,
    instances: Vec<Inst>,
    last: Option<Result<Made, Refusal>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sight {
    Own,
    Visible,
    Absent,
}

impl Model {
    fn seeded() -> Self {
        let mut model = Model::default();
        for (region, name) in REGIONS.iter().enumerate().take(KNOWN_REGIONS) {
            for (prefix, owner) in [("sys", Owner::System), ("mkt", Owner::Marketplace)] {
                model.images.push(Img {
                    seeded_id: Some(format!("{prefix}-{name}")),
                    owner,
                    region,
                    status: Status::Available,
                    community: false,
                    shares: Vec::new(),
                    snapshots: Vec::new(),
                    exists: true,
                });
            }
        }
        model
    }

    fn sight(&self, who: usize, region: usize, image: Option<usize>) -> Sight {
        let Some(img) = image.map(|i| &self.images[i]) else {
            return Sight::Absent;
        };
        if !img.exists || img.region != region {
            return Sight::Absent;
        }
        match img.owner {
            Owner::System | Owner::Marketplace => Sight::Visible,
            Owner::Account(owner) if owner == who => Sight::Own,
            Owner::Account(_) if img.community || img.shares.contains(&who) => Sight::Visible,
            Owner::Account(_) => Sight::Absent,
        }
    }

    fn running_on(&self, image: usize) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for task in self.tasks.iter().filter(|t| t.state == TaskState::Running) {
            match task.work {
                Work::Import(i) if i == image => counts.0 += 1,
                Work::Export(i) if i == image => counts.1 += 1,
                Work::Copy { source, copy } => {
                    if source == image {
                        counts.2 += 1;
                    }
                    if copy == image {
                        counts.3 += 1;
                    }
                }
                _ => {}
            }
        }
        counts
    }

    fn being_made(&self, image: usize) -> bool {
        let (imports, _, _, copies_in) = self.running_on(image);
        imports > 0 || copies_in > 0
    }

    fn usable(&self, image: usize, statuses: &[Status]) -> bool {
        statuses.contains(&self.images[image].status) && !self.being_made(image)
    }

    fn own(&self, caller: usize, region: usize, image: Option<usize>) -> Result<usize, Refusal> {
        if region == UNKNOWN_REGION {
            return Err(REGION_NOT_FOUND);
        }
        match self.sight(caller, region, image) {
            Sight::Own => Ok(image.expect("an own image exists")),
            _ => Err(IMAGE_NOT_FOUND),
        }
    }

    fn new_image(
        &mut self,
        owner: usize,
        region: usize,
        status: Status,
        snapshots: &[usize],
    ) -> usize {
        self.images.push(Img {
            seeded_id: None,
            owner: Owner::Account(owner),
            region,
            status,
            community: false,
            shares: Vec::new(),
            snapshots: snapshots.to_vec(),
            exists: true,
        });
        self.images.len() - 1
    }

    /// The caller's own instance; `region` is sent, so it must be known and the instance's.
    fn own_instance(
        &self,
        caller: usize,
        region: usize,
        instance: Option<usize>,
    ) -> Result<usize, Refusal> {
        if region == UNKNOWN_REGION {
            return Err(REGION_NOT_FOUND);
        }
        instance
            .filter(|&n| {
                let i = &self.instances[n];
                i.exists && i.owner == caller && i.region == region
            })
            .ok_or(INSTANCE_NOT_FOUND)
    }

    fn new_task(&mut self, work: Work, owner: usize, region: usize) {
        self.tasks.push(Tsk {
            work,
            owner,
            region,
            state: TaskState::Running,
        });
    }

    fn step(&mut self, t: &Transition) -> Result<Made, Refusal> {
        use Transition as T;
        let known = |region: usize| {
            if region == UNKNOWN_REGION {
                Err(REGION_NOT_FOUND)
            } else {
                Ok(())
            }
        };
        match t {
            T::Create {
                caller,
                region,
                snapshots,
            } => {
                known(*region)?;
                let twice = (0..snapshots.len()).any(|i| snapshots[..i].contains(&snapshots[i]));
                if twice {
                    return Err(DUPLICATE_SNAPSHOT);
                }
                self.new_image(*caller, *region, Status::Creating, snapshots);
                Ok(Made::Image)
            }
            T::Import { caller, region } => {
                known(*region)?;
                let image = self.new_image(*caller, *region, Status::Waiting, &[]);
                self.new_task(Work::Import(image), *caller, *region);
                Ok(Made::ImageAndTask)
            }
            T::Export {
                caller,
                region,
                image,
            } => {
                let i = self.own(*caller, *region, *image)?;
                if self.images[i].community {
                    return Err(COMMUNITY_EXPORT);
                }
                if !self.usable(i, &[Status::Available]) {
                    return Err(NOT_AVAILABLE);
                }
                if self.running_on(i).1 > 0 {
                    return Err(IS_EXPORTING);
                }
                self.new_task(Work::Export(i), *caller, *region);
                Ok(Made::Task)
            }
            T::Copy {
                caller,
                region,
                image,
                destination,
            } => {
                known(*region)?;
                if *destination == UNKNOWN_REGION {
                    return Err(DESTINATION_NOT_FOUND);
                }
                let i = self.own(*caller, *region, *image)?;
                if self.images[i].community {
                    return Err(COMMUNITY_COPY);
                }
                if !self.usable(i, &[Status::Available]) {
                    return Err(COPY_NOT_AVAILABLE);
                }
                let copy = self.new_image(*caller, *destination, Status::Creating, &[]);
                self.new_task(Work::Copy { source: i, copy }, *caller, *destination);
                Ok(Made::ImageAndTask)
            }
            T::CancelCopy {
                caller,
                region,
                image,
            } => {
                let i = self.own(*caller, *region, *image)?;
                let task = self
                    .tasks
                    .iter()
                    .position(|t| matches!(t.work, Work::Copy { copy, .. } if copy == i))
                    .ok_or(NOT_FROM_COPY)?;
                match self.tasks[task].state {
                    TaskState::Finished => return Err(COPY_FINISHED),
                    TaskState::Failed => return Err(COPY_FAILED),
                    TaskState::Cancelled => unreachable!("a cancelled copy is gone"),
                    TaskState::Running => {}
                }
                self.tasks[task].state = TaskState::Cancelled;
                self.images[i].exists = false;
                Ok(Made::Done)
            }
            T::CancelTask {
                caller,
                region,
                task,
            } => {
                known(*region)?;
                let t = task
                    .filter(|&t| self.tasks[t].owner == *caller && self.tasks[t].region == *region)
                    .ok_or(TASK_NOT_FOUND)?;
                if matches!(self.tasks[t].work, Work::Copy { .. }) {
                    return Err(TASK_ACTION);
                }
                if self.tasks[t].state != TaskState::Running {
                    return Err(TASK_STATUS);
                }
                self.tasks[t].state = TaskState::Cancelled;
                if let Work::Import(i) = self.tasks[t].work {
                    self.images[i].exists = false;
                }
                Ok(Made::Done)
            }
            T::Share {
                caller,
                region,
                image,
                add,
                remove,
                public,
            } => {
                let i = self.own(*caller, *region, *image)?;
                let add = &add[..add.len().min(10)];
                let remove = &remove[..remove.len().min(10)];
                if public.is_some() && (!add.is_empty() || !remove.is_empty()) {
                    return Err(IS_PUBLIC_CONFLICT);
                }
                if add.contains(caller) {
                    return Err(SHARE_SELF);
                }
                if !add.is_empty() || *public == Some(true) {
                    if self.images[i].status == Status::Deprecated {
                        return Err(SHARE_DEPRECATED);
                    }
                    if !self.usable(i, &[Status::Available]) {
                        return Err(SHARE_UNAVAILABLE);
                    }
                }
                if !add.is_empty() && self.images[i].community {
                    return Err(IMAGE_PUBLIC);
                }
                if *public == Some(false) && !self.images[i].community {
                    return Err(IMAGE_NOT_PUBLIC);
                }
                let mut shares: Vec<usize> = self.images[i]
                    .shares
                    .iter()
                    .copied()
                    .filter(|a| !remove.contains(a))
                    .collect();
                for a in add {
                    if !shares.contains(a) {
                        shares.push(*a);
                    }
                }
                if shares.len() > 50 {
                    return Err(SHARE_QUOTA);
                }
                self.images[i].shares = shares;
                if let Some(public) = public {
                    self.images[i].community = *public;
                }
                Ok(Made::Done)
            }
            T::Run {
                caller,
                region,
                image,
            } => {
                known(*region)?;
                if self.sight(*caller, *region, *image) == Sight::Absent {
                    return Err(IMAGE_NOT_FOUND);
                }
                let i = image.expect("a visible image exists");
                if !self.usable(i, &[Status::Available, Status::Deprecated]) {
                    return Err(NOT_AVAILABLE);
                }
                self.instances.push(Inst {
                    owner: *caller,
                    region: *region,
                    image: i,
                    exists: true,
                    power: Power::Pending,
                });
                Ok(Made::Instance)
            }
            T::DeleteInstance {
                caller,
                region,
                instance,
                force,
            } => {
                let n = self.own_instance(*caller, *region, *instance)?;
                // Stopped goes; Running only with Force; Pending never; the rest are refused.
                match self.instances[n].power {
                    Power::Stopped => {}
                    Power::Running if *force => {}
                    Power::Pending => return Err(INSTANCE_INITIALIZING),
                    Power::Running | Power::Starting | Power::Stopping => {
                        return Err(INSTANCE_STATUS);
                    }
                }
                self.instances[n].exists = false;
                Ok(Made::Done)
            }
            T::Power {
                switch,
                caller,
                region,
                instance,
            } => {
                let n = self.own_instance(*caller, *region, *instance)?;
                let (accepted, then) = switch.path();
                if self.instances[n].power != accepted {
                    return Err(INSTANCE_STATUS);
                }
                self.instances[n].power = then;
                Ok(Made::Done)
            }
            T::SettleInstance { instance } => {
                let n = instance
                    .filter(|&n| self.instances[n].exists)
                    .ok_or(INSTANCE_NOT_FOUND)?;
                self.instances[n].power = match self.instances[n].power {
                    Power::Pending | Power::Starting => Power::Running,
                    Power::Stopping => Power::Stopped,
                    Power::Running | Power::Stopped => return Err(INSTANCE_NOT_CHANGING),
                };
                Ok(Made::Done)
            }
            T::Attribute {
                caller,
                region,
                image,
                deprecate,
            } => {
                let i = self.own(*caller, *region, *image)?;
                if !self.usable(i, &[Status::Available, Status::Deprecated]) {
                    return Err(STATUS_CHANGE);
                }
                if *deprecate {
                    if !self.images[i].shares.is_empty() {
                        return Err(DEPRECATE_SHARED);
                    }
                    if self.images[i].community {
                        return Err(IMAGE_PUBLIC);
                    }
                }
                self.images[i].status = if *deprecate {
                    Status::Deprecated
                } else {
                    Status::Available
                };
                Ok(Made::Done)
            }
            T::DeleteImage {
                caller,
                region,
                image,
                force,
                dry_run,
            } => {
                known(*region)?;
                let i = match self.sight(*caller, *region, *image) {
                    Sight::Visible => return Err(IMAGE_NOT_FOUND),
                    Sight::Absent => {
                        return if *dry_run {
                            Err(DRY_RUN)
                        } else {
                            Ok(Made::Ignored)
                        };
                    }
                    Sight::Own => image.expect("an own image exists"),
                };
                let (imports, exports, copies_out, copies_in) = self.running_on(i);
                let img = &self.images[i];
                let in_use = self.instances.iter().any(|n| n.exists && n.image == i);
                let blocker = [
                    (imports > 0, IMPORTING),
                    (exports > 0, EXPORTING),
                    (copies_out + copies_in > 0, COPYING),
                    (img.community, PUBLIC),
                    (!img.shares.is_empty(), SHARED),
                    (in_use && !force, IN_USE),
                ]
                .into_iter()
                .find(|(holds, _)| *holds);
                if let Some((_, refusal)) = blocker {
                    return Err(refusal);
                }
                if *dry_run {
                    return Err(DRY_RUN);
                }
                let losing: Vec<usize> = (0..self.instances.len())
                    .filter(|&n| self.instances[n].exists && self.instances[n].image == i)
                    .collect();
                let released: Vec<usize> = img
                    .snapshots
                    .iter()
                    .copied()
                    .filter(|s| {
                        !(0..self.images.len()).any(|j| {
                            j != i && self.images[j].exists && self.images[j].snapshots.contains(s)
                        })
                    })
                    .collect();
                self.images[i].exists = false;
                Ok(Made::Deleted { losing, released })
            }
            T::FinishCreate { image } | T::FailCreate { image } => {
                let i = image
                    .filter(|&i| self.images[i].exists)
                    .ok_or(IMAGE_NOT_FOUND)?;
                if self.images[i].status != Status::Creating || self.being_made(i) {
                    return Err(NOT_BEING_CREATED);
                }
                self.images[i].status = if matches!(t, T::FinishCreate { .. }) {
                    Status::Available
                } else {
                    Status::CreateFailed
                };
                Ok(Made::Done)
            }
            T::CompleteTask { task } | T::FailTask { task } => {
                let t_ix = task.ok_or(TASK_NOT_FOUND)?;
                if self.tasks[t_ix].state != TaskState::Running {
                    return Err(TASK_STATUS);
                }
                let ok = matches!(t, T::CompleteTask { .. });
                self.tasks[t_ix].state = if ok {
                    TaskState::Finished
                } else {
                    TaskState::Failed
                };
                let made = if ok {
                    Status::Available
                } else {
                    Status::CreateFailed
                };
                match self.tasks[t_ix].work {
                    Work::Import(i) | Work::Copy { copy: i, .. } => self.images[i].status = made,
                    Work::Export(_) => {}
                }
                Ok(Made::Done)
            }
        }
    }
}

// ---- transitions -------------------------------------------------------------------------

/// A step, naming images, tasks and instances by their position in the model's lists (the
/// order they were made in); `None` names one that never existed.
#[derive(Debug, Clone)]
enum Transition {
    Create {
        caller: usize,
        region: usize,
        snapshots: Vec<usize>,
    },
    Import {
        caller: usize,
        region: usize,
    },
    Export {
        caller: usize,
        region: usize,
        image: Option<usize>,
    },
    Copy {
        caller: usize,
        region: usize,
        image: Option<usize>,
        destination: usize,
    },
    CancelCopy {
        caller: usize,
        region: usize,
        image: Option<usize>,
    },
    CancelTask {
        caller: usize,
        region: usize,
        task: Option<usize>,
    },
    Share {
        caller: usize,
        region: usize,
        image: Option<usize>,
        add: Vec<usize>,
        remove: Vec<usize>,
        public: Option<bool>,
    },
    Run {
        caller: usize,
        region: usize,
        image: Option<usize>,
    },
    DeleteInstance {
        caller: usize,
        region: usize,
        instance: Option<usize>,
        force: bool,
    },
    Power {
        switch: Switch,
        caller: usize,
        region: usize,
        instance: Option<usize>,
    },
    Attribute {
        caller: usize,
        region: usize,
        image: Option<usize>,
        deprecate: bool,
    },
    DeleteImage {
        caller: usize,
        region: usize,
        image: Option<usize>,
        force: bool,
        dry_run: bool,
    },
    FinishCreate {
        image: Option<usize>,
    },
    FailCreate {
        image: Option<usize>,
    },
    CompleteTask {
        task: Option<usize>,
    },
    FailTask {
        task: Option<usize>,
    },
    SettleInstance {
        instance: Option<usize>,
    },
}

impl Transition {
    fn refs(&self) -> (Option<usize>, Option<usize>, Option<usize>) {
        use Transition as T;
        match self {
            T::Export { image, .. }
            | T::Copy { image, .. }
            | T::CancelCopy { image, .. }
            | T::Share { image, .. }
            | T::Run { image, .. }
            | T::Attribute { image, .. }
            | T::DeleteImage { image, .. }
            | T::FinishCreate { image }
            | T::FailCreate { image } => (*image, None, None),
            T::CancelTask { task, .. } | T::CompleteTask { task } | T::FailTask { task } => {
                (None, *task, None)
            }
            T::DeleteInstance { instance, .. }
            | T::Power { instance, .. }
            | T::SettleInstance { instance } => (None, None, *instance),
            T::Create { .. } | T::Import { .. } => (None, None, None),
        }
    }
}

/// A target: usually one of `preferred` (where the step can succeed), otherwise anything the
/// model ever made, and now and then something that never existed.
fn pick(preferred: Vec<usize>, len: usize) -> BoxedStrategy<Option<usize>> {
    match (preferred.is_empty(), len) {
        (_, 0) => Just(None).boxed(),
        (true, _) => prop_oneof![9 => (0..len).prop_map(Some), 1 => Just(None)].boxed(),
        (false, _) => prop_oneof![
            6 => prop::sample::select(preferred).prop_map(Some),
            3 => (0..len).prop_map(Some),
            1 => Just(None),
        ]
        .boxed(),
    }
}

/// The caller: usually the owner, otherwise anyone.
fn caller_for(owner: Option<usize>) -> BoxedStrategy<usize> {
    match owner {
        Some(owner) => prop_oneof![4 => Just(owner), 1 => 0..CALLERS].boxed(),
        None => (0..CALLERS).boxed(),
    }
}

/// The region: usually the target's, otherwise any (the unknown one included).
fn region_for(home: Option<usize>) -> BoxedStrategy<usize> {
    match home {
        Some(home) => prop_oneof![8 => Just(home), 1 => 0..REGIONS.len()].boxed(),
        None => prop_oneof![8 => 0..KNOWN_REGIONS, 1 => Just(UNKNOWN_REGION)].boxed(),
    }
}

/// (caller, region, image) for a call on an image, the image drawn from `preferred` first.
fn image_target(
    model: &Model,
    preferred: Vec<usize>,
) -> BoxedStrategy<(usize, usize, Option<usize>)> {
    let model = model.clone();
    pick(preferred, model.images.len())
        .prop_flat_map(move |image| {
            let img = image.map(|i| &model.images[i]);
            let owner = img.and_then(|img| match img.owner {
                Owner::Account(owner) => Some(owner),
                Owner::System | Owner::Marketplace => None,
            });
            (
                caller_for(owner),
                region_for(img.map(|img| img.region)),
                Just(image),
            )
        })
        .boxed()
}

/// (caller, region, instance) for a call on an instance, the instance drawn from `preferred`
/// first.
fn instance_target(
    model: &Model,
    preferred: Vec<usize>,
) -> BoxedStrategy<(usize, usize, Option<usize>)> {
    let instances = model.instances.clone();
    pick(preferred, instances.len())
        .prop_flat_map(move |n| {
            let home = n.map(|n| (instances[n].owner, instances[n].region));
            (
                caller_for(home.map(|h| h.0)),
                region_for(home.map(|h| h.1)),
                Just(n),
            )
        })
        .boxed()
}

fn accounts() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        6 => prop::collection::vec(0..ACCOUNTS.len(), 0..3),
        1 => prop::collection::vec(0..ACCOUNTS.len(), 9..13),
    ]
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::seeded()).boxed()
    }

    fn transitions(model: &Model) -> BoxedStrategy<Transition> {
        let images = |keep: &dyn Fn(usize, &Img) -> bool| -> Vec<usize> {
            (0..model.images.len())
                .filter(|&i| model.images[i].exists && keep(i, &model.images[i]))
                .collect()
        };
        let custom = |img: &Img| matches!(img.owner, Owner::Account(_));
        let live = images(&|_, img| custom(img));
        let available = images(&|i, img| {
            custom(img) && img.status == Status::Available && !model.being_made(i)
        });
        let launchable = images(&|i, img| {
            custom(img)
                && matches!(img.status, Status::Available | Status::Deprecated)
                && !model.being_made(i)
        });
        // Early on nothing is Available yet: aim at any live custom image then.
        let available = if available.is_empty() {
            live.clone()
        } else {
            available
        };
        let creating = images(&|i, img| img.status == Status::Creating && !model.being_made(i));
        let copies = images(&|i, _| {
            model
                .tasks
                .iter()
                .any(|t| matches!(t.work, Work::Copy { copy, .. } if copy == i))
        });
        let running: Vec<usize> = (0..model.tasks.len())
            .filter(|&t| model.tasks[t].state == TaskState::Running)
            .collect();
        let live_instances: Vec<usize> = (0..model.instances.len())
            .filter(|&n| model.instances[n].exists)
            .collect();

        let tasks = model.tasks.clone();
        let cancel_task = pick(running.clone(), tasks.len())
            .prop_flat_map(move |task| {
                let home = task.map(|t| (tasks[t].owner, tasks[t].region));
                (
                    caller_for(home.map(|h| h.0)),
                    region_for(home.map(|h| h.1)),
                    Just(task),
                )
            })
            .prop_map(|(caller, region, task)| Transition::CancelTask {
                caller,
                region,
                task,
            });
        let in_power = |power: Power| -> Vec<usize> {
            (0..model.instances.len())
                .filter(|&n| model.instances[n].exists && model.instances[n].power == power)
                .collect()
        };
        let delete_instance = (
            instance_target(model, live_instances),
            prop::bool::weighted(0.7),
        )
            .prop_map(
                |((caller, region, instance), force)| Transition::DeleteInstance {
                    caller,
                    region,
                    instance,
                    force,
                },
            );
        let power = |switch: Switch, preferred: Vec<usize>| {
            instance_target(model, preferred).prop_map(move |(caller, region, instance)| {
                Transition::Power {
                    switch,
                    caller,
                    region,
                    instance,
                }
            })
        };
        let start = power(Switch::Start, in_power(Power::Stopped));
        let stop = power(Switch::Stop, in_power(Power::Running));
        let reboot = power(Switch::Reboot, in_power(Power::Running));
        let share = (
            image_target(model, available.clone()),
            accounts(),
            accounts(),
            prop_oneof![3 => Just(None), 2 => Just(Some(true)), 1 => Just(Some(false))],
        )
            .prop_map(|((caller, region, image), add, remove, public)| {
                // Mostly one kind of change per call, as clients make them.
                let (add, remove) = match public {
                    Some(_) if add.len() % 4 != 0 => (Vec::new(), Vec::new()),
                    _ => (add, remove),
                };
                Transition::Share {
                    caller,
                    region,
                    image,
                    add,
                    remove,
                    public,
                }
            });
        let copy = (
            image_target(model, available.clone()),
            prop_oneof![8 => 0..KNOWN_REGIONS, 1 => Just(UNKNOWN_REGION)],
        )
            .prop_map(|((caller, region, image), destination)| Transition::Copy {
                caller,
                region,
                image,
                destination,
            });
        let delete_image = (
            image_target(model, live.clone()),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.1),
        )
            .prop_map(|((caller, region, image), force, dry_run)| {
                Transition::DeleteImage {
                    caller,
                    region,
                    image,
                    force,
                    dry_run,
                }
            });
        let attribute = (image_target(model, live.clone()), prop::bool::weighted(0.7)).prop_map(
            |((caller, region, image), deprecate)| Transition::Attribute {
                caller,
                region,
                image,
                deprecate,
            },
        );
        let n_images = model.images.len();
        let n_tasks = model.tasks.len();
        let n_instances = model.instances.len();
        let changing: Vec<usize> = (0..n_instances)
            .filter(|&n| {
                let i = &model.instances[n];
                i.exists && matches!(i.power, Power::Pending | Power::Starting | Power::Stopping)
            })
            .collect();
        prop_oneof![
            3 => (0..CALLERS, region_for(None), prop::collection::vec(0..SNAPSHOTS, 0..3))
                .prop_map(|(caller, region, snapshots)| Transition::Create { caller, region, snapshots }),
            2 => (0..CALLERS, region_for(None))
                .prop_map(|(caller, region)| Transition::Import { caller, region }),
            2 => image_target(model, available.clone())
                .prop_map(|(caller, region, image)| Transition::Export { caller, region, image }),
            3 => copy,
            1 => image_target(model, copies)
                .prop_map(|(caller, region, image)| Transition::CancelCopy { caller, region, image }),
            1 => cancel_task,
            5 => share,
            3 => image_target(model, launchable)
                .prop_map(|(caller, region, image)| Transition::Run { caller, region, image }),
            2 => delete_instance,
            2 => start,
            2 => stop,
            1 => reboot,
            3 => pick(changing, n_instances)
                .prop_map(|instance| Transition::SettleInstance { instance }),
            2 => attribute,
            3 => delete_image,
            3 => pick(creating.clone(), n_images).prop_map(|image| Transition::FinishCreate { image }),
            1 => pick(creating, n_images).prop_map(|image| Transition::FailCreate { image }),
            4 => pick(running.clone(), n_tasks).prop_map(|task| Transition::CompleteTask { task }),
            1 => pick(running, n_tasks).prop_map(|task| Transition::FailTask { task }),
        ]
        .boxed()
    }

    fn preconditions(model: &Model, t: &Transition) -> bool {
        let (image, task, instance) = t.refs();
        image.is_none_or(|i| i < model.images.len())
            && task.is_none_or(|i| i < model.tasks.len())
            && instance.is_none_or(|i| i < model.instances.len())
    }

    fn apply(mut model: Model, t: &Transition) -> Model {
        model.last = Some(model.step(t));
        model
    }
}

// ---- the system under test ---------------------------------------------------------------

/// The store, and the ids it handed out in the order the model made the same things.
struct Sut {
    store: ImageStore,
    images: Vec<ImageId>,
    tasks: Vec<TaskId>,
    instances: Vec<InstanceId>,
}

fn account(i: usize) -> AccountId {
    AccountId::new(ACCOUNTS[i]).unwrap()
}

fn region(i: usize) -> RegionId {
    RegionId::new(REGIONS[i]).unwrap()
}

impl Sut {
    fn image(&self, i: Option<usize>) -> ImageId {
        i.map_or_else(
            || ImageId::new(ABSENT_IMAGE).unwrap(),
            |i| self.images[i].clone(),
        )
    }

    fn task(&self, t: Option<usize>) -> TaskId {
        t.map_or_else(
            || TaskId::new(ABSENT_TASK).unwrap(),
            |t| self.tasks[t].clone(),
        )
    }

    fn instance(&self, n: Option<usize>) -> InstanceId {
        n.map_or_else(
            || InstanceId::new(ABSENT_INSTANCE).unwrap(),
            |n| self.instances[n].clone(),
        )
    }

    fn step(&self, t: &Transition) -> Step {
        use Transition as T;
        let call = |caller: &usize, action| Step::Call {
            caller: account(*caller),
            action,
        };
        match t {
            T::Create {
                caller,
                region: r,
                snapshots,
            } => call(
                caller,
                Action::CreateImage(CreateImage {
                    region_id: region(*r),
                    snapshot_ids: snapshots
                        .iter()
                        .map(|s| SnapshotId::new(&format!("s-{s}")).unwrap())
                        .collect(),
                    ..CreateImage::new(region(*r))
                }),
            ),
            T::Import { caller, region: r } => call(
                caller,
                Action::ImportImage(
                    ImportImage::new(region(*r))
                        .add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
                ),
            ),
            T::Export {
                caller,
                region: r,
                image,
            } => call(
                caller,
                Action::ExportImage(
                    ExportImage::new(region(*r), self.image(*image)).with_oss_bucket("bucket"),
                ),
            ),
            T::Copy {
                caller,
                region: r,
                image,
                destination,
            } => call(
                caller,
                Action::CopyImage(CopyImage::new(
                    region(*r),
                    self.image(*image),
                    region(*destination),
                )),
            ),
            T::CancelCopy {
                caller,
                region: r,
                image,
            } => call(
                caller,
                Action::CancelCopyImage(CancelCopyImage::new(region(*r), self.image(*image))),
            ),
            T::CancelTask {
                caller,
                region: r,
                task,
            } => call(
                caller,
                Action::CancelTask(CancelTask::new(region(*r), self.task(*task))),
            ),
            T::Share {
                caller,
                region: r,
                image,
                add,
                remove,
                public,
            } => call(
                caller,
                Action::ModifyImageSharePermission(ModifyImageSharePermission {
                    add_accounts: add.iter().map(|&a| account(a)).collect(),
                    remove_accounts: remove.iter().map(|&a| account(a)).collect(),
                    is_public: *public,
                    ..ModifyImageSharePermission::new(region(*r), self.image(*image))
                }),
            ),
            T::Run {
                caller,
                region: r,
                image,
            } => call(
                caller,
                Action::RunInstances(RunInstances::new(region(*r), self.image(*image))),
            ),
            T::DeleteInstance {
                caller,
                region: r,
                instance,
                force,
            } => call(
                caller,
                Action::DeleteInstance(
                    DeleteInstance::new(self.instance(*instance))
                        .with_region_id(region(*r))
                        .with_force(*force),
                ),
            ),
            T::Power {
                switch,
                caller,
                region: r,
                instance,
            } => {
                let action = match switch {
                    Switch::Start => PowerAction::Start,
                    Switch::Stop => PowerAction::Stop,
                    Switch::Reboot => PowerAction::Reboot,
                };
                call(
                    caller,
                    Action::InstancePower(
                        InstancePower::new(action, self.instance(*instance))
                            .with_region_id(region(*r)),
                    ),
                )
            }
            T::Attribute {
                caller,
                region: r,
                image,
                deprecate,
            } => {
                let status = if *deprecate {
                    AttributeStatus::Deprecated
                } else {
                    AttributeStatus::Available
                };
                call(
                    caller,
                    Action::ModifyImageAttribute(
                        ModifyImageAttribute::new(region(*r), self.image(*image))
                            .with_status(status),
                    ),
                )
            }
            T::DeleteImage {
                caller,
                region: r,
                image,
                force,
                dry_run,
            } => call(
                caller,
                Action::DeleteImage(
                    DeleteImageRequest::new(region(*r), self.image(*image))
                        .with_force(*force)
                        .with_dry_run(*dry_run),
                ),
            ),
            T::FinishCreate { image } => {
                Step::Progress(Progress::FinishCreateImage(self.image(*image)))
            }
            T::FailCreate { image } => {
                Step::Progress(Progress::FailCreateImage(self.image(*image)))
            }
            T::CompleteTask { task } => Step::Progress(Progress::CompleteTask(self.task(*task))),
            T::FailTask { task } => Step::Progress(Progress::FailTask(self.task(*task))),
            T::SettleInstance { instance } => {
                Step::Progress(Progress::SettleInstance(self.instance(*instance)))
            }
        }
    }
}

/// A generated id: the prefix and 20 characters of `[0-9a-z]`, unused so far.
fn assert_fresh(id: &str, prefix: &str, seen: &[&str]) {
    assert!(id.starts_with(prefix), "{id} should start with {prefix}");
    let rest = &id[prefix.len()..];
    assert_eq!(
        rest.len(),
        20,
        "{id} should have 20 characters after {prefix}"
    );
    assert!(
        rest.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{id} should be lowercase alphanumeric"
    );
    assert!(!seen.contains(&id), "{id} was handed out twice");
}

struct LifecycleTest;

impl StateMachineTest for LifecycleTest {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(model: &Model) -> Sut {
        let mut store = ImageStore::new();
        let mut images = Vec::new();
        for img in &model.images {
            let id = img.seeded_id.as_deref().unwrap();
            let region = REGIONS[img.region];
            let spec = match img.owner {
                Owner::System => ImageSpec::system(id, region),
                _ => ImageSpec::marketplace(id, region),
            };
            images.push(store.put(spec).unwrap());
        }
        Sut {
            store,
            images,
            tasks: Vec::new(),
            instances: Vec::new(),
        }
    }

    fn apply(mut sut: Sut, model: &Model, t: Transition) -> Sut {
        let step = sut.step(&t);
        let before = serde_json::to_string(&sut.store).unwrap();
        let answer = sut.store.perform(step.clone(), &Profile::default());
        let expected = model.last.clone().expect("the model answered");
        match (answer, expected) {
            (Err(e), Err(refusal)) => {
                assert_refusal(&e, refusal, &step);
                let after = serde_json::to_string(&sut.store).unwrap();
                assert_eq!(after, before, "refused {step:?} changed the store");
            }
            (Ok(answer), Ok(made)) => sut.record(answer, made, &step),
            (got, want) => panic!("{step:?}: store answered {got:?}, model {want:?}"),
        }
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        let store = &sut.store;
        // The loader's invariants hold: the store survives a snapshot and a JSON round trip.
        let reloaded = ImageStore::from_state(store.to_state()).unwrap();
        assert_eq!(&reloaded, store);
        let json = serde_json::to_string(store).unwrap();
        assert_eq!(&serde_json::from_str::<ImageStore>(&json).unwrap(), store);

        // Every account sees the same images, with the same status, in every known region.
        for (who, who_name) in ACCOUNTS.iter().enumerate() {
            for (r, region_name) in REGIONS.iter().enumerate().take(KNOWN_REGIONS) {
                let seen: Vec<(usize, &str)> = store
                    .visible_images(&account(who), &region(r), &ImageFilter::default())
                    .unwrap()
                    .into_iter()
                    .map(|img| (sut.index_of(&img.id), img.status.as_str()))
                    .collect();
                let mut expected: Vec<(usize, &str)> = (0..model.images.len())
                    .filter(|&i| model.sight(who, r, Some(i)) != Sight::Absent)
                    .map(|i| (i, model.images[i].status.name()))
                    .collect();
                let mut seen_sorted = seen.clone();
                seen_sorted.sort();
                expected.sort();
                assert_eq!(seen_sorted, expected, "{who_name} in {region_name}");
                // The owner alias splits the same set.
                let mine = store
                    .visible_images(
                        &account(who),
                        &region(r),
                        &ImageFilter::default().with_owner_alias(OwnerAlias::Own),
                    )
                    .unwrap()
                    .len();
                let own = expected
                    .iter()
                    .filter(|(i, _)| model.images[*i].owner == Owner::Account(who))
                    .count();
                assert_eq!(mine, own, "self images of {who_name} in {region_name}");
            }
            assert_eq!(
                store
                    .visible_images(
                        &account(who),
                        &region(UNKNOWN_REGION),
                        &ImageFilter::default()
                    )
                    .unwrap_err()
                    .code(),
                "InvalidRegionId.NotFound"
            );
        }

        // Each existing image: shares, publication, blockers.
        for (i, img) in model.images.iter().enumerate() {
            let id = &sut.images[i];
            let Some(stored) = store.image(id.as_str()) else {
                assert!(!img.exists, "{id} is missing from the store");
                continue;
            };
            assert!(img.exists, "{id} should be gone");
            let mut shares: Vec<usize> = stored
                .visibility
                .shared_with
                .iter()
                .map(|a| ACCOUNTS.iter().position(|n| *n == a.as_str()).unwrap())
                .collect();
            let mut expected = img.shares.clone();
            shares.sort();
            expected.sort();
            assert_eq!(shares, expected, "shares of {id}");
            assert_eq!(stored.visibility.community, img.community, "community {id}");
            let (imports, exports, copies_out, copies_in) = model.running_on(i);
            let in_use = model.instances.iter().any(|n| n.exists && n.image == i);
            let expected_blockers: Vec<&str> = [
                (imports > 0, "Importing"),
                (exports > 0, "Exporting"),
                (copies_out + copies_in > 0, "Copying"),
                (img.community, "Public"),
                (!img.shares.is_empty(), "Shared"),
                (in_use, "InUse"),
            ]
            .into_iter()
            .filter(|(holds, _)| *holds)
            .map(|(_, name)| name)
            .collect();
            let names: Vec<String> = blockers(store, id)
                .iter()
                .map(|b| format!("{b:?}"))
                .collect();
            assert_eq!(names, expected_blockers, "blockers of {id}");
            assert_eq!(
                store.is_copy(id.as_str()),
                model
                    .tasks
                    .iter()
                    .any(|t| matches!(t.work, Work::Copy { copy, .. } if copy == i)),
                "IsCopied of {id}"
            );
        }

        // Each instance: still there or released, and whether it can re-initialize.
        for (n, inst) in model.instances.iter().enumerate() {
            let id = sut.instances[n].as_str();
            let can = store.can_reinitialize_system_disk(id);
            let power = match inst.power {
                Power::Pending => InstanceStatus::Pending,
                Power::Starting => InstanceStatus::Starting,
                Power::Running => InstanceStatus::Running,
                Power::Stopping => InstanceStatus::Stopping,
                Power::Stopped => InstanceStatus::Stopped,
            };
            assert_eq!(
                store.instance(id).map(|i| i.status),
                inst.exists.then_some(power),
                "status of {id}"
            );
            if inst.exists {
                let expected =
                    model.sight(inst.owner, inst.region, Some(inst.image)) != Sight::Absent;
                assert_eq!(can, Some(expected), "re-init of {id}");
            } else {
                assert_eq!(can, None, "{id} should be released");
            }
        }
        for (i, _) in model.images.iter().enumerate() {
            let mut made: Vec<usize> = store
                .instances_created_from(sut.images[i].as_str())
                .into_iter()
                .map(|id| sut.instances.iter().position(|x| x == id).unwrap())
                .collect();
            made.sort();
            let expected: Vec<usize> = (0..model.instances.len())
                .filter(|&n| model.instances[n].exists && model.instances[n].image == i)
                .collect();
            assert_eq!(made, expected, "instances from {}", sut.images[i]);
        }

        // Tasks: which run, and how the others ended.
        let running: Vec<usize> = store
            .running_tasks()
            .iter()
            .map(|t| sut.tasks.iter().position(|x| *x == t.task.id).unwrap())
            .collect();
        let mut running = running;
        running.sort();
        let expected: Vec<usize> = (0..model.tasks.len())
            .filter(|&t| model.tasks[t].state == TaskState::Running)
            .collect();
        assert_eq!(running, expected, "running tasks");
        for (t, task) in model.tasks.iter().enumerate() {
            let end = store.ended_task(sut.tasks[t].as_str()).map(|e| e.end);
            let expected = match task.state {
                TaskState::Running => None,
                TaskState::Finished => Some(TaskEnd::Finished),
                TaskState::Failed => Some(TaskEnd::Failed),
                TaskState::Cancelled => Some(TaskEnd::Cancelled),
            };
            assert_eq!(end, expected, "end of {}", sut.tasks[t]);
        }
    }
}

fn assert_refusal(e: &Error, refusal: Refusal, step: &Step) {
    let message = e.message();
    assert_eq!(
        (e.http_status(), e.code(), message.as_ref()),
        refusal,
        "refusal of {step:?}"
    );
    assert_eq!(e.to_string(), refusal.2, "Display of {step:?}");
}

impl Sut {
    fn index_of(&self, id: &ImageId) -> usize {
        self.images.iter().position(|x| x == id).unwrap()
    }

    fn record(&mut self, answer: Answer, made: Made, step: &Step) {
        let images: Vec<&str> = self.images.iter().map(|i| i.as_str()).collect();
        match (answer, made) {
            (Answer::Image(id), Made::Image) => {
                assert_fresh(id.as_str(), "m-", &images);
                self.images.push(id);
            }
            (Answer::NewImage(new), Made::ImageAndTask) => {
                assert_fresh(new.image.as_str(), "m-", &images);
                let tasks: Vec<&str> = self.tasks.iter().map(|i| i.as_str()).collect();
                assert_fresh(new.task.as_str(), "t-", &tasks);
                self.images.push(new.image);
                self.tasks.push(new.task);
            }
            (Answer::Task(id), Made::Task) => {
                let tasks: Vec<&str> = self.tasks.iter().map(|i| i.as_str()).collect();
                assert_fresh(id.as_str(), "t-", &tasks);
                self.tasks.push(id);
            }
            (Answer::Instances(mut ids), Made::Instance) if ids.len() == 1 => {
                let id = ids.remove(0);
                let instances: Vec<&str> = self.instances.iter().map(|i| i.as_str()).collect();
                assert_fresh(id.as_str(), "i-", &instances);
                self.instances.push(id);
            }
            (Answer::DeleteImage(Outcome::Deleted(d)), Made::Deleted { losing, released }) => {
                let mut got: Vec<usize> = d
                    .instances_losing_reinit
                    .iter()
                    .map(|id| self.instances.iter().position(|x| x == id).unwrap())
                    .collect();
                got.sort();
                assert_eq!(got, losing, "instances losing re-init after {step:?}");
                let got: Vec<String> = d
                    .released_snapshots
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect();
                let want: Vec<String> = released.iter().map(|s| format!("s-{s}")).collect();
                assert_eq!(got, want, "released snapshots after {step:?}");
            }
            (Answer::DeleteImage(Outcome::Ignored), Made::Ignored) | (Answer::Done, Made::Done) => {
            }
            (got, want) => panic!("{step:?}: store answered {got:?}, model {want:?}"),
        }
    }
}

prop_state_machine! {
    #![proptest_config(config())]

    #[test]
    fn the_store_agrees_with_the_reference_model(sequential 1..60 => LifecycleTest);
}
