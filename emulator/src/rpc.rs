//! Reading the RPC parameters of the actions other than DeleteImage (whose parameters the
//! library's `wire` module reads) into the library's typed requests.
//!
//! The rules are DeleteImage's (docs/contract.md §1), applied to every action \[I\]: a required parameter
//! that is absent or empty is the library's [`Error::MissingParameter`]; a value that does not
//! parse is its [`Error::InvalidParameter`]; when a name repeats, its first value counts; booleans are `true`/`false` in any ASCII case. A parameter the
//! real action does not declare is ignored, as the service ignores it; one it declares that the
//! action does not model never gets here: the router refuses it first (docs/emulator.md).
//! Lists use the RPC flattening the SDKs send: `AddAccount.1`, `AddAccount.2`, … and
//! `DiskDeviceMapping.1.SnapshotId`, …; comma-separated lists (`ImageId`, `Status`) are split on
//! commas.

use std::str::FromStr;

use ecs_image_rules::wire;
use ecs_image_rules::{Error, Parameter};

use crate::declared;

/// The decoded parameters of one request, as one action reads them.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    params: &'a [(String, String)],
    /// The action reading them, e.g. `CopyImage`.
    action: &'static str,
    /// The declared parameters it models (indexes written `N`).
    modelled: &'static [&'static str],
}

impl<'a> Params<'a> {
    pub(crate) fn new(
        params: &'a [(String, String)],
        action: &'static str,
        modelled: &'static [&'static str],
    ) -> Self {
        Self {
            params,
            action,
            modelled,
        }
    }

    /// An action reads only the declared parameters its table entry lists as modelled: any
    /// other declared one is refused before it runs, so reading it would be reading nothing.
    fn reads(&self, name: &str) {
        debug_assert!(
            self.modelled.contains(&name)
                || !declared::parameters(self.action).is_some_and(|d| declared::declares(d, name)),
            "{} reads the declared parameter {name} but does not list it as modelled",
            self.action
        );
    }

    /// The first value of a name ([`wire::first_value`]), if it is not empty.
    pub fn raw(&self, name: &str) -> Option<&'a str> {
        self.reads(name);
        wire::first_value(self.params, name).filter(|v| !v.is_empty())
    }

    /// A required value, parsed.
    pub fn required<T: FromStr>(&self, p: Parameter) -> Result<T, Error> {
        let raw = self.raw(p.name()).ok_or(Error::MissingParameter(p))?;
        raw.parse().map_err(|_| Error::InvalidParameter(p))
    }

    /// An optional value, parsed.
    pub fn optional<T: FromStr>(&self, p: Parameter) -> Result<Option<T>, Error> {
        self.raw(p.name())
            .map(|raw| raw.parse().map_err(|_| Error::InvalidParameter(p)))
            .transpose()
    }

    /// An optional attribute, parsed by its library type, which answers the action's
    /// documented error for a value that breaks its rule (e.g. `InvalidImageName.Malformed`).
    pub fn attribute<T: FromStr<Err = Error>>(&self, name: &str) -> Result<Option<T>, Error> {
        self.raw(name).map(str::parse).transpose()
    }

    /// An optional boolean, as the library reads one ([`wire::parse_bool`]).
    pub fn boolean(&self, p: Parameter) -> Result<Option<bool>, Error> {
        self.raw(p.name())
            .map(|v| wire::parse_bool(v).ok_or(Error::InvalidParameter(p)))
            .transpose()
    }

    /// The raw values of `<prefix>.N.<field>`, by index, in index order (the first value of a
    /// repeated index counts); an index that is not a positive number is not part of the list.
    pub fn indexed_raw(&self, prefix: &str, field: &str) -> Vec<(u32, &'a str)> {
        self.reads(&format!("{prefix}.N.{field}"));
        let mut entries: Vec<(u32, &str)> = self
            .params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(prefix)?.strip_prefix('.')?;
                let index = rest.strip_suffix(field)?.strip_suffix('.')?;
                let index: u32 = index.parse().ok().filter(|&n| n > 0)?;
                Some((index, v.as_str()))
            })
            .collect();
        entries.sort_by_key(|&(index, _)| index);
        entries.dedup_by_key(|&mut (index, _)| index);
        entries
    }

    /// A flattened list `<prefix>.1`, `<prefix>.2`, … (or `<prefix>.N.<field>`), in index
    /// order, each value parsed. A name whose index is not a positive number is not part of
    /// the list.
    pub fn indexed<T: FromStr>(
        &self,
        prefix: &str,
        field: Option<&str>,
        p: Parameter,
    ) -> Result<Vec<T>, Error> {
        self.indexed_values(prefix, field)
            .into_iter()
            .map(|v| v.parse().map_err(|_| Error::InvalidParameter(p)))
            .collect()
    }

    /// A flattened list `<prefix>.1`, `<prefix>.2`, … of attributes, each parsed by its library
    /// type, which answers the action's documented error.
    pub fn indexed_attribute<T: FromStr<Err = Error>>(
        &self,
        prefix: &str,
    ) -> Result<Vec<T>, Error> {
        self.indexed_values(prefix, None)
            .into_iter()
            .map(str::parse)
            .collect()
    }

    /// The values of `<prefix>.N` (or `<prefix>.N.<field>`) in index order, the first value of
    /// a repeated index counting.
    fn indexed_values(&self, prefix: &str, field: Option<&str>) -> Vec<&'a str> {
        self.reads(&match field {
            None => format!("{prefix}.N"),
            Some(field) => format!("{prefix}.N.{field}"),
        });
        let mut entries: Vec<(u32, &str)> = self
            .params
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
        entries.into_iter().map(|(_, v)| v).collect()
    }

    /// A flattened list of pairs `<prefix>.N.<first>` / `<prefix>.N.<second>` (`Tag.N.Key` /
    /// `Tag.N.Value`), in index order: each index given, with whichever of its two values are
    /// not empty. Indexes that are not positive numbers are not part of the list.
    pub fn pairs(
        &self,
        prefix: &str,
        first: &str,
        second: &str,
    ) -> Vec<(Option<&'a str>, Option<&'a str>)> {
        self.reads(&format!("{prefix}.N.{first}"));
        self.reads(&format!("{prefix}.N.{second}"));
        let mut entries: std::collections::BTreeMap<u32, (Option<&'a str>, Option<&'a str>)> =
            std::collections::BTreeMap::new();
        for (k, v) in self.params.iter().filter(|(_, v)| !v.is_empty()) {
            let Some(rest) = k.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let Some((index, field)) = rest.split_once('.') else {
                continue;
            };
            let Some(index) = index.parse::<u32>().ok().filter(|&n| n > 0) else {
                continue;
            };
            let slot = entries.entry(index).or_default();
            // When a name repeats, its first value counts.
            if field == first && slot.0.is_none() {
                slot.0 = Some(v.as_str());
            } else if field == second && slot.1.is_none() {
                slot.1 = Some(v.as_str());
            }
        }
        entries.into_values().collect()
    }

    /// A JSON array of strings (`["i-1","i-2"]`, as the SDKs send `InstanceIds`), each item
    /// parsed; absent is empty. Anything but an array of strings is `InvalidParameter` \[I\].
    pub fn json_list<T: FromStr>(&self, p: Parameter) -> Result<Vec<T>, Error> {
        match self.raw(p.name()) {
            None => Ok(Vec::new()),
            Some(raw) => serde_json::from_str::<Vec<String>>(raw)
                .map_err(|_| Error::InvalidParameter(p))?
                .iter()
                .map(|s| s.parse().map_err(|_| Error::InvalidParameter(p)))
                .collect(),
        }
    }

    /// A comma-separated list, each item trimmed and parsed; absent is empty.
    pub fn comma_list<T: FromStr>(&self, p: Parameter) -> Result<Vec<T>, Error> {
        match self.raw(p.name()) {
            None => Ok(Vec::new()),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| Error::InvalidParameter(p)))
                .collect(),
        }
    }
}
