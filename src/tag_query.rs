//! The queries that read tags: ListTagResources (which resources carry which tags, one entry
//! per resource and tag, paged by `NextToken`) and DescribeTags (an account's distinct tags
//! with how many resources of each type carry them, paged by number). Both see only the
//! caller's own resources \[I\] and never change the store.

use std::collections::{BTreeMap, BTreeSet};

use crate::describe::{Listing, Page};
use crate::error::{Error, Parameter, TagRefusal};
use crate::ids::{AccountId, RegionId, ResourceId};
use crate::rule::known_region;
use crate::store::ImageStore;
use crate::tags::{
    MAX_TAG_RESOURCE_IDS, MAX_TAGS_PER_CALL, ResourceType, TagFilter, TagKey, TagValue,
};

/// How many entries one ListTagResources page holds. The SDK declares no page size and the
/// documentation gives none; 50, the `ResourceId.N` cap, is ours \[I\].
pub const LIST_TAG_RESOURCES_PAGE: usize = 50;

/// DescribeTags' `PageSize` when none is given \[D\].
pub const DESCRIBE_TAGS_PAGE_SIZE: u32 = 50;

/// ListTagResources: the tags of the caller's resources of one type in a region, chosen by id
/// (`ResourceId.N`), by tag (`Tag.N`, every condition must hold), or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListTagResources {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId.N`: up to [`MAX_TAG_RESOURCE_IDS`]; an id that is not the caller's own
    /// resource of the type in the region lists nothing \[I\].
    pub resource_ids: Vec<ResourceId>,
    /// `Tag.N`: up to [`MAX_TAGS_PER_CALL`] conditions, all of which a resource must satisfy.
    pub tags: Vec<TagFilter>,
    /// `NextToken`: where the previous page stopped.
    pub next_token: Option<String>,
}

impl ListTagResources {
    /// A request without resources or conditions (which is refused: give one of them).
    pub fn new(region_id: RegionId, resource_type: ResourceType) -> Self {
        Self {
            region_id,
            resource_type,
            resource_ids: Vec::new(),
            tags: Vec::new(),
            next_token: None,
        }
    }

    /// The same request with one more resource.
    pub fn add_resource(mut self, id: ResourceId) -> Self {
        self.resource_ids.push(id);
        self
    }

    /// The same request with one more condition.
    pub fn add_tag(mut self, filter: TagFilter) -> Self {
        self.tags.push(filter);
        self
    }

    /// The same request from the page a `NextToken` names.
    pub fn with_next_token(self, token: impl Into<String>) -> Self {
        Self {
            next_token: Some(token.into()),
            ..self
        }
    }
}

/// One entry of ListTagResources: a resource and one of its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagResourceView<'s> {
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId`.
    pub resource_id: &'s ResourceId,
    /// `TagKey`.
    pub key: &'s TagKey,
    /// `TagValue`.
    pub value: &'s TagValue,
}

/// One page of ListTagResources, in (resource id, key) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagResourcePage<'s> {
    /// The entries.
    pub items: Vec<TagResourceView<'s>>,
    /// `NextToken`: where the next page starts; `None` on the last page.
    pub next_token: Option<String>,
}

/// DescribeTags: the caller's distinct tags in a region, with how many of its resources of
/// each type carry each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeTags {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ResourceType`: count only resources of this type; tags none of them carry are left
    /// out.
    pub resource_type: Option<ResourceType>,
    /// `ResourceId`: only the tags of this resource (of `ResourceType`, or of any type).
    pub resource_id: Option<ResourceId>,
    /// `Tag.N`: only tags that match one of these conditions \[I\]; a key without a value
    /// matches every value of the key \[D\].
    pub tags: Vec<TagFilter>,
    /// `PageNumber` and `PageSize` (default [`DESCRIBE_TAGS_PAGE_SIZE`]).
    pub page: Page,
}

impl DescribeTags {
    /// A request without filters, for the first page of [`DESCRIBE_TAGS_PAGE_SIZE`].
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            resource_type: None,
            resource_id: None,
            tags: Vec::new(),
            page: Self::page(None, None).expect("the default page is valid"),
        }
    }

    /// DescribeTags' paging: `PageNumber` from 1 (absent: 1), `PageSize` 1 to 100 (absent:
    /// [`DESCRIBE_TAGS_PAGE_SIZE`]) \[D\].
    pub fn page(number: Option<u32>, size: Option<u32>) -> Result<Page, Error> {
        Page::new(number, Some(size.unwrap_or(DESCRIBE_TAGS_PAGE_SIZE)))
    }
}

/// One tag as DescribeTags shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSummary<'s> {
    /// `TagKey`.
    pub key: &'s TagKey,
    /// `TagValue`.
    pub value: &'s TagValue,
    /// `ResourceTypeCount`: how many of the caller's resources of each type carry it (types
    /// absent here carry it on none).
    pub resource_counts: BTreeMap<ResourceType, usize>,
}

/// A `NextToken`: the (resource id, key) of the entry a page starts at, hex-encoded so that
/// any id and key travel safely \[I\].
fn token(id: &ResourceId, key: &TagKey) -> String {
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    format!("{}.{}", hex(id.as_str()), hex(key.as_str()))
}

/// The (resource id, key) a [`token`] names; anything else is `InvalidParameter` for
/// `NextToken` \[I\].
fn parse_token(token: &str) -> Result<(String, String), Error> {
    let invalid = || Error::InvalidParameter(Parameter::NextToken);
    let unhex = |s: &str| -> Result<String, Error> {
        if !s.len().is_multiple_of(2) {
            return Err(invalid());
        }
        let bytes = (0..s.len())
            .step_by(2)
            .map(|i| {
                u8::from_str_radix(s.get(i..i + 2).ok_or_else(invalid)?, 16).map_err(|_| invalid())
            })
            .collect::<Result<Vec<u8>, Error>>()?;
        String::from_utf8(bytes).map_err(|_| invalid())
    };
    let (id, key) = token.split_once('.').ok_or_else(invalid)?;
    Ok((unhex(id)?, unhex(key)?))
}

impl ImageStore {
    /// The caller's resources of one type in a region that satisfy every tag condition, in id
    /// order: the smallest condition's set from the index, the others checked one resource at
    /// a time. Costs the conditions' matches, never the store's size. Empty without a
    /// condition.
    pub(crate) fn carrying_all(
        &self,
        caller: &AccountId,
        region: &RegionId,
        kind: ResourceType,
        filters: &[TagFilter],
    ) -> BTreeSet<&ResourceId> {
        let table = self.tag_table();
        let mut sets: Vec<BTreeSet<&ResourceId>> = filters
            .iter()
            .map(|f| table.carrying(caller, region, kind, f))
            .collect();
        sets.sort_by_key(BTreeSet::len);
        let smallest = sets.into_iter().next().unwrap_or_default();
        smallest
            .into_iter()
            .filter(|id| {
                table
                    .of(kind, id.as_str())
                    .is_some_and(|t| filters.iter().all(|f| f.matches(&t.tags)))
            })
            .collect()
    }

    /// A resource's tags as `caller` sees them (DescribeImages' and DescribeInstances'
    /// `Tags.Tag[]`): its owner sees them all, anyone else none \[I\].
    pub fn tags_seen_by(
        &self,
        caller: &AccountId,
        resource_type: ResourceType,
        id: &str,
    ) -> impl Iterator<Item = (&TagKey, &TagValue)> {
        self.tag_table()
            .of(resource_type, id)
            .filter(|t| t.owner == *caller)
            .into_iter()
            .flat_map(|t| t.tags.iter())
    }

    /// ListTagResources: a page of (resource, tag) entries of the caller's resources that the
    /// request chooses, in (resource id, key) order.
    ///
    /// Refusals, in this order: `NumberExceed.ResourceIds` \[D\]; `NumberExceed.Tags` \[D\];
    /// `MissingParameter` for `ResourceId` with neither `ResourceId.N` nor `Tag.N` [D: one is
    /// required; I: the code]; `InvalidParameter` for a `NextToken` this store did not give
    /// \[I\]; `InvalidRegionId.NotFound`.
    ///
    /// Costs the entries answered plus, with `Tag.N`, the resources carrying each condition's
    /// tag (the index's sets), never the store's size.
    pub fn list_tag_resources(
        &self,
        caller: &AccountId,
        request: &ListTagResources,
    ) -> Result<TagResourcePage<'_>, Error> {
        if request.resource_ids.len() > MAX_TAG_RESOURCE_IDS {
            return Err(TagRefusal::TooManyResourceIds.into());
        }
        if request.tags.len() > MAX_TAGS_PER_CALL {
            return Err(TagRefusal::TooManyTags.into());
        }
        if request.resource_ids.is_empty() && request.tags.is_empty() {
            return Err(Error::MissingParameter(Parameter::ResourceId));
        }
        let start = request.next_token.as_deref().map(parse_token).transpose()?;
        let region = &request.region_id;
        known_region(self, region)?;
        let kind = request.resource_type;
        let table = self.tag_table();
        let candidates: BTreeSet<&ResourceId> = if request.resource_ids.is_empty() {
            self.carrying_all(caller, region, kind, &request.tags)
        } else {
            request
                .resource_ids
                .iter()
                .filter_map(|id| table.entry(kind, id.as_str()))
                .filter(|(_, tagged)| tagged.owner == *caller && tagged.region == *region)
                .map(|(id, _)| id)
                .collect()
        };
        let mut items = Vec::new();
        let from = start.as_ref().map(|(id, _)| id.as_str());
        for id in candidates
            .into_iter()
            .filter(|id| from.is_none_or(|from| id.as_str() >= from))
        {
            let Some(tagged) = table.of(kind, id.as_str()) else {
                continue;
            };
            if !request.tags.iter().all(|f| f.matches(&tagged.tags)) {
                continue;
            }
            let first_key = match &start {
                Some((at, key)) if at == id.as_str() => Some(key.as_str()),
                _ => None,
            };
            for (key, value) in &tagged.tags {
                if first_key.is_some_and(|first| key.as_str() < first) {
                    continue;
                }
                if items.len() == LIST_TAG_RESOURCES_PAGE {
                    return Ok(TagResourcePage {
                        items,
                        next_token: Some(token(id, key)),
                    });
                }
                items.push(TagResourceView {
                    resource_type: kind,
                    resource_id: id,
                    key,
                    value,
                });
            }
        }
        Ok(TagResourcePage {
            items,
            next_token: None,
        })
    }

    /// DescribeTags: a page of the caller's distinct tags in the region that the request
    /// chooses, in (key, value) order, with their counts by resource type.
    ///
    /// Refusals, in this order: `InvalidTagCount` for more than [`MAX_TAGS_PER_CALL`]
    /// conditions \[D\]; `InvalidRegionId.NotFound`.
    ///
    /// Costs the tags of the one resource with `ResourceId`, else the caller's distinct tags
    /// in the region (all of which `TotalCount` counts).
    pub fn describe_tags(
        &self,
        caller: &AccountId,
        request: &DescribeTags,
    ) -> Result<Listing<TagSummary<'_>>, Error> {
        if request.tags.len() > MAX_TAGS_PER_CALL {
            return Err(TagRefusal::TagCount.into());
        }
        let region = &request.region_id;
        known_region(self, region)?;
        let types: Vec<ResourceType> = match request.resource_type {
            Some(kind) => vec![kind],
            None => ResourceType::ALL.to_vec(),
        };
        let table = self.tag_table();
        let mut summary: BTreeMap<(&TagKey, &TagValue), BTreeMap<ResourceType, usize>> =
            match &request.resource_id {
                Some(id) => {
                    let mut one: BTreeMap<_, BTreeMap<_, _>> = BTreeMap::new();
                    for &kind in &types {
                        let own = self
                            .tag_owner(kind, id.as_str())
                            .is_some_and(|(o, r)| o == caller && r == region);
                        for (key, value) in table
                            .of(kind, id.as_str())
                            .filter(|_| own)
                            .into_iter()
                            .flat_map(|t| &t.tags)
                        {
                            one.entry((key, value)).or_default().insert(kind, 1);
                        }
                    }
                    one
                }
                None => table.summary(caller, region),
            };
        summary.retain(|(key, value), counts| {
            counts.retain(|kind, _| types.contains(kind));
            let chosen = request.tags.is_empty()
                || request
                    .tags
                    .iter()
                    .any(|f| f.key == **key && f.value.as_ref().is_none_or(|want| want == *value));
            chosen && !counts.is_empty()
        });
        let page = request.page;
        let skip = (page.number() as usize - 1).saturating_mul(page.size() as usize);
        Ok(Listing {
            total_count: summary.len(),
            page,
            items: summary
                .into_iter()
                .skip(skip)
                .take(page.size() as usize)
                .map(|((key, value), resource_counts)| TagSummary {
                    key,
                    value,
                    resource_counts,
                })
                .collect(),
        })
    }
}
