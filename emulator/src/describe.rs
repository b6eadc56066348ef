//! The Describe* actions that DeleteImage's error messages send the user to: parameters read
//! into the library's queries, and the library's answers rendered in the real actions'
//! response shapes (paged, `TotalCount` counting every match). Who sees what, the filters and
//! the paging are the library's.

use ecs_image_rules::{
    DescribeImageSharePermission, DescribeImages, DescribeInstances, DescribeTasks, Error,
    ImageView, Page, Parameter, RequestId, ResourceType,
};
use serde::Serialize;

use crate::call::Context;
use crate::protocol::Reply;
use crate::rpc::Params;
use crate::tags::{self, TagSet};

/// `PageNumber` and `PageSize`, as the library pages.
fn page(p: &Params<'_>) -> Result<Page, Error> {
    Page::new(
        p.optional(Parameter::PageNumber)?,
        p.optional(Parameter::PageSize)?,
    )
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
    tags: TagSet,
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

impl ImageItem {
    fn of(view: &ImageView<'_>, tags: TagSet) -> Self {
        let image = view.image;
        ImageItem {
            image_id: image.id.to_string(),
            image_owner_alias: view.owner_alias.as_str(),
            status: image.status.as_str(),
            is_self_shared: if image.visibility.shared_with.is_empty() {
                "False"
            } else {
                "True"
            },
            is_public: image.visibility.community,
            is_copied: view.is_copied,
            usage: if view.in_use { "instance" } else { "none" },
            disk_device_mappings: DiskDeviceMappings {
                disk_device_mapping: image
                    .snapshots
                    .iter()
                    .map(|s| DiskDeviceMapping {
                        snapshot_id: s.to_string(),
                    })
                    .collect(),
            },
            tags,
        }
    }
}

/// DescribeImages: `RegionId`; filters `ImageId` and `Status` (comma-separated; `Status`
/// defaults to `Available` \[D\]) and `ImageOwnerAlias`; `PageNumber`/`PageSize`.
pub(crate) fn images(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeImages::new(p.required(Parameter::RegionId)?);
    request.image_ids = p.comma_list(Parameter::ImageId)?;
    request.statuses = p.comma_list(Parameter::Status)?;
    request.owner_alias = p.optional(Parameter::ImageOwnerAlias)?;
    request.tags = tags::tag_filters(&p)?;
    request.page = page(&p)?;
    let listing = cx.store().describe_images(cx.caller, &request)?;
    let (region, page) = (request.region_id, request.page);
    Ok(cx.ok(&DescribeImagesBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        total_count: listing.total_count,
        page_number: page.number(),
        page_size: page.size(),
        images: Images {
            image: listing
                .items
                .iter()
                .map(|view| {
                    let tags = TagSet::of(cx.store().tags_seen_by(
                        cx.caller,
                        ResourceType::Image,
                        view.image.id.as_str(),
                    ));
                    ImageItem::of(view, tags)
                })
                .collect(),
        },
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
pub(crate) fn image_share_permission(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeImageSharePermission::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    );
    request.page = page(&p)?;
    let permission = cx
        .store()
        .describe_image_share_permission(cx.caller, &request)?;
    let (region, image, page) = (request.region_id, request.image_id, request.page);
    Ok(cx.ok(&SharePermissionBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        image_id: image.to_string(),
        total_count: permission.accounts.total_count,
        page_number: page.number(),
        page_size: page.size(),
        share_groups: ShareGroups {
            share_group: if permission.community {
                vec![ShareGroup { group: "all" }]
            } else {
                Vec::new()
            },
        },
        accounts: Accounts {
            account: permission
                .accounts
                .items
                .iter()
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
    tags: TagSet,
}

/// DescribeInstances: the caller's instances in `RegionId`, only those listed in `InstanceIds`
/// (a JSON array), made from `ImageId` and in `Status` when given, in id order.
pub(crate) fn instances(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeInstances::new(p.required(Parameter::RegionId)?);
    request.instance_ids = p.json_list(Parameter::InstanceIds)?;
    request.image_id = p.optional(Parameter::ImageId)?;
    request.tags = tags::tag_filters(&p)?;
    request.status = p.optional(Parameter::Status)?;
    request.page = page(&p)?;
    let listing = cx.store().describe_instances(cx.caller, &request)?;
    let page = request.page;
    Ok(cx.ok(&DescribeInstancesBody {
        request_id: cx.request_id(),
        total_count: listing.total_count,
        page_number: page.number(),
        page_size: page.size(),
        instances: Instances {
            instance: listing
                .items
                .iter()
                .map(|i| InstanceItem {
                    instance_id: i.id.to_string(),
                    region_id: i.region.to_string(),
                    image_id: i.image.to_string(),
                    status: i.status.as_str(),
                    tags: TagSet::of(cx.store().tags_seen_by(
                        cx.caller,
                        ResourceType::Instance,
                        i.id.as_str(),
                    )),
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

/// DescribeTasks: the caller's import and export tasks in `RegionId`, filtered by `TaskAction`,
/// `TaskStatus` and `TaskIds` (comma-separated).
pub(crate) fn tasks(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeTasks::new(p.required(Parameter::RegionId)?);
    request.task_action = p.raw(Parameter::TaskAction.name()).map(str::to_owned);
    request.task_status = p.raw(Parameter::TaskStatus.name()).map(str::to_owned);
    request.task_ids = p.comma_list(Parameter::TaskIds)?;
    request.page = page(&p)?;
    let listing = cx.store().describe_tasks(cx.caller, &request)?;
    let (region, page) = (request.region_id, request.page);
    Ok(cx.ok(&DescribeTasksBody {
        request_id: cx.request_id(),
        region_id: region.to_string(),
        total_count: listing.total_count,
        page_number: page.number(),
        page_size: page.size(),
        task_set: TaskSet {
            task: listing
                .items
                .iter()
                .map(|t| TaskItem {
                    task_id: t.id.to_string(),
                    task_action: t.action.as_str(),
                    task_status: t.status,
                    resource_id: t.resource.to_string(),
                })
                .collect(),
        },
    }))
}
