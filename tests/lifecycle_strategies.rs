//! The `proptest` feature's strategies, used as a user would: arbitrary stores, requests and
//! action sequences. Run with `cargo test --features proptest`.
#![cfg(feature = "proptest")]

use ecs_image_rules::{ImageKind, ImageStore, Profile, strategies};
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
    for _ in 0..64 {
        let store = strategies::store().new_tree(&mut runner).unwrap().current();
        tasks += store.running_tasks().len();
        ended += store.ended_tasks().count();
        instances += store.instances().count();
        shared += store
            .images()
            .filter(|i| !i.visibility.shared_with.is_empty())
            .count();
    }
    assert!(
        tasks > 0 && ended > 0 && instances > 0 && shared > 0,
        "running {tasks}, ended {ended}, instances {instances}, shared {shared}"
    );
}
