//! `ClientToken` idempotence (docs/lifecycle.md, idempotence): a repeat with the same token and
//! parameters answers the first answer and creates nothing; other parameters are refused; tokens
//! are scoped per account and action; `DryRun` and refused calls leave no token; the table
//! survives a saved state. Codes and messages are written out from the docs.

mod common;

use std::fmt::Debug;

use ecs_image_rules::{
    AccountId, Action, Answer, ApiError, ClientToken, CopyImage, CreateImage, DeleteImageRequest,
    Error, ImageAttributes, ImageId, ImageName, ImageStore, Profile, RegionId, RunInstances, Step,
    StoreState, Tag, TagKey, TagValue,
};

fn acct(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}
fn hz() -> RegionId {
    RegionId::new("cn-hangzhou").unwrap()
}
fn token(s: &str) -> ClientToken {
    ClientToken::new(s).unwrap()
}

fn src() -> ImageId {
    ImageId::new("m-src").unwrap()
}

fn named(name: &str) -> CreateImage {
    CreateImage::new(hz()).with_attributes(ImageAttributes {
        name: Some(name.parse::<ImageName>().unwrap()),
        ..Default::default()
    })
}

fn json(store: &ImageStore) -> String {
    serde_json::to_string(store).unwrap()
}

/// The refusal's status, code and message, as the docs write them.
fn refused<T: Debug>(result: Result<T, Error>, status: u16, code: &str, message: &str) {
    let e = result.expect_err("the call should be refused");
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (status, code, message)
    );
}

fn mismatch<T: Debug>(result: Result<T, Error>) {
    refused(
        result,
        400,
        "IdempotentParameterMismatch",
        "The request is retried with updated parameters.",
    );
}

#[test]
fn a_repeated_create_image_answers_the_first_image_and_creates_nothing() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let request = named("golden").with_client_token(token("tok-1"));
    let first = store.create_image(&alice, request.clone()).unwrap();
    let after_first = json(&store);
    let images = store.image_count();
    let again = store.create_image(&alice, request.clone()).unwrap();
    assert_eq!(again, first);
    assert_eq!(store.image_count(), images);
    assert_eq!(json(&store), after_first, "a repeat changes nothing");
    // Without a token, the same parameters make a second image.
    let other = store
        .create_image(&alice, named("golden"))
        .expect("no token, no idempotence");
    assert_ne!(other, first);
    assert_eq!(store.image_count(), images + 1);
}

#[test]
fn the_same_token_with_other_parameters_is_refused_and_changes_nothing() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    store
        .create_image(&alice, named("golden").with_client_token(token("tok-1")))
        .unwrap();
    let before = json(&store);
    mismatch(store.create_image(&alice, named("silver").with_client_token(token("tok-1"))));
    // A tag is a parameter too.
    let tagged = named("golden")
        .add_tag(Tag {
            key: TagKey::new("env").unwrap(),
            value: TagValue::new("prod").unwrap(),
        })
        .with_client_token(token("tok-1"));
    mismatch(store.create_image(&alice, tagged));
    assert_eq!(json(&store), before);
}

#[test]
fn tokens_are_case_sensitive_and_scoped_per_account_and_action() {
    let mut store = common::store_with_source();
    let (alice, bob) = (acct("alice"), acct("bob"));
    let first = store
        .create_image(&alice, named("golden").with_client_token(token("tok")))
        .unwrap();
    let upper = store
        .create_image(&alice, named("golden").with_client_token(token("TOK")))
        .unwrap();
    assert_ne!(upper, first, "TOK is another token than tok");
    let bobs = store
        .create_image(&bob, named("golden").with_client_token(token("tok")))
        .unwrap();
    assert_ne!(bobs, first, "bob's token is not alice's");
    // The same token on RunInstances is another scope: it launches, it is no mismatch.
    let run = RunInstances::new(hz(), src()).with_client_token(token("tok"));
    let instances = store.run_instances(&alice, run).unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(store.client_token_count(), 4);
}

#[test]
fn run_instances_repeats_every_instance_id_and_launches_nothing() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let request = RunInstances::new(hz(), src())
        .with_amount(3)
        .with_client_token(token("123e4567-e89b-12d3-a456-426655440000"));
    let first = store.run_instances(&alice, request.clone()).unwrap();
    assert_eq!(first.len(), 3);
    let before = json(&store);
    assert_eq!(store.run_instances(&alice, request.clone()).unwrap(), first);
    assert_eq!(json(&store), before);
    assert_eq!(store.instances().count(), 3);
    mismatch(store.run_instances(&alice, request.with_amount(2)));
}

#[test]
fn copy_image_repeats_the_copy_and_its_task() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let bj = RegionId::new("cn-beijing").unwrap();
    let request = CopyImage::new(hz(), src(), bj.clone()).with_client_token(token("copy-1"));
    let first = store.copy_image(&alice, request.clone()).unwrap();
    let before = json(&store);
    assert_eq!(store.copy_image(&alice, request).unwrap(), first);
    assert_eq!(json(&store), before);
    let elsewhere = CopyImage::new(hz(), src(), RegionId::new("cn-shanghai").unwrap())
        .with_client_token(token("copy-1"));
    mismatch(store.copy_image(&alice, elsewhere));
}

#[test]
fn a_repeat_answers_the_first_answer_even_when_the_first_call_would_now_be_refused() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let request = RunInstances::new(hz(), src()).with_client_token(token("t"));
    let first = store.run_instances(&alice, request.clone()).unwrap();
    let delete = DeleteImageRequest::new(hz(), src()).with_force(true);
    store
        .delete_image(&alice, &delete, &Profile::default())
        .unwrap();
    assert!(store.image("m-src").is_none());
    refused(
        store.run_instances(&alice, RunInstances::new(hz(), src())),
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
    // The token remembers the call, not the image: the repeat still answers it.
    assert_eq!(store.run_instances(&alice, request).unwrap(), first);
}

#[test]
fn dry_run_neither_reads_nor_records_a_token() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let before = json(&store);
    refused(
        store.create_image(
            &alice,
            named("golden")
                .with_client_token(token("t"))
                .with_dry_run(true),
        ),
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    assert_eq!(json(&store), before);
    assert_eq!(store.client_token_count(), 0);
    // Other parameters with the token: no mismatch, the dry run left nothing.
    let made = store
        .create_image(&alice, named("silver").with_client_token(token("t")))
        .unwrap();
    // A dry run of a repeat checks again (and is not answered from the table).
    refused(
        store.create_image(
            &alice,
            named("silver")
                .with_client_token(token("t"))
                .with_dry_run(true),
        ),
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    assert_eq!(
        store
            .create_image(&alice, named("silver").with_client_token(token("t")))
            .unwrap(),
        made
    );
}

#[test]
fn a_refused_call_leaves_no_token() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let nowhere = RegionId::new("xx-nowhere-1").unwrap();
    refused(
        store.create_image(
            &alice,
            CreateImage::new(nowhere).with_client_token(token("t")),
        ),
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
    assert_eq!(store.client_token_count(), 0);
    store
        .create_image(&alice, named("golden").with_client_token(token("t")))
        .expect("the retry with corrected parameters is a first call");
}

#[test]
fn a_client_token_is_one_to_sixty_four_ascii_characters() {
    let invalid = |s: &str| {
        refused(
            ClientToken::new(s),
            400,
            "InvalidClientToken.ValueNotSupported",
            "The ClientToken provided is invalid.",
        )
    };
    assert!(ClientToken::new(&"a".repeat(64)).is_ok());
    invalid(&"a".repeat(65));
    invalid("");
    invalid("jeton-été");
    assert_eq!(token("Ab-1").as_str(), "Ab-1");
}

#[test]
fn steps_through_check_and_commit_are_idempotent_too() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let action = Action::CreateImage(named("golden").with_client_token(token("step")));
    let step = || Step::Call {
        caller: alice.clone(),
        action: action.clone(),
    };
    let first = store.perform(step(), &Profile::default()).unwrap();
    let Answer::Image(image) = &first else {
        panic!("CreateImage answers an image: {first:?}")
    };
    let before = json(&store);
    assert_eq!(store.perform(step(), &Profile::default()).unwrap(), first);
    let profile = Profile::default();
    let plan = ecs_image_rules::check(&store, &alice, &action, &profile).unwrap();
    let mut copy = store.clone();
    assert_eq!(copy.commit(plan).unwrap(), Answer::Image(image.clone()));
    assert_eq!(json(&copy), before);
    let other = Action::CreateImage(named("silver").with_client_token(token("step")));
    mismatch(ecs_image_rules::check(&store, &alice, &other, &Profile::default()).map(drop));
}

#[test]
fn the_token_table_survives_a_saved_state() {
    let mut store = common::store_with_source();
    let alice = acct("alice");
    let request = RunInstances::new(hz(), src())
        .with_amount(2)
        .with_client_token(token("persist"));
    let first = store.run_instances(&alice, request.clone()).unwrap();
    let image = store
        .create_image(&alice, named("golden").with_client_token(token("persist")))
        .unwrap();
    let saved = json(&store);
    assert!(saved.contains("\"clientTokens\""), "{saved}");

    // Streaming loader.
    let mut loaded: ImageStore = serde_json::from_str(&saved).unwrap();
    assert_eq!(loaded, store);
    assert_eq!(
        loaded.run_instances(&alice, request.clone()).unwrap(),
        first
    );
    assert_eq!(json(&loaded), saved);
    mismatch(loaded.run_instances(&alice, request.clone().with_amount(1)));

    // Plain lists.
    let state: StoreState = serde_json::from_str(&saved).unwrap();
    assert_eq!(state.client_tokens.len(), 2);
    let mut listed = ImageStore::from_state(state).unwrap();
    assert_eq!(
        listed
            .create_image(&alice, named("golden").with_client_token(token("persist")))
            .unwrap(),
        image
    );
    assert_eq!(listed.to_state(), store.to_state());
}

#[test]
fn a_store_without_tokens_writes_no_token_table() {
    let store = common::store_with_source();
    assert!(!json(&store).contains("clientTokens"));
}
