//! The serialized form of an [`ImageStore`]: regions, images, tasks and instances, each list
//! sorted by id so that equal stores serialize to equal bytes.
//!
//! Loading goes through the store's own inserts (images, then running tasks, then ended tasks,
//! then instances), so a saved state is held to exactly the invariants every insert keeps; the
//! first fault is refused with an [`InvariantError`] that names it.
//!
//! The lifecycle's bookkeeping (ended tasks, the id generator's position and the clock) is written only
//! when it is not empty, and read with a default, so a store that never ran a lifecycle
//! transition serializes exactly as before and older saved states still load.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::RegionId;
use crate::model::{EndedTask, Image, Instance, Task};
use crate::store::{ImageStore, InvariantError};
use crate::tags::{Tag, TaggedResource};
use crate::time::Timestamp;

/// A store as plain lists: what is serialized, and what [`ImageStore::from_state`] loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreState {
    /// The regions the store knows.
    pub regions: Vec<RegionId>,
    /// The images.
    #[serde(default)]
    pub images: Vec<Image>,
    /// The running tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// The existing instances.
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// Tasks that have ended (finished, failed or cancelled), kept so that CancelTask and
    /// CancelCopyImage can still answer for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ended_tasks: Vec<EndedTask>,
    /// The tagged resources with their tags, by type and id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TaggedResource>,
    /// How many ids the store's generator has drawn: a loaded store goes on with the same
    /// sequence of new image, instance and task ids.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ids_drawn: u64,
    /// The store's clock ([`ImageStore::now`]); the epoch when absent.
    #[serde(default, skip_serializing_if = "is_epoch")]
    pub clock: Timestamp,
}

fn is_epoch(t: &Timestamp) -> bool {
    *t == Timestamp::EPOCH
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ImageStore {
    /// The store as sorted lists.
    pub fn to_state(&self) -> StoreState {
        let mut images: Vec<Image> = self.images().cloned().collect();
        images.sort_by(|a, b| a.id.cmp(&b.id));
        let mut instances: Vec<Instance> = self.instances().cloned().collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        let mut tags: Vec<TaggedResource> = self
            .tagged()
            .map(|(resource_type, id, tagged)| TaggedResource {
                resource_type,
                resource_id: id.clone(),
                tags: tagged
                    .tags
                    .iter()
                    .map(|(key, value)| Tag {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            })
            .collect();
        tags.sort_by(|a, b| {
            (a.resource_type, &a.resource_id).cmp(&(b.resource_type, &b.resource_id))
        });
        StoreState {
            regions: self.regions().cloned().collect(),
            tags,
            images,
            tasks: self.tasks().cloned().collect(),
            instances,
            ended_tasks: self.ended_tasks().cloned().collect(),
            ids_drawn: self.ids_drawn(),
            clock: self.now(),
        }
    }

    /// Loads a saved state, refusing the first structural fault.
    pub fn from_state(state: StoreState) -> Result<Self, InvariantError> {
        let mut store = ImageStore::without_regions();
        for region in state.regions {
            store.add_region(region);
        }
        for image in state.images {
            store.insert_image(image)?;
        }
        for task in state.tasks {
            store.insert_task(task)?;
        }
        for task in state.ended_tasks {
            store.insert_ended_task(task)?;
        }
        for instance in state.instances {
            store.insert_instance(instance)?;
        }
        for tagged in state.tags {
            store.insert_tags(tagged.resource_type, tagged.resource_id, tagged.tags)?;
        }
        store.set_ids_drawn(state.ids_drawn);
        store.set_clock(state.clock);
        Ok(store)
    }
}

impl Serialize for ImageStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_state().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ImageStore {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let state = StoreState::deserialize(deserializer)?;
        ImageStore::from_state(state).map_err(serde::de::Error::custom)
    }
}
