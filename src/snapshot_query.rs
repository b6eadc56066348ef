//! DescribeSnapshots: the caller's snapshots in a region, filtered and paged as the action
//! documents, answered from the store's indexes (by id, by disk, by instance's disks, by tag,
//! by account and region), never by a scan of the world.

use std::collections::BTreeSet;

use crate::describe::{Listing, Page};
use crate::error::{Error, Parameter};
use crate::ids::{AccountId, DiskId, InstanceId, RegionId, SnapshotId};
use crate::rule::known_region;
use crate::storage::{Snapshot, SnapshotStatus, SnapshotUsage};
use crate::store::ImageStore;
use crate::tags::{ResourceType, TagFilter};

/// The most ids one `SnapshotIds` may name \[D: "up to 100 snapshot IDs"\]; more is
/// `InvalidParameter` for `SnapshotIds` \[I\]. Repeated ids count once.
pub const MAX_SNAPSHOT_IDS: usize = 100;

/// `SnapshotType`: which snapshots by how they were made \[D: `auto`, `user`, `all`\]. Every
/// snapshot the store makes is a manual one (`user`): no automatic snapshot policy is
/// modelled \[I\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotType {
    /// `all` (the default).
    #[default]
    All,
    /// `user`: made by a call (CreateSnapshot, CreateImage).
    User,
    /// `auto`: made by an automatic snapshot policy; none is.
    Auto,
}

impl std::str::FromStr for SnapshotType {
    type Err = Error;

    /// `auto`, `user` or `all`; anything else is `InvalidParameter` \[I\].
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "all" => Ok(SnapshotType::All),
            "user" => Ok(SnapshotType::User),
            "auto" => Ok(SnapshotType::Auto),
            _ => Err(Error::InvalidParameter(Parameter::SnapshotType)),
        }
    }
}

/// How a DescribeSnapshots request pages: by number (`PageNumber`/`PageSize`) or by token
/// (`NextToken`/`MaxResults`, which win when either is given \[I\]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotPaging {
    /// `PageNumber` and `PageSize`.
    Numbered(Page),
    /// `NextToken` (the id to start at, from the previous answer; absent on the first call) and
    /// `MaxResults` (1 to 100, default 10 \[D\]).
    Token {
        /// Where the previous answer stopped.
        next_token: Option<SnapshotId>,
        /// How many to answer.
        max_results: u32,
    },
}

impl SnapshotPaging {
    /// Token paging from the wire's `NextToken` and `MaxResults`: a `MaxResults` outside 1 to
    /// 100 is `InvalidParameter` for it; a token that is not a snapshot id is `InvalidParameter`
    /// for `NextToken` \[I\].
    pub fn token(next_token: Option<&str>, max_results: Option<u32>) -> Result<Self, Error> {
        let max_results = max_results.unwrap_or(10);
        if !(1..=100).contains(&max_results) {
            return Err(Error::InvalidParameter(Parameter::MaxResults));
        }
        let next_token = next_token
            .map(|t| SnapshotId::new(t).map_err(|_| Error::InvalidParameter(Parameter::NextToken)))
            .transpose()?;
        Ok(SnapshotPaging::Token {
            next_token,
            max_results,
        })
    }
}

/// DescribeSnapshots: the caller's snapshots in a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeSnapshots {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `SnapshotIds` (a JSON array on the wire): only these; empty does not filter.
    pub snapshot_ids: Vec<SnapshotId>,
    /// `DiskId`: only snapshots of this disk.
    pub disk_id: Option<DiskId>,
    /// `InstanceId`: only snapshots of this instance's (existing) disks.
    pub instance_id: Option<InstanceId>,
    /// `Status`: only snapshots in this status; `None` (`all`, the default) does not filter.
    pub status: Option<SnapshotStatus>,
    /// `Usage`: only snapshots used this way.
    pub usage: Option<SnapshotUsage>,
    /// `SnapshotType`.
    pub snapshot_type: SnapshotType,
    /// `SnapshotName`: only snapshots of exactly this name.
    pub name: Option<String>,
    /// `Tag.N`: only snapshots carrying every one of these tags.
    pub tags: Vec<TagFilter>,
    /// The paging.
    pub paging: SnapshotPaging,
}

impl DescribeSnapshots {
    /// A request without filters, for the first page.
    pub fn new(region_id: RegionId) -> Self {
        Self {
            region_id,
            snapshot_ids: Vec::new(),
            disk_id: None,
            instance_id: None,
            status: None,
            usage: None,
            snapshot_type: SnapshotType::All,
            name: None,
            tags: Vec::new(),
            paging: SnapshotPaging::Numbered(Page::default()),
        }
    }
}

/// What DescribeSnapshots answers: one page of matches in id order, and, under token paging,
/// the token of the next page (none on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotListing<'s> {
    /// The matches on this page, their count, and the page (numbered paging; under token
    /// paging, page 1 of `MaxResults`).
    pub listing: Listing<&'s Snapshot>,
    /// `NextToken`: the id the next page starts at.
    pub next_token: Option<SnapshotId>,
}

impl ImageStore {
    /// DescribeSnapshots. Refusals: `InvalidRegionId.NotFound`; `InvalidParameter` for more
    /// than [`MAX_SNAPSHOT_IDS`] ids. The candidates come from the narrowest index the request
    /// names (its ids, its disk, its instance's disks, its tags, else the caller's snapshots in
    /// the region), so a call costs what it selects, not what the store holds.
    pub fn describe_snapshots(
        &self,
        caller: &AccountId,
        request: &DescribeSnapshots,
    ) -> Result<SnapshotListing<'_>, Error> {
        let region = &request.region_id;
        known_region(self, region)?;
        let mut ids: BTreeSet<&SnapshotId> = BTreeSet::new();
        for id in &request.snapshot_ids {
            ids.insert(id);
            if ids.len() > MAX_SNAPSHOT_IDS {
                return Err(Error::InvalidParameter(Parameter::SnapshotIds));
            }
        }
        let unfiltered = ids.is_empty()
            && request.disk_id.is_none()
            && request.instance_id.is_none()
            && request.tags.is_empty()
            && request.status.is_none()
            && request.usage.is_none()
            && request.snapshot_type != SnapshotType::Auto
            && request.name.is_none();
        if let (true, SnapshotPaging::Numbered(page)) = (unfiltered, &request.paging) {
            // Every snapshot of the caller's in the region: the index counts them and gives a
            // page in id order, so a page costs its own size.
            let all = self.storage().snapshots_of_account(caller, region);
            return Ok(SnapshotListing {
                listing: Listing {
                    total_count: all.map_or(0, BTreeSet::len),
                    page: *page,
                    items: all
                        .into_iter()
                        .flatten()
                        .skip(page.skipped())
                        .take(page.size() as usize)
                        .filter_map(|id| self.snapshot(id.as_str()))
                        .collect(),
                },
                next_token: None,
            });
        }
        let candidates: BTreeSet<&SnapshotId> = if !ids.is_empty() {
            ids.clone()
        } else if let Some(disk) = &request.disk_id {
            self.snapshots_of_disk(disk.as_str()).collect()
        } else if let Some(instance) = &request.instance_id {
            self.disks_of_instance(instance.as_str())
                .flat_map(|d| self.snapshots_of_disk(d.as_str()))
                .collect()
        } else if !request.tags.is_empty() {
            self.carrying_all(caller, region, ResourceType::Snapshot, &request.tags)
                .into_iter()
                .filter_map(|id| self.snapshot(id.as_str()).map(|s| &s.id))
                .collect()
        } else {
            self.snapshots_of_account(caller, region).collect()
        };
        let matches = candidates
            .into_iter()
            .filter_map(|id| self.snapshot(id.as_str()))
            .filter(|s| self.snapshot_matches(s, caller, request, &ids));
        Ok(match &request.paging {
            SnapshotPaging::Numbered(page) => SnapshotListing {
                listing: page.of(matches),
                next_token: None,
            },
            SnapshotPaging::Token {
                next_token,
                max_results,
            } => {
                let page = Page::new(Some(1), Some(*max_results))?;
                let mut total_count = 0;
                let mut items = Vec::new();
                let mut next = None;
                for s in matches {
                    total_count += 1;
                    if next_token.as_ref().is_some_and(|t| s.id < *t) {
                        continue;
                    }
                    if items.len() < *max_results as usize {
                        items.push(s);
                    } else if next.is_none() {
                        next = Some(s.id.clone());
                    }
                }
                SnapshotListing {
                    listing: Listing {
                        total_count,
                        page,
                        items,
                    },
                    next_token: next,
                }
            }
        })
    }

    /// Whether a candidate snapshot is one the request asks for.
    fn snapshot_matches(
        &self,
        s: &Snapshot,
        caller: &AccountId,
        request: &DescribeSnapshots,
        ids: &BTreeSet<&SnapshotId>,
    ) -> bool {
        let of_instance = || {
            request.instance_id.as_ref().is_none_or(|instance| {
                s.source_disk.as_ref().is_some_and(|d| {
                    self.disk(d.as_str())
                        .is_some_and(|d| d.instance.as_ref() == Some(instance))
                })
            })
        };
        let tagged = || {
            request.tags.is_empty()
                || self
                    .tag_table()
                    .of(ResourceType::Snapshot, s.id.as_str())
                    .is_some_and(|t| request.tags.iter().all(|f| f.matches(&t.tags)))
        };
        s.owner == *caller
            && s.region == request.region_id
            && (ids.is_empty() || ids.contains(&s.id))
            && request
                .disk_id
                .as_ref()
                .is_none_or(|d| s.source_disk.as_ref() == Some(d))
            && request.status.is_none_or(|status| s.status == status)
            && request
                .usage
                .is_none_or(|u| self.snapshot_usage(s.id.as_str()) == Some(u))
            && request.snapshot_type != SnapshotType::Auto
            && request
                .name
                .as_deref()
                .is_none_or(|n| s.name.as_deref() == Some(n))
            && of_instance()
            && tagged()
    }
}
