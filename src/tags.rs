//! Tags: what a tag is, which resources carry them, and the documented limits
//! (docs/research/tags.md). The table that holds them is the store's
//! (`src/tag_table.rs`); the actions that change them are in [`lifecycle`](crate::lifecycle);
//! the queries that read them are in `src/tag_query.rs`.
//!
//! Tags are an account's, in a region \[D\]: a resource carries at most
//! [`MAX_TAGS_PER_RESOURCE`] of them, one value per key, and a tag no resource carries any
//! more is gone. Only the owner of a resource can tag it or see its tags \[I\].

use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, NotFound, TagRefusal};

/// The most tags one resource carries [D: ECS limits, "Tag limits"; TagResources].
pub const MAX_TAGS_PER_RESOURCE: usize = 20;

/// The most `Tag.N` (or `TagKey.N`) entries one request takes [D: TagResources,
/// UntagResources, ListTagResources, DescribeTags, and the creating actions' `Tag.N`].
pub const MAX_TAGS_PER_CALL: usize = 20;

/// The most `ResourceId.N` one TagResources, UntagResources or ListTagResources takes \[D\].
pub const MAX_TAG_RESOURCE_IDS: usize = 50;

/// The longest tag key or value, in characters [D: SDK 7.11.8 `TagResourcesRequestTag`].
pub const MAX_TAG_LEN: usize = 128;

/// A key must not start with these [D: TagResources; SDK 7.11.8].
const FORBIDDEN_KEY_PREFIXES: [&str; 2] = ["aliyun", "acs:"];

/// Neither a key nor a value may contain these [D: TagResources; SDK 7.11.8].
const FORBIDDEN_INFIXES: [&str; 2] = ["http://", "https://"];

/// The kinds of resource that carry tags (`ResourceType`, lower-case as the API spells them
/// \[D\]). The ones the project does not hold (`reservedinstance`, `securitygroup`, …) are
/// not among them and answer `InvalidResourceType.NotFound` \[I\]. Adding one is one variant
/// here and one arm in the store's `tag_owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ResourceType {
    /// `instance`: an ECS instance.
    Instance,
    /// `image`: a custom image.
    Image,
    /// `snapshot`: a disk snapshot.
    Snapshot,
    /// `disk`: a cloud disk.
    Disk,
}

impl ResourceType {
    /// Every kind, in the order DescribeTags counts them.
    pub const ALL: [ResourceType; 4] = [
        ResourceType::Instance,
        ResourceType::Image,
        ResourceType::Snapshot,
        ResourceType::Disk,
    ];

    /// The type as the API spells it, e.g. `image`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceType::Instance => "instance",
            ResourceType::Image => "image",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Disk => "disk",
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceType {
    type Err = Error;

    /// `instance`, `image`, `snapshot` or `disk`, lower-case as documented ("all values must be lowercase" \[D\]);
    /// anything else is `InvalidResourceType.NotFound` \[D code; I for the types the project
    /// does not hold\].
    fn from_str(s: &str) -> Result<Self, Error> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or(NotFound::ResourceType.into())
    }
}

/// A tag key: 1 to [`MAX_TAG_LEN`] characters, not starting with `aliyun` or `acs:`, not
/// containing `http://` or `https://` \[D\].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagKey(CompactString);

impl TagKey {
    /// Parses a key; a malformed one is `InvalidTagKey.Malformed` \[D\].
    pub fn new(s: &str) -> Result<Self, Error> {
        let malformed = s.is_empty()
            || s.chars().count() > MAX_TAG_LEN
            || FORBIDDEN_KEY_PREFIXES.iter().any(|p| s.starts_with(p))
            || FORBIDDEN_INFIXES.iter().any(|p| s.contains(p));
        if malformed {
            return Err(TagRefusal::MalformedKey.into());
        }
        Ok(Self(s.into()))
    }

    /// The key as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The smallest key of all, for the start of a range; never a valid key.
    pub(crate) fn least() -> Self {
        Self(CompactString::const_new(""))
    }
}

/// A tag value: 0 to [`MAX_TAG_LEN`] characters, not containing `http://` or `https://` \[D\].
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagValue(CompactString);

impl TagValue {
    /// Parses a value; a malformed one is `InvalidTagValue.Malformed` \[D\].
    pub fn new(s: &str) -> Result<Self, Error> {
        let malformed =
            s.chars().count() > MAX_TAG_LEN || FORBIDDEN_INFIXES.iter().any(|p| s.contains(p));
        if malformed {
            return Err(TagRefusal::MalformedValue.into());
        }
        Ok(Self(s.into()))
    }

    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_impls {
    ($name:ident) => {
        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                Self::new(&s)
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0.into()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }
    };
}

text_impls!(TagKey);
text_impls!(TagValue);

/// One tag: a key and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// `Tag.N.Key`.
    pub key: TagKey,
    /// `Tag.N.Value`.
    pub value: TagValue,
}

impl Tag {
    /// A tag from its key and value.
    pub fn new(key: &str, value: &str) -> Result<Self, Error> {
        Ok(Self {
            key: TagKey::new(key)?,
            value: TagValue::new(value)?,
        })
    }

    /// A tag from one `Tag.N.Key` / `Tag.N.Value` pair as the wire gives it: a value without
    /// its key is `InvalidTag.Mismatch` \[D code; I when\]; a key without a value has the empty
    /// value (a value may be empty \[D\]; the SDKs send none for it \[I\]).
    pub fn from_pair(key: Option<&str>, value: Option<&str>) -> Result<Self, Error> {
        match key {
            None => Err(TagRefusal::Mismatch.into()),
            Some(key) => Tag::new(key, value.unwrap_or("")),
        }
    }
}

/// A condition on tags (the `Tag.N` filter of ListTagResources, DescribeTags, DescribeImages
/// and DescribeInstances): the key, and the value when one is given; without a value, every
/// value of the key matches \[D: DescribeTags\].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagFilter {
    /// `Tag.N.Key`.
    pub key: TagKey,
    /// `Tag.N.Value`, if given.
    pub value: Option<TagValue>,
}

impl TagFilter {
    /// A filter from one `Tag.N.Key` / `Tag.N.Value` pair as the wire gives it: a value
    /// without its key is `InvalidTag.Mismatch` \[I\].
    pub fn from_pair(key: Option<&str>, value: Option<&str>) -> Result<Self, Error> {
        let Some(key) = key else {
            return Err(TagRefusal::Mismatch.into());
        };
        Ok(Self {
            key: TagKey::new(key)?,
            value: value.map(TagValue::new).transpose()?,
        })
    }

    /// Whether a resource's tags satisfy the condition.
    pub(crate) fn matches(&self, tags: &std::collections::BTreeMap<TagKey, TagValue>) -> bool {
        tags.get(&self.key)
            .is_some_and(|v| self.value.as_ref().is_none_or(|want| want == v))
    }
}

/// The tags a creating action (`Tag.N` on CreateImage, ImportImage, CopyImage, RunInstances)
/// puts on what it makes: at most [`MAX_TAGS_PER_CALL`] \[D\], keys unique \[D\]. Refused with
/// `InvalidTagCount` for too many and `Duplicate.TagKey` for a repeated key [D codes; I: which
/// answer each creating action gives].
pub(crate) fn check_new_tags(tags: &[Tag]) -> Result<(), Error> {
    if tags.len() > MAX_TAGS_PER_CALL {
        return Err(TagRefusal::TagCount.into());
    }
    unique_keys(tags)
}

/// `Duplicate.TagKey` when two tags have the same key \[D\].
pub(crate) fn unique_keys(tags: &[Tag]) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    if tags.iter().all(|t| seen.insert(&t.key)) {
        Ok(())
    } else {
        Err(TagRefusal::DuplicateKey.into())
    }
}

/// One resource's tags, as a store state lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaggedResource {
    /// Its type.
    pub resource_type: ResourceType,
    /// Its id.
    pub resource_id: crate::ids::ResourceId,
    /// Its tags, in key order.
    pub tags: Vec<Tag>,
}
