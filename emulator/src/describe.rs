//! The Describe* actions that DeleteImage's error messages send the user to, answered from the
//! library's queries in the real actions' response shapes (paged, `TotalCount` counting every
//! match).

use ecs_image_rules::{
    Image, ImageFilter, ImageId, ImageStatus, ImageStore, LifecycleError, OwnerAlias, RegionId,
    RequestId, TaskKind,
};
use serde::Serialize;

use crate::actions::{Context, Refusal};
use crate::protocol::Reply;
use crate::rpc::{Page, Param, ParamError};

/// The largest `PageSize` the Describe* actions accept \[D\].
const MAX_PAGE_SIZE: u32 = 100;

/// The status of an instance: the store models existing instances only, and they run \[I\].
const INSTANCE_STATUS: &str = "Running";
/// The status DescribeTasks gives a running task \[D\].
const TASK_RUNNING: &str = "Processing";

fn known_region(store: &ImageStore, region: &RegionId) -> Result<(), Refusal> {
    if store.has_region(region.as_str()) {
        Ok(())
    } else {
        Err(LifecycleError::RegionNotFound.into())
    }
}

// ---- DescribeImages ------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeImagesBody {
    request_id: RequestId,
    region_id: String,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    images: Images,
}

#[derive(Serialize)]
struct Images {
    #[serde(rename = "Image")]
    image: Vec<ImageItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageItem {
    image_id: String,
    image_owner_alias: &'static str,
    status: &'static str,
    /// `True`/`False`, a string as the real API sends it \[D\].
    is_self_shared: &'static str,
    is_public: bool,
    is_copied: bool,
    usage: &'static str,
    disk_device_mappings: DiskDeviceMappings,
}

#[derive(Serialize)]
struct DiskDeviceMappings {
    #[serde(rename = "DiskDeviceMapping")]
    disk_device_mapping: Vec<DiskDeviceMapping>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DiskDeviceMapping {
    snapshot_id: String,
}

fn status_named(name: &str) -> Option<ImageStatus> {
    ImageStatus::ALL.into_iter().find(|s| s.as_str() == name)
}

impl ImageItem {
    fn of(store: &ImageStore, caller: &ecs_image_rules::AccountId, image: &Image) -> Self {
        let used = !store.instances_created_from(image.id.as_str()).is_empty();
        ImageItem {
            image_id: image.id.to_string(),
            image_owner_alias: OwnerAlias::of(image, caller).as_str(),
            status: image.status.as_str(),
            is_self_shared: if image.visibility.shared_with.is_empty() {
                "False"
            } else {
                "True"
            },
            is_public: image.visibility.community,
            is_copied: store.is_copy(image.id.as_str()),
            usage: if used { "instance" } else { "none" },
            disk_device_mappings: DiskDeviceMappings {
                disk_device_mapping: image
                    .snapshots
                    .iter()
                    .map(|s| DiskDeviceMapping {
                        snapshot_id: s.to_string(),
                    })
                    .collect(),
            },
        }
    }
}

/// DescribeImages: `RegionId`; filters `ImageId` and `Status` (comma-separated; `Status`
/// defaults to `Available` \[D\]) and `ImageOwnerAlias`; `PageNumber`/`PageSize`.
pub(crate) fn images(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let region: RegionId = p.required(Param::RegionId)?;
    let mut filter = ImageFilter::describe_images();
    filter.image_ids = p.comma_list::<ImageId>(Param::ImageId)?;
    let statuses: Vec<String> = p.comma_list(Param::Status)?;
    if !statuses.is_empty() {
        filter.statuses = statuses
            .iter()
            .map(|s| status_named(s).ok_or(ParamError::Invalid(Param::Status)))
            .collect::<Result<_, _>>()?;
    }
    filter.owner_alias = p.optional::<OwnerAlias>(Param::ImageOwnerAlias)?;
    let page = Page::of(&p, MAX_PAGE_SIZE)?;
    let store = cx.store();
    let images = store.visible_images(cx.caller, &region, &filter)?;
    let total_count = images.len();
    let image = page
        .slice(images)
        .into_iter()
        .map(|image| ImageItem::of(store, cx.caller, image))
        .collect();
    Ok(cx.ok(&DescribeImagesBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        total_count,
        page_number: page.number,
        page_size: page.size,
        images: Images { image },
    }))
}

// ---- DescribeImageSharePermission ----------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SharePermissionBody {
    request_id: RequestId,
    region_id: String,
    image_id: String,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    share_groups: ShareGroups,
    accounts: Accounts,
}

#[derive(Serialize)]
struct ShareGroups {
    #[serde(rename = "ShareGroup")]
    share_group: Vec<ShareGroup>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ShareGroup {
    group: &'static str,
}

#[derive(Serialize)]
struct Accounts {
    #[serde(rename = "Account")]
    account: Vec<Account>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Account {
    aliyun_id: String,
}

/// DescribeImageSharePermission: the accounts one of the caller's images is shared with (paged),
/// and the share group `all` when it is published as a community image \[D\].
pub(crate) fn image_share_permission(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let region: RegionId = p.required(Param::RegionId)?;
    let image: ImageId = p.required(Param::ImageId)?;
    let page = Page::of(&p, MAX_PAGE_SIZE)?;
    let store = cx.store();
    let accounts: Vec<_> = store
        .shared_accounts(cx.caller, &region, &image)?
        .iter()
        .collect();
    let community = store
        .image(image.as_str())
        .is_some_and(|i| i.visibility.community);
    Ok(cx.ok(&SharePermissionBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        image_id: image.to_string(),
        total_count: accounts.len(),
        page_number: page.number,
        page_size: page.size,
        share_groups: ShareGroups {
            share_group: if community {
                vec![ShareGroup { group: "all" }]
            } else {
                Vec::new()
            },
        },
        accounts: Accounts {
            account: page
                .slice(accounts)
                .into_iter()
                .map(|a| Account {
                    aliyun_id: a.to_string(),
                })
                .collect(),
        },
    }))
}

// ---- DescribeInstances ---------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeInstancesBody {
    request_id: RequestId,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    instances: Instances,
}

#[derive(Serialize)]
struct Instances {
    #[serde(rename = "Instance")]
    instance: Vec<InstanceItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceItem {
    instance_id: String,
    region_id: String,
    image_id: String,
    status: &'static str,
}

/// DescribeInstances: the caller's instances in `RegionId`, optionally only those made from
/// `ImageId`, in id order.
pub(crate) fn instances(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let region: RegionId = p.required(Param::RegionId)?;
    let image: Option<ImageId> = p.optional(Param::ImageId)?;
    let page = Page::of(&p, MAX_PAGE_SIZE)?;
    let store = cx.store();
    known_region(store, &region)?;
    let mut instances: Vec<_> = store
        .instances()
        .filter(|i| i.owner == *cx.caller && i.region == region)
        .filter(|i| image.as_ref().is_none_or(|image| i.image == *image))
        .collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    let total_count = instances.len();
    Ok(cx.ok(&DescribeInstancesBody {
        request_id: cx.request_id(),
        total_count,
        page_number: page.number,
        page_size: page.size,
        instances: Instances {
            instance: page
                .slice(instances)
                .into_iter()
                .map(|i| InstanceItem {
                    instance_id: i.id.to_string(),
                    region_id: i.region.to_string(),
                    image_id: i.image.to_string(),
                    status: INSTANCE_STATUS,
                })
                .collect(),
        },
    }))
}

// ---- DescribeTasks -------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeTasksBody {
    request_id: RequestId,
    region_id: String,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    task_set: TaskSet,
}

#[derive(Serialize)]
struct TaskSet {
    #[serde(rename = "Task")]
    task: Vec<TaskItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TaskItem {
    task_id: String,
    task_action: &'static str,
    task_status: &'static str,
    resource_id: String,
}

/// The DescribeTasks `TaskAction` of a task and the image it works on; `None` for a copy, which
/// DescribeTasks does not list (its `TaskAction` values have no CopyImage \[D\]; CancelCopyImage
/// works on the copy's image id).
fn task_action(kind: &TaskKind) -> Option<(&'static str, &ImageId)> {
    match kind {
        TaskKind::ImportImage { image } => Some(("ImportImage", image)),
        TaskKind::ExportImage { image } => Some(("ExportImage", image)),
        TaskKind::CopyImage { .. } => None,
    }
}

/// DescribeTasks: the caller's import and export tasks in `RegionId`, running (`Processing`)
/// or ended (`Finished`, `Failed`, `Cancelled`), filtered by `TaskAction`, `TaskStatus` and
/// `TaskIds` (comma-separated), in id order.
pub(crate) fn tasks(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let region: RegionId = p.required(Param::RegionId)?;
    let action = p.raw(Param::TaskAction.name());
    let status = p.raw(Param::TaskStatus.name());
    let ids: Vec<String> = p.comma_list(Param::TaskIds)?;
    let page = Page::of(&p, MAX_PAGE_SIZE)?;
    let store = cx.store();
    known_region(store, &region)?;
    let running = store
        .running_tasks()
        .into_iter()
        .filter(|t| t.owner == cx.caller && *t.region == region)
        .filter_map(|t| Some((&t.task.id, task_action(&t.task.kind)?, TASK_RUNNING)));
    let ended = store
        .ended_tasks()
        .filter(|t| t.owner == *cx.caller && t.region == region)
        .filter_map(|t| Some((&t.id, task_action(&t.kind)?, t.end.as_str())));
    let mut tasks: Vec<TaskItem> = running
        .chain(ended)
        .filter(|(_, (a, _), s)| action.is_none_or(|x| x == *a) && status.is_none_or(|x| x == *s))
        .filter(|(id, _, _)| ids.is_empty() || ids.iter().any(|x| x == id.as_str()))
        .map(|(id, (task_action, image), task_status)| TaskItem {
            task_id: id.to_string(),
            task_action,
            task_status,
            resource_id: image.to_string(),
        })
        .collect();
    tasks.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    let total_count = tasks.len();
    Ok(cx.ok(&DescribeTasksBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        total_count,
        page_number: page.number,
        page_size: page.size,
        task_set: TaskSet {
            task: page.slice(tasks),
        },
    }))
}
