//! The errors DeleteImage answers, each with the real API's HTTP status, code and message.

use std::borrow::Cow;

use crate::blocker::Blocker;
use crate::profile::Catalog;

/// An error as the API puts it on the wire: an HTTP status, a code and a message.
///
/// Implemented by every error this crate answers with, so the [`wire`](crate::wire) layer can
/// write any of them as the §5 error body.
pub trait ApiError {
    /// The HTTP status, e.g. 403.
    fn http_status(&self) -> u16;
    /// The error code, e.g. `ImageUseShared`.
    fn code(&self) -> &'static str;
    /// The message, byte for byte as the API sends it.
    fn message(&self) -> Cow<'static, str>;
}

/// A request parameter that can be refused as not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parameter {
    /// `RegionId`: present but not a well-formed id (whitespace, control or non-ASCII
    /// characters, or longer than 128 bytes) \[I\].
    RegionId,
    /// `ImageId`: present but not a well-formed id \[I\].
    ImageId,
    /// `Force`: not `true` or `false` in any ASCII case \[I\].
    Force,
    /// `DryRun`: not `true` or `false` in any ASCII case \[I\].
    DryRun,
}

impl Parameter {
    /// The parameter's name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Parameter::RegionId => "RegionId",
            Parameter::ImageId => "ImageId",
            Parameter::Force => "Force",
            Parameter::DryRun => "DryRun",
        }
    }
}

/// Why DeleteImage did not delete (or, with `DryRun=true`, would have deleted) an image.
///
/// `Display` writes the message exactly as [`ApiError::message`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DeleteImageError {
    /// 400 `MissingRegionId`: `RegionId` is absent or empty [O, gateway style].
    #[error("RegionId is mandatory for this action.")]
    MissingRegionId,
    /// 400 `MissingImageId`: `ImageId` is absent or empty [O, gateway style].
    #[error("ImageId is mandatory for this action.")]
    MissingImageId,
    /// 400 `InvalidParameter`: a parameter's value is not valid \[I\].
    #[error("The specified parameter \"{}\" is not valid.", .0.name())]
    InvalidParameter(Parameter),
    /// 404 `InvalidRegionId.NotFound`: the store knows no such region [D, common table].
    #[error("The specified RegionId does not exist.")]
    RegionNotFound,
    /// 404 `InvalidImageId.NotFound`: the image is visible to the caller but not its own, or it
    /// is absent and the profile says [`MissingImage::NotFound`](crate::MissingImage) \[D\].
    #[error("The specified ImageId does not exist.")]
    ImageNotFound,
    /// 403: a [`Blocker`] holds. The message depends on the catalog \[D\].
    #[error("{}", .blocker.message(*.catalog))]
    Blocked {
        /// The first blocker that holds, in the profile's precedence.
        blocker: Blocker,
        /// The catalog the message comes from.
        catalog: Catalog,
    },
    /// 400 `DryRunOperation`: `DryRun=true` and the request would have succeeded (deleted or
    /// ignored); nothing changed [D for other ECS APIs; I for DeleteImage].
    #[error("Request validation has been passed with DryRun flag set.")]
    DryRunOperation,
}

impl ApiError for DeleteImageError {
    fn http_status(&self) -> u16 {
        match self {
            DeleteImageError::MissingRegionId
            | DeleteImageError::MissingImageId
            | DeleteImageError::InvalidParameter(_)
            | DeleteImageError::DryRunOperation => 400,
            DeleteImageError::Blocked { .. } => 403,
            DeleteImageError::RegionNotFound | DeleteImageError::ImageNotFound => 404,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            DeleteImageError::MissingRegionId => "MissingRegionId",
            DeleteImageError::MissingImageId => "MissingImageId",
            DeleteImageError::InvalidParameter(_) => "InvalidParameter",
            DeleteImageError::RegionNotFound => "InvalidRegionId.NotFound",
            DeleteImageError::ImageNotFound => "InvalidImageId.NotFound",
            DeleteImageError::Blocked { blocker, .. } => blocker.code(),
            DeleteImageError::DryRunOperation => "DryRunOperation",
        }
    }

    fn message(&self) -> Cow<'static, str> {
        match self {
            DeleteImageError::Blocked { blocker, catalog } => {
                Cow::Borrowed(blocker.message(*catalog))
            }
            other => Cow::Owned(other.to_string()),
        }
    }
}
