//! The six conditions that stop an owner from deleting an image: docs/contract.md §3, one row each.
//!
//! This file holds the codes and both catalogs' messages; when each blocker holds is decided
//! in [`rule`](crate::rule), which is the only place that looks at the store.

use serde::{Deserialize, Serialize};

use crate::profile::Catalog;

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

    /// The error code \[D\].
    pub const fn code(self) -> &'static str {
        match self {
            Blocker::Importing => "ImageIsImporting",
            Blocker::Exporting => "ImageIsExporting",
            Blocker::Copying => "OperationDenied.ImageCopying",
            Blocker::Public => "ImageIsPublic",
            Blocker::Shared => "ImageUseShared",
            Blocker::InUse => "ImageUsingByInstance",
        }
    }

    /// The error message in a catalog \[D\], byte for byte (the 2024-10 copying message keeps its
    /// typo, "coping").
    pub const fn message(self, catalog: Catalog) -> &'static str {
        use Catalog::{Doc2024_10, Doc2025};
        match (self, catalog) {
            (Blocker::Importing, _) => "The specified Image is importing.",
            (Blocker::Exporting, Doc2024_10) => {
                "The specified Image is exporting. Please cancel task first."
            }
            (Blocker::Exporting, Doc2025) => {
                "The specified image is currently being exported. You can use the DescribeTasks API \
                 to check the status of related tasks and cancel them if needed."
            }
            (Blocker::Copying, Doc2024_10) => "The Image is coping.",
            (Blocker::Copying, Doc2025) => {
                "The image is being copied. Please use the CancelCopyImage API."
            }
            (Blocker::Public, _) => "You can not delete public image, please modify it to private.",
            (Blocker::Shared, Doc2024_10) => "The specified image has been shared to others.",
            (Blocker::Shared, Doc2025) => {
                "The specified image has been shared to others. You can use the \
                 DescribeImageSharePermission API to query the users who have been shared."
            }
            (Blocker::InUse, Doc2024_10) => {
                "The specified image has been used to create instances."
            }
            (Blocker::InUse, Doc2025) => {
                "The specified image has been used to create instances. You can use the \
                 DescribeInstances API to query these instances, or you can use the force \
                 parameter to proceed."
            }
        }
    }
}
