//! DescribeDisks: the caller's disks in a region, filtered and paged as the action documents
//! (what Packer reads to find an instance's system disk), answered from the store's indexes
//! (by id, by instance, by tag, by account and region).

use std::collections::BTreeSet;

use crate::attributes::DiskType;
use crate::describe::{Listing, Page};
use crate::error::{Error, Parameter};
use crate::ids::{AccountId, DiskId, InstanceId, RegionId};
use crate::rule::known_region;
use crate::storage::Disk;
use crate::store::ImageStore;
use crate::tags::{ResourceType, TagFilter};

/// The most ids one `DiskIds` may name \[D: "up to 100 disk IDs"\]; more is `InvalidParameter`
/// for `DiskIds` \[I\]. Repeated ids count once.
pub const MAX_DISK_IDS: usize = 100;

/// DescribeDisks: the caller's disks in a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeDisks {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `DiskIds` (a JSON array on the wire): only these; empty does not filter.
    pub disk_ids: Vec<DiskId>,
    /// `InstanceId`: only the disks attached to this instance.
    pub instance_id: Option<InstanceId>,
    /// `DiskType`: `system` or `data`; `None` (`all`, the default) does not filter.
    pub disk_type: Option<DiskType>,
    /// `Tag.N`: only disks carrying every one of these tags.
    pub tags: Vec<TagFilter>,
    /// `PageNumber` and `PageSize`.
    pub page: Page,
}

impl DescribeDisks {
    /// A request without filters, for the first page.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            disk_ids: Vec::new(),
            instance_id: None,
            disk_type: None,
            tags: Vec::new(),
            page: Page::default(),
        }
    }
}

impl ImageStore {
    /// DescribeDisks. Refusals: `InvalidRegionId.NotFound`; `InvalidParameter` for more than
    /// [`MAX_DISK_IDS`] ids. The candidates come from the narrowest index the request names
    /// (its ids, its instance, its tags, else the caller's disks in the region), in id order.
    pub fn describe_disks(
        &self,
        caller: &AccountId,
        request: &DescribeDisks,
    ) -> Result<Listing<&Disk>, Error> {
        let region = &request.region_id;
        known_region(self, region)?;
        let mut ids: BTreeSet<&DiskId> = BTreeSet::new();
        for id in &request.disk_ids {
            ids.insert(id);
            if ids.len() > MAX_DISK_IDS {
                return Err(Error::InvalidParameter(Parameter::DiskIds));
            }
        }
        let candidates: BTreeSet<&DiskId> = if !ids.is_empty() {
            ids.clone()
        } else if let Some(instance) = &request.instance_id {
            self.disks_of_instance(instance.as_str()).collect()
        } else if !request.tags.is_empty() {
            self.carrying_all(caller, region, ResourceType::Disk, &request.tags)
                .into_iter()
                .filter_map(|id| self.disk(id.as_str()).map(|d| &d.id))
                .collect()
        } else {
            self.storage()
                .disks_of_account(caller, region)
                .into_iter()
                .flatten()
                .collect()
        };
        let tagged = |d: &Disk| {
            request.tags.is_empty()
                || self
                    .tag_table()
                    .of(ResourceType::Disk, d.id.as_str())
                    .is_some_and(|t| request.tags.iter().all(|f| f.matches(&t.tags)))
        };
        let matches = candidates
            .into_iter()
            .filter_map(|id| self.disk(id.as_str()))
            .filter(|d| {
                d.owner == *caller
                    && d.region == *region
                    && (ids.is_empty() || ids.contains(&d.id))
                    && request
                        .instance_id
                        .as_ref()
                        .is_none_or(|i| d.instance.as_ref() == Some(i))
                    && request.disk_type.is_none_or(|t| d.disk_type == t)
                    && tagged(d)
            });
        Ok(request.page.of(matches))
    }
}
