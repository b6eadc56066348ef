//! What RunInstances says about the instances it makes beyond what the rules read: instance
//! type, name, zone, network and bandwidth settings, as RunInstances sets them and
//! DescribeInstances shows them (docs/lifecycle.md, instances; sources in
//! docs/research/idempotence-and-run-instances.md).
//!
//! Security groups, vSwitches and VPCs are not modelled: their ids are kept as given, checked
//! only for their shape, and an instance's VPC is not known \[I\].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::attributes::{is_cjk, starts_with_url, text_attribute, value_attribute};
use crate::error::{Error, Malformed};
use crate::ids::RegionId;
use crate::time::Timestamp;

/// `ecs.<family>.<size>`: `ecs.`, then at least two dot-separated parts of lowercase letters,
/// digits and `-` (e.g. `ecs.g6.large`, `ecs.t5-lc1m1.small`, `ecs.gn7i-c8g1.2xlarge`). The
/// service answers a type it does not sell with the same code \[D code; I: the shape stands
/// for the catalogue, which is not modelled\].
fn is_instance_type(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("ecs.") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    s.len() <= 64
        && parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// `InstanceName` \[D, RunInstances\]: 2 to 128 characters; starts with a letter (or a Chinese
/// character, as image names may \[I\]); then letters, Chinese characters, digits, `:`, `_`,
/// `.` and `-`; not a web address. The batch forms with `[begin,bits]` are not modelled: their
/// brackets make the name malformed \[I\].
fn is_instance_name(s: &str) -> bool {
    let mut chars = s.chars();
    (2..=128).contains(&s.chars().count())
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || is_cjk(c))
        && chars
            .all(|c| c.is_ascii_alphanumeric() || is_cjk(c) || matches!(c, '.' | '_' | '-' | ':'))
        && !starts_with_url(s)
}

/// A zone id's shape: lowercase letters, digits and `-`, at most 64 \[I\]; whether it is a zone
/// of the request's region is [`ZoneId::in_region`].
fn is_zone_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

text_attribute!(
    /// `InstanceType` (RunInstances; DescribeInstances shows it): `ecs.<family>.<size>`;
    /// otherwise 400 `InvalidInstanceType.ValueNotSupported` \[D\].
    InstanceType,
    is_instance_type,
    Malformed::InstanceType
);

text_attribute!(
    /// `InstanceName` (RunInstances); otherwise 400 `InvalidInstanceName.Malformed` \[D\].
    /// Without one, DescribeInstances shows the instance's id \[D\].
    InstanceName,
    is_instance_name,
    Malformed::InstanceName
);

text_attribute!(
    /// `ZoneId` (RunInstances): a zone of the request's region; otherwise 404
    /// `InvalidZoneId.NotFound` \[D\].
    ZoneId,
    is_zone_id,
    Malformed::ZoneId
);

/// An id of a network resource the model does not hold: `<prefix>-` then 1 to 60 lowercase
/// letters and digits \[I: the shape of real ids; any such id is taken as one of the caller's\].
fn is_network_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        (1..=60).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

text_attribute!(
    /// `SecurityGroupId` / `SecurityGroupIds.N` (RunInstances): `sg-` and lowercase letters and
    /// digits; otherwise 400 `InvalidSecurityGroupId.NotFound` \[D code; I: the shape\].
    SecurityGroupId,
    |s| is_network_id(s, "sg-"),
    Malformed::SecurityGroupId
);

text_attribute!(
    /// `VSwitchId` (RunInstances): `vsw-` and lowercase letters and digits; otherwise 404
    /// `InvalidVSwitchId.NotFound` \[D code; I: the shape\].
    VSwitchId,
    |s| is_network_id(s, "vsw-"),
    Malformed::VSwitchId
);

impl ZoneId {
    /// Whether the zone lies in `region`: the region's id followed by one lowercase letter,
    /// with a `-` between them unless the region's id ends in a digit (`cn-hangzhou-h`,
    /// `us-west-1a`) \[I: the zones' naming; the zone list itself is not modelled\].
    pub fn in_region(&self, region: &RegionId) -> bool {
        let region = region.as_str();
        let Some(rest) = self.as_str().strip_prefix(region) else {
            return false;
        };
        let letter = if region.ends_with(|c: char| c.is_ascii_digit()) {
            rest
        } else {
            match rest.strip_prefix('-') {
                Some(letter) => letter,
                None => return false,
            }
        };
        letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase())
    }

    /// The zone the service picks when a request names none: the region's zone `a` \[I\].
    pub fn default_for(region: &RegionId) -> ZoneId {
        let region = region.as_str();
        let separator = if region.ends_with(|c: char| c.is_ascii_digit()) {
            ""
        } else {
            "-"
        };
        ZoneId(format!("{region}{separator}a"))
    }
}

value_attribute!(
    /// `InternetChargeType` (RunInstances): `PayByTraffic` (the default) or `PayByBandwidth`
    /// \[D\]; anything else 400 `InvalidInternetChargeType.ValueNotSupported` \[D code\].
    InternetChargeType,
    Malformed::InternetChargeType,
    [
        /// `PayByBandwidth`.
        PayByBandwidth = "PayByBandwidth",
        /// `PayByTraffic`.
        PayByTraffic = "PayByTraffic",
    ]
);

value_attribute!(
    /// `IoOptimized` (RunInstances): `optimized` (the default for current types) or `none`
    /// \[D\]; anything else 400 `InvalidIoOptimize.ValueNotSupported` \[D\].
    IoOptimized,
    Malformed::IoOptimized,
    [
        /// `none`.
        NotOptimized = "none",
        /// `optimized`.
        Optimized = "optimized",
    ]
);

/// The most `InternetMaxBandwidthOut`, in Mbit/s \[D: 0 to 100\].
pub const MAX_BANDWIDTH_OUT: u32 = 100;

/// What RunInstances set on an instance, shown by DescribeInstances. An instance put in a store
/// by other means (a fixture, an older world file) has none, and DescribeInstances shows the
/// defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LaunchSettings {
    /// `InstanceType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<InstanceType>,
    /// `InstanceName`; without it, the instance's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<InstanceName>,
    /// `ZoneId`; the region's default zone when the request names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<ZoneId>,
    /// `SecurityGroupId` and `SecurityGroupIds.N`, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<SecurityGroupId>,
    /// `VSwitchId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vswitch_id: Option<VSwitchId>,
    /// `InternetChargeType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_charge_type: Option<InternetChargeType>,
    /// `InternetMaxBandwidthOut`, 0 to [`MAX_BANDWIDTH_OUT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_max_bandwidth_out: Option<u32>,
    /// `IoOptimized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_optimized: Option<IoOptimized>,
    /// When RunInstances made it: the store's clock at commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
}
