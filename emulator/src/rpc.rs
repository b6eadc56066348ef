//! Reading the RPC parameters of the actions other than DeleteImage (whose parameters the
//! library's `wire` module reads) into the library's typed requests.
//!
//! The rules are DeleteImage's (docs/contract.md §1), applied to every action \[I\]: a required parameter
//! that is absent or empty is 400 `Missing<Name>` `<Name> is mandatory for this action.`; a
//! value that does not parse is 400 `InvalidParameter`
//! `The specified parameter "<Name>" is not valid.`; when a name repeats, its first value
//! counts; booleans are `true`/`false` in any ASCII case; unknown parameters are ignored.
//! Lists use the RPC flattening the SDKs send: `AddAccount.1`, `AddAccount.2`, … and
//! `DiskDeviceMapping.1.SnapshotId`, …; comma-separated lists (`ImageId`, `Status`) are split on
//! commas.

use std::borrow::Cow;
use std::str::FromStr;

use ecs_image_rules::ApiError;
use ecs_image_rules::wire;

/// A parameter an action reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
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
    /// `Status`.
    Status,
    /// `SnapshotId` / `DiskDeviceMapping.N.SnapshotId` (CreateImage).
    SnapshotId,
    /// `AddAccount.N`.
    AddAccount,
    /// `RemoveAccount.N`.
    RemoveAccount,
    /// `IsPublic`.
    IsPublic,
    /// `DryRun`.
    DryRun,
    /// `Amount` (RunInstances).
    Amount,
    /// `ImageOwnerAlias`.
    ImageOwnerAlias,
    /// `TaskAction`.
    TaskAction,
    /// `TaskStatus`.
    TaskStatus,
    /// `TaskIds`.
    TaskIds,
    /// `PageNumber`.
    PageNumber,
    /// `PageSize`.
    PageSize,
}

impl Param {
    /// The name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Param::RegionId => "RegionId",
            Param::ImageId => "ImageId",
            Param::TaskId => "TaskId",
            Param::InstanceId => "InstanceId",
            Param::DestinationRegionId => "DestinationRegionId",
            Param::Status => "Status",
            Param::SnapshotId => "SnapshotId",
            Param::AddAccount => "AddAccount",
            Param::RemoveAccount => "RemoveAccount",
            Param::IsPublic => "IsPublic",
            Param::DryRun => "DryRun",
            Param::Amount => "Amount",
            Param::ImageOwnerAlias => "ImageOwnerAlias",
            Param::TaskAction => "TaskAction",
            Param::TaskStatus => "TaskStatus",
            Param::TaskIds => "TaskIds",
            Param::PageNumber => "PageNumber",
            Param::PageSize => "PageSize",
        }
    }

    /// The code of its missing-parameter error; only required parameters have one.
    const fn missing_code(self) -> &'static str {
        match self {
            Param::RegionId => "MissingRegionId",
            Param::ImageId => "MissingImageId",
            Param::TaskId => "MissingTaskId",
            Param::InstanceId => "MissingInstanceId",
            Param::DestinationRegionId => "MissingDestinationRegionId",
            _ => "MissingParameter",
        }
    }
}

/// A parameter error (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// 400 `Missing<Name>`: a required parameter is absent or empty [I, the gateway style of
    /// DeleteImage's `MissingRegionId`].
    #[error("{} is mandatory for this action.", .0.name())]
    Missing(Param),
    /// 400 `InvalidParameter`: a value that does not parse \[I\].
    #[error("The specified parameter \"{}\" is not valid.", .0.name())]
    Invalid(Param),
}

impl ApiError for ParamError {
    fn http_status(&self) -> u16 {
        400
    }

    fn code(&self) -> &'static str {
        match self {
            ParamError::Missing(p) => p.missing_code(),
            ParamError::Invalid(_) => "InvalidParameter",
        }
    }

    fn message(&self) -> Cow<'static, str> {
        Cow::Owned(self.to_string())
    }
}

/// The decoded parameters of one request.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a>(pub &'a [(String, String)]);

impl<'a> Params<'a> {
    /// The first value of a name ([`wire::first_value`]), if it is not empty.
    pub fn raw(&self, name: &str) -> Option<&'a str> {
        wire::first_value(self.0, name).filter(|v| !v.is_empty())
    }

    /// A required value, parsed.
    pub fn required<T: FromStr>(&self, p: Param) -> Result<T, ParamError> {
        let raw = self.raw(p.name()).ok_or(ParamError::Missing(p))?;
        raw.parse().map_err(|_| ParamError::Invalid(p))
    }

    /// An optional value, parsed.
    pub fn optional<T: FromStr>(&self, p: Param) -> Result<Option<T>, ParamError> {
        self.raw(p.name())
            .map(|raw| raw.parse().map_err(|_| ParamError::Invalid(p)))
            .transpose()
    }

    /// An optional boolean, as the library reads one ([`wire::parse_bool`]).
    pub fn boolean(&self, p: Param) -> Result<Option<bool>, ParamError> {
        self.raw(p.name())
            .map(|v| wire::parse_bool(v).ok_or(ParamError::Invalid(p)))
            .transpose()
    }

    /// A flattened list `<prefix>.1`, `<prefix>.2`, … (or `<prefix>.N.<field>`), in index
    /// order, each value parsed. A name whose index is not a positive number is not part of
    /// the list.
    pub fn indexed<T: FromStr>(
        &self,
        prefix: &str,
        field: Option<&str>,
        p: Param,
    ) -> Result<Vec<T>, ParamError> {
        let mut entries: Vec<(u32, &str)> = self
            .0
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(prefix)?.strip_prefix('.')?;
                let index = match field {
                    None => rest,
                    Some(field) => rest.strip_suffix(field)?.strip_suffix('.')?,
                };
                let index: u32 = index.parse().ok().filter(|&n| n > 0)?;
                Some((index, v.as_str()))
            })
            .collect();
        entries.sort_by_key(|&(index, _)| index);
        entries.dedup_by_key(|&mut (index, _)| index);
        entries
            .into_iter()
            .map(|(_, v)| v.parse().map_err(|_| ParamError::Invalid(p)))
            .collect()
    }

    /// A comma-separated list, each item trimmed and parsed; absent is empty.
    pub fn comma_list<T: FromStr>(&self, p: Param) -> Result<Vec<T>, ParamError> {
        match self.raw(p.name()) {
            None => Ok(Vec::new()),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| ParamError::Invalid(p)))
                .collect(),
        }
    }
}

/// Which page of a list to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// `PageNumber`, from 1.
    pub number: u32,
    /// `PageSize`.
    pub size: u32,
}

impl Page {
    /// `PageNumber` (default 1, at least 1) and `PageSize` (default 10, 1 to `max`) [D for
    /// the Describe* actions' defaults and ranges; I: out of range is `InvalidParameter`].
    pub fn of(params: &Params<'_>, max: u32) -> Result<Page, ParamError> {
        let number = params.optional::<u32>(Param::PageNumber)?.unwrap_or(1);
        let size = params.optional::<u32>(Param::PageSize)?.unwrap_or(10);
        if number == 0 {
            return Err(ParamError::Invalid(Param::PageNumber));
        }
        if size == 0 || size > max {
            return Err(ParamError::Invalid(Param::PageSize));
        }
        Ok(Page { number, size })
    }

    /// The page's items out of all of them.
    pub fn slice<T>(&self, items: Vec<T>) -> Vec<T> {
        let skip = (self.number as usize - 1).saturating_mul(self.size as usize);
        items
            .into_iter()
            .skip(skip)
            .take(self.size as usize)
            .collect()
    }
}
