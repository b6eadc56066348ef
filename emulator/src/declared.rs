//! What the real ECS API declares: every action of version 2014-05-26 and the parameters each
//! can put on the wire, from emulator/declared/ecs-2014-05-26.json (extracted from the pinned
//! Python SDK's request models by emulator/declared/extract.py; `check.sh` proves it current).
//!
//! It is what tells apart the answers no tool may confuse \[I\]:
//! - a parameter the action declares but the emulator does not model: refused
//!   ([`GatewayError::ParameterNotModelled`]), never dropped;
//! - a parameter the action does not declare: ignored, as the service ignores it;
//! - an action ECS has but the emulator does not answer: [`GatewayError::ActionNotEmulated`];
//! - a name that is no ECS action: `InvalidAction.NotFound`, as the service answers.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

#[cfg(doc)]
use crate::error::GatewayError;

/// The table, embedded at build time: one source, read by the router and the coverage report.
static SOURCE: &str = include_str!("../declared/ecs-2014-05-26.json");

/// One parameter an action declares.
#[derive(Debug, Deserialize)]
pub(crate) struct Declared {
    /// The wire name, repeat-list indexes written `N` (`Tag.N.Key`).
    pub(crate) name: String,
    /// Required by the SDK's model (inside a repeat list: in each element given).
    pub(crate) required: bool,
}

#[derive(Deserialize)]
struct File {
    actions: BTreeMap<String, Action>,
}

#[derive(Deserialize)]
struct Action {
    parameters: Vec<Declared>,
}

static ACTIONS: LazyLock<BTreeMap<String, Vec<Declared>>> = LazyLock::new(|| {
    // The file is part of the build; a test parses it, so this cannot fail in a shipped binary.
    let file: File = serde_json::from_str(SOURCE).expect("the embedded declared table parses");
    file.actions
        .into_iter()
        .map(|(name, mut action)| {
            action.parameters.sort_by(|a, b| a.name.cmp(&b.name));
            (name, action.parameters)
        })
        .collect()
});

/// Parameters of the transport, not of any action \[I\]: the RPC common parameters the SDKs
/// add to every request. `RegionId` is not among them: where an action declares it, it is that
/// action's parameter; where it does not (the Go SDK adds it to every request), it is not
/// declared and so is ignored.
pub(crate) const PROTOCOL: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
];

/// The parameters `action` declares, sorted by name; `None` when ECS has no such action.
pub(crate) fn parameters(action: &str) -> Option<&'static [Declared]> {
    ACTIONS.get(action).map(Vec::as_slice)
}

/// The name ECS knows `action` by, when it has one (case-sensitive, as the router is).
pub(crate) fn action(action: &str) -> Option<&'static str> {
    ACTIONS.get_key_value(action).map(|(name, _)| name.as_str())
}

/// Every action ECS declares, by name.
pub(crate) fn actions() -> impl Iterator<Item = (&'static str, &'static [Declared])> {
    ACTIONS.iter().map(|(n, p)| (n.as_str(), p.as_slice()))
}

/// Whether `action` declares the parameter `name` (already [`normalised`]).
pub(crate) fn declares(action: &[Declared], name: &str) -> bool {
    action
        .binary_search_by(|p| p.name.as_str().cmp(name))
        .is_ok()
}

/// A wire name with its repeat-list indexes written `N`, as the table writes them:
/// `Tag.2.Key` is `Tag.N.Key`, `AddAccount.10` is `AddAccount.N`.
pub(crate) fn normalised(name: &str) -> Cow<'_, str> {
    let is_index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !name.split('.').any(is_index) {
        return Cow::Borrowed(name);
    }
    let segments: Vec<&str> = name
        .split('.')
        .map(|s| if is_index(s) { "N" } else { s })
        .collect();
    Cow::Owned(segments.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_holds_the_pinned_sdk_actions() {
        // 378 actions in alibabacloud-ecs20140526 7.11.8 (emulator/declared/README.md).
        assert_eq!(actions().count(), 378);
        let delete = parameters("DeleteImage").expect("DeleteImage is an ECS action");
        assert!(declares(delete, "Force"));
        assert!(!declares(delete, "ImageName"));
        assert!(declares(parameters("CreateImage").unwrap(), "Tag.N.Key"));
        assert_eq!(action("TagResources"), Some("TagResources"));
        assert_eq!(action("tagresources"), None);
    }

    #[test]
    fn indexes_are_normalised_to_n() {
        assert_eq!(normalised("Tag.2.Key"), "Tag.N.Key");
        assert_eq!(normalised("AddAccount.10"), "AddAccount.N");
        assert_eq!(
            normalised("DiskDeviceMapping.1.SnapshotId"),
            "DiskDeviceMapping.N.SnapshotId"
        );
        assert_eq!(normalised("ImageName"), "ImageName");
        assert_eq!(normalised("Ipv6AddressCount"), "Ipv6AddressCount");
    }
}
