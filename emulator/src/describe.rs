//! The Describe* actions that DeleteImage's error messages send the user to: parameters read
//! into the library's queries, and the library's answers rendered in the real actions'
//! response shapes (paged, `TotalCount` counting every match). Who sees what, the filters and
//! the paging are the library's.

use ecs_image_rules::{
    Architecture, AttributeFilter, BootMode, DescribeImageSharePermission, DescribeImages,
    DescribeInstances, DescribeTaskAttribute, DescribeTasks, DiskFormat, DiskType, Error,
    ImageStatus, ImageStore, ImageView, Instance, InstanceType, InternetChargeType, IoOptimized,
    LicenseType, OsType, Page, Parameter, RequestId, ResourceType, TaskView, Timestamp, VSwitchId,
    ZoneId, image_statuses,
};
use serde::Serialize;

use crate::call::{Context, Pacing};
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

/// One image. An attribute the image does not have is left out \[I\] (fixtures and older
/// world files); `CreationTime`, `Size`, `Progress` and `Usable` are always there.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageItem {
    image_id: String,
    image_owner_alias: &'static str,
    /// The owner's account id, a number in the SDKs' models: left out for an account id that
    /// is not one \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    image_owner_id: Option<u64>,
    status: &'static str,
    /// Whether the image can launch instances now; `true` exactly when it is Available
    /// [I, docs/research/describe-images-status-all.md].
    usable: bool,
    /// How far it is made, `NN%`: 100 once made, 0 once failed, else read from the progress
    /// policy at the call's time ([`ImageStore::image_percent`]) \[I\].
    progress: String,
    /// When it was made; the epoch for an image that does not say \[I\].
    creation_time: String,
    /// GiB, an integer here \[D\]; 0 when unknown \[I\].
    size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_version: Option<String>,
    #[serde(rename = "OSType", skip_serializing_if = "Option::is_none")]
    os_type: Option<&'static str>,
    #[serde(rename = "OSName", skip_serializing_if = "Option::is_none")]
    os_name: Option<String>,
    #[serde(rename = "OSNameEn", skip_serializing_if = "Option::is_none")]
    os_name_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    architecture: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boot_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_type: Option<&'static str>,
    /// Left out for the account's default resource group \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group_id: Option<String>,
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

/// One disk: its snapshot (when the image lists one at that position) and its attributes.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DiskDeviceMapping {
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<String>,
    /// GiB, a string here \[D\].
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<String>,
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    disk_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(rename = "ImportOSSBucket", skip_serializing_if = "Option::is_none")]
    import_oss_bucket: Option<String>,
    #[serde(rename = "ImportOSSObject", skip_serializing_if = "Option::is_none")]
    import_oss_object: Option<String>,
    /// Whether the disk's snapshot is encrypted: the image's encryption \[I: per image\].
    encrypted: bool,
    /// The image's `Progress` \[I: one figure per image\].
    progress: String,
    /// Seconds until the image is made: 0 once made, the rest of an `after:<seconds>` pace
    /// while it is made, left out when no pace says \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    remain_time: Option<u64>,
}

impl ImageItem {
    fn of(view: &ImageView<'_>, tags: TagSet, store: &ImageStore, pacing: Pacing) -> Self {
        let image = view.image;
        let a = image.attributes();
        let percent = store.image_percent(image, &pacing.policy, pacing.now);
        let progress = format!("{percent}%");
        let remain_time = match store.work_making(image) {
            Some(work) => store
                .time_left(&work, &pacing.policy, pacing.now)
                .map(|left| left.as_secs_f64().ceil() as u64),
            None => Some(0),
        };
        let disks = image.snapshots.len().max(a.disks.len());
        ImageItem {
            image_id: image.id.to_string(),
            image_owner_alias: view.owner_alias.as_str(),
            image_owner_id: image.owner.as_str().parse().ok(),
            status: image.status.as_str(),
            usable: image.status == ImageStatus::Available,
            progress: progress.clone(),
            creation_time: a.creation_time.unwrap_or(Timestamp::EPOCH).to_string(),
            size: a.size_gib.unwrap_or(0),
            image_name: a.name.as_ref().map(ToString::to_string),
            description: a.description.as_ref().map(ToString::to_string),
            image_family: a.family.as_ref().map(ToString::to_string),
            image_version: a.version.as_ref().map(ToString::to_string),
            os_type: a.os_type.map(OsType::as_str),
            os_name: a.os_name().map(str::to_owned),
            os_name_en: a.os_name().map(str::to_owned),
            platform: a.platform.as_ref().map(ToString::to_string),
            architecture: a.architecture.map(Architecture::as_str),
            boot_mode: a.boot_mode.map(BootMode::as_str),
            license_type: a.license_type.map(LicenseType::as_str),
            resource_group_id: a.resource_group_id.as_ref().map(ToString::to_string),
            is_self_shared: if image.visibility.shared_with.is_empty() {
                "False"
            } else {
                "True"
            },
            is_public: image.visibility.community,
            is_copied: view.is_copied,
            usage: if view.in_use { "instance" } else { "none" },
            disk_device_mappings: DiskDeviceMappings {
                disk_device_mapping: (0..disks)
                    .map(|n| {
                        let disk = a.disks.get(n).cloned().unwrap_or_default();
                        DiskDeviceMapping {
                            snapshot_id: image.snapshots.get(n).map(ToString::to_string),
                            device: disk.device,
                            size: disk.size_gib.map(|s| s.to_string()),
                            disk_type: disk.disk_type.map(DiskType::as_str),
                            format: disk.format.map(DiskFormat::as_str),
                            import_oss_bucket: disk.oss_bucket,
                            import_oss_object: disk.oss_object,
                            encrypted: a.encrypted,
                            progress: progress.clone(),
                            remain_time,
                        }
                    })
                    .collect(),
            },
            tags,
        }
    }
}

/// DescribeImages `Filter.N.Key` and `.Value`, paired by index; a key without its value, or a
/// value without its key, is `InvalidParameter` for the one missing \[I\].
fn filters(p: &Params<'_>) -> Result<Vec<(String, String)>, Error> {
    let keys = p.indexed_raw("Filter", "Key");
    let mut values = p.indexed_raw("Filter", "Value");
    let mut pairs = Vec::with_capacity(keys.len());
    for (n, key) in keys {
        let at = values
            .iter()
            .position(|(m, _)| *m == n)
            .ok_or(Error::InvalidParameter(Parameter::FilterValue))?;
        pairs.push((key.to_owned(), values.remove(at).1.to_owned()));
    }
    if !values.is_empty() {
        return Err(Error::InvalidParameter(Parameter::FilterKey));
    }
    Ok(pairs)
}

/// DescribeImages: `RegionId`; filters `ImageId` and `Status` (comma-separated; `Status`
/// defaults to `Available` \[D\], `ALL` is every status), `ImageOwnerAlias`, `Tag.N`, the
/// attribute filters (`ImageName`, `ImageFamily`, `OSType`, `Architecture`, `Usage`,
/// `IsPublic`, `ShowExpired`, `ActionType`) and `DryRun`; `PageNumber`/`PageSize`.
pub(crate) fn images(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeImages::new(p.required(Parameter::RegionId)?);
    request.image_ids = p.comma_list(Parameter::ImageId)?;
    request.statuses = image_statuses(&p.comma_list::<String>(Parameter::Status)?)?;
    request.owner_alias = p.attribute(Parameter::ImageOwnerAlias.name())?;
    request.tags = tags::tag_filters(&p)?;
    let text = |name: &str| p.raw(name).map(str::to_owned);
    request.attributes = AttributeFilter {
        image_name: text("ImageName"),
        image_family: text("ImageFamily"),
        os_type: text("OSType"),
        architecture: text("Architecture"),
        usage: text("Usage"),
        is_public: p.boolean(Parameter::IsPublic)?,
        show_expired: p.boolean(Parameter::ShowExpired)?,
        action_type: text("ActionType"),
        snapshot_id: text("SnapshotId"),
        image_owner_id: p
            .optional::<u64>(Parameter::ImageOwnerId)?
            .map(|id| id.to_string()),
        resource_group_id: text("ResourceGroupId"),
        filters: filters(&p)?,
    };
    request.usable = p.boolean(Parameter::Usable)?;
    request.dry_run = p.boolean(Parameter::DryRun)?.unwrap_or(false);
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
                    ImageItem::of(view, tags, cx.store(), cx.pacing)
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

/// One instance as the SDKs' response model has it. Settings RunInstances did not set show
/// the documented defaults: the instance's id as its name, `PayByTraffic`, no bandwidth, I/O
/// optimized \[D\]; no type, zone, security group or vSwitch, and the epoch as the creation
/// time of an instance put in the store by other means \[I\]. The VPC is not modelled: `VpcId` is
/// empty \[I\].
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceItem {
    instance_id: String,
    region_id: String,
    image_id: String,
    status: &'static str,
    tags: TagSet,
    instance_type: String,
    instance_name: String,
    zone_id: String,
    creation_time: String,
    internet_charge_type: &'static str,
    internet_max_bandwidth_out: u32,
    io_optimized: bool,
    security_group_ids: SecurityGroupIds,
    vpc_attributes: VpcAttributes,
}

#[derive(Serialize)]
struct SecurityGroupIds {
    #[serde(rename = "SecurityGroupId")]
    security_group_id: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VpcAttributes {
    v_switch_id: String,
    vpc_id: String,
}

impl InstanceItem {
    fn of(instance: &Instance, tags: TagSet) -> Self {
        let launch = instance.launch.as_deref().cloned().unwrap_or_default();
        let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
        Self {
            instance_id: instance.id.to_string(),
            region_id: instance.region.to_string(),
            image_id: instance.image.to_string(),
            status: instance.status.as_str(),
            tags,
            instance_type: text(launch.instance_type.as_ref().map(InstanceType::as_str)),
            instance_name: launch
                .instance_name
                .as_ref()
                .map_or_else(|| instance.id.to_string(), ToString::to_string),
            zone_id: text(launch.zone_id.as_ref().map(ZoneId::as_str)),
            creation_time: launch.creation_time.unwrap_or(Timestamp::EPOCH).to_string(),
            internet_charge_type: launch
                .internet_charge_type
                .unwrap_or(InternetChargeType::PayByTraffic)
                .as_str(),
            internet_max_bandwidth_out: launch.internet_max_bandwidth_out.unwrap_or(0),
            io_optimized: launch.io_optimized != Some(IoOptimized::NotOptimized),
            security_group_ids: SecurityGroupIds {
                security_group_id: launch
                    .security_group_ids
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            },
            vpc_attributes: VpcAttributes {
                v_switch_id: text(launch.vswitch_id.as_ref().map(VSwitchId::as_str)),
                vpc_id: String::new(),
            },
        }
    }
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
                .map(|i| {
                    let tags =
                        cx.store()
                            .tags_seen_by(cx.caller, ResourceType::Instance, i.id.as_str());
                    InstanceItem::of(i, TagSet::of(tags))
                })
                .collect(),
        },
    }))
}

// ---- DescribeInstanceStatus ----------------------------------------------------------------

/// The most `PageSize` DescribeInstanceStatus takes \[D: 1 to 50\].
const MAX_STATUS_PAGE_SIZE: u32 = 50;

/// The most `InstanceId.N` DescribeInstanceStatus takes \[D: 1 to 100\].
const MAX_STATUS_INSTANCE_IDS: usize = 100;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeInstanceStatusBody {
    request_id: RequestId,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    instance_statuses: InstanceStatuses,
}

#[derive(Serialize)]
struct InstanceStatuses {
    #[serde(rename = "InstanceStatus")]
    instance_status: Vec<InstanceStatusItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceStatusItem {
    instance_id: String,
    status: &'static str,
}

/// DescribeInstanceStatus: the status of the caller's instances in `RegionId`, only those
/// listed in `InstanceId.N` when given, in id order: DescribeInstances' listing in the
/// action's own shape \[D: request and answer; I: the order\]. `ZoneId` and the deprecated
/// `ClusterId` stay refused as not modelled.
pub(crate) fn instance_status(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeInstances::new(p.required(Parameter::RegionId)?);
    request.instance_ids = p.indexed("InstanceId", None, Parameter::InstanceId)?;
    if request.instance_ids.len() > MAX_STATUS_INSTANCE_IDS {
        return Err(Error::InvalidParameter(Parameter::InstanceId));
    }
    request.page = page(&p)?;
    if request.page.size() > MAX_STATUS_PAGE_SIZE {
        return Err(Error::InvalidParameter(Parameter::PageSize));
    }
    let listing = cx.store().describe_instances(cx.caller, &request)?;
    let page = request.page;
    Ok(cx.ok(&DescribeInstanceStatusBody {
        request_id: cx.request_id(),
        total_count: listing.total_count,
        page_number: page.number(),
        page_size: page.size(),
        instance_statuses: InstanceStatuses {
            instance_status: listing
                .items
                .iter()
                .map(|i| InstanceStatusItem {
                    instance_id: i.id.to_string(),
                    status: i.status.as_str(),
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
    /// When it was created; left out for a task that does not say (fixtures) \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    creation_time: Option<String>,
    /// When it ended; left out while it runs \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_time: Option<String>,
    /// `true` while it runs \[I\].
    support_cancel: bool,
}

/// DescribeTasks: the caller's import and export tasks in `RegionId`, filtered by `TaskAction`,
/// `TaskStatus`, `TaskIds` (comma-separated), `StartTime`/`EndTime` (the creation time, to the
/// minute or the second) and `ResourceIds.N`.
pub(crate) fn tasks(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeTasks::new(p.required(Parameter::RegionId)?);
    request.task_action = p.raw(Parameter::TaskAction.name()).map(str::to_owned);
    request.task_status = p.raw(Parameter::TaskStatus.name()).map(str::to_owned);
    request.task_ids = p.comma_list(Parameter::TaskIds)?;
    let time = |parameter: Parameter| {
        p.raw(parameter.name())
            .map(|raw| Timestamp::from_api(raw).map_err(|_| Error::InvalidParameter(parameter)))
            .transpose()
    };
    request.start_time = time(Parameter::StartTime)?;
    request.end_time = time(Parameter::EndTime)?;
    request.resource_ids = p.indexed("ResourceIds", None, Parameter::ResourceIds)?;
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
                    creation_time: t.created.map(|at| at.to_string()),
                    finished_time: t.finished.map(|at| at.to_string()),
                    support_cancel: t.support_cancel,
                })
                .collect(),
        },
    }))
}

// ---- DescribeTaskAttribute -----------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TaskAttributeBody {
    request_id: RequestId,
    region_id: String,
    task_id: String,
    task_action: &'static str,
    task_status: &'static str,
    /// How far it is, `NN%` ([`ImageStore::task_percent`]) \[I\].
    task_process: String,
    /// `true`/`false`, a string in the SDKs' model \[D\].
    support_cancel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_time: Option<String>,
    /// One item per task, its image \[I\]: 1.
    total_count: u32,
    /// 1 once it finished \[I\].
    success_count: u32,
    /// 1 once it failed \[I\].
    failed_count: u32,
    operation_progress_set: OperationProgressSet,
}

#[derive(Serialize)]
struct OperationProgressSet {
    #[serde(rename = "OperationProgress")]
    operation_progress: Vec<OperationProgress>,
}

/// The task's one item: its status and the image it works on \[I\].
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OperationProgress {
    operation_status: &'static str,
    related_item_set: RelatedItemSet,
}

#[derive(Serialize)]
struct RelatedItemSet {
    #[serde(rename = "RelatedItem")]
    related_item: Vec<RelatedItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RelatedItem {
    name: &'static str,
    value: String,
}

/// DescribeTaskAttribute: one of the caller's import or export tasks in `RegionId`, with its
/// progress read from the progress policy at the call's time.
pub(crate) fn task_attribute(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let request = DescribeTaskAttribute::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::TaskId)?,
    );
    let store = cx.store();
    let task: TaskView<'_> = store.describe_task_attribute(cx.caller, &request)?;
    let percent = store.task_percent(task.id, &cx.pacing.policy, cx.pacing.now);
    Ok(cx.ok(&TaskAttributeBody {
        request_id: cx.request_id(),
        region_id: request.region_id.to_string(),
        task_id: task.id.to_string(),
        task_action: task.action.as_str(),
        task_status: task.status,
        task_process: format!("{percent}%"),
        support_cancel: if task.support_cancel { "true" } else { "false" },
        creation_time: task.created.map(|at| at.to_string()),
        finished_time: task.finished.map(|at| at.to_string()),
        total_count: 1,
        success_count: u32::from(task.status == "Finished"),
        failed_count: u32::from(task.status == "Failed"),
        operation_progress_set: OperationProgressSet {
            operation_progress: vec![OperationProgress {
                operation_status: task.status,
                related_item_set: RelatedItemSet {
                    related_item: vec![RelatedItem {
                        name: "ImageId",
                        value: task.resource.to_string(),
                    }],
                },
            }],
        },
    }))
}
