//! Validated identifiers: accounts, regions, images, instances, snapshots, disks, tasks and
//! requests.
//!
//! Alibaba Cloud documents no grammar for these ids (docs/contract.md §1): custom images
//! look like `m-bp67acfmxazb4p3abcde`, public images like
//! `win2008r2_64_ent_sp1_en-us_40G_alibase_20190318.vhd`, older ids are shorter. So one
//! permissive grammar serves every kind: 1 to [`MAX_ID_LEN`] bytes of visible ASCII
//! (`!` to `~`), no whitespace, no control characters. Anything else is refused with an
//! [`IdError`] that names the kind of id and the fault. A well-formed id that names nothing
//! is not an error here: whether it exists is the store's question.
//!
//! Request ids are stricter: an uppercase UUID, 8-4-4-4-12 hex, as every real response carries.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// Which kind of identifier an [`IdError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// An Alibaba Cloud account (the caller, an image owner, a share recipient).
    Account,
    /// A region such as `cn-hangzhou`.
    Region,
    /// An image, custom (`m-…`) or public.
    Image,
    /// An ECS instance (`i-…`).
    Instance,
    /// A disk snapshot (`s-…`).
    Snapshot,
    /// A running task: import, export or copy (`t-…`).
    Task,
    /// A request id: an uppercase UUID.
    Request,
    /// A taggable resource of any type (`ResourceId.N` of the tag actions).
    Resource,
    /// A cloud disk (`d-…`): an instance's system disk or a data disk.
    Disk,
}

impl IdKind {
    /// The kind's name as used in error messages, e.g. `image id`.
    pub const fn name(self) -> &'static str {
        match self {
            IdKind::Account => "account id",
            IdKind::Region => "region id",
            IdKind::Image => "image id",
            IdKind::Instance => "instance id",
            IdKind::Snapshot => "snapshot id",
            IdKind::Task => "task id",
            IdKind::Request => "request id",
            IdKind::Resource => "resource id",
            IdKind::Disk => "disk id",
        }
    }
}

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The string is empty.
    #[error("{} is empty", kind.name())]
    Empty {
        /// The kind of id that was being parsed.
        kind: IdKind,
    },
    /// The string is longer than [`MAX_ID_LEN`] bytes.
    #[error("{} is {len} bytes long; at most {max} are allowed", kind.name(), max = MAX_ID_LEN)]
    TooLong {
        /// The kind of id that was being parsed.
        kind: IdKind,
        /// The length of the refused string, in bytes.
        len: usize,
    },
    /// The string holds a character outside visible ASCII (whitespace, control, non-ASCII).
    #[error("{} {value:?} holds {ch:?} at byte {at}; only visible ASCII is allowed", kind.name())]
    BadCharacter {
        /// The kind of id that was being parsed.
        kind: IdKind,
        /// The refused string (cut to [`MAX_ID_LEN`] bytes at a character boundary).
        value: String,
        /// The first refused character.
        ch: char,
        /// Its byte offset.
        at: usize,
    },
    /// A request id that is not an uppercase UUID (8-4-4-4-12 hex digits).
    #[error("request id {value:?} is not an uppercase UUID (8-4-4-4-12 hex digits)")]
    NotUppercaseUuid {
        /// The refused string (cut to [`MAX_ID_LEN`] bytes at a character boundary).
        value: String,
    },
}

fn shortened(s: &str) -> String {
    let mut end = s.len().min(MAX_ID_LEN);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

fn check_grammar(kind: IdKind, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong { kind, len: s.len() });
    }
    if let Some((at, ch)) = s.char_indices().find(|&(_, c)| !c.is_ascii_graphic()) {
        return Err(IdError::BadCharacter {
            kind,
            value: shortened(s),
            ch,
            at,
        });
    }
    Ok(())
}

/// Defines a validated id newtype over a text representation `$repr`. Every id shares the
/// grammar of [`check_grammar`].
///
/// Two representations, chosen by how often one id repeats in a store (docs/performance.md):
/// - an id that names one resource (image, instance, snapshot, task) is a `CompactString`:
///   up to 24 bytes inline in its 24-byte value, so a real-shaped id (`m-` and 20 characters)
///   has no allocation of its own (an `Arc<str>` of it costs 16 bytes plus a 40-byte
///   allocation);
/// - an id that a million images repeat (owner, region) is an `Arc<str>`: the store interns
///   it, and each image holds a 16-byte pointer to the one copy.
///
/// Both hash, compare and order exactly as the `str` they hold, so maps keyed by an id are
/// searched with a `&str`.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $repr:ty) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name($repr);

        impl $name {
            /// Parses and validates an id.
            pub fn new(s: &str) -> Result<Self, IdError> {
                check_grammar($kind, s)?;
                Ok(Self(<$repr>::from(s)))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(&s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                String::from(&*id.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
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

id_type!(
    /// An Alibaba Cloud account: the caller of a request, the owner of an image, or an account an
    /// image is shared with.
    AccountId,
    IdKind::Account,
    Arc<str>
);
id_type!(
    /// A region, e.g. `cn-hangzhou`. Images are regional.
    RegionId,
    IdKind::Region,
    Arc<str>
);
id_type!(
    /// An image, e.g. `m-bp67acfmxazb4p3abcde` (custom, shared, marketplace, community) or a
    /// public image's file-like name.
    ImageId,
    IdKind::Image,
    CompactString
);
id_type!(
    /// An ECS instance, e.g. `i-bp1…`.
    InstanceId,
    IdKind::Instance,
    CompactString
);
id_type!(
    /// A disk snapshot an image was built from, e.g. `s-bp1…`.
    SnapshotId,
    IdKind::Snapshot,
    CompactString
);
id_type!(
    /// A running import, export or copy task, e.g. `t-bp1…`.
    TaskId,
    IdKind::Task,
    CompactString
);

id_type!(
    /// A taggable resource's id, whatever its type (`ResourceId.N` of the tag actions): an
    /// image's `m-…`, an instance's `i-…`.
    ResourceId,
    IdKind::Resource,
    CompactString
);
id_type!(
    /// A cloud disk, e.g. `d-bp1…`: an instance's system disk, or a data disk.
    DiskId,
    IdKind::Disk,
    CompactString
);

/// A request id: an uppercase UUID such as `473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E`.
///
/// The library never invents one from a clock or a random source: the caller supplies it, or a
/// [`RequestIdSequence`] derives it deterministically.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

impl RequestId {
    /// Parses a request id; it must be an uppercase UUID (8-4-4-4-12 hex digits).
    pub fn new(s: &str) -> Result<Self, IdError> {
        let groups: Vec<&str> = s.split('-').collect();
        let shaped = groups.len() == 5
            && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
                g.len() == n && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
            });
        if shaped {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::NotUppercaseUuid {
                value: shortened(s),
            })
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::new(&s)
    }
}

impl From<RequestId> for String {
    fn from(id: RequestId) -> String {
        id.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({:?})", self.0)
    }
}

/// A deterministic source of request ids: the same seed gives the same sequence, so a run that
/// prints request ids is reproducible.
///
/// Ids have the UUID shape `SSSSSSSS-0000-4000-8000-NNNNNNNNNNNN` (seed, then a counter that
/// starts at 1); they are unique within one sequence, never across sequences with equal seeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIdSequence {
    seed: u32,
    next: u64,
}

impl RequestIdSequence {
    /// A sequence whose ids all start with the eight hex digits of `seed`.
    pub const fn new(seed: u32) -> Self {
        Self { seed, next: 1 }
    }
}

impl Iterator for RequestIdSequence {
    type Item = RequestId;

    fn next(&mut self) -> Option<RequestId> {
        // The counter field holds 48 bits; past that the sequence ends rather than repeats.
        if self.next >= 1 << 48 {
            return None;
        }
        let id = format!("{:08X}-0000-4000-8000-{:012X}", self.seed, self.next);
        self.next += 1;
        Some(RequestId(id))
    }
}
