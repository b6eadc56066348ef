//! Fixture builders: put an image into any combination of states in a line.

use crate::attributes::ImageAttributes;
use crate::ids::{AccountId, IdError, ImageId, InstanceId, RegionId, SnapshotId, TaskId};
use crate::model::{Image, ImageKind, ImageStatus, Instance, Task, TaskKind, Visibility};
use crate::state::StoreState;
use crate::store::{ImageStore, InvariantError};

/// The owner given to system images by [`ImageSpec::system`] \[I\].
pub const SYSTEM_OWNER: &str = "alibaba-cloud";
/// The owner given to marketplace images by [`ImageSpec::marketplace`] \[I\].
pub const MARKETPLACE_OWNER: &str = "alibaba-cloud-marketplace";

/// Why a fixture could not be put into a store. The store is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// An id (given, or derived from the image id) is not well formed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The fixture would break a structural invariant.
    #[error(transparent)]
    Invariant(#[from] InvariantError),
}

/// A description of one image and the states it is in: put an image into any combination of
/// states in a line.
///
/// ```
/// use ecs_image_rules::{ImageSpec, ImageStore};
///
/// let mut store = ImageStore::new();
/// // Alice's image, shared with Bob, being copied, and used by two instances.
/// store.put(ImageSpec::custom("m-own", "alice", "cn-hangzhou").add_share("bob").copying().used_by(2))?;
/// assert_eq!(store.instances_of("m-own").count(), 2);
/// # Ok::<(), ecs_image_rules::FixtureError>(())
/// ```
///
/// The helpers name what they create deterministically from the image id `ID`: instances
/// `i-ID-1`, `i-ID-2`, …; copies `ID-copy1`, …; tasks `t-ID-import`, `t-ID-export`,
/// `t-copy-DEST` for a copy into `DEST`.
#[derive(Debug, Clone)]
#[must_use = "an ImageSpec does nothing until it is put into a store"]
pub struct ImageSpec {
    id: String,
    owner: String,
    region: String,
    kind: ImageKind,
    status: ImageStatus,
    community: bool,
    shares: Vec<String>,
    snapshots: Vec<String>,
    importing: bool,
    exporting: bool,
    copies_to: Vec<String>,
    copy_of: Option<String>,
    used_by: usize,
    instances: Vec<(String, String)>,
    attributes: Option<ImageAttributes>,
}

impl ImageSpec {
    fn new(kind: ImageKind, id: &str, owner: &str, region: &str) -> Self {
        Self {
            id: id.to_owned(),
            owner: owner.to_owned(),
            region: region.to_owned(),
            kind,
            status: ImageStatus::Available,
            community: false,
            shares: Vec::new(),
            snapshots: Vec::new(),
            importing: false,
            exporting: false,
            copies_to: Vec::new(),
            copy_of: None,
            used_by: 0,
            instances: Vec::new(),
            attributes: None,
        }
    }

    /// A private, available custom image.
    pub fn custom(id: &str, owner: &str, region: &str) -> Self {
        Self::new(ImageKind::Custom, id, owner, region)
    }

    /// An available system (public) image, owned by [`SYSTEM_OWNER`].
    pub fn system(id: &str, region: &str) -> Self {
        Self::new(ImageKind::System, id, SYSTEM_OWNER, region)
    }

    /// An available marketplace image, owned by [`MARKETPLACE_OWNER`].
    pub fn marketplace(id: &str, region: &str) -> Self {
        Self::new(ImageKind::Marketplace, id, MARKETPLACE_OWNER, region)
    }

    /// Sets the status, replacing the one it had.
    pub fn with_status(self, status: ImageStatus) -> Self {
        Self { status, ..self }
    }

    /// Publishes it as a community image (blocker Public).
    pub fn community(self) -> Self {
        Self {
            community: true,
            ..self
        }
    }

    /// Shares it with an account (blocker Shared). Repeatable.
    pub fn add_share(mut self, account: &str) -> Self {
        self.shares.push(account.to_owned());
        self
    }

    /// Gives it these attributes (name, description, operating system…), replacing any it
    /// had.
    pub fn with_attributes(self, attributes: ImageAttributes) -> Self {
        Self {
            attributes: Some(attributes),
            ..self
        }
    }

    /// Lists a snapshot it was built from. Repeatable.
    pub fn add_snapshot(mut self, snapshot: &str) -> Self {
        self.snapshots.push(snapshot.to_owned());
        self
    }

    /// Runs an import task for it, `t-ID-import` (blocker Importing); the status becomes
    /// Waiting.
    pub fn importing(self) -> Self {
        Self {
            importing: true,
            status: ImageStatus::Waiting,
            ..self
        }
    }

    /// Runs an export task on it, `t-ID-export` (blocker Exporting).
    pub fn exporting(self) -> Self {
        Self {
            exporting: true,
            ..self
        }
    }

    /// Copies it into a new image `ID-copyN` in the same region, status Creating, task
    /// `t-copy-ID-copyN` (blocker Copying, on both ends). Repeatable.
    pub fn copying(self) -> Self {
        let region = self.region.clone();
        self.copying_to(&region)
    }

    /// Copies it into a new image `ID-copyN` in `region`. Repeatable.
    pub fn copying_to(mut self, region: &str) -> Self {
        self.copies_to.push(region.to_owned());
        self
    }

    /// Makes it the destination of a running copy from `source`, which must already be in the
    /// store with the same owner; task `t-copy-ID` (blocker Copying, on both ends). The status
    /// becomes Creating.
    pub fn copy_of(self, source: &str) -> Self {
        Self {
            copy_of: Some(source.to_owned()),
            status: ImageStatus::Creating,
            ..self
        }
    }

    /// Creates `n` instances from it, `i-ID-1` to `i-ID-n`, owned by its owner (blocker InUse).
    pub fn used_by(self, n: usize) -> Self {
        Self { used_by: n, ..self }
    }

    /// Creates one instance from it with the given id and owner (blocker InUse). Repeatable.
    pub fn add_instance(mut self, id: &str, owner: &str) -> Self {
        self.instances.push((id.to_owned(), owner.to_owned()));
        self
    }

    /// The image, tasks and instances the spec describes, with every id validated.
    fn build(&self) -> Result<StoreState, IdError> {
        let owner = AccountId::new(&self.owner)?;
        let region = RegionId::new(&self.region)?;
        let image = Image {
            id: ImageId::new(&self.id)?,
            owner: owner.clone(),
            region: region.clone(),
            kind: self.kind,
            status: self.status,
            visibility: Visibility {
                community: self.community,
                shared_with: self
                    .shares
                    .iter()
                    .map(|a| AccountId::new(a))
                    .collect::<Result<_, _>>()?,
            },
            snapshots: self
                .snapshots
                .iter()
                .map(|s| SnapshotId::new(s))
                .collect::<Result<_, _>>()?,
            attributes: self.attributes.clone().and_then(ImageAttributes::boxed),
        };
        let id = &self.id;
        let mut tasks = Vec::new();
        let single = |kind: &str| TaskId::new(&format!("t-{id}-{kind}"));
        if self.importing {
            let image = image.id.clone();
            tasks.push(Task {
                id: single("import")?,
                kind: TaskKind::ImportImage { image },
                created: None,
            });
        }
        if self.exporting {
            let image = image.id.clone();
            tasks.push(Task {
                id: single("export")?,
                kind: TaskKind::ExportImage { image },
                created: None,
            });
        }
        let copy = |source: ImageId, destination: ImageId| -> Result<Task, IdError> {
            Ok(Task {
                id: TaskId::new(&format!("t-copy-{destination}"))?,
                kind: TaskKind::CopyImage {
                    source,
                    destination,
                },
                created: None,
            })
        };
        if let Some(source) = &self.copy_of {
            tasks.push(copy(ImageId::new(source)?, image.id.clone())?);
        }
        let mut images = Vec::new();
        for (n, copy_region) in (1..).zip(&self.copies_to) {
            let destination = Image {
                status: ImageStatus::Creating,
                ..Image::custom(
                    ImageId::new(&format!("{id}-copy{n}"))?,
                    owner.clone(),
                    RegionId::new(copy_region)?,
                )
            };
            tasks.push(copy(image.id.clone(), destination.id.clone())?);
            images.push(destination);
        }
        let numbered = (1..=self.used_by).map(|k| (format!("i-{id}-{k}"), self.owner.clone()));
        let instances = numbered
            .chain(self.instances.iter().cloned())
            .map(|(instance, instance_owner)| {
                Ok(Instance {
                    id: InstanceId::new(&instance)?,
                    owner: AccountId::new(&instance_owner)?,
                    region: region.clone(),
                    image: image.id.clone(),
                    status: crate::model::InstanceStatus::Running,
                    image_deleted: false,
                    launch: None,
                })
            })
            .collect::<Result<_, IdError>>()?;
        images.insert(0, image);
        Ok(StoreState {
            regions: Vec::new(),
            images,
            tasks,
            instances,
            ..StoreState::default()
        })
    }
}

impl ImageStore {
    /// Puts an image and its states into the store, all or nothing. Returns the image's id.
    pub fn put(&mut self, spec: ImageSpec) -> Result<ImageId, FixtureError> {
        let parts = spec.build()?;
        let id = parts.images[0].id.clone();
        let mut done = Undo::default();
        let result = self.put_all(parts, &mut done);
        if result.is_err() {
            done.roll_back(self);
        }
        result?;
        Ok(id)
    }

    fn put_all(&mut self, parts: StoreState, done: &mut Undo) -> Result<(), InvariantError> {
        for image in parts.images {
            let id = image.id.clone();
            let implied: Vec<SnapshotId> = image
                .snapshots
                .iter()
                .filter(|s| self.snapshot(s.as_str()).is_none())
                .cloned()
                .collect();
            self.insert_image(image)?;
            done.images.push(id);
            done.snapshots.extend(implied);
        }
        for task in parts.tasks {
            let id = task.id.clone();
            self.insert_task(task)?;
            done.tasks.push(id);
        }
        for instance in parts.instances {
            let id = instance.id.clone();
            self.insert_instance(instance)?;
            done.instances.push(id);
        }
        Ok(())
    }
}

/// What a partial fixture inserted, so that a failure can take it out again.
#[derive(Default)]
struct Undo {
    images: Vec<ImageId>,
    /// The snapshots the images implied (docs/delete-snapshot.md).
    snapshots: Vec<SnapshotId>,
    tasks: Vec<TaskId>,
    instances: Vec<InstanceId>,
}

impl Undo {
    fn roll_back(self, store: &mut ImageStore) {
        for id in self.instances.iter().rev() {
            store.remove_instance(id.as_str());
        }
        for id in self.tasks.iter().rev() {
            store.remove_task(id.as_str());
        }
        for id in self.images.iter().rev() {
            store.remove_image(id.as_str());
        }
        for id in self.snapshots.iter().rev() {
            store.remove_snapshot(id.as_str());
        }
    }
}
