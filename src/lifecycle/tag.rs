//! The actions that put tags on resources and take them off: TagResources and UntagResources,
//! and the older one-resource AddTags and RemoveTags that Packer calls on its image's snapshots
//! (docs/research/tags.md). A resource's tags go with it when it is removed: the store's
//! removal path sees to that, not these actions.

use std::collections::BTreeSet;

use crate::error::{Error, NotFound, Parameter, TagRefusal};
use crate::ids::{AccountId, RegionId, ResourceId};
use crate::profile::Profile;
use crate::store::ImageStore;
use crate::tags::{
    MAX_TAG_RESOURCE_IDS, MAX_TAGS_PER_CALL, MAX_TAGS_PER_RESOURCE, ResourceType, Tag, TagFilter,
    TagKey, check_new_tags, unique_keys,
};

use super::{Transition, known_region};

/// TagResources: puts tags on resources of the caller's, all or none. A key a resource
/// already has takes the new value \[D\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagResources {
    /// `RegionId`: the resources' region.
    pub region_id: RegionId,
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId.N`: 1 to [`MAX_TAG_RESOURCE_IDS`]; a repeated id counts once \[I\].
    pub resource_ids: Vec<ResourceId>,
    /// `Tag.N`: 1 to [`MAX_TAGS_PER_CALL`], keys unique.
    pub tags: Vec<Tag>,
}

impl TagResources {
    /// A request without resources or tags.
    pub fn new(region_id: RegionId, resource_type: ResourceType) -> Self {
        Self {
            region_id,
            resource_type,
            resource_ids: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// The same request with one more resource.
    pub fn add_resource(mut self, id: ResourceId) -> Self {
        self.resource_ids.push(id);
        self
    }

    /// The same request with one more tag.
    pub fn add_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }
}

/// UntagResources: takes tags off resources of the caller's: the keys `TagKey.N`, or with
/// `All=true` and no key, every tag. A key a resource does not have is skipped \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntagResources {
    /// `RegionId`: the resources' region.
    pub region_id: RegionId,
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId.N`: 1 to [`MAX_TAG_RESOURCE_IDS`].
    pub resource_ids: Vec<ResourceId>,
    /// `TagKey.N`: up to [`MAX_TAGS_PER_CALL`].
    pub tag_keys: Vec<TagKey>,
    /// `All`: every tag; considered only without `TagKey.N` \[D\].
    pub all: bool,
}

impl UntagResources {
    /// A request without resources or keys.
    pub fn new(region_id: RegionId, resource_type: ResourceType) -> Self {
        Self {
            region_id,
            resource_type,
            resource_ids: Vec::new(),
            tag_keys: Vec::new(),
            all: false,
        }
    }

    /// The same request with one more resource.
    pub fn add_resource(mut self, id: ResourceId) -> Self {
        self.resource_ids.push(id);
        self
    }

    /// The same request with one more key to take off.
    pub fn add_tag_key(mut self, key: TagKey) -> Self {
        self.tag_keys.push(key);
        self
    }

    /// The same request with `All` set.
    pub fn with_all(self, all: bool) -> Self {
        Self { all, ..self }
    }
}

/// AddTags: puts tags on one resource of the caller's; a key it already has takes the new value
/// \[D\]. TagResources' rules, with AddTags' own answer for too many tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddTags {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId`.
    pub resource_id: ResourceId,
    /// `Tag.N`.
    pub tags: Vec<Tag>,
}

/// RemoveTags: takes tags off one resource of the caller's: each `Tag.N` whose key the resource
/// has, and whose value it has too when the `Tag.N` gives one \[I\]. Without `Tag.N`, nothing is
/// removed \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveTags {
    /// `RegionId`.
    pub region_id: RegionId,
    /// `ResourceType`.
    pub resource_type: ResourceType,
    /// `ResourceId`.
    pub resource_id: ResourceId,
    /// `Tag.N`: the tags to remove, a key without a value naming the key whatever its value.
    pub tags: Vec<TagFilter>,
}

/// Refusals, in this order: `MissingParameter.Tags` without `Tag.N` [I: TagResources' answer];
/// `InvalidTagCount` for more than [`MAX_TAGS_PER_CALL`] \[D\]; `Duplicate.TagKey` \[D\];
/// `InvalidRegionId.NotFound`; `InvalidResourceId.NotFound` unless the resource is the caller's
/// own of the type in the region \[I\]; `OperationDenied.QuotaExceed` when it would carry more
/// than [`MAX_TAGS_PER_RESOURCE`] tags [I: TagResources' answer].
impl Transition for AddTags {
    type Checked = ();
    type Answer = ();

    fn check(
        &self,
        store: &ImageStore,
        caller: &AccountId,
        profile: &Profile,
    ) -> Result<(), Error> {
        if self.tags.is_empty() {
            return Err(TagRefusal::MissingTags.into());
        }
        check_new_tags(&self.tags)?;
        self.as_tag_resources().check(store, caller, profile)
    }

    fn change(&self, store: &mut ImageStore, caller: &AccountId, (): ()) {
        self.as_tag_resources().change(store, caller, ());
    }

    fn dry_run(&self) -> bool {
        false
    }
}

impl AddTags {
    /// The same change as TagResources on the one resource.
    fn as_tag_resources(&self) -> TagResources {
        TagResources {
            region_id: self.region_id.clone(),
            resource_type: self.resource_type,
            resource_ids: vec![self.resource_id.clone()],
            tags: self.tags.clone(),
        }
    }
}

/// Refusals, in this order: `InvalidTagCount` for more than [`MAX_TAGS_PER_CALL`] \[D\];
/// `InvalidRegionId.NotFound`; `InvalidResourceId.NotFound` unless the resource is the
/// caller's own of the type in the region \[I\].
impl Transition for RemoveTags {
    type Checked = ();
    type Answer = ();

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        if self.tags.len() > MAX_TAGS_PER_CALL {
            return Err(TagRefusal::TagCount.into());
        }
        own_resources(
            store,
            caller,
            &self.region_id,
            self.resource_type,
            std::slice::from_ref(&self.resource_id),
        )?;
        Ok(())
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) {
        let id = self.resource_id.as_str();
        let keys: Vec<TagKey> = store
            .tags_of(self.resource_type, id)
            .filter(|(k, v)| {
                self.tags
                    .iter()
                    .any(|f| f.key == **k && f.value.as_ref().is_none_or(|want| want == *v))
            })
            .map(|(k, _)| k.clone())
            .collect();
        if !keys.is_empty() {
            store
                .tag_table_mut()
                .remove_keys(self.resource_type, id, &keys);
        }
    }

    fn dry_run(&self) -> bool {
        false
    }
}

/// `ResourceId.N`: present \[I: `MissingParameter`\], at most [`MAX_TAG_RESOURCE_IDS`] distinct
/// \[D\], each the caller's own resource of the type in the region, or
/// `InvalidResourceId.NotFound` \[D\]. Answers the distinct ids, in order.
fn own_resources<'r>(
    store: &ImageStore,
    caller: &AccountId,
    region: &RegionId,
    resource_type: ResourceType,
    ids: &'r [ResourceId],
) -> Result<BTreeSet<&'r ResourceId>, Error> {
    if ids.is_empty() {
        return Err(Error::MissingParameter(Parameter::ResourceId));
    }
    let mut distinct = BTreeSet::new();
    for id in ids {
        distinct.insert(id);
        if distinct.len() > MAX_TAG_RESOURCE_IDS {
            return Err(TagRefusal::TooManyResourceIds.into());
        }
    }
    known_region(store, region)?;
    for id in &distinct {
        let own = store
            .tag_owner(resource_type, id.as_str())
            .is_some_and(|(owner, r)| owner == caller && r == region);
        if !own {
            return Err(NotFound::Resource.into());
        }
    }
    Ok(distinct)
}

/// Refusals, in this order: `MissingParameter.Tags` without `Tag.N` \[D\]; `NumberExceed.Tags`
/// for more than [`MAX_TAGS_PER_CALL`] \[D\]; `Duplicate.TagKey` \[D\]; `MissingParameter` without
/// `ResourceId.N` \[I\]; `NumberExceed.ResourceIds` \[D\]; `InvalidRegionId.NotFound`;
/// `InvalidResourceId.NotFound` unless every resource is the caller's own of the type in the
/// region \[D\]; `OperationDenied.QuotaExceed` when one would carry more than
/// [`MAX_TAGS_PER_RESOURCE`] tags \[D\]. (Malformed keys and values are refused when the
/// request is read: [`Tag::new`].)
impl Transition for TagResources {
    type Checked = ();
    type Answer = ();

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        if self.tags.is_empty() {
            return Err(TagRefusal::MissingTags.into());
        }
        if self.tags.len() > MAX_TAGS_PER_CALL {
            return Err(TagRefusal::TooManyTags.into());
        }
        unique_keys(&self.tags)?;
        let ids = own_resources(
            store,
            caller,
            &self.region_id,
            self.resource_type,
            &self.resource_ids,
        )?;
        for id in ids {
            let had = store.tags_of(self.resource_type, id.as_str());
            let mut keys: BTreeSet<&TagKey> = had.map(|(k, _)| k).collect();
            keys.extend(self.tags.iter().map(|t| &t.key));
            if keys.len() > MAX_TAGS_PER_RESOURCE {
                return Err(TagRefusal::QuotaExceeded.into());
            }
        }
        Ok(())
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) {
        let ids: BTreeSet<&ResourceId> = self.resource_ids.iter().collect();
        for id in ids {
            let (owner, region) = store
                .tag_owner(self.resource_type, id.as_str())
                .map(|(o, r)| (o.clone(), r.clone()))
                .expect("the check found every resource");
            store.tag_table_mut().put(
                self.resource_type,
                id,
                &owner,
                &region,
                self.tags.iter().cloned(),
            );
        }
    }

    fn dry_run(&self) -> bool {
        false
    }
}

/// Refusals, in this order: `NumberExceed.Tags` for more than [`MAX_TAGS_PER_CALL`] keys [I:
/// TagResources' code]; `MissingParameter` for `TagKey` with neither keys nor `All=true` \[I\];
/// then the resources as TagResources checks them.
impl Transition for UntagResources {
    type Checked = ();
    type Answer = ();

    fn check(&self, store: &ImageStore, caller: &AccountId, _: &Profile) -> Result<(), Error> {
        if self.tag_keys.len() > MAX_TAGS_PER_CALL {
            return Err(TagRefusal::TooManyTags.into());
        }
        if self.tag_keys.is_empty() && !self.all {
            return Err(Error::MissingParameter(Parameter::TagKey));
        }
        own_resources(
            store,
            caller,
            &self.region_id,
            self.resource_type,
            &self.resource_ids,
        )?;
        Ok(())
    }

    fn change(&self, store: &mut ImageStore, _: &AccountId, (): ()) {
        for id in &self.resource_ids {
            if self.tag_keys.is_empty() {
                store
                    .tag_table_mut()
                    .forget(self.resource_type, id.as_str());
            } else {
                store
                    .tag_table_mut()
                    .remove_keys(self.resource_type, id.as_str(), &self.tag_keys);
            }
        }
    }

    fn dry_run(&self) -> bool {
        false
    }
}

impl ImageStore {
    /// TagResources: puts the tags on the caller's resources, all or none.
    pub fn tag_resources(
        &mut self,
        caller: &AccountId,
        request: TagResources,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// AddTags: puts the tags on one of the caller's resources.
    pub fn add_tags(&mut self, caller: &AccountId, request: AddTags) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// RemoveTags: takes the tags it names off one of the caller's resources.
    pub fn remove_tags(&mut self, caller: &AccountId, request: RemoveTags) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }

    /// UntagResources: takes the keys (or, with `All`, every tag) off the caller's resources.
    pub fn untag_resources(
        &mut self,
        caller: &AccountId,
        request: UntagResources,
    ) -> Result<(), Error> {
        self.transition(caller, &request, &Profile::default())
    }
}
