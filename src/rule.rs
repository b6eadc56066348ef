//! The DeleteImage rule: docs/contract.md §1 (region), §2 (who sees what), §3 (blockers, Force, DryRun)
//! as a pure decision, and §4 (effects) as its application.
//!
//! [`decide`] reads the store and mutates nothing; [`ImageStore::apply`] carries a decision
//! out; [`ImageStore::delete_image`] does both, so a refused request never changes the store.

use crate::blocker::Blocker;
use crate::error::{Error, NotFound};
use crate::ids::{AccountId, ImageId, InstanceId, RegionId, SnapshotId};
use crate::model::{Image, ImageKind};
use crate::profile::{MissingImage, Profile};
use crate::store::{Entry, ImageStore};

/// A DeleteImage request whose parameters are well formed (§1 parameter errors are the wire
/// parser's job; see [`DeleteImageRequest::from_rpc_params`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteImageRequest {
    /// `RegionId`: the region of the image.
    pub region_id: RegionId,
    /// `ImageId`.
    pub image_id: ImageId,
    /// `Force`: delete even if instances were created from the image.
    pub force: bool,
    /// `DryRun`: run every check, change nothing.
    pub dry_run: bool,
}

impl DeleteImageRequest {
    /// A request without Force or DryRun.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            force: false,
            dry_run: false,
        }
    }

    /// The same request with `Force` set.
    pub fn with_force(self, force: bool) -> Self {
        Self { force, ..self }
    }

    /// The same request with `DryRun` set.
    pub fn with_dry_run(self, dry_run: bool) -> Self {
        Self { dry_run, ..self }
    }
}

/// How the caller stands towards the image a request names (docs/contract.md §2); exactly one holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// A custom image in the request's region owned by the caller.
    Own,
    /// An image in the region that the caller can see but does not own: a system or
    /// marketplace image, or another account's image that is shared with the caller or
    /// published as a community image.
    VisibleNotOwn,
    /// Anything else: no such id in the region (never existed, deleted, or in another region),
    /// or another account's private image. The answer must not reveal which \[I\].
    Absent,
}

/// How `caller` stands towards image `image` in `region`.
pub fn relation(
    store: &ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Relation {
    match sight(store, caller, region.as_str(), image.as_str()) {
        Sight::Own(_) => Relation::Own,
        Sight::VisibleNotOwn => Relation::VisibleNotOwn,
        Sight::Absent => Relation::Absent,
    }
}

/// `RegionId` must name a region the store knows (every action's first check, docs/contract.md §1).
pub(crate) fn known_region(store: &ImageStore, region: &RegionId) -> Result<(), Error> {
    if store.has_region(region.as_str()) {
        Ok(())
    } else {
        Err(NotFound::Region.into())
    }
}

/// A [`Relation`] that keeps the own image's entry, so the decision looks the image up once.
enum Sight<'s> {
    Own(&'s Entry),
    VisibleNotOwn,
    Absent,
}

fn sight<'s>(store: &'s ImageStore, caller: &AccountId, region: &str, image: &str) -> Sight<'s> {
    let Some(entry) = store
        .entry(image)
        .filter(|e| e.image.region.as_str() == region)
    else {
        return Sight::Absent;
    };
    let image = &entry.image;
    let visibility = &image.visibility;
    if image.kind != ImageKind::Custom {
        Sight::VisibleNotOwn
    } else if image.owner == *caller {
        Sight::Own(entry)
    } else if visibility.community || visibility.shared_with.contains(caller) {
        Sight::VisibleNotOwn
    } else {
        Sight::Absent
    }
}

/// Whether a blocker holds on an image (docs/contract.md §3, "Holds when").
fn holds(blocker: Blocker, entry: &Entry) -> bool {
    let running = entry.running();
    match blocker {
        Blocker::Importing => running.imports > 0,
        Blocker::Exporting => running.exports > 0,
        Blocker::Copying => running.copies_out > 0 || running.copies_in > 0,
        Blocker::Public => entry.image.visibility.community,
        Blocker::Shared => !entry.image.visibility.shared_with.is_empty(),
        Blocker::InUse => !entry.instances().is_empty(),
    }
}

/// The blockers that hold on an image, in default precedence order; empty for an image the
/// store does not hold. Force plays no part here.
pub fn blockers(store: &ImageStore, image: &ImageId) -> Vec<Blocker> {
    store
        .entry(image.as_str())
        .map(|entry| {
            Blocker::ALL
                .into_iter()
                .filter(|&b| holds(b, entry))
                .collect()
        })
        .unwrap_or_default()
}

/// What a request that passed every check will do. Only [`decide`] makes one. It borrows the
/// question it answers (caller, request, profile), so that [`ImageStore::apply`] can ask it
/// again of the store it is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a verdict does nothing until it is applied"]
pub struct Verdict<'r> {
    caller: &'r AccountId,
    request: &'r DeleteImageRequest,
    profile: &'r Profile,
    action: Action<'r>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action<'r> {
    Delete(&'r ImageId),
    Ignore,
}

impl<'r> Verdict<'r> {
    /// The image that will be deleted, or `None` when the request is ignored.
    pub fn image_to_delete(&self) -> Option<&'r ImageId> {
        match self.action {
            Action::Delete(id) => Some(id),
            Action::Ignore => None,
        }
    }
}

/// What a successful DeleteImage did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The image is gone (docs/contract.md §4).
    Deleted(Deletion),
    /// The image is absent for the caller; nothing changed \[D\].
    Ignored,
}

/// The effects of a deletion (docs/contract.md §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The image as it was.
    pub image: Image,
    /// Instances created from it: they keep running but can no longer re-initialize their
    /// system disk \[D\]. In id order.
    pub instances_losing_reinit: Vec<InstanceId>,
    /// Snapshots it was built from that no remaining image lists: not deleted, but now
    /// deletable \[D\]. In the image's order.
    pub released_snapshots: Vec<SnapshotId>,
}

/// Decides a DeleteImage request without changing anything.
///
/// In order: the region must exist (§1); the caller's [`Relation`] to the image (§2); for an
/// own image, the first blocker that holds in the profile's precedence, InUse skipped when
/// `force` is set (§3); last, `dry_run` turns a would-be success into `DryRunOperation`.
pub fn decide<'r>(
    store: &ImageStore,
    caller: &'r AccountId,
    request: &'r DeleteImageRequest,
    profile: &'r Profile,
) -> Result<Verdict<'r>, Error> {
    let (region, image) = (request.region_id.as_str(), request.image_id.as_str());
    let sight = sight(store, caller, region, image);
    // An image found in the region proves the region exists (the store holds no image in an
    // unknown region), so the region set is consulted only when the image is not found there.
    if matches!(sight, Sight::Absent) && !store.has_region(region) {
        return Err(NotFound::Region.into());
    }
    let action = match sight {
        Sight::VisibleNotOwn => return Err(NotFound::Image.into()),
        Sight::Absent => match profile.missing_image {
            MissingImage::Ignore => Action::Ignore,
            MissingImage::NotFound => return Err(NotFound::Image.into()),
        },
        Sight::Own(entry) => {
            let first_blocker = profile
                .precedence
                .order()
                .iter()
                .copied()
                .filter(|&b| !(request.force && b == Blocker::InUse))
                .find(|&b| holds(b, entry));
            if let Some(blocker) = first_blocker {
                return Err(Error::Blocked {
                    blocker,
                    catalog: profile.catalog,
                });
            }
            Action::Delete(&request.image_id)
        }
    };
    if request.dry_run {
        return Err(Error::DryRunOperation);
    }
    Ok(Verdict {
        caller,
        request,
        profile,
        action,
    })
}

impl ImageStore {
    /// Carries out a verdict. The verdict's question is asked again of this store as it is now
    /// (a constant number of lookups), so a verdict made on another store, or before the store
    /// changed, gets the answer this store gives now: possibly a refusal, and then nothing
    /// changes.
    pub fn apply(&mut self, verdict: Verdict<'_>) -> Result<Outcome, Error> {
        let now = decide(self, verdict.caller, verdict.request, verdict.profile)?;
        Ok(self.carry_out_verdict(now))
    }

    /// Decides a request and, if it is not refused, carries it out. A refused request leaves
    /// the store as it was.
    pub fn delete_image(
        &mut self,
        caller: &AccountId,
        request: &DeleteImageRequest,
        profile: &Profile,
    ) -> Result<Outcome, Error> {
        let verdict = decide(self, caller, request, profile)?;
        Ok(self.carry_out_verdict(verdict))
    }

    /// Spec §4, for a verdict [`decide`] has just given on this very store.
    pub(crate) fn carry_out_verdict(&mut self, verdict: Verdict<'_>) -> Outcome {
        let Action::Delete(id) = verdict.action else {
            return Outcome::Ignored;
        };
        let (image, instances_losing_reinit, released_snapshots) = self
            .remove_image(id.as_str())
            .expect("decide found the image a moment ago");
        Outcome::Deleted(Deletion {
            image,
            instances_losing_reinit,
            released_snapshots,
        })
    }
}
