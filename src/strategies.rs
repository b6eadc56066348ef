//! Proptest strategies for property-testing your code against this crate (cargo feature
//! `proptest`): an arbitrary reachable store, an arbitrary request against a store, and an
//! arbitrary action sequence.
//!
//! A sequence cannot name the ids it will create, so it is a list of [`Move`]s: each picks its
//! caller, its target (an image, a task or an instance) and its other parameters by position
//! among what the store holds when the move is played, and [`Move::step`] turns it into a
//! concrete [`Step`] then. Feed the same steps to your implementation and to ours and compare:
//!
//! ```
//! use ecs_image_rules::{Profile, strategies};
//! use proptest::prelude::*;
//!
//! proptest!(|(script in strategies::script(0..30))| {
//!     let mut store = strategies::seeded_store();
//!     for m in &script {
//!         let step = m.step(&store); // your implementation gets `step.clone()`
//!         let before = store.clone();
//!         if store.perform(step, &Profile::default()).is_err() {
//!             prop_assert_eq!(&store, &before); // a refused step changes nothing
//!         }
//!     }
//! });
//! ```
//!
//! Accounts are [`ACCOUNTS`]; regions are [`REGIONS`] plus [`UNKNOWN_REGION`], which the
//! store does not know. [`seeded_store`] holds one system and one marketplace image per region.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::error::Error;
use crate::ids::{AccountId, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::lifecycle::{
    Action, Answer, AttributeStatus, CancelCopyImage, CancelTask, CopyImage, CreateImage,
    DeleteInstance, ExportImage, ImportDisk, ImportImage, InstancePower, ModifyImageAttribute,
    ModifyImageSharePermission, PowerAction, Progress, RunInstances, Step,
};
use crate::model::{Image, ImageKind};
use crate::profile::Profile;
use crate::rule::DeleteImageRequest;
use crate::store::ImageStore;

/// The accounts moves are made by and share with.
pub const ACCOUNTS: [&str; 4] = ["alice", "bob", "carol", "dave"];
/// The known regions moves use.
pub const REGIONS: [&str; 3] = ["cn-hangzhou", "cn-beijing", "us-east-1"];
/// A well-formed region id the store does not know.
pub const UNKNOWN_REGION: &str = "xx-nowhere-1";

/// Ids that name nothing, for moves that miss.
const ABSENT_IMAGE: &str = "m-absent00000000000000";
const ABSENT_TASK: &str = "t-absent00000000000000";
const ABSENT_INSTANCE: &str = "i-absent00000000000000";

/// A store that knows Alibaba Cloud's public regions and holds, in each of [`REGIONS`], a
/// system image `sys-REGION` and a marketplace image `mkt-REGION`.
pub fn seeded_store() -> ImageStore {
    let mut store = ImageStore::new();
    for region in REGIONS {
        let region = RegionId::new(region).expect("well-formed region");
        for (prefix, kind, owner) in [
            ("sys", ImageKind::System, "alibaba-cloud"),
            ("mkt", ImageKind::Marketplace, "alibaba-cloud-marketplace"),
        ] {
            let image = Image {
                kind,
                ..Image::custom(
                    ImageId::new(&format!("{prefix}-{region}")).expect("well-formed image id"),
                    AccountId::new(owner).expect("well-formed account"),
                    region.clone(),
                )
            };
            store
                .insert_image(image)
                .expect("a fresh store takes the seed images");
        }
    }
    store
}

/// Which action or event a [`Move`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CreateImage,
    ImportImage,
    ExportImage,
    CopyImage,
    CancelCopyImage,
    CancelTask,
    Share,
    RunInstances,
    DeleteInstance,
    StartInstance,
    StopInstance,
    RebootInstance,
    ModifyImageAttribute,
    DeleteImage,
    FinishCreateImage,
    FailCreateImage,
    CompleteTask,
    FailTask,
    SettleInstance,
}

/// One move of a script: an action or event whose targets are picked by position among what
/// the store holds when it is played. Build moves with [`script`] or [`a_move`].
#[derive(Debug, Clone)]
pub struct Move {
    kind: Kind,
    /// `None`: the owner of the target; otherwise an index into [`ACCOUNTS`].
    caller: Option<usize>,
    /// Which image, task or instance; `None` names one that does not exist.
    target: Option<Index>,
    /// `None`: the target's region; otherwise an index into [`REGIONS`], or past them the
    /// unknown region.
    region: Option<usize>,
    /// CopyImage's destination: an index into [`REGIONS`] or past them the unknown region.
    destination: usize,
    add: Vec<usize>,
    remove: Vec<usize>,
    is_public: Option<bool>,
    snapshots: Vec<usize>,
    force: bool,
    dry_run: bool,
    deprecate: bool,
}

fn account(i: usize) -> AccountId {
    AccountId::new(ACCOUNTS[i % ACCOUNTS.len()]).expect("well-formed account")
}

fn region(i: usize) -> RegionId {
    RegionId::new(REGIONS.get(i).copied().unwrap_or(UNKNOWN_REGION)).expect("well-formed region")
}

impl Move {
    /// The concrete step this move makes against `store` as it is now.
    pub fn step(&self, store: &ImageStore) -> Step {
        match self.kind {
            Kind::CancelTask | Kind::CompleteTask | Kind::FailTask => self.task_step(store),
            Kind::DeleteInstance
            | Kind::StartInstance
            | Kind::StopInstance
            | Kind::RebootInstance
            | Kind::SettleInstance => self.instance_step(store),
            _ => self.image_step(store),
        }
    }

    fn pick<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        let index = self.target.as_ref()?;
        (!items.is_empty()).then(|| &items[index.index(items.len())])
    }

    fn caller_or(&self, owner: Option<&AccountId>) -> AccountId {
        match (self.caller, owner) {
            (Some(i), _) => account(i),
            (None, Some(owner)) => owner.clone(),
            (None, None) => account(0),
        }
    }

    fn region_or(&self, own: Option<&RegionId>) -> RegionId {
        match (self.region, own) {
            (None, Some(own)) => own.clone(),
            (Some(i), _) => region(i),
            (None, None) => region(0),
        }
    }

    fn image_step(&self, store: &ImageStore) -> Step {
        let mut images: Vec<&Image> = store.images().collect();
        images.sort_by(|a, b| a.id.cmp(&b.id));
        let image = self.pick(&images).copied();
        let id = image.map_or_else(
            || ImageId::new(ABSENT_IMAGE).expect("well-formed"),
            |i| i.id.clone(),
        );
        let caller = self.caller_or(image.map(|i| &i.owner));
        let region_id = self.region_or(image.map(|i| &i.region));
        let accounts = |list: &[usize]| list.iter().map(|&i| account(i)).collect();
        let action = match self.kind {
            Kind::CreateImage => Action::CreateImage(CreateImage {
                snapshot_ids: self
                    .snapshots
                    .iter()
                    .map(|s| SnapshotId::new(&format!("s-{s}")).expect("well-formed"))
                    .collect(),
                ..CreateImage::new(region_id)
            }),
            Kind::ImportImage => Action::ImportImage(
                ImportImage::new(region_id).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
            ),
            Kind::ExportImage => {
                Action::ExportImage(ExportImage::new(region_id, id).with_oss_bucket("bucket"))
            }
            Kind::CopyImage => {
                Action::CopyImage(CopyImage::new(region_id, id, region(self.destination)))
            }
            Kind::CancelCopyImage => Action::CancelCopyImage(CancelCopyImage::new(region_id, id)),
            Kind::Share => Action::ModifyImageSharePermission(ModifyImageSharePermission {
                add_accounts: accounts(&self.add),
                remove_accounts: accounts(&self.remove),
                is_public: self.is_public,
                ..ModifyImageSharePermission::new(region_id, id)
            }),
            Kind::RunInstances => Action::RunInstances(RunInstances::new(region_id, id)),
            Kind::ModifyImageAttribute => {
                let status = if self.deprecate {
                    AttributeStatus::Deprecated
                } else {
                    AttributeStatus::Available
                };
                Action::ModifyImageAttribute(
                    ModifyImageAttribute::new(region_id, id).with_status(status),
                )
            }
            Kind::DeleteImage => Action::DeleteImage(
                DeleteImageRequest::new(region_id, id)
                    .with_force(self.force)
                    .with_dry_run(self.dry_run),
            ),
            Kind::FinishCreateImage => return Step::Progress(Progress::FinishCreateImage(id)),
            Kind::FailCreateImage => return Step::Progress(Progress::FailCreateImage(id)),
            Kind::CancelTask
            | Kind::CompleteTask
            | Kind::FailTask
            | Kind::DeleteInstance
            | Kind::StartInstance
            | Kind::StopInstance
            | Kind::RebootInstance
            | Kind::SettleInstance => unreachable!("handled by task_step and instance_step"),
        };
        Step::Call { caller, action }
    }

    fn task_step(&self, store: &ImageStore) -> Step {
        // Running tasks first, then ended ones: both are worth aiming at.
        let mut tasks: Vec<(TaskId, Option<(AccountId, RegionId)>)> = store
            .running_tasks()
            .into_iter()
            .map(|t| (t.task.id.clone(), Some((t.owner.clone(), t.region.clone()))))
            .collect();
        tasks.extend(
            store
                .ended_tasks()
                .map(|t| (t.id.clone(), Some((t.owner.clone(), t.region.clone())))),
        );
        let (id, home) = self
            .pick(&tasks)
            .cloned()
            .unwrap_or_else(|| (TaskId::new(ABSENT_TASK).expect("well-formed"), None));
        match self.kind {
            Kind::CompleteTask => Step::Progress(Progress::CompleteTask(id)),
            Kind::FailTask => Step::Progress(Progress::FailTask(id)),
            _ => Step::Call {
                caller: self.caller_or(home.as_ref().map(|(o, _)| o)),
                action: Action::CancelTask(CancelTask::new(
                    self.region_or(home.as_ref().map(|(_, r)| r)),
                    id,
                )),
            },
        }
    }

    fn instance_step(&self, store: &ImageStore) -> Step {
        let mut instances: Vec<_> = store.instances().collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        let instance = self.pick(&instances).copied();
        let id = instance.map_or_else(
            || InstanceId::new(ABSENT_INSTANCE).expect("well-formed"),
            |i| i.id.clone(),
        );
        let region_id = self.region_or(instance.map(|i| &i.region));
        let power = |action| {
            Action::InstancePower(
                InstancePower::new(action, id.clone())
                    .with_region_id(region_id.clone())
                    .with_force_stop(self.force),
            )
        };
        let action = match self.kind {
            Kind::SettleInstance => return Step::Progress(Progress::SettleInstance(id)),
            Kind::StartInstance => power(PowerAction::Start),
            Kind::StopInstance => power(PowerAction::Stop),
            Kind::RebootInstance => power(PowerAction::Reboot),
            _ => Action::DeleteInstance(
                DeleteInstance::new(id.clone())
                    .with_region_id(region_id.clone())
                    .with_force(self.force),
            ),
        };
        Step::Call {
            caller: self.caller_or(instance.map(|i| &i.owner)),
            action,
        }
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => Just(Kind::CreateImage),
        2 => Just(Kind::ImportImage),
        2 => Just(Kind::ExportImage),
        3 => Just(Kind::CopyImage),
        1 => Just(Kind::CancelCopyImage),
        1 => Just(Kind::CancelTask),
        4 => Just(Kind::Share),
        3 => Just(Kind::RunInstances),
        2 => Just(Kind::DeleteInstance),
        2 => Just(Kind::StartInstance),
        2 => Just(Kind::StopInstance),
        1 => Just(Kind::RebootInstance),
        3 => Just(Kind::SettleInstance),
        2 => Just(Kind::ModifyImageAttribute),
        3 => Just(Kind::DeleteImage),
        3 => Just(Kind::FinishCreateImage),
        1 => Just(Kind::FailCreateImage),
        4 => Just(Kind::CompleteTask),
        1 => Just(Kind::FailTask),
    ]
}

/// One arbitrary move. Most moves are made by the target's owner in the target's region, and
/// most hit something that exists; the rest miss on purpose.
pub fn a_move() -> impl Strategy<Value = Move> {
    let n = ACCOUNTS.len();
    let parameters = (
        vec(0..n, 0..3),
        vec(0..n, 0..2),
        prop_oneof![6 => Just(None), 1 => Just(Some(true)), 1 => Just(Some(false))],
        vec(0..5usize, 0..3),
        any::<(bool, bool, bool)>(),
    );
    (
        kind(),
        prop_oneof![3 => Just(None), 1 => (0..n).prop_map(Some)],
        prop_oneof![9 => any::<Index>().prop_map(Some), 1 => Just(None)],
        prop_oneof![8 => Just(None), 1 => (0..=REGIONS.len()).prop_map(Some)],
        0..=REGIONS.len(),
        parameters,
    )
        .prop_map(|(kind, caller, target, region, destination, parameters)| {
            let (add, remove, is_public, snapshots, (force, dry_run, deprecate)) = parameters;
            Move {
                kind,
                caller,
                target,
                region,
                destination,
                add,
                remove,
                is_public,
                snapshots,
                force,
                dry_run: dry_run && force,
                deprecate,
            }
        })
}

/// An arbitrary action sequence of `len` moves.
pub fn script(len: impl Into<proptest::collection::SizeRange>) -> impl Strategy<Value = Vec<Move>> {
    vec(a_move(), len)
}

/// Plays a script on a store, each move against the store as the moves before it left it, and
/// returns every step with its answer.
pub fn play(
    store: &mut ImageStore,
    script: &[Move],
    profile: &Profile,
) -> Vec<(Step, Result<Answer, Error>)> {
    script
        .iter()
        .map(|m| {
            let step = m.step(store);
            let answer = store.perform(step.clone(), profile);
            (step, answer)
        })
        .collect()
}

/// An arbitrary store reachable from [`seeded_store`] by up to 60 moves: images in every
/// status, running and ended tasks, shares, community images, instances in every status,
/// deleted images.
pub fn store() -> impl Strategy<Value = ImageStore> {
    script(0..60).prop_map(|script| {
        let mut store = seeded_store();
        play(&mut store, &script, &Profile::default());
        store
    })
}

/// An arbitrary step (a request by an account, or a progress event) against `store`.
pub fn request(store: &ImageStore) -> impl Strategy<Value = Step> + use<> {
    let store = store.clone();
    a_move().prop_map(move |m| m.step(&store))
}

/// An arbitrary reachable store with an arbitrary step against it.
pub fn store_and_request() -> impl Strategy<Value = (ImageStore, Step)> {
    store().prop_flat_map(|store| {
        let step = request(&store);
        (Just(store), step)
    })
}
