//! [`ImageStore`]: regions, images, running tasks and instances, indexed so that a DeleteImage
//! decision is a constant number of lookups whatever the store holds.
//!
//! The store enforces structural invariants only (see [`InvariantError`]): every reference
//! resolves, ids are unique, shares are well formed. It does not enforce the lifecycle: any
//! combination of the six blockers on one image can be represented, because an oracle must
//! answer every state another implementation might hold. The lifecycle transitions (the
//! [`lifecycle`](crate::lifecycle) module) only ever reach a subset of these states.
//!
//! The store also owns the deterministic id generator those transitions draw new image,
//! instance and task ids from, and remembers the tasks that have ended.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::attributes::DiskType;
use crate::attributes::ImageAttributes;
use crate::idempotence::{RememberedToken, TokenTable};
use crate::ids::{
    AccountId, DiskId, ImageId, InstanceId, RegionId, ResourceId, SnapshotId, TaskId,
};
use crate::image_index::ImageGroups;
pub(crate) use crate::image_table::Entry;
use crate::image_table::{ImageTable, Running};
use crate::model::{
    EndedTask, Image, ImageKind, ImageStatus, Instance, InstanceStatus, Task, TaskEnd, TaskKind,
    Visibility,
};
use crate::schedule::{Schedule, Scheduled, Work};
use crate::storage::{Disk, Snapshot, SnapshotStatus, SnapshotUsage};
pub(crate) use crate::storage_table::SnapshotEntry;
use crate::storage_table::StorageTable;
use crate::tag_table::{TagTable, Tagged};
use crate::tags::{MAX_TAGS_PER_RESOURCE, ResourceType, Tag, TagKey, TagValue};
use crate::time::Timestamp;

/// The most accounts one image can be shared with [D: ModifyImageSharePermission].
pub const MAX_SHARES: usize = 50;

/// Alibaba Cloud's public regions (docs/contract.md §1): the regions a new
/// store knows. A simulator may add its own with [`ImageStore::add_region`].
pub const PUBLIC_REGIONS: [&str; 25] = [
    "cn-hangzhou",
    "cn-beijing",
    "cn-qingdao",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-chengdu",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-nanjing",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-south-1",
    "ap-northeast-1",
    "us-east-1",
    "us-west-1",
    "eu-central-1",
    "eu-west-1",
    "me-east-1",
    "cn-shenzhen-finance-1",
];

/// A structural fault: what the store refuses to hold, from a saved state or from an insert.
///
/// The store is unchanged when an insert is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvariantError {
    /// Two images have the same id.
    #[error("image {0} appears twice")]
    DuplicateImage(ImageId),
    /// Two instances have the same id.
    #[error("instance {0} appears twice")]
    DuplicateInstance(InstanceId),
    /// Two tasks have the same id.
    #[error("task {0} appears twice")]
    DuplicateTask(TaskId),
    /// A resource lives in a region the store does not know.
    #[error("{what} is in region {region}, which the store does not know")]
    UnknownRegion {
        /// The resource, e.g. `image m-1`.
        what: String,
        /// Its region.
        region: RegionId,
    },
    /// An image lists the same snapshot twice.
    #[error("image {image} lists snapshot {snapshot} twice")]
    DuplicateSnapshot {
        /// The image.
        image: ImageId,
        /// The repeated snapshot.
        snapshot: SnapshotId,
    },
    /// An image is shared with its own owner [D: `InvalidAccount.Forbbiden`].
    #[error("image {image} is shared with its owner {owner}")]
    SharedWithOwner {
        /// The image.
        image: ImageId,
        /// Its owner.
        owner: AccountId,
    },
    /// An image is shared with more than [`MAX_SHARES`] accounts \[D\].
    #[error("image {image} is shared with {count} accounts; at most 50 are allowed")]
    TooManyShares {
        /// The image.
        image: ImageId,
        /// How many accounts it is shared with.
        count: usize,
    },
    /// A system or marketplace image is shared, published or has a running task: only custom
    /// images can be \[D\].
    #[error("image {image} is a {kind:?} image and cannot be {what}")]
    NotCustom {
        /// The image.
        image: ImageId,
        /// Its kind.
        kind: ImageKind,
        /// What it cannot be: `shared`, `published` or `the subject of a task`.
        what: &'static str,
    },
    /// A task names an image that is not in the store.
    #[error("task {task} refers to image {image}, which is not in the store")]
    TaskImageMissing {
        /// The task.
        task: TaskId,
        /// The missing image.
        image: ImageId,
    },
    /// A second import task for one image.
    #[error("image {image} already has a running import; task {task} is a second one")]
    SecondImport {
        /// The image.
        image: ImageId,
        /// The second task.
        task: TaskId,
    },
    /// A second copy task into one destination image.
    #[error(
        "image {image} is already the destination of a running copy; task {task} is a second one"
    )]
    SecondCopyInto {
        /// The destination image.
        image: ImageId,
        /// The second task.
        task: TaskId,
    },
    /// A copy task whose source and destination are the same image, or images of different
    /// owners (CopyImage copies the caller's own image for the caller \[D\]).
    #[error("copy task {task} must copy an image into another image of the same owner")]
    BadCopy {
        /// The task.
        task: TaskId,
    },
    /// An instance points at an image that is not in the store, without being flagged as
    /// having lost it.
    #[error(
        "instance {instance} refers to image {image}, which is not in the store, but is not flagged imageDeleted"
    )]
    InstanceImageMissing {
        /// The instance.
        instance: InstanceId,
        /// The missing image.
        image: ImageId,
    },
    /// An instance is flagged as having lost its image, but the image is in the store.
    #[error("instance {instance} is flagged imageDeleted, but its image {image} is in the store")]
    InstanceImagePresent {
        /// The instance.
        instance: InstanceId,
        /// Its image.
        image: ImageId,
    },
    /// Tags on a resource the store does not hold, or on one no account can tag (a system or
    /// marketplace image).
    #[error("{resource_type} {id} carries tags, but the store holds no such taggable resource")]
    TaggedResourceMissing {
        /// Its type.
        resource_type: ResourceType,
        /// Its id.
        id: ResourceId,
    },
    /// A resource carries more than [`MAX_TAGS_PER_RESOURCE`] tags, or one key twice.
    #[error("{resource_type} {id} carries more than 20 tags, or one key twice")]
    BadTags {
        /// Its type.
        resource_type: ResourceType,
        /// Its id.
        id: ResourceId,
    },
    /// An instance runs in another region than the image it was created from (images are
    /// regional \[D\]).
    #[error(
        "instance {instance} is in region {region}, but its image {image} is in {image_region}"
    )]
    InstanceRegionMismatch {
        /// The instance.
        instance: InstanceId,
        /// The instance's region.
        region: RegionId,
        /// Its image.
        image: ImageId,
        /// The image's region.
        image_region: RegionId,
    },
    /// Two snapshots have the same id.
    #[error("snapshot {0} appears twice")]
    DuplicateSnapshotId(SnapshotId),
    /// A snapshot's progress is over 100 percent.
    #[error("snapshot {0} is more than 100% made")]
    SnapshotProgress(SnapshotId),
    /// Two disks have the same id.
    #[error("disk {0} appears twice")]
    DuplicateDisk(DiskId),
    /// A disk is attached to an instance that is not in the store, or of another owner or
    /// region.
    #[error(
        "disk {disk} is attached to instance {instance}, which is not in the store with its owner and region"
    )]
    DiskInstanceMissing {
        /// The disk.
        disk: DiskId,
        /// The instance.
        instance: InstanceId,
    },
    /// A disk was created from a snapshot that is not in the store, without being flagged as
    /// having lost it.
    #[error(
        "disk {disk} was created from snapshot {snapshot}, which is not in the store, but is not flagged sourceSnapshotDeleted"
    )]
    DiskSnapshotMissing {
        /// The disk.
        disk: DiskId,
        /// The missing snapshot.
        snapshot: SnapshotId,
    },
    /// A disk is flagged as having lost its source snapshot, but the snapshot is in the store.
    #[error(
        "disk {disk} is flagged sourceSnapshotDeleted, but its snapshot {snapshot} is in the store"
    )]
    DiskSnapshotPresent {
        /// The disk.
        disk: DiskId,
        /// Its snapshot.
        snapshot: SnapshotId,
    },
    /// A schedule entry names work that is not in progress: no running task of that id, no
    /// image of that id being created, no instance of that id changing status.
    #[error("the schedule lists {0:?}, which is not in progress")]
    ScheduledWorkNotInProgress(Work),
}

/// Regions, images, running and ended tasks and instances, with the indexes that make a
/// DeleteImage decision O(1), and the generator of new ids.
///
/// Build one with [`ImageStore::new`] and the inserts, with the fixture builder
/// [`ImageSpec`](crate::ImageSpec), or by deserializing a [`StoreState`](crate::StoreState); drive
/// it with the actions ([`check`](crate::check) and [`ImageStore::commit`]). Two stores are equal when they hold the same
/// resources and their id generators stand at the same point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageStore {
    /// Sorted, without repeats. A store knows a few dozen regions, so a scan that compares
    /// lengths first finds one faster than a tree that compares bytes at every step; the
    /// decision asks this of every request for an image the caller cannot see.
    regions: Vec<RegionId>,
    images: ImageTable,
    /// How many images each account owns, under the one copy of its id that those images
    /// share. The images of a region likewise share the copy in `regions`. A state parsed
    /// from JSON gives every image copies of its own: 64 bytes more per image for a 16-digit
    /// owner in `cn-hangzhou`.
    owners: HashMap<AccountId, usize>,
    tasks: BTreeMap<TaskId, Task>,
    instances: HashMap<InstanceId, Instance>,
    /// The images of each region, audience and status, in id order (DescribeImages).
    groups: ImageGroups,
    /// Each account's instances in each region, in id order (DescribeInstances).
    instances_by_account: HashMap<(AccountId, RegionId), BTreeSet<InstanceId>>,
    /// The same, per status (DescribeInstances `Status`).
    instances_by_status: HashMap<(AccountId, RegionId, InstanceStatus), BTreeSet<InstanceId>>,
    /// Each account's import and export tasks in each region, running or ended, in id order
    /// (DescribeTasks; copies are not listed there).
    tasks_by_account: HashMap<(AccountId, RegionId), BTreeSet<TaskId>>,
    /// Snapshots (with how many images list each: one is released when that drops to zero)
    /// and disks.
    storage: StorageTable,
    /// Instances whose image is gone, by that image's id: while one of them names an id, no
    /// new image may take it (the instance would then claim to have lost an image that exists).
    orphans: HashMap<ImageId, BTreeSet<InstanceId>>,
    /// Tasks that no longer run.
    ended_tasks: BTreeMap<TaskId, EndedTask>,
    /// The copy task, running or ended, that made each copy: an image is the destination of at
    /// most one copy ever, and CancelCopyImage must tell a finished copy from an image that
    /// never was one.
    copies: HashMap<ImageId, TaskId>,
    /// The tags of every tagged resource, and the index from tag to resources.
    tags: TagTable,
    /// How many ids the generator has drawn.
    ids_drawn: u64,
    /// The time the store was last advanced to ([`ImageStore::advance_clock`]).
    clock: Timestamp,
    /// Work in progress that a pace may end, in start order per kind.
    schedule: Schedule,
    /// The calls made with a `ClientToken`, and what they answered.
    tokens: TokenTable,
}

impl Default for ImageStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ImageStore {
    /// An empty store that knows Alibaba Cloud's public regions ([`PUBLIC_REGIONS`]).
    pub fn new() -> Self {
        let mut store = Self::without_regions();
        for region in PUBLIC_REGIONS {
            store.add_region(RegionId::new(region).expect("public region ids are well formed"));
        }
        store
    }

    /// An empty store that knows no region.
    pub fn without_regions() -> Self {
        Self {
            regions: Vec::new(),
            images: ImageTable::default(),
            owners: HashMap::new(),
            tasks: BTreeMap::new(),
            instances: HashMap::new(),
            groups: ImageGroups::default(),
            instances_by_account: HashMap::new(),
            instances_by_status: HashMap::new(),
            tasks_by_account: HashMap::new(),
            storage: StorageTable::default(),
            orphans: HashMap::new(),
            ended_tasks: BTreeMap::new(),
            copies: HashMap::new(),
            tags: TagTable::default(),
            ids_drawn: 0,
            clock: Timestamp::EPOCH,
            schedule: Schedule::default(),
            tokens: TokenTable::default(),
        }
    }

    /// Makes a region known. Adding a known region changes nothing.
    pub fn add_region(&mut self, region: RegionId) {
        if let Err(at) = self.regions.binary_search(&region) {
            self.regions.insert(at, region);
        }
    }

    // ---- queries -------------------------------------------------------------------------

    /// Whether the store knows a region.
    pub fn has_region(&self, region: &str) -> bool {
        self.regions.iter().any(|known| known.as_str() == region)
    }

    /// The known regions, in order.
    pub fn regions(&self) -> impl Iterator<Item = &RegionId> {
        self.regions.iter()
    }

    /// An image by id, in any region.
    pub fn image(&self, id: &str) -> Option<&Image> {
        self.images.get(id).map(|e| &e.image)
    }

    /// Every image, in no particular order.
    pub fn images(&self) -> impl Iterator<Item = &Image> {
        self.images.values().map(|e| &e.image)
    }

    /// How many images the store holds.
    pub fn image_count(&self) -> usize {
        self.images.len()
    }

    /// A running task by id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.get(id)
    }

    /// Every running task, in id order.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }

    /// An instance by id.
    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.get(id)
    }

    /// Every instance, in no particular order.
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    /// The existing instances created from an image, in id order (empty for an unknown image).
    pub fn instances_of(&self, image: &str) -> impl Iterator<Item = &InstanceId> {
        self.images
            .get(image)
            .into_iter()
            .flat_map(|e| e.instances().iter())
    }

    /// A resource's tags, in key order (none for an untagged or unknown resource).
    pub fn tags_of(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> impl Iterator<Item = (&TagKey, &TagValue)> {
        self.tags
            .of(resource_type, id)
            .into_iter()
            .flat_map(|t| t.tags.iter())
    }

    /// The owner and region of a resource that can carry tags: a custom image, an instance, a
    /// snapshot or a disk. Anything else (absent, a system or marketplace image) has none \[I\].
    pub(crate) fn tag_owner(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Option<(&AccountId, &RegionId)> {
        match resource_type {
            ResourceType::Image => self
                .image(id)
                .filter(|i| i.kind == ImageKind::Custom)
                .map(|i| (&i.owner, &i.region)),
            ResourceType::Instance => self.instance(id).map(|i| (&i.owner, &i.region)),
            ResourceType::Snapshot => self.snapshot(id).map(|s| (&s.owner, &s.region)),
            ResourceType::Disk => self.disk(id).map(|d| (&d.owner, &d.region)),
        }
    }

    /// Puts a creating action's `Tag.N` on the resource it has just made.
    pub(crate) fn tag_new(&mut self, resource_type: ResourceType, id: &str, tags: &[Tag]) {
        if tags.is_empty() {
            return;
        }
        let (owner, region) = self
            .tag_owner(resource_type, id)
            .map(|(o, r)| (o.clone(), r.clone()))
            .expect("a resource just made can carry tags");
        let id = ResourceId::new(id).expect("the store's ids are valid resource ids");
        self.tags
            .put(resource_type, &id, &owner, &region, tags.iter().cloned());
    }

    /// The tag table.
    pub(crate) fn tag_table(&self) -> &TagTable {
        &self.tags
    }

    /// The tag table, to change.
    pub(crate) fn tag_table_mut(&mut self) -> &mut TagTable {
        &mut self.tags
    }

    /// Every tagged resource with its tags, in no particular order.
    pub(crate) fn tagged(&self) -> impl Iterator<Item = (ResourceType, &ResourceId, &Tagged)> {
        self.tags.all()
    }

    /// An ended task by id.
    pub fn ended_task(&self, id: &str) -> Option<&EndedTask> {
        self.ended_tasks.get(id)
    }

    /// Every ended task, in id order.
    pub fn ended_tasks(&self) -> impl Iterator<Item = &EndedTask> {
        self.ended_tasks.values()
    }

    /// The owner and region of a running task: those of its image, or for a copy of the
    /// destination (the source has the same owner). `None` only for a task that is not from
    /// this store.
    pub fn task_owner_and_region(&self, task: &Task) -> Option<(&AccountId, &RegionId)> {
        let image = match &task.kind {
            TaskKind::ImportImage { image } | TaskKind::ExportImage { image } => image,
            TaskKind::CopyImage { destination, .. } => destination,
        };
        let image = &self.images.get(image)?.image;
        Some((&image.owner, &image.region))
    }

    /// The copy task, running or ended, whose destination is `image`.
    pub fn copy_task_into(&self, image: &str) -> Option<&TaskId> {
        self.copies.get(image)
    }

    pub(crate) fn entry(&self, image: &str) -> Option<&Entry> {
        self.images.get(image)
    }

    /// A snapshot by id, in any region.
    pub fn snapshot(&self, id: &str) -> Option<&Snapshot> {
        self.storage.snapshot(id).map(|e| &e.snapshot)
    }

    /// Every snapshot, in no particular order.
    pub fn snapshots(&self) -> impl Iterator<Item = &Snapshot> {
        self.storage.snapshots()
    }

    /// How many snapshots the store holds.
    pub fn snapshot_count(&self) -> usize {
        self.storage.snapshot_count()
    }

    /// How a snapshot is used (DescribeSnapshots `Usage`); `None` for an unknown snapshot.
    pub fn snapshot_usage(&self, id: &str) -> Option<SnapshotUsage> {
        self.storage
            .snapshot(id)
            .map(|e| SnapshotUsage::of(e.images() > 0, !e.disks().is_empty()))
    }

    /// The existing disks created from a snapshot, in id order (empty for an unknown one).
    pub fn disks_from_snapshot(&self, id: &str) -> impl Iterator<Item = &DiskId> {
        self.storage
            .snapshot(id)
            .into_iter()
            .flat_map(|e| e.disks().iter())
    }

    /// An account's snapshots in a region, in id order.
    pub fn snapshots_of_account(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> impl Iterator<Item = &SnapshotId> {
        self.storage
            .snapshots_of_account(owner, region)
            .into_iter()
            .flatten()
    }

    /// The snapshots made of a disk, released or not, in id order.
    pub fn snapshots_of_disk(&self, disk: &str) -> impl Iterator<Item = &SnapshotId> {
        self.storage.snapshots_of_disk(disk).into_iter().flatten()
    }

    /// A disk by id.
    pub fn disk(&self, id: &str) -> Option<&Disk> {
        self.storage.disk(id)
    }

    /// Every disk, in no particular order.
    pub fn disks(&self) -> impl Iterator<Item = &Disk> {
        self.storage.disks()
    }

    /// The disks attached to an instance, in id order.
    pub fn disks_of_instance(&self, instance: &str) -> impl Iterator<Item = &DiskId> {
        self.storage
            .disks_of_instance(instance)
            .into_iter()
            .flatten()
    }

    /// Whether a disk can still be re-initialized: not once the snapshot it was created from
    /// has been deleted (DeleteSnapshot with `Force=true`) \[D\]. `None` for an unknown disk.
    pub fn can_reinitialize_disk(&self, id: &str) -> Option<bool> {
        self.storage.disk(id).map(|d| !d.source_snapshot_deleted)
    }

    /// The snapshots and disks with their indexes, for the queries.
    pub(crate) fn storage(&self) -> &StorageTable {
        &self.storage
    }

    pub(crate) fn snapshot_entry(&self, id: &str) -> Option<&SnapshotEntry> {
        self.storage.snapshot(id)
    }

    /// The instances that were created from an image that has since been deleted.
    pub(crate) fn orphans_of(&self, image: &str) -> Option<&BTreeSet<InstanceId>> {
        self.orphans.get(image)
    }

    pub(crate) fn ids_drawn(&self) -> u64 {
        self.ids_drawn
    }

    /// Sets the generator's position; only a saved state being loaded does this.
    pub(crate) fn set_ids_drawn(&mut self, ids_drawn: u64) {
        self.ids_drawn = ids_drawn;
    }

    // ---- the clock: given by the caller, never read (src/time.rs) -------------------------

    /// The schedule of work a pace may end.
    pub(crate) fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The schedule, to enter work in.
    pub(crate) fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.schedule
    }

    /// Enters scheduled work from a saved state: refused unless it is in progress.
    pub(crate) fn insert_scheduled(&mut self, entry: Scheduled) -> Result<(), InvariantError> {
        let in_progress = match &entry.work {
            Work::Task(task) => self.tasks.contains_key(task),
            Work::Creation(image) => self
                .image(image.as_str())
                .is_some_and(|i| i.status == ImageStatus::Creating),
            Work::Instance(instance) => self
                .instance(instance.as_str())
                .is_some_and(|i| i.status.is_transitional()),
            Work::Snapshot(snapshot) => self
                .snapshot(snapshot.as_str())
                .is_some_and(|s| s.status == SnapshotStatus::Progressing),
        };
        if !in_progress {
            return Err(InvariantError::ScheduledWorkNotInProgress(entry.work));
        }
        self.schedule.insert(entry.work, entry.kind, entry.since);
        Ok(())
    }

    /// The calls made with a `ClientToken` (crate::idempotence).
    pub(crate) fn tokens(&self) -> &TokenTable {
        &self.tokens
    }

    /// How many calls made with a `ClientToken` the store remembers: one per successful
    /// CreateImage, RunInstances or CopyImage that carried a new token.
    pub fn client_token_count(&self) -> usize {
        self.tokens.len()
    }

    /// Remembers a call made with a `ClientToken`: a transition that has just succeeded, or a
    /// saved state being loaded. Nothing else refers to a token, so no insert can break an
    /// invariant.
    pub(crate) fn remember_token(&mut self, call: RememberedToken) {
        self.tokens.remember(call);
    }

    /// The store's clock: the latest time it was advanced to ([`Timestamp::EPOCH`] for a new
    /// store). What the store makes from now on is stamped with it.
    pub fn now(&self) -> Timestamp {
        self.clock
    }

    /// Moves the store's clock to `to`, unless it already stands later: the clock never goes
    /// back, so a stamp never precedes one given before it.
    pub fn advance_clock(&mut self, to: Timestamp) {
        if to > self.clock {
            self.set_clock(to);
        }
    }

    /// Sets the clock, forward or back; only a saved state being loaded does this.
    pub(crate) fn set_clock(&mut self, clock: Timestamp) {
        self.clock = clock;
    }

    // ---- the id generator ----------------------------------------------------------------

    /// A new image id, `m-` and 20 lowercase alphanumerics, that no image, lost image or copy
    /// record in the store uses.
    pub(crate) fn new_image_id(&mut self) -> ImageId {
        let id = self.draw_id("m-", |store, id| {
            store.images.contains_key(id)
                || store.orphans.contains_key(id)
                || store.copies.contains_key(id)
        });
        ImageId::new(&id).expect("generated ids are visible ASCII")
    }

    /// A new instance id, `i-` and 20 lowercase alphanumerics, unused in the store.
    pub(crate) fn new_instance_id(&mut self) -> InstanceId {
        let id = self.draw_id("i-", |store, id| store.instances.contains_key(id));
        InstanceId::new(&id).expect("generated ids are visible ASCII")
    }

    /// A new disk id, `d-` and 20 lowercase alphanumerics, unused in the store.
    pub(crate) fn new_disk_id(&mut self) -> DiskId {
        let id = self.draw_id("d-", |store, id| store.storage.disk(id).is_some());
        DiskId::new(&id).expect("generated ids are visible ASCII")
    }

    /// A new snapshot id, `s-` and 20 lowercase alphanumerics, that no snapshot uses and no
    /// disk remembers as its deleted source.
    pub(crate) fn new_snapshot_id(&mut self) -> SnapshotId {
        let id = self.draw_id("s-", |store, id| {
            store.storage.snapshot(id).is_some() || store.storage.orphaned_by(id).is_some()
        });
        SnapshotId::new(&id).expect("generated ids are visible ASCII")
    }

    /// A new task id, `t-` and 20 lowercase alphanumerics, unused by any running or ended
    /// task.
    pub(crate) fn new_task_id(&mut self) -> TaskId {
        let id = self.draw_id("t-", |store, id| {
            store.tasks.contains_key(id) || store.ended_tasks.contains_key(id)
        });
        TaskId::new(&id).expect("generated ids are visible ASCII")
    }

    /// Draws ids until one is free. Distinct draws give distinct ids (see [`generated_id`]),
    /// so this takes at most one draw more than the store holds ids with that prefix.
    fn draw_id(&mut self, prefix: &str, taken: impl Fn(&Self, &str) -> bool) -> String {
        loop {
            let id = generated_id(prefix, self.ids_drawn);
            self.ids_drawn = self.ids_drawn.wrapping_add(1);
            if !taken(self, &id) {
                return id;
            }
        }
    }

    // ---- structural inserts ------------------------------------------------------------------

    /// Adds an image. Refused (store unchanged) if the id is taken, the region unknown, or the
    /// image breaks an invariant on its own (shares, snapshots, kind).
    pub fn insert_image(&mut self, mut image: Image) -> Result<(), InvariantError> {
        if self.images.contains_key(&image.id) {
            return Err(InvariantError::DuplicateImage(image.id));
        }
        if let Some(instance) = self.orphans.get(&image.id).and_then(|o| o.first()) {
            return Err(InvariantError::InstanceImagePresent {
                instance: instance.clone(),
                image: image.id,
            });
        }
        let region = self
            .check_region(|| format!("image {}", image.id), &image.region)?
            .clone();
        check_image(&image)?;
        // A snapshot the store does not hold is implied (docs/delete-snapshot.md): unless a disk
        // remembers it as deleted, which an implied one would contradict.
        for snapshot in &image.snapshots {
            if let Some(disk) = self
                .storage
                .orphaned_by(snapshot.as_str())
                .and_then(|d| d.first())
            {
                return Err(InvariantError::DiskSnapshotPresent {
                    disk: disk.clone(),
                    snapshot: snapshot.clone(),
                });
            }
        }
        image.region = region;
        image.owner = self.add_owned(&image.owner);
        for snapshot in &image.snapshots {
            if self.storage.snapshot(snapshot.as_str()).is_none() {
                // Made before the image; when is unknown without its CreationTime.
                let made = image.attributes().creation_time.unwrap_or(Timestamp::EPOCH);
                self.storage.add_implied(Snapshot::accomplished(
                    snapshot.clone(),
                    image.owner.clone(),
                    image.region.clone(),
                    made,
                ));
            }
            self.storage.use_in_image(snapshot.as_str());
        }
        let at = self.images.insert(Entry::new(image));
        let images = &self.images;
        self.groups
            .add(at, &images.at(at).image, |p| images.at(p).image.id.as_str());
        Ok(())
    }

    /// Adds a running task. Refused (store unchanged) if the id is taken (by a running or an
    /// ended task), an image it names is missing or not custom, an image would get a second
    /// import or a second incoming copy (running or ended), or a copy does not go from one
    /// image to another of the same owner.
    pub fn insert_task(&mut self, task: Task) -> Result<(), InvariantError> {
        if self.tasks.contains_key(&task.id) || self.ended_tasks.contains_key(&task.id) {
            return Err(InvariantError::DuplicateTask(task.id));
        }
        for image in task.images() {
            let entry = self
                .images
                .get(image)
                .ok_or_else(|| InvariantError::TaskImageMissing {
                    task: task.id.clone(),
                    image: image.clone(),
                })?;
            if entry.image.kind != ImageKind::Custom {
                return Err(InvariantError::NotCustom {
                    image: image.clone(),
                    kind: entry.image.kind,
                    what: "the subject of a task",
                });
            }
        }
        match &task.kind {
            TaskKind::ImportImage { image } => {
                if self.images[image].running().imports > 0 {
                    return Err(InvariantError::SecondImport {
                        image: image.clone(),
                        task: task.id.clone(),
                    });
                }
            }
            TaskKind::ExportImage { .. } => {}
            TaskKind::CopyImage {
                source,
                destination,
            } => {
                let same_owner =
                    self.images[source].image.owner == self.images[destination].image.owner;
                if source == destination || !same_owner {
                    return Err(InvariantError::BadCopy {
                        task: task.id.clone(),
                    });
                }
                if self.copies.contains_key(destination) {
                    return Err(InvariantError::SecondCopyInto {
                        image: destination.clone(),
                        task: task.id.clone(),
                    });
                }
            }
        }
        self.count_task(&task.kind, 1);
        if let TaskKind::CopyImage { destination, .. } = &task.kind {
            self.copies.insert(destination.clone(), task.id.clone());
        }
        if let Some((owner, region)) = self.task_owner_and_region(&task)
            && Self::listed_task(&task.kind)
        {
            let key = (owner.clone(), region.clone());
            self.tasks_by_account
                .entry(key)
                .or_default()
                .insert(task.id.clone());
        }
        self.tasks.insert(task.id.clone(), task);
        Ok(())
    }

    /// Adds an ended task. Its images may be gone. Refused (store unchanged) if the id is taken
    /// by a running or an ended task, its region is unknown, or a copy's destination already
    /// has a copy record or is its source.
    pub fn insert_ended_task(&mut self, task: EndedTask) -> Result<(), InvariantError> {
        if self.tasks.contains_key(&task.id) || self.ended_tasks.contains_key(&task.id) {
            return Err(InvariantError::DuplicateTask(task.id));
        }
        self.check_region(|| format!("task {}", task.id), &task.region)?;
        if let TaskKind::CopyImage {
            source,
            destination,
        } = &task.kind
        {
            if source == destination {
                return Err(InvariantError::BadCopy { task: task.id });
            }
            if self.copies.contains_key(destination) {
                return Err(InvariantError::SecondCopyInto {
                    image: destination.clone(),
                    task: task.id,
                });
            }
            self.copies.insert(destination.clone(), task.id.clone());
        }
        if Self::listed_task(&task.kind) {
            self.tasks_by_account
                .entry((task.owner.clone(), task.region.clone()))
                .or_default()
                .insert(task.id.clone());
        }
        self.ended_tasks.insert(task.id.clone(), task);
        Ok(())
    }

    /// Adds an instance. Refused (store unchanged) if the id is taken, the region is unknown,
    /// or the image reference is inconsistent with `image_deleted` or with the region.
    pub fn insert_instance(&mut self, instance: Instance) -> Result<(), InvariantError> {
        if self.instances.contains_key(&instance.id) {
            return Err(InvariantError::DuplicateInstance(instance.id));
        }
        self.check_region(|| format!("instance {}", instance.id), &instance.region)?;
        match (self.images.get_mut(&instance.image), instance.image_deleted) {
            (None, false) => {
                return Err(InvariantError::InstanceImageMissing {
                    instance: instance.id,
                    image: instance.image,
                });
            }
            (Some(_), true) => {
                return Err(InvariantError::InstanceImagePresent {
                    instance: instance.id,
                    image: instance.image,
                });
            }
            (Some(entry), false) => {
                if entry.image.region != instance.region {
                    return Err(InvariantError::InstanceRegionMismatch {
                        instance: instance.id,
                        region: instance.region,
                        image: instance.image,
                        image_region: entry.image.region.clone(),
                    });
                }
                entry.add_instance(instance.id.clone());
            }
            (None, true) => {
                self.orphans
                    .entry(instance.image.clone())
                    .or_default()
                    .insert(instance.id.clone());
            }
        }
        self.instances_by_account
            .entry((instance.owner.clone(), instance.region.clone()))
            .or_default()
            .insert(instance.id.clone());
        self.instances_by_status
            .entry(status_key(&instance))
            .or_default()
            .insert(instance.id.clone());
        self.instances.insert(instance.id.clone(), instance);
        Ok(())
    }

    /// Puts tags on a resource the store holds (a custom image or an instance), as a loaded
    /// store state does. Refused (store unchanged) if there is no such resource, or if it
    /// would carry more than [`MAX_TAGS_PER_RESOURCE`] tags or one key twice.
    pub fn insert_tags(
        &mut self,
        resource_type: ResourceType,
        id: ResourceId,
        tags: Vec<Tag>,
    ) -> Result<(), InvariantError> {
        let Some((owner, region)) = self
            .tag_owner(resource_type, id.as_str())
            .map(|(o, r)| (o.clone(), r.clone()))
        else {
            return Err(InvariantError::TaggedResourceMissing { resource_type, id });
        };
        let had = self.tags_of(resource_type, id.as_str());
        let mut keys: BTreeSet<&TagKey> = had.map(|(k, _)| k).collect();
        let unique = tags.iter().all(|t| keys.insert(&t.key));
        if !unique || keys.len() > MAX_TAGS_PER_RESOURCE {
            return Err(InvariantError::BadTags { resource_type, id });
        }
        self.tags.put(resource_type, &id, &owner, &region, tags);
        Ok(())
    }

    /// Adds a snapshot. Refused (store unchanged) if the id is taken, the region is unknown,
    /// its progress is over 100, or a disk remembers a deleted snapshot of this id.
    pub fn insert_snapshot(&mut self, mut snapshot: Snapshot) -> Result<(), InvariantError> {
        if self.storage.snapshot(snapshot.id.as_str()).is_some() {
            return Err(InvariantError::DuplicateSnapshotId(snapshot.id));
        }
        snapshot.region = self
            .check_region(|| format!("snapshot {}", snapshot.id), &snapshot.region)?
            .clone();
        if snapshot.progress > 100 {
            return Err(InvariantError::SnapshotProgress(snapshot.id));
        }
        if let Some(disk) = self
            .storage
            .orphaned_by(snapshot.id.as_str())
            .and_then(|d| d.first())
        {
            return Err(InvariantError::DiskSnapshotPresent {
                disk: disk.clone(),
                snapshot: snapshot.id,
            });
        }
        self.storage.add_snapshot(snapshot);
        Ok(())
    }

    /// Adds a snapshot read from a saved state: as [`insert_snapshot`](Self::insert_snapshot),
    /// except that one an image already implied (the images were read first) is replaced by
    /// it, keeping its usage.
    pub(crate) fn put_loaded_snapshot(&mut self, snapshot: Snapshot) -> Result<(), InvariantError> {
        if self
            .storage
            .snapshot(snapshot.id.as_str())
            .is_some_and(|e| e.implied())
        {
            return self
                .storage
                .refine_implied(snapshot)
                .map_err(InvariantError::DuplicateSnapshotId);
        }
        self.insert_snapshot(snapshot)
    }

    /// Adds a disk. Refused (store unchanged) if the id is taken, the region is unknown, its
    /// instance is not in the store (with the disk's owner and region), or its source snapshot
    /// reference is inconsistent with `source_snapshot_deleted`.
    pub fn insert_disk(&mut self, mut disk: Disk) -> Result<(), InvariantError> {
        if self.storage.disk(disk.id.as_str()).is_some() {
            return Err(InvariantError::DuplicateDisk(disk.id));
        }
        disk.region = self
            .check_region(|| format!("disk {}", disk.id), &disk.region)?
            .clone();
        if let Some(instance) = &disk.instance {
            let attached = self
                .instances
                .get(instance)
                .is_some_and(|i| i.owner == disk.owner && i.region == disk.region);
            if !attached {
                return Err(InvariantError::DiskInstanceMissing {
                    instance: instance.clone(),
                    disk: disk.id,
                });
            }
        }
        if let Some(snapshot) = &disk.source_snapshot {
            match (
                self.storage.snapshot(snapshot.as_str()).is_some(),
                disk.source_snapshot_deleted,
            ) {
                (false, false) => {
                    return Err(InvariantError::DiskSnapshotMissing {
                        snapshot: snapshot.clone(),
                        disk: disk.id,
                    });
                }
                (true, true) => {
                    return Err(InvariantError::DiskSnapshotPresent {
                        snapshot: snapshot.clone(),
                        disk: disk.id,
                    });
                }
                _ => {}
            }
        }
        self.storage.add_disk(disk);
        Ok(())
    }

    // ---- removals used by the rule and by fixture rollback ---------------------------------

    /// Removes a snapshot, and its creation if it is in progress; the disks created from it
    /// stay, flagged as unable to re-initialize. Returns the snapshot and those disks, in id
    /// order.
    pub(crate) fn remove_snapshot(&mut self, id: &str) -> Option<(Snapshot, Vec<DiskId>)> {
        let (snapshot, disks) = self.storage.remove_snapshot(id)?;
        self.schedule.remove(&Work::Snapshot(snapshot.id.clone()));
        self.tags.forget(ResourceType::Snapshot, id);
        Some((snapshot, disks))
    }

    /// A new progressing snapshot of an existing disk, of the disk's owner and region, made
    /// now. Returns its id.
    pub(crate) fn snapshot_disk(
        &mut self,
        disk: &DiskId,
        name: Option<String>,
        description: Option<String>,
    ) -> SnapshotId {
        let (owner, region) = {
            let d = self
                .storage
                .disk(disk.as_str())
                .expect("a checked snapshot is of an existing disk");
            (d.owner.clone(), d.region.clone())
        };
        let id = self.new_snapshot_id();
        let snapshot = Snapshot {
            source_disk: Some(disk.clone()),
            status: SnapshotStatus::Progressing,
            progress: 0,
            name,
            description,
            ..Snapshot::accomplished(id.clone(), owner, region, self.now())
        };
        self.insert_snapshot(snapshot)
            .expect("a new snapshot keeps the store's invariants");
        id
    }

    /// Ends a snapshot's creation: accomplished (progress 100) or failed (progress as it
    /// was). `false` for an unknown snapshot.
    pub(crate) fn end_snapshot(&mut self, id: &str, status: SnapshotStatus) -> bool {
        let Some(entry) = self.storage.snapshot(id) else {
            return false;
        };
        self.schedule
            .remove(&Work::Snapshot(entry.snapshot.id.clone()));
        let progress = match status {
            SnapshotStatus::Accomplished => 100,
            _ => entry.snapshot.progress,
        };
        self.storage.set_snapshot_state(id, status, progress)
    }

    /// Gives a new instance its system disk, created from its image's first snapshot (the
    /// system disk's, when the image lists any) \[D: an image's first disk mapping is its
    /// system disk\]. Returns the disk's id.
    pub(crate) fn add_system_disk(&mut self, instance: &InstanceId, image: &ImageId) -> DiskId {
        let (owner, region) = {
            let i = &self.instances[instance];
            (i.owner.clone(), i.region.clone())
        };
        let (source_snapshot, size_gib) = match self.images.get(image) {
            Some(e) => (
                e.image.snapshots.first().cloned(),
                e.image.attributes().size_gib,
            ),
            None => (None, None),
        };
        let id = self.new_disk_id();
        self.insert_disk(Disk {
            id: id.clone(),
            owner,
            region,
            disk_type: DiskType::System,
            instance: Some(instance.clone()),
            source_snapshot,
            source_snapshot_deleted: false,
            size_gib,
        })
        .expect("a new instance's system disk keeps the store's invariants");
        id
    }

    /// Removes an image that no task runs on, flags its instances and releases its snapshots.
    /// Returns the image, the instances that lost it, and the snapshots no image lists any more.
    pub(crate) fn remove_image(
        &mut self,
        id: &str,
    ) -> Option<(Image, Vec<InstanceId>, Vec<SnapshotId>)> {
        let at = self.images.position(id)?;
        // Out of the groups first, and the entry that will fill the hole re-pointed, while
        // every position still reads as it does now.
        let images = &self.images;
        let ids = |p| images.at(p).image.id.as_str();
        self.groups.remove(&images.at(at).image, ids);
        let last = u32::try_from(images.len() - 1).expect("positions fit in u32");
        if last != at {
            self.groups.moved(&images.at(last).image, at, ids);
        }
        let (entry, moved) = self.images.remove(id)?;
        debug_assert_eq!(moved, (last != at).then_some((last, at)));
        let (image, running, instances) = entry.into_parts();
        self.schedule.remove(&Work::Creation(image.id.clone()));
        // A resource's tags go with it \[D\].
        self.tags.forget(ResourceType::Image, image.id.as_str());
        if let Some(owned) = self.owners.get_mut(&image.owner) {
            *owned -= 1;
            if *owned == 0 {
                self.owners.remove(&image.owner);
            }
        }
        debug_assert_eq!(running, Running::default(), "a deleted image has no task");
        for instance in &instances {
            if let Some(i) = self.instances.get_mut(instance) {
                i.image_deleted = true;
            }
        }
        if !instances.is_empty() {
            self.orphans
                .entry(image.id.clone())
                .or_default()
                .extend(instances.iter().cloned());
        }
        let released = image
            .snapshots
            .iter()
            .filter(|snapshot| self.storage.release_from_image(snapshot.as_str()))
            .cloned()
            .collect();
        Some((image, instances.into_iter().collect(), released))
    }

    /// Removes a task, undoing its counts, and forgets it (it never ran).
    pub(crate) fn remove_task(&mut self, id: &str) -> Option<Task> {
        let task = self.tasks.remove(id)?;
        self.schedule.remove(&Work::Task(task.id.clone()));
        if let Some((owner, region)) = self.task_owner_and_region(&task) {
            let key = (owner.clone(), region.clone());
            if let Some(ids) = self.tasks_by_account.get_mut(&key) {
                ids.remove(id);
                if ids.is_empty() {
                    self.tasks_by_account.remove(&key);
                }
            }
        }
        self.count_task(&task.kind, -1);
        if let TaskKind::CopyImage { destination, .. } = &task.kind {
            self.copies.remove(destination);
        }
        Some(task)
    }

    /// Ends a running task: it leaves the running tasks and is kept as an [`EndedTask`], with
    /// the owner and region of its images as they are now (so call this before removing them).
    pub(crate) fn end_task(&mut self, id: &str, end: TaskEnd) -> Option<EndedTask> {
        let (owner, region) = self
            .tasks
            .get(id)
            .and_then(|task| self.task_owner_and_region(task))
            .map(|(owner, region)| (owner.clone(), region.clone()))?;
        let task = self.remove_task(id)?;
        let ended = EndedTask {
            id: task.id,
            kind: task.kind,
            owner,
            region,
            end,
            created: task.created,
            finished: Some(self.clock),
        };
        if let TaskKind::CopyImage { destination, .. } = &ended.kind {
            self.copies.insert(destination.clone(), ended.id.clone());
        }
        if Self::listed_task(&ended.kind) {
            self.tasks_by_account
                .entry((ended.owner.clone(), ended.region.clone()))
                .or_default()
                .insert(ended.id.clone());
        }
        self.ended_tasks.insert(ended.id.clone(), ended.clone());
        Some(ended)
    }

    /// Removes an instance (it is released), and the disks attached to it with it \[I\].
    pub(crate) fn remove_instance(&mut self, id: &str) -> Option<Instance> {
        let instance = self.instances.remove(id)?;
        self.schedule.remove(&Work::Instance(instance.id.clone()));
        // A resource's tags go with it \[D\].
        self.tags.forget(ResourceType::Instance, id);
        let disks: Vec<DiskId> = self
            .storage
            .disks_of_instance(id)
            .map(|d| d.iter().cloned().collect())
            .unwrap_or_default();
        for disk in disks {
            self.tags.forget(ResourceType::Disk, disk.as_str());
            self.storage.remove_disk(disk.as_str());
        }
        let key = (instance.owner.clone(), instance.region.clone());
        if let Some(ids) = self.instances_by_account.get_mut(&key) {
            ids.remove(id);
            if ids.is_empty() {
                self.instances_by_account.remove(&key);
            }
        }
        self.unindex_status(&instance);
        if let Some(entry) = self.images.get_mut(&instance.image) {
            entry.remove_instance(id);
        }
        if let Some(orphans) = self.orphans.get_mut(&instance.image) {
            orphans.remove(id);
            if orphans.is_empty() {
                self.orphans.remove(&instance.image);
            }
        }
        Some(instance)
    }

    /// Sets an instance's status. Returns `false` (and changes nothing) for an unknown one.
    pub(crate) fn set_instance_status(&mut self, id: &str, status: InstanceStatus) -> bool {
        let Some(instance) = self.instances.get(id) else {
            return false;
        };
        let instance = instance.clone();
        self.unindex_status(&instance);
        if !status.is_transitional() {
            self.schedule.remove(&Work::Instance(instance.id.clone()));
        }
        let updated = Instance { status, ..instance };
        self.instances_by_status
            .entry(status_key(&updated))
            .or_default()
            .insert(updated.id.clone());
        self.instances.insert(updated.id.clone(), updated);
        true
    }

    fn unindex_status(&mut self, instance: &Instance) {
        let key = status_key(instance);
        if let Some(ids) = self.instances_by_status.get_mut(&key) {
            ids.remove(&instance.id);
            if ids.is_empty() {
                self.instances_by_status.remove(&key);
            }
        }
    }

    /// Sets an image's status. Returns `false` (and changes nothing) for an unknown image.
    pub(crate) fn set_status(&mut self, image: &str, status: ImageStatus) -> bool {
        if status != ImageStatus::Creating
            && let Some(entry) = self.images.get(image)
        {
            let work = Work::Creation(entry.image.id.clone());
            self.schedule.remove(&work);
        }
        self.regroup(image, |image| image.status = status)
    }

    /// Changes an image's attributes (name, description…); they take no part in the groups.
    /// Returns `false` (and changes nothing) for an unknown image.
    pub(crate) fn change_attributes(
        &mut self,
        image: &str,
        change: impl FnOnce(&mut ImageAttributes),
    ) -> bool {
        let Some(entry) = self.images.get_mut(image) else {
            return false;
        };
        let mut attributes = entry
            .image
            .attributes
            .take()
            .map(|b| *b)
            .unwrap_or_default();
        change(&mut attributes);
        entry.image.attributes = attributes.boxed();
        true
    }

    /// Replaces an image's community flag and shares. The caller has checked the result against
    /// [`check_image`]'s rules (never the owner, at most [`MAX_SHARES`], custom images only).
    pub(crate) fn set_visibility(&mut self, image: &str, visibility: Visibility) -> bool {
        self.regroup(image, |image| {
            debug_assert!(
                check_image(&Image {
                    visibility: visibility.clone(),
                    ..image.clone()
                })
                .is_ok(),
                "a visibility change keeps the image's invariants"
            );
            image.visibility = visibility;
        })
    }

    /// Changes an image and moves it to the groups it then belongs to. `false` (and nothing
    /// changed) for an unknown image.
    fn regroup(&mut self, image: &str, change: impl FnOnce(&mut Image)) -> bool {
        let Some(at) = self.images.position(image) else {
            return false;
        };
        let images = &self.images;
        self.groups
            .remove(&images.at(at).image, |p| images.at(p).image.id.as_str());
        change(&mut self.images.at_mut(at).image);
        let images = &self.images;
        self.groups
            .add(at, &images.at(at).image, |p| images.at(p).image.id.as_str());
        true
    }

    /// Whether DescribeTasks lists a task of this kind: imports and exports \[D\].
    fn listed_task(kind: &TaskKind) -> bool {
        !matches!(kind, TaskKind::CopyImage { .. })
    }

    // ---- indexes for the Describe actions ------------------------------------------------

    /// The images of each region, audience and status.
    pub(crate) fn groups(&self) -> &ImageGroups {
        &self.groups
    }

    /// The image at a position a group holds.
    pub(crate) fn image_at(&self, at: u32) -> &Image {
        &self.images.at(at).image
    }

    /// An account's instances in a region, in id order.
    pub(crate) fn instances_of_account(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> Option<&BTreeSet<InstanceId>> {
        self.instances_by_account
            .get(&(owner.clone(), region.clone()))
    }

    /// An account's instances in a region that have a status, in id order.
    pub(crate) fn instances_of_account_in(
        &self,
        owner: &AccountId,
        region: &RegionId,
        status: InstanceStatus,
    ) -> Option<&BTreeSet<InstanceId>> {
        self.instances_by_status
            .get(&(owner.clone(), region.clone(), status))
    }

    /// An account's import and export tasks in a region, running or ended, in id order.
    pub(crate) fn tasks_of_account(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> Option<&BTreeSet<TaskId>> {
        self.tasks_by_account.get(&(owner.clone(), region.clone()))
    }

    fn count_task(&mut self, kind: &TaskKind, delta: i32) {
        let mut bump = |image: &ImageId, field: fn(&mut Running) -> &mut u32| {
            if let Some(entry) = self.images.get_mut(image) {
                entry.update_running(|running| {
                    let n = field(running);
                    *n = n
                        .checked_add_signed(delta)
                        .expect("task counts stay in range");
                });
            }
        };
        match kind {
            TaskKind::ImportImage { image } => bump(image, |r| &mut r.imports),
            TaskKind::ExportImage { image } => bump(image, |r| &mut r.exports),
            TaskKind::CopyImage {
                source,
                destination,
            } => {
                bump(source, |r| &mut r.copies_out);
                bump(destination, |r| &mut r.copies_in);
            }
        }
    }

    /// The store's copy of a known region's id; `what` names the resource for the error.
    fn check_region(
        &self,
        what: impl FnOnce() -> String,
        region: &RegionId,
    ) -> Result<&RegionId, InvariantError> {
        self.regions
            .iter()
            .find(|known| *known == region)
            .ok_or_else(|| InvariantError::UnknownRegion {
                what: what(),
                region: region.clone(),
            })
    }

    /// Counts one more image of `owner`'s, and returns the copy of its id they all share.
    fn add_owned(&mut self, owner: &AccountId) -> AccountId {
        match self.owners.entry(owner.clone()) {
            std::collections::hash_map::Entry::Occupied(mut known) => {
                *known.get_mut() += 1;
                known.key().clone()
            }
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(1);
                owner.clone()
            }
        }
    }
}

/// The invariants an image must keep on its own, whatever else the store holds.
fn check_image(image: &Image) -> Result<(), InvariantError> {
    let mut seen = BTreeSet::new();
    if let Some(snapshot) = image.snapshots.iter().find(|s| !seen.insert(*s)) {
        return Err(InvariantError::DuplicateSnapshot {
            image: image.id.clone(),
            snapshot: snapshot.clone(),
        });
    }
    let shares = &image.visibility.shared_with;
    if image.kind != ImageKind::Custom {
        let what = match (shares.is_empty(), image.visibility.community) {
            (false, _) => "shared",
            (true, true) => "published",
            (true, false) => return Ok(()),
        };
        return Err(InvariantError::NotCustom {
            image: image.id.clone(),
            kind: image.kind,
            what,
        });
    }
    if shares.contains(&image.owner) {
        return Err(InvariantError::SharedWithOwner {
            image: image.id.clone(),
            owner: image.owner.clone(),
        });
    }
    if shares.len() > MAX_SHARES {
        return Err(InvariantError::TooManyShares {
            image: image.id.clone(),
            count: shares.len(),
        });
    }
    Ok(())
}

/// The id of draw number `n`: `prefix` and 20 characters of `[0-9a-z]`, shaped like a real
/// custom image id (`m-2zee2i7regbnhhawrwc2`, docs/contract.md §1) \[I\].
///
/// The draw number goes through the SplitMix64 finalizer (a bijection on `u64`) after an odd
/// multiplication (another bijection); the last 13 characters spell that word in base 36, and
/// 36^13 > 2^64, so distinct draws give distinct ids. The first 7 characters come from a second
/// mix and only make the ids look less alike.
fn generated_id(prefix: &str, n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn base36(mut word: u64, len: usize, out: &mut Vec<u8>) {
        let start = out.len();
        for _ in 0..len {
            out.push(DIGITS[(word % 36) as usize]);
            word /= 36;
        }
        out[start..].reverse();
    }
    let unique = mix(n.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1));
    let decoration = mix(unique ^ 0xD1B5_4A32_D192_ED03);
    let mut id = prefix.as_bytes().to_vec();
    base36(decoration, 7, &mut id);
    base36(unique, 13, &mut id);
    String::from_utf8(id).expect("prefix and digits are ASCII")
}

/// An instance's key in the per-status index.
fn status_key(instance: &Instance) -> (AccountId, RegionId, InstanceStatus) {
    (
        instance.owner.clone(),
        instance.region.clone(),
        instance.status,
    )
}
