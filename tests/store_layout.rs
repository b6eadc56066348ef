//! What the store's memory layout (a dense table of entries behind an index, instance sets
//! boxed only when not empty, regions in a sorted vector) must not change: equality ignores
//! the order things were added or removed in, every image stays findable after others are
//! deleted, and regions read as a sorted set.

use ecs_image_rules::{
    AccountId, DeleteImageRequest, DeleteInstance, Image, ImageId, ImageStore, Outcome, Profile,
    RegionId, RunInstances,
};

const REGION: &str = "cn-hangzhou";

fn account(id: &str) -> AccountId {
    AccountId::new(id).unwrap()
}

fn image(id: &str) -> Image {
    Image::custom(
        ImageId::new(id).unwrap(),
        account("alice"),
        RegionId::new(REGION).unwrap(),
    )
}

fn store_of(ids: &[&str]) -> ImageStore {
    let mut store = ImageStore::new();
    for id in ids {
        store.insert_image(image(id)).unwrap();
    }
    store
}

fn delete(store: &mut ImageStore, id: &str) -> Outcome {
    let request =
        DeleteImageRequest::new(RegionId::new(REGION).unwrap(), ImageId::new(id).unwrap());
    store
        .delete_image(&account("alice"), &request, &Profile::default())
        .unwrap()
}

fn sorted_ids(store: &ImageStore) -> Vec<String> {
    let mut ids: Vec<String> = store.images().map(|i| i.id.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn stores_with_the_same_images_are_equal_whatever_the_insertion_order() {
    let forward = store_of(&["m-a", "m-b", "m-c", "m-d"]);
    let backward = store_of(&["m-d", "m-c", "m-b", "m-a"]);
    assert_eq!(forward, backward);
    assert_ne!(forward, store_of(&["m-a", "m-b", "m-c"]));
    assert_ne!(forward, store_of(&["m-a", "m-b", "m-c", "m-e"]));
    // An image of another owner, added and deleted, leaves nothing behind.
    let mut visited = forward.clone();
    let bob = account("bob");
    visited
        .insert_image(Image::custom(
            ImageId::new("m-bob").unwrap(),
            bob.clone(),
            RegionId::new(REGION).unwrap(),
        ))
        .unwrap();
    assert_ne!(visited, forward);
    let request = DeleteImageRequest::new(
        RegionId::new(REGION).unwrap(),
        ImageId::new("m-bob").unwrap(),
    );
    let outcome = visited.delete_image(&bob, &request, &Profile::default());
    assert!(matches!(outcome, Ok(Outcome::Deleted(_))));
    assert_eq!(visited, forward);
}

#[test]
fn deleting_one_image_keeps_every_other_findable() {
    let ids: Vec<String> = (0..50).map(|n| format!("m-{n:02}")).collect();
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut store = store_of(&all);
    // The first, one in the middle, the last, and the one that became last.
    for gone in ["m-00", "m-25", "m-49", "m-48"] {
        assert!(matches!(delete(&mut store, gone), Outcome::Deleted(_)));
        assert!(store.image(gone).is_none(), "{gone} is gone");
    }
    let left: Vec<&str> = all
        .iter()
        .copied()
        .filter(|id| !["m-00", "m-25", "m-49", "m-48"].contains(id))
        .collect();
    for id in &left {
        assert_eq!(store.image(id).map(|i| i.id.as_str()), Some(*id));
    }
    assert_eq!(store.image_count(), 46);
    assert_eq!(sorted_ids(&store), left);
    assert_eq!(store, store_of(&left));
    // A deleted id can be used again, and a second delete of it is ignored.
    store.insert_image(image("m-25")).unwrap();
    assert_eq!(store.image("m-25").map(|i| i.id.as_str()), Some("m-25"));
    assert!(matches!(delete(&mut store, "m-25"), Outcome::Deleted(_)));
    assert_eq!(delete(&mut store, "m-25"), Outcome::Ignored);
}

#[test]
fn an_image_whose_instances_are_all_released_equals_one_that_never_had_any() {
    let mut store = store_of(&["m-a", "m-b"]);
    let alice = account("alice");
    let region = RegionId::new(REGION).unwrap();
    let run = |store: &mut ImageStore| {
        store
            .run_instances(
                &alice,
                RunInstances::new(region.clone(), ImageId::new("m-a").unwrap()),
            )
            .unwrap()
            .remove(0)
    };
    let first = run(&mut store);
    let second = run(&mut store);
    assert_eq!(store.instances_of("m-a").count(), 2);
    for instance in [first, second] {
        store.settle_instance(&instance).unwrap();
        store
            .delete_instance(
                &alice,
                DeleteInstance::new(instance)
                    .with_region_id(region.clone())
                    .with_force(true),
            )
            .unwrap();
    }
    assert_eq!(store.instances_of("m-a").count(), 0);
    // A store loaded from its own snapshot never saw the instances.
    let reloaded = ImageStore::from_state(store.to_state()).unwrap();
    assert_eq!(store, reloaded);
    assert_eq!(reloaded, store);
    assert!(matches!(delete(&mut store, "m-a"), Outcome::Deleted(_)));
}

#[test]
fn regions_read_as_a_sorted_set() {
    let mut store = ImageStore::without_regions();
    for region in ["eu-west-1", "cn-hangzhou", "ap-south-1", "cn-hangzhou"] {
        store.add_region(RegionId::new(region).unwrap());
    }
    let regions: Vec<&str> = store.regions().map(RegionId::as_str).collect();
    assert_eq!(regions, ["ap-south-1", "cn-hangzhou", "eu-west-1"]);
    assert!(store.has_region("cn-hangzhou"));
    assert!(store.has_region("ap-south-1"));
    assert!(!store.has_region("cn-hangzhoU"));
    assert!(!store.has_region("cn-hangzho"));
    assert!(!store.has_region(""));
    let mut reordered = ImageStore::without_regions();
    for region in ["ap-south-1", "eu-west-1", "cn-hangzhou"] {
        reordered.add_region(RegionId::new(region).unwrap());
    }
    assert_eq!(store, reordered);
}

#[test]
fn thousands_of_deletes_and_inserts_keep_the_store_consistent() {
    // Enough images to span several chunks of the store's table (4,096 entries each), and
    // deletes that empty the last chunks and refill them.
    let ids: Vec<String> = (0..10_000).map(|n| format!("m-{n:05}")).collect();
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut store = store_of(&all);
    let gone = |n: usize| n.is_multiple_of(3) || n >= 7_000;
    for (n, id) in all.iter().enumerate() {
        if gone(n) {
            assert!(matches!(delete(&mut store, id), Outcome::Deleted(_)));
        }
    }
    let left: Vec<&str> = all
        .iter()
        .enumerate()
        .filter(|&(n, _)| !gone(n))
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(store.image_count(), left.len());
    for id in &left {
        assert_eq!(store.image(id).map(|i| i.id.as_str()), Some(*id));
    }
    assert_eq!(sorted_ids(&store), left);
    assert_eq!(store, store_of(&left));
    for (n, id) in all.iter().enumerate() {
        if gone(n) {
            store.insert_image(image(id)).unwrap();
        }
    }
    assert_eq!(store, store_of(&all));
    assert_eq!(sorted_ids(&store), all);
}
