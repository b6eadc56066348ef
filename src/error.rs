//! The one table of answers: every refusal the library gives, for every action, as one Rust
//! value, and the one mapping of each value to the wire (HTTP status, code, message).
//!
//! Sources are tagged: \[D\] documented by Alibaba Cloud for that action, \[O\] observed from a
//! real client, \[I\] our own decision where nothing is documented. Typos are part of the wire
//! text and are kept (`Forbbiden`, `coping`, `is not invalid`). Where the documented message
//! changed between vintages of the documentation, the value carries the [`Catalog`] it is
//! answered in, and the message follows it.

use std::borrow::Cow;
use std::fmt;

use crate::blocker::Blocker;
use crate::profile::Catalog;
use crate::snapshot_blocker::SnapshotBlocker;

/// An error as the API puts it on the wire: an HTTP status, a code and a message.
///
/// Implemented by [`Error`], and by any error a simulator answers on its own account, so the
/// [`wire`](crate::wire) layer writes every one of them as the same five-field error body.
pub trait ApiError {
    /// The HTTP status, e.g. 403.
    fn http_status(&self) -> u16;
    /// The error code, e.g. `ImageUseShared`.
    fn code(&self) -> &'static str;
    /// The message, byte for byte as the API sends it.
    fn message(&self) -> Cow<'static, str>;
}

/// A request parameter that can be missing or not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parameter {
    /// `RegionId`.
    RegionId,
    /// `ImageId`.
    ImageId,
    /// `TaskId`.
    TaskId,
    /// `InstanceId`.
    InstanceId,
    /// `DestinationRegionId` (CopyImage).
    DestinationRegionId,
    /// `Status` (DescribeImages, ModifyImageAttribute).
    Status,
    /// `SnapshotId` / `DiskDeviceMapping.N.SnapshotId` (CreateImage).
    SnapshotId,
    /// `AddAccount.N` (ModifyImageSharePermission).
    AddAccount,
    /// `RemoveAccount.N` (ModifyImageSharePermission).
    RemoveAccount,
    /// `IsPublic` (ModifyImageSharePermission).
    IsPublic,
    /// `Force` (DeleteImage).
    Force,
    /// `DryRun`.
    DryRun,
    /// `Amount` (RunInstances).
    Amount,
    /// `ImageOwnerAlias` (DescribeImages).
    ImageOwnerAlias,
    /// `TaskAction` (DescribeTasks).
    TaskAction,
    /// `TaskStatus` (DescribeTasks).
    TaskStatus,
    /// `TaskIds` (DescribeTasks).
    TaskIds,
    /// `PageNumber` (the Describe actions).
    PageNumber,
    /// `PageSize` (the Describe actions).
    PageSize,
    /// `ResourceId.N` (TagResources, UntagResources, ListTagResources) or `ResourceId`
    /// (DescribeTags).
    ResourceId,
    /// `TagKey.N` (UntagResources).
    TagKey,
    /// `All` (UntagResources).
    All,
    /// `NextToken` (ListTagResources).
    NextToken,
    /// `AcceptLanguage` (DescribeRegions).
    AcceptLanguage,
    /// `InstanceIds` (DescribeInstances): a JSON array of up to 100 instance ids.
    InstanceIds,
    /// `ForceStop` (StopInstance, RebootInstance).
    ForceStop,
    /// `ImageName` (DescribeImages filter).
    ImageName,
    /// `ImageFamily` (DescribeImages filter).
    ImageFamily,
    /// `DiskDeviceMapping.N.Size` (CreateImage).
    DiskSize,
    /// `DiskDeviceMapping.N.DiskImageSize` (ImportImage).
    DiskImageSize,
    /// `IsSupportIoOptimized` (DescribeImages).
    IsSupportIoOptimized,
    /// `IsSupportCloudinit` (DescribeImages).
    IsSupportCloudinit,
    /// `ShowExpired` (DescribeImages).
    ShowExpired,
    /// `ActionType` (DescribeImages).
    ActionType,
    /// `Usable` (DescribeImages).
    Usable,
    /// `StartTime` (DescribeTasks).
    StartTime,
    /// `EndTime` (DescribeTasks).
    EndTime,
    /// `InternetMaxBandwidthOut` (RunInstances).
    InternetMaxBandwidthOut,
    /// `Encrypted` (CopyImage).
    Encrypted,
    /// `DiskId` (CreateSnapshot, DescribeSnapshots).
    DiskId,
    /// `SnapshotIds` (DescribeSnapshots): a JSON array of up to 100 snapshot ids.
    SnapshotIds,
    /// `SnapshotType` (DescribeSnapshots).
    SnapshotType,
    /// `MaxResults` (DescribeSnapshots).
    MaxResults,
    /// `ImageOwnerId` (DescribeImages).
    ImageOwnerId,
    /// `Filter.N.Key` (DescribeImages).
    FilterKey,
    /// `Filter.N.Value` (DescribeImages).
    FilterValue,
    /// `ResourceIds.N` (DescribeTasks).
    ResourceIds,
    /// `DiskIds` (DescribeDisks): a JSON array of up to 100 disk ids.
    DiskIds,
    /// `DiskType` (DescribeDisks).
    DiskType,
}

impl Parameter {
    /// The parameter's name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Parameter::RegionId => "RegionId",
            Parameter::ImageId => "ImageId",
            Parameter::TaskId => "TaskId",
            Parameter::InstanceId => "InstanceId",
            Parameter::DestinationRegionId => "DestinationRegionId",
            Parameter::Status => "Status",
            Parameter::SnapshotId => "SnapshotId",
            Parameter::AddAccount => "AddAccount",
            Parameter::RemoveAccount => "RemoveAccount",
            Parameter::IsPublic => "IsPublic",
            Parameter::Force => "Force",
            Parameter::DryRun => "DryRun",
            Parameter::Amount => "Amount",
            Parameter::ImageOwnerAlias => "ImageOwnerAlias",
            Parameter::TaskAction => "TaskAction",
            Parameter::TaskStatus => "TaskStatus",
            Parameter::TaskIds => "TaskIds",
            Parameter::PageNumber => "PageNumber",
            Parameter::PageSize => "PageSize",
            Parameter::ResourceId => "ResourceId",
            Parameter::TagKey => "TagKey",
            Parameter::All => "All",
            Parameter::NextToken => "NextToken",
            Parameter::AcceptLanguage => "AcceptLanguage",
            Parameter::InstanceIds => "InstanceIds",
            Parameter::ForceStop => "ForceStop",
            Parameter::ImageName => "ImageName",
            Parameter::ImageFamily => "ImageFamily",
            Parameter::DiskSize => "DiskDeviceMapping.N.Size",
            Parameter::DiskImageSize => "DiskDeviceMapping.N.DiskImageSize",
            Parameter::IsSupportIoOptimized => "IsSupportIoOptimized",
            Parameter::IsSupportCloudinit => "IsSupportCloudinit",
            Parameter::ShowExpired => "ShowExpired",
            Parameter::ActionType => "ActionType",
            Parameter::Usable => "Usable",
            Parameter::StartTime => "StartTime",
            Parameter::EndTime => "EndTime",
            Parameter::InternetMaxBandwidthOut => "InternetMaxBandwidthOut",
            Parameter::Encrypted => "Encrypted",
            Parameter::DiskId => "DiskId",
            Parameter::SnapshotIds => "SnapshotIds",
            Parameter::SnapshotType => "SnapshotType",
            Parameter::MaxResults => "MaxResults",
            Parameter::ImageOwnerId => "ImageOwnerId",
            Parameter::FilterKey => "Filter.N.Key",
            Parameter::FilterValue => "Filter.N.Value",
            Parameter::ResourceIds => "ResourceIds.N",
            Parameter::DiskIds => "DiskIds",
            Parameter::DiskType => "DiskType",
        }
    }

    /// The code of the error for this parameter when it is required and absent: the gateway's
    /// `Missing<Name>` for the ids [O: `MissingRegionId`, `MissingImageId`; I: the others],
    /// `MissingParameter` for the rest \[I\].
    const fn missing_code(self) -> &'static str {
        match self {
            Parameter::RegionId => "MissingRegionId",
            Parameter::ImageId => "MissingImageId",
            Parameter::TaskId => "MissingTaskId",
            Parameter::InstanceId => "MissingInstanceId",
            Parameter::DestinationRegionId => "MissingDestinationRegionId",
            _ => "MissingParameter",
        }
    }
}

/// Why an action was refused, or, with `DryRun=true`, that it would have succeeded.
///
/// One value per wire answer: two values never give the same (status, code, message), and
/// [`ApiError`] is the one mapping to the wire. `Display` writes the message. A refused request
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// 400 `Missing<Name>` (`MissingRegionId`, `MissingImageId`, …) or `MissingParameter`,
    /// "`<Name>` is mandatory for this action.": a required parameter is absent or empty
    /// [O for DeleteImage's `RegionId` and `ImageId`, gateway style; I for the others].
    MissingParameter(Parameter),
    /// 400 `InvalidParameter`, `The specified parameter "<Name>" is not valid.`: a value that
    /// does not parse or is out of its documented range, or (`SnapshotId`) a snapshot listed
    /// twice \[I\].
    InvalidParameter(Parameter),
    /// Something the request names does not exist for the caller.
    NotFound(NotFound),
    /// 403: a [`Blocker`] holds on the caller's own image, with the blocker's code and the
    /// catalog's message \[D\]. DeleteImage answers every blocker; ModifyImageAttribute answers
    /// [`Blocker::Shared`] when deprecating a shared image [D rule; I: DeleteImage's code and
    /// message reused].
    Blocked {
        /// The first blocker that holds, in the profile's precedence.
        blocker: Blocker,
        /// The catalog the message comes from.
        catalog: Catalog,
    },
    /// The resource is in a state the action does not accept.
    Denied(Denial),
    /// A tag, a list of tags or of tagged resources is refused.
    Tag(TagRefusal),
    /// An image attribute's value breaks its documented rule (CreateImage, ImportImage,
    /// CopyImage, ModifyImageAttribute).
    Malformed(Malformed),
    /// A parameter the action's documentation names as mandatory is absent, answered as that
    /// documentation writes it (ImportImage's disk mappings, ExportImage's bucket).
    Missing(Missing),
    /// A DescribeImages filter value the action does not support.
    BadFilter(BadFilter),
    /// 400 `DryRunOperation`, "Request validation has been passed with DryRun flag set.":
    /// `DryRun=true` and every check passed; nothing changed [D for ECS actions generally; I
    /// for DeleteImage].
    DryRunOperation,
    /// 400 `MissingParameter`, "The input parameter `<Name>` that is mandatory for processing
    /// this request is not supplied.": a required parameter is absent or empty, in the words of
    /// the DeleteSnapshot table [D, DeleteSnapshot, every version since 2018].
    NotSupplied(Parameter),
    /// A [`SnapshotBlocker`] holds on the caller's own snapshot \[D\]:
    /// - `Creating`: 400 `IncorrectDiskStatus.CreatingSnapshot`, "A previous snapshot creation
    ///   is in process." [D code and message, current page; I when];
    /// - `CreatedImage`: 403 `SnapshotCreatedImage`, "The snapshot has been used to create user
    ///   defined image(s)." \[D\];
    /// - `CreatedDisk`: 403 `SnapshotCreatedDisk`, "The snapshot has been used to create
    ///   disk(s)." \[D\].
    SnapshotBlocked(SnapshotBlocker),
}

/// What [`Error::NotFound`] did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotFound {
    /// 404 `InvalidRegionId.NotFound`, "The specified RegionId does not exist.": the store
    /// knows no such `RegionId` [D, ECS common table and CancelCopyImage; the ImportImage,
    /// ExportImage and CancelTask tables say 400, we answer 404 everywhere \[I\]].
    Region,
    /// 400 `DestinationRegion.NotFound`, "The destination region not found": CopyImage's
    /// `DestinationRegionId` is unknown [D, CopyImage].
    DestinationRegion,
    /// 404 `InvalidImageId.NotFound`, "The specified ImageId does not exist.": no image the
    /// action may act on has this id in the region for the caller \[D\]; for DeleteImage, an
    /// image visible but not own, or absent under
    /// [`MissingImage::NotFound`](crate::MissingImage::NotFound).
    Image,
    /// 404 `InvalidInstanceId.NotFound`, "The specified InstanceId does not exist.": the caller
    /// has no such instance in the region [D, ECS common table].
    Instance,
    /// 400 `InvalidTaskId.NotFound`, `The specified "TaskId" is not found.`: the caller has no
    /// such task in the region [D, CancelTask].
    Task,
    /// 404 `InvalidResourceId.NotFound`, "The specified ResourceIds are not found in our
    /// records.": a `ResourceId.N` of TagResources or UntagResources is not the caller's own
    /// resource of that type in the region (absent, another account's, a system image) [D:
    /// TagResources, UntagResources; I: another account's answers the same].
    Resource,
    /// 404 `InvalidResourceType.NotFound`, "The ResourceType provided does not exist in our
    /// records.": a `ResourceType` the project does not hold [D code and message; I for the
    /// documented types it does not hold].
    ResourceType,
    /// 404 `InvalidSnapshotId.NotFound`, "The specified snapshot is not found" (no final
    /// period): the caller has no such snapshot [D, DeleteSnapshot 2019-2021]; for
    /// DeleteSnapshot only under [`MissingSnapshot::NotFound`](crate::MissingSnapshot::NotFound).
    Snapshot,
    /// 404 `InvalidSnapshotId.NotFound`, "The specified SnapshotId does not exist.": a
    /// snapshot CreateImage names is not the caller's own in the region [D, CreateImage].
    SourceSnapshot,
    /// 404 `InvalidDiskId.NotFound`, "The specified DiskId does not exist.": the caller has no
    /// such disk [D, CreateSnapshot].
    Disk,
}

/// What [`Error::Tag`] refused: a tag, or a list of tags or of resources to tag [D: the
/// 2021 error tables of TagResources, UntagResources, ListTagResources and DescribeTags,
/// docs/research/tags.md; which case answers which code where two could is \[I\]].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TagRefusal {
    /// 404 `MissingParameter.ResourceType`, "The parameter - ResourceType should not be
    /// null": no `ResourceType` [D, 404 as the table prints it].
    MissingResourceType,
    /// 404 `MissingParameter.Tags`, "The parameter - Tags should not be null": TagResources
    /// without `Tag.N` [D, 404 as printed].
    MissingTags,
    /// 400 `NumberExceed.ResourceIds`, "The ResourceIds parameter's number is exceed , Valid :
    /// 50": more than 50 `ResourceId.N` \[D\].
    TooManyResourceIds,
    /// 400 `NumberExceed.Tags`, "The Tags parameter's number is exceed , Valid : 20": more
    /// than 20 `Tag.N` on TagResources or ListTagResources, or `TagKey.N` on UntagResources
    /// [D; I for `TagKey.N`].
    TooManyTags,
    /// 400 `Duplicate.TagKey`, "The Tag.N.Key contain duplicate key.": two `Tag.N` with one
    /// key \[D\].
    DuplicateKey,
    /// 400 `InvalidTagKey.Malformed`, "The specified Tag.n.Key is not valid.": an empty key,
    /// longer than 128 characters, starting with `aliyun` or `acs:`, or containing `http://`
    /// or `https://` \[D\].
    MalformedKey,
    /// 400 `InvalidTagValue.Malformed`, "The specified Tag.n.Value is not valid.": a value
    /// longer than 128 characters or containing `http://` or `https://` \[D\].
    MalformedValue,
    /// 400 `InvalidTag.Mismatch`, "The specified Tag.n.Key and Tag.n.Value are not match.":
    /// a `Tag.N.Value` without its `Tag.N.Key` [D code and message; I when].
    Mismatch,
    /// 400 `OperationDenied.QuotaExceed`, "The quota of tags on resource is beyond permitted
    /// range.": a resource would carry more than 20 tags [D code and message; I: this code
    /// rather than `QuotaExceed.Tags`, whose message the table leaves as `%s`].
    QuotaExceeded,
    /// 400 `InvalidTagCount`, "The specified tags are beyond the permitted range.": more than
    /// 20 `Tag.N` on DescribeTags or on a creating action (CreateImage, ImportImage,
    /// CopyImage, RunInstances) [D: DescribeTags, AddTags; I for the creating actions].
    TagCount,
}

/// What [`Error::Denied`] refused: a resource in a state the action does not accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Denial {
    /// 403 `InvalidTaskId.TaskActionNotSupport`, "The specified task action not support.":
    /// CancelTask on a copy task; CancelTask cancels imports and exports only [D code and
    /// message; I: applied to copy tasks].
    TaskActionNotSupported,
    /// 403 `InvalidTaskId.IncorrectTaskStatus`, "The specified task status is not invalid.":
    /// the task has already finished, failed or been cancelled [D, CancelTask; "not invalid"
    /// sic].
    TaskNotRunning,
    /// 403 `CancelTaskFailed`, "The task is failed to cancel, Please contact the
    /// administrator.": cancelling the import would remove an image that other tasks still run
    /// on (a state only a hand-built store holds) [D code and message; I when].
    CancelTaskFailed,
    /// 400 `IncorrectImageStatus`, "The specified Image is not available.": the image is not
    /// Available (ExportImage), or neither Available nor Deprecated, or still being imported
    /// or copied (RunInstances) [D, ExportImage and CreateInstance tables].
    ImageNotAvailable,
    /// 403 `ImageIsExporting`, "The specified Image is exporting.": ExportImage on an image
    /// that is already being exported [D, ExportImage].
    ImageIsExporting,
    /// 400 `OperationDenied.CommunityImage`, "Community image does not support export.":
    /// ExportImage on a community image [D: community images cannot be exported; I: code and
    /// message shaped after CopyImage's].
    CommunityImageExport,
    /// 400 `OperationDenied.CommunityImage`, "Community image does not support copy.":
    /// CopyImage on a community image [D, CopyImage].
    CommunityImageCopy,
    /// 400 `IncorrectImageStatus`, "The image not available.": CopyImage on an image that is
    /// not Available, or is still being imported or copied [D, CopyImage].
    CopySourceNotAvailable,
    /// 400 `ImageCreatedNotFromCopy`, "The specified image is not the target image of a copy
    /// action.": CancelCopyImage on an image no copy made [D, CancelCopyImage].
    NotCreatedFromCopy,
    /// 400 `IncorrectImageStatus`, "The image is copied finished.": CancelCopyImage on a copy
    /// that has finished [D, CancelCopyImage; its table also has "The image has completed
    /// copy." for the same case].
    CopyFinished,
    /// 400 `IncorrectImageStatus`, "The Image copy has been failed.": CancelCopyImage on a copy
    /// that failed [D, CancelCopyImage].
    CopyFailed,
    /// 400 `IncorrectImageStatus`, "The specified image is not coping.": CancelCopyImage on a
    /// copy whose copy was cancelled but which is still in the store (hand-built stores only)
    /// [D, CancelCopyImage; I when].
    NotCopying,
    /// 400 `CancelNotSupported`, "The specified image coping can not be cancelled.": cancelling
    /// the copy would remove an image that other tasks still run on (hand-built stores only)
    /// [D code and message; I when].
    CopyNotCancellable,
    /// 403 `QuotaExceed.ShareImageUser`, "The shared Image user Quota exceeds.": the image
    /// would be shared with more than 50 accounts [D, ModifyImageSharePermission].
    ShareQuotaExceeded,
    /// 404 `InvalidAccount.Forbbiden` (sic), "The specified Account does not yourself.":
    /// AddAccount names the image's owner [D, ModifyImageSharePermission].
    ShareWithSelf,
    /// 403 `OperationDenied.InvalidImageStatus`, "The specified image cannot be shared when it
    /// is deprecated.": sharing or publishing a Deprecated image [D,
    /// ModifyImageSharePermission].
    ShareDeprecatedImage,
    /// 403 `OperationDenied.InvalidImageStatus`, "The specified image cannot be shared when it
    /// is not available.": sharing or publishing an image that is not Available (Creating,
    /// Waiting, CreateFailed, UnAvailable, or still being imported or copied) [D code; I
    /// message and rule].
    ShareUnavailableImage,
    /// 403 `Image.Public`, "The specified image is public image.": AddAccount on a community
    /// image (community images cannot be shared), or deprecating one [D code and message; I
    /// when].
    ImagePublic,
    /// 403 `Image.NotPublic`, "The specified image is not public image.": `IsPublic=false` on
    /// an image that is not a community image [D code and message; I when].
    ImageNotPublic,
    /// 403 `InvalidParameter.IsPublic`, "The specified parameter IsPublic is conflicted with
    /// other parameters.": `IsPublic` together with AddAccount or RemoveAccount [D code and
    /// message; I when].
    IsPublicConflict,
    /// 400 `IncorrectImageStatus`, "The current status of the image does not support this
    /// operation.": ModifyImageAttribute `Status` on an image that is neither Available nor
    /// Deprecated \[I\].
    StatusChangeNotAllowed,
    /// 400 `IncorrectImageStatus`, "The specified image is not being created.": finishing or
    /// failing a CreateImage on an image that is not being created by CreateImage (a
    /// service-side event, not an API call) \[I\].
    NotBeingCreated,
    /// 403 `IncorrectInstanceStatus`, "The current status of the resource does not support
    /// this operation.": StopInstance or RebootInstance on an instance that is not Running,
    /// StartInstance on one that is not Stopped, DeleteInstance on a Running one without
    /// `Force` or on a Starting or Stopping one [D code and message, DeleteInstance,
    /// StopInstance, StartInstance and RebootInstance tables; I: one refusal for every status
    /// the documented sentences do not allow].
    IncorrectInstanceStatus,
    /// 403 `IncorrectInstanceStatus.Initializing`, "The specified instance status does not
    /// support this operation.": DeleteInstance on a Pending instance, with or without `Force`
    /// [D code and message, DeleteInstance; I when: the code Packer and footmark retry on].
    InstanceInitializing,
    /// 400 `IncorrectInstanceStatus`, "The specified instance is not changing status.": the
    /// service settling an instance that is not Pending, Starting or Stopping (a service-side
    /// event, not an API call) \[I\].
    InstanceNotChanging,
    /// 403 `InvalidStatus.ImageIsCreating`, "The operation cannot be performed because the
    /// image is creating. Please wait until the creation is complete and try again.":
    /// ModifyImageAttribute changes a name, description, family, boot mode or licence type of
    /// an image that is still Creating [D, ModifyImageAttribute 2025; I when].
    ImageIsCreating,
    /// 400 `IncorrectInstanceStatus`, "The current status of the instance does not support
    /// this operation.": CreateImage from an instance that is neither Running nor Stopped [D,
    /// CreateImage].
    InstanceNotImageable,
    /// 403 `InvalidSnapshotId.NotReady`, "The current status of the
    /// DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.":
    /// CreateImage from a snapshot that is not accomplished [D, CreateImage].
    SnapshotNotReady,
    /// 403 `IncorrectDiskStatus.CreatingSnapshot`, "A previous snapshot creation is in
    /// process.": CreateImage from an instance, or CreateSnapshot of a disk, while a snapshot
    /// of that disk is still progressing [D, CreateImage and CreateSnapshot].
    DiskCreatingSnapshot,
    /// 400 `IncorrectInstanceStatus`, "The current status of the resource does not support
    /// this operation.": CreateSnapshot of a disk whose instance is neither Running nor
    /// Stopped [D, CreateSnapshot].
    SnapshotInstanceStatus,
    /// 403 `IncorrectDiskStatus.NeverAttached`, "The specified disk has never been attached to
    /// any instance.": CreateSnapshot of a disk attached to no instance [D, CreateSnapshot].
    DiskNeverAttached,
    /// 403 `QuotaExceed.Snapshot`, "The snapshot quota exceeds.": CreateSnapshot of a disk
    /// that already has [`MAX_SNAPSHOTS_PER_DISK`](crate::MAX_SNAPSHOTS_PER_DISK) snapshots [D,
    /// CreateSnapshot].
    SnapshotQuota,
    /// 400 `IncorrectSnapshotStatus`, "The specified snapshot is not being created.": finishing
    /// or failing a CreateSnapshot on a snapshot that is not progressing, or that an image
    /// creation makes (a service-side event, not an API call) \[I\].
    SnapshotNotBeingCreated,
    /// 400 `IdempotentParameterMismatch`, "The request is retried with updated parameters.": a
    /// `ClientToken` the caller already used for the same action with other parameters [D: the
    /// ECS common error codes (2021); CreateSnapshot's page lists the code as 403 "The
    /// specified clientToken is used.", the common table is kept for every action \[I\]].
    IdempotentParameterMismatch,
}

/// What [`Error::Malformed`] found wrongly formed. Each documented code with its documented
/// message; the rules themselves are on the attribute types (`src/attributes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// 400 `InvalidImageName.Malformed`, "The specified Image name is wrongly formed." [D,
    /// CreateImage, ImportImage, CopyImage and ModifyImageAttribute until 2024; the 2025
    /// ModifyImageAttribute page writes the rule itself as the message, not modelled \[I\]].
    ImageName,
    /// 400 `InvalidDescription.Malformed`, "The specified description is wrongly formed." [D,
    /// CreateImage, CopyImage, ModifyImageAttribute; ImportImage's page says "Image
    /// description", one message is kept \[I\]].
    Description,
    /// 400 `InvalidImageFamily.Malformed`, `The specified parameter "ImageFamily" is
    /// malformed.` [D, ModifyImageAttribute; I: CreateImage answers the same].
    ImageFamily,
    /// 400 `InvalidImageVersion.Malformed`, "The specified ImageVersion is wrongly formed."
    /// [D, CreateImage].
    ImageVersion,
    /// 400 `InvalidOSType.Malformed`, "The specified OSType is wrongly formed." [D,
    /// ImportImage].
    OsType,
    /// 400 `InvalidArchitecture.Malformed`, "The specified Architecture is wrongly formed."
    /// [D, ImportImage; I: CreateImage answers the same].
    Architecture,
    /// 400 `InvalidPlatform.Malformed`, "The specified Platform is wrongly formed." [D,
    /// ImportImage; I: CreateImage answers the same].
    Platform,
    /// 400 `InvalidBootMode.NotSupport`, "The specified parameter BootMode is not supported."
    /// [D, ModifyImageAttribute; I: CreateImage and ImportImage answer the same].
    BootMode,
    /// 400 `InvalidLicenseType.NotSupported`, "The specified parameter LicenseType is not
    /// supported." [D, ModifyImageAttribute; ImportImage's page words it without "parameter"
    /// and the period, one message is kept \[I\]].
    LicenseType,
    /// 400 `InvalidImageFormat.Malformed`, "The specified Image Format is wrongly formed."
    /// [D, ImportImage].
    ImageFormat,
    /// 400 `InvalidParameter`, `The specified parameter "DetectionStrategy" is not valid.`
    /// \[I\]: the docs list one value and no error.
    DetectionStrategy,
    /// 400 `InvalidParameter`, `The specified parameter "DiskDeviceMapping.N.DiskType" is not
    /// valid.` \[I\].
    DiskType,
    /// 400 `InvalidParameter`, `The specified parameter "KMSKeyId" is not valid.`: a key id
    /// that is not 1 to 128 printable ASCII characters, or CopyImage's `KMSKeyId` with
    /// `Encrypted=false` \[I\].
    KmsKeyId,
    /// 400 `InvalidParameter`, `The specified parameter "ResourceGroupId" is not valid.`: not
    /// 1 to 128 printable ASCII characters \[I\].
    ResourceGroupId,
    /// 400 `InvalidSnapshotName.Malformed`, "The specified SnapshotName is wrongly formed."
    /// [D, CreateSnapshot].
    SnapshotName,
    /// 400 `InvalidClientToken.ValueNotSupported`, "The ClientToken provided is invalid.": a
    /// `ClientToken` longer than 64 characters or not ASCII [D, RunInstances; I: CreateImage
    /// and CopyImage answer the same].
    ClientToken,
    /// 400 `InvalidInstanceType.ValueNotSupported`, "The specified InstanceType does not exist or
    /// beyond the permitted range." [D, RunInstances].
    InstanceType,
    /// 400 `InvalidInstanceName.Malformed`, `The specified parameter "InstanceName" is not
    /// valid.` [D, RunInstances].
    InstanceName,
    /// 404 `InvalidZoneId.NotFound`, "The specified zoneId does not exist.": a zone id that is
    /// not one of the request's region [D code; I when].
    ZoneId,
    /// 400 `InvalidSecurityGroupId.NotFound`, "The SecurityGroupId provided does not exist in our
    /// records." [D, RunInstances; I: for an id of the wrong shape].
    SecurityGroupId,
    /// 404 `InvalidVSwitchId.NotFound`, "Specified virtual switch does not exist." [D,
    /// RunInstances; I: for an id of the wrong shape].
    VSwitchId,
    /// 400 `InvalidInternetChargeType.ValueNotSupported`, "The specified InternetChargeType is not
    /// valid." [D, RunInstances].
    InternetChargeType,
    /// 400 `InvalidIoOptimize.ValueNotSupported`, "The specified IoOptimize is not valid." [D,
    /// RunInstances].
    IoOptimized,
    /// 400 `InvalidMinAmount.Malformed`, "The specified parameter MinAmount is not valid.":
    /// `MinAmount` outside 1 to 100 or above `Amount` [D code; I: above `Amount`].
    MinAmount,
}

/// What [`Error::Missing`] did not find in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Missing {
    /// 403 `MissingParameter.DiskDeviceMapping`, "The specified parameter DiskDeviceMapping is
    /// not supplied.": ImportImage without any disk mapping [D, ImportImage].
    DiskDeviceMapping,
    /// 400 `MissingParameter`, `An input parameter "DiskDeviceMapping.1.OSSBucket" that is
    /// mandatory for processing the request is not supplied.`: an ImportImage disk mapping
    /// without its bucket [D, ImportImage; I: a data disk's mapping answers the same].
    MappingOssBucket,
    /// 400 `MissingParameter`, `An input parameter "DiskDeviceMapping.1.OSSObject" that is
    /// mandatory for processing the request is not supplied.`: the same for the object [D,
    /// ImportImage].
    MappingOssObject,
    /// 400 `MissingParameter`, `An input parameter "OSSBucket" that is mandatory for
    /// processing the request is not supplied.`: ExportImage without `OSSBucket` [D,
    /// ExportImage].
    OssBucket,
}

/// What [`Error::BadFilter`] refused: a DescribeImages filter value it does not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BadFilter {
    /// 400 `InvalidImageOwnerAlias.ValueNotSupported`, "The specified ImageOwnerAlias value is
    /// not supported." [D, DescribeImages].
    ImageOwnerAlias,
    /// 400 `InvalidImageOwnerAlias.PublicImageUnsupported`, "When querying images, the
    /// parameter ImageOwnerAlias should be others while specified parameter IsPublic is
    /// true." [D, DescribeImages 2025].
    PublicNotOthers,
    /// 404 `InvalidUsage`, "The specified Usage is not valid." [D, DescribeImages 2025].
    Usage,
    /// 404 `InvalidOSType`, "The specified OSType is not valid." [D, DescribeImages 2025].
    OsType,
    /// 404 `InvalidArchitecture`, "The specified Architecture is not valid." [D,
    /// DescribeImages 2025].
    Architecture,
}

impl Error {
    /// The answer on the wire: the one table of (status, code, message).
    fn answer(&self) -> (u16, &'static str, Cow<'static, str>) {
        use Cow::Borrowed as B;
        match *self {
            Error::MissingParameter(p) => (
                400,
                p.missing_code(),
                Cow::Owned(format!("{} is mandatory for this action.", p.name())),
            ),
            Error::InvalidParameter(p) => (
                400,
                "InvalidParameter",
                Cow::Owned(format!(
                    "The specified parameter \"{}\" is not valid.",
                    p.name()
                )),
            ),
            Error::NotFound(what) => {
                let (status, code, message) = what.answer();
                (status, code, B(message))
            }
            Error::Blocked { blocker, catalog } => (
                403,
                blocker_code(blocker),
                B(blocker_message(blocker, catalog)),
            ),
            Error::Denied(denial) => {
                let (status, code, message) = denial.answer();
                (status, code, B(message))
            }
            Error::Malformed(what) => {
                let (status, code, message) = what.answer();
                (status, code, B(message))
            }
            Error::Missing(what) => {
                let (status, code, message) = what.answer();
                (status, code, B(message))
            }
            Error::BadFilter(what) => {
                let (status, code, message) = what.answer();
                (status, code, B(message))
            }
            Error::Tag(refusal) => {
                let (status, code, message) = refusal.answer();
                (status, code, B(message))
            }
            Error::DryRunOperation => (
                400,
                "DryRunOperation",
                B("Request validation has been passed with DryRun flag set."),
            ),
            Error::NotSupplied(p) => (
                400,
                "MissingParameter",
                Cow::Owned(format!(
                    "The input parameter {} that is mandatory for processing this request is \
                     not supplied.",
                    p.name()
                )),
            ),
            Error::SnapshotBlocked(blocker) => {
                let (status, code, message) = snapshot_blocker_answer(blocker);
                (status, code, B(message))
            }
        }
    }
}

impl NotFound {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        match self {
            NotFound::Region => (
                404,
                "InvalidRegionId.NotFound",
                "The specified RegionId does not exist.",
            ),
            NotFound::DestinationRegion => (
                400,
                "DestinationRegion.NotFound",
                "The destination region not found",
            ),
            NotFound::Image => (
                404,
                "InvalidImageId.NotFound",
                "The specified ImageId does not exist.",
            ),
            NotFound::Instance => (
                404,
                "InvalidInstanceId.NotFound",
                "The specified InstanceId does not exist.",
            ),
            NotFound::Task => (
                400,
                "InvalidTaskId.NotFound",
                "The specified \"TaskId\" is not found.",
            ),
            NotFound::Resource => (
                404,
                "InvalidResourceId.NotFound",
                "The specified ResourceIds are not found in our records.",
            ),
            NotFound::ResourceType => (
                404,
                "InvalidResourceType.NotFound",
                "The ResourceType provided does not exist in our records.",
            ),
            NotFound::Snapshot => (
                404,
                "InvalidSnapshotId.NotFound",
                "The specified snapshot is not found",
            ),
            NotFound::SourceSnapshot => (
                404,
                "InvalidSnapshotId.NotFound",
                "The specified SnapshotId does not exist.",
            ),
            NotFound::Disk => (
                404,
                "InvalidDiskId.NotFound",
                "The specified DiskId does not exist.",
            ),
        }
    }
}

impl TagRefusal {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        use TagRefusal::*;
        match self {
            MissingResourceType => (
                404,
                "MissingParameter.ResourceType",
                "The parameter - ResourceType should not be null",
            ),
            MissingTags => (
                404,
                "MissingParameter.Tags",
                "The parameter - Tags should not be null",
            ),
            TooManyResourceIds => (
                400,
                "NumberExceed.ResourceIds",
                "The ResourceIds parameter's number is exceed , Valid : 50",
            ),
            TooManyTags => (
                400,
                "NumberExceed.Tags",
                "The Tags parameter's number is exceed , Valid : 20",
            ),
            DuplicateKey => (
                400,
                "Duplicate.TagKey",
                "The Tag.N.Key contain duplicate key.",
            ),
            MalformedKey => (
                400,
                "InvalidTagKey.Malformed",
                "The specified Tag.n.Key is not valid.",
            ),
            MalformedValue => (
                400,
                "InvalidTagValue.Malformed",
                "The specified Tag.n.Value is not valid.",
            ),
            Mismatch => (
                400,
                "InvalidTag.Mismatch",
                "The specified Tag.n.Key and Tag.n.Value are not match.",
            ),
            QuotaExceeded => (
                400,
                "OperationDenied.QuotaExceed",
                "The quota of tags on resource is beyond permitted range.",
            ),
            TagCount => (
                400,
                "InvalidTagCount",
                "The specified tags are beyond the permitted range.",
            ),
        }
    }
}

impl Denial {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        use Denial::*;
        const STATUS: &str = "IncorrectImageStatus";
        match self {
            TaskActionNotSupported => (
                403,
                "InvalidTaskId.TaskActionNotSupport",
                "The specified task action not support.",
            ),
            TaskNotRunning => (
                403,
                "InvalidTaskId.IncorrectTaskStatus",
                "The specified task status is not invalid.",
            ),
            CancelTaskFailed => (
                403,
                "CancelTaskFailed",
                "The task is failed to cancel, Please contact the administrator.",
            ),
            ImageNotAvailable => (400, STATUS, "The specified Image is not available."),
            ImageIsExporting => (403, "ImageIsExporting", "The specified Image is exporting."),
            CommunityImageExport => (
                400,
                "OperationDenied.CommunityImage",
                "Community image does not support export.",
            ),
            CommunityImageCopy => (
                400,
                "OperationDenied.CommunityImage",
                "Community image does not support copy.",
            ),
            CopySourceNotAvailable => (400, STATUS, "The image not available."),
            NotCreatedFromCopy => (
                400,
                "ImageCreatedNotFromCopy",
                "The specified image is not the target image of a copy action.",
            ),
            CopyFinished => (400, STATUS, "The image is copied finished."),
            CopyFailed => (400, STATUS, "The Image copy has been failed."),
            NotCopying => (400, STATUS, "The specified image is not coping."),
            CopyNotCancellable => (
                400,
                "CancelNotSupported",
                "The specified image coping can not be cancelled.",
            ),
            ShareQuotaExceeded => (
                403,
                "QuotaExceed.ShareImageUser",
                "The shared Image user Quota exceeds.",
            ),
            ShareWithSelf => (
                404,
                "InvalidAccount.Forbbiden",
                "The specified Account does not yourself.",
            ),
            ShareDeprecatedImage => (
                403,
                "OperationDenied.InvalidImageStatus",
                "The specified image cannot be shared when it is deprecated.",
            ),
            ShareUnavailableImage => (
                403,
                "OperationDenied.InvalidImageStatus",
                "The specified image cannot be shared when it is not available.",
            ),
            ImagePublic => (403, "Image.Public", "The specified image is public image."),
            ImageNotPublic => (
                403,
                "Image.NotPublic",
                "The specified image is not public image.",
            ),
            IsPublicConflict => (
                403,
                "InvalidParameter.IsPublic",
                "The specified parameter IsPublic is conflicted with other parameters.",
            ),
            StatusChangeNotAllowed => (
                400,
                STATUS,
                "The current status of the image does not support this operation.",
            ),
            NotBeingCreated => (400, STATUS, "The specified image is not being created."),
            IncorrectInstanceStatus => (
                403,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ),
            InstanceInitializing => (
                403,
                "IncorrectInstanceStatus.Initializing",
                "The specified instance status does not support this operation.",
            ),
            InstanceNotChanging => (
                400,
                "IncorrectInstanceStatus",
                "The specified instance is not changing status.",
            ),
            ImageIsCreating => (
                403,
                "InvalidStatus.ImageIsCreating",
                "The operation cannot be performed because the image is creating. Please wait \
                 until the creation is complete and try again.",
            ),
            InstanceNotImageable => (
                400,
                "IncorrectInstanceStatus",
                "The current status of the instance does not support this operation.",
            ),
            SnapshotNotReady => (
                403,
                "InvalidSnapshotId.NotReady",
                "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does \
                 not support this operation.",
            ),
            DiskCreatingSnapshot => (
                403,
                "IncorrectDiskStatus.CreatingSnapshot",
                "A previous snapshot creation is in process.",
            ),
            SnapshotInstanceStatus => (
                400,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ),
            DiskNeverAttached => (
                403,
                "IncorrectDiskStatus.NeverAttached",
                "The specified disk has never been attached to any instance.",
            ),
            SnapshotQuota => (403, "QuotaExceed.Snapshot", "The snapshot quota exceeds."),
            SnapshotNotBeingCreated => (
                400,
                "IncorrectSnapshotStatus",
                "The specified snapshot is not being created.",
            ),
            IdempotentParameterMismatch => (
                400,
                "IdempotentParameterMismatch",
                "The request is retried with updated parameters.",
            ),
        }
    }
}

impl Malformed {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        use Malformed::*;
        match self {
            ImageName => (
                400,
                "InvalidImageName.Malformed",
                "The specified Image name is wrongly formed.",
            ),
            Description => (
                400,
                "InvalidDescription.Malformed",
                "The specified description is wrongly formed.",
            ),
            ImageFamily => (
                400,
                "InvalidImageFamily.Malformed",
                "The specified parameter \"ImageFamily\" is malformed.",
            ),
            ImageVersion => (
                400,
                "InvalidImageVersion.Malformed",
                "The specified ImageVersion is wrongly formed.",
            ),
            OsType => (
                400,
                "InvalidOSType.Malformed",
                "The specified OSType is wrongly formed.",
            ),
            Architecture => (
                400,
                "InvalidArchitecture.Malformed",
                "The specified Architecture is wrongly formed.",
            ),
            Platform => (
                400,
                "InvalidPlatform.Malformed",
                "The specified Platform is wrongly formed.",
            ),
            BootMode => (
                400,
                "InvalidBootMode.NotSupport",
                "The specified parameter BootMode is not supported.",
            ),
            LicenseType => (
                400,
                "InvalidLicenseType.NotSupported",
                "The specified parameter LicenseType is not supported.",
            ),
            ImageFormat => (
                400,
                "InvalidImageFormat.Malformed",
                "The specified Image Format is wrongly formed.",
            ),
            DetectionStrategy => (
                400,
                "InvalidParameter",
                "The specified parameter \"DetectionStrategy\" is not valid.",
            ),
            DiskType => (
                400,
                "InvalidParameter",
                "The specified parameter \"DiskDeviceMapping.N.DiskType\" is not valid.",
            ),
            KmsKeyId => (
                400,
                "InvalidParameter",
                "The specified parameter \"KMSKeyId\" is not valid.",
            ),
            ResourceGroupId => (
                400,
                "InvalidParameter",
                "The specified parameter \"ResourceGroupId\" is not valid.",
            ),
            SnapshotName => (
                400,
                "InvalidSnapshotName.Malformed",
                "The specified SnapshotName is wrongly formed.",
            ),
            ClientToken => (
                400,
                "InvalidClientToken.ValueNotSupported",
                "The ClientToken provided is invalid.",
            ),
            InstanceType => (
                400,
                "InvalidInstanceType.ValueNotSupported",
                "The specified InstanceType does not exist or beyond the permitted range.",
            ),
            InstanceName => (
                400,
                "InvalidInstanceName.Malformed",
                "The specified parameter \"InstanceName\" is not valid.",
            ),
            ZoneId => (
                404,
                "InvalidZoneId.NotFound",
                "The specified zoneId does not exist.",
            ),
            SecurityGroupId => (
                400,
                "InvalidSecurityGroupId.NotFound",
                "The SecurityGroupId provided does not exist in our records.",
            ),
            VSwitchId => (
                404,
                "InvalidVSwitchId.NotFound",
                "Specified virtual switch does not exist.",
            ),
            InternetChargeType => (
                400,
                "InvalidInternetChargeType.ValueNotSupported",
                "The specified InternetChargeType is not valid.",
            ),
            IoOptimized => (
                400,
                "InvalidIoOptimize.ValueNotSupported",
                "The specified IoOptimize is not valid.",
            ),
            MinAmount => (
                400,
                "InvalidMinAmount.Malformed",
                "The specified parameter MinAmount is not valid.",
            ),
        }
    }
}

impl Missing {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        match self {
            Missing::DiskDeviceMapping => (
                403,
                "MissingParameter.DiskDeviceMapping",
                "The specified parameter DiskDeviceMapping is not supplied.",
            ),
            Missing::MappingOssBucket => (
                400,
                "MissingParameter",
                "An input parameter \"DiskDeviceMapping.1.OSSBucket\" that is mandatory for \
                 processing the request is not supplied.",
            ),
            Missing::MappingOssObject => (
                400,
                "MissingParameter",
                "An input parameter \"DiskDeviceMapping.1.OSSObject\" that is mandatory for \
                 processing the request is not supplied.",
            ),
            Missing::OssBucket => (
                400,
                "MissingParameter",
                "An input parameter \"OSSBucket\" that is mandatory for processing the \
                 request is not supplied.",
            ),
        }
    }
}

impl BadFilter {
    const fn answer(self) -> (u16, &'static str, &'static str) {
        match self {
            BadFilter::ImageOwnerAlias => (
                400,
                "InvalidImageOwnerAlias.ValueNotSupported",
                "The specified ImageOwnerAlias value is not supported.",
            ),
            BadFilter::PublicNotOthers => (
                400,
                "InvalidImageOwnerAlias.PublicImageUnsupported",
                "When querying images, the parameter ImageOwnerAlias should be others while \
                 specified parameter IsPublic is true.",
            ),
            BadFilter::Usage => (404, "InvalidUsage", "The specified Usage is not valid."),
            BadFilter::OsType => (404, "InvalidOSType", "The specified OSType is not valid."),
            BadFilter::Architecture => (
                404,
                "InvalidArchitecture",
                "The specified Architecture is not valid.",
            ),
        }
    }
}

/// A blocker's error code \[D\].
const fn blocker_code(blocker: Blocker) -> &'static str {
    match blocker {
        Blocker::Importing => "ImageIsImporting",
        Blocker::Exporting => "ImageIsExporting",
        Blocker::Copying => "OperationDenied.ImageCopying",
        Blocker::Public => "ImageIsPublic",
        Blocker::Shared => "ImageUseShared",
        Blocker::InUse => "ImageUsingByInstance",
    }
}

/// A blocker's message in a catalog \[D\], byte for byte (the 2024-10 copying message keeps its
/// typo, "coping").
const fn blocker_message(blocker: Blocker, catalog: Catalog) -> &'static str {
    use Catalog::{Doc2024_10, Doc2025};
    match (blocker, catalog) {
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
        (Blocker::InUse, Doc2024_10) => "The specified image has been used to create instances.",
        (Blocker::InUse, Doc2025) => {
            "The specified image has been used to create instances. You can use the \
             DescribeInstances API to query these instances, or you can use the force \
             parameter to proceed."
        }
    }
}

/// A snapshot blocker's answer \[D\], byte for byte as the DeleteSnapshot tables print it.
const fn snapshot_blocker_answer(blocker: SnapshotBlocker) -> (u16, &'static str, &'static str) {
    match blocker {
        SnapshotBlocker::Creating => (
            400,
            "IncorrectDiskStatus.CreatingSnapshot",
            "A previous snapshot creation is in process.",
        ),
        SnapshotBlocker::CreatedImage => (
            403,
            "SnapshotCreatedImage",
            "The snapshot has been used to create user defined image(s).",
        ),
        SnapshotBlocker::CreatedDisk => (
            403,
            "SnapshotCreatedDisk",
            "The snapshot has been used to create disk(s).",
        ),
    }
}

impl ApiError for Error {
    fn http_status(&self) -> u16 {
        self.answer().0
    }

    fn code(&self) -> &'static str {
        self.answer().1
    }

    fn message(&self) -> Cow<'static, str> {
        self.answer().2
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.answer().2)
    }
}

impl std::error::Error for Error {}

impl From<NotFound> for Error {
    fn from(what: NotFound) -> Self {
        Error::NotFound(what)
    }
}

impl From<Malformed> for Error {
    fn from(what: Malformed) -> Self {
        Error::Malformed(what)
    }
}

impl From<Missing> for Error {
    fn from(what: Missing) -> Self {
        Error::Missing(what)
    }
}

impl From<BadFilter> for Error {
    fn from(what: BadFilter) -> Self {
        Error::BadFilter(what)
    }
}

impl From<TagRefusal> for Error {
    fn from(refusal: TagRefusal) -> Self {
        Error::Tag(refusal)
    }
}

impl From<Denial> for Error {
    fn from(denial: Denial) -> Self {
        Error::Denied(denial)
    }
}
