//! DescribeSnapshots and DescribeDisks: parameters read into the library's queries, their
//! answers rendered in the real actions' response shapes (SDK 7.11.8's models). Who sees what,
//! the filters and the paging are the library's.

use ecs_image_rules::{
    DescribeDisks, DescribeSnapshots, Disk, DiskType, Error, Page, Parameter, RequestId,
    ResourceType, Snapshot, SnapshotPaging, SnapshotStatus,
};
use serde::Serialize;

use crate::call::Context;
use crate::protocol::Reply;
use crate::tags::{self, TagSet};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeSnapshotsBody {
    request_id: RequestId,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    /// Under token paging: where the next page starts; empty on the last \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    snapshots: Snapshots,
}

#[derive(Serialize)]
struct Snapshots {
    #[serde(rename = "Snapshot")]
    snapshot: Vec<SnapshotItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SnapshotItem {
    snapshot_id: String,
    snapshot_name: String,
    description: String,
    status: &'static str,
    /// `NN%`.
    progress: String,
    source_disk_id: String,
    /// `system` or `data`, of the disk while it exists; empty once it is released \[I\].
    source_disk_type: &'static str,
    usage: &'static str,
    creation_time: String,
    region_id: String,
    /// Every snapshot is a manual one \[I\].
    snapshot_type: &'static str,
    /// Standard snapshots only \[I\].
    category: &'static str,
    instant_access: bool,
    encrypted: bool,
    tags: TagSet,
}

/// DescribeSnapshots: `RegionId`, `SnapshotIds` (JSON array), `DiskId`, `InstanceId`,
/// `Status` (`progressing`, `accomplished`, `failed`, `all`), `Usage`, `SnapshotType`,
/// `SnapshotName`, `Tag.N`, `PageNumber`/`PageSize` or `NextToken`/`MaxResults`.
pub(crate) fn describe_snapshots(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeSnapshots::new(p.required(Parameter::RegionId)?);
    request.snapshot_ids = p.json_list(Parameter::SnapshotIds)?;
    request.disk_id = p.optional(Parameter::DiskId)?;
    request.instance_id = p.optional(Parameter::InstanceId)?;
    request.status = match p.raw("Status") {
        None | Some("all") => None,
        Some(status) => Some(status.parse::<SnapshotStatus>()?),
    };
    request.usage = p.raw("Usage").map(str::parse).transpose()?;
    request.snapshot_type = p
        .raw("SnapshotType")
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    request.name = p.raw("SnapshotName").map(str::to_owned);
    request.tags = tags::tag_filters(&p)?;
    let token = p.raw("NextToken");
    let max_results: Option<u32> = p.optional(Parameter::MaxResults)?;
    request.paging = if token.is_some() || max_results.is_some() {
        SnapshotPaging::token(token, max_results)?
    } else {
        SnapshotPaging::Numbered(Page::new(
            p.optional(Parameter::PageNumber)?,
            p.optional(Parameter::PageSize)?,
        )?)
    };
    let store = cx.store();
    let answer = store.describe_snapshots(cx.caller, &request)?;
    let pacing = &cx.pacing;
    let item = |s: &Snapshot| SnapshotItem {
        snapshot_id: s.id.to_string(),
        snapshot_name: s.name.clone().unwrap_or_default(),
        description: s.description.clone().unwrap_or_default(),
        status: s.status.as_str(),
        progress: format!("{}%", store.snapshot_percent(s, &pacing.policy, pacing.now)),
        source_disk_id: s
            .source_disk
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        source_disk_type: s
            .source_disk
            .as_ref()
            .and_then(|d| store.disk(d.as_str()))
            .map_or("", |d| d.disk_type.as_str()),
        usage: store
            .snapshot_usage(s.id.as_str())
            .map_or("none", |u| u.as_str()),
        creation_time: s.creation_time.to_string(),
        region_id: s.region.to_string(),
        snapshot_type: "user",
        category: "standard",
        instant_access: false,
        encrypted: false,
        tags: TagSet::of(store.tags_seen_by(cx.caller, ResourceType::Snapshot, s.id.as_str())),
    };
    let page = answer.listing.page;
    Ok(cx.ok(&DescribeSnapshotsBody {
        request_id: cx.request_id(),
        total_count: answer.listing.total_count,
        page_number: page.number(),
        page_size: page.size(),
        next_token: answer.next_token.map(|t| t.to_string()),
        snapshots: Snapshots {
            snapshot: answer.listing.items.iter().map(|s| item(s)).collect(),
        },
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeDisksBody {
    request_id: RequestId,
    total_count: usize,
    page_number: u32,
    page_size: u32,
    disks: Disks,
}

#[derive(Serialize)]
struct Disks {
    #[serde(rename = "Disk")]
    disk: Vec<DiskItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DiskItem {
    disk_id: String,
    region_id: String,
    instance_id: String,
    /// `system` or `data`.
    #[serde(rename = "Type")]
    disk_type: &'static str,
    /// `In_use` while attached, else `Available` \[D: status names; I: no other status\].
    status: &'static str,
    source_snapshot_id: String,
    /// GiB (an integer in the SDK's model), when known: a system disk's is its image's `Size`
    /// \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u32>,
    /// Released with its instance \[I\].
    delete_with_instance: bool,
    portable: bool,
    tags: TagSet,
}

/// DescribeDisks: `RegionId`, `DiskIds` (JSON array), `InstanceId`, `DiskType` (`system`,
/// `data`, `all`), `Tag.N`, `PageNumber`/`PageSize`.
pub(crate) fn describe_disks(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeDisks::new(p.required(Parameter::RegionId)?);
    request.disk_ids = p.json_list(Parameter::DiskIds)?;
    request.instance_id = p.optional(Parameter::InstanceId)?;
    request.disk_type = match p.raw("DiskType") {
        None | Some("all") => None,
        Some(t) => Some(
            t.parse::<DiskType>()
                .map_err(|_| Error::InvalidParameter(Parameter::DiskType))?,
        ),
    };
    request.tags = tags::tag_filters(&p)?;
    request.page = Page::new(
        p.optional(Parameter::PageNumber)?,
        p.optional(Parameter::PageSize)?,
    )?;
    let store = cx.store();
    let listing = store.describe_disks(cx.caller, &request)?;
    let item = |d: &Disk| DiskItem {
        disk_id: d.id.to_string(),
        region_id: d.region.to_string(),
        instance_id: d
            .instance
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        disk_type: d.disk_type.as_str(),
        status: if d.instance.is_some() {
            "In_use"
        } else {
            "Available"
        },
        source_snapshot_id: d
            .source_snapshot
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        size: d.size_gib,
        delete_with_instance: true,
        portable: false,
        tags: TagSet::of(store.tags_seen_by(cx.caller, ResourceType::Disk, d.id.as_str())),
    };
    Ok(cx.ok(&DescribeDisksBody {
        request_id: cx.request_id(),
        total_count: listing.total_count,
        page_number: listing.page.number(),
        page_size: listing.page.size(),
        disks: Disks {
            disk: listing.items.iter().map(|d| item(d)).collect(),
        },
    }))
}
