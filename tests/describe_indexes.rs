//! The Describe actions read indexes instead of scanning the store: every page they answer
//! must be the page a scan would give, after inserts and deletes have moved entries around,
//! and their id lists are capped sets.

use ecs_image_rules::{
    AccountId, ApiError, DeleteImageRequest, DescribeImages, DescribeTasks, Error, ImageId,
    ImageSpec, ImageStatus, ImageStore, OwnerAlias, Page, Parameter, Profile, RegionId, Relation,
    relation,
};
use proptest::prelude::*;

const REGIONS: [&str; 2] = ["cn-hangzhou", "cn-beijing"];
const ACCOUNTS: [&str; 3] = ["alice", "bob", "carol"];

/// One image of the generated world: (kind 0..=5, owner, region, status, community, shares).
fn spec(n: usize, (kind, owner, region, status, community, shares): Shape) -> ImageSpec {
    let id = format!("m-{:05}", (n * 7919) % 100_000);
    let region = REGIONS[region];
    let spec = match kind {
        0 => ImageSpec::system(&id, region),
        1 => ImageSpec::marketplace(&id, region),
        _ => {
            let mut spec = ImageSpec::custom(&id, ACCOUNTS[owner], region);
            if community {
                spec = spec.community();
            }
            for (i, account) in ACCOUNTS.iter().enumerate() {
                if shares & (1 << i) != 0 && i != owner {
                    spec = spec.add_share(account);
                }
            }
            spec
        }
    };
    spec.with_status(ImageStatus::ALL[status])
}

type Shape = (usize, usize, usize, usize, bool, u8);

fn shape() -> impl Strategy<Value = Shape> {
    (
        0..6usize,
        0..3usize,
        0..2usize,
        0..6usize,
        any::<bool>(),
        0..8u8,
    )
}

/// What a scan of every image answers.
fn scanned(
    store: &ImageStore,
    caller: &AccountId,
    region: &RegionId,
    statuses: &[ImageStatus],
    alias: Option<OwnerAlias>,
) -> Vec<String> {
    let statuses = if statuses.is_empty() {
        vec![ImageStatus::Available]
    } else {
        statuses.to_vec()
    };
    let mut ids: Vec<String> = store
        .images()
        .filter(|i| i.region == *region && statuses.contains(&i.status))
        .filter(|i| relation(store, caller, region, &i.id) != Relation::Absent)
        .filter(|i| alias.is_none_or(|a| a == OwnerAlias::of(i, caller)))
        .map(|i| i.id.to_string())
        .collect();
    ids.sort();
    ids
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_page_is_the_page_a_scan_gives(
        shapes in prop::collection::vec(shape(), 0..700),
        bulk in 0..700usize,
        bulk_community in any::<bool>(),
        middle in any::<prop::sample::Index>(),
        deletes in prop::collection::vec(any::<prop::sample::Index>(), 0..200),
        page_size in 1..=100u32,
    ) {
        let mut store = ImageStore::new();
        for (n, shape) in shapes.iter().enumerate() {
            let _ = store.put(spec(n, *shape));
        }
        // Enough images of one owner, in one status, to fill several blocks; when published,
        // long runs of them that the owner's `others` view passes over.
        for n in 0..bulk {
            let _ = store.put(spec(shapes.len() + n, (2, 0, 0, 2, bulk_community, 0)));
        }
        let ids: Vec<String> = store.images().map(|i| i.id.to_string()).collect();
        for index in deletes {
            if ids.is_empty() {
                break;
            }
            let id = index.get(&ids);
            let owner = store.image(id).map(|i| i.owner.clone());
            if let Some(owner) = owner {
                let request = DeleteImageRequest::new(
                    store.image(id).unwrap().region.clone(),
                    ImageId::new(id).unwrap(),
                )
                .with_force(true);
                let _ = store.delete_image(&owner, &request, &Profile::default());
            }
        }
        let status_sets: [&[ImageStatus]; 4] = [
            &[],
            &[ImageStatus::Available],
            &[ImageStatus::Creating, ImageStatus::Available, ImageStatus::Deprecated],
            &ImageStatus::ALL,
        ];
        let aliases = [
            None,
            Some(OwnerAlias::Own),
            Some(OwnerAlias::Others),
            Some(OwnerAlias::System),
            Some(OwnerAlias::Marketplace),
        ];
        for caller in ACCOUNTS {
            let caller = AccountId::new(caller).unwrap();
            for region in REGIONS {
                let region = RegionId::new(region).unwrap();
                for statuses in status_sets {
                    for alias in aliases {
                        let expected = scanned(&store, &caller, &region, statuses, alias);
                        let pages = expected.len().div_ceil(page_size as usize) + 1;
                        let deep = middle.index(pages) as u32 + 1;
                        for number in [1, 2, deep, pages as u32 - 1, pages as u32].into_iter().filter(|&n| n >= 1) {
                            let mut request = DescribeImages::new(region.clone());
                            request.statuses = statuses.to_vec();
                            request.owner_alias = alias;
                            request.page = Page::new(Some(number), Some(page_size)).unwrap();
                            let listing = store.describe_images(&caller, &request).unwrap();
                            prop_assert_eq!(listing.total_count, expected.len());
                            let got: Vec<String> =
                                listing.items.iter().map(|v| v.image.id.to_string()).collect();
                            let from = ((number - 1) * page_size) as usize;
                            let want: Vec<String> = expected
                                .iter()
                                .skip(from)
                                .take(page_size as usize)
                                .cloned()
                                .collect();
                            prop_assert_eq!(got, want, "{} {} {:?} {:?} page {}", caller, region, statuses, alias, number);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn describe_images_takes_at_most_100_distinct_image_ids_and_counts_a_repeat_once() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-1", "alice", "cn-hangzhou"))
        .unwrap();
    let alice = AccountId::new("alice").unwrap();
    let request = |ids: Vec<String>| {
        let mut request = DescribeImages::new(RegionId::new("cn-hangzhou").unwrap());
        request.image_ids = ids.iter().map(|id| ImageId::new(id).unwrap()).collect();
        request
    };
    // 100 distinct ids, the first repeated 10,000 times: accepted, and the image found once.
    let mut ids: Vec<String> = (1..=100).map(|n| format!("m-{n}")).collect();
    ids.extend(std::iter::repeat_n("m-1".to_owned(), 10_000));
    let listing = store.describe_images(&alice, &request(ids)).unwrap();
    assert_eq!(listing.total_count, 1);
    assert_eq!(listing.items[0].image.id.as_str(), "m-1");
    // 101 distinct ids: refused, InvalidParameter naming ImageId.
    let ids: Vec<String> = (1..=101).map(|n| format!("m-{n}")).collect();
    let refused = store.describe_images(&alice, &request(ids)).unwrap_err();
    assert_eq!(refused, Error::InvalidParameter(Parameter::ImageId));
    assert_eq!(refused.code(), "InvalidParameter");
}

#[test]
fn describe_tasks_takes_at_most_100_distinct_task_ids() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-1", "alice", "cn-hangzhou").importing())
        .unwrap();
    let alice = AccountId::new("alice").unwrap();
    let mut request = DescribeTasks::new(RegionId::new("cn-hangzhou").unwrap());
    request.task_ids = (1..=100).map(|n| format!("t-{n}")).collect();
    request
        .task_ids
        .extend(std::iter::repeat_n("t-1".to_owned(), 1000));
    assert!(store.describe_tasks(&alice, &request).is_ok());
    request.task_ids.push("t-101".to_owned());
    assert_eq!(
        store.describe_tasks(&alice, &request).unwrap_err(),
        Error::InvalidParameter(Parameter::TaskIds)
    );
}
