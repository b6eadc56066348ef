//! The lifecycle transitions one by one: each effect, each refusal with its exact status, code
//! and message (written out from docs/lifecycle.md), the id generator, the
//! snapshot bookkeeping, and the queries.

use std::fmt::Debug;

use ecs_image_rules::{
    AccountId, Action, Answer, ApiError, AttributeStatus, Blocker, CancelCopyImage, CancelTask,
    Catalog, CopyImage, CreateImage, DeleteImageRequest, DeleteInstance, EndedTask, Error,
    ExportImage, ImageFilter, ImageId, ImageSpec, ImageStatus, ImageStore, ImportDisk, ImportImage,
    Instance, InstanceId, InvariantError, ModifyImageAttribute, ModifyImageSharePermission,
    NewImage, Outcome, OwnerAlias, Profile, Progress, RegionId, RunInstances, SnapshotId, Step,
    StoreState, TaskEnd, TaskId, TaskKind,
};

// ---- one-line helpers --------------------------------------------------------------------

fn acct(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}
fn rg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}
fn img(s: &str) -> ImageId {
    ImageId::new(s).unwrap()
}
fn hz() -> RegionId {
    rg("cn-hangzhou")
}
fn bj() -> RegionId {
    rg("cn-beijing")
}
fn alice() -> AccountId {
    acct("alice")
}
fn bob() -> AccountId {
    acct("bob")
}

/// Asserts a refusal's status, code and message (and that Display is the message).
fn refused<T: Debug>(result: Result<T, Error>, status: u16, code: &str, message: &str) {
    let e = result.expect_err("the transition should be refused");
    assert_eq!(
        (e.http_status(), e.code(), &*e.message()),
        (status, code, message)
    );
    assert_eq!(e.to_string(), message);
}

/// Runs a transition that must be refused and checks the store did not change at all.
fn refused_unchanged<T: Debug>(
    store: &mut ImageStore,
    run: impl FnOnce(&mut ImageStore) -> Result<T, Error>,
    status: u16,
    code: &str,
    message: &str,
) {
    let before = serde_json::to_string(&*store).unwrap();
    refused(run(store), status, code, message);
    assert_eq!(
        serde_json::to_string(&*store).unwrap(),
        before,
        "a refusal changed the store"
    );
}

/// A refusal as the wire writes it: HTTP status, code and message.
type Refusal = (u16, &'static str, &'static str);

const NO_REGION: Refusal = (
    404,
    "InvalidRegionId.NotFound",
    "The specified RegionId does not exist.",
);
const NO_IMAGE: Refusal = (
    404,
    "InvalidImageId.NotFound",
    "The specified ImageId does not exist.",
);

/// Each call of the table is refused exactly so (and `Display` is the message), and leaves the
/// store as it was.
fn refusals(store: &mut ImageStore, rows: Vec<(AccountId, Action, Refusal)>) {
    let steps = rows
        .into_iter()
        .map(|(caller, action, refusal)| (Step::Call { caller, action }, refusal));
    refused_steps(store, steps.collect());
}

/// Each step of the table, a call or the service's own progress, is refused exactly so (and
/// `Display` is the message), and leaves the store as it was.
fn refused_steps(store: &mut ImageStore, rows: Vec<(Step, Refusal)>) {
    for (step, (status, code, message)) in rows {
        let name = format!("{step:?}");
        let before = serde_json::to_string(&*store).unwrap();
        let e = store.perform(step, &Profile::default()).expect_err(&name);
        assert_eq!(
            (e.http_status(), e.code(), &*e.message()),
            (status, code, message),
            "{name}"
        );
        assert_eq!(e.to_string(), message, "{name}");
        let after = serde_json::to_string(&*store).unwrap();
        assert_eq!(after, before, "{name} changed the store");
    }
}

const TASK_NOT_FOUND: Refusal = (
    400,
    "InvalidTaskId.NotFound",
    "The specified \"TaskId\" is not found.",
);
const TASK_ENDED: Refusal = (
    403,
    "InvalidTaskId.IncorrectTaskStatus",
    "The specified task status is not invalid.",
);

fn status(store: &ImageStore, image: &ImageId) -> &'static str {
    store.image(image.as_str()).unwrap().status.as_str()
}

/// An Available image of alice's in cn-hangzhou, made the way the service makes one.
fn available(store: &mut ImageStore, owner: &AccountId) -> ImageId {
    let id = store.create_image(owner, CreateImage::new(hz())).unwrap();
    store.finish_create_image(&id).unwrap();
    id
}

fn share(store: &mut ImageStore, owner: &AccountId, image: &ImageId, with: &[&str]) {
    let mut request = ModifyImageSharePermission::new(hz(), image.clone());
    request.add_accounts = with.iter().map(|a| acct(a)).collect();
    store.modify_image_share_permission(owner, request).unwrap();
}

fn assert_generated(id: &str, prefix: &str) {
    let rest = id
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{id} lacks {prefix}"));
    assert_eq!(rest.len(), 20, "{id}");
    assert!(
        rest.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{id}"
    );
}

// ---- CreateImage -------------------------------------------------------------------------

#[test]
fn create_image_makes_a_private_creating_image_that_finishes_or_fails() {
    let mut store = ImageStore::new();
    let request = CreateImage::new(hz()).add_snapshot(SnapshotId::new("s-1").unwrap());
    let id = store.create_image(&alice(), request).unwrap();
    assert_generated(id.as_str(), "m-");
    let image = store.image(id.as_str()).unwrap();
    assert_eq!(
        (image.owner.as_str(), image.region.as_str()),
        ("alice", "cn-hangzhou")
    );
    assert_eq!(status(&store, &id), "Creating");
    assert_eq!(image.snapshots[0].as_str(), "s-1");
    assert!(image.visibility.shared_with.is_empty() && !image.visibility.community);
    store.finish_create_image(&id).unwrap();
    assert_eq!(status(&store, &id), "Available");

    let failing = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    store.fail_create_image(&failing).unwrap();
    assert_eq!(status(&store, &failing), "CreateFailed");
}

#[test]
fn create_image_refusals() {
    let mut store = ImageStore::new();
    let s1 = SnapshotId::new("s-1").unwrap();
    refusals(
        &mut store,
        vec![
            (
                alice(),
                Action::CreateImage(CreateImage::new(rg("xx-nowhere-1"))),
                NO_REGION,
            ),
            (
                alice(),
                Action::CreateImage(
                    CreateImage::new(hz())
                        .add_snapshot(s1.clone())
                        .add_snapshot(s1),
                ),
                (
                    400,
                    "InvalidParameter",
                    "The specified parameter \"SnapshotId\" is not valid.",
                ),
            ),
        ],
    );
}

#[test]
fn finishing_a_creation_needs_an_image_being_created() {
    let mut store = ImageStore::new();
    let done = available(&mut store, &alice());
    refused_unchanged(
        &mut store,
        |s| s.finish_create_image(&done),
        400,
        "IncorrectImageStatus",
        "The specified image is not being created.",
    );
    refused_unchanged(
        &mut store,
        |s| s.fail_create_image(&img("m-nothing")),
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
    // A copy is Creating too, but its task finishes it.
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), done, bj()))
        .unwrap();
    refused_unchanged(
        &mut store,
        |s| s.finish_create_image(&copy.image),
        400,
        "IncorrectImageStatus",
        "The specified image is not being created.",
    );
}

// ---- ImportImage and CancelTask ----------------------------------------------------------

#[test]
fn an_import_runs_then_finishes_fails_or_is_cancelled() {
    let mut store = ImageStore::new();
    let NewImage { image, task } = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    assert_generated(task.as_str(), "t-");
    assert_eq!(status(&store, &image), "Waiting");
    assert_eq!(
        store.task(task.as_str()).unwrap().kind,
        TaskKind::ImportImage {
            image: image.clone()
        }
    );
    store.complete_task(&task).unwrap();
    assert_eq!(status(&store, &image), "Available");
    assert_eq!(
        store.ended_task(task.as_str()).unwrap().end,
        TaskEnd::Finished
    );

    let failed = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    store.fail_task(&failed.task).unwrap();
    assert_eq!(status(&store, &failed.image), "CreateFailed");

    let cancelled = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    store
        .cancel_task(&alice(), CancelTask::new(hz(), cancelled.task.clone()))
        .unwrap();
    assert!(
        store.image(cancelled.image.as_str()).is_none(),
        "a cancelled import removes its image"
    );
    let ended = store.ended_task(cancelled.task.as_str()).unwrap();
    assert_eq!(
        (ended.end, ended.owner.as_str(), ended.region.as_str()),
        (TaskEnd::Cancelled, "alice", "cn-hangzhou")
    );
}

#[test]
fn cancel_task_refusals() {
    let mut store = ImageStore::new();
    let import = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    let cancel =
        |region: RegionId, task: &TaskId| Action::CancelTask(CancelTask::new(region, task.clone()));
    let nothing = TaskId::new("t-nothing").unwrap();
    refusals(
        &mut store,
        vec![
            (alice(), cancel(rg("xx-nowhere-1"), &import.task), NO_REGION),
            (bob(), cancel(hz(), &import.task), TASK_NOT_FOUND),
            (alice(), cancel(bj(), &import.task), TASK_NOT_FOUND),
            (alice(), cancel(hz(), &nothing), TASK_NOT_FOUND),
        ],
    );
    store.complete_task(&import.task).unwrap();
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), import.image.clone(), bj()))
        .unwrap();
    refusals(
        &mut store,
        vec![
            (alice(), cancel(hz(), &import.task), TASK_ENDED),
            (
                alice(),
                cancel(bj(), &copy.task),
                (
                    403,
                    "InvalidTaskId.TaskActionNotSupport",
                    "The specified task action not support.",
                ),
            ),
        ],
    );
}

#[test]
fn cancel_task_fails_when_the_import_image_has_other_tasks() {
    // Only a hand-built store gets here: an image both importing and exporting.
    let mut store = ImageStore::new();
    store
        .put(
            ImageSpec::custom("m-odd", "alice", "cn-hangzhou")
                .importing()
                .exporting(),
        )
        .unwrap();
    refused_unchanged(
        &mut store,
        |s| {
            s.cancel_task(
                &alice(),
                CancelTask::new(hz(), TaskId::new("t-m-odd-import").unwrap()),
            )
        },
        403,
        "CancelTaskFailed",
        "The task is failed to cancel, Please contact the administrator.",
    );
}

#[test]
fn ending_a_task_twice_or_an_unknown_one_is_refused() {
    let mut store = ImageStore::new();
    let import = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    store.fail_task(&import.task).unwrap();
    refused_steps(
        &mut store,
        vec![
            (
                Step::Progress(Progress::CompleteTask(import.task.clone())),
                TASK_ENDED,
            ),
            (
                Step::Progress(Progress::FailTask(TaskId::new("t-nothing").unwrap())),
                TASK_NOT_FOUND,
            ),
        ],
    );
}

// ---- ExportImage -------------------------------------------------------------------------

#[test]
fn an_export_runs_on_an_available_image_and_blocks_deletion_until_it_ends() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let task = store
        .export_image(
            &alice(),
            ExportImage::new(hz(), image.clone()).with_oss_bucket("bucket"),
        )
        .unwrap();
    let delete = DeleteImageRequest::new(hz(), image.clone());
    let refusal = store
        .delete_image(&alice(), &delete, &Profile::default())
        .unwrap_err();
    assert_eq!(refusal.code(), "ImageIsExporting");
    store
        .cancel_task(&alice(), CancelTask::new(hz(), task.clone()))
        .unwrap();
    assert_eq!(
        status(&store, &image),
        "Available",
        "cancelling an export leaves the image"
    );
    assert_eq!(
        store.ended_task(task.as_str()).unwrap().end,
        TaskEnd::Cancelled
    );
    assert!(matches!(
        store.delete_image(&alice(), &delete, &Profile::default()),
        Ok(Outcome::Deleted(_))
    ));
}

#[test]
fn export_image_refusals() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let creating = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let public = available(&mut store, &alice());
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), public.clone()).with_is_public(true),
        )
        .unwrap();
    let export = |image: &ImageId| {
        Action::ExportImage(ExportImage::new(hz(), image.clone()).with_oss_bucket("bucket"))
    };
    let rows = vec![
        (bob(), export(&image), NO_IMAGE),
        (
            alice(),
            Action::ExportImage(ExportImage::new(bj(), image.clone()).with_oss_bucket("bucket")),
            NO_IMAGE,
        ),
        (
            alice(),
            export(&creating),
            (
                400,
                "IncorrectImageStatus",
                "The specified Image is not available.",
            ),
        ),
        (
            alice(),
            export(&public),
            (
                400,
                "OperationDenied.CommunityImage",
                "Community image does not support export.",
            ),
        ),
    ];
    refusals(&mut store, rows);
    store
        .export_image(
            &alice(),
            ExportImage::new(hz(), image.clone()).with_oss_bucket("bucket"),
        )
        .unwrap();
    refusals(
        &mut store,
        vec![(
            alice(),
            export(&image),
            (403, "ImageIsExporting", "The specified Image is exporting."),
        )],
    );
}

// ---- CopyImage and CancelCopyImage -------------------------------------------------------

#[test]
fn a_copy_blocks_both_ends_until_it_finishes() {
    let mut store = ImageStore::new();
    let source = store
        .create_image(
            &alice(),
            CreateImage::new(hz()).add_snapshot(SnapshotId::new("s-9").unwrap()),
        )
        .unwrap();
    store.finish_create_image(&source).unwrap();
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), source.clone(), bj()))
        .unwrap();
    let made = store.image(copy.image.as_str()).unwrap();
    assert_eq!(
        (made.owner.as_str(), made.region.as_str()),
        ("alice", "cn-beijing")
    );
    assert_eq!(made.status.as_str(), "Creating");
    assert!(made.snapshots.is_empty(), "a copy lists no snapshots");
    assert!(store.is_copy(copy.image.as_str()) && !store.is_copy(source.as_str()));
    for (region, image) in [(hz(), &source), (bj(), &copy.image)] {
        let refusal = store
            .delete_image(
                &alice(),
                &DeleteImageRequest::new(region, image.clone()),
                &Profile::default(),
            )
            .unwrap_err();
        assert_eq!(refusal.to_string(), "The Image is coping.");
    }
    store.complete_task(&copy.task).unwrap();
    assert_eq!(status(&store, &copy.image), "Available");
    assert_eq!(status(&store, &source), "Available");
    assert!(
        store.is_copy(copy.image.as_str()),
        "a finished copy is still a copy"
    );
}

#[test]
fn cancel_copy_image_removes_the_copy_and_keeps_the_source() {
    let mut store = ImageStore::new();
    let source = available(&mut store, &alice());
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), source.clone(), hz()))
        .unwrap();
    store
        .cancel_copy_image(&alice(), CancelCopyImage::new(hz(), copy.image.clone()))
        .unwrap();
    assert!(store.image(copy.image.as_str()).is_none());
    assert_eq!(status(&store, &source), "Available");
    assert_eq!(
        store.ended_task(copy.task.as_str()).unwrap().end,
        TaskEnd::Cancelled
    );
    assert!(store.running_tasks().is_empty());
}

#[test]
fn copy_image_refusals() {
    let mut store = ImageStore::new();
    let source = available(&mut store, &alice());
    share(&mut store, &alice(), &source, &["bob"]);
    let deprecated = available(&mut store, &alice());
    store
        .modify_image_attribute(
            &alice(),
            ModifyImageAttribute::new(hz(), deprecated.clone())
                .with_status(AttributeStatus::Deprecated),
            &Profile::default(),
        )
        .unwrap();
    let public = available(&mut store, &alice());
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), public.clone()).with_is_public(true),
        )
        .unwrap();
    let running = store
        .copy_image(&alice(), CopyImage::new(hz(), source.clone(), bj()))
        .unwrap();
    let copy = |region: RegionId, image: &ImageId, to: RegionId| {
        Action::CopyImage(CopyImage::new(region, image.clone(), to))
    };
    let not_available = (400, "IncorrectImageStatus", "The image not available.");
    let rows = vec![
        (alice(), copy(rg("xx-nowhere-1"), &source, bj()), NO_REGION),
        (
            alice(),
            copy(hz(), &source, rg("xx-nowhere-1")),
            (
                400,
                "DestinationRegion.NotFound",
                "The destination region not found",
            ),
        ),
        // Shared with bob, but not his to copy.
        (bob(), copy(hz(), &source, bj()), NO_IMAGE),
        (alice(), copy(hz(), &deprecated, bj()), not_available),
        (
            alice(),
            copy(hz(), &public, bj()),
            (
                400,
                "OperationDenied.CommunityImage",
                "Community image does not support copy.",
            ),
        ),
        // A copy still being made cannot itself be copied.
        (alice(), copy(bj(), &running.image, hz()), not_available),
    ];
    refusals(&mut store, rows);
}

#[test]
fn cancel_copy_image_refusals() {
    let mut store = ImageStore::new();
    let source = available(&mut store, &alice());
    let finished = store
        .copy_image(&alice(), CopyImage::new(hz(), source.clone(), bj()))
        .unwrap();
    let cancel = |region: RegionId, image: &ImageId| {
        Action::CancelCopyImage(CancelCopyImage::new(region, image.clone()))
    };
    refusals(
        &mut store,
        vec![
            (
                alice(),
                cancel(hz(), &source),
                (
                    400,
                    "ImageCreatedNotFromCopy",
                    "The specified image is not the target image of a copy action.",
                ),
            ),
            // The copy lives in the destination region, and it is alice's.
            (alice(), cancel(hz(), &finished.image), NO_IMAGE),
            (bob(), cancel(bj(), &finished.image), NO_IMAGE),
        ],
    );
    store.complete_task(&finished.task).unwrap();
    let failed = store
        .copy_image(&alice(), CopyImage::new(hz(), source, bj()))
        .unwrap();
    store.fail_task(&failed.task).unwrap();
    assert_eq!(status(&store, &failed.image), "CreateFailed");
    refusals(
        &mut store,
        vec![
            (
                alice(),
                cancel(bj(), &finished.image),
                (400, "IncorrectImageStatus", "The image is copied finished."),
            ),
            (
                alice(),
                cancel(bj(), &failed.image),
                (
                    400,
                    "IncorrectImageStatus",
                    "The Image copy has been failed.",
                ),
            ),
        ],
    );
}

#[test]
fn cancel_copy_image_on_hand_built_states() {
    // A running copy whose destination is also being exported.
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-src", "alice", "cn-hangzhou"))
        .unwrap();
    store
        .put(
            ImageSpec::custom("m-dst", "alice", "cn-hangzhou")
                .copy_of("m-src")
                .exporting(),
        )
        .unwrap();
    refused_unchanged(
        &mut store,
        |s| s.cancel_copy_image(&alice(), CancelCopyImage::new(hz(), img("m-dst"))),
        400,
        "CancelNotSupported",
        "The specified image coping can not be cancelled.",
    );
    // A copy recorded as cancelled whose image is still there.
    let mut snapshot = ImageStore::new().to_state();
    let mut copy = ImageStore::new();
    copy.put(ImageSpec::custom("m-src", "alice", "cn-hangzhou"))
        .unwrap();
    copy.put(ImageSpec::custom("m-dst", "alice", "cn-hangzhou"))
        .unwrap();
    snapshot.images = copy.to_state().images;
    snapshot.ended_tasks = vec![EndedTask {
        id: TaskId::new("t-old").unwrap(),
        kind: TaskKind::CopyImage {
            source: img("m-src"),
            destination: img("m-dst"),
        },
        owner: alice(),
        region: hz(),
        end: TaskEnd::Cancelled,
        created: None,
        finished: None,
    }];
    let mut store = ImageStore::from_state(snapshot).unwrap();
    refused_unchanged(
        &mut store,
        |s| s.cancel_copy_image(&alice(), CancelCopyImage::new(hz(), img("m-dst"))),
        400,
        "IncorrectImageStatus",
        "The specified image is not coping.",
    );
}

// ---- ModifyImageSharePermission ----------------------------------------------------------

#[test]
fn sharing_adds_and_removes_accounts_and_publishing_is_independent() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    share(&mut store, &alice(), &image, &["bob", "carol"]);
    let shared = store.shared_accounts(&alice(), &hz(), &image).unwrap();
    assert_eq!(
        shared.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["bob", "carol"]
    );
    // Removals come first: removing and re-adding bob keeps him; carol goes.
    let mut request = ModifyImageSharePermission::new(hz(), image.clone());
    request.remove_accounts = vec![bob(), acct("carol")];
    request.add_accounts = vec![bob()];
    store
        .modify_image_share_permission(&alice(), request)
        .unwrap();
    let shared = store.shared_accounts(&alice(), &hz(), &image).unwrap();
    assert_eq!(
        shared.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["bob"]
    );
    // Publishing keeps the shares; unpublishing keeps them too [D].
    let publish = |p| ModifyImageSharePermission::new(hz(), image.clone()).with_is_public(p);
    store
        .modify_image_share_permission(&alice(), publish(true))
        .unwrap();
    store
        .modify_image_share_permission(&alice(), publish(true))
        .unwrap();
    assert!(store.image(image.as_str()).unwrap().visibility.community);
    store
        .modify_image_share_permission(&alice(), publish(false))
        .unwrap();
    let after = &store.image(image.as_str()).unwrap().visibility;
    assert!(!after.community);
    assert_eq!(after.shared_with.len(), 1);
}

#[test]
fn only_the_first_ten_accounts_of_each_list_count() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let names: Vec<String> = (0..12).map(|n| format!("acct-{n:02}")).collect();
    let mut request = ModifyImageSharePermission::new(hz(), image.clone());
    request.add_accounts = names.iter().map(|n| acct(n)).collect();
    // The caller in 11th place is ignored rather than refused.
    request.add_accounts.insert(10, alice());
    store
        .modify_image_share_permission(&alice(), request)
        .unwrap();
    let shared = store.shared_accounts(&alice(), &hz(), &image).unwrap();
    assert_eq!(shared.len(), 10);
    assert!(!shared.contains(&acct("acct-10")) && !shared.contains(&alice()));
    let mut request = ModifyImageSharePermission::new(hz(), image.clone());
    request.remove_accounts = names.iter().map(|n| acct(n)).collect();
    request.remove_accounts.insert(0, acct("nobody"));
    store
        .modify_image_share_permission(&alice(), request)
        .unwrap();
    let shared = store.shared_accounts(&alice(), &hz(), &image).unwrap();
    assert_eq!(
        shared.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["acct-09"]
    );
}

#[test]
fn sharing_past_fifty_accounts_is_refused() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    for batch in 0..5 {
        let names: Vec<String> = (0..10).map(|n| format!("acct-{batch}{n}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        share(&mut store, &alice(), &image, &refs);
    }
    assert_eq!(
        store
            .shared_accounts(&alice(), &hz(), &image)
            .unwrap()
            .len(),
        50
    );
    refused_unchanged(
        &mut store,
        |s| {
            s.modify_image_share_permission(
                &alice(),
                ModifyImageSharePermission::new(hz(), image.clone()).add_account(acct("one-more")),
            )
        },
        403,
        "QuotaExceed.ShareImageUser",
        "The shared Image user Quota exceeds.",
    );
    // Making room in the same call is fine.
    let request = ModifyImageSharePermission::new(hz(), image.clone())
        .remove_account(acct("acct-00"))
        .add_account(acct("one-more"));
    store
        .modify_image_share_permission(&alice(), request)
        .unwrap();
    assert_eq!(
        store
            .shared_accounts(&alice(), &hz(), &image)
            .unwrap()
            .len(),
        50
    );
}

#[test]
fn share_refusals() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let public = available(&mut store, &alice());
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), public.clone()).with_is_public(true),
        )
        .unwrap();
    let deprecated = available(&mut store, &alice());
    store
        .modify_image_attribute(
            &alice(),
            ModifyImageAttribute::new(hz(), deprecated.clone())
                .with_status(AttributeStatus::Deprecated),
            &Profile::default(),
        )
        .unwrap();
    // Removing from a deprecated image grants nothing and is fine.
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), deprecated.clone()).remove_account(bob()),
        )
        .unwrap();
    let creating = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let on = |image: &ImageId| ModifyImageSharePermission::new(hz(), image.clone());
    let share = Action::ModifyImageSharePermission;
    let rows = vec![
        (
            bob(),
            share(on(&image).add_account(acct("carol"))),
            NO_IMAGE,
        ),
        (
            alice(),
            share(on(&image).add_account(alice())),
            (
                404,
                "InvalidAccount.Forbbiden",
                "The specified Account does not yourself.",
            ),
        ),
        (
            alice(),
            share(on(&image).add_account(bob()).with_is_public(true)),
            (
                403,
                "InvalidParameter.IsPublic",
                "The specified parameter IsPublic is conflicted with other parameters.",
            ),
        ),
        (
            alice(),
            share(on(&image).with_is_public(false)),
            (
                403,
                "Image.NotPublic",
                "The specified image is not public image.",
            ),
        ),
        (
            alice(),
            share(on(&public).add_account(bob())),
            (403, "Image.Public", "The specified image is public image."),
        ),
        (
            alice(),
            share(on(&deprecated).add_account(bob())),
            (
                403,
                "OperationDenied.InvalidImageStatus",
                "The specified image cannot be shared when it is deprecated.",
            ),
        ),
        (
            alice(),
            share(on(&creating).with_is_public(true)),
            (
                403,
                "OperationDenied.InvalidImageStatus",
                "The specified image cannot be shared when it is not available.",
            ),
        ),
    ];
    refusals(&mut store, rows);
}

// ---- RunInstances and DeleteInstance -----------------------------------------------------

#[test]
fn instances_come_from_visible_images_and_count_for_in_use() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::system("ubuntu_22_04", "cn-hangzhou"))
        .unwrap();
    let image = available(&mut store, &alice());
    share(&mut store, &alice(), &image, &["bob"]);
    let bobs = store
        .run_instances(&bob(), RunInstances::new(hz(), image.clone()))
        .unwrap()
        .remove(0);
    assert_generated(bobs.as_str(), "i-");
    let from_system = store
        .run_instances(&bob(), RunInstances::new(hz(), img("ubuntu_22_04")))
        .unwrap()
        .remove(0);
    let instance = store.instance(bobs.as_str()).unwrap();
    assert_eq!(
        (instance.owner.as_str(), instance.image.as_str()),
        ("bob", image.as_str())
    );
    assert_eq!(store.instances_created_from(image.as_str()), vec![&bobs]);
    assert_eq!(
        store.instances_created_from("ubuntu_22_04"),
        vec![&from_system]
    );

    // Unsharing leaves bob's instance running but takes away its re-initialization [D].
    assert_eq!(
        store.can_reinitialize_system_disk(bobs.as_str()),
        Some(true)
    );
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), image.clone()).remove_account(bob()),
        )
        .unwrap();
    assert_eq!(
        store.can_reinitialize_system_disk(bobs.as_str()),
        Some(false)
    );
    let delete = DeleteImageRequest::new(hz(), image.clone());
    let refusal = store
        .delete_image(&alice(), &delete, &Profile::default())
        .unwrap_err();
    assert_eq!(
        refusal.code(),
        "ImageUsingByInstance",
        "bob's instance still counts"
    );

    store.settle_instance(&bobs).unwrap();
    store
        .delete_instance(
            &bob(),
            DeleteInstance::new(bobs.clone())
                .with_region_id(hz())
                .with_force(true),
        )
        .unwrap();
    assert!(store.instance(bobs.as_str()).is_none());
    assert_eq!(store.can_reinitialize_system_disk(bobs.as_str()), None);
    assert!(matches!(
        store.delete_image(&alice(), &delete, &Profile::default()),
        Ok(Outcome::Deleted(_))
    ));
}

#[test]
fn run_and_delete_instance_refusals() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let creating = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), image.clone(), bj()))
        .unwrap();
    let run = |region: RegionId, image: &ImageId| {
        Action::RunInstances(RunInstances::new(region, image.clone()))
    };
    let not_available = (
        400,
        "IncorrectImageStatus",
        "The specified Image is not available.",
    );
    refusals(
        &mut store,
        vec![
            (bob(), run(hz(), &image), NO_IMAGE),
            (alice(), run(hz(), &creating), not_available),
            (alice(), run(bj(), &copy.image), not_available),
        ],
    );
    // A deprecated image can still launch instances [D].
    store
        .modify_image_attribute(
            &alice(),
            ModifyImageAttribute::new(hz(), image.clone()).with_status(AttributeStatus::Deprecated),
            &Profile::default(),
        )
        .unwrap();
    let instance = store
        .run_instances(&alice(), RunInstances::new(hz(), image))
        .unwrap()
        .remove(0);
    let no_instance = (
        404,
        "InvalidInstanceId.NotFound",
        "The specified InstanceId does not exist.",
    );
    let delete = |region: RegionId| {
        Action::DeleteInstance(DeleteInstance::new(instance.clone()).with_region_id(region))
    };
    refusals(
        &mut store,
        vec![
            (bob(), delete(hz()), no_instance),
            (alice(), delete(bj()), no_instance),
        ],
    );
}

// ---- ModifyImageAttribute ----------------------------------------------------------------

/// Deprecating a shared image answers DeleteImage's `ImageUseShared`, in the profile's catalog:
/// the 2025 page added a pointer to DescribeImageSharePermission.
#[test]
fn deprecating_a_shared_image_answers_in_the_profiles_catalog() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    share(&mut store, &alice(), &image, &["bob"]);
    let deprecate =
        ModifyImageAttribute::new(hz(), image.clone()).with_status(AttributeStatus::Deprecated);
    let doc2025 = Profile::default().with_catalog(Catalog::Doc2025);
    refused_unchanged(
        &mut store,
        |s| s.modify_image_attribute(&alice(), deprecate.clone(), &doc2025),
        403,
        "ImageUseShared",
        "The specified image has been shared to others. You can use the \
         DescribeImageSharePermission API to query the users who have been shared.",
    );
    refused_unchanged(
        &mut store,
        |s| s.modify_image_attribute(&alice(), deprecate.clone(), &Profile::default()),
        403,
        "ImageUseShared",
        "The specified image has been shared to others.",
    );
}

/// `DryRun=true` answers `DryRunOperation` for a request that would succeed and the request's
/// own refusal otherwise; either way nothing changes, not even the id generator.
#[test]
fn dry_run_is_the_check_alone() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let mut twin = store.clone();
    refused_unchanged(
        &mut store,
        |s| s.create_image(&alice(), CreateImage::new(hz()).with_dry_run(true)),
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    refused_unchanged(
        &mut store,
        |s| {
            s.run_instances(
                &alice(),
                RunInstances::new(hz(), image.clone())
                    .with_amount(3)
                    .with_dry_run(true),
            )
        },
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    );
    refused_unchanged(
        &mut store,
        |s| {
            s.export_image(
                &bob(),
                ExportImage::new(hz(), image.clone())
                    .with_oss_bucket("bucket")
                    .with_dry_run(true),
            )
        },
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
    assert_eq!(
        store
            .create_image(&alice(), CreateImage::new(hz()))
            .unwrap(),
        twin.create_image(&alice(), CreateImage::new(hz())).unwrap(),
        "a dry run drew no id"
    );
}

/// RunInstances with `Amount` is one transition: all the instances, or none and a refusal.
#[test]
fn run_instances_makes_amount_instances_or_none() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let made = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), image.clone()).with_amount(3),
        )
        .unwrap();
    assert_eq!(made.len(), 3);
    for id in &made {
        assert_generated(id.as_str(), "i-");
    }
    assert_eq!(store.instances_of(image.as_str()).count(), 3);
    for amount in [0, 101] {
        refused_unchanged(
            &mut store,
            |s| {
                s.run_instances(
                    &alice(),
                    RunInstances::new(hz(), image.clone()).with_amount(amount),
                )
            },
            400,
            "InvalidParameter",
            "The specified parameter \"Amount\" is not valid.",
        );
    }
    let made = store
        .run_instances(
            &alice(),
            RunInstances::new(hz(), image.clone()).with_amount(100),
        )
        .unwrap();
    assert_eq!(made.len(), 100);
}

#[test]
fn deprecation_and_its_refusals() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let set = |image: &ImageId, status| {
        ModifyImageAttribute::new(hz(), image.clone()).with_status(status)
    };
    for (to, expected) in [
        (AttributeStatus::Deprecated, "Deprecated"),
        (AttributeStatus::Deprecated, "Deprecated"),
        (AttributeStatus::Available, "Available"),
    ] {
        store
            .modify_image_attribute(&alice(), set(&image, to), &Profile::default())
            .unwrap();
        assert_eq!(status(&store, &image), expected);
    }

    share(&mut store, &alice(), &image, &["bob"]);
    let public = available(&mut store, &alice());
    store
        .modify_image_share_permission(
            &alice(),
            ModifyImageSharePermission::new(hz(), public.clone()).with_is_public(true),
        )
        .unwrap();
    let import = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    let modify = |image: &ImageId, to| Action::ModifyImageAttribute(set(image, to));
    let rows = vec![
        (bob(), modify(&image, AttributeStatus::Deprecated), NO_IMAGE),
        (
            alice(),
            modify(&image, AttributeStatus::Deprecated),
            (
                403,
                "ImageUseShared",
                "The specified image has been shared to others.",
            ),
        ),
        (
            alice(),
            modify(&public, AttributeStatus::Deprecated),
            (403, "Image.Public", "The specified image is public image."),
        ),
        (
            alice(),
            modify(&import.image, AttributeStatus::Available),
            (
                400,
                "IncorrectImageStatus",
                "The current status of the image does not support this operation.",
            ),
        ),
    ];
    refusals(&mut store, rows);
}

// ---- perform, DeleteImage through the lifecycle ------------------------------------------

#[test]
fn perform_runs_calls_and_progress_and_wraps_delete_image() {
    let mut store = ImageStore::new();
    let profile = Profile::default();
    let call = |action| Step::Call {
        caller: alice(),
        action,
    };
    let Ok(Answer::Image(image)) =
        store.perform(call(Action::CreateImage(CreateImage::new(hz()))), &profile)
    else {
        panic!("CreateImage answers the image");
    };
    assert_eq!(
        store.perform(
            Step::Progress(Progress::FinishCreateImage(image.clone())),
            &profile
        ),
        Ok(Answer::Done)
    );
    store
        .perform(
            call(Action::ExportImage(
                ExportImage::new(hz(), image.clone()).with_oss_bucket("bucket"),
            )),
            &profile,
        )
        .unwrap();
    let delete = call(Action::DeleteImage(DeleteImageRequest::new(
        hz(),
        image.clone(),
    )));
    let refusal = store.perform(delete.clone(), &profile).unwrap_err();
    assert!(matches!(
        refusal,
        Error::Blocked {
            blocker: Blocker::Exporting,
            ..
        }
    ));
    assert_eq!(
        (refusal.http_status(), refusal.code(), &*refusal.message()),
        (
            403,
            "ImageIsExporting",
            "The specified Image is exporting. Please cancel task first."
        )
    );
    let ignored = call(Action::DeleteImage(DeleteImageRequest::new(bj(), image)));
    assert_eq!(
        store.perform(ignored, &profile),
        Ok(Answer::DeleteImage(Outcome::Ignored))
    );
}

// ---- ids and snapshots -------------------------------------------------------------------

fn script(store: &mut ImageStore) -> Vec<String> {
    let image = available(store, &alice());
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), image.clone(), bj()))
        .unwrap();
    let import = store
        .import_image(
            &bob(),
            ImportImage::new(bj()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    let instance = store
        .run_instances(&alice(), RunInstances::new(hz(), image.clone()))
        .unwrap()
        .remove(0);
    let export = store
        .export_image(
            &alice(),
            ExportImage::new(hz(), image.clone()).with_oss_bucket("bucket"),
        )
        .unwrap();
    [image, copy.image, import.image]
        .iter()
        .map(|i| i.to_string())
        .chain(
            [copy.task, import.task, export]
                .iter()
                .map(|t| t.to_string()),
        )
        .chain([instance.to_string()])
        .collect()
}

#[test]
fn the_same_actions_give_the_same_ids() {
    let first = script(&mut ImageStore::new());
    let second = script(&mut ImageStore::new());
    assert_eq!(first, second);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "{first:?}");
    for id in &first {
        let prefix = &id[..2];
        assert!(["m-", "t-", "i-"].contains(&prefix), "{id}");
        assert_generated(id, prefix);
    }
}

#[test]
fn a_snapshot_carries_the_generator_and_the_ended_tasks() {
    let mut store = ImageStore::new();
    script(&mut store);
    let import = store
        .import_image(
            &alice(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    store.complete_task(&import.task).unwrap();
    let json = serde_json::to_string(&store).unwrap();
    assert!(json.contains("\"idsDrawn\":"), "{json}");
    assert!(json.contains("\"endedTasks\":[{\"id\":"), "{json}");
    assert!(json.contains("\"end\":\"Finished\""), "{json}");
    let mut reloaded: ImageStore = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&reloaded).unwrap(), json);
    assert_eq!(reloaded, store);
    // Both go on with the same ids.
    let next = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let next_reloaded = reloaded
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    assert_eq!(next, next_reloaded);
    refused(
        reloaded.cancel_task(&alice(), CancelTask::new(hz(), import.task)),
        403,
        "InvalidTaskId.IncorrectTaskStatus",
        "The specified task status is not invalid.",
    );
}

#[test]
fn a_store_that_never_ran_a_transition_serializes_as_before() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-1", "alice", "cn-hangzhou").exporting())
        .unwrap();
    let json = serde_json::to_string(&store).unwrap();
    assert!(
        !json.contains("idsDrawn") && !json.contains("endedTasks"),
        "{json}"
    );
    // An older snapshot (no lifecycle keys) loads and draws ids from the start.
    let old: StoreState = serde_json::from_str(&json).unwrap();
    assert_eq!(old.ids_drawn, 0);
    assert!(old.ended_tasks.is_empty());
}

#[test]
fn generated_ids_skip_ids_already_in_use() {
    let mut probe = ImageStore::new();
    let first = probe
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom(first.as_str(), "bob", "cn-beijing"))
        .unwrap();
    let id = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    assert_ne!(id, first);
    assert_generated(id.as_str(), "m-");
}

#[test]
fn the_id_of_a_deleted_image_that_instances_still_name_is_never_reused() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-gone", "alice", "cn-hangzhou").used_by(1))
        .unwrap();
    let delete = DeleteImageRequest::new(hz(), img("m-gone")).with_force(true);
    store
        .delete_image(&alice(), &delete, &Profile::default())
        .unwrap();
    assert_eq!(
        store.instances_created_from("m-gone"),
        vec![&InstanceId::new("i-m-gone-1").unwrap()]
    );
    assert_eq!(
        store.can_reinitialize_system_disk("i-m-gone-1"),
        Some(false)
    );
    let before = store.clone();
    let again = ImageSpec::custom("m-gone", "bob", "cn-hangzhou");
    let refusal = store.put(again).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "instance i-m-gone-1 is flagged imageDeleted, but its image m-gone is in the store"
    );
    assert_eq!(store, before);
    // Releasing the last such instance frees the id.
    store
        .delete_instance(
            &alice(),
            DeleteInstance::new(InstanceId::new("i-m-gone-1").unwrap())
                .with_region_id(hz())
                .with_force(true),
        )
        .unwrap();
    store
        .put(ImageSpec::custom("m-gone", "bob", "cn-hangzhou"))
        .unwrap();
}

#[test]
fn ended_tasks_are_held_to_the_store_invariants() {
    let ended = |id: &str, region: &str, destination: &str| EndedTask {
        id: TaskId::new(id).unwrap(),
        kind: TaskKind::CopyImage {
            source: img("m-a"),
            destination: img(destination),
        },
        owner: alice(),
        region: rg(region),
        end: TaskEnd::Finished,
        created: None,
        finished: None,
    };
    let mut store = ImageStore::new();
    store
        .insert_ended_task(ended("t-1", "cn-hangzhou", "m-b"))
        .unwrap();
    assert_eq!(
        store.insert_ended_task(ended("t-1", "cn-hangzhou", "m-c")),
        Err(InvariantError::DuplicateTask(TaskId::new("t-1").unwrap()))
    );
    assert!(matches!(
        store.insert_ended_task(ended("t-2", "xx-nowhere-1", "m-c")),
        Err(InvariantError::UnknownRegion { .. })
    ));
    assert!(matches!(
        store.insert_ended_task(ended("t-3", "cn-hangzhou", "m-b")),
        Err(InvariantError::SecondCopyInto { .. })
    ));
    assert!(matches!(
        store.insert_ended_task(ended("t-4", "cn-hangzhou", "m-a")),
        Err(InvariantError::BadCopy { .. })
    ));
}

// ---- queries -----------------------------------------------------------------------------

#[test]
fn visible_images_filters_like_describe_images() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::system("ubuntu", "cn-hangzhou"))
        .unwrap();
    store
        .put(ImageSpec::marketplace("m-market", "cn-hangzhou"))
        .unwrap();
    store
        .put(ImageSpec::custom("m-bob-private", "bob", "cn-hangzhou"))
        .unwrap();
    store
        .put(ImageSpec::custom("m-bob-shared", "bob", "cn-hangzhou").add_share("alice"))
        .unwrap();
    store
        .put(ImageSpec::custom("m-carol-public", "carol", "cn-hangzhou").community())
        .unwrap();
    store
        .put(ImageSpec::custom("m-alice-beijing", "alice", "cn-beijing"))
        .unwrap();
    let mine = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let ids = |filter: ImageFilter| -> Vec<String> {
        store
            .visible_images(&alice(), &hz(), &filter)
            .unwrap()
            .iter()
            .map(|i| i.id.to_string())
            .collect()
    };
    let mut all = vec![
        "m-bob-shared",
        "m-carol-public",
        "m-market",
        mine.as_str(),
        "ubuntu",
    ];
    all.sort();
    assert_eq!(ids(ImageFilter::default()), all);
    assert_eq!(
        ids(ImageFilter::default().with_owner_alias(OwnerAlias::Own)),
        [mine.as_str()]
    );
    assert_eq!(
        ids(ImageFilter::default().with_owner_alias(OwnerAlias::Others)),
        ["m-bob-shared", "m-carol-public"]
    );
    assert_eq!(
        ids(ImageFilter::default().with_owner_alias(OwnerAlias::System)),
        ["ubuntu"]
    );
    assert_eq!(
        ids(ImageFilter::default().with_owner_alias(OwnerAlias::Marketplace)),
        ["m-market"]
    );
    // DescribeImages without Status shows Available images only: the new one is Creating.
    assert!(!ids(ImageFilter::describe_images()).contains(&mine.to_string()));
    assert_eq!(
        ids(ImageFilter::default().add_status(ImageStatus::Creating)),
        [mine.as_str()]
    );
    assert_eq!(
        ids(ImageFilter::default().add_image_id(img("m-bob-private"))),
        Vec::<String>::new()
    );
    assert_eq!("others".parse::<OwnerAlias>().unwrap(), OwnerAlias::Others);
    assert_eq!(OwnerAlias::Own.to_string(), "self");
    assert_eq!(
        "mine".parse::<OwnerAlias>().unwrap_err().to_string(),
        "The specified ImageOwnerAlias value is not supported."
    );
    refused(
        store.visible_images(&alice(), &rg("xx-nowhere-1"), &ImageFilter::default()),
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
    refused(
        store.shared_accounts(&alice(), &hz(), &img("m-bob-shared")),
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    );
}

#[test]
fn running_tasks_name_their_owner_and_region() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let copy = store
        .copy_image(&alice(), CopyImage::new(hz(), image, bj()))
        .unwrap();
    let import = store
        .import_image(
            &bob(),
            ImportImage::new(hz()).add_disk(ImportDisk::from_oss("bucket", "image.qcow2")),
        )
        .unwrap();
    let mut running: Vec<(String, &str, &str)> = store
        .running_tasks()
        .iter()
        .map(|t| (t.task.id.to_string(), t.owner.as_str(), t.region.as_str()))
        .collect();
    running.sort();
    let mut expected = vec![
        (copy.task.to_string(), "alice", "cn-beijing"),
        (import.task.to_string(), "bob", "cn-hangzhou"),
    ];
    expected.sort();
    assert_eq!(running, expected);
}

#[test]
fn an_instance_of_a_deleted_image_is_listed_but_cannot_reinitialize() {
    let mut store = ImageStore::new();
    let image = available(&mut store, &alice());
    let instance: InstanceId = store
        .run_instances(&alice(), RunInstances::new(hz(), image.clone()))
        .unwrap()
        .remove(0);
    let delete = DeleteImageRequest::new(hz(), image.clone()).with_force(true);
    let Ok(Outcome::Deleted(deletion)) = store.delete_image(&alice(), &delete, &Profile::default())
    else {
        panic!("Force deletes an image in use");
    };
    assert_eq!(deletion.instances_losing_reinit, vec![instance.clone()]);
    let kept: &Instance = store.instance(instance.as_str()).unwrap();
    assert!(kept.image_deleted);
    assert_eq!(
        store.instances_created_from(image.as_str()),
        vec![&instance]
    );
    assert_eq!(
        store.can_reinitialize_system_disk(instance.as_str()),
        Some(false)
    );
}

// ---- Describe queries ---------------------------------------------------------------------

#[test]
fn describe_queries_page_and_count_every_match() {
    use ecs_image_rules::{DescribeImages, DescribeInstances, Page};
    let mut store = ImageStore::new();
    let mut mine: Vec<String> = (0..5)
        .map(|_| available(&mut store, &alice()).to_string())
        .collect();
    mine.sort();
    let mut request = DescribeImages::new(hz());
    request.owner_alias = Some(OwnerAlias::Own);
    request.page = Page::new(Some(2), Some(2)).unwrap();
    let listing = store.describe_images(&alice(), &request).unwrap();
    assert_eq!(listing.total_count, 5);
    let page: Vec<&str> = listing.items.iter().map(|v| v.image.id.as_str()).collect();
    assert_eq!(page, [mine[2].as_str(), mine[3].as_str()]);
    assert!(
        listing
            .items
            .iter()
            .all(|v| v.owner_alias == OwnerAlias::Own)
    );
    // Past the last page: no items, the count still counts them all.
    request.page = Page::new(Some(4), Some(2)).unwrap();
    let past = store.describe_images(&alice(), &request).unwrap();
    assert_eq!((past.total_count, past.items.len()), (5, 0));
    // Without Status, only Available images, as the real DescribeImages answers.
    let creating = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let mut only = DescribeImages::new(hz());
    only.image_ids = vec![creating.clone()];
    assert_eq!(
        store.describe_images(&alice(), &only).unwrap().total_count,
        0
    );
    only.statuses = vec![ImageStatus::Creating];
    assert_eq!(
        store.describe_images(&alice(), &only).unwrap().total_count,
        1
    );

    for (number, size, parameter) in [
        (Some(0), None, "PageNumber"),
        (None, Some(0), "PageSize"),
        (None, Some(101), "PageSize"),
    ] {
        let e = Page::new(number, size).unwrap_err();
        assert_eq!(
            (e.http_status(), e.code(), e.message().into_owned()),
            (
                400,
                "InvalidParameter",
                format!("The specified parameter \"{parameter}\" is not valid.")
            )
        );
    }
    let page = Page::new(None, None).unwrap();
    assert_eq!((page.number(), page.size()), (1, 10));
    refused(
        store.describe_instances(&alice(), &DescribeInstances::new(rg("xx-nowhere-1"))),
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    );
}

/// DescribeTaskAttribute answers the caller's own import or export task in its region,
/// running or ended; another account's task, another region's, a copy task and an unknown id
/// are all `InvalidTaskId.NotFound` [I: CancelTask's answer].
#[test]
fn describe_task_attribute_answers_only_the_callers_own_import_or_export() {
    use ecs_image_rules::{DescribeTaskAttribute, TaskAction};
    let alice = AccountId::new("alice").unwrap();
    let bob = AccountId::new("bob").unwrap();
    let hz = RegionId::new("cn-hangzhou").unwrap();
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-a", "alice", "cn-hangzhou"))
        .unwrap();
    let export = store
        .export_image(
            &alice,
            ExportImage::new(hz.clone(), ImageId::new("m-a").unwrap()).with_oss_bucket("b"),
        )
        .unwrap();
    let request = DescribeTaskAttribute::new(hz.clone(), export.clone());
    let running = store.describe_task_attribute(&alice, &request).unwrap();
    assert_eq!(running.action, TaskAction::ExportImage);
    assert_eq!(running.status, "Processing");
    assert!(running.support_cancel);
    assert_eq!(running.resource.as_str(), "m-a");

    store.complete_task(&export).unwrap();
    let ended = store.describe_task_attribute(&alice, &request).unwrap();
    assert_eq!(ended.status, "Finished");
    assert!(!ended.support_cancel);

    let not_found = |store: &ImageStore, caller: &AccountId, request: &DescribeTaskAttribute| {
        let e = store.describe_task_attribute(caller, request).unwrap_err();
        assert_eq!(
            (e.http_status(), e.code(), e.message().as_ref()),
            (
                400,
                "InvalidTaskId.NotFound",
                "The specified \"TaskId\" is not found."
            )
        );
    };
    not_found(&store, &bob, &request);
    let beijing = RegionId::new("cn-beijing").unwrap();
    not_found(
        &store,
        &alice,
        &DescribeTaskAttribute::new(beijing.clone(), export.clone()),
    );
    not_found(
        &store,
        &alice,
        &DescribeTaskAttribute::new(hz.clone(), TaskId::new("t-unknown").unwrap()),
    );
    let copy = store
        .copy_image(
            &alice,
            CopyImage::new(hz.clone(), ImageId::new("m-a").unwrap(), beijing.clone()),
        )
        .unwrap();
    not_found(
        &store,
        &alice,
        &DescribeTaskAttribute::new(beijing, copy.task),
    );
}
