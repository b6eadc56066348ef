//! The instance actions: RunInstances makes an instance from an image (blocker InUse),
//! DeleteInstance releases it.

use crate::ids::{AccountId, ImageId, InstanceId, RegionId};
use crate::model::{ImageStatus, Instance};
use crate::store::ImageStore;

use super::{LifecycleError, checked, known_region, still_being_made, visible_image};

/// RunInstances: one instance of the caller's from an image it can see (its own, shared with
/// it, community, system or marketplace). `Amount` and the instance's own settings play no
/// part in DeleteImage; one call makes one instance \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInstances {
    /// `RegionId`: the region of the instance and of the image.
    pub region_id: RegionId,
    /// `ImageId`: the image to launch from.
    pub image_id: ImageId,
}

impl RunInstances {
    /// A request.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
        }
    }
}

/// DeleteInstance: releases one of the caller's instances; it no longer counts for InUse.
/// (Instance states and `Force` are not modelled: every instance can be released \[I\].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteInstance {
    /// `RegionId`: the instance's region.
    pub region_id: RegionId,
    /// `InstanceId`: the instance.
    pub instance_id: InstanceId,
}

impl DeleteInstance {
    /// A request.
    pub fn new(region_id: RegionId, instance_id: InstanceId) -> Self {
        Self {
            region_id,
            instance_id,
        }
    }
}

impl ImageStore {
    /// RunInstances: a new instance of the caller's, made from the image. Returns its id.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless
    /// the caller can see the image in the region; `IncorrectImageStatus` unless the image is
    /// Available or Deprecated \[D\] and not still being imported or copied (docs/lifecycle.md,
    /// RunInstances).
    pub fn run_instances(
        &mut self,
        caller: &AccountId,
        request: RunInstances,
    ) -> Result<InstanceId, LifecycleError> {
        known_region(self, &request.region_id)?;
        let entry = visible_image(self, caller, &request.region_id, &request.image_id)?;
        let launchable = matches!(
            entry.image.status,
            ImageStatus::Available | ImageStatus::Deprecated
        );
        if !launchable || still_being_made(entry) {
            return Err(LifecycleError::ImageNotAvailable);
        }
        let id = self.new_instance_id();
        checked(self.insert_instance(Instance {
            id: id.clone(),
            owner: caller.clone(),
            region: request.region_id,
            image: request.image_id,
            image_deleted: false,
        }));
        Ok(id)
    }

    /// DeleteInstance: releases the caller's instance.
    ///
    /// Refusals, in this order: `InvalidRegionId.NotFound`; `InvalidInstanceId.NotFound` unless
    /// the instance is the caller's own in the region.
    pub fn delete_instance(
        &mut self,
        caller: &AccountId,
        request: DeleteInstance,
    ) -> Result<(), LifecycleError> {
        known_region(self, &request.region_id)?;
        let own = self
            .instance(request.instance_id.as_str())
            .is_some_and(|i| i.owner == *caller && i.region == request.region_id);
        if !own {
            return Err(LifecycleError::InstanceNotFound);
        }
        self.remove_instance(request.instance_id.as_str());
        Ok(())
    }
}
