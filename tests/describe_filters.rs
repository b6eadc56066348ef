//! DescribeImages' and DescribeTasks' filters that tools send (issue 12): `Usable` (Terraform
//! waits on it), `SnapshotId` (footmark, Terraform's data source), `ImageOwnerId`,
//! `Filter.N` creation times, and DescribeTasks `StartTime`/`EndTime`/`ResourceIds.N`. Expected
//! answers are written from docs/research/describe-filters.md.

use ecs_image_rules::{
    AccountId, ApiError, DescribeImages, DescribeTasks, Error, ExportImage, ImageAttributes,
    ImageId, ImageSpec, ImageStatus, ImageStore, Parameter, RegionId, Timestamp,
};

const HZ: &str = "cn-hangzhou";

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn hz() -> RegionId {
    RegionId::new(HZ).unwrap()
}
fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Alice's images: one Available made at 10:00 from s-1, one Creating made at 11:00 from s-2,
/// one Available made at 12:00 from s-1 and s-3; Bob's community image; a system image.
fn store() -> ImageStore {
    let mut store = ImageStore::new();
    let made = |time: &str| ImageAttributes {
        creation_time: Some(at(time)),
        ..ImageAttributes::default()
    };
    for spec in [
        ImageSpec::custom("m-10", "alice", HZ)
            .add_snapshot("s-1")
            .with_attributes(made("2026-12-02T10:00:00Z")),
        ImageSpec::custom("m-11", "alice", HZ)
            .add_snapshot("s-2")
            .with_status(ImageStatus::Creating)
            .with_attributes(made("2026-12-02T11:00:00Z")),
        ImageSpec::custom("m-12", "alice", HZ)
            .add_snapshot("s-1")
            .add_snapshot("s-3")
            .with_attributes(made("2026-12-02T12:00:00Z")),
        ImageSpec::custom("m-bob", "1234567", HZ).community(),
        ImageSpec::system("ubuntu_22_04_x64_20G_alibase_20240101.vhd", HZ),
    ] {
        store.put(spec).unwrap();
    }
    store
}

fn ids(store: &ImageStore, request: &DescribeImages) -> Vec<String> {
    let listing = store.describe_images(&alice(), request).unwrap();
    assert_eq!(listing.total_count, listing.items.len());
    listing
        .items
        .iter()
        .map(|v| v.image.id.to_string())
        .collect()
}

fn every_status() -> DescribeImages {
    let mut request = DescribeImages::new(hz());
    request.statuses = ImageStatus::ALL.to_vec();
    request
}

#[test]
fn usable_narrows_the_statuses_and_needs_status() {
    let store = store();
    let mut request = every_status();
    request.owner_alias = Some(ecs_image_rules::OwnerAlias::Own);
    request.usable = Some(true);
    assert_eq!(ids(&store, &request), ["m-10", "m-12"]);
    request.usable = Some(false);
    assert_eq!(ids(&store, &request), ["m-11"]);
    // Only Available asked for, and not usable: nothing.
    request.statuses = vec![ImageStatus::Available];
    assert!(ids(&store, &request).is_empty());
    // Usable without Status is refused [D: Status becomes required].
    request.statuses = Vec::new();
    let refused = store.describe_images(&alice(), &request).unwrap_err();
    assert_eq!(
        (
            refused.http_status(),
            refused.code(),
            refused.message().as_ref()
        ),
        (
            400,
            "MissingParameter",
            "Status is mandatory for this action."
        )
    );
}

#[test]
fn snapshot_id_lists_the_images_made_from_it() {
    let store = store();
    let mut request = every_status();
    request.attributes.snapshot_id = Some("s-1".to_owned());
    assert_eq!(ids(&store, &request), ["m-10", "m-12"]);
    request.attributes.snapshot_id = Some("s-3".to_owned());
    assert_eq!(ids(&store, &request), ["m-12"]);
    request.attributes.snapshot_id = Some("s-none".to_owned());
    assert!(ids(&store, &request).is_empty());
}

#[test]
fn image_owner_id_lists_that_accounts_custom_images() {
    let store = store();
    let mut request = every_status();
    request.attributes.image_owner_id = Some("1234567".to_owned());
    assert_eq!(ids(&store, &request), ["m-bob"]);
    request.attributes.image_owner_id = Some("alice".to_owned());
    assert_eq!(ids(&store, &request), ["m-10", "m-11", "m-12"]);
}

#[test]
fn resource_group_id_lists_the_images_in_that_group() {
    let mut store = store();
    store
        .put(
            ImageSpec::custom("m-grouped", "alice", HZ).with_attributes(ImageAttributes {
                resource_group_id: Some("rg-web".parse().unwrap()),
                ..ImageAttributes::default()
            }),
        )
        .unwrap();
    let mut request = every_status();
    request.attributes.resource_group_id = Some("rg-web".to_owned());
    assert_eq!(ids(&store, &request), ["m-grouped"]);
    request.attributes.resource_group_id = Some("rg-other".to_owned());
    assert!(ids(&store, &request).is_empty());
}

#[test]
fn creation_time_filters_bound_the_creation_time() {
    let store = store();
    let mut request = every_status();
    let filter = |key: &str, value: &str| (key.to_owned(), value.to_owned());
    // To the minute, as documented: at or after 11:00, at or before 11:30.
    request.attributes.filters = vec![filter("CreationStartTime", "2026-12-02T11:00Z")];
    assert_eq!(ids(&store, &request), ["m-11", "m-12"]);
    request
        .attributes
        .filters
        .push(filter("CreationEndTime", "2026-12-02T11:30Z"));
    assert_eq!(ids(&store, &request), ["m-11"]);
    // Images with no creation time (Bob's, the system image) match no bound.
    request.attributes.filters = vec![filter("CreationEndTime", "2030-01-01T00:00:00Z")];
    assert_eq!(ids(&store, &request), ["m-10", "m-11", "m-12"]);

    for (filters, parameter) in [
        (vec![filter("NetworkType", "vpc")], Parameter::FilterKey),
        (
            vec![filter("CreationStartTime", "yesterday")],
            Parameter::FilterValue,
        ),
        (
            vec![filter("CreationEndTime", "2026-12-02")],
            Parameter::FilterValue,
        ),
    ] {
        request.attributes.filters = filters;
        assert_eq!(
            store.describe_images(&alice(), &request).unwrap_err(),
            Error::InvalidParameter(parameter)
        );
    }
}

#[test]
fn describe_tasks_filters_on_creation_time_and_resource() {
    let mut store = ImageStore::new();
    for id in ["m-a", "m-b"] {
        store.put(ImageSpec::custom(id, "alice", HZ)).unwrap();
    }
    let export = |store: &mut ImageStore, image: &str, time: &str| {
        store.advance_clock(at(time));
        store
            .export_image(
                &alice(),
                ExportImage::new(hz(), ImageId::new(image).unwrap()).with_oss_bucket("b"),
            )
            .unwrap()
    };
    let first = export(&mut store, "m-a", "2026-12-02T10:00:00Z");
    let second = export(&mut store, "m-b", "2026-12-02T10:05:30Z");
    let listed = |request: &DescribeTasks| -> Vec<String> {
        let listing = store.describe_tasks(&alice(), request).unwrap();
        listing.items.iter().map(|t| t.id.to_string()).collect()
    };
    let (first, second) = (first.to_string(), second.to_string());
    let mut request = DescribeTasks::new(hz());
    request.start_time = Some(at("2026-12-02T10:05:00Z"));
    assert_eq!(listed(&request), [second.as_str()]);
    request.start_time = None;
    request.end_time = Some(at("2026-12-02T10:05:00Z"));
    assert_eq!(listed(&request), [first.as_str()]);
    request.end_time = None;
    request.resource_ids = vec!["m-b".to_owned()];
    assert_eq!(listed(&request), [second.as_str()]);
    request.resource_ids = vec!["m-a".to_owned(), "m-none".to_owned()];
    assert_eq!(listed(&request), [first.as_str()]);
    request.resource_ids = (0..101).map(|n| format!("m-{n}")).collect();
    assert_eq!(
        store.describe_tasks(&alice(), &request).unwrap_err(),
        Error::InvalidParameter(Parameter::ResourceIds)
    );
}

#[test]
fn api_times_are_taken_to_the_minute_or_the_second() {
    assert_eq!(
        Timestamp::from_api("2026-12-02T11:30Z").unwrap(),
        at("2026-12-02T11:30:00Z")
    );
    assert_eq!(
        Timestamp::from_api("2026-12-02T11:30:15Z").unwrap(),
        at("2026-12-02T11:30:15Z")
    );
    assert!(Timestamp::from_api("2026-12-02T11:30+08:00").is_err());
}
