//! Progress policies: which work is due at a time under each pace, pinned work that no pace
//! moves, refused calls that leave the clock alone, and the schedule surviving a saved state.

use std::time::Duration;

use ecs_image_rules::{
    AccountId, CreateImage, ExportImage, ImageId, ImageSpec, ImageStatus, ImageStore,
    InstanceStatus, Pace, Profile, Progress, ProgressPolicy, RegionId, RunInstances, Step,
    StoreState, Timestamp, Work, WorkKind,
};

/// The steps that end what is due.
fn steps(store: &ImageStore, policy: &ProgressPolicy, now: Timestamp) -> Vec<Progress> {
    store.due(policy, now).iter().map(Work::done).collect()
}

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn hz() -> RegionId {
    RegionId::new("cn-hangzhou").unwrap()
}
fn at(seconds: u64) -> Timestamp {
    Timestamp::from_unix_millis(1_800_000_000_000 + seconds * 1000).unwrap()
}

/// A store at t=0 with alice's image `m-a`, one CreateImage started at t=0 and an instance
/// started at t=5.
fn store() -> (ImageStore, ImageId, ecs_image_rules::InstanceId) {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-a", "alice", "cn-hangzhou"))
        .unwrap();
    store.advance_clock(at(0));
    let made = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    store.advance_clock(at(5));
    let instance = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), ImageId::new("m-a").unwrap()),
        )
        .unwrap()
        .remove(0);
    (store, made, instance)
}

#[test]
fn policies_parse_and_print_as_written() {
    let policy: ProgressPolicy =
        "manual,instance=immediate,import=after:0.5,copy=after-describes:3"
            .parse()
            .unwrap();
    assert_eq!(policy.pace(WorkKind::ImageCreation), Pace::Manual);
    assert_eq!(policy.pace(WorkKind::Instance), Pace::Immediate);
    assert_eq!(
        policy.pace(WorkKind::Import),
        Pace::After(Duration::from_millis(500))
    );
    assert_eq!(policy.pace(WorkKind::Copy), Pace::AfterDescribes(3));
    assert_eq!(
        policy.to_string(),
        "manual,import=after:0.500,copy=after-describes:3,instance=immediate"
    );
    assert_eq!(
        policy.to_string().parse::<ProgressPolicy>().unwrap(),
        policy
    );
    assert_eq!(ProgressPolicy::default().to_string(), "after:1");
    for bad in [
        "soon",
        "after:",
        "after:-1",
        "after-describes:x",
        "disk=manual",
        "",
    ] {
        assert!(bad.parse::<ProgressPolicy>().is_err(), "{bad}");
    }
}

#[test]
fn after_seconds_is_due_once_that_long_has_passed() {
    let (store, image, instance) = store();
    let policy: ProgressPolicy = "after:10".parse().unwrap();
    assert_eq!(steps(&store, &policy, at(9)), vec![]);
    assert_eq!(
        steps(&store, &policy, at(10)),
        vec![Progress::FinishCreateImage(image.clone())]
    );
    assert_eq!(
        steps(&store, &policy, at(15)),
        vec![
            Progress::FinishCreateImage(image.clone()),
            Progress::SettleInstance(instance.clone())
        ]
    );
    // Half-way through the image's wait.
    assert_eq!(
        store.percent_done(&Work::Creation(image), &policy, at(5)),
        50
    );
}

#[test]
fn immediate_manual_and_per_kind_paces() {
    let (store, image, instance) = store();
    let immediate = ProgressPolicy::uniform(Pace::Immediate);
    assert_eq!(steps(&store, &immediate, at(5)).len(), 2);
    assert_eq!(
        steps(&store, &ProgressPolicy::manual(), at(1_000_000)),
        vec![]
    );
    let only_instances = ProgressPolicy::manual().with_pace(WorkKind::Instance, Pace::Immediate);
    assert_eq!(
        steps(&store, &only_instances, at(5)),
        vec![Progress::SettleInstance(instance)]
    );
    // after-describes is counted by the caller: the store lists what to count for.
    let counted = ProgressPolicy::uniform(Pace::AfterDescribes(2));
    assert_eq!(store.due(&counted, at(1_000)), vec![]);
    assert_eq!(
        store.scheduled(WorkKind::ImageCreation).collect::<Vec<_>>(),
        vec![&Work::Creation(image)]
    );
}

#[test]
fn performed_or_cancelled_work_leaves_the_schedule() {
    let (mut store, image, instance) = store();
    let immediate = ProgressPolicy::uniform(Pace::Immediate);
    for step in steps(&store, &immediate, at(6)) {
        store
            .perform(Step::Progress(step), &Profile::default())
            .unwrap();
    }
    assert_eq!(
        store.image(image.as_str()).unwrap().status,
        ImageStatus::Available
    );
    assert_eq!(
        store.instance(instance.as_str()).unwrap().status,
        InstanceStatus::Running
    );
    assert_eq!(steps(&store, &immediate, at(6)), vec![]);
    // An export started and then cancelled is no longer due.
    let task = store
        .export_image(
            &alice(),
            ExportImage::new(hz(), image).with_oss_bucket("bucket"),
        )
        .unwrap();
    assert_eq!(
        steps(&store, &immediate, at(7)),
        vec![Progress::CompleteTask(task.clone())]
    );
    store
        .cancel_task(&alice(), ecs_image_rules::CancelTask::new(hz(), task))
        .unwrap();
    assert_eq!(steps(&store, &immediate, at(7)), vec![]);
}

#[test]
fn work_a_world_lists_without_a_schedule_is_pinned() {
    let mut loaded = ImageStore::new();
    loaded
        .put(ImageSpec::custom("m-imp", "alice", "cn-hangzhou").importing())
        .unwrap();
    assert!(loaded.tasks().count() == 1);
    let immediate = ProgressPolicy::uniform(Pace::Immediate);
    assert_eq!(loaded.due(&immediate, at(1_000)), vec![]);

    // The schedule travels with a saved state; an entry for work not in progress is refused.
    let (store, image, _) = store();
    let state = store.to_state();
    assert_eq!(state.progress.len(), 2);
    let reloaded = ImageStore::from_state(state.clone()).unwrap();
    assert_eq!(
        steps(&reloaded, &immediate, at(6)),
        steps(&store, &immediate, at(6))
    );
    let mut broken: StoreState = state;
    broken.progress[0].work = Work::Creation(ImageId::new("m-a").unwrap());
    assert_eq!(
        ImageStore::from_state(broken).unwrap_err().to_string(),
        "the schedule lists Creation(ImageId(\"m-a\")), which is not in progress"
    );
    let _ = image;
}

#[test]
fn a_refused_call_at_a_time_leaves_the_clock_as_it_was() {
    let (mut store, _, _) = store();
    let before = store.now();
    let refused = store.at(at(100), |s| {
        let r = s.create_image(
            &alice(),
            CreateImage::new(RegionId::new("xx-none").unwrap()),
        );
        let changed = r.is_ok();
        (r, changed)
    });
    assert!(refused.is_err());
    assert_eq!(store.now(), before);
    let made = store.at(at(100), |s| {
        let r = s.create_image(&alice(), CreateImage::new(hz()));
        let changed = r.is_ok();
        (r, changed)
    });
    assert!(made.is_ok());
    assert_eq!(store.now(), at(100));
}

/// An image's `Progress` and a task's `TaskProcess` are read from the pace: the share of an
/// `after:` wait that has passed (at most 99 until done), 100 once done, 0 when it failed or
/// no pace says; and the time left is the rest of the wait.
#[test]
fn image_and_task_progress_follow_the_pace() {
    use ecs_image_rules::{CopyImage, ImportDisk, ImportImage};
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-a", "alice", "cn-hangzhou"))
        .unwrap();
    store.advance_clock(at(0));
    let created = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let copy = store
        .copy_image(
            &alice(),
            CopyImage::new(hz(), ImageId::new("m-a").unwrap(), hz()),
        )
        .unwrap();
    let import = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "disk.raw")),
        )
        .unwrap();
    let image = |store: &ImageStore, id: &str| store.image(id).unwrap().clone();
    let policy: ProgressPolicy = "after:10,copy=after:20,import=manual".parse().unwrap();
    let percent =
        |store: &ImageStore, id: &str, now| store.image_percent(&image(store, id), &policy, now);
    assert_eq!(percent(&store, created.as_str(), at(4)), 40);
    assert_eq!(percent(&store, copy.image.as_str(), at(4)), 20);
    assert_eq!(percent(&store, import.image.as_str(), at(4)), 0);
    assert_eq!(percent(&store, "m-a", at(4)), 100);
    // Never 100 while it is still being made, even past its time.
    assert_eq!(percent(&store, created.as_str(), at(30)), 99);
    assert_eq!(store.task_percent(&copy.task, &policy, at(5)), 25);
    assert_eq!(
        store.work_making(&image(&store, import.image.as_str())),
        Some(Work::Task(import.task.clone()))
    );
    let left = |store: &ImageStore, id: &str| {
        let work = store.work_making(&image(store, id)).unwrap();
        store.time_left(&work, &policy, at(4))
    };
    assert_eq!(left(&store, created.as_str()), Some(Duration::from_secs(6)));
    assert_eq!(
        left(&store, copy.image.as_str()),
        Some(Duration::from_secs(16))
    );
    assert_eq!(left(&store, import.image.as_str()), None);

    store.complete_task(&copy.task).unwrap();
    store.fail_task(&import.task).unwrap();
    store.fail_create_image(&created).unwrap();
    assert_eq!(store.task_percent(&copy.task, &policy, at(5)), 100);
    assert_eq!(store.task_percent(&import.task, &policy, at(5)), 0);
    assert_eq!(percent(&store, copy.image.as_str(), at(5)), 100);
    assert_eq!(percent(&store, created.as_str(), at(5)), 0);
}
