//! The Describe actions that DeleteImage's error messages send a user to (DescribeImages,
//! DescribeImageSharePermission, DescribeInstances, DescribeTasks): who sees what, which
//! filters apply, and which page of the matches is answered. A simulator only renders the
//! answer in the action's response shape.

use std::collections::BTreeSet;
use std::str::FromStr;

use crate::attributes::{Architecture, OsType};
use crate::error::{BadFilter, Error, NotFound, Parameter};
use crate::ids::{AccountId, ImageId, InstanceId, RegionId, TaskId};
use crate::model::{Image, ImageKind, ImageStatus, Instance, InstanceStatus, TaskKind};
use crate::query::{ImageFilter, OwnerAlias, Visible};
use crate::rule::known_region;
use crate::store::ImageStore;
use crate::tags::{ResourceType, TagFilter};
use crate::time::Timestamp;

/// The largest `PageSize` the Describe actions accept \[D\].
pub const MAX_PAGE_SIZE: u32 = 100;

/// The most ids one DescribeTasks `TaskIds` accepts \[D: up to 100, comma-separated\]; more
/// is `InvalidParameter` for `TaskIds`. Repeated ids count once.
pub const MAX_TASK_IDS: usize = 100;

/// Which page of a list to answer: `PageNumber` from 1, `PageSize` from 1 to
/// [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    number: u32,
    size: u32,
}

impl Default for Page {
    /// The first page of 10 \[D\].
    fn default() -> Self {
        Self {
            number: 1,
            size: 10,
        }
    }
}

impl Page {
    /// `PageNumber` (absent: 1) and `PageSize` (absent: 10) [D for the Describe actions'
    /// defaults and ranges]; out of range is `InvalidParameter` for that parameter \[I\].
    pub fn new(number: Option<u32>, size: Option<u32>) -> Result<Self, Error> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(10);
        if number == 0 {
            return Err(Error::InvalidParameter(Parameter::PageNumber));
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            return Err(Error::InvalidParameter(Parameter::PageSize));
        }
        Ok(Self { number, size })
    }

    /// `PageNumber`.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// `PageSize`.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// How many matches the pages before this one hold.
    pub(crate) fn skipped(self) -> usize {
        (self.number as usize - 1).saturating_mul(self.size as usize)
    }

    /// This page of every match, with the count of all matches.
    pub(crate) fn of<T>(self, matches: impl IntoIterator<Item = T>) -> Listing<T> {
        let skip = self.skipped();
        let mut total_count = 0;
        let mut items = Vec::new();
        for (i, item) in matches.into_iter().enumerate() {
            total_count += 1;
            if i >= skip && items.len() < self.size as usize {
                items.push(item);
            }
        }
        Listing {
            total_count,
            page: self,
            items,
        }
    }
}

/// One page of a Describe action's matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    /// `TotalCount`: every match, on every page.
    pub total_count: usize,
    /// The page answered.
    pub page: Page,
    /// The matches on this page, in id order.
    pub items: Vec<T>,
}

/// An image as DescribeImages shows it to a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageView<'s> {
    /// The image.
    pub image: &'s Image,
    /// `ImageOwnerAlias`, as the caller sees it.
    pub owner_alias: OwnerAlias,
    /// `IsCopied`: a CopyImage made it, finished or not.
    pub is_copied: bool,
    /// `Usage`: whether any existing instance was made from it (`instance`, else `none`).
    pub in_use: bool,
}

/// What DescribeImageSharePermission answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharePermission<'s> {
    /// The accounts the image is shared with, one page of them.
    pub accounts: Listing<&'s AccountId>,
    /// Published as a community image: the share group `all` \[D\].
    pub community: bool,
}

/// The `TaskAction` values DescribeTasks lists \[D\]: a copy is not one of them (CancelCopyImage
/// works on the copy's image id), so DescribeTasks does not list copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskAction {
    /// `ImportImage`.
    ImportImage,
    /// `ExportImage`.
    ExportImage,
}

impl TaskAction {
    /// The action as the API spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskAction::ImportImage => "ImportImage",
            TaskAction::ExportImage => "ExportImage",
        }
    }

    /// The action of a task and the image it works on; `None` for a copy.
    fn of(kind: &TaskKind) -> Option<(TaskAction, &ImageId)> {
        match kind {
            TaskKind::ImportImage { image } => Some((TaskAction::ImportImage, image)),
            TaskKind::ExportImage { image } => Some((TaskAction::ExportImage, image)),
            TaskKind::CopyImage { .. } => None,
        }
    }
}

/// A task as DescribeTasks shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskView<'s> {
    /// `TaskId`.
    pub id: &'s TaskId,
    /// `TaskAction`.
    pub action: TaskAction,
    /// `TaskStatus`: `Processing` while it runs \[D\], then `Finished`, `Failed` or `Cancelled`.
    pub status: &'static str,
    /// `ResourceId`: the image it works on.
    pub resource: &'s ImageId,
    /// `CreationTime`, when known.
    pub created: Option<Timestamp>,
    /// `FinishedTime`: when it ended; `None` while it runs.
    pub finished: Option<Timestamp>,
    /// `SupportCancel`: whether CancelTask can cancel it, i.e. whether it still runs \[I\].
    pub support_cancel: bool,
}

/// DescribeImages: the images the caller can see in a region (who sees what:
/// [`ImageStore::visible_images`]), filtered, one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeImages {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ImageId` (comma-separated on the wire): only these images; empty does not filter.
    pub image_ids: Vec<ImageId>,
    /// `Status` (comma-separated on the wire): only images in these statuses; empty means
    /// Available only, as the real action answers without `Status` \[D\].
    pub statuses: Vec<ImageStatus>,
    /// `ImageOwnerAlias`: only images of this kind for the caller.
    pub owner_alias: Option<OwnerAlias>,
    /// `Usable`: only images that can (`true`) or cannot (`false`) launch instances now, i.e.
    /// that are (not) Available [I, docs/research/describe-images-status-all.md]; it needs
    /// `Status`, else `MissingParameter` for `Status` \[D\]. Narrows the statuses, so it is
    /// answered from the same indexes.
    pub usable: Option<bool>,
    /// `Tag.N`: only the caller's own images that carry every one of these tags (a key
    /// without a value matches any value); tags are their owner's, so no other image matches
    /// \[I\].
    pub tags: Vec<TagFilter>,
    /// The filters on the images' own attributes (`ImageName`, `OSType`…), `IsPublic`,
    /// `Usage`, `ShowExpired`, `ActionType`.
    pub attributes: AttributeFilter,
    /// `DryRun`: check only.
    pub dry_run: bool,
    /// `PageNumber` and `PageSize`.
    pub page: Page,
}

/// DescribeImages' filters beyond ids, statuses, owner alias and tags, as sent (values are
/// checked by [`ImageStore::describe_images`], which answers each documented refusal). Each
/// walks the images the other filters select (docs/performance.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeFilter {
    /// `ImageName`: the name, exactly; `*` stands for any run of characters [D: "fuzzy search
    /// is supported"; I: the form, as DescribeInstances documents for `InstanceName`].
    pub image_name: Option<String>,
    /// `ImageFamily`: exactly.
    pub image_family: Option<String>,
    /// `OSType`: `linux` or `windows`; else 404 `InvalidOSType`.
    pub os_type: Option<String>,
    /// `Architecture`: `i386`, `x86_64` or `arm64`; else 404 `InvalidArchitecture`.
    pub architecture: Option<String>,
    /// `Usage`: `instance` (an instance runs it) or `none`; else 404 `InvalidUsage`.
    pub usage: Option<String>,
    /// `IsPublic`: `true` lists community images only and needs `ImageOwnerAlias=others` (else
    /// 400 `InvalidImageOwnerAlias.PublicImageUnsupported`) \[D\]; `false` filters nothing
    /// \[I\].
    pub is_public: Option<bool>,
    /// `ShowExpired`: whether subscription images past their term are listed; the model has
    /// none, so it changes nothing \[I\].
    pub show_expired: Option<bool>,
    /// `ActionType`: `CreateEcs` (default) or `ChangeOS`, the scenario the image is for; every
    /// modelled image serves both \[I\]; another value is `InvalidParameter`.
    pub action_type: Option<String>,
    /// `SnapshotId`: only images made from that snapshot (it is one of their disks') \[D\].
    pub snapshot_id: Option<String>,
    /// `ImageOwnerId`: only custom images of that account [D: "for shared or community
    /// images"; I: the caller's own id matches its own images, system and marketplace images
    /// never match].
    pub image_owner_id: Option<String>,
    /// `ResourceGroupId`: only images in that resource group (the default group names none,
    /// so it matches nothing \[D: "filtering by the default resource group is not
    /// supported"\]).
    pub resource_group_id: Option<String>,
    /// `Filter.N.Key` and `.Value`, as sent: `CreationStartTime` (created at or after) and
    /// `CreationEndTime` (created at or before), the value `yyyy-MM-ddTHH:mmZ` in UTC \[D\]
    /// (to the second also taken \[I\]); an image with no creation time matches neither \[I\].
    /// The other documented keys (`NetworkType`, CPU and memory hot-plug support) are not
    /// modelled: `InvalidParameter` for `Filter.N.Key`, as is an unknown key \[I\]; a value
    /// that does not parse is `InvalidParameter` for `Filter.N.Value`.
    pub filters: Vec<(String, String)>,
}

impl AttributeFilter {
    fn is_empty(&self) -> bool {
        self.image_name.is_none()
            && self.snapshot_id.is_none()
            && self.image_owner_id.is_none()
            && self.resource_group_id.is_none()
            && self.filters.is_empty()
            && self.image_family.is_none()
            && self.os_type.is_none()
            && self.architecture.is_none()
            && self.usage.is_none()
            && self.is_public != Some(true)
    }
}

/// A test on one image.
type ImagePredicate<'s> = Box<dyn Fn(&Image) -> bool + 's>;

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
fn matches_pattern(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// DescribeImages `Status` as sent, comma-separated: the statuses, or `ALL` alone for every
/// status [D: SDK 7.11 request model; see docs/research/describe-images-status-all.md]; `ALL`
/// with another value, or an unknown value, is `InvalidParameter` for `Status` \[I\].
pub fn image_statuses(values: &[String]) -> Result<Vec<ImageStatus>, Error> {
    if values.iter().any(|v| v == "ALL") {
        if values.len() > 1 {
            return Err(Error::InvalidParameter(Parameter::Status));
        }
        return Ok(ImageStatus::ALL.to_vec());
    }
    values.iter().map(|v| v.parse()).collect()
}

impl DescribeImages {
    /// A request without filters, for the first page.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            image_ids: Vec::new(),
            statuses: Vec::new(),
            owner_alias: None,
            usable: None,
            tags: Vec::new(),
            attributes: AttributeFilter::default(),
            dry_run: false,
            page: Page::default(),
        }
    }

    /// The attribute filters, checked: a predicate on a visible image, or the documented
    /// refusal of a value.
    fn attribute_predicate<'s>(
        &'s self,
        store: &'s ImageStore,
    ) -> Result<ImagePredicate<'s>, Error> {
        let f = &self.attributes;
        let os_type: Option<OsType> = f
            .os_type
            .as_deref()
            .map(|v| v.parse().map_err(|_| BadFilter::OsType))
            .transpose()?;
        let architecture: Option<Architecture> = f
            .architecture
            .as_deref()
            .map(|v| v.parse().map_err(|_| BadFilter::Architecture))
            .transpose()?;
        let usage = match f.usage.as_deref() {
            None => None,
            Some("instance") => Some(true),
            Some("none") => Some(false),
            Some(_) => return Err(BadFilter::Usage.into()),
        };
        if !matches!(
            f.action_type.as_deref(),
            None | Some("CreateEcs" | "ChangeOS")
        ) {
            return Err(Error::InvalidParameter(Parameter::ActionType));
        }
        let community_only = f.is_public == Some(true);
        if community_only && self.owner_alias != Some(OwnerAlias::Others) {
            return Err(BadFilter::PublicNotOthers.into());
        }
        let (mut from, mut until) = (None, None);
        for (key, value) in &f.filters {
            let bound = match key.as_str() {
                "CreationStartTime" => &mut from,
                "CreationEndTime" => &mut until,
                _ => return Err(Error::InvalidParameter(Parameter::FilterKey)),
            };
            let at = Timestamp::from_api(value)
                .map_err(|_| Error::InvalidParameter(Parameter::FilterValue))?;
            *bound = Some(at);
        }
        Ok(Box::new(move |image: &Image| {
            let a = image.attributes();
            let created = a.creation_time;
            let in_time = from.is_none_or(|from| created.is_some_and(|at| at >= from))
                && until.is_none_or(|until| created.is_some_and(|at| at <= until));
            f.image_name.as_deref().is_none_or(|pattern| {
                a.name
                    .as_ref()
                    .is_some_and(|name| matches_pattern(pattern, name.as_str()))
            }) && f
                .image_family
                .as_deref()
                .is_none_or(|family| a.family.as_ref().is_some_and(|x| x.as_str() == family))
                && os_type.is_none_or(|os| a.os_type == Some(os))
                && architecture.is_none_or(|arch| a.architecture == Some(arch))
                && usage.is_none_or(|in_use| {
                    in_use != store.instances_created_from(image.id.as_str()).is_empty()
                })
                && (!community_only || image.visibility.community)
                && in_time
                && f.snapshot_id
                    .as_deref()
                    .is_none_or(|snapshot| image.snapshots.iter().any(|s| s.as_str() == snapshot))
                && f.image_owner_id.as_deref().is_none_or(|owner| {
                    image.kind == ImageKind::Custom && image.owner.as_str() == owner
                })
                && f.resource_group_id.as_deref().is_none_or(|group| {
                    a.resource_group_id
                        .as_ref()
                        .is_some_and(|g| g.as_str() == group)
                })
        }))
    }

    /// The indexed filters: ids, statuses (narrowed by `Usable`) and owner alias; `None` when
    /// `Usable` leaves no status to list.
    fn filter(&self) -> Option<ImageFilter> {
        let mut filter = ImageFilter::describe_images();
        filter.image_ids.clone_from(&self.image_ids);
        if !self.statuses.is_empty() {
            filter.statuses.clone_from(&self.statuses);
        }
        if let Some(usable) = self.usable {
            filter
                .statuses
                .retain(|status| (*status == ImageStatus::Available) == usable);
            if filter.statuses.is_empty() {
                return None;
            }
        }
        filter.owner_alias = self.owner_alias;
        Some(filter)
    }
}

/// DescribeImageSharePermission: whom one of the caller's images is shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeImageSharePermission {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ImageId`.
    pub image_id: ImageId,
    /// `PageNumber` and `PageSize`.
    pub page: Page,
}

impl DescribeImageSharePermission {
    /// A request for the first page.
    pub fn new(region_id: RegionId, image_id: ImageId) -> Self {
        Self {
            region_id,
            image_id,
            page: Page::default(),
        }
    }
}

/// The most ids one DescribeInstances `InstanceIds` accepts \[D: a JSON array of up to 100\];
/// more is `InvalidParameter` for `InstanceIds`. Repeated ids count once.
pub const MAX_INSTANCE_IDS: usize = 100;

/// DescribeInstances: the caller's instances in a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeInstances {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `InstanceIds` (a JSON array on the wire): only these instances; empty does not filter.
    pub instance_ids: Vec<InstanceId>,
    /// `ImageId`: only instances made from this image.
    pub image_id: Option<ImageId>,
    /// `Status`: only instances in this status.
    pub status: Option<InstanceStatus>,
    /// `Tag.N`: only instances that carry every one of these tags (a key without a value
    /// matches any value).
    pub tags: Vec<TagFilter>,
    /// `PageNumber` and `PageSize`.
    pub page: Page,
}

impl DescribeInstances {
    /// A request without filters, for the first page.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            instance_ids: Vec::new(),
            image_id: None,
            status: None,
            tags: Vec::new(),
            page: Page::default(),
        }
    }
}

/// DescribeTasks: the caller's import and export tasks in a region. Filter values are
/// compared as the API spells them; one the API does not define matches nothing \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeTasks {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `TaskIds` (comma-separated on the wire); empty does not filter.
    pub task_ids: Vec<String>,
    /// `TaskAction`.
    pub task_action: Option<String>,
    /// `TaskStatus`.
    pub task_status: Option<String>,
    /// `StartTime`: only tasks created at or after it \[D\]; a task with no creation time
    /// (fixtures) matches no time bound \[I\].
    pub start_time: Option<Timestamp>,
    /// `EndTime`: only tasks created at or before it \[D\].
    pub end_time: Option<Timestamp>,
    /// `ResourceIds.N`: only tasks on these images, at most [`MAX_TASK_IDS`] (100 \[D\]),
    /// more is `InvalidParameter` for `ResourceIds.N`; empty does not filter.
    pub resource_ids: Vec<String>,
    /// `PageNumber` and `PageSize`.
    pub page: Page,
}

impl DescribeTasks {
    /// A request without filters, for the first page.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            task_ids: Vec::new(),
            task_action: None,
            task_status: None,
            start_time: None,
            end_time: None,
            resource_ids: Vec::new(),
            page: Page::default(),
        }
    }

    /// Whether it filters on anything but the task ids.
    fn filters(&self) -> bool {
        self.task_action.is_some()
            || self.task_status.is_some()
            || self.start_time.is_some()
            || self.end_time.is_some()
            || !self.resource_ids.is_empty()
    }
}

/// DescribeTaskAttribute: one of the caller's import or export tasks, running or ended
/// (Terraform's `alicloud_image_export` waits on it for `Finished`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeTaskAttribute {
    /// `RegionId`: the task's region.
    pub region_id: RegionId,
    /// `TaskId`.
    pub task_id: TaskId,
}

impl DescribeTaskAttribute {
    /// A request.
    pub fn new(region_id: RegionId, task_id: TaskId) -> Self {
        Self { region_id, task_id }
    }
}

impl FromStr for ImageStatus {
    type Err = Error;

    /// A status as the API spells it, e.g. `UnAvailable`; anything else is `InvalidParameter`
    /// for `Status` \[I\].
    fn from_str(s: &str) -> Result<Self, Error> {
        ImageStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(Error::InvalidParameter(Parameter::Status))
    }
}

impl FromStr for InstanceStatus {
    type Err = Error;

    /// A status as the API spells it, e.g. `Stopped`; anything else is `InvalidParameter` for
    /// `Status` \[I\].
    fn from_str(s: &str) -> Result<Self, Error> {
        InstanceStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(Error::InvalidParameter(Parameter::Status))
    }
}

impl ImageStore {
    /// DescribeImages: a page of the images `caller` can see in the region that match the
    /// request, in id order.
    ///
    /// Refusals: `MissingParameter` for `Status` when `Usable` is given without it \[D\]; the
    /// filter values' refusals; `InvalidRegionId.NotFound`.
    pub fn describe_images(
        &self,
        caller: &AccountId,
        request: &DescribeImages,
    ) -> Result<Listing<ImageView<'_>>, Error> {
        if request.usable.is_some() && request.statuses.is_empty() {
            return Err(Error::MissingParameter(Parameter::Status));
        }
        let wanted = request.attribute_predicate(self)?;
        let Some(filter) = request.filter() else {
            // `Usable` excludes every status asked for: nothing to list, once the rest is
            // checked.
            known_region(self, &request.region_id)?;
            if request.dry_run {
                return Err(Error::DryRunOperation);
            }
            return Ok(Listing {
                total_count: 0,
                page: request.page,
                items: Vec::new(),
            });
        };
        let visible = if request.tags.is_empty() {
            self.visible(caller, &request.region_id, &filter)?
        } else {
            // The caller's images carrying the tags, from the tag index: O(matches).
            known_region(self, &request.region_id)?;
            let tagged = self.carrying_all(
                caller,
                &request.region_id,
                ResourceType::Image,
                &request.tags,
            );
            let distinct: BTreeSet<&ImageId> = filter.image_ids.iter().collect();
            if distinct.len() > crate::query::MAX_IMAGE_IDS {
                return Err(Error::InvalidParameter(Parameter::ImageId));
            }
            Visible::Listed(
                tagged
                    .into_iter()
                    .filter_map(|id| self.image(id.as_str()))
                    .filter(|image| filter.matches(image, caller))
                    .collect(),
            )
        };
        if request.dry_run {
            return Err(Error::DryRunOperation);
        }
        let view = |image| ImageView {
            image,
            owner_alias: OwnerAlias::of(image, caller),
            is_copied: self.is_copy(image.id.as_str()),
            in_use: !self.instances_created_from(image.id.as_str()).is_empty(),
        };
        let page = request.page;
        if !request.attributes.is_empty() {
            // The attribute filters walk the selection the indexes give (docs/performance.md).
            let listing = page.of(visible.from(0).filter(|image| wanted(image)));
            return Ok(Listing {
                total_count: listing.total_count,
                page,
                items: listing.items.into_iter().map(view).collect(),
            });
        }
        Ok(Listing {
            total_count: visible.total(),
            page,
            items: visible
                .from(page.skipped())
                .take(page.size as usize)
                .map(view)
                .collect(),
        })
    }

    /// DescribeImageSharePermission: a page of the accounts one of the caller's images is
    /// shared with, in order, and whether it is published.
    ///
    /// Refusals: `InvalidRegionId.NotFound`; `InvalidImageId.NotFound` unless the image is the
    /// caller's own in the region.
    pub fn describe_image_share_permission(
        &self,
        caller: &AccountId,
        request: &DescribeImageSharePermission,
    ) -> Result<SharePermission<'_>, Error> {
        let image = &request.image_id;
        let accounts = self.shared_accounts(caller, &request.region_id, image)?;
        let community = self
            .image(image.as_str())
            .is_some_and(|i| i.visibility.community);
        Ok(SharePermission {
            accounts: request.page.of(accounts),
            community,
        })
    }

    /// DescribeInstances: a page of the caller's instances in the region that match every
    /// filter given (`InstanceIds`, `ImageId`, `Status`), in id order.
    ///
    /// Refusals: `InvalidParameter` for more than [`MAX_INSTANCE_IDS`] ids;
    /// `InvalidRegionId.NotFound`.
    pub fn describe_instances(
        &self,
        caller: &AccountId,
        request: &DescribeInstances,
    ) -> Result<Listing<&Instance>, Error> {
        let region = &request.region_id;
        known_region(self, region)?;
        let page = request.page;
        let wanted = |i: &&Instance| {
            i.owner == *caller
                && i.region == *region
                && request.image_id.as_ref().is_none_or(|id| i.image == *id)
                && request.status.is_none_or(|s| i.status == s)
        };
        // A set, so that a repeated id counts once, and capped before any lookup.
        let mut ids = BTreeSet::new();
        for id in &request.instance_ids {
            ids.insert(id);
            if ids.len() > MAX_INSTANCE_IDS {
                return Err(Error::InvalidParameter(Parameter::InstanceIds));
            }
        }
        if !request.tags.is_empty() {
            // The caller's instances carrying the tags, from the tag index: O(matches).
            let tagged = self.carrying_all(caller, region, ResourceType::Instance, &request.tags);
            let instances = tagged
                .into_iter()
                .filter_map(|id| self.instance(id.as_str()))
                .filter(wanted)
                .filter(|i| ids.is_empty() || ids.contains(&i.id));
            return Ok(page.of(instances));
        }
        if !ids.is_empty() {
            let instances = ids
                .into_iter()
                .filter_map(|id| self.instance(id.as_str()))
                .filter(wanted);
            return Ok(page.of(instances));
        }
        if let (None, Some(status)) = (&request.image_id, request.status) {
            // The caller's instances in the region in one status, from an index in id order.
            let ids = self.instances_of_account_in(caller, region, status);
            return Ok(Listing {
                total_count: ids.map_or(0, BTreeSet::len),
                page,
                items: ids
                    .into_iter()
                    .flatten()
                    .skip(page.skipped())
                    .take(page.size as usize)
                    .filter_map(|id| self.instance(id.as_str()))
                    .collect(),
            });
        }
        let Some(image) = &request.image_id else {
            // The caller's instances in the region, from an index kept in id order.
            let ids = self.instances_of_account(caller, region);
            return Ok(Listing {
                total_count: ids.map_or(0, BTreeSet::len),
                page,
                items: ids
                    .into_iter()
                    .flatten()
                    .skip(page.skipped())
                    .take(page.size as usize)
                    .filter_map(|id| self.instance(id.as_str()))
                    .collect(),
            });
        };
        // Those made from one image, whoever owns them, are already listed with the image.
        let instances = self
            .instances_created_from(image.as_str())
            .into_iter()
            .filter_map(|id| self.instance(id.as_str()))
            .filter(wanted);
        Ok(page.of(instances))
    }

    /// DescribeTasks: a page of the caller's import and export tasks in the region, running
    /// (`Processing` \[D\]) or ended, that match the request, in id order.
    ///
    /// Refusal: `InvalidRegionId.NotFound`.
    pub fn describe_tasks(
        &self,
        caller: &AccountId,
        request: &DescribeTasks,
    ) -> Result<Listing<TaskView<'_>>, Error> {
        let region = &request.region_id;
        known_region(self, region)?;
        let view = |id: &str| self.task_view(id);
        if request.resource_ids.len() > MAX_TASK_IDS {
            return Err(Error::InvalidParameter(Parameter::ResourceIds));
        }
        let created_in = |created: Option<Timestamp>| {
            request
                .start_time
                .is_none_or(|from| created.is_some_and(|at| at >= from))
                && request
                    .end_time
                    .is_none_or(|until| created.is_some_and(|at| at <= until))
        };
        let wanted = |task: &TaskView<'_>| {
            request
                .task_action
                .as_deref()
                .is_none_or(|a| a == task.action.as_str())
                && request
                    .task_status
                    .as_deref()
                    .is_none_or(|s| s == task.status)
                && created_in(task.created)
                && (request.resource_ids.is_empty()
                    || request
                        .resource_ids
                        .iter()
                        .any(|r| r == task.resource.as_str()))
        };
        let page = request.page;
        let own = self.tasks_of_account(caller, region);
        let owned = |id: &str| own.is_some_and(|own| own.contains(id));
        if !request.task_ids.is_empty() {
            // A set, so that a repeated id counts once, and capped before any lookup.
            let mut ids = BTreeSet::new();
            for id in &request.task_ids {
                ids.insert(id.as_str());
                if ids.len() > MAX_TASK_IDS {
                    return Err(Error::InvalidParameter(Parameter::TaskIds));
                }
            }
            let tasks = ids
                .into_iter()
                .filter(|id| owned(id))
                .filter_map(view)
                .filter(wanted);
            return Ok(page.of(tasks));
        }
        let tasks = own.into_iter().flatten().filter_map(|id| view(id.as_str()));
        if !request.filters() {
            return Ok(Listing {
                total_count: own.map_or(0, BTreeSet::len),
                page,
                items: tasks
                    .skip(page.skipped())
                    .take(page.size as usize)
                    .collect(),
            });
        }
        Ok(page.of(tasks.filter(wanted)))
    }

    /// DescribeTaskAttribute: one of the caller's import or export tasks in the region.
    ///
    /// Refusals: `InvalidRegionId.NotFound`; `InvalidTaskId.NotFound` unless the task, running
    /// or ended, is the caller's in the region, and for a copy task (DescribeTasks does not
    /// list copies either, and CopyImage answers no task id) \[I\].
    pub fn describe_task_attribute(
        &self,
        caller: &AccountId,
        request: &DescribeTaskAttribute,
    ) -> Result<TaskView<'_>, Error> {
        known_region(self, &request.region_id)?;
        let id = request.task_id.as_str();
        let own = self
            .tasks_of_account(caller, &request.region_id)
            .is_some_and(|own| own.contains(id));
        if !own {
            return Err(NotFound::Task.into());
        }
        self.task_view(id).ok_or(NotFound::Task.into())
    }

    /// A task, running or ended, as DescribeTasks and DescribeTaskAttribute show it; `None`
    /// for an unknown task and for a copy.
    fn task_view(&self, id: &str) -> Option<TaskView<'_>> {
        let (id, kind, status, created, finished) = match (self.task(id), self.ended_task(id)) {
            (Some(task), _) => (&task.id, &task.kind, "Processing", task.created, None),
            (None, Some(ended)) => (
                &ended.id,
                &ended.kind,
                ended.end.as_str(),
                ended.created,
                ended.finished,
            ),
            (None, None) => return None,
        };
        let (action, resource) = TaskAction::of(kind)?;
        Some(TaskView {
            id,
            action,
            status,
            resource,
            created,
            finished,
            support_cancel: status == "Processing",
        })
    }
}
