//! The questions a simulator asks the store between transitions: which images an account sees
//! (DescribeImages), whom an image is shared with (DescribeImageSharePermission), which
//! instances were made from an image, whether an instance can still re-initialize its system
//! disk, and which tasks are running (DescribeTasks). Queries never change the store.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::error::{BadFilter, Error, NotFound, Parameter};
use crate::ids::{AccountId, ImageId, InstanceId, RegionId};
use crate::image_index::{Audience, GroupKey, View};
use crate::model::{Image, ImageKind, ImageStatus, Task};
use crate::rule::{Relation, known_region, relation};
use crate::store::ImageStore;

/// DescribeImages `ImageOwnerAlias` \[D\]: who provides an image, as seen by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OwnerAlias {
    /// `self`: the caller's own custom images (published or not).
    Own,
    /// `others`: other accounts' custom images that are shared with the caller or published as
    /// community images.
    Others,
    /// `system`: Alibaba Cloud public images.
    System,
    /// `marketplace`: Alibaba Cloud Marketplace images.
    Marketplace,
}

impl OwnerAlias {
    /// The alias as the API spells it, e.g. `self`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OwnerAlias::Own => "self",
            OwnerAlias::Others => "others",
            OwnerAlias::System => "system",
            OwnerAlias::Marketplace => "marketplace",
        }
    }

    /// The alias an image has for a caller that can see it.
    pub fn of(image: &Image, caller: &AccountId) -> Self {
        match image.kind {
            ImageKind::System => OwnerAlias::System,
            ImageKind::Marketplace => OwnerAlias::Marketplace,
            ImageKind::Custom if image.owner == *caller => OwnerAlias::Own,
            ImageKind::Custom => OwnerAlias::Others,
        }
    }
}

impl fmt::Display for OwnerAlias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OwnerAlias {
    type Err = Error;

    /// `self`, `others`, `system` or `marketplace`; anything else is 400
    /// `InvalidImageOwnerAlias.ValueNotSupported` \[D\].
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "self" => Ok(OwnerAlias::Own),
            "others" => Ok(OwnerAlias::Others),
            "system" => Ok(OwnerAlias::System),
            "marketplace" => Ok(OwnerAlias::Marketplace),
            _ => Err(BadFilter::ImageOwnerAlias.into()),
        }
    }
}

/// DescribeImages-like filters. An empty list or `None` does not filter.
///
/// `ImageFilter::default()` matches every image the caller can see, in any status. The real
/// DescribeImages shows only Available images when no `Status` is given \[D\]; for that, use
/// [`ImageFilter::describe_images`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFilter {
    /// `ImageId` (comma-separated on the wire): only these images.
    pub image_ids: Vec<ImageId>,
    /// `Status`: only images in one of these statuses.
    pub statuses: Vec<ImageStatus>,
    /// `ImageOwnerAlias`: only images of this kind for the caller.
    pub owner_alias: Option<OwnerAlias>,
}

impl ImageFilter {
    /// The filter of a DescribeImages call without parameters: Available images only \[D\].
    pub fn describe_images() -> Self {
        Self {
            statuses: vec![ImageStatus::Available],
            ..Self::default()
        }
    }

    /// The same filter narrowed to one more image id.
    pub fn add_image_id(mut self, id: ImageId) -> Self {
        self.image_ids.push(id);
        self
    }

    /// The same filter narrowed to one more status.
    pub fn add_status(mut self, status: ImageStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// The same filter narrowed to an owner alias.
    pub fn with_owner_alias(self, owner_alias: OwnerAlias) -> Self {
        Self {
            owner_alias: Some(owner_alias),
            ..self
        }
    }

    pub(crate) fn matches(&self, image: &Image, caller: &AccountId) -> bool {
        (self.image_ids.is_empty() || self.image_ids.contains(&image.id))
            && (self.statuses.is_empty() || self.statuses.contains(&image.status))
            && self
                .owner_alias
                .is_none_or(|alias| alias == OwnerAlias::of(image, caller))
    }
}

/// The most distinct ids one DescribeImages `ImageId` accepts. The documentation gives no
/// limit (it says only that several ids are separated by commas); 100, the limit of the other
/// id lists (`InstanceIds`, `TaskIds`) and of `PageSize`, is ours \[I\]. More is
/// `InvalidParameter` for `ImageId`.
pub const MAX_IMAGE_IDS: usize = 100;

/// The images a caller sees, counted, in id order.
pub(crate) enum Visible<'s> {
    /// Looked up one by one (at most [`MAX_IMAGE_IDS`]), already in id order.
    Listed(Vec<&'s Image>),
    /// The groups that the alias and the statuses name, read from a rank.
    Groups {
        store: &'s ImageStore,
        view: View<'s>,
    },
}

impl<'s> Visible<'s> {
    /// How many images match, on every page.
    pub(crate) fn total(&self) -> usize {
        match self {
            Visible::Listed(images) => images.len(),
            Visible::Groups { view, .. } => view.len(),
        }
    }

    /// The matches from the `skip`-th on; the skipped ones are not read (src/image_index.rs).
    pub(crate) fn from(self, skip: usize) -> Box<dyn Iterator<Item = &'s Image> + 's> {
        match self {
            Visible::Listed(images) => Box::new(images.into_iter().skip(skip)),
            Visible::Groups { store, view } => Box::new(
                view.iter_from(skip, move |at| store.image_at(at).id.as_str())
                    .map(move |at| store.image_at(at)),
            ),
        }
    }
}

/// A running task with the owner and region it belongs to (those of its image; for a copy,
/// of the destination).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningTask<'s> {
    /// The task.
    pub task: &'s Task,
    /// The account that owns it.
    pub owner: &'s AccountId,
    /// Its region.
    pub region: &'s RegionId,
}

impl ImageStore {
    /// The images `caller` can see in `region` that match `filter`, in id order: its own
    /// custom images, other accounts' images shared with it or published as community images,
    /// and every system and marketplace image (docs/contract.md §2).
    ///
    /// Refused with `InvalidRegionId.NotFound` for a region the store does not know.
    pub fn visible_images(
        &self,
        caller: &AccountId,
        region: &RegionId,
        filter: &ImageFilter,
    ) -> Result<Vec<&Image>, Error> {
        Ok(self.visible(caller, region, filter)?.from(0).collect())
    }

    /// The images of [`ImageStore::visible_images`], counted and ready to be read from any
    /// point without a scan of the store: with `ImageId`, each id looked up; without, the
    /// groups of `src/image_index.rs` that the alias and the statuses name.
    pub(crate) fn visible(
        &self,
        caller: &AccountId,
        region: &RegionId,
        filter: &ImageFilter,
    ) -> Result<Visible<'_>, Error> {
        known_region(self, region)?;
        if !filter.image_ids.is_empty() {
            // A set, so that a repeated id counts once, and capped before any lookup.
            let mut ids = BTreeSet::new();
            for id in &filter.image_ids {
                ids.insert(id.as_str());
                if ids.len() > MAX_IMAGE_IDS {
                    return Err(Error::InvalidParameter(Parameter::ImageId));
                }
            }
            // Each image here was found by a listed id: only the other conditions remain
            // (the list's own check compared every image with every id, 10,000 comparisons
            // for 100 ids).
            let rest = ImageFilter {
                image_ids: Vec::new(),
                ..filter.clone()
            };
            let images = ids
                .into_iter()
                .filter_map(|id| self.image(id))
                .filter(|image| image.region == *region)
                .filter(|image| relation(self, caller, region, &image.id) != Relation::Absent)
                .filter(|image| rest.matches(image, caller))
                .collect();
            return Ok(Visible::Listed(images));
        }
        let statuses: &[ImageStatus] = if filter.statuses.is_empty() {
            &ImageStatus::ALL
        } else {
            &filter.statuses
        };
        let statuses: BTreeSet<ImageStatus> = statuses.iter().copied().collect();
        let audiences = |alias| match alias {
            OwnerAlias::Own => vec![Audience::Owner(caller.clone())],
            OwnerAlias::Others => vec![Audience::Community, Audience::SharedWith(caller.clone())],
            OwnerAlias::System => vec![Audience::System],
            OwnerAlias::Marketplace => vec![Audience::Marketplace],
        };
        let audiences = match filter.owner_alias {
            Some(alias) => audiences(alias),
            None => [OwnerAlias::Own, OwnerAlias::Others, OwnerAlias::System]
                .into_iter()
                .chain([OwnerAlias::Marketplace])
                .flat_map(audiences)
                .collect(),
        };
        let mut view = View::default();
        for audience in audiences {
            for &status in &statuses {
                let key = GroupKey {
                    region: region.clone(),
                    audience: audience.clone(),
                    status,
                };
                let Some(group) = self.groups().group(&key) else {
                    continue;
                };
                view.add(group);
                // The caller's own community images are in `Owner(caller)`, never `others`.
                if audience == Audience::Community
                    && let Some(own) = self.groups().own_community(&GroupKey {
                        audience: Audience::Owner(caller.clone()),
                        ..key
                    })
                {
                    view.remove(own);
                }
            }
        }
        Ok(Visible::Groups { store: self, view })
    }

    /// DescribeImageSharePermission: the accounts one of the caller's images is shared with,
    /// in order.
    ///
    /// Refusals: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the image is the
    /// caller's own in the region.
    pub fn shared_accounts(
        &self,
        caller: &AccountId,
        region: &RegionId,
        image: &ImageId,
    ) -> Result<&BTreeSet<AccountId>, Error> {
        known_region(self, region)?;
        match relation(self, caller, region, image) {
            Relation::Own => self
                .image(image.as_str())
                .map(|i| &i.visibility.shared_with)
                .ok_or(NotFound::Image.into()),
            Relation::VisibleNotOwn | Relation::Absent => Err(NotFound::Image.into()),
        }
    }

    /// Every existing instance created from an image, in id order, whoever owns it; this
    /// includes those that outlived the image (it was deleted).
    pub fn instances_created_from(&self, image: &str) -> Vec<&InstanceId> {
        let live = self.instances_of(image);
        let orphans = self.orphans_of(image).into_iter().flatten();
        let mut ids: Vec<&InstanceId> = live.chain(orphans).collect();
        ids.sort();
        ids
    }

    /// Whether an instance can still re-initialize its system disk: its image exists and its
    /// owner can still see it. Deleting the image \[D\] and unsharing it from the instance's owner
    /// \[D\] both take this away. `None` for an unknown instance.
    pub fn can_reinitialize_system_disk(&self, instance: &str) -> Option<bool> {
        let instance = self.instance(instance)?;
        Some(
            !instance.image_deleted
                && relation(self, &instance.owner, &instance.region, &instance.image)
                    != Relation::Absent,
        )
    }

    /// Every running task with its owner and region, in task id order.
    pub fn running_tasks(&self) -> Vec<RunningTask<'_>> {
        self.tasks()
            .filter_map(|task| {
                let (owner, region) = self.task_owner_and_region(task)?;
                Some(RunningTask {
                    task,
                    owner,
                    region,
                })
            })
            .collect()
    }

    /// Whether an image was made by CopyImage (DescribeImages `IsCopied`), whether or not the
    /// copy has finished.
    pub fn is_copy(&self, image: &str) -> bool {
        self.image(image).is_some() && self.copy_task_into(image).is_some()
    }
}
