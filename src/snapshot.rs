//! The serialized form of an [`ImageStore`]: regions, images, tasks and instances, each list
//! sorted by id so that equal stores serialize to equal bytes.
//!
//! Loading goes through the store's own inserts (images, then tasks, then instances), so a
//! snapshot is held to exactly the invariants every insert keeps; the first fault is refused
//! with an [`InvariantError`] that names it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::RegionId;
use crate::model::{Image, Instance, Task};
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
        for instance in snapshot.instances {
            store.insert_instance(instance)?;
        }
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
