//! What an image says about itself beyond what the rules read: its name, description, family,
//! version, operating system, architecture, boot mode, licence, size and disk mappings, as
//! CreateImage, ImportImage, CopyImage and ModifyImageAttribute set them and DescribeImages
//! shows them.
//!
//! Each value a caller writes is a validated type: [`ImageName`] (also an image family's name),
//! [`Description`], [`ImageVersion`], [`Platform`] are checked text; [`OsType`],
//! [`Architecture`], [`BootMode`], [`LicenseType`], [`DetectionStrategy`] and [`DiskFormat`]
//! are the documented values. Parsing one answers the action's documented error
//! ([`Malformed`]), so a typed request holds only valid attributes. The rules, with their
//! sources, are in docs/research/image-attributes.md.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Malformed};
use crate::time::Timestamp;

/// Text that must not start with a web address \[D: names, families and descriptions\].
pub(crate) fn starts_with_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// A "Chinese character", as the name rules allow one: a CJK unified ideograph (the basic
/// block, extension A and the compatibility block) \[I: which blocks\].
pub(crate) fn is_cjk(ch: char) -> bool {
    matches!(ch, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The name rule shared by `ImageName` and `ImageFamily` \[D, ModifyImageAttribute 2025\]: 2 to
/// 128 characters; starts with a letter or a Chinese character; then letters, Chinese
/// characters, digits, `.`, `_`, `-` and `:`; not starting with `acs:` or `aliyun`. (With `/`
/// not allowed, `http://` and `https://` cannot appear either.)
fn is_valid_name(s: &str) -> bool {
    let count = s.chars().count();
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || is_cjk(c));
    (2..=128).contains(&count)
        && first_ok
        && chars
            .all(|c| c.is_ascii_alphanumeric() || is_cjk(c) || matches!(c, '.' | '_' | '-' | ':'))
        && !s.starts_with("acs:")
        && !s.starts_with("aliyun")
        && !starts_with_url(s)
}

/// Defines a validated text attribute: a `String` newtype whose `FromStr` applies `$valid`
/// and answers `$malformed` otherwise; serde reads it through the same check.
macro_rules! text_attribute {
    ($(#[$doc:meta])* $name:ident, $valid:expr, $malformed:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let valid: fn(&str) -> bool = $valid;
                if valid(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(Error::Malformed($malformed))
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use text_attribute;

text_attribute!(
    /// `ImageName` (CreateImage, ImportImage, ModifyImageAttribute, CopyImage's
    /// `DestinationImageName`): 2 to 128 characters; starts with a letter or a Chinese
    /// character; then letters, Chinese characters, digits, `.`, `_`, `-` and `:`; not starting
    /// with `acs:` or `aliyun` (nor a web address); otherwise 400 `InvalidImageName.Malformed`
    /// \[D\].
    ImageName,
    is_valid_name,
    Malformed::ImageName
);

text_attribute!(
    /// `SnapshotName` (CreateSnapshot): the image name's rule, and not starting with `auto`,
    /// which names automatic snapshots; otherwise 400 `InvalidSnapshotName.Malformed` \[D\].
    SnapshotName,
    |s| is_valid_name(s) && !s.starts_with("auto"),
    Malformed::SnapshotName
);

text_attribute!(
    /// `ImageFamily` (CreateImage, ModifyImageAttribute): the image name's rule; otherwise 400
    /// `InvalidImageFamily.Malformed` \[D\].
    ImageFamily,
    is_valid_name,
    Malformed::ImageFamily
);

text_attribute!(
    /// `Description` (and CopyImage's `DestinationDescription`): 2 to 256 characters, not
    /// starting with `http://` or `https://`; otherwise 400 `InvalidDescription.Malformed`
    /// \[D\].
    Description,
    |s| (2..=256).contains(&s.chars().count()) && !starts_with_url(s),
    Malformed::Description
);

text_attribute!(
    /// `ImageVersion` (CreateImage): 1 to 40 characters \[D\]; otherwise 400
    /// `InvalidImageVersion.Malformed` \[D\].
    ImageVersion,
    |s| (1..=40).contains(&s.chars().count()),
    Malformed::ImageVersion
);

text_attribute!(
    /// `Platform` (CreateImage, ImportImage), the distribution, e.g. `CentOS`, `Ubuntu`,
    /// `Windows Server 2022`: 1 to 128 characters \[I: the documented list of distributions
    /// changes with every release and is not checked\]; otherwise 400
    /// `InvalidPlatform.Malformed` \[D\].
    Platform,
    |s| (1..=128).contains(&s.chars().count()),
    Malformed::Platform
);

/// An identifier the service checks against another product (KMS keys, resource groups),
/// which the model does not hold: 1 to 128 printable ASCII characters, no space \[I\].
fn is_foreign_id(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

text_attribute!(
    /// `KMSKeyId` (CopyImage): the KMS key that encrypts the copy. Key Management Service is not
    /// modelled, so any key id is taken as one the caller may use \[I\]; 1 to 128 printable
    /// ASCII characters, otherwise 400 `InvalidParameter` for it \[I\].
    KmsKeyId,
    is_foreign_id,
    Malformed::KmsKeyId
);

text_attribute!(
    /// `ResourceGroupId` (CreateImage, CopyImage): the resource group the new image joins;
    /// without one it is in the account's default group \[D\]. Resource groups are not
    /// modelled, so any id is taken as one the caller may use \[I\]; 1 to 128 printable ASCII
    /// characters, otherwise 400 `InvalidParameter` for it \[I\].
    ResourceGroupId,
    is_foreign_id,
    Malformed::ResourceGroupId
);

/// Defines an attribute with a fixed set of documented values, spelled as the API spells them.
macro_rules! value_attribute {
    ($(#[$doc:meta])* $name:ident, $malformed:expr, [$($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// The value as the API spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(Error::Malformed($malformed)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use value_attribute;

value_attribute!(
    /// `OSType` (ImportImage; a DescribeImages filter) \[D\]; anything else is 400
    /// `InvalidOSType.Malformed` \[D, ImportImage\].
    OsType,
    Malformed::OsType,
    [
        /// `linux`.
        Linux = "linux",
        /// `windows`.
        Windows = "windows",
    ]
);

value_attribute!(
    /// `Architecture` (CreateImage, ImportImage; a DescribeImages filter) \[D\]; anything else is
    /// 400 `InvalidArchitecture.Malformed` \[D, ImportImage\].
    Architecture,
    Malformed::Architecture,
    [
        /// `i386`.
        I386 = "i386",
        /// `x86_64`, the default \[D\].
        X86_64 = "x86_64",
        /// `arm64`.
        Arm64 = "arm64",
    ]
);

value_attribute!(
    /// `BootMode` (CreateImage, ImportImage, ModifyImageAttribute) \[D\]; anything else is 400
    /// `InvalidBootMode.NotSupport` \[D, ModifyImageAttribute\].
    BootMode,
    Malformed::BootMode,
    [
        /// `BIOS`.
        Bios = "BIOS",
        /// `UEFI`.
        Uefi = "UEFI",
        /// `UEFI-Preferred`: both.
        UefiPreferred = "UEFI-Preferred",
    ]
);

value_attribute!(
    /// `LicenseType` (ImportImage, ModifyImageAttribute) \[D\]; anything else is 400
    /// `InvalidLicenseType.NotSupported` \[D\].
    LicenseType,
    Malformed::LicenseType,
    [
        /// `Auto`: the service picks, the default \[D\].
        Auto = "Auto",
        /// `Aliyun`: Alibaba Cloud's licence.
        Aliyun = "Aliyun",
        /// `BYOL`: the source system's own licence.
        Byol = "BYOL",
    ]
);

value_attribute!(
    /// `DetectionStrategy` (CreateImage, ImportImage) \[D\]; anything else is 400
    /// `InvalidParameter` for it \[I\].
    DetectionStrategy,
    Malformed::DetectionStrategy,
    [
        /// `Standard`: standard image check.
        Standard = "Standard",
    ]
);

value_attribute!(
    /// An imported disk's `Format` (ImportImage `DiskDeviceMapping.N.Format`) \[D\]; anything
    /// else is 400 `InvalidImageFormat.Malformed` \[D\].
    DiskFormat,
    Malformed::ImageFormat,
    [
        /// `RAW`.
        Raw = "RAW",
        /// `VHD`.
        Vhd = "VHD",
        /// `qcow2`.
        Qcow2 = "qcow2",
    ]
);

/// A disk of an image, as DescribeImages lists it in `DiskDeviceMappings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiskMapping {
    /// `Device`, e.g. `/dev/xvda`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// `Size` in GiB (`DiskDeviceMapping.N.Size` of CreateImage, `DiskImageSize` of
    /// ImportImage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<u32>,
    /// `Type`: `system` for the first disk, `data` for the others \[D\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<DiskType>,
    /// `Format` of an imported disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<DiskFormat>,
    /// `ImportOSSBucket`: the bucket an imported disk came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oss_bucket: Option<String>,
    /// `ImportOSSObject`: the object an imported disk came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oss_object: Option<String>,
}

value_attribute!(
    /// A disk mapping's `Type` (CreateImage `DiskDeviceMapping.N.DiskType`) \[D\]; anything
    /// else is `InvalidParameter` for it \[I\].
    DiskType,
    Malformed::DiskType,
    [
        /// `system`.
        System = "system",
        /// `data`.
        Data = "data",
    ]
);

/// An image's own attributes. Every field is optional: an image from a world file or a
/// fixture may have none, and DescribeImages then leaves those fields out \[I\].
///
/// An [`Image`](crate::Image) holds them boxed, `None` when there are none, so that a store of
/// a million fixture images pays 8 bytes each for them (docs/performance.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageAttributes {
    /// `ImageName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ImageName>,
    /// `Description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    /// `ImageFamily`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<ImageFamily>,
    /// `ImageVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<ImageVersion>,
    /// `OSType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<OsType>,
    /// `Platform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// `OSName` and `OSNameEn`, e.g. `CentOS 7.9 64 bit`; a created or imported image has
    /// none of its own and shows its platform \[I\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_name: Option<String>,
    /// `Architecture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    /// `BootMode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_mode: Option<BootMode>,
    /// `LicenseType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_type: Option<LicenseType>,
    /// `DetectionStrategy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection_strategy: Option<DetectionStrategy>,
    /// `Size` in GiB: the system disk's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<u32>,
    /// `DiskDeviceMappings`, the system disk first. Paired by position with the image's
    /// snapshots when DescribeImages lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<DiskMapping>,
    /// `CreationTime`: the store's clock when the action that made it was committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
    /// Whether its snapshots are encrypted (each disk mapping's `Encrypted`): CopyImage with
    /// `Encrypted=true`, or a copy of an encrypted image \[D\].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypted: bool,
    /// The KMS key that encrypts it, when one was named; an encrypted image without one uses
    /// the service key \[D\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<KmsKeyId>,
    /// `ResourceGroupId`: its resource group; `None` is the account's default group \[D\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<ResourceGroupId>,
}

impl ImageAttributes {
    /// No attribute at all.
    pub const EMPTY: ImageAttributes = ImageAttributes {
        name: None,
        description: None,
        family: None,
        version: None,
        os_type: None,
        platform: None,
        os_name: None,
        architecture: None,
        boot_mode: None,
        license_type: None,
        detection_strategy: None,
        size_gib: None,
        disks: Vec::new(),
        creation_time: None,
        encrypted: false,
        kms_key_id: None,
        resource_group_id: None,
    };

    /// Boxed, or `None` when every field is empty: what an [`Image`](crate::Image) holds.
    pub fn boxed(self) -> Option<Box<ImageAttributes>> {
        (self != ImageAttributes::default()).then(|| Box::new(self))
    }

    /// The operating system's name as DescribeImages shows it: its own, else its platform.
    pub fn os_name(&self) -> Option<&str> {
        self.os_name
            .as_deref()
            .or(self.platform.as_ref().map(Platform::as_str))
    }
}
