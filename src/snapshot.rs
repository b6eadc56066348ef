//! The serialized form of an [`ImageStore`]: regions, images, tasks and instances, each list
//! sorted by id so that equal stores serialize to equal bytes.
//!
//! Loading goes through the store's own inserts (images, then running tasks, then ended tasks,
//! then instances), so a snapshot is held to exactly the invariants every insert keeps; the
//! first fault is refused with an [`InvariantError`] that names it.
//!
//! The lifecycle's bookkeeping (ended tasks and the id generator's position) is written only
//! when it is not empty, and read with a default, so a store that never ran a lifecycle
//! transition serializes exactly as before and older snapshots still load.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::RegionId;
use crate::model::{EndedTask, Image, Instance, Task};
use crate::store::{ImageStore, InvariantError};

/// A store as plain lists: what is serialized, and what [`ImageStore::from_snapshot`] loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
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
    /// How many ids the store's generator has drawn: a loaded store goes on with the same
    /// sequence of new image, instance and task ids.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ids_drawn: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ImageStore {
    /// The store as sorted lists.
    pub fn to_snapshot(&self) -> Snapshot {
        let mut images: Vec<Image> = self.images().cloned().collect();
        images.sort_by(|a, b| a.id.cmp(&b.id));
        let mut instances: Vec<Instance> = self.instances().cloned().collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        Snapshot {
            regions: self.regions().cloned().collect(),
            images,
            tasks: self.tasks().cloned().collect(),
            instances,
            ended_tasks: self.ended_tasks().cloned().collect(),
            ids_drawn: self.ids_drawn(),
        }
    }

    /// Loads a snapshot, refusing the first structural fault.
    pub fn from_snapshot(snapshot: Snapshot) -> Result<Self, InvariantError> {
        let mut store = ImageStore::without_regions();
        for region in snapshot.regions {
            store.add_region(region);
        }
        for image in snapshot.images {
            store.insert_image(image)?;
        }
        for task in snapshot.tasks {
            store.insert_task(task)?;
        }
        for task in snapshot.ended_tasks {
            store.insert_ended_task(task)?;
        }
        for instance in snapshot.instances {
            store.insert_instance(instance)?;
        }
        store.set_ids_drawn(snapshot.ids_drawn);
        Ok(store)
    }
}

impl Serialize for ImageStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_snapshot().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ImageStore {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let snapshot = Snapshot::deserialize(deserializer)?;
        ImageStore::from_snapshot(snapshot).map_err(serde::de::Error::custom)
    }
}
