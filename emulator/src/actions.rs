//! The action router: ECS action names to the library calls that answer them.
//!
//! The emulator adds no rule of its own: an action reads its parameters into the library's
//! typed request ([`rpc`](crate::rpc)), calls the library, and renders the answer in the real
//! action's response shape. Every refusal is the library's [`Error`]. `DryRun=true` is a field
//! of every typed request: the library answers it with its check alone.

use ecs_image_rules::wire::{self, Body};
use std::collections::BTreeMap;

use ecs_image_rules::{
    AccountId, CancelCopyImage, CancelTask, CopyImage, CreateImage, CreateSnapshot, DeleteInstance,
    DiskMapping, Error, ExportImage, ImageAttributes, ImportDisk, ImportImage, InstancePower,
    LaunchSettings, Malformed, ModifyImageAttribute, ModifyImageSharePermission, Outcome,
    Parameter, PowerAction, Profile, RequestId, RunInstances, SnapshotId, SnapshotOutcome, World,
};
use serde::Serialize;

pub(crate) use crate::call::Call;
use crate::call::{ActionSpec, Context, Pacing};
use crate::declared;
use crate::describe;
use crate::error::GatewayError;
use crate::protocol::{Reply, host_for};
use crate::regions;
use crate::rpc::Params;
use crate::snapshots;
use crate::tags;

/// What an action answered, and whether the world changed.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) reply: Reply,
    pub(crate) mutated: bool,
}

macro_rules! action {
    ($name:literal, $mutating:expr, $run:path, [$($modelled:literal),* $(,)?]) => {
        ActionSpec {
            name: $name,
            mutating: $mutating,
            run: $run,
            modelled: &[$($modelled),*],
        }
    };
}

/// Every action the emulator answers, with the declared parameters it models (wire names,
/// repeat-list indexes written `N`). Any other parameter the real action declares is refused
/// ([`refused_parameter`]); `rpc::Params` asserts that an action reads no declared parameter
/// missing from its list.
static ACTIONS: &[ActionSpec] = &[
    action!(
        "DeleteImage",
        true,
        delete_image,
        ["RegionId", "ImageId", "Force", "DryRun"]
    ),
    action!(
        "DescribeImages",
        false,
        describe::images,
        [
            "RegionId",
            "ImageId",
            "Status",
            "ImageOwnerAlias",
            "PageNumber",
            "PageSize",
            "Tag.N.Key",
            "Tag.N.Value",
            "ImageName",
            "ImageFamily",
            "OSType",
            "Architecture",
            "Usage",
            "IsPublic",
            "ShowExpired",
            "ActionType",
            "DryRun",
            "Usable",
            "SnapshotId",
            "ImageOwnerId",
            "ResourceGroupId",
            "Filter.N.Key",
            "Filter.N.Value",
        ]
    ),
    action!(
        "DescribeImageSharePermission",
        false,
        describe::image_share_permission,
        ["RegionId", "ImageId", "PageNumber", "PageSize"]
    ),
    action!(
        "DescribeInstances",
        false,
        describe::instances,
        [
            "RegionId",
            "ImageId",
            "PageNumber",
            "PageSize",
            "Tag.N.Key",
            "Tag.N.Value",
            "InstanceIds",
            "Status"
        ]
    ),
    action!(
        "DescribeTasks",
        false,
        describe::tasks,
        [
            "RegionId",
            "TaskAction",
            "TaskStatus",
            "TaskIds",
            "PageNumber",
            "PageSize",
            "StartTime",
            "EndTime",
            "ResourceIds.N"
        ]
    ),
    action!(
        "DescribeTaskAttribute",
        false,
        describe::task_attribute,
        ["RegionId", "TaskId"]
    ),
    action!(
        "CreateImage",
        true,
        create_image,
        [
            "RegionId",
            "InstanceId",
            "SnapshotId",
            "DiskDeviceMapping.N.SnapshotId",
            "DryRun",
            "Tag.N.Key",
            "Tag.N.Value",
            "ImageName",
            "Description",
            "ImageFamily",
            "ImageVersion",
            "Architecture",
            "Platform",
            "BootMode",
            "DetectionStrategy",
            "DiskDeviceMapping.N.Device",
            "DiskDeviceMapping.N.Size",
            "DiskDeviceMapping.N.DiskType",
            "ResourceGroupId",
            "ClientToken",
        ]
    ),
    action!(
        "ImportImage",
        true,
        import_image,
        [
            "RegionId",
            "DryRun",
            "ImageName",
            "Description",
            "OSType",
            "Platform",
            "Architecture",
            "BootMode",
            "LicenseType",
            "DetectionStrategy",
            "DiskDeviceMapping.N.OSSBucket",
            "DiskDeviceMapping.N.OSSObject",
            "DiskDeviceMapping.N.Format",
            "DiskDeviceMapping.N.Device",
            "DiskDeviceMapping.N.DiskImageSize",
            "DiskDeviceMapping.N.DiskImSize",
            "Tag.N.Key",
            "Tag.N.Value",
        ]
    ),
    action!(
        "ExportImage",
        true,
        export_image,
        ["RegionId", "ImageId", "DryRun", "OSSBucket"]
    ),
    action!(
        "CopyImage",
        true,
        copy_image,
        [
            "RegionId",
            "ImageId",
            "DestinationRegionId",
            "DryRun",
            "Tag.N.Key",
            "Tag.N.Value",
            "DestinationImageName",
            "DestinationDescription",
            "Encrypted",
            "KMSKeyId",
            "ResourceGroupId",
            "ClientToken",
        ]
    ),
    action!(
        "CancelCopyImage",
        true,
        cancel_copy_image,
        ["RegionId", "ImageId"]
    ),
    action!("CancelTask", true, cancel_task, ["RegionId", "TaskId"]),
    action!(
        "ModifyImageSharePermission",
        true,
        modify_image_share_permission,
        [
            "RegionId",
            "ImageId",
            "AddAccount.N",
            "RemoveAccount.N",
            "IsPublic",
            "DryRun"
        ]
    ),
    action!(
        "RunInstances",
        true,
        run_instances,
        [
            "RegionId",
            "ImageId",
            "Amount",
            "DryRun",
            "Tag.N.Key",
            "Tag.N.Value",
            "ClientToken",
            "MinAmount",
            "InstanceType",
            "InstanceName",
            "ZoneId",
            "SecurityGroupId",
            "SecurityGroupIds.N",
            "VSwitchId",
            "InternetChargeType",
            "InternetMaxBandwidthOut",
            "IoOptimized",
        ]
    ),
    action!(
        "DeleteInstance",
        true,
        delete_instance,
        ["InstanceId", "DryRun", "Force"]
    ),
    action!(
        "ModifyImageAttribute",
        true,
        modify_image_attribute,
        [
            "RegionId",
            "ImageId",
            "Status",
            "DryRun",
            "ImageName",
            "Description",
            "ImageFamily",
            "BootMode",
            "LicenseType",
        ]
    ),
    action!(
        "TagResources",
        true,
        tags::tag_resources,
        [
            "RegionId",
            "ResourceType",
            "ResourceId.N",
            "Tag.N.Key",
            "Tag.N.Value"
        ]
    ),
    action!(
        "UntagResources",
        true,
        tags::untag_resources,
        [
            "RegionId",
            "ResourceType",
            "ResourceId.N",
            "TagKey.N",
            "All"
        ]
    ),
    action!(
        "ListTagResources",
        false,
        tags::list_tag_resources,
        [
            "RegionId",
            "ResourceType",
            "ResourceId.N",
            "Tag.N.Key",
            "Tag.N.Value",
            "NextToken"
        ]
    ),
    action!(
        "DescribeTags",
        false,
        tags::describe_tags,
        [
            "RegionId",
            "ResourceType",
            "ResourceId",
            "Tag.N.Key",
            "Tag.N.Value",
            "PageNumber",
            "PageSize"
        ]
    ),
    action!(
        "DescribeRegions",
        false,
        regions::describe_regions,
        ["AcceptLanguage"]
    ),
    action!(
        "StartInstance",
        true,
        start_instance,
        ["InstanceId", "DryRun"]
    ),
    action!(
        "StopInstance",
        true,
        stop_instance,
        ["InstanceId", "ForceStop", "DryRun"]
    ),
    action!(
        "RebootInstance",
        true,
        reboot_instance,
        ["InstanceId", "ForceStop", "DryRun"]
    ),
    action!(
        "DeleteSnapshot",
        true,
        delete_snapshot,
        ["SnapshotId", "Force"]
    ),
    action!(
        "DescribeDisks",
        false,
        snapshots::describe_disks,
        [
            "RegionId",
            "DiskIds",
            "InstanceId",
            "DiskType",
            "Tag.N.Key",
            "Tag.N.Value",
            "PageNumber",
            "PageSize",
        ]
    ),
    action!(
        "AddTags",
        true,
        tags::add_tags,
        [
            "RegionId",
            "ResourceType",
            "ResourceId",
            "Tag.N.Key",
            "Tag.N.Value"
        ]
    ),
    action!(
        "RemoveTags",
        true,
        tags::remove_tags,
        [
            "RegionId",
            "ResourceType",
            "ResourceId",
            "Tag.N.Key",
            "Tag.N.Value"
        ]
    ),
    action!(
        "DescribeSnapshots",
        false,
        snapshots::describe_snapshots,
        [
            "RegionId",
            "SnapshotIds",
            "DiskId",
            "InstanceId",
            "Status",
            "Usage",
            "SnapshotType",
            "SnapshotName",
            "Tag.N.Key",
            "Tag.N.Value",
            "PageNumber",
            "PageSize",
            "NextToken",
            "MaxResults",
        ]
    ),
    action!(
        "CreateSnapshot",
        true,
        create_snapshot,
        [
            "DiskId",
            "SnapshotName",
            "Description",
            "Tag.N.Key",
            "Tag.N.Value"
        ]
    ),
    action!(
        "DescribeInstanceStatus",
        false,
        describe::instance_status,
        ["RegionId", "InstanceId.N", "PageNumber", "PageSize"]
    ),
];

/// The action of that exact name (action names are case-sensitive, as ECS's are \[I\]).
pub(crate) fn lookup(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// The action a request names: one the emulator answers; else `Emulator.ActionNotEmulated`
/// when ECS has it, `InvalidAction.NotFound` when it is no ECS action.
pub(crate) fn route(name: &str) -> Result<&'static ActionSpec, GatewayError> {
    lookup(name).ok_or_else(|| match declared::action(name) {
        Some(real) => GatewayError::ActionNotEmulated(real),
        None => GatewayError::ActionNotFound,
    })
}

/// The names of every action the emulator answers, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    ACTIONS.iter().map(|a| a.name)
}

/// The first parameter of the request (in its order) that the real action declares and the
/// emulator does not model. An empty value counts as absent, as it does for every parameter
/// the actions read (`rpc`) \[I\]; the transport's common parameters are no action's.
pub(crate) fn refused_parameter(
    action: &'static ActionSpec,
    params: &[(String, String)],
) -> Option<GatewayError> {
    let declared = declared::parameters(action.name)?;
    params
        .iter()
        .filter(|(name, value)| !value.is_empty() && !declared::PROTOCOL.contains(&name.as_str()))
        .find(|(name, _)| {
            let name = declared::normalised(name);
            declared::declares(declared, &name) && !action.models(&name)
        })
        .map(|(name, _)| GatewayError::ParameterNotModelled {
            action: action.name,
            parameter: name.clone(),
        })
}

/// Runs a call for an identified caller.
pub(crate) fn run(
    call: &Call<'_>,
    caller: &AccountId,
    world: &mut World,
    profile: &Profile,
    pacing: Pacing,
) -> Answer {
    let mut cx = Context {
        call,
        caller,
        world,
        profile,
        pacing,
        mutated: false,
    };
    let refused = refused_parameter(call.action, call.signed.params);
    let reply = match refused {
        Some(refusal) => Reply::error(
            call.format,
            &refusal,
            cx.request_id(),
            host_for(cx.store(), call.signed.params),
        ),
        None => match (call.action.run)(&mut cx) {
            Ok(reply) => reply,
            Err(refusal) => Reply::error(
                call.format,
                &refusal,
                cx.request_id(),
                host_for(cx.store(), call.signed.params),
            ),
        },
    };
    Answer {
        reply,
        mutated: cx.mutated,
    }
}

// ---- DeleteImage and DeleteSnapshot: the library's wire layer does it all -----------------

fn delete_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let (response, outcome) = wire::delete_image(
        &mut cx.world.store,
        cx.caller,
        signed_pairs(cx.call),
        cx.profile,
        cx.call.request_id.clone(),
    );
    let deleted = outcome.map(|o| matches!(o, Outcome::Deleted(_)));
    Ok(deletion_reply(cx, &response, deleted))
}

fn delete_snapshot(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let (response, outcome) = wire::delete_snapshot(
        &mut cx.world.store,
        cx.caller,
        signed_pairs(cx.call),
        cx.profile,
        cx.call.request_id.clone(),
    );
    let deleted = outcome.map(|o| matches!(o, SnapshotOutcome::Deleted(_)));
    Ok(deletion_reply(cx, &response, deleted))
}

/// The signed parameters as the library's wire layer reads them.
fn signed_pairs<'c>(call: &'c Call<'_>) -> impl Iterator<Item = (&'c str, &'c str)> {
    call.signed
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// A deletion rule's response as a reply, marked `Deleted` or `Ignored` for the request log
/// when the rule answered (`deleted` is `None` for a refusal).
fn deletion_reply(
    cx: &mut Context<'_, '_>,
    response: &wire::Response,
    deleted: Option<bool>,
) -> Reply {
    let reply = match &response.body {
        Body::Success(body) => cx.ok(body),
        Body::Error(body) => Reply::error_body(cx.call.format, response.http_status, body),
    };
    match deleted {
        Some(true) => {
            cx.mutated = true;
            reply.with_outcome("Deleted")
        }
        Some(false) => reply.with_outcome("Ignored"),
        None => reply,
    }
}

// ---- the lifecycle: one library call each ------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Done {
    request_id: RequestId,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageMade {
    request_id: RequestId,
    image_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImportStarted {
    request_id: RequestId,
    image_id: String,
    task_id: String,
    region_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ExportStarted {
    request_id: RequestId,
    task_id: String,
    region_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstancesMade {
    request_id: RequestId,
    instance_id_sets: InstanceIdSets,
}

#[derive(Serialize)]
struct InstanceIdSets {
    #[serde(rename = "InstanceIdSet")]
    instance_id_set: Vec<String>,
}

fn done(cx: &Context<'_, '_>) -> Reply {
    cx.ok(&Done {
        request_id: cx.request_id(),
    })
}

fn dry_run(cx: &Context<'_, '_>) -> Result<bool, Error> {
    Ok(cx.params().boolean(Parameter::DryRun)?.unwrap_or(false))
}

/// Marks the world changed when the library's answer is not a refusal.
fn changed<T>(cx: &mut Context<'_, '_>, result: Result<T, Error>) -> Result<T, Error> {
    let value = result?;
    cx.mutated = true;
    Ok(value)
}

/// CreateImage's `DiskDeviceMapping` entries: one system disk and up to 16 data disks [D, the
/// request model; I: more is `InvalidParameter` on `SnapshotId`].
const MAX_DISK_DEVICE_MAPPINGS: usize = 17;

fn create_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = CreateImage::new(p.required(Parameter::RegionId)?);
    // `SnapshotId` (one system disk) and `DiskDeviceMapping.N.SnapshotId` both name snapshots.
    let single: Option<SnapshotId> = p.optional(Parameter::SnapshotId)?;
    let mapped: Vec<SnapshotId> = p.indexed(
        "DiskDeviceMapping",
        Some("SnapshotId"),
        Parameter::SnapshotId,
    )?;
    if mapped.len() > MAX_DISK_DEVICE_MAPPINGS {
        return Err(Error::InvalidParameter(Parameter::SnapshotId));
    }
    request.snapshot_ids = single.into_iter().chain(mapped).collect();
    request.instance_id = p.optional(Parameter::InstanceId)?;
    request.tags = tags::tags(&p)?;
    *request.attributes = ImageAttributes {
        name: p.attribute("ImageName")?,
        description: p.attribute("Description")?,
        family: p.attribute("ImageFamily")?,
        version: p.attribute("ImageVersion")?,
        architecture: p.attribute("Architecture")?,
        platform: p.attribute("Platform")?,
        boot_mode: p.attribute("BootMode")?,
        detection_strategy: p.attribute("DetectionStrategy")?,
        resource_group_id: p.attribute("ResourceGroupId")?,
        ..ImageAttributes::default()
    };
    request.attributes.disks = created_disks(&p)?;
    request.attributes.size_gib = request.attributes.disks.first().and_then(|d| d.size_gib);
    request.client_token = p.attribute("ClientToken")?;
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx.world.store.create_image(cx.caller, request);
    let image = changed(cx, result)?;
    Ok(cx.ok(&ImageMade {
        request_id: cx.request_id(),
        image_id: image.to_string(),
    }))
}

/// CreateSnapshot: `DiskId` (required, in DeleteSnapshot's words when absent \[I\]),
/// `SnapshotName`, `Description`, `Tag.N`; answers the new `SnapshotId`.
fn create_snapshot(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let disk = p
        .raw(Parameter::DiskId.name())
        .ok_or(Error::NotSupplied(Parameter::DiskId))?
        .parse()
        .map_err(|_| Error::InvalidParameter(Parameter::DiskId))?;
    let mut request = CreateSnapshot::new(disk);
    request.name = p.attribute("SnapshotName")?;
    request.description = p.attribute("Description")?;
    request.tags = tags::tags(&p)?;
    let result = cx.world.store.create_snapshot(cx.caller, request);
    let snapshot = changed(cx, result)?;
    Ok(cx.ok(&SnapshotMade {
        request_id: cx.request_id(),
        snapshot_id: snapshot.to_string(),
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SnapshotMade {
    request_id: RequestId,
    snapshot_id: String,
}

/// CreateImage's `DiskDeviceMapping.N.Device`, `.Size` and `.DiskType`, one disk per index
/// that has any of them, in index order.
fn created_disks(p: &Params<'_>) -> Result<Vec<DiskMapping>, Error> {
    let mut disks: BTreeMap<u32, DiskMapping> = BTreeMap::new();
    for (n, device) in p.indexed_raw("DiskDeviceMapping", "Device") {
        disks.entry(n).or_default().device = Some(device.to_owned());
    }
    for (n, size) in p.indexed_raw("DiskDeviceMapping", "Size") {
        let size = size
            .parse()
            .map_err(|_| Error::InvalidParameter(Parameter::DiskSize))?;
        disks.entry(n).or_default().size_gib = Some(size);
    }
    for (n, disk_type) in p.indexed_raw("DiskDeviceMapping", "DiskType") {
        disks.entry(n).or_default().disk_type = Some(disk_type.parse()?);
    }
    if disks.len() > MAX_DISK_DEVICE_MAPPINGS {
        return Err(Error::InvalidParameter(Parameter::DiskSize));
    }
    Ok(disks.into_values().collect())
}

/// ImportImage's `DiskDeviceMapping.N.*`, one disk per index that has any of them, in index
/// order; the library refuses a disk without its bucket or object.
fn imported_disks(p: &Params<'_>) -> Result<Vec<ImportDisk>, Error> {
    const MAPPING: &str = "DiskDeviceMapping";
    let mut disks: BTreeMap<u32, ImportDisk> = BTreeMap::new();
    for (n, bucket) in p.indexed_raw(MAPPING, "OSSBucket") {
        disks.entry(n).or_default().oss_bucket = Some(bucket.to_owned());
    }
    for (n, object) in p.indexed_raw(MAPPING, "OSSObject") {
        disks.entry(n).or_default().oss_object = Some(object.to_owned());
    }
    for (n, format) in p.indexed_raw(MAPPING, "Format") {
        disks.entry(n).or_default().format = Some(format.parse()?);
    }
    for (n, device) in p.indexed_raw(MAPPING, "Device") {
        disks.entry(n).or_default().device = Some(device.to_owned());
    }
    // `DiskImSize` is the older spelling the SDK still declares; `DiskImageSize` wins.
    let sizes = p.indexed_raw(MAPPING, "DiskImSize");
    for (n, size) in sizes
        .into_iter()
        .chain(p.indexed_raw(MAPPING, "DiskImageSize"))
    {
        let size = size
            .parse()
            .map_err(|_| Error::InvalidParameter(Parameter::DiskImageSize))?;
        disks.entry(n).or_default().size_gib = Some(size);
    }
    if disks.len() > MAX_DISK_DEVICE_MAPPINGS {
        return Err(Error::InvalidParameter(Parameter::DiskImageSize));
    }
    Ok(disks.into_values().collect())
}

fn import_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = ImportImage::new(p.required(Parameter::RegionId)?);
    request.tags = tags::tags(&p)?;
    request.disks = imported_disks(&p)?;
    *request.attributes = ImageAttributes {
        name: p.attribute("ImageName")?,
        description: p.attribute("Description")?,
        os_type: p.attribute("OSType")?,
        platform: p.attribute("Platform")?,
        architecture: p.attribute("Architecture")?,
        boot_mode: p.attribute("BootMode")?,
        license_type: p.attribute("LicenseType")?,
        detection_strategy: p.attribute("DetectionStrategy")?,
        ..ImageAttributes::default()
    };
    let request = request.with_dry_run(dry_run(cx)?);
    let region = request.region_id.to_string();
    let result = cx.world.store.import_image(cx.caller, request);
    let made = changed(cx, result)?;
    Ok(cx.ok(&ImportStarted {
        request_id: cx.request_id(),
        image_id: made.image.to_string(),
        task_id: made.task.to_string(),
        region_id: region,
    }))
}

fn export_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = ExportImage::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    );
    request.oss_bucket = p.raw("OSSBucket").map(str::to_owned);
    let request = request.with_dry_run(dry_run(cx)?);
    let region = request.region_id.to_string();
    let result = cx.world.store.export_image(cx.caller, request);
    let task = changed(cx, result)?;
    Ok(cx.ok(&ExportStarted {
        request_id: cx.request_id(),
        task_id: task.to_string(),
        region_id: region,
    }))
}

fn copy_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = CopyImage::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
        p.required(Parameter::DestinationRegionId)?,
    );
    request.tags = tags::tags(&p)?;
    request.destination_image_name = p.attribute("DestinationImageName")?;
    request.destination_description = p.attribute("DestinationDescription")?;
    request.encrypted = p.boolean(Parameter::Encrypted)?;
    request.kms_key_id = p.attribute("KMSKeyId")?;
    request.resource_group_id = p.attribute("ResourceGroupId")?;
    request.client_token = p.attribute("ClientToken")?;
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx.world.store.copy_image(cx.caller, request);
    let made = changed(cx, result)?;
    Ok(cx.ok(&ImageMade {
        request_id: cx.request_id(),
        image_id: made.image.to_string(),
    }))
}

fn cancel_copy_image(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let request = CancelCopyImage::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    )
    .with_dry_run(dry_run(cx)?);
    let result = cx.world.store.cancel_copy_image(cx.caller, request);
    changed(cx, result)?;
    Ok(done(cx))
}

fn cancel_task(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let request = CancelTask::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::TaskId)?,
    )
    .with_dry_run(dry_run(cx)?);
    let result = cx.world.store.cancel_task(cx.caller, request);
    changed(cx, result)?;
    Ok(done(cx))
}

fn modify_image_share_permission(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = ModifyImageSharePermission::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    );
    request.add_accounts = p.indexed("AddAccount", None, Parameter::AddAccount)?;
    request.remove_accounts = p.indexed("RemoveAccount", None, Parameter::RemoveAccount)?;
    request.is_public = p.boolean(Parameter::IsPublic)?;
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx
        .world
        .store
        .modify_image_share_permission(cx.caller, request);
    changed(cx, result)?;
    Ok(done(cx))
}

fn run_instances(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = RunInstances::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    )
    .with_amount(p.optional(Parameter::Amount)?.unwrap_or(1));
    request.tags = tags::tags(&p)?;
    request.client_token = p.attribute("ClientToken")?;
    request.min_amount = p
        .raw("MinAmount")
        .map(|v| {
            v.parse()
                .map_err(|_| Error::Malformed(Malformed::MinAmount))
        })
        .transpose()?;
    *request.launch = LaunchSettings {
        instance_type: p.attribute("InstanceType")?,
        instance_name: p.attribute("InstanceName")?,
        zone_id: p.attribute("ZoneId")?,
        // `SecurityGroupId` and `SecurityGroupIds.N` both name groups; the docs forbid both at
        // once, the emulator keeps them in order \[I\].
        security_group_ids: p
            .attribute("SecurityGroupId")?
            .into_iter()
            .chain(p.indexed_attribute("SecurityGroupIds")?)
            .collect(),
        vswitch_id: p.attribute("VSwitchId")?,
        internet_charge_type: p.attribute("InternetChargeType")?,
        internet_max_bandwidth_out: p.optional(Parameter::InternetMaxBandwidthOut)?,
        io_optimized: p.attribute("IoOptimized")?,
        creation_time: None,
    };
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx.world.store.run_instances(cx.caller, request);
    let ids = changed(cx, result)?;
    Ok(cx.ok(&InstancesMade {
        request_id: cx.request_id(),
        instance_id_sets: InstanceIdSets {
            instance_id_set: ids.iter().map(ToString::to_string).collect(),
        },
    }))
}

fn delete_instance(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DeleteInstance::new(p.required(Parameter::InstanceId)?);
    request.region_id = p.optional(Parameter::RegionId)?;
    let request = request
        .with_force(p.boolean(Parameter::Force)?.unwrap_or(false))
        .with_dry_run(dry_run(cx)?);
    let result = cx.world.store.delete_instance(cx.caller, request);
    changed(cx, result)?;
    Ok(done(cx))
}

fn start_instance(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    power_instance(cx, PowerAction::Start)
}

fn stop_instance(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    power_instance(cx, PowerAction::Stop)
}

fn reboot_instance(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    power_instance(cx, PowerAction::Reboot)
}

/// StartInstance, StopInstance, RebootInstance: `InstanceId`, `DryRun`, and `ForceStop` for the
/// two that stop; none declares `RegionId`, but the Go SDK sends one, and then it must be the
/// instance's (as for DeleteInstance) \[I\].
fn power_instance(cx: &mut Context<'_, '_>, action: PowerAction) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = InstancePower::new(action, p.required(Parameter::InstanceId)?);
    request.region_id = p.optional(Parameter::RegionId)?;
    if action != PowerAction::Start {
        request.force_stop = p.boolean(Parameter::ForceStop)?.unwrap_or(false);
    }
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx.world.store.power_instance(cx.caller, request);
    changed(cx, result)?;
    Ok(done(cx))
}

fn modify_image_attribute(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = ModifyImageAttribute::new(
        p.required(Parameter::RegionId)?,
        p.required(Parameter::ImageId)?,
    );
    request.status = p.optional(Parameter::Status)?;
    request.image_name = p.attribute("ImageName")?;
    request.description = p.attribute("Description")?;
    request.image_family = p.attribute("ImageFamily")?;
    request.boot_mode = p.attribute("BootMode")?;
    request.license_type = p.attribute("LicenseType")?;
    let request = request.with_dry_run(dry_run(cx)?);
    let result = cx
        .world
        .store
        .modify_image_attribute(cx.caller, request, cx.profile);
    changed(cx, result)?;
    Ok(done(cx))
}
