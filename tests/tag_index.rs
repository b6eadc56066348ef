//! The tag index against a scan: random TagResources, UntagResources and DeleteImage calls by
//! two accounts, then every tag condition answered through the index (ListTagResources by
//! `Tag.N`, DescribeImages `Tag.N`, DescribeTags) compared with a scan of every image's tags.

mod common;

use std::collections::BTreeMap;

use common::{account, image, region};
use ecs_image_rules::{
    DeleteImageRequest, DescribeImages, DescribeTags, ImageSpec, ImageStatus, ImageStore,
    ListTagResources, Profile, ResourceId, ResourceType, Tag, TagFilter, TagKey, TagResources,
    TagValue, UntagResources,
};
use proptest::prelude::*;

const HZ: &str = "cn-hangzhou";
const OWNERS: [&str; 2] = ["alice", "bob"];
const KEYS: [&str; 3] = ["env", "team", "keep"];
const VALUES: [&str; 3] = ["", "a", "b"];
/// Images m-0 to m-7: the even ones Alice's, the odd ones Bob's.
const IMAGES: usize = 8;

#[derive(Debug, Clone)]
enum Op {
    Tag {
        caller: usize,
        images: Vec<usize>,
        tags: Vec<(usize, usize)>,
    },
    Untag {
        caller: usize,
        images: Vec<usize>,
        keys: Vec<usize>,
        all: bool,
    },
    Delete {
        caller: usize,
        image: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let caller = 0..OWNERS.len();
    let images = proptest::collection::vec(0..IMAGES, 1..4);
    prop_oneof![
        4 => (caller.clone(), images.clone(), proptest::collection::vec((0..KEYS.len(), 0..VALUES.len()), 1..4))
            .prop_map(|(caller, images, tags)| Op::Tag { caller, images, tags }),
        2 => (caller.clone(), images, proptest::collection::vec(0..KEYS.len(), 0..3), any::<bool>())
            .prop_map(|(caller, images, keys, all)| Op::Untag { caller, images, keys, all }),
        1 => (caller, 0..IMAGES).prop_map(|(caller, image)| Op::Delete { caller, image }),
    ]
}

fn id(n: usize) -> String {
    format!("m-{n}")
}

fn apply(store: &mut ImageStore, op: &Op) {
    let before = store.clone();
    let result = match op {
        Op::Tag {
            caller,
            images,
            tags,
        } => {
            let mut request = TagResources::new(region(HZ), ResourceType::Image);
            request.resource_ids = images
                .iter()
                .map(|&n| ResourceId::new(&id(n)).unwrap())
                .collect();
            request.tags = tags
                .iter()
                .map(|&(k, v)| Tag::new(KEYS[k], VALUES[v]).unwrap())
                .collect();
            store.tag_resources(&account(OWNERS[*caller]), request)
        }
        Op::Untag {
            caller,
            images,
            keys,
            all,
        } => {
            let mut request = UntagResources::new(region(HZ), ResourceType::Image).with_all(*all);
            request.resource_ids = images
                .iter()
                .map(|&n| ResourceId::new(&id(n)).unwrap())
                .collect();
            request.tag_keys = keys
                .iter()
                .map(|&k| TagKey::new(KEYS[k]).unwrap())
                .collect();
            store.untag_resources(&account(OWNERS[*caller]), request)
        }
        Op::Delete { caller, image: n } => store
            .delete_image(
                &account(OWNERS[*caller]),
                &DeleteImageRequest::new(region(HZ), image(&id(*n))),
                &Profile::default(),
            )
            .map(|_| ()),
    };
    if result.is_err() {
        assert_eq!(*store, before, "a refused {op:?} changed the store");
    }
}

/// The images an owner has in the store that satisfy every condition, by a scan.
fn scan(store: &ImageStore, owner: &str, filters: &[TagFilter]) -> Vec<String> {
    (0..IMAGES)
        .map(id)
        .filter(|i| store.image(i).is_some_and(|im| im.owner.as_str() == owner))
        .filter(|i| {
            let tags: BTreeMap<&TagKey, &TagValue> =
                store.tags_of(ResourceType::Image, i).collect();
            filters.iter().all(|f| {
                tags.get(&f.key)
                    .is_some_and(|v| f.value.as_ref().is_none_or(|want| want == *v))
            })
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn conditions() -> Vec<Vec<TagFilter>> {
    let one = |k: usize, v: Option<usize>| TagFilter {
        key: TagKey::new(KEYS[k]).unwrap(),
        value: v.map(|v| TagValue::new(VALUES[v]).unwrap()),
    };
    let mut all = Vec::new();
    for k in 0..KEYS.len() {
        all.push(vec![one(k, None)]);
        for v in 0..VALUES.len() {
            all.push(vec![one(k, Some(v))]);
            all.push(vec![one(k, Some(v)), one((k + 1) % KEYS.len(), None)]);
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn index_answers_equal_a_scan(ops in proptest::collection::vec(op(), 0..24)) {
        let mut store = ImageStore::new();
        for n in 0..IMAGES {
            store.put(ImageSpec::custom(&id(n), OWNERS[n % 2], HZ)).unwrap();
        }
        for op in &ops {
            apply(&mut store, op);
        }
        for owner in OWNERS {
            let caller = account(owner);
            for filters in conditions() {
                let expected = scan(&store, owner, &filters);
                let mut list = ListTagResources::new(region(HZ), ResourceType::Image);
                list.tags = filters.clone();
                let page = store.list_tag_resources(&caller, &list).unwrap();
                let mut listed: Vec<String> =
                    page.items.iter().map(|t| t.resource_id.to_string()).collect();
                listed.dedup();
                prop_assert_eq!(&listed, &expected, "ListTagResources {:?}", filters);
                let mut describe = DescribeImages::new(region(HZ));
                describe.statuses = ImageStatus::ALL.to_vec();
                describe.tags = filters.clone();
                describe.page = ecs_image_rules::Page::new(None, Some(100)).unwrap();
                let found: Vec<String> = store
                    .describe_images(&caller, &describe)
                    .unwrap()
                    .items
                    .iter()
                    .map(|v| v.image.id.to_string())
                    .collect();
                prop_assert_eq!(&found, &expected, "DescribeImages {:?}", filters);
            }
            // DescribeTags: each distinct tag with how many of the owner's images carry it.
            let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
            for i in scan(&store, owner, &[]) {
                for (k, v) in store.tags_of(ResourceType::Image, &i) {
                    *counts.entry((k.to_string(), v.to_string())).or_default() += 1;
                }
            }
            let mut request = DescribeTags::new(region(HZ));
            request.page = DescribeTags::page(None, Some(100)).unwrap();
            let summary: BTreeMap<(String, String), usize> = store
                .describe_tags(&caller, &request)
                .unwrap()
                .items
                .iter()
                .map(|t| {
                    (
                        (t.key.to_string(), t.value.to_string()),
                        t.resource_counts[&ResourceType::Image],
                    )
                })
                .collect();
            prop_assert_eq!(summary, counts);
        }
        // The store state carries the tags: a reload answers the same.
        let reloaded = ImageStore::from_state(store.to_state()).unwrap();
        prop_assert_eq!(reloaded, store);
    }
}
