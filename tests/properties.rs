//! Properties over arbitrary stores and requests. The expected answer is computed from the
//! test's own plan of the store (which blockers it put on which image), never from the
//! library's `blockers()`.
//!
//! `PROPTEST_CASES=10000 cargo test --test properties` runs a soak.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{SPEC_ORDER, account, blocker_answer, json};
use ecs_image_rules::{
    ApiError, Blocker, Catalog, DeleteImageRequest, Error, ImageSpec, ImageStatus, ImageStore,
    MissingImage, Outcome, Precedence, Profile, RequestId, wire,
};
use proptest::prelude::*;
use proptest::sample::Index;

const ACCOUNTS: [&str; 4] = ["alice", "bob", "carol", "dave"];
const REGIONS: [&str; 3] = ["cn-hangzhou", "cn-beijing", "eu-west-1"];
const UNKNOWN_REGION: &str = "xx-nowhere-1";
const STATUSES: [ImageStatus; 6] = [
    ImageStatus::Available,
    ImageStatus::UnAvailable,
    ImageStatus::CreateFailed,
    ImageStatus::Deprecated,
    ImageStatus::Creating,
    ImageStatus::Waiting,
];

// ---- the plan of a store, and the model it implies -----------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Kind {
    Custom,
    System,
    Marketplace,
}

/// One image to put, with the states the test chose for it.
#[derive(Debug, Clone)]
struct Plan {
    kind: Kind,
    owner: usize,
    region: usize,
    status: ImageStatus,
    importing: bool,
    exporting: bool,
    copy_to: Option<usize>,
    community: bool,
    shares: BTreeSet<usize>,
    instance_owners: Vec<usize>,
    snapshots: BTreeSet<usize>,
}

/// What the test knows about an image.
#[derive(Debug, Clone, PartialEq)]
struct Known {
    owner: String,
    region: &'static str,
    custom: bool,
    community: bool,
    shared: BTreeSet<String>,
    blockers: BTreeSet<Blocker>,
    instances: BTreeSet<String>,
}

type Model = BTreeMap<String, Known>;

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![6 => Just(Kind::Custom), 1 => Just(Kind::System), 1 => Just(Kind::Marketplace)]
}

fn plan() -> impl Strategy<Value = Plan> {
    let rare = || prop::bool::weighted(0.2);
    (
        (
            kind(),
            0..ACCOUNTS.len(),
            0..REGIONS.len(),
            prop::sample::select(STATUSES.to_vec()),
        ),
        (
            rare(),
            rare(),
            prop::option::weighted(0.2, 0..REGIONS.len()),
            rare(),
        ),
        prop::option::weighted(0.25, prop::collection::btree_set(0..ACCOUNTS.len(), 1..3)),
        prop::option::weighted(0.3, prop::collection::vec(0..ACCOUNTS.len(), 1..3)),
        prop::collection::btree_set(0..4usize, 0..3),
    )
        .prop_map(
            |(
                (kind, owner, region, status),
                (importing, exporting, copy_to, community),
                shares,
                instances,
                snapshots,
            )| {
                let custom = matches!(kind, Kind::Custom);
                Plan {
                    kind,
                    owner,
                    region,
                    status,
                    importing: custom && importing,
                    exporting: custom && exporting,
                    copy_to: copy_to.filter(|_| custom),
                    community: custom && community,
                    shares: shares.filter(|_| custom).unwrap_or_default(),
                    instance_owners: instances.unwrap_or_default(),
                    snapshots,
                }
            },
        )
}

fn plans() -> impl Strategy<Value = Vec<Plan>> {
    prop::collection::vec(plan(), 1..7)
}

/// Puts the plans into a new store and returns it with the model of what it holds.
fn build(plans: &[Plan]) -> (ImageStore, Model) {
    let mut store = ImageStore::new();
    let mut model = Model::new();
    for (i, p) in plans.iter().enumerate() {
        let id = format!("m-{i}");
        let region = REGIONS[p.region];
        let mut spec = match p.kind {
            Kind::Custom => ImageSpec::custom(&id, ACCOUNTS[p.owner], region).with_status(p.status),
            Kind::System => ImageSpec::system(&id, region),
            Kind::Marketplace => ImageSpec::marketplace(&id, region),
        };
        let owner = match p.kind {
            Kind::Custom => ACCOUNTS[p.owner],
            Kind::System => ecs_image_rules::SYSTEM_OWNER,
            Kind::Marketplace => ecs_image_rules::MARKETPLACE_OWNER,
        };
        let mut known = Known {
            owner: owner.to_owned(),
            region,
            custom: matches!(p.kind, Kind::Custom),
            community: p.community,
            shared: BTreeSet::new(),
            blockers: BTreeSet::new(),
            instances: BTreeSet::new(),
        };
        if p.importing {
            spec = spec.importing();
            known.blockers.insert(Blocker::Importing);
        }
        if p.exporting {
            spec = spec.exporting();
            known.blockers.insert(Blocker::Exporting);
        }
        if let Some(to) = p.copy_to {
            spec = spec.copying_to(REGIONS[to]);
            known.blockers.insert(Blocker::Copying);
            let copy = Known {
                region: REGIONS[to],
                community: false,
                shared: BTreeSet::new(),
                blockers: BTreeSet::from([Blocker::Copying]),
                instances: BTreeSet::new(),
                ..known.clone()
            };
            model.insert(format!("{id}-copy1"), copy);
        }
        if p.community {
            spec = spec.community();
            known.blockers.insert(Blocker::Public);
        }
        for &a in p.shares.iter().filter(|&&a| ACCOUNTS[a] != owner) {
            spec = spec.add_share(ACCOUNTS[a]);
            known.shared.insert(ACCOUNTS[a].to_owned());
            known.blockers.insert(Blocker::Shared);
        }
        for (k, &a) in p.instance_owners.iter().enumerate() {
            let instance = format!("i-{i}-{k}");
            spec = spec.add_instance(&instance, ACCOUNTS[a]);
            known.instances.insert(instance);
            known.blockers.insert(Blocker::InUse);
        }
        for s in &p.snapshots {
            spec = spec.add_snapshot(&format!("s-{s}"));
        }
        store.put(spec).expect("a planned image fits the store");
        model.insert(id, known);
    }
    (store, model)
}

// ---- requests and profiles ----------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Req {
    /// `None`: the owner of the image, when that is one of the accounts.
    caller: Option<usize>,
    image: Index,
    /// `None`: the image's own region; `Some(REGIONS.len())`: a region the store does not know.
    region: Option<usize>,
    force: Option<bool>,
    dry_run: Option<bool>,
}

fn req() -> impl Strategy<Value = Req> {
    (
        prop::option::weighted(0.5, 0..ACCOUNTS.len()),
        any::<Index>(),
        prop::option::weighted(0.25, 0..=REGIONS.len()),
        prop::option::of(any::<bool>()),
        prop::option::weighted(0.3, any::<bool>()),
    )
        .prop_map(|(caller, image, region, force, dry_run)| Req {
            caller,
            image,
            region,
            force,
            dry_run,
        })
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        any::<bool>(),
        any::<bool>(),
        Just(SPEC_ORDER.to_vec()).prop_shuffle(),
    )
        .prop_map(|(doc2025, not_found, order)| {
            let catalog = if doc2025 {
                Catalog::Doc2025
            } else {
                Catalog::Doc2024_10
            };
            let missing = if not_found {
                MissingImage::NotFound
            } else {
                MissingImage::Ignore
            };
            Profile::default()
                .with_catalog(catalog)
                .with_missing_image(missing)
                .with_precedence(Precedence::new(&order).expect("a shuffle is a permutation"))
        })
}

/// The request's caller, region and image: one of the planned ids (or an unknown one).
fn target(model: &Model, r: &Req) -> (&'static str, &'static str, String) {
    let mut ids: Vec<&String> = model.keys().collect();
    let unknown = "m-unknown".to_owned();
    ids.push(&unknown);
    let image = r.image.get(&ids).to_string();
    let region = match r.region {
        Some(k) if k == REGIONS.len() => UNKNOWN_REGION,
        Some(k) => REGIONS[k],
        None => model.get(&image).map_or(REGIONS[0], |k| k.region),
    };
    let owner = model
        .get(&image)
        .and_then(|k| ACCOUNTS.iter().find(|a| **a == k.owner));
    let caller = match (r.caller, owner) {
        (Some(k), _) => ACCOUNTS[k],
        (None, Some(owner)) => owner,
        (None, None) => ACCOUNTS[0],
    };
    (caller, region, image)
}

/// The request as RPC parameters; booleans in a case that varies with the value.
fn params<'a>(region: &'a str, image: &'a str, r: &Req) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![("RegionId", region), ("ImageId", image)];
    let spell = |b: bool| if b { "True" } else { "false" };
    if let Some(force) = r.force {
        params.push(("Force", spell(force)));
    }
    if let Some(dry_run) = r.dry_run {
        params.push(("DryRun", spell(dry_run)));
    }
    params
}

#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Deleted,
    Ignored,
    Refused(u16, &'static str, String),
}

fn answer_of(result: &Result<Outcome, Error>) -> Answer {
    match result {
        Ok(Outcome::Deleted(_)) => Answer::Deleted,
        Ok(Outcome::Ignored) => Answer::Ignored,
        Err(e) => Answer::Refused(e.http_status(), e.code(), e.to_string()),
    }
}

fn blocked(blocker: Blocker, catalog: Catalog) -> Answer {
    let (code, message) = blocker_answer(blocker, catalog);
    Answer::Refused(403, code, message.to_owned())
}

/// The first blocker that holds in the profile's order, InUse skipped under Force.
fn first_blocker(known: &Known, profile: &Profile, force: bool) -> Option<Blocker> {
    profile
        .precedence
        .order()
        .iter()
        .copied()
        .find(|b| known.blockers.contains(b) && !(force && *b == Blocker::InUse))
}

/// What docs/contract.md says the request answers, from the model alone.
fn expected(
    model: &Model,
    caller: &str,
    region: &str,
    image: &str,
    r: &Req,
    profile: &Profile,
) -> Answer {
    let dry_run = r.dry_run == Some(true);
    let not_found = || {
        Answer::Refused(
            404,
            "InvalidImageId.NotFound",
            "The specified ImageId does not exist.".to_owned(),
        )
    };
    let dry = || {
        Answer::Refused(
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.".to_owned(),
        )
    };
    if region == UNKNOWN_REGION {
        return Answer::Refused(
            404,
            "InvalidRegionId.NotFound",
            "The specified RegionId does not exist.".to_owned(),
        );
    }
    let known = model.get(image).filter(|k| k.region == region);
    let absent = || match (profile.missing_image, dry_run) {
        (MissingImage::NotFound, _) => not_found(),
        (MissingImage::Ignore, true) => dry(),
        (MissingImage::Ignore, false) => Answer::Ignored,
    };
    let Some(known) = known else { return absent() };
    if !known.custom
        || (known.owner != caller && (known.community || known.shared.contains(caller)))
    {
        return not_found();
    }
    if known.owner != caller {
        return absent();
    }
    match first_blocker(known, profile, r.force == Some(true)) {
        Some(b) => blocked(b, profile.catalog),
        None if dry_run => dry(),
        None => Answer::Deleted,
    }
}

fn run(
    store: &mut ImageStore,
    caller: &str,
    params: &[(&str, &str)],
    profile: &Profile,
) -> Result<Outcome, Error> {
    let request = DeleteImageRequest::from_rpc_params(params.iter().copied())
        .expect("the test only sends well-formed parameters");
    store.delete_image(&account(caller), &request, profile)
}

/// Removes a deleted image from the model.
fn forget(model: &mut Model, image: &str) -> Known {
    model.remove(image).expect("only a known image is deleted")
}

// ---- properties -----------------------------------------------------------------------------------------

proptest! {
    /// Every answer, along a sequence of requests, is the one docs/contract.md gives for the plan;
    /// deletions report the planned instances, and refusals change nothing.
    #[test]
    fn answers_follow_the_plan(plans in plans(), reqs in prop::collection::vec(req(), 1..8), profile in profile()) {
        let (mut store, mut model) = build(&plans);
        for r in &reqs {
            let (caller, region, image) = target(&model, r);
            let want = expected(&model, caller, region, &image, r, &profile);
            let before = store.clone();
            let before_json = json(&store);
            let result = run(&mut store, caller, &params(region, &image, r), &profile);
            prop_assert_eq!(answer_of(&result), want.clone(), "{} asks {} in {}", caller, image, region);
            match result {
                Ok(Outcome::Deleted(deletion)) => {
                    let known = forget(&mut model, &image);
                    let flagged: BTreeSet<String> = deletion.instances_losing_reinit.iter().map(|i| i.to_string()).collect();
                    prop_assert_eq!(&flagged, &known.instances);
                    for instance in &known.instances {
                        prop_assert!(!store.can_reinitialize_system_disk(instance.as_str()).unwrap());
                    }
                    prop_assert!(store.image(&image).is_none());
                }
                _ => {
                    prop_assert_eq!(&store, &before);
                    prop_assert_eq!(json(&store), before_json);
                }
            }
        }
    }

    /// The answer is the first planned blocker in a random precedence, for own images.
    #[test]
    fn the_first_blocker_in_the_precedence_answers(plans in plans(), pick in any::<Index>(), profile in profile(), force in any::<bool>()) {
        let (mut store, model) = build(&plans);
        let custom: Vec<_> = model.iter().filter(|(_, k)| k.custom).collect();
        if custom.is_empty() {
            return Ok(()); // a plan of system and marketplace images only: no own image
        }
        let (image, known) = *pick.get(&custom);
        let r = Req { caller: None, image: pick, region: None, force: Some(force), dry_run: None };
        let result = run(&mut store, &known.owner, &params(known.region, image, &r), &profile);
        match first_blocker(known, &profile, force) {
            Some(b) => prop_assert_eq!(answer_of(&result), blocked(b, profile.catalog)),
            None => prop_assert_eq!(answer_of(&result), Answer::Deleted),
        }
    }

    /// Force=true changes the answer only where InUse is the first blocker that holds, and
    /// then to the next blocker, or to a deletion.
    #[test]
    fn force_changes_only_an_in_use_answer(plans in plans(), r in req(), profile in profile()) {
        let (store, model) = build(&plans);
        let (caller, region, image) = target(&model, &r);
        let without = Req { force: Some(false), ..r.clone() };
        let with = Req { force: Some(true), ..r };
        let a_without = answer_of(&run(&mut store.clone(), caller, &params(region, &image, &without), &profile));
        let a_with = answer_of(&run(&mut store.clone(), caller, &params(region, &image, &with), &profile));
        let in_use_first = blocked(Blocker::InUse, profile.catalog);
        if a_without == in_use_first {
            let known = &model[&image];
            let next = match first_blocker(known, &profile, true) {
                Some(b) => blocked(b, profile.catalog),
                None if with.dry_run == Some(true) => Answer::Refused(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.".to_owned()),
                None => Answer::Deleted,
            };
            prop_assert_eq!(a_with, next);
        } else {
            prop_assert_eq!(a_with, a_without);
        }
    }

    /// DryRun=true never changes the store and never succeeds.
    #[test]
    fn dry_run_never_changes_the_store(plans in plans(), r in req(), profile in profile()) {
        let (mut store, model) = build(&plans);
        let (caller, region, image) = target(&model, &r);
        let r = Req { dry_run: Some(true), ..r };
        let before = json(&store);
        let copy = store.clone();
        let result = run(&mut store, caller, &params(region, &image, &r), &profile);
        prop_assert!(result.is_err());
        prop_assert_eq!(json(&store), before);
        prop_assert_eq!(store, copy);
    }

    /// Deleting an image twice answers Deleted, then Ignored (or 404 under NotFound).
    #[test]
    fn deleting_twice(plans in plans(), pick in any::<Index>(), profile in profile()) {
        let (mut store, model) = build(&plans);
        let (image, known) = pick.get(&model.iter().collect::<Vec<_>>()).to_owned();
        let p = [("RegionId", known.region), ("ImageId", image.as_str()), ("Force", "true")];
        let first = run(&mut store, &known.owner, &p, &profile);
        if matches!(first, Ok(Outcome::Deleted(_))) {
            let second = answer_of(&run(&mut store, &known.owner, &p, &profile));
            match profile.missing_image {
                MissingImage::NotFound => prop_assert_eq!(second, Answer::Refused(404, "InvalidImageId.NotFound", "The specified ImageId does not exist.".to_owned())),
                _ => prop_assert_eq!(second, Answer::Ignored),
            }
        } else {
            // Only a blocker other than InUse, or not being the owner's own, stops a forced delete.
            let stops = !known.custom || known.blockers.iter().any(|b| *b != Blocker::InUse);
            prop_assert!(stops, "{:?} was not deleted: {:?}", known, first);
        }
    }

    /// No request by one account changes another account's images or their instances.
    #[test]
    fn no_request_changes_another_accounts_images(plans in plans(), reqs in prop::collection::vec(req(), 1..8), profile in profile()) {
        let (mut store, model) = build(&plans);
        for r in &reqs {
            let (caller, region, image) = target(&model, r);
            let others = |s: &ImageStore| {
                let mut images: Vec<_> = s.images().filter(|i| i.owner.as_str() != caller).cloned().collect();
                images.sort_by(|a, b| a.id.cmp(&b.id));
                let instances: Vec<Vec<String>> = images.iter().map(|i| s.instances_of(i.id.as_str()).map(|x| x.to_string()).collect()).collect();
                (images, instances)
            };
            let before = others(&store);
            let _ = run(&mut store, caller, &params(region, &image, r), &profile);
            prop_assert_eq!(others(&store), before);
        }
    }

    /// Parsing arbitrary parameters never panics: it gives a request, or a §1 parameter error.
    /// The whole wire path answers with one of the documented statuses.
    #[test]
    fn arbitrary_parameters_never_panic(
        pairs in prop::collection::vec((name(), value()), 0..8),
        plans in plans(),
    ) {
        let params: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        match DeleteImageRequest::from_rpc_params(params.iter().copied()) {
            Ok(request) => {
                let first = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
                prop_assert_eq!(Some(request.region_id.as_str()), first("RegionId"));
                prop_assert_eq!(Some(request.image_id.as_str()), first("ImageId"));
            }
            Err(e) => {
                prop_assert_eq!(e.http_status(), 400);
                prop_assert!(["MissingRegionId", "MissingImageId", "InvalidParameter"].contains(&e.code()), "{}", e.code());
            }
        }
        let (mut store, _) = build(&plans);
        let request_id = RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").unwrap();
        let (response, _) = wire::delete_image(&mut store, &account("alice"), params.iter().copied(), &Profile::default(), request_id);
        prop_assert!([200, 400, 403, 404].contains(&response.http_status));
        let body = serde_json::to_string(&response.body).unwrap();
        prop_assert!(body.starts_with(r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E""#), "{}", body);
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "RegionId", "ImageId", "Force", "DryRun", "regionid", "Format", ""
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "cn-hangzhou",
            "m-0",
            "m-1",
            "true",
            "TRUE",
            "False",
            "",
            "xx-nowhere-1",
            "yes"
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "[\\x00-\\x1f\\x7f ]{0,4}",
        "[!-~]{129,140}",
    ]
}
