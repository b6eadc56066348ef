//! The `proptest` feature's strategies, used as a user would: arbitrary stores, requests and
//! action sequences. Run with `cargo test --features proptest`.
#![cfg(feature = "proptest")]

use std::collections::BTreeSet;

use ecs_image_rules::{
    Action, Answer, ApiError, Blocker, DeleteImageRequest, ImageKind, ImageStore, InstanceStatus,
    Outcome, Profile, Step, blockers, strategies,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every action, on any reachable store: a refusal leaves the serialized store unchanged,
    /// and whatever happens the store still loads from its own snapshot.
    #[test]
    fn a_refused_request_changes_nothing((store, step) in strategies::store_and_request()) {
        let mut store = store;
        let before = serde_json::to_string(&store).unwrap();
        let answer = store.perform(step.clone(), &Profile::default());
        if answer.is_err() {
            prop_assert_eq!(serde_json::to_string(&store).unwrap(), before, "{:?}", step);
        }
        prop_assert_eq!(ImageStore::from_state(store.to_state()).unwrap(), store);
    }

    /// The same script on the same store gives the same answers, ids included.
    #[test]
    fn a_script_replays_identically(script in strategies::script(0..40)) {
        let mut first = strategies::seeded_store();
        let mut second = strategies::seeded_store();
        let answers = strategies::play(&mut first, &script, &Profile::default());
        prop_assert_eq!(answers, strategies::play(&mut second, &script, &Profile::default()));
        prop_assert_eq!(first, second);
    }

    /// Whatever status its instances are in (Pending, Starting, Running, Stopping, Stopped),
    /// an image is InUse exactly while one of them exists; DeleteImage without Force is
    /// refused for it, and with Force takes the re-initialization from exactly those.
    #[test]
    fn in_use_follows_the_instances_whatever_their_status(store in strategies::store()) {
        let custom: Vec<_> = store
            .images()
            .filter(|i| i.kind == ImageKind::Custom)
            .cloned()
            .collect();
        for image in custom {
            let made: BTreeSet<String> = store
                .instances()
                .filter(|i| i.image == image.id)
                .map(|i| i.id.to_string())
                .collect();
            let held = blockers(&store, &image.id);
            prop_assert_eq!(held.contains(&Blocker::InUse), !made.is_empty(), "{}", image.id);
            if held != [Blocker::InUse] {
                continue;
            }
            let delete = |force| Step::Call {
                caller: image.owner.clone(),
                action: Action::DeleteImage(
                    DeleteImageRequest::new(image.region.clone(), image.id.clone()).with_force(force),
                ),
            };
            let mut refused = store.clone();
            let answer = refused.perform(delete(false), &Profile::default());
            prop_assert_eq!(answer.unwrap_err().code(), "ImageUsingByInstance");
            let mut forced = store.clone();
            match forced.perform(delete(true), &Profile::default()) {
                Ok(Answer::DeleteImage(Outcome::Deleted(deletion))) => {
                    let losing: BTreeSet<String> = deletion
                        .instances_losing_reinit
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    prop_assert_eq!(losing, made, "{}", image.id);
                }
                other => prop_assert!(false, "forced DeleteImage of {}: {:?}", image.id, other),
            }
        }
    }
}

#[test]
fn the_seeded_store_has_a_system_and_a_marketplace_image_per_region() {
    let store = strategies::seeded_store();
    assert_eq!(store.image_count(), 2 * strategies::REGIONS.len());
    for region in strategies::REGIONS {
        let kind = |id: String| store.image(&id).unwrap().kind;
        assert_eq!(kind(format!("sys-{region}")), ImageKind::System);
        assert_eq!(kind(format!("mkt-{region}")), ImageKind::Marketplace);
    }
}

#[test]
fn arbitrary_stores_reach_interesting_states() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut tasks, mut ended, mut instances, mut shared) = (0, 0, 0, 0);
    let mut statuses = BTreeSet::new();
    let mut only_in_use = 0;
    for _ in 0..64 {
        let store = strategies::store().new_tree(&mut runner).unwrap().current();
        tasks += store.running_tasks().len();
        ended += store.ended_tasks().count();
        instances += store.instances().count();
        statuses.extend(store.instances().map(|i| format!("{:?}", i.status)));
        only_in_use += store
            .images()
            .filter(|i| blockers(&store, &i.id) == [Blocker::InUse])
            .count();
        shared += store
            .images()
            .filter(|i| !i.visibility.shared_with.is_empty())
            .count();
    }
    assert!(
        tasks > 0 && ended > 0 && instances > 0 && shared > 0,
        "running {tasks}, ended {ended}, instances {instances}, shared {shared}"
    );
    let every: BTreeSet<String> = InstanceStatus::ALL
        .iter()
        .map(|s| format!("{s:?}"))
        .collect();
    assert_eq!(statuses, every, "instances in every status");
    assert!(
        only_in_use > 0,
        "images held by InUse alone, for the forced deletions"
    );
}
