//! The instance actions: RunInstances makes instances from an image (blocker InUse);
//! StartInstance, StopInstance and RebootInstance move them between statuses; DeleteInstance
//! releases one. The service settles a changing instance on its own
//! ([`ImageStore::settle_instance`]).
//!
//! Which status each action accepts (docs/lifecycle.md, instances) [D: the actions' pages; I
//! where they are silent]:
//!
//! | Action | Accepted in | Then | Otherwise |
//! |---|---|---|---|
//! | StartInstance | Stopped | Starting | `IncorrectInstanceStatus` |
//! | StopInstance | Running | Stopping | `IncorrectInstanceStatus` |
//! | RebootInstance | Running | Starting | `IncorrectInstanceStatus` |
//! | DeleteInstance | Stopped; Running with `Force` | released | Pending: `IncorrectInstanceStatus.Initializing`; else `IncorrectInstanceStatus` |

use crate::error::{Denial, Error, Malformed, NotFound, Parameter};
use crate::idempotence::ClientToken;
use crate::ids::{AccountId, ImageId, InstanceId, RegionId};
use crate::launch::{LaunchSettings, MAX_BANDWIDTH_OUT, ZoneId};
use crate::model::{ImageStatus, Instance, InstanceStatus};
use crate::profile::Profile;
use crate::schedule::{Work, WorkKind};
use crate::store::ImageStore;
use crate::tags::{ResourceType, Tag, check_new_tags};

use super::{Transition, checked, known_region, still_being_made, visible_image};

/// The most instances one RunInstances call makes: `Amount` is 1 to 100 \[D\].
pub const MAX_AMOUNT: u32 = 100;

/// RunInstances: `Amount` instances of the caller's from an image it can see (its own, shared
/// with it, community, system or marketplace), all or none. The instances' own settings
/// ([`LaunchSettings`]: type, name, zone, network) play no part in the rules; they are kept
/// and shown by DescribeInstances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInstances {
    /// `RegionId`: the region of the instances and of the image.
    pub region_id: RegionId,
    /// `ImageId`: the image to launch from.
    pub image_id: ImageId,
    /// `Amount`: how many instances, 1 to [`MAX_AMOUNT`].
    pub amount: u32,
    /// `MinAmount`: the fewest the call may make, 1 to `Amount`. The emulated service never
    /// runs short of resources, so it always makes `Amount` \[I\].
    pub min_amount: Option<u32>,
    /// `InstanceType`, `InstanceName`, `ZoneId`, `SecurityGroupId`/`SecurityGroupIds.N`,
    /// `VSwitchId`, `InternetChargeType`, `InternetMaxBandwidthOut`, `IoOptimized`: every new
    /// instance's settings (its `creation_time` is the store's clock at commit, whatever this
    /// says). Boxed: most requests set few, and an [`Action`](crate::Action) stays small.
    pub launch: Box<LaunchSettings>,
    /// `Tag.N`: tags for every new instance, at most 20, keys unique.
    pub tags: Vec<Tag>,
    /// `ClientToken`: makes a retry answer the first call's answer (crate::idempotence).
    pub client_token: Option<ClientToken>,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl RunInstances {
    /// A request for one instance.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            amount: 1,
            min_amount: None,
            launch: Box::default(),
            tags: Vec::new(),
            client_token: None,
            dry_run: false,
        }
    }

    /// The same request with `Amount` set.
    pub fn with_amount(self, amount: u32) -> Self {
        Self { amount, ..self }
    }

    /// The same request with `MinAmount` set.
    pub fn with_min_amount(self, min_amount: u32) -> Self {
        Self {
            min_amount: Some(min_amount),
            ..self
        }
    }

    /// The same request with these settings for every new instance.
    pub fn with_launch(self, launch: LaunchSettings) -> Self {
        Self {
            launch: Box::new(launch),
            ..self
        }
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

/// DeleteInstance: releases one of the caller's instances; it no longer counts for InUse. A
/// Stopped instance is released; a Running one only with `Force` [D, DeleteInstance].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteInstance {
    /// `RegionId`: the instance's region. The real DeleteInstance has no such parameter (the
    /// SDKs send none); without it, the instance's own region is meant \[I\].
    pub region_id: Option<RegionId>,
    /// `InstanceId`: the instance.
    pub instance_id: InstanceId,
    /// `Force`: release a Running instance too, as if its power were cut \[D\].
    pub force: bool,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl DeleteInstance {
    /// A request for an instance in whatever region it is.
    pub fn new(instance_id: InstanceId) -> Self {
        Self {
            region_id: None,
            instance_id,
            force: false,
            dry_run: false,
        }
    }

    /// The same request with `Force` set.
    pub fn with_force(self, force: bool) -> Self {
        Self { force, ..self }
    }

    /// The same request with `RegionId` set.
    pub fn with_region_id(self, region_id: RegionId) -> Self {
        Self {
            region_id: Some(region_id),
            ..self
        }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// Refusals, in this order: `InvalidParameter` for an `Amount` outside 1 to [`MAX_AMOUNT`];
/// `InvalidMinAmount.Malformed` for a `MinAmount` outside 1 to `Amount`; `InvalidParameter`
/// for an `InternetMaxBandwidthOut` above [`MAX_BANDWIDTH_OUT`];
/// `InvalidRegionId.NotFound`; `InvalidZoneId.NotFound` for a zone not of the region;
/// `InvalidTagCount` or `Duplicate.TagKey` for its `Tag.N` (which
/// go on every new instance); `InvalidImageId.NotFound` unless the caller can see the image in
/// the region; `IncorrectImageStatus` unless the image is Available or Deprecated \[D\] and not
/// still being imported or copied (docs/lifecycle.md, RunInstances). Making
/// an instance changes none of these, so one check stands for every instance of the call.
impl Transition for RunInstances {
    type Checked = ();
    type Answer = Vec<InstanceId>;

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        if !(1..=MAX_AMOUNT).contains(&self.amount) {
            return Err(Error::InvalidParameter(Parameter::Amount));
        }
        if self
            .min_amount
            .is_some_and(|min| !(1..=self.amount).contains(&min))
        {
            return Err(Error::Malformed(Malformed::MinAmount));
        }
        if self
            .launch
            .internet_max_bandwidth_out
            .is_some_and(|out| out > MAX_BANDWIDTH_OUT)
        {
            return Err(Error::InvalidParameter(Parameter::InternetMaxBandwidthOut));
        }
        known_region(store, &self.region_id)?;
        if let Some(zone) = &self.launch.zone_id
            && !zone.in_region(&self.region_id)
        {
            return Err(Error::Malformed(Malformed::ZoneId));
        }
        check_new_tags(&self.tags)?;
        let entry = visible_image(store, caller, &self.region_id, &self.image_id)?;
        let launchable = matches!(
            entry.image.status,
            ImageStatus::Available | ImageStatus::Deprecated
        );
        if !launchable || still_being_made(entry) {
            return Err(Denial::ImageNotAvailable.into());
        }
        Ok(())
    }

    /// `Amount` new instances of the caller's, made from the image, in the order made.
    fn change(&self, store: &mut ImageStore, caller: &AccountId, (): ()) -> Vec<InstanceId> {
        let launch = LaunchSettings {
            zone_id: Some(
                self.launch
                    .zone_id
                    .clone()
                    .unwrap_or_else(|| ZoneId::default_for(&self.region_id)),
            ),
            creation_time: Some(store.now()),
            ..(*self.launch).clone()
        };
        (0..self.amount)
            .map(|_| {
                let id = store.new_instance_id();
                checked(store.insert_instance(Instance {
                    id: id.clone(),
                    owner: caller.clone(),
                    region: self.region_id.clone(),
                    image: self.image_id.clone(),
                    status: InstanceStatus::Pending,
                    image_deleted: false,
                    launch: Some(Box::new(launch.clone())),
                }));
                store.start_work(Work::Instance(id.clone()), WorkKind::Instance);
                store.tag_new(ResourceType::Instance, id.as_str(), &self.tags);
                store.add_system_disk(&id, &self.image_id);
                id
            })
            .collect()
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// The caller's own instance (in `region`, when given). Refusals, in this order:
/// `InvalidRegionId.NotFound` for a region the store does not know;
/// `InvalidInstanceId.NotFound` unless the instance is the caller's own there.
pub(super) fn own_instance<'s>(
    store: &'s ImageStore,
    caller: &AccountId,
    region: Option<&RegionId>,
    id: &InstanceId,
) -> Result<&'s Instance, Error> {
    if let Some(region) = region {
        known_region(store, region)?;
    }
    store
        .instance(id.as_str())
        .filter(|i| i.owner == *caller && region.is_none_or(|r| i.region == *r))
        .ok_or(NotFound::Instance.into())
}

/// Refusals, in this order: those of the caller's own instance (`InvalidRegionId.NotFound`,
/// `InvalidInstanceId.NotFound`); `IncorrectInstanceStatus.Initializing` for a Pending
/// instance; `IncorrectInstanceStatus` for a Running one without `Force`, and for a Starting
/// or Stopping one.
impl Transition for DeleteInstance {
    type Checked = InstanceId;
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        _: &Profile,
    ) -> Result<InstanceId, Error> {
        let instance = own_instance(store, caller, self.region_id.as_ref(), &self.instance_id)?;
        match instance.status {
            InstanceStatus::Stopped => {}
            InstanceStatus::Running if self.force => {}
            InstanceStatus::Pending => return Err(Denial::InstanceInitializing.into()),
            InstanceStatus::Running | InstanceStatus::Starting | InstanceStatus::Stopping => {
                return Err(Denial::IncorrectInstanceStatus.into());
            }
        }
        Ok(self.instance_id.clone())
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, instance: InstanceId) {
        store.remove_instance(instance.as_str());
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// StartInstance, StopInstance and RebootInstance: one of the caller's instances, in the
/// status the action accepts, moves to the status it then has while the service works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePower {
    /// Which of the three actions.
    pub action: PowerAction,
    /// `RegionId`: the instance's region. None of the three actions declares one (the Go SDK
    /// adds one anyway); without it, the instance's own region is meant \[I\].
    pub region_id: Option<RegionId>,
    /// `InstanceId`: the instance.
    pub instance_id: InstanceId,
    /// `ForceStop` (StopInstance, RebootInstance): cut the power instead of shutting the
    /// operating system down. The emulator runs no operating system, so both stop the same
    /// way \[I\]; kept so that a request says what was asked.
    pub force_stop: bool,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

/// StartInstance, StopInstance or RebootInstance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerAction {
    /// StartInstance: Stopped → Starting \[D\].
    Start,
    /// StopInstance: Running → Stopping \[D\].
    Stop,
    /// RebootInstance: Running → Starting \[D\].
    Reboot,
}

impl PowerAction {
    /// The action's name on the wire, e.g. `StopInstance`.
    pub const fn name(self) -> &'static str {
        match self {
            PowerAction::Start => "StartInstance",
            PowerAction::Stop => "StopInstance",
            PowerAction::Reboot => "RebootInstance",
        }
    }

    /// The status the action accepts, and the one it leaves the instance in.
    const fn path(self) -> (InstanceStatus, InstanceStatus) {
        match self {
            PowerAction::Start => (InstanceStatus::Stopped, InstanceStatus::Starting),
            PowerAction::Stop => (InstanceStatus::Running, InstanceStatus::Stopping),
            PowerAction::Reboot => (InstanceStatus::Running, InstanceStatus::Starting),
        }
    }
}

impl InstancePower {
    /// A request for an instance in whatever region it is.
    pub fn new(action: PowerAction, instance_id: InstanceId) -> Self {
        Self {
            action,
            region_id: None,
            instance_id,
            force_stop: false,
            dry_run: false,
        }
    }

    /// The same request with `RegionId` set.
    pub fn with_region_id(self, region_id: RegionId) -> Self {
        Self {
            region_id: Some(region_id),
            ..self
        }
    }

    /// The same request with `ForceStop` set.
    pub fn with_force_stop(self, force_stop: bool) -> Self {
        Self { force_stop, ..self }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// Refusals, in this order: those of the caller's own instance (`InvalidRegionId.NotFound`,
/// `InvalidInstanceId.NotFound`); `IncorrectInstanceStatus` unless the instance is in the
/// status the action accepts.
impl Transition for InstancePower {
    type Checked = InstanceStatus;
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        _: &Profile,
    ) -> Result<InstanceStatus, Error> {
        let instance = own_instance(store, caller, self.region_id.as_ref(), &self.instance_id)?;
        let (accepted, then) = self.action.path();
        if instance.status != accepted {
            return Err(Denial::IncorrectInstanceStatus.into());
        }
        Ok(then)
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, then: InstanceStatus) {
        store.set_instance_status(self.instance_id.as_str(), then);
        store.start_work(Work::Instance(self.instance_id.clone()), WorkKind::Instance);
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

impl ImageStore {
    /// StartInstance, StopInstance or RebootInstance on the caller's instance.
    pub fn power_instance(
        &mut self,
        caller: &AccountId,
        request: InstancePower,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// The service settles a changing instance: Pending and Starting become Running, Stopping
    /// becomes Stopped. Not an API call. Returns the status it settled in.
    ///
    /// Refusals: `InvalidInstanceId.NotFound` for an instance the store does not hold;
    /// `IncorrectInstanceStatus` ("not changing status") for one that is Running or Stopped.
    pub fn settle_instance(&mut self, instance: &InstanceId) -> Result<InstanceStatus, Error> {
        let status = self
            .instance(instance.as_str())
            .ok_or(NotFound::Instance)?
            .status;
        let settled = match status {
            InstanceStatus::Pending | InstanceStatus::Starting => InstanceStatus::Running,
            InstanceStatus::Stopping => InstanceStatus::Stopped,
            InstanceStatus::Running | InstanceStatus::Stopped => {
                return Err(Denial::InstanceNotChanging.into());
            }
        };
        self.set_instance_status(instance.as_str(), settled);
        Ok(settled)
    }

    /// RunInstances: `Amount` new instances of the caller's, made from the image, all or none.
    /// Returns their ids.
    pub fn run_instances(
        &mut self,
        caller: &AccountId,
        request: RunInstances,
    ) -> Result<Vec<InstanceId>, Error> {
        self.idempotent(caller, &request, &Profile::default())
    }

    /// DeleteInstance: releases the caller's instance.
    pub fn delete_instance(
        &mut self,
        caller: &AccountId,
        request: DeleteInstance,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }
}
