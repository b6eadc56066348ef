//! The tag actions on the wire: TagResources, UntagResources, ListTagResources, DescribeTags,
//! and the older AddTags and RemoveTags, read into the library's typed requests, and the answers rendered in the real
//! actions' response shapes (SDK 7.11.8's response models). Every rule is the library's.

use ecs_image_rules::{
    AddTags, DescribeTags, Error, ListTagResources, Parameter, RemoveTags, RequestId, ResourceType,
    Tag, TagFilter, TagKey, TagRefusal, TagResources, TagValue, UntagResources,
};
use serde::Serialize;

use crate::call::Context;
use crate::protocol::Reply;
use crate::rpc::Params;

/// `ResourceType`, required by every tag action but DescribeTags.
fn resource_type(p: &Params<'_>) -> Result<ResourceType, Error> {
    p.raw("ResourceType")
        .ok_or(Error::Tag(TagRefusal::MissingResourceType))?
        .parse()
}

/// `Tag.N.Key` / `Tag.N.Value` as tags to put on resources.
pub(crate) fn tags(p: &Params<'_>) -> Result<Vec<Tag>, Error> {
    p.pairs("Tag", "Key", "Value")
        .into_iter()
        .map(|(key, value)| Tag::from_pair(key, value))
        .collect()
}

/// `Tag.N.Key` / `Tag.N.Value` as conditions on tags.
pub(crate) fn tag_filters(p: &Params<'_>) -> Result<Vec<TagFilter>, Error> {
    p.pairs("Tag", "Key", "Value")
        .into_iter()
        .map(|(key, value)| TagFilter::from_pair(key, value))
        .collect()
}

/// A resource's `Tags.Tag[]` in DescribeImages and DescribeInstances items.
#[derive(Serialize)]
pub(crate) struct TagSet {
    #[serde(rename = "Tag")]
    tag: Vec<TagPair>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagPair {
    tag_key: String,
    tag_value: String,
}

impl TagSet {
    pub(crate) fn of<'s>(tags: impl Iterator<Item = (&'s TagKey, &'s TagValue)>) -> Self {
        TagSet {
            tag: tags
                .map(|(k, v)| TagPair {
                    tag_key: k.to_string(),
                    tag_value: v.to_string(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Done {
    request_id: RequestId,
}

/// TagResources: `RegionId`, `ResourceType`, `ResourceId.N`, `Tag.N.Key`/`Tag.N.Value`.
pub(crate) fn tag_resources(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = TagResources::new(p.required(Parameter::RegionId)?, resource_type(&p)?);
    request.resource_ids = p.indexed("ResourceId", None, Parameter::ResourceId)?;
    request.tags = tags(&p)?;
    cx.world.store.tag_resources(cx.caller, request)?;
    cx.mutated = true;
    Ok(cx.ok(&Done {
        request_id: cx.request_id(),
    }))
}

/// AddTags: `RegionId`, `ResourceType`, `ResourceId` (one resource), `Tag.N.Key`/`Tag.N.Value`.
pub(crate) fn add_tags(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let request = AddTags {
        region_id: p.required(Parameter::RegionId)?,
        resource_type: resource_type(&p)?,
        resource_id: p.required(Parameter::ResourceId)?,
        tags: tags(&p)?,
    };
    cx.world.store.add_tags(cx.caller, request)?;
    cx.mutated = true;
    Ok(cx.ok(&Done {
        request_id: cx.request_id(),
    }))
}

/// RemoveTags: `RegionId`, `ResourceType`, `ResourceId` (one resource), `Tag.N.Key`/`Tag.N.Value`.
pub(crate) fn remove_tags(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let request = RemoveTags {
        region_id: p.required(Parameter::RegionId)?,
        resource_type: resource_type(&p)?,
        resource_id: p.required(Parameter::ResourceId)?,
        tags: tag_filters(&p)?,
    };
    cx.world.store.remove_tags(cx.caller, request)?;
    cx.mutated = true;
    Ok(cx.ok(&Done {
        request_id: cx.request_id(),
    }))
}

/// UntagResources: `RegionId`, `ResourceType`, `ResourceId.N`, `TagKey.N`, `All`.
pub(crate) fn untag_resources(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = UntagResources::new(p.required(Parameter::RegionId)?, resource_type(&p)?);
    request.resource_ids = p.indexed("ResourceId", None, Parameter::ResourceId)?;
    request.tag_keys = p.indexed("TagKey", None, Parameter::TagKey)?;
    request.all = p.boolean(Parameter::All)?.unwrap_or(false);
    cx.world.store.untag_resources(cx.caller, request)?;
    cx.mutated = true;
    Ok(cx.ok(&Done {
        request_id: cx.request_id(),
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListTagResourcesBody {
    request_id: RequestId,
    /// Absent on the last page, so that a client looping "while there is a token" stops \[I\].
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    tag_resources: TagResourceList,
}

#[derive(Serialize)]
struct TagResourceList {
    #[serde(rename = "TagResource")]
    tag_resource: Vec<TagResourceItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagResourceItem {
    resource_id: String,
    resource_type: &'static str,
    tag_key: String,
    tag_value: String,
}

/// ListTagResources: `RegionId`, `ResourceType`, `ResourceId.N`, `Tag.N.Key`/`Tag.N.Value`,
/// `NextToken`.
pub(crate) fn list_tag_resources(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = ListTagResources::new(p.required(Parameter::RegionId)?, resource_type(&p)?);
    request.resource_ids = p.indexed("ResourceId", None, Parameter::ResourceId)?;
    request.tags = tag_filters(&p)?;
    request.next_token = p.raw(Parameter::NextToken.name()).map(str::to_owned);
    let page = cx.store().list_tag_resources(cx.caller, &request)?;
    Ok(cx.ok(&ListTagResourcesBody {
        request_id: cx.request_id(),
        next_token: page.next_token,
        tag_resources: TagResourceList {
            tag_resource: page
                .items
                .iter()
                .map(|t| TagResourceItem {
                    resource_id: t.resource_id.to_string(),
                    resource_type: t.resource_type.as_str(),
                    tag_key: t.key.to_string(),
                    tag_value: t.value.to_string(),
                })
                .collect(),
        },
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeTagsBody {
    request_id: RequestId,
    page_number: u32,
    page_size: u32,
    total_count: usize,
    tags: TagList,
}

#[derive(Serialize)]
struct TagList {
    #[serde(rename = "Tag")]
    tag: Vec<TagItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagItem {
    tag_key: String,
    tag_value: String,
    resource_type_count: ResourceTypeCount,
}

/// The counts the SDK's model declares; the types the emulator holds no resource of count 0.
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ResourceTypeCount {
    instance: usize,
    disk: usize,
    volume: usize,
    image: usize,
    snapshot: usize,
    securitygroup: usize,
    launch_template: usize,
    eni: usize,
    ddh: usize,
    key_pair: usize,
    snapshot_policy: usize,
    reserved_instance: usize,
}

/// DescribeTags: `RegionId`, `ResourceType`, `ResourceId`, `Tag.N.Key`/`Tag.N.Value`,
/// `PageNumber`/`PageSize`.
pub(crate) fn describe_tags(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeTags::new(p.required(Parameter::RegionId)?);
    request.resource_type = p.raw("ResourceType").map(str::parse).transpose()?;
    request.resource_id = p.optional(Parameter::ResourceId)?;
    request.tags = tag_filters(&p)?;
    request.page = DescribeTags::page(
        p.optional(Parameter::PageNumber)?,
        p.optional(Parameter::PageSize)?,
    )?;
    let listing = cx.store().describe_tags(cx.caller, &request)?;
    let page = request.page;
    Ok(cx.ok(&DescribeTagsBody {
        request_id: cx.request_id(),
        page_number: page.number(),
        page_size: page.size(),
        total_count: listing.total_count,
        tags: TagList {
            tag: listing
                .items
                .iter()
                .map(|t| {
                    let mut counts = ResourceTypeCount::default();
                    for (&kind, &n) in &t.resource_counts {
                        match kind {
                            ResourceType::Instance => counts.instance = n,
                            ResourceType::Image => counts.image = n,
                            ResourceType::Snapshot => counts.snapshot = n,
                            ResourceType::Disk => counts.disk = n,
                            _ => {}
                        }
                    }
                    TagItem {
                        tag_key: t.key.to_string(),
                        tag_value: t.value.to_string(),
                        resource_type_count: counts,
                    }
                })
                .collect(),
        },
    }))
}
