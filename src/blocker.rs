//! The six conditions that stop an owner from deleting an image: docs/contract.md §3, one row each.
//!
//! When each blocker holds is decided in [`rule`](crate::rule), the only place that looks at the
//! store; its code and messages are in the table of answers ([`Error::Blocked`](crate::Error)).

use serde::{Deserialize, Serialize};

/// A condition that refuses DeleteImage on an own image, with HTTP 403 \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Blocker {
    /// An ImportImage task for the image is running.
    Importing,
    /// An ExportImage task on the image is running.
    Exporting,
    /// The image is the source or the destination of a running CopyImage.
    Copying,
    /// The image is published as a community image.
    Public,
    /// The image is shared with at least one other account.
    Shared,
    /// At least one existing instance was created from the image; the only blocker that
    /// `Force=true` skips \[D\].
    InUse,
}

impl Blocker {
    /// The six blockers in the default precedence (docs/contract.md §3).
    pub const ALL: [Blocker; 6] = [
        Blocker::Importing,
        Blocker::Exporting,
        Blocker::Copying,
        Blocker::Public,
        Blocker::Shared,
        Blocker::InUse,
    ];
}
