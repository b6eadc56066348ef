//! The serialized form of an [`ImageStore`]: regions, images, tasks and instances, each list
//! sorted by id so that equal stores serialize to equal bytes.
//!
//! Loading goes through the store's own inserts (images, then running tasks, then ended tasks,
//! then instances), so a saved state is held to exactly the invariants every insert keeps; the
//! first fault is refused with an [`InvariantError`] that names it. A store is read by
//! inserting each image as it is parsed, and written from references to its images, so that a
//! million images are never held twice (docs/persistence.md).
//!
//! The lifecycle's bookkeeping (ended tasks, the id generator's position and the clock) is written only
//! when it is not empty, and read with a default, so a store that never ran a lifecycle
//! transition serializes exactly as before and older saved states still load.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::idempotence::RememberedToken;
use crate::ids::RegionId;
use crate::model::{EndedTask, Image, Instance, Task};
use crate::schedule::Scheduled;
use crate::storage::{Disk, Snapshot};
use crate::store::{ImageStore, InvariantError};
use crate::tags::{Tag, TaggedResource};
use crate::time::Timestamp;

/// A store as plain lists: what is serialized, and what [`ImageStore::from_state`] loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreState {
    /// The regions the store knows.
    pub regions: Vec<RegionId>,
    /// The disk snapshots, loaded before the images (an image listing a snapshot missing here
    /// implies it: docs/delete-snapshot.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<Snapshot>,
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
    /// The existing disks, loaded after the instances they are attached to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<Disk>,
    /// Work in progress that a pace may end, with when it started (see
    /// [`ProgressPolicy`](crate::ProgressPolicy)); work in progress not listed here is pinned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<Scheduled>,
    /// The calls made with a `ClientToken` and what they answered, so that a retry after a
    /// restart still answers the first answer (docs/lifecycle.md, idempotence).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_tokens: Vec<RememberedToken>,
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
        let tags = self.tag_list();
        let mut snapshots: Vec<Snapshot> = self.snapshots().cloned().collect();
        snapshots.sort_by(|a, b| a.id.cmp(&b.id));
        let mut disks: Vec<Disk> = self.disks().cloned().collect();
        disks.sort_by(|a, b| a.id.cmp(&b.id));
        StoreState {
            regions: self.regions().cloned().collect(),
            snapshots,
            disks,
            tags,
            images,
            tasks: self.tasks().cloned().collect(),
            instances,
            ended_tasks: self.ended_tasks().cloned().collect(),
            ids_drawn: self.ids_drawn(),
            clock: self.now(),
            progress: self.schedule().entries().collect(),
            client_tokens: self.tokens().list(),
        }
    }

    /// The store's tags, by resource type and id.
    fn tag_list(&self) -> Vec<TaggedResource> {
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
        tags
    }

    /// Loads a saved state, refusing the first structural fault.
    pub fn from_state(state: StoreState) -> Result<Self, InvariantError> {
        let mut store = ImageStore::without_regions();
        for region in state.regions {
            store.add_region(region);
        }
        for disk_snapshot in state.snapshots {
            store.insert_snapshot(disk_snapshot)?;
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
        for disk in state.disks {
            store.insert_disk(disk)?;
        }
        store.set_ids_drawn(state.ids_drawn);
        store.set_clock(state.clock);
        for entry in state.progress {
            store.insert_scheduled(entry)?;
        }
        for call in state.client_tokens {
            store.remember_token(call);
        }
        Ok(store)
    }
}

/// A store as [`StoreState`] writes it, borrowed: a world is saved (a snapshot, the admin
/// world) without a copy of its images, only a list of references sorted by id.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateRef<'s> {
    regions: Vec<&'s RegionId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    snapshots: Vec<&'s Snapshot>,
    images: Vec<&'s Image>,
    tasks: Vec<&'s Task>,
    instances: Vec<&'s Instance>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ended_tasks: Vec<&'s EndedTask>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<TaggedResource>,
    #[serde(skip_serializing_if = "is_zero")]
    ids_drawn: u64,
    #[serde(skip_serializing_if = "is_epoch")]
    clock: Timestamp,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    disks: Vec<&'s Disk>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    progress: Vec<Scheduled>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    client_tokens: Vec<RememberedToken>,
}

impl Serialize for ImageStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut images: Vec<&Image> = self.images().collect();
        images.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut instances: Vec<&Instance> = self.instances().collect();
        instances.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut snapshots: Vec<&Snapshot> = self.snapshots().collect();
        snapshots.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut disks: Vec<&Disk> = self.disks().collect();
        disks.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        StateRef {
            regions: self.regions().collect(),
            snapshots,
            disks,
            images,
            tasks: self.tasks().collect(),
            instances,
            ended_tasks: self.ended_tasks().collect(),
            tags: self.tag_list(),
            ids_drawn: self.ids_drawn(),
            clock: self.now(),
            progress: self.schedule().entries().collect(),
            client_tokens: self.tokens().list(),
        }
        .serialize(serializer)
    }
}

/// The fields of [`StoreState`], as they are written.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Regions,
    Snapshots,
    Disks,
    Images,
    Tasks,
    Instances,
    EndedTasks,
    Tags,
    IdsDrawn,
    Clock,
    Progress,
    ClientTokens,
}

const FIELDS: &[&str] = &[
    "regions",
    "snapshots",
    "disks",
    "images",
    "tasks",
    "instances",
    "endedTasks",
    "tags",
    "idsDrawn",
    "clock",
    "progress",
    "clientTokens",
];

impl<'de> Deserialize<'de> for ImageStore {
    /// Reads a [`StoreState`] into a store as [`ImageStore::from_state`] does, but inserts
    /// each image as it is read when the regions come first (as a saved state writes them):
    /// a million images are never held twice, as a list and as the store.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("StoreState", FIELDS, Loader)
    }
}

struct Loader;

impl<'de> Visitor<'de> for Loader {
    type Value = ImageStore;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a store: regions, images, tasks, instances")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ImageStore, A::Error> {
        fn once<T, E: de::Error>(
            slot: &mut Option<T>,
            value: T,
            name: &'static str,
        ) -> Result<(), E> {
            if slot.replace(value).is_some() {
                return Err(E::duplicate_field(name));
            }
            Ok(())
        }
        let mut store = ImageStore::without_regions();
        let mut regions: Option<()> = None;
        let mut images: Option<Vec<Image>> = None;
        let mut tasks: Option<Vec<Task>> = None;
        let mut instances: Option<Vec<Instance>> = None;
        let mut ended_tasks: Option<Vec<EndedTask>> = None;
        let mut tags: Option<Vec<TaggedResource>> = None;
        let mut ids_drawn: Option<u64> = None;
        let mut clock: Option<Timestamp> = None;
        let mut snapshots: Option<()> = None;
        let mut disks: Option<Vec<Disk>> = None;
        let mut progress: Option<Vec<Scheduled>> = None;
        let mut client_tokens: Option<Vec<RememberedToken>> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Regions => {
                    once(&mut regions, (), "regions")?;
                    for region in map.next_value::<Vec<RegionId>>()? {
                        store.add_region(region);
                    }
                }
                // Inserted as read once the regions are known; kept for later otherwise.
                Field::Images if regions.is_some() => {
                    once(&mut images, Vec::new(), "images")?;
                    map.next_value_seed(InsertImages(&mut store))?;
                }
                Field::Images => once(&mut images, map.next_value()?, "images")?,
                Field::Tasks => once(&mut tasks, map.next_value()?, "tasks")?,
                Field::Instances => once(&mut instances, map.next_value()?, "instances")?,
                Field::EndedTasks => once(&mut ended_tasks, map.next_value()?, "endedTasks")?,
                Field::Tags => once(&mut tags, map.next_value()?, "tags")?,
                Field::IdsDrawn => once(&mut ids_drawn, map.next_value()?, "idsDrawn")?,
                Field::Clock => once(&mut clock, map.next_value()?, "clock")?,
                // Inserted as read: before the images as a saved state writes them; after
                // them, each one replaces the snapshot an image implied.
                Field::Snapshots if regions.is_some() => {
                    once(&mut snapshots, (), "snapshots")?;
                    for snapshot in map.next_value::<Vec<Snapshot>>()? {
                        store
                            .put_loaded_snapshot(snapshot)
                            .map_err(de::Error::custom)?;
                    }
                }
                Field::Snapshots => {
                    return Err(de::Error::custom("snapshots must come after regions"));
                }
                Field::Disks => once(&mut disks, map.next_value()?, "disks")?,
                Field::Progress => once(&mut progress, map.next_value()?, "progress")?,
                Field::ClientTokens => {
                    once(&mut client_tokens, map.next_value()?, "clientTokens")?;
                }
            }
        }
        if regions.is_none() {
            return Err(de::Error::missing_field("regions"));
        }
        let invalid = de::Error::custom;
        for image in images.unwrap_or_default() {
            store.insert_image(image).map_err(invalid)?;
        }
        for task in tasks.unwrap_or_default() {
            store.insert_task(task).map_err(invalid)?;
        }
        for task in ended_tasks.unwrap_or_default() {
            store.insert_ended_task(task).map_err(invalid)?;
        }
        for instance in instances.unwrap_or_default() {
            store.insert_instance(instance).map_err(invalid)?;
        }
        for tagged in tags.unwrap_or_default() {
            store
                .insert_tags(tagged.resource_type, tagged.resource_id, tagged.tags)
                .map_err(invalid)?;
        }
        for disk in disks.unwrap_or_default() {
            store.insert_disk(disk).map_err(invalid)?;
        }
        store.set_ids_drawn(ids_drawn.unwrap_or(0));
        store.set_clock(clock.unwrap_or(Timestamp::EPOCH));
        for entry in progress.unwrap_or_default() {
            store.insert_scheduled(entry).map_err(invalid)?;
        }
        for call in client_tokens.unwrap_or_default() {
            store.remember_token(call);
        }
        Ok(store)
    }
}

/// Inserts each image of a list into the store as it is read.
struct InsertImages<'s>(&'s mut ImageStore);

impl<'de> DeserializeSeed<'de> for InsertImages<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for InsertImages<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of images")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(image) = seq.next_element::<Image>()? {
            self.0.insert_image(image).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}
