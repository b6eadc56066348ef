//! [`ImageStore`]: regions, images, running tasks and instances, indexed so that a DeleteImage
//! decision is a constant number of lookups whatever the store holds.
//!
//! The store enforces structural invariants only (see [`InvariantError`]): every reference
//! resolves, ids are unique, shares are well formed. It does not enforce the lifecycle: any
//! combination of the six blockers on one image can be represented, because an oracle must
//! answer every state another implementation might hold.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ids::{AccountId, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::model::{Image, ImageKind, Instance, Task, TaskKind};

/// The most accounts one image can be shared with [D: ModifyImageSharePermission].
pub const MAX_SHARES: usize = 50;

/// Alibaba Cloud's public regions (`research-alibaba.md` §3, Regions): the regions a new
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

/// A structural fault: what the store refuses to hold, from a snapshot or from an insert.
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
    /// An image is shared with more than [`MAX_SHARES`] accounts [D].
    #[error("image {image} is shared with {count} accounts; at most 50 are allowed")]
    TooManyShares {
        /// The image.
        image: ImageId,
        /// How many accounts it is shared with.
        count: usize,
    },
    /// A system or marketplace image is shared, published or has a running task: only custom
    /// images can be [D].
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
    /// owners (CopyImage copies the caller's own image for the caller [D]).
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
    /// An instance runs in another region than the image it was created from (images are
    /// regional [D]).
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
}

/// How many tasks of each kind run on one image; derived from the tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Running {
    pub(crate) imports: u32,
    pub(crate) exports: u32,
    pub(crate) copies_out: u32,
    pub(crate) copies_in: u32,
}

/// An image and the derived facts the rule reads: its running tasks and live instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) image: Image,
    pub(crate) running: Running,
    pub(crate) instances: BTreeSet<InstanceId>,
}

/// Regions, images, running tasks and instances, with the indexes that make a DeleteImage
/// decision O(1).
///
/// Build one with [`ImageStore::new`] and the inserts, with the fixture builder
/// [`ImageSpec`](crate::ImageSpec), or by deserializing a snapshot (see the
/// [`snapshot`](crate::snapshot) module). Two stores are equal when they hold the same
/// resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageStore {
    regions: BTreeSet<RegionId>,
    images: HashMap<ImageId, Entry>,
    tasks: BTreeMap<TaskId, Task>,
    instances: HashMap<InstanceId, Instance>,
    /// How many images list each snapshot: a snapshot is released when this drops to zero.
    snapshot_users: HashMap<SnapshotId, u32>,
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
            regions: BTreeSet::new(),
            images: HashMap::new(),
            tasks: BTreeMap::new(),
            instances: HashMap::new(),
            snapshot_users: HashMap::new(),
        }
    }

    /// Makes a region known. Adding a known region changes nothing.
    pub fn add_region(&mut self, region: RegionId) {
        self.regions.insert(region);
    }

    // ---- queries -------------------------------------------------------------------------

    /// Whether the store knows a region.
    pub fn has_region(&self, region: &str) -> bool {
        self.regions.contains(region)
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
            .flat_map(|e| e.instances.iter())
    }

    pub(crate) fn entry(&self, image: &str) -> Option<&Entry> {
        self.images.get(image)
    }

    // ---- structural inserts ------------------------------------------------------------------

    /// Adds an image. Refused (store unchanged) if the id is taken, the region unknown, or the
    /// image breaks an invariant on its own (shares, snapshots, kind).
    pub fn insert_image(&mut self, image: Image) -> Result<(), InvariantError> {
        if self.images.contains_key(&image.id) {
            return Err(InvariantError::DuplicateImage(image.id));
        }
        self.check_region(format!("image {}", image.id), &image.region)?;
        check_image(&image)?;
        for snapshot in &image.snapshots {
            *self.snapshot_users.entry(snapshot.clone()).or_default() += 1;
        }
        self.images.insert(
            image.id.clone(),
            Entry {
                image,
                running: Running::default(),
                instances: BTreeSet::new(),
            },
        );
        Ok(())
    }

    /// Adds a running task. Refused (store unchanged) if the id is taken, an image it names is
    /// missing or not custom, an image would get a second import or a second incoming copy, or
    /// a copy does not go from one image to another of the same owner.
    pub fn insert_task(&mut self, task: Task) -> Result<(), InvariantError> {
        if self.tasks.contains_key(&task.id) {
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
                if self.images[image].running.imports > 0 {
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
                if self.images[destination].running.copies_in > 0 {
                    return Err(InvariantError::SecondCopyInto {
                        image: destination.clone(),
                        task: task.id.clone(),
                    });
                }
            }
        }
        self.count_task(&task.kind, 1);
        self.tasks.insert(task.id.clone(), task);
        Ok(())
    }

    /// Adds an instance. Refused (store unchanged) if the id is taken, the region is unknown,
    /// or the image reference is inconsistent with `image_deleted` or with the region.
    pub fn insert_instance(&mut self, instance: Instance) -> Result<(), InvariantError> {
        if self.instances.contains_key(&instance.id) {
            return Err(InvariantError::DuplicateInstance(instance.id));
        }
        self.check_region(format!("instance {}", instance.id), &instance.region)?;
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
                entry.instances.insert(instance.id.clone());
            }
            (None, true) => {}
        }
        self.instances.insert(instance.id.clone(), instance);
        Ok(())
    }

    // ---- removals used by the rule and by fixture rollback ---------------------------------

    /// Removes an image that no task runs on, flags its instances and releases its snapshots.
    /// Returns the image, the instances that lost it, and the snapshots no image lists any more.
    pub(crate) fn remove_image(
        &mut self,
        id: &str,
    ) -> Option<(Image, Vec<InstanceId>, Vec<SnapshotId>)> {
        let entry = self.images.remove(id)?;
        debug_assert_eq!(
            entry.running,
            Running::default(),
            "a deleted image has no task"
        );
        for instance in &entry.instances {
            if let Some(i) = self.instances.get_mut(instance) {
                i.image_deleted = true;
            }
        }
        let mut released = Vec::new();
        for snapshot in &entry.image.snapshots {
            if let Some(users) = self.snapshot_users.get_mut(snapshot) {
                *users -= 1;
                if *users == 0 {
                    self.snapshot_users.remove(snapshot);
                    released.push(snapshot.clone());
                }
            }
        }
        Some((entry.image, entry.instances.into_iter().collect(), released))
    }

    /// Removes a task, undoing its counts.
    pub(crate) fn remove_task(&mut self, id: &str) -> Option<Task> {
        let task = self.tasks.remove(id)?;
        self.count_task(&task.kind, -1);
        Some(task)
    }

    /// Removes an instance (it is released).
    pub(crate) fn remove_instance(&mut self, id: &str) -> Option<Instance> {
        let instance = self.instances.remove(id)?;
        if let Some(entry) = self.images.get_mut(&instance.image) {
            entry.instances.remove(id);
        }
        Some(instance)
    }

    fn count_task(&mut self, kind: &TaskKind, delta: i32) {
        let mut bump = |image: &ImageId, field: fn(&mut Running) -> &mut u32| {
            if let Some(entry) = self.images.get_mut(image) {
                let n = field(&mut entry.running);
                *n = n
                    .checked_add_signed(delta)
                    .expect("task counts stay in range");
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

    fn check_region(&self, what: String, region: &RegionId) -> Result<(), InvariantError> {
        if self.regions.contains(region) {
            Ok(())
        } else {
            Err(InvariantError::UnknownRegion {
                what,
                region: region.clone(),
            })
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
