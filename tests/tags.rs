//! Tags: TagResources, UntagResources, ListTagResources and DescribeTags against the store,
//! with the documented limits and answers written out by hand (docs/research/tags.md), and
//! the removal of a resource taking its tags with it.

mod common;

use common::{account, image, region};
use ecs_image_rules::{
    ApiError, CancelTask, DeleteImageRequest, DeleteInstance, DescribeTags, Error, ImageSpec,
    ImageStatus, ImageStore, ImportDisk, ImportImage, InstanceId, ListTagResources, Profile,
    ResourceId, ResourceType, StoreState, Tag, TagFilter, TagKey, TagResources, TagValue,
    UntagResources,
};

const HZ: &str = "cn-hangzhou";

fn rid(id: &str) -> ResourceId {
    ResourceId::new(id).unwrap()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::new(key, value).unwrap()
}

fn filter(key: &str, value: Option<&str>) -> TagFilter {
    TagFilter {
        key: TagKey::new(key).unwrap(),
        value: value.map(|v| TagValue::new(v).unwrap()),
    }
}

fn tag_images(ids: &[&str], tags: &[(&str, &str)]) -> TagResources {
    let mut request = TagResources::new(region(HZ), ResourceType::Image);
    request.resource_ids = ids.iter().map(|id| rid(id)).collect();
    request.tags = tags.iter().map(|(k, v)| tag(k, v)).collect();
    request
}

fn untag_images(ids: &[&str], keys: &[&str]) -> UntagResources {
    let mut request = UntagResources::new(region(HZ), ResourceType::Image);
    request.resource_ids = ids.iter().map(|id| rid(id)).collect();
    request.tag_keys = keys.iter().map(|k| TagKey::new(k).unwrap()).collect();
    request
}

fn list_image(id: &str) -> ListTagResources {
    ListTagResources::new(region(HZ), ResourceType::Image).add_resource(rid(id))
}

/// The (key, value) pairs ListTagResources answers for one of the caller's images.
fn listed(store: &ImageStore, caller: &str, id: &str) -> Vec<(String, String)> {
    let page = store
        .list_tag_resources(&account(caller), &list_image(id))
        .unwrap();
    assert_eq!(page.next_token, None);
    page.items
        .iter()
        .map(|t| {
            assert_eq!(t.resource_id.as_str(), id);
            assert_eq!(t.resource_type.as_str(), "image");
            (t.key.to_string(), t.value.to_string())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_refused(error: Error, status: u16, code: &str, message: &str) {
    assert_eq!(
        (error.http_status(), error.code(), error.message().as_ref()),
        (status, code, message)
    );
}

fn store_with(images: &[(&str, &str)]) -> ImageStore {
    let mut store = ImageStore::new();
    for (id, owner) in images {
        store.put(ImageSpec::custom(id, owner, HZ)).unwrap();
    }
    store
}

#[test]
fn terraform_update_tags_then_read_them_back() {
    let mut store = store_with(&[("m-1", "alice")]);
    let alice = account("alice");
    // Create-time tags, then an update that changes one value, drops one key and adds one,
    // as alicloud_image does it: UntagResources for removed keys, TagResources for the rest.
    store
        .tag_resources(
            &alice,
            tag_images(&["m-1"], &[("env", "dev"), ("team", "a"), ("old", "x")]),
        )
        .unwrap();
    assert_eq!(
        listed(&store, "alice", "m-1"),
        pairs(&[("env", "dev"), ("old", "x"), ("team", "a")])
    );
    store
        .untag_resources(&alice, untag_images(&["m-1"], &["old"]))
        .unwrap();
    store
        .tag_resources(
            &alice,
            tag_images(&["m-1"], &[("env", "prod"), ("new", "")]),
        )
        .unwrap();
    assert_eq!(
        listed(&store, "alice", "m-1"),
        pairs(&[("env", "prod"), ("new", ""), ("team", "a")])
    );
    // Removing a key the image does not have is no error.
    store
        .untag_resources(&alice, untag_images(&["m-1"], &["absent"]))
        .unwrap();
    // All=true without keys removes every tag.
    store
        .untag_resources(&alice, untag_images(&["m-1"], &[]).with_all(true))
        .unwrap();
    assert_eq!(listed(&store, "alice", "m-1"), Vec::new());
}

#[test]
fn only_the_owner_tags_and_sees_tags() {
    let mut store = store_with(&[("m-alice", "alice")]);
    store
        .put(ImageSpec::custom("m-shared", "alice", HZ).add_share("bob"))
        .unwrap();
    store.put(ImageSpec::system("centos_7", HZ)).unwrap();
    let bob = account("bob");
    let not_found = |e: Error| {
        assert_refused(
            e,
            404,
            "InvalidResourceId.NotFound",
            "The specified ResourceIds are not found in our records.",
        )
    };
    for id in ["m-alice", "m-shared", "m-absent", "centos_7"] {
        not_found(
            store
                .tag_resources(&bob, tag_images(&[id], &[("k", "v")]))
                .unwrap_err(),
        );
        not_found(
            store
                .untag_resources(&bob, untag_images(&[id], &["k"]))
                .unwrap_err(),
        );
    }
    // The image in another region is not found either.
    let mut elsewhere = tag_images(&["m-alice"], &[("k", "v")]);
    elsewhere.region_id = region("cn-beijing");
    not_found(
        store
            .tag_resources(&account("alice"), elsewhere)
            .unwrap_err(),
    );
    store
        .tag_resources(&account("alice"), tag_images(&["m-shared"], &[("k", "v")]))
        .unwrap();
    // Bob cannot read Alice's tags, even on an image shared with him.
    assert_eq!(listed(&store, "bob", "m-shared"), Vec::new());
    let by_tag =
        ListTagResources::new(region(HZ), ResourceType::Image).add_tag(filter("k", Some("v")));
    assert!(
        store
            .list_tag_resources(&bob, &by_tag)
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        store
            .list_tag_resources(&account("alice"), &by_tag)
            .unwrap()
            .items
            .len(),
        1
    );
}

#[test]
fn a_refused_request_changes_nothing() {
    let mut store = store_with(&[("m-1", "alice"), ("m-bob", "bob")]);
    let alice = account("alice");
    let before = store.clone();
    // The second resource is not Alice's: the first is not tagged either.
    let refused = store
        .tag_resources(&alice, tag_images(&["m-1", "m-bob"], &[("k", "v")]))
        .unwrap_err();
    assert_eq!(refused.code(), "InvalidResourceId.NotFound");
    assert_eq!(store, before);
}

#[test]
fn documented_limits_and_malformed_tags() {
    let mut store = store_with(&[("m-1", "alice")]);
    let alice = account("alice");

    let twenty_one: Vec<(String, String)> =
        (0..21).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    let borrowed: Vec<(&str, &str)> = twenty_one
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_refused(
        store
            .tag_resources(&alice, tag_images(&["m-1"], &borrowed))
            .unwrap_err(),
        400,
        "NumberExceed.Tags",
        "The Tags parameter's number is exceed , Valid : 20",
    );
    assert_refused(
        store
            .tag_resources(&alice, tag_images(&["m-1"], &[]))
            .unwrap_err(),
        404,
        "MissingParameter.Tags",
        "The parameter - Tags should not be null",
    );
    assert_refused(
        store
            .tag_resources(&alice, tag_images(&["m-1"], &[("k", "1"), ("k", "2")]))
            .unwrap_err(),
        400,
        "Duplicate.TagKey",
        "The Tag.N.Key contain duplicate key.",
    );
    let fifty_one: Vec<String> = (0..51).map(|i| format!("m-{i}")).collect();
    let ids: Vec<&str> = fifty_one.iter().map(String::as_str).collect();
    assert_refused(
        store
            .tag_resources(&alice, tag_images(&ids, &[("k", "v")]))
            .unwrap_err(),
        400,
        "NumberExceed.ResourceIds",
        "The ResourceIds parameter's number is exceed , Valid : 50",
    );

    // 20 tags per resource: 15 there, 5 more is fine, one more is refused; overwriting an
    // existing key does not count.
    let fifteen: Vec<(String, String)> =
        (0..15).map(|i| (format!("a{i}"), "v".to_owned())).collect();
    let fifteen: Vec<(&str, &str)> = fifteen
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    store
        .tag_resources(&alice, tag_images(&["m-1"], &fifteen))
        .unwrap();
    store
        .tag_resources(
            &alice,
            tag_images(
                &["m-1"],
                &[("b0", ""), ("b1", ""), ("b2", ""), ("b3", ""), ("b4", "")],
            ),
        )
        .unwrap();
    assert_refused(
        store
            .tag_resources(&alice, tag_images(&["m-1"], &[("b5", "")]))
            .unwrap_err(),
        400,
        "OperationDenied.QuotaExceed",
        "The quota of tags on resource is beyond permitted range.",
    );
    store
        .tag_resources(&alice, tag_images(&["m-1"], &[("a0", "changed")]))
        .unwrap();
    assert_eq!(listed(&store, "alice", "m-1").len(), 20);

    let bad_key = |key: &str| {
        assert_refused(
            Tag::new(key, "v").unwrap_err(),
            400,
            "InvalidTagKey.Malformed",
            "The specified Tag.n.Key is not valid.",
        )
    };
    bad_key("");
    bad_key("aliyun-owned");
    bad_key("acs:rm:rgId");
    bad_key("see http://example");
    bad_key("https://x");
    bad_key(&"k".repeat(129));
    assert!(Tag::new(&"k".repeat(128), "").is_ok());
    assert!(
        Tag::new("Aliyun", "v").is_ok(),
        "the prefix is matched as written"
    );
    let bad_value = |value: &str| {
        assert_refused(
            Tag::new("k", value).unwrap_err(),
            400,
            "InvalidTagValue.Malformed",
            "The specified Tag.n.Value is not valid.",
        )
    };
    bad_value("http://x");
    bad_value(&"v".repeat(129));
    assert!(
        Tag::new("k", &"é".repeat(128)).is_ok(),
        "characters, not bytes"
    );
    assert_refused(
        Tag::from_pair(None, Some("v")).unwrap_err(),
        400,
        "InvalidTag.Mismatch",
        "The specified Tag.n.Key and Tag.n.Value are not match.",
    );
    assert_refused(
        "securitygroup".parse::<ResourceType>().unwrap_err(),
        404,
        "InvalidResourceType.NotFound",
        "The ResourceType provided does not exist in our records.",
    );
    assert_refused(
        "Image".parse::<ResourceType>().unwrap_err(),
        404,
        "InvalidResourceType.NotFound",
        "The ResourceType provided does not exist in our records.",
    );
}

#[test]
fn removing_a_resource_removes_its_tags() {
    let mut store = store_with(&[("m-1", "alice"), ("m-2", "alice")]);
    store
        .put(ImageSpec::custom("m-used", "alice", HZ).used_by(1))
        .unwrap();
    let alice = account("alice");
    store
        .tag_resources(&alice, tag_images(&["m-1", "m-2"], &[("env", "dev")]))
        .unwrap();
    store
        .delete_image(
            &alice,
            &DeleteImageRequest::new(region(HZ), image("m-1")),
            &Profile::default(),
        )
        .unwrap();
    assert_eq!(store.tags_of(ResourceType::Image, "m-1").count(), 0);
    let by_tag =
        ListTagResources::new(region(HZ), ResourceType::Image).add_tag(filter("env", None));
    let ids: Vec<String> = store
        .list_tag_resources(&alice, &by_tag)
        .unwrap()
        .items
        .iter()
        .map(|t| t.resource_id.to_string())
        .collect();
    assert_eq!(ids, ["m-2"]);

    // An instance's tags go with it.
    let instance = "i-m-used-1";
    let mut tag_instance = TagResources::new(region(HZ), ResourceType::Instance)
        .add_resource(rid(instance))
        .add_tag(tag("role", "web"));
    store.tag_resources(&alice, tag_instance.clone()).unwrap();
    assert_eq!(store.tags_of(ResourceType::Instance, instance).count(), 1);
    store
        .delete_instance(
            &alice,
            // A fixture instance runs: releasing it needs Force.
            DeleteInstance::new(InstanceId::new(instance).unwrap()).with_force(true),
        )
        .unwrap();
    assert_eq!(store.tags_of(ResourceType::Instance, instance).count(), 0);
    tag_instance.tags = vec![tag("role", "db")];
    assert_eq!(
        store
            .tag_resources(&alice, tag_instance)
            .unwrap_err()
            .code(),
        "InvalidResourceId.NotFound"
    );

    // A cancelled import removes its image, and the image's tags.
    let made = store
        .import_image(
            &alice,
            ImportImage::new(region(HZ)).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    store
        .tag_resources(
            &alice,
            tag_images(&[made.image.as_str()], &[("env", "dev")]),
        )
        .unwrap();
    store
        .cancel_task(&alice, CancelTask::new(region(HZ), made.task.clone()))
        .unwrap();
    assert!(store.image(made.image.as_str()).is_none());
    assert_eq!(
        store
            .tags_of(ResourceType::Image, made.image.as_str())
            .count(),
        0
    );
    let summary = store
        .describe_tags(&alice, &DescribeTags::new(region(HZ)))
        .unwrap();
    assert_eq!(summary.total_count, 1, "only m-2's env=dev is left");
    assert_eq!(summary.items[0].resource_counts[&ResourceType::Image], 1);
}

#[test]
fn list_tag_resources_by_tag_and_pages_by_token() {
    let mut store = ImageStore::new();
    for i in 0..30 {
        store
            .put(ImageSpec::custom(&format!("m-{i:02}"), "alice", HZ))
            .unwrap();
    }
    let alice = account("alice");
    let evens: Vec<String> = (0..30).step_by(2).map(|i| format!("m-{i:02}")).collect();
    let evens: Vec<&str> = evens.iter().map(String::as_str).collect();
    let all: Vec<String> = (0..30).map(|i| format!("m-{i:02}")).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    store
        .tag_resources(
            &alice,
            tag_images(&all, &[("a", "1"), ("b", "2"), ("c", "3")]),
        )
        .unwrap();
    store
        .tag_resources(&alice, tag_images(&evens, &[("parity", "even")]))
        .unwrap();

    // Every condition must hold; a key without a value matches any value.
    let query = ListTagResources::new(region(HZ), ResourceType::Image)
        .add_tag(filter("parity", None))
        .add_tag(filter("a", Some("1")));
    let page = store.list_tag_resources(&alice, &query).unwrap();
    assert_eq!(
        page.items.len(),
        50,
        "15 images with 4 tags each: 60 entries, 50 a page"
    );
    let token = page.next_token.clone().expect("a second page");
    let rest = store
        .list_tag_resources(&alice, &query.clone().with_next_token(token))
        .unwrap();
    assert_eq!(rest.items.len(), 10);
    assert_eq!(rest.next_token, None);
    let entries: Vec<(String, String)> = page
        .items
        .iter()
        .chain(&rest.items)
        .map(|t| (t.resource_id.to_string(), t.key.to_string()))
        .collect();
    let mut expected = Vec::new();
    for id in &evens {
        for key in ["a", "b", "c", "parity"] {
            expected.push((id.to_string(), key.to_string()));
        }
    }
    assert_eq!(entries, expected);

    let none =
        ListTagResources::new(region(HZ), ResourceType::Image).add_tag(filter("a", Some("2")));
    assert!(
        store
            .list_tag_resources(&alice, &none)
            .unwrap()
            .items
            .is_empty()
    );

    assert_refused(
        store
            .list_tag_resources(&alice, &query.clone().with_next_token("zz"))
            .unwrap_err(),
        400,
        "InvalidParameter",
        "The specified parameter \"NextToken\" is not valid.",
    );
    assert_refused(
        store
            .list_tag_resources(
                &alice,
                &ListTagResources::new(region(HZ), ResourceType::Image),
            )
            .unwrap_err(),
        400,
        "MissingParameter",
        "ResourceId is mandatory for this action.",
    );
    let mut elsewhere = query;
    elsewhere.region_id = region("xx-nowhere-1");
    assert_refused(
        store.list_tag_resources(&alice, &elsewhere).unwrap_err(),
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
}

#[test]
fn describe_tags_counts_by_type_and_pages() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-1", "alice", HZ).used_by(2))
        .unwrap();
    store.put(ImageSpec::custom("m-2", "alice", HZ)).unwrap();
    let alice = account("alice");
    store
        .tag_resources(
            &alice,
            tag_images(&["m-1", "m-2"], &[("env", "dev"), ("team", "a")]),
        )
        .unwrap();
    let mut instances = TagResources::new(region(HZ), ResourceType::Instance)
        .add_resource(rid("i-m-1-1"))
        .add_resource(rid("i-m-1-2"))
        .add_tag(tag("env", "dev"));
    store.tag_resources(&alice, instances.clone()).unwrap();
    instances.tags = vec![tag("env", "prod")];
    instances.resource_ids.truncate(1);
    store.tag_resources(&alice, instances).unwrap();

    let all = store
        .describe_tags(&alice, &DescribeTags::new(region(HZ)))
        .unwrap();
    let rows: Vec<(String, String, usize, usize)> = all
        .items
        .iter()
        .map(|t| {
            (
                t.key.to_string(),
                t.value.to_string(),
                t.resource_counts
                    .get(&ResourceType::Image)
                    .copied()
                    .unwrap_or(0),
                t.resource_counts
                    .get(&ResourceType::Instance)
                    .copied()
                    .unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("env".into(), "dev".into(), 2, 1),
            ("env".into(), "prod".into(), 0, 1),
            ("team".into(), "a".into(), 2, 0),
        ]
    );
    assert_eq!((all.total_count, all.page.size()), (3, 50));

    // Terraform's alicloud_images: one resource's tags.
    let mut one = DescribeTags::new(region(HZ));
    one.resource_type = Some(ResourceType::Image);
    one.resource_id = Some(rid("m-2"));
    let tags: Vec<String> = store
        .describe_tags(&alice, &one)
        .unwrap()
        .items
        .iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    assert_eq!(tags, ["env=dev", "team=a"]);
    assert_eq!(
        store
            .describe_tags(&account("bob"), &one)
            .unwrap()
            .total_count,
        0
    );

    let mut by_type = DescribeTags::new(region(HZ));
    by_type.resource_type = Some(ResourceType::Image);
    by_type.tags = vec![filter("env", None)];
    by_type.page = DescribeTags::page(Some(1), Some(1)).unwrap();
    let page = store.describe_tags(&alice, &by_type).unwrap();
    assert_eq!(page.total_count, 1, "env=prod is on no image");
    assert_eq!(page.items[0].value.as_str(), "dev");

    let mut too_many = DescribeTags::new(region(HZ));
    too_many.tags = (0..21).map(|i| filter(&format!("k{i}"), None)).collect();
    assert_refused(
        store.describe_tags(&alice, &too_many).unwrap_err(),
        400,
        "InvalidTagCount",
        "The specified tags are beyond the permitted range.",
    );
}

#[test]
fn tags_survive_a_serialized_round_trip_and_are_checked_on_load() {
    let mut store = store_with(&[("m-1", "alice")]);
    store
        .tag_resources(&account("alice"), tag_images(&["m-1"], &[("env", "dev")]))
        .unwrap();
    let json = serde_json::to_string(&store).unwrap();
    assert!(json.contains(r#""tags":[{"resourceType":"image","resourceId":"m-1","tags":[{"key":"env","value":"dev"}]}]"#), "{json}");
    let loaded: ImageStore = serde_json::from_str(&json).unwrap();
    assert_eq!(loaded, store);

    let mut state = store.to_state();
    state.tags[0].resource_id = rid("m-absent");
    let refused = ImageStore::from_state(state).unwrap_err();
    assert!(refused.to_string().contains("m-absent"), "{refused}");

    let mut state: StoreState = store.to_state();
    state.tags[0].tags = (0..21).map(|i| tag(&format!("k{i}"), "")).collect();
    assert!(ImageStore::from_state(state).is_err());
}

#[test]
fn creating_actions_put_their_tags_on_what_they_make() {
    use ecs_image_rules::{
        CopyImage, CreateImage, DescribeImages, DescribeInstances, RunInstances,
    };
    let mut store = ImageStore::new();
    let alice = account("alice");
    let made = store
        .create_image(
            &alice,
            CreateImage::new(region(HZ))
                .add_tag(tag("env", "dev"))
                .add_tag(tag("team", "a")),
        )
        .unwrap();
    store.finish_create_image(&made).unwrap();
    store
        .put(ImageSpec::custom("m-plain", "alice", HZ))
        .unwrap();
    let imported = store
        .import_image(
            &alice,
            ImportImage::new(region(HZ))
                .add_disk(ImportDisk::from_oss("bucket", "image.qcow2"))
                .add_tag(tag("env", "prod")),
        )
        .unwrap();
    let copy = store
        .copy_image(
            &alice,
            CopyImage::new(region(HZ), made.clone(), region("cn-beijing"))
                .add_tag(tag("copied", "yes")),
        )
        .unwrap();
    let instances = store
        .run_instances(
            &alice,
            RunInstances::new(region(HZ), made.clone())
                .with_amount(2)
                .add_tag(tag("role", "web")),
        )
        .unwrap();
    let keys = |kind, id: &str| -> Vec<String> {
        store
            .tags_of(kind, id)
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    };
    assert_eq!(
        keys(ResourceType::Image, made.as_str()),
        ["env=dev", "team=a"]
    );
    assert_eq!(
        keys(ResourceType::Image, imported.image.as_str()),
        ["env=prod"]
    );
    assert_eq!(
        keys(ResourceType::Image, copy.image.as_str()),
        ["copied=yes"]
    );
    assert_eq!(keys(ResourceType::Image, "m-plain"), Vec::<String>::new());
    for id in &instances {
        assert_eq!(keys(ResourceType::Instance, id.as_str()), ["role=web"]);
    }

    // DescribeImages Tag.N: the caller's images carrying every tag, in any status asked for.
    let mut by_env = DescribeImages::new(region(HZ));
    by_env.statuses = ImageStatus::ALL.to_vec();
    by_env.tags = vec![filter("env", None)];
    let ids: Vec<String> = store
        .describe_images(&alice, &by_env)
        .unwrap()
        .items
        .iter()
        .map(|v| v.image.id.to_string())
        .collect();
    let mut expected = vec![made.to_string(), imported.image.to_string()];
    expected.sort();
    assert_eq!(ids, expected);
    by_env.tags.push(filter("team", Some("a")));
    let listing = store.describe_images(&alice, &by_env).unwrap();
    assert_eq!(listing.total_count, 1);
    assert_eq!(listing.items[0].image.id, made);
    // The default status filter (Available) still applies: the import is Waiting.
    let mut prod = DescribeImages::new(region(HZ));
    prod.tags = vec![filter("env", Some("prod"))];
    assert_eq!(store.describe_images(&alice, &prod).unwrap().total_count, 0);
    // Bob sees no image by Alice's tags, and no tags on them.
    assert_eq!(
        store
            .describe_images(&account("bob"), &by_env)
            .unwrap()
            .total_count,
        0
    );
    assert_eq!(
        store
            .tags_seen_by(&account("bob"), ResourceType::Image, made.as_str())
            .count(),
        0
    );
    assert_eq!(
        store
            .tags_seen_by(&alice, ResourceType::Image, made.as_str())
            .count(),
        2
    );

    let mut web = DescribeInstances::new(region(HZ));
    web.tags = vec![filter("role", Some("web"))];
    let listing = store.describe_instances(&alice, &web).unwrap();
    assert_eq!(listing.total_count, 2);
    web.tags = vec![filter("role", Some("db"))];
    assert_eq!(
        store.describe_instances(&alice, &web).unwrap().total_count,
        0
    );

    // Too many or repeated tags are refused, and nothing is made.
    let before = store.clone();
    let mut crowded = CreateImage::new(region(HZ));
    crowded.tags = (0..21).map(|i| tag(&format!("k{i}"), "")).collect();
    assert_refused(
        store.create_image(&alice, crowded).unwrap_err(),
        400,
        "InvalidTagCount",
        "The specified tags are beyond the permitted range.",
    );
    assert_refused(
        store
            .run_instances(
                &alice,
                RunInstances::new(region(HZ), made.clone())
                    .add_tag(tag("k", "1"))
                    .add_tag(tag("k", "2")),
            )
            .unwrap_err(),
        400,
        "Duplicate.TagKey",
        "The Tag.N.Key contain duplicate key.",
    );
    assert_eq!(store, before);
}
