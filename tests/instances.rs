//! Instance statuses: RunInstances makes a Pending instance, the service settles it, and
//! StartInstance, StopInstance, RebootInstance and DeleteInstance accept only the statuses the
//! docs allow (docs/lifecycle.md, instances). Every refusal is written out by hand from the
//! docs, and a refused call changes nothing. DescribeInstances filters on `InstanceIds` and
//! `Status`.

use ecs_image_rules::{
    AccountId, Action, ApiError, DeleteInstance, DescribeInstances, Error, ImageId, ImageSpec,
    ImageStore, InstanceId, InstancePower, InstanceStatus, Page, PowerAction, Profile, Progress,
    RegionId, RunInstances, Step,
};

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn hz() -> RegionId {
    RegionId::new("cn-hangzhou").unwrap()
}

const WRONG_STATUS: (u16, &str, &str) = (
    403,
    "IncorrectInstanceStatus",
    "The current status of the resource does not support this operation.",
);
const INITIALIZING: (u16, &str, &str) = (
    403,
    "IncorrectInstanceStatus.Initializing",
    "The specified instance status does not support this operation.",
);
const NOT_CHANGING: (u16, &str, &str) = (
    400,
    "IncorrectInstanceStatus",
    "The specified instance is not changing status.",
);
const NO_INSTANCE: (u16, &str, &str) = (
    404,
    "InvalidInstanceId.NotFound",
    "The specified InstanceId does not exist.",
);

/// A store with alice's image `m-a` and one instance of hers made from it, still Pending.
fn pending() -> (ImageStore, InstanceId) {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-a", "alice", "cn-hangzhou"))
        .unwrap();
    let instance = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-a").unwrap()),
        )
        .unwrap()
        .remove(0);
    (store, instance)
}

fn status(store: &ImageStore, instance: &InstanceId) -> InstanceStatus {
    store.instance(instance.as_str()).unwrap().status
}

fn power(action: PowerAction, instance: &InstanceId) -> Action {
    Action::InstancePower(InstancePower::new(action, instance.clone()))
}

fn delete(instance: &InstanceId, force: bool) -> Action {
    Action::DeleteInstance(DeleteInstance::new(instance.clone()).with_force(force))
}

/// The call is refused exactly so, and the store is as it was.
fn refused(store: &mut ImageStore, action: Action, (status, code, message): (u16, &str, &str)) {
    let name = format!("{action:?}");
    let before = serde_json::to_string(&*store).unwrap();
    let e: Error = store
        .perform(
            Step::Call {
                caller: alice(),
                action,
            },
            &Profile::default(),
        )
        .expect_err(&name);
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (status, code, message),
        "{name}"
    );
    assert_eq!(serde_json::to_string(&*store).unwrap(), before, "{name}");
}

fn call(store: &mut ImageStore, action: Action) {
    let name = format!("{action:?}");
    store
        .perform(
            Step::Call {
                caller: alice(),
                action,
            },
            &Profile::default(),
        )
        .expect(&name);
}

#[test]
fn a_new_instance_is_pending_until_the_service_settles_it() {
    let (mut store, instance) = pending();
    assert_eq!(status(&store, &instance), InstanceStatus::Pending);
    // Nothing but the service moves a Pending instance on; a forced delete is retried by
    // Packer on exactly this code.
    refused(&mut store, delete(&instance, true), INITIALIZING);
    refused(&mut store, delete(&instance, false), INITIALIZING);
    refused(
        &mut store,
        power(PowerAction::Stop, &instance),
        WRONG_STATUS,
    );
    refused(
        &mut store,
        power(PowerAction::Start, &instance),
        WRONG_STATUS,
    );
    refused(
        &mut store,
        power(PowerAction::Reboot, &instance),
        WRONG_STATUS,
    );

    assert_eq!(
        store.settle_instance(&instance).unwrap(),
        InstanceStatus::Running
    );
    assert_eq!(status(&store, &instance), InstanceStatus::Running);
    let e = store.settle_instance(&instance).unwrap_err();
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        NOT_CHANGING,
        "a Running instance is not changing"
    );
}

#[test]
fn stop_start_reboot_follow_the_documented_paths() {
    let (mut store, instance) = pending();
    store.settle_instance(&instance).unwrap();

    // Running: StartInstance is refused, StopInstance makes it Stopping.
    refused(
        &mut store,
        power(PowerAction::Start, &instance),
        WRONG_STATUS,
    );
    call(&mut store, power(PowerAction::Stop, &instance));
    assert_eq!(status(&store, &instance), InstanceStatus::Stopping);
    // While it stops, nothing is accepted, not even a forced delete.
    refused(
        &mut store,
        power(PowerAction::Stop, &instance),
        WRONG_STATUS,
    );
    refused(
        &mut store,
        power(PowerAction::Start, &instance),
        WRONG_STATUS,
    );
    refused(&mut store, delete(&instance, true), WRONG_STATUS);
    store
        .perform(
            Step::Progress(Progress::SettleInstance(instance.clone())),
            &Profile::default(),
        )
        .unwrap();
    assert_eq!(status(&store, &instance), InstanceStatus::Stopped);

    // Stopped: stopping or rebooting again is refused; StartInstance makes it Starting.
    refused(
        &mut store,
        power(PowerAction::Stop, &instance),
        WRONG_STATUS,
    );
    refused(
        &mut store,
        power(PowerAction::Reboot, &instance),
        WRONG_STATUS,
    );
    call(&mut store, power(PowerAction::Start, &instance));
    assert_eq!(status(&store, &instance), InstanceStatus::Starting);
    refused(&mut store, delete(&instance, true), WRONG_STATUS);
    assert_eq!(
        store.settle_instance(&instance).unwrap(),
        InstanceStatus::Running
    );

    // RebootInstance: Running → Starting → Running.
    call(&mut store, power(PowerAction::Reboot, &instance));
    assert_eq!(status(&store, &instance), InstanceStatus::Starting);
    store.settle_instance(&instance).unwrap();
    assert_eq!(status(&store, &instance), InstanceStatus::Running);
}

#[test]
fn delete_instance_needs_force_while_running_and_nothing_once_stopped() {
    let (mut store, instance) = pending();
    store.settle_instance(&instance).unwrap();
    refused(&mut store, delete(&instance, false), WRONG_STATUS);
    // DryRun with Force checks only.
    refused(
        &mut store,
        Action::DeleteInstance(
            DeleteInstance::new(instance.clone())
                .with_force(true)
                .with_dry_run(true),
        ),
        (
            400,
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        ),
    );
    call(&mut store, delete(&instance, true));
    assert!(store.instance(instance.as_str()).is_none());
    refused(&mut store, delete(&instance, true), NO_INSTANCE);

    // A stopped instance goes without Force.
    let (mut store, instance) = pending();
    store.settle_instance(&instance).unwrap();
    call(&mut store, power(PowerAction::Stop, &instance));
    store.settle_instance(&instance).unwrap();
    call(&mut store, delete(&instance, false));
    assert!(store.instance(instance.as_str()).is_none());
}

#[test]
fn power_actions_on_someone_elses_or_no_instance_are_not_found() {
    let (mut store, instance) = pending();
    store.settle_instance(&instance).unwrap();
    let bob = AccountId::new("bob").unwrap();
    let before = serde_json::to_string(&store).unwrap();
    let e = store
        .power_instance(
            &bob,
            InstancePower::new(PowerAction::Stop, instance.clone()),
        )
        .unwrap_err();
    assert_eq!((e.http_status(), e.code(), &*e.message()), NO_INSTANCE);
    let elsewhere = InstancePower::new(PowerAction::Stop, instance.clone())
        .with_region_id(RegionId::new("cn-beijing").unwrap());
    let e = store.power_instance(&alice(), elsewhere).unwrap_err();
    assert_eq!((e.http_status(), e.code(), &*e.message()), NO_INSTANCE);
    assert_eq!(serde_json::to_string(&store).unwrap(), before);
    let e = store
        .settle_instance(&InstanceId::new("i-none").unwrap())
        .unwrap_err();
    assert_eq!((e.http_status(), e.code(), &*e.message()), NO_INSTANCE);
}

#[test]
fn describe_instances_filters_by_ids_and_status() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-a", "alice", "cn-hangzhou"))
        .unwrap();
    let made = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-a").unwrap()).with_amount(3),
        )
        .unwrap();
    store.settle_instance(&made[0]).unwrap();
    store.settle_instance(&made[2]).unwrap();
    let ids = |listing: ecs_image_rules::Listing<&ecs_image_rules::Instance>| {
        (
            listing.total_count,
            listing
                .items
                .iter()
                .map(|i| i.id.clone())
                .collect::<Vec<_>>(),
        )
    };
    let mut sorted = made.clone();
    sorted.sort();

    let mut running = DescribeInstances::new(hz());
    running.status = Some(InstanceStatus::Running);
    let (total, listed) = ids(store.describe_instances(&alice(), &running).unwrap());
    let mut expected = vec![made[0].clone(), made[2].clone()];
    expected.sort();
    assert_eq!((total, listed), (2, expected));

    let mut pending = DescribeInstances::new(hz());
    pending.status = Some(InstanceStatus::Pending);
    assert_eq!(
        ids(store.describe_instances(&alice(), &pending).unwrap()),
        (1, vec![made[1].clone()])
    );

    // InstanceIds: only those, in id order, repeats once, unknown ids dropped; with Status too.
    let mut by_id = DescribeInstances::new(hz());
    by_id.instance_ids = vec![
        made[2].clone(),
        InstanceId::new("i-unknown").unwrap(),
        made[1].clone(),
        made[2].clone(),
    ];
    let mut expected = vec![made[1].clone(), made[2].clone()];
    expected.sort();
    assert_eq!(
        ids(store.describe_instances(&alice(), &by_id).unwrap()),
        (2, expected)
    );
    by_id.status = Some(InstanceStatus::Pending);
    assert_eq!(
        ids(store.describe_instances(&alice(), &by_id).unwrap()),
        (1, vec![made[1].clone()])
    );
    // Someone else's ids find nothing.
    let bob = AccountId::new("bob").unwrap();
    assert_eq!(
        ids(store.describe_instances(&bob, &by_id).unwrap()),
        (0, vec![])
    );

    // Paging applies after the status filter.
    let mut second = running.clone();
    second.page = Page::new(Some(2), Some(1)).unwrap();
    assert_eq!(
        ids(store.describe_instances(&alice(), &second).unwrap()),
        (
            2,
            vec![
                sorted
                    .iter()
                    .filter(|i| **i != made[1])
                    .nth(1)
                    .unwrap()
                    .clone()
            ]
        )
    );

    // More than 100 distinct ids is InvalidParameter on InstanceIds [D: up to 100].
    let mut many = DescribeInstances::new(hz());
    many.instance_ids = (0..101)
        .map(|n| InstanceId::new(&format!("i-{n}")).unwrap())
        .collect();
    let e = store.describe_instances(&alice(), &many).unwrap_err();
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (
            400,
            "InvalidParameter",
            "The specified parameter \"InstanceIds\" is not valid."
        )
    );
    many.instance_ids.truncate(100);
    assert!(store.describe_instances(&alice(), &many).is_ok());
}

#[test]
fn status_names_parse_as_the_api_spells_them() {
    for (name, status) in [
        ("Pending", InstanceStatus::Pending),
        ("Starting", InstanceStatus::Starting),
        ("Running", InstanceStatus::Running),
        ("Stopping", InstanceStatus::Stopping),
        ("Stopped", InstanceStatus::Stopped),
    ] {
        assert_eq!(name.parse::<InstanceStatus>().unwrap(), status);
        assert_eq!(status.as_str(), name);
    }
    assert!("running".parse::<InstanceStatus>().is_err());
}
