//! Why a lifecycle transition was refused: one variant per answer, with the real API's HTTP
//! status, code and message.
//!
//! This file is the one table of the transitions' codes and messages. Each variant says where
//! its text comes from: \[D\] documented by Alibaba Cloud for that action (the actions' own
//! error tables; sources in docs/lifecycle.md), or \[I\] our own choice where no text is
//! documented. Typos are part of the wire text and kept (`Forbbiden`, `coping`,
//! `is not invalid`).

use std::borrow::Cow;

use crate::blocker::Blocker;
use crate::error::{ApiError, DeleteImageError};
use crate::profile::Catalog;

/// Why a lifecycle transition changed nothing.
///
/// `Display` writes the message exactly as [`ApiError::message`] does. A refused transition
/// leaves the store exactly as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// 404 `InvalidRegionId.NotFound`: the store knows no such `RegionId` [D, ECS common
    /// table and CancelCopyImage; the ImportImage, ExportImage and CancelTask tables say 400,
    /// we answer 404 everywhere \[I\]].
    #[error("{}", DeleteImageError::RegionNotFound)]
    RegionNotFound,
    /// 400 `DestinationRegion.NotFound`: CopyImage's `DestinationRegionId` is unknown [D,
    /// CopyImage].
    #[error("The destination region not found")]
    DestinationRegionNotFound,
    /// 404 `InvalidImageId.NotFound`: no image the action may act on has this id in the region
    /// for the caller \[D\].
    #[error("{}", DeleteImageError::ImageNotFound)]
    ImageNotFound,
    /// 404 `InvalidInstanceId.NotFound`: the caller has no such instance in the region [D,
    /// ECS common table].
    #[error("The specified InstanceId does not exist.")]
    InstanceNotFound,
    /// 400 `InvalidTaskId.NotFound`: the caller has no such task in the region [D, CancelTask].
    #[error("The specified \"TaskId\" is not found.")]
    TaskNotFound,
    /// 403 `InvalidTaskId.TaskActionNotSupport`: CancelTask on a copy task; CancelTask cancels
    /// imports and exports only [D code and message; I: applied to copy tasks].
    #[error("The specified task action not support.")]
    TaskActionNotSupported,
    /// 403 `InvalidTaskId.IncorrectTaskStatus`: the task has already finished, failed or been
    /// cancelled [D, CancelTask; "not invalid" sic].
    #[error("The specified task status is not invalid.")]
    TaskNotRunning,
    /// 403 `CancelTaskFailed`: cancelling the import would remove an image that other tasks
    /// still run on (a state only a hand-built store holds) [D code and message; I when].
    #[error("The task is failed to cancel, Please contact the administrator.")]
    CancelTaskFailed,
    /// 400 `IncorrectImageStatus`: the image is not Available (ExportImage), or neither
    /// Available nor Deprecated, or still being imported or copied (RunInstances) [D, ExportImage
    /// and CreateInstance tables].
    #[error("The specified Image is not available.")]
    ImageNotAvailable,
    /// 403 `ImageIsExporting`: ExportImage on an image that is already being exported [D,
    /// ExportImage].
    #[error("The specified Image is exporting.")]
    ImageIsExporting,
    /// 400 `OperationDenied.CommunityImage`: ExportImage on a community image [D: community
    /// images cannot be exported; I: code and message borrowed from CopyImage].
    #[error("Community image does not support export.")]
    CommunityImageExport,
    /// 400 `OperationDenied.CommunityImage`: CopyImage on a community image [D, CopyImage].
    #[error("Community image does not support copy.")]
    CommunityImageCopy,
    /// 400 `IncorrectImageStatus`: CopyImage on an image that is not Available, or is still
    /// being imported or copied [D, CopyImage].
    #[error("The image not available.")]
    CopySourceNotAvailable,
    /// 400 `ImageCreatedNotFromCopy`: CancelCopyImage on an image no copy made [D,
    /// CancelCopyImage].
    #[error("The specified image is not the target image of a copy action.")]
    NotCreatedFromCopy,
    /// 400 `IncorrectImageStatus`: CancelCopyImage on a copy that has finished [D,
    /// CancelCopyImage; the table also has "The image has completed copy." for the same case].
    #[error("The image is copied finished.")]
    CopyFinished,
    /// 400 `IncorrectImageStatus`: CancelCopyImage on a copy that failed [D, CancelCopyImage].
    #[error("The Image copy has been failed.")]
    CopyFailed,
    /// 400 `IncorrectImageStatus`: CancelCopyImage on a copy whose copy was cancelled but
    /// which is still in the store (hand-built stores only) [D, CancelCopyImage; I when].
    #[error("The specified image is not coping.")]
    NotCopying,
    /// 400 `CancelNotSupported`: cancelling the copy would remove an image that other tasks
    /// still run on (a state only a hand-built store holds) [D code and message; I when].
    #[error("The specified image coping can not be cancelled.")]
    CopyNotCancellable,
    /// 403 `QuotaExceed.ShareImageUser`: the image would be shared with more than 50 accounts
    /// [D, ModifyImageSharePermission].
    #[error("The shared Image user Quota exceeds.")]
    ShareQuotaExceeded,
    /// 404 `InvalidAccount.Forbbiden` (sic): AddAccount names the image's owner [D,
    /// ModifyImageSharePermission].
    #[error("The specified Account does not yourself.")]
    ShareWithSelf,
    /// 403 `OperationDenied.InvalidImageStatus`: sharing or publishing a Deprecated image [D,
    /// ModifyImageSharePermission].
    #[error("The specified image cannot be shared when it is deprecated.")]
    ShareDeprecatedImage,
    /// 403 `OperationDenied.InvalidImageStatus`: sharing or publishing an image that is not
    /// Available (Creating, Waiting, CreateFailed, UnAvailable, or still being imported or
    /// copied) [D code; I message and rule].
    #[error("The specified image cannot be shared when it is not available.")]
    ShareUnavailableImage,
    /// 403 `Image.Public`: AddAccount on a community image (community images cannot be
    /// shared), or deprecating one [D code and message; I when].
    #[error("The specified image is public image.")]
    ImagePublic,
    /// 403 `Image.NotPublic`: `IsPublic=false` on an image that is not a community image [D
    /// code and message; I when].
    #[error("The specified image is not public image.")]
    ImageNotPublic,
    /// 403 `InvalidParameter.IsPublic`: `IsPublic` together with AddAccount or RemoveAccount
    /// [D code and message; I when].
    #[error("The specified parameter IsPublic is conflicted with other parameters.")]
    IsPublicConflict,
    /// 403 `ImageUseShared`: deprecating an image that is shared with other accounts; it must be
    /// unshared first [D rule (ModifyImageAttribute); I: DeleteImage's code and message reused].
    #[error("{}", Blocker::Shared.message(Catalog::Doc2024_10))]
    ImageShared,
    /// 400 `IncorrectImageStatus`: ModifyImageAttribute `Status` on an image that is neither
    /// Available nor Deprecated \[I\].
    #[error("The current status of the image does not support this operation.")]
    StatusChangeNotAllowed,
    /// 400 `IncorrectImageStatus`: finishing or failing a CreateImage on an image that is not
    /// being created by CreateImage (a service-side event, not an API call) \[I\].
    #[error("The specified image is not being created.")]
    NotBeingCreated,
    /// 400 `InvalidParameter`: CreateImage lists a snapshot twice \[I\].
    #[error("The specified parameter \"SnapshotId\" is not valid.")]
    DuplicateSnapshot,
    /// DeleteImage's own answer (docs/decision.md).
    #[error(transparent)]
    DeleteImage(#[from] DeleteImageError),
}

impl ApiError for LifecycleError {
    fn http_status(&self) -> u16 {
        use LifecycleError::*;
        match self {
            DestinationRegionNotFound
            | TaskNotFound
            | ImageNotAvailable
            | CommunityImageExport
            | CommunityImageCopy
            | CopySourceNotAvailable
            | NotCreatedFromCopy
            | CopyFinished
            | CopyFailed
            | NotCopying
            | CopyNotCancellable
            | StatusChangeNotAllowed
            | NotBeingCreated
            | DuplicateSnapshot => 400,
            TaskActionNotSupported
            | TaskNotRunning
            | CancelTaskFailed
            | ImageIsExporting
            | ShareQuotaExceeded
            | ShareDeprecatedImage
            | ShareUnavailableImage
            | ImagePublic
            | ImageNotPublic
            | IsPublicConflict
            | ImageShared => 403,
            RegionNotFound | ImageNotFound | InstanceNotFound | ShareWithSelf => 404,
            DeleteImage(e) => e.http_status(),
        }
    }

    fn code(&self) -> &'static str {
        use LifecycleError::*;
        match self {
            RegionNotFound => "InvalidRegionId.NotFound",
            DestinationRegionNotFound => "DestinationRegion.NotFound",
            ImageNotFound => "InvalidImageId.NotFound",
            InstanceNotFound => "InvalidInstanceId.NotFound",
            TaskNotFound => "InvalidTaskId.NotFound",
            TaskActionNotSupported => "InvalidTaskId.TaskActionNotSupport",
            TaskNotRunning => "InvalidTaskId.IncorrectTaskStatus",
            CancelTaskFailed => "CancelTaskFailed",
            ImageNotAvailable
            | CopySourceNotAvailable
            | CopyFinished
            | CopyFailed
            | NotCopying
            | StatusChangeNotAllowed
            | NotBeingCreated => "IncorrectImageStatus",
            ImageIsExporting => "ImageIsExporting",
            CommunityImageExport | CommunityImageCopy => "OperationDenied.CommunityImage",
            NotCreatedFromCopy => "ImageCreatedNotFromCopy",
            CopyNotCancellable => "CancelNotSupported",
            ShareQuotaExceeded => "QuotaExceed.ShareImageUser",
            ShareWithSelf => "InvalidAccount.Forbbiden",
            ShareDeprecatedImage | ShareUnavailableImage => "OperationDenied.InvalidImageStatus",
            ImagePublic => "Image.Public",
            ImageNotPublic => "Image.NotPublic",
            IsPublicConflict => "InvalidParameter.IsPublic",
            ImageShared => "ImageUseShared",
            DuplicateSnapshot => "InvalidParameter",
            DeleteImage(e) => e.code(),
        }
    }

    fn message(&self) -> Cow<'static, str> {
        match self {
            LifecycleError::DeleteImage(e) => e.message(),
            other => Cow::Owned(other.to_string()),
        }
    }
}
