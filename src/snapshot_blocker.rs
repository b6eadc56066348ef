//! The three conditions that stop an owner from deleting a snapshot, one row each of the
//! DeleteSnapshot table (docs/delete-snapshot.md), and the order they are tried in.
//!
//! When each holds is decided in [`snapshot_rule`](crate::snapshot_rule), the only place that
//! looks at the store; their codes and messages are in the table of answers
//! ([`Error::SnapshotBlocked`](crate::Error::SnapshotBlocked)).

use serde::{Deserialize, Serialize};

/// A condition that refuses DeleteSnapshot on an own snapshot \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnapshotBlocker {
    /// The snapshot is still being made (`progressing`). Refuses only under
    /// [`ProgressingSnapshot::Refuse`]; by default deleting it cancels its creation \[D\].
    Creating,
    /// An image lists the snapshot; nothing bypasses this one, `Force` included \[D\].
    CreatedImage,
    /// Disks were created from the snapshot; `Force=true` skips it, and those disks can then
    /// no longer be re-initialized \[D\].
    CreatedDisk,
}

impl SnapshotBlocker {
    /// The three blockers in the default precedence \[I\]: in-flight work first, then the image
    /// (never bypassed), then the disks (bypassed by Force, so last, so that an answer inviting
    /// `Force=true` never hides another refusal).
    pub const ALL: [SnapshotBlocker; 3] = [
        SnapshotBlocker::Creating,
        SnapshotBlocker::CreatedImage,
        SnapshotBlocker::CreatedDisk,
    ];
}

/// What deleting a snapshot that is still being made does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProgressingSnapshot {
    /// The snapshot is deleted and its creation cancelled [D: the DeleteSnapshot summary since
    /// 2024]. The default.
    #[default]
    Cancel,
    /// 400 `IncorrectDiskStatus.CreatingSnapshot`, "A previous snapshot creation is in
    /// process." [D code and message, current page; I: that it answers this case].
    Refuse,
}

/// What a snapshot the caller does not own (or that does not exist) answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MissingSnapshot {
    /// Success, nothing changes [D: every version: "the request is ignored"]. The default.
    #[default]
    Ignore,
    /// 404 `InvalidSnapshotId.NotFound`, "The specified snapshot is not found" [D: the
    /// 2019-2021 tables].
    NotFound,
}

/// The order in which snapshot blockers are tried; the first that holds is the answer.
///
/// Always a permutation of the three [`SnapshotBlocker`]s: anything else is refused when it
/// is built. The default is [`SnapshotBlocker::ALL`] \[I\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<SnapshotBlocker>", into = "Vec<SnapshotBlocker>")]
pub struct SnapshotPrecedence([SnapshotBlocker; 3]);

/// Why a list of snapshot blockers is not a precedence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotPrecedenceError {
    /// The list does not have exactly three entries.
    #[error(
        "a snapshot precedence lists each of the three blockers once; this one has {0} entries"
    )]
    WrongLength(usize),
    /// A blocker appears twice (and so another one is missing).
    #[error("a snapshot precedence lists each of the three blockers once; {0:?} appears twice")]
    Repeated(SnapshotBlocker),
}

impl SnapshotPrecedence {
    /// Builds a precedence from a list that must name each of the three blockers exactly once.
    pub fn new(order: &[SnapshotBlocker]) -> Result<Self, SnapshotPrecedenceError> {
        let order: [SnapshotBlocker; 3] = order
            .try_into()
            .map_err(|_| SnapshotPrecedenceError::WrongLength(order.len()))?;
        for (i, b) in order.iter().enumerate() {
            if order[..i].contains(b) {
                return Err(SnapshotPrecedenceError::Repeated(*b));
            }
        }
        Ok(Self(order))
    }

    /// The blockers, first tried first.
    pub fn order(&self) -> &[SnapshotBlocker; 3] {
        &self.0
    }
}

impl Default for SnapshotPrecedence {
    fn default() -> Self {
        Self(SnapshotBlocker::ALL)
    }
}

impl TryFrom<Vec<SnapshotBlocker>> for SnapshotPrecedence {
    type Error = SnapshotPrecedenceError;
    fn try_from(order: Vec<SnapshotBlocker>) -> Result<Self, SnapshotPrecedenceError> {
        Self::new(&order)
    }
}

impl From<SnapshotPrecedence> for Vec<SnapshotBlocker> {
    fn from(p: SnapshotPrecedence) -> Vec<SnapshotBlocker> {
        p.0.to_vec()
    }
}
