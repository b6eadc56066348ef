//! Helpers shared by the black-box tests: one-line calls that pin exact answers, and the
//! blocker table of docs/decision.md written out by hand (never read back from the library's own tables).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use ecs_image_rules::{
    AccountId, ApiError, Blocker, Catalog, DeleteImageRequest, Deletion, ImageId, ImageSpec,
    ImageStore, Outcome, Profile, RegionId,
};

/// The default profile: 2024-10 catalog, absent images ignored, §3 precedence.
pub fn default() -> Profile {
    Profile::default()
}

/// The default profile with the current (2025) catalog.
pub fn doc2025() -> Profile {
    Profile::default().with_catalog(Catalog::Doc2025)
}

pub fn account(id: &str) -> AccountId {
    AccountId::new(id).expect("test account ids are well formed")
}

pub fn region(id: &str) -> RegionId {
    RegionId::new(id).expect("test region ids are well formed")
}

pub fn image(id: &str) -> ImageId {
    ImageId::new(id).expect("test image ids are well formed")
}

/// RPC parameters written as a query string without escapes:
/// `RegionId=cn-hangzhou&ImageId=m-1&Force=true`. A value may hold anything but `&`; a pair
/// without `=` is a name with an empty value.
pub fn params(query: &str) -> Vec<(&str, &str)> {
    if query.is_empty() {
        return Vec::new();
    }
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect()
}

/// Parses the query's parameters and runs DeleteImage on `store` as `caller`.
pub fn call(
    store: &mut ImageStore,
    caller: &str,
    query: &str,
    profile: &Profile,
) -> Result<Outcome, (u16, &'static str, String)> {
    let answer = DeleteImageRequest::from_rpc_params(params(query))
        .and_then(|request| store.delete_image(&account(caller), &request, profile));
    answer.map_err(|e| (e.http_status(), e.code(), e.to_string()))
}

/// The (HTTP status, code, message) of a request that must be refused. Also checks that the
/// refusal changed nothing and that `Display` and `ApiError::message` agree.
///
/// The message is leaked so that expectations can be plain string literals; a test process
/// leaks a few kilobytes at most.
pub fn refused(
    store: &mut ImageStore,
    caller: &str,
    query: &str,
    profile: &Profile,
) -> (u16, &'static str, &'static str) {
    let before = store.clone();
    let answer = DeleteImageRequest::from_rpc_params(params(query))
        .and_then(|request| store.delete_image(&account(caller), &request, profile));
    let error = match answer {
        Ok(outcome) => panic!("expected a refusal for {query:?}, got {outcome:?}"),
        Err(e) => e,
    };
    assert_eq!(*store, before, "a refused request changed the store");
    assert_eq!(error.message(), error.to_string(), "Display is the message");
    let message: &'static str = Box::leak(error.to_string().into_boxed_str());
    (error.http_status(), error.code(), message)
}

/// The deletion a request must make.
pub fn deleted(store: &mut ImageStore, caller: &str, query: &str, profile: &Profile) -> Deletion {
    match call(store, caller, query, profile) {
        Ok(Outcome::Deleted(deletion)) => deletion,
        other => panic!("expected a deletion for {query:?}, got {other:?}"),
    }
}

/// Asserts that a request is ignored and changes nothing.
pub fn ignored(store: &mut ImageStore, caller: &str, query: &str, profile: &Profile) {
    let before = store.clone();
    match call(store, caller, query, profile) {
        Ok(Outcome::Ignored) => {}
        other => panic!("expected {query:?} to be ignored, got {other:?}"),
    }
    assert_eq!(*store, before, "an ignored request changed the store");
}

/// The code and message of a blocker in a catalog, copied by hand from docs/decision.md.
pub fn blocker_answer(blocker: Blocker, catalog: Catalog) -> (&'static str, &'static str) {
    let doc2025 = catalog == Catalog::Doc2025;
    match blocker {
        Blocker::Importing => ("ImageIsImporting", "The specified Image is importing."),
        Blocker::Exporting if doc2025 => (
            "ImageIsExporting",
            "The specified image is currently being exported. You can use the DescribeTasks API to check the status of related tasks and cancel them if needed.",
        ),
        Blocker::Exporting => (
            "ImageIsExporting",
            "The specified Image is exporting. Please cancel task first.",
        ),
        Blocker::Copying if doc2025 => (
            "OperationDenied.ImageCopying",
            "The image is being copied. Please use the CancelCopyImage API.",
        ),
        Blocker::Copying => ("OperationDenied.ImageCopying", "The Image is coping."),
        Blocker::Public => (
            "ImageIsPublic",
            "You can not delete public image, please modify it to private.",
        ),
        Blocker::Shared if doc2025 => (
            "ImageUseShared",
            "The specified image has been shared to others. You can use the DescribeImageSharePermission API to query the users who have been shared.",
        ),
        Blocker::Shared => (
            "ImageUseShared",
            "The specified image has been shared to others.",
        ),
        Blocker::InUse if doc2025 => (
            "ImageUsingByInstance",
            "The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed.",
        ),
        Blocker::InUse => (
            "ImageUsingByInstance",
            "The specified image has been used to create instances.",
        ),
    }
}

/// The six blockers in the row order of docs/contract.md §3, written out here rather than read from
/// `Blocker::ALL`.
pub const SPEC_ORDER: [Blocker; 6] = [
    Blocker::Importing,
    Blocker::Exporting,
    Blocker::Copying,
    Blocker::Public,
    Blocker::Shared,
    Blocker::InUse,
];

/// The JSON text of a store: two stores with equal text hold the same resources.
pub fn json(store: &ImageStore) -> String {
    serde_json::to_string(store).expect("a store serializes")
}

/// A store of the public regions holding alice's Available custom image `m-src` in
/// cn-hangzhou: the source the RunInstances, CreateImage and CopyImage tests start from.
pub fn store_with_source() -> ImageStore {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-src", "alice", "cn-hangzhou"))
        .unwrap();
    store
}
