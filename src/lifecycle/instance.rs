//! The instance actions: RunInstances makes instances from an image (blocker InUse),
//! DeleteInstance releases one.

use crate::error::{Denial, Error, NotFound, Parameter};
use crate::ids::{AccountId, ImageId, InstanceId, RegionId};
use crate::model::{ImageStatus, Instance};
use crate::profile::Profile;
use crate::store::ImageStore;
use crate::tags::{ResourceType, Tag, check_new_tags};

use super::{Transition, checked, known_region, still_being_made, visible_image};

/// The most instances one RunInstances call makes: `Amount` is 1 to 100 \[D\].
pub const MAX_AMOUNT: u32 = 100;

/// RunInstances: `Amount` instances of the caller's from an image it can see (its own, shared
/// with it, community, system or marketplace), all or none. The instances' own settings play
/// no part in DeleteImage and are not modelled \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInstances {
    /// `RegionId`: the region of the instances and of the image.
    pub region_id: RegionId,
    /// `ImageId`: the image to launch from.
    pub image_id: ImageId,
    /// `Amount`: how many instances, 1 to [`MAX_AMOUNT`].
    pub amount: u32,
    /// `Tag.N`: tags for every new instance, at most 20, keys unique.
    pub tags: Vec<Tag>,
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
            tags: Vec::new(),
            dry_run: false,
        }
    }

    /// The same request with `Amount` set.
    pub fn with_amount(self, amount: u32) -> Self {
        Self { amount, ..self }
    }

    /// The same request with one more `Tag.N`.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// DeleteInstance: releases one of the caller's instances; it no longer counts for InUse.
/// (Instance states and `Force` are not modelled: every instance can be released \[I\].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteInstance {
    /// `RegionId`: the instance's region. The real DeleteInstance has no such parameter (the
    /// SDKs send none); without it, the instance's own region is meant \[I\].
    pub region_id: Option<RegionId>,
    /// `InstanceId`: the instance.
    pub instance_id: InstanceId,
    /// `DryRun`: check only.
    pub dry_run: bool,
}

impl DeleteInstance {
    /// A request for an instance in whatever region it is.
    pub fn new(instance_id: InstanceId) -> Self {
        Self {
            region_id: None,
            instance_id,
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

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// Refusals, in this order: `InvalidParameter` for an `Amount` outside 1 to [`MAX_AMOUNT`];
/// `InvalidRegionId.NotFound`; `InvalidTagCount` or `Duplicate.TagKey` for its `Tag.N` (which
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
        known_region(store, &self.region_id)?;
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
        (0..self.amount)
            .map(|_| {
                let id = store.new_instance_id();
                checked(store.insert_instance(Instance {
                    id: id.clone(),
                    owner: caller.clone(),
                    region: self.region_id.clone(),
                    image: self.image_id.clone(),
                    image_deleted: false,
                }));
                store.tag_new(ResourceType::Instance, id.as_str(), &self.tags);
                id
            })
            .collect()
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// Refusals, in this order: `InvalidRegionId.NotFound` for a `RegionId` the store does not
/// know; `InvalidInstanceId.NotFound` unless the instance is the caller's own (in `RegionId`,
/// when given).
impl Transition for DeleteInstance {
    type Checked = InstanceId;
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        _: &Profile,
    ) -> Result<InstanceId, Error> {
        if let Some(region) = &self.region_id {
            known_region(store, region)?;
        }
        let own = store.instance(self.instance_id.as_str()).is_some_and(|i| {
            i.owner == *caller && self.region_id.as_ref().is_none_or(|r| i.region == *r)
        });
        if !own {
            return Err(NotFound::Instance.into());
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

impl ImageStore {
    /// RunInstances: `Amount` new instances of the caller's, made from the image, all or none.
    /// Returns their ids.
    pub fn run_instances(
        &mut self,
        caller: &AccountId,
        request: RunInstances,
    ) -> Result<Vec<InstanceId>, Error> {
        self.transition(caller, &request, &Profile::default())
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
