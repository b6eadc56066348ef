//! The switches that choose between readings of the documentation: which vintage of the error
//! messages, what an image the caller cannot see answers, and in which order blockers are tried.
//!
//! `Profile::default()` is the 2024-10 API page the project started from.

use serde::{Deserialize, Serialize};

use crate::blocker::Blocker;
use crate::snapshot_blocker::{MissingSnapshot, ProgressingSnapshot, SnapshotPrecedence};

/// Which vintage of the documented error messages to answer with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Catalog {
    /// The DeleteImage page as last updated on 2024-10-21 (the seed page) \[D\]. The default.
    #[default]
    #[serde(rename = "2024-10")]
    Doc2024_10,
    /// The current page, messages changed from 2024-12 on (read 2025/2026) \[D\].
    #[serde(rename = "2025")]
    Doc2025,
}

/// What an *absent* image (docs/contract.md §2) answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MissingImage {
    /// Success, nothing changes [D: "If the specified custom image does not exist, the request
    /// is ignored."]. The default.
    #[default]
    Ignore,
    /// 404 `InvalidImageId.NotFound`, as the live service may well answer \[I\].
    NotFound,
}

/// The order in which blockers are tried; the first that holds is the answer.
///
/// Always a permutation of the six [`Blocker`]s: anything else is refused when it is built.
/// The default is the order of docs/contract.md §3 \[I\], which puts InUse (the one `Force=true` skips) last,
/// so that an answer inviting `Force=true` never hides another blocker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Blocker>", into = "Vec<Blocker>")]
pub struct Precedence([Blocker; 6]);

/// Why a list of blockers is not a precedence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrecedenceError {
    /// The list does not have exactly six entries.
    #[error("a precedence lists each of the six blockers once; this one has {0} entries")]
    WrongLength(usize),
    /// A blocker appears twice (and so another one is missing).
    #[error("a precedence lists each of the six blockers once; {0:?} appears twice")]
    Repeated(Blocker),
}

impl Precedence {
    /// Builds a precedence from a list that must name each of the six blockers exactly once.
    pub fn new(order: &[Blocker]) -> Result<Self, PrecedenceError> {
        let order: [Blocker; 6] = order
            .try_into()
            .map_err(|_| PrecedenceError::WrongLength(order.len()))?;
        for (i, b) in order.iter().enumerate() {
            if order[..i].contains(b) {
                return Err(PrecedenceError::Repeated(*b));
            }
        }
        Ok(Self(order))
    }

    /// The blockers, first tried first.
    pub fn order(&self) -> &[Blocker; 6] {
        &self.0
    }
}

impl Default for Precedence {
    fn default() -> Self {
        Self(Blocker::ALL)
    }
}

impl TryFrom<Vec<Blocker>> for Precedence {
    type Error = PrecedenceError;
    fn try_from(order: Vec<Blocker>) -> Result<Self, PrecedenceError> {
        Self::new(&order)
    }
}

impl From<Precedence> for Vec<Blocker> {
    fn from(p: Precedence) -> Vec<Blocker> {
        p.0.to_vec()
    }
}

/// A complete reading of the documentation. Every field is valid by construction, so a
/// profile can be built field by field or deserialized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    /// Which vintage of error messages.
    #[serde(default)]
    pub catalog: Catalog,
    /// What an absent image answers.
    #[serde(default)]
    pub missing_image: MissingImage,
    /// The order blockers are tried in.
    #[serde(default)]
    pub precedence: Precedence,
    // The DeleteSnapshot fields are written only when not the default, so a profile that
    // leaves them alone serializes as before (the emulator journals the profile with every
    // change).
    /// DeleteSnapshot: what a snapshot the caller does not own answers.
    #[serde(default, skip_serializing_if = "is_default")]
    pub missing_snapshot: MissingSnapshot,
    /// DeleteSnapshot: what deleting a snapshot still being made does.
    #[serde(default, skip_serializing_if = "is_default")]
    pub progressing_snapshot: ProgressingSnapshot,
    /// DeleteSnapshot: the order its blockers are tried in.
    #[serde(default, skip_serializing_if = "is_default")]
    pub snapshot_precedence: SnapshotPrecedence,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Profile {
    /// The same profile with another catalog.
    pub fn with_catalog(self, catalog: Catalog) -> Self {
        Self { catalog, ..self }
    }

    /// The same profile with another missing-image policy.
    pub fn with_missing_image(self, missing_image: MissingImage) -> Self {
        Self {
            missing_image,
            ..self
        }
    }

    /// The same profile with another precedence.
    pub fn with_precedence(self, precedence: Precedence) -> Self {
        Self { precedence, ..self }
    }

    /// The same profile with another missing-snapshot policy.
    pub fn with_missing_snapshot(self, missing_snapshot: MissingSnapshot) -> Self {
        Self {
            missing_snapshot,
            ..self
        }
    }

    /// The same profile with another progressing-snapshot policy.
    pub fn with_progressing_snapshot(self, progressing_snapshot: ProgressingSnapshot) -> Self {
        Self {
            progressing_snapshot,
            ..self
        }
    }

    /// The same profile with another snapshot precedence.
    pub fn with_snapshot_precedence(self, snapshot_precedence: SnapshotPrecedence) -> Self {
        Self {
            snapshot_precedence,
            ..self
        }
    }
}
