//! The store's tags: each tagged resource's tags, and an index from tag to resources so that
//! a `Tag.N` filter costs what its matches cost, not what the store holds.
//!
//! A resource's tags are kept with the owner and region they belong to (those of the
//! resource, which never change), so that the index is keyed by them: an account's tags in a
//! region are one range of it (DescribeTags), and the resources of one type carrying one tag
//! are one set (ListTagResources, DescribeImages `Tag.N`). A resource without tags has no row
//! and costs nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ids::{AccountId, RegionId, ResourceId};
use crate::tags::{ResourceType, Tag, TagFilter, TagKey, TagValue};

/// One resource's tags, with the owner and region they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tagged {
    pub(crate) owner: AccountId,
    pub(crate) region: RegionId,
    pub(crate) tags: BTreeMap<TagKey, TagValue>,
}

/// Where one tag of one account, region and resource type is found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct IndexKey {
    owner: AccountId,
    region: RegionId,
    kind: ResourceType,
    key: TagKey,
    value: TagValue,
}

/// The tags of every tagged resource, by type and id, and the index from tag to resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TagTable {
    resources: HashMap<ResourceType, HashMap<ResourceId, Tagged>>,
    /// The resources carrying each tag, in id order.
    index: BTreeMap<IndexKey, BTreeSet<ResourceId>>,
}

impl TagTable {
    /// A resource's tags, in key order; `None` when it has none.
    pub(crate) fn of(&self, kind: ResourceType, id: &str) -> Option<&Tagged> {
        self.resources.get(&kind)?.get(id)
    }

    /// A tagged resource's id as the table holds it, and its tags.
    pub(crate) fn entry(&self, kind: ResourceType, id: &str) -> Option<(&ResourceId, &Tagged)> {
        self.resources.get(&kind)?.get_key_value(id)
    }

    /// Every tagged resource, by type, in no particular order.
    pub(crate) fn all(&self) -> impl Iterator<Item = (ResourceType, &ResourceId, &Tagged)> {
        self.resources
            .iter()
            .flat_map(|(kind, rows)| rows.iter().map(move |(id, t)| (*kind, id, t)))
    }

    /// Puts tags on a resource owned by `owner` in `region`; a key it already has takes the
    /// new value \[D\]. The caller has checked the count against the limit.
    pub(crate) fn put(
        &mut self,
        kind: ResourceType,
        id: &ResourceId,
        owner: &AccountId,
        region: &RegionId,
        tags: impl IntoIterator<Item = Tag>,
    ) {
        let row = self
            .resources
            .entry(kind)
            .or_default()
            .entry(id.clone())
            .or_insert_with(|| Tagged {
                owner: owner.clone(),
                region: region.clone(),
                tags: BTreeMap::new(),
            });
        let (owner, region) = (row.owner.clone(), row.region.clone());
        let index_key = |key: &TagKey, value: TagValue| IndexKey {
            owner: owner.clone(),
            region: region.clone(),
            kind,
            key: key.clone(),
            value,
        };
        for Tag { key, value } in tags {
            if let Some(old) = row.tags.insert(key.clone(), value.clone()) {
                Self::unindex(&mut self.index, index_key(&key, old), id.as_str());
            }
            self.index
                .entry(index_key(&key, value))
                .or_default()
                .insert(id.clone());
        }
        if row.tags.is_empty() {
            self.forget(kind, id.as_str());
        }
    }

    /// Takes keys off a resource; a key it does not have is skipped.
    pub(crate) fn remove_keys<'k>(
        &mut self,
        kind: ResourceType,
        id: &str,
        keys: impl IntoIterator<Item = &'k TagKey>,
    ) {
        let Some(row) = self
            .resources
            .get_mut(&kind)
            .and_then(|rows| rows.get_mut(id))
        else {
            return;
        };
        for key in keys {
            if let Some(value) = row.tags.remove(key) {
                let index_key = IndexKey {
                    owner: row.owner.clone(),
                    region: row.region.clone(),
                    kind,
                    key: key.clone(),
                    value,
                };
                Self::unindex(&mut self.index, index_key, id);
            }
        }
        if row.tags.is_empty() {
            self.forget(kind, id);
        }
    }

    /// Takes every tag off a resource: UntagResources `All`, and the removal of the resource.
    pub(crate) fn forget(&mut self, kind: ResourceType, id: &str) {
        let Some(rows) = self.resources.get_mut(&kind) else {
            return;
        };
        let Some(row) = rows.remove(id) else {
            return;
        };
        if rows.is_empty() {
            self.resources.remove(&kind);
        }
        for (key, value) in row.tags {
            let index_key = IndexKey {
                owner: row.owner.clone(),
                region: row.region.clone(),
                kind,
                key,
                value,
            };
            Self::unindex(&mut self.index, index_key, id);
        }
    }

    fn unindex(index: &mut BTreeMap<IndexKey, BTreeSet<ResourceId>>, key: IndexKey, id: &str) {
        if let Some(ids) = index.get_mut(&key) {
            ids.remove(id);
            if ids.is_empty() {
                index.remove(&key);
            }
        }
    }

    /// The resources of one owner, region and type that satisfy a tag condition, in id order:
    /// one set of the index for a key and value, the sets of the key's values merged for a key
    /// alone. Costs the matches (and, for a key alone, the key's distinct values).
    pub(crate) fn carrying(
        &self,
        owner: &AccountId,
        region: &RegionId,
        kind: ResourceType,
        filter: &TagFilter,
    ) -> BTreeSet<&ResourceId> {
        let start = IndexKey {
            owner: owner.clone(),
            region: region.clone(),
            kind,
            key: filter.key.clone(),
            value: filter.value.clone().unwrap_or_default(),
        };
        match &filter.value {
            Some(_) => self.index.get(&start).into_iter().flatten().collect(),
            None => self
                .index
                .range(start..)
                .take_while(|(k, _)| {
                    k.owner == *owner
                        && k.region == *region
                        && k.kind == kind
                        && k.key == filter.key
                })
                .flat_map(|(_, ids)| ids)
                .collect(),
        }
    }

    /// An account's distinct tags in a region, in (key, value) order, each with how many
    /// resources of each type carry it. Costs the account's tags in the region.
    pub(crate) fn summary(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> BTreeMap<(&TagKey, &TagValue), BTreeMap<ResourceType, usize>> {
        let mut summary: BTreeMap<_, BTreeMap<_, _>> = BTreeMap::new();
        for kind in ResourceType::ALL {
            let start = IndexKey {
                owner: owner.clone(),
                region: region.clone(),
                kind,
                key: TagKey::least(),
                value: TagValue::default(),
            };
            let rows = self
                .index
                .range(start..)
                .take_while(|(k, _)| k.owner == *owner && k.region == *region && k.kind == kind);
            for (k, ids) in rows {
                *summary
                    .entry((&k.key, &k.value))
                    .or_default()
                    .entry(kind)
                    .or_default() += ids.len();
            }
        }
        summary
    }
}
