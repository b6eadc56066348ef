//! A reference implementation of Alibaba Cloud ECS `DeleteImage` (API version 2014-05-26):
//! which request deletes an image, which is ignored, and which is refused with exactly which
//! HTTP status, code and message.
//!
//! It is meant to be embedded in cloud simulators, to check other implementations against,
//! and to serve as a fixture in test suites. The contract is `docs/contract.md` in the
//! repository; every behaviour is tagged there as documented by Alibaba Cloud \[D\],
//! observed from a real client \[O\], or our own decision \[I\], and every \[I\] that a reasonable
//! reader could decide otherwise is a switch in [`Profile`].
//!
//! # Scope
//!
//! A pure library: no I/O, no clock, no randomness. An [`ImageStore`] holds regions, images
//! (owner, kind, status, community publication, shares, snapshots), running import, export and
//! copy [`Task`]s and the [`Instance`]s made from images, and a clock that the caller moves
//! ([`ImageStore::advance_clock`], a [`Timestamp`]): the library never reads the time. [`decide`] answers a
//! [`DeleteImageRequest`] from an account without changing anything; [`ImageStore::apply`]
//! carries the answer out; [`ImageStore::delete_image`] does both. The [`wire`] module parses
//! RPC parameters and writes the documented response bodies.
//!
//! # The decision
//!
//! In this order (docs/contract.md §1 to §3; every answer in docs/decision.md):
//!
//! 1. Parameter errors (`MissingRegionId`, `MissingImageId`, `InvalidParameter`), found by
//!    [`DeleteImageRequest::from_rpc_params`]; then `InvalidRegionId.NotFound` for a region the
//!    store does not know.
//! 2. The caller's [`Relation`] to the image: *own* goes on; *visible, not own* answers 404
//!    `InvalidImageId.NotFound`; *absent* is ignored (or 404, per [`MissingImage`]).
//! 3. The first [`Blocker`] that holds in the profile's [`Precedence`]; `Force=true` skips
//!    [`Blocker::InUse`] and nothing else.
//! 4. `DryRun=true` turns a would-be success into 400 `DryRunOperation`.
//!
//! # Input safety
//!
//! Ids are validated newtypes ([`ImageId`] and its siblings); a malformed one is an
//! [`IdError`], never a panic.
//! Parsing any parameter strings gives a request or an [`Error`]. A store refuses
//! any insert or saved [`StoreState`] that breaks a structural invariant ([`InvariantError`]) and is then
//! unchanged; a refused request changes nothing.
//!
//! # Error reporting
//!
//! Every refusal of every action is one [`Error`]: one value per answer on the wire, grouped in
//! sub-kinds ([`Error::MissingParameter`] and [`Error::InvalidParameter`] with the
//! [`Parameter`], [`Error::NotFound`] with what was not found, [`Error::Blocked`] with the
//! [`Blocker`], [`Error::Denied`] with the [`Denial`], and [`Error::DryRunOperation`]). Its one
//! mapping to the wire is [`ApiError`]: `http_status()`, `code()` and `message()`, byte for byte
//! as documented (typos included: `The Image is coping.`), in the catalog the profile names
//! wherever the documented message changed. `Display` is the message.
//!
//! # Every action has the same shape
//!
//! A typed request; a pure check against the store that answers an [`Error`] or a plan
//! ([`decide`] and its [`Verdict`] for DeleteImage, [`check`] and its [`Plan`] for every
//! action); and the application of a plan ([`ImageStore::apply`], [`ImageStore::commit`]),
//! which asks the plan's question again of the store it is applied to, at the cost of the
//! check. `DryRun=true` is a field of every request and is the check alone: a request that
//! passes answers [`Error::DryRunOperation`], never at the cost of a copy of the store.
//! [`ImageStore::perform`] checks and commits one [`Step`] (a call, or the service's own
//! [`Progress`]); each action also has a method named after it that does both and returns its
//! typed answer. New image, instance, task, snapshot and disk ids come from the store's own deterministic
//! generator when a plan is committed (a check never draws one).
//!
//! | Action | Request | Method | Answer |
//! |---|---|---|---|
//! | CreateImage | [`CreateImage`] | [`ImageStore::create_image`] | the new image (Creating); from an instance, with a new snapshot of each disk |
//! | ImportImage | [`ImportImage`] | [`ImageStore::import_image`] | the new image (Waiting) and its import task |
//! | ExportImage | [`ExportImage`] | [`ImageStore::export_image`] | the export task |
//! | CopyImage | [`CopyImage`] | [`ImageStore::copy_image`] | the copy (Creating) and its copy task |
//! | CancelCopyImage | [`CancelCopyImage`] | [`ImageStore::cancel_copy_image`] | the copy is gone |
//! | CancelTask | [`CancelTask`] | [`ImageStore::cancel_task`] | the task is cancelled |
//! | ModifyImageSharePermission | [`ModifyImageSharePermission`] | [`ImageStore::modify_image_share_permission`] | shares and publication changed |
//! | RunInstances | [`RunInstances`] | [`ImageStore::run_instances`] | `Amount` new instances, all or none |
//! | DeleteInstance | [`DeleteInstance`] | [`ImageStore::delete_instance`] | the instance is released |
//! | StartInstance, StopInstance, RebootInstance | [`InstancePower`] | [`ImageStore::power_instance`] | Starting / Stopping |
//! | ModifyImageAttribute | [`ModifyImageAttribute`] | [`ImageStore::modify_image_attribute`] | Deprecated / Available |
//! | DeleteImage | [`DeleteImageRequest`] | [`ImageStore::delete_image`] | [`Outcome`] |
//! | TagResources | [`TagResources`] | [`ImageStore::tag_resources`] | the tags are on every resource, all or none |
//! | UntagResources | [`UntagResources`] | [`ImageStore::untag_resources`] | the keys (or every tag) are off |
//! | DeleteSnapshot | [`DeleteSnapshotRequest`] | [`ImageStore::delete_snapshot`] | [`SnapshotOutcome`] |
//! | CreateSnapshot | [`CreateSnapshot`] | [`ImageStore::create_snapshot`] | the new snapshot (progressing) |
//! | AddTags, RemoveTags | [`AddTags`], [`RemoveTags`] | [`ImageStore::add_tags`], [`ImageStore::remove_tags`] | the tags are on / off the one resource |
//!
//! The Describe actions are queries that never change the store, with typed requests too
//! ([`DescribeImages`], [`DescribeImageSharePermission`], [`DescribeInstances`],
//! [`DescribeTasks`], [`ListTagResources`], [`DescribeTags`], [`DescribeRegions`], each answered by the
//! [`ImageStore`] method of the same name): who sees
//! what, the filters and the paging ([`Page`], [`Listing`]) are the library's. The effects and
//! refusals of every action, with their sources, are tabled in `docs/lifecycle.md`.
//!
//! # The public API
//!
//! Every public item has one path, at the crate root, except the RPC helpers of [`wire`] and,
//! with the `proptest` feature, the `strategies` module. Ids are validated newtypes, and a
//! function that takes more than one id takes them as newtypes, so they cannot be swapped; the
//! fixture builder [`ImageSpec`] takes plain strings, since writing fixtures quickly is its
//! purpose.
//!
//! Builders take `self` and return the changed value, named by one rule: `with_x(value)` sets
//! `x`, replacing what was there (`with_force`, `with_dry_run`, `with_status`, `with_catalog`);
//! `add_x(item)` appends one item to a list (`add_snapshot`, `add_share`, `add_status`;
//! [`ModifyImageSharePermission`]'s `add_account` and `remove_account` append to its
//! `AddAccount.N` and `RemoveAccount.N` lists). An [`ImageSpec`] method named after a state
//! (`community`, `importing`, `copying_to`, `used_by`) puts the fixture image in that state.
//!
//! # Example
//!
//! ```
//! use ecs_image_rules::{
//!     AccountId, ApiError, DeleteImageRequest, ImageSpec, ImageStore, Outcome, Profile,
//! };
//!
//! let mut store = ImageStore::new();
//! store.put(ImageSpec::custom("m-shared", "alice", "cn-hangzhou").add_share("bob"))?;
//! store.put(ImageSpec::custom("m-used", "alice", "cn-hangzhou").used_by(1))?;
//!
//! let alice = AccountId::new("alice")?;
//! let request = |image: &str| DeleteImageRequest::from_rpc_params([
//!     ("RegionId", "cn-hangzhou"),
//!     ("ImageId", image),
//! ]);
//!
//! let refused = store.delete_image(&alice, &request("m-shared")?, &Profile::default()).unwrap_err();
//! assert_eq!(refused.http_status(), 403);
//! assert_eq!(refused.code(), "ImageUseShared");
//! assert_eq!(refused.to_string(), "The specified image has been shared to others.");
//!
//! let forced = request("m-used")?.with_force(true);
//! let Ok(Outcome::Deleted(deletion)) = store.delete_image(&alice, &forced, &Profile::default()) else {
//!     panic!("Force=true deletes an image that is only in use");
//! };
//! assert_eq!(deletion.instances_losing_reinit[0].as_str(), "i-m-used-1");
//! assert_eq!(store.can_reinitialize_system_disk("i-m-used-1"), Some(false));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attributes;
mod blocker;
mod describe;
mod disk_query;
mod error;
mod fixture;
mod idempotence;
mod ids;
mod image_index;
mod image_table;
mod launch;
mod lifecycle;
mod model;
mod pace;
mod profile;
mod query;
mod regions;
mod rule;
mod schedule;
mod snapshot_blocker;
mod snapshot_query;
mod snapshot_rule;
mod state;
mod storage;
mod storage_table;
mod store;
#[cfg(feature = "proptest")]
pub mod strategies;
mod tag_query;
mod tag_table;
mod tags;
mod time;
pub mod wire;
mod world;

pub use attributes::{
    Architecture, BootMode, Description, DetectionStrategy, DiskFormat, DiskMapping, DiskType,
    ImageAttributes, ImageFamily, ImageName, ImageVersion, KmsKeyId, LicenseType, OsType, Platform,
    ResourceGroupId, SnapshotName,
};
pub use blocker::Blocker;
pub use describe::{
    AttributeFilter, DescribeImageSharePermission, DescribeImages, DescribeInstances,
    DescribeTaskAttribute, DescribeTasks, ImageView, Listing, MAX_INSTANCE_IDS, MAX_PAGE_SIZE,
    MAX_TASK_IDS, Page, SharePermission, TaskAction, TaskView, image_statuses,
};
pub use disk_query::{DescribeDisks, MAX_DISK_IDS};
pub use error::{
    ApiError, BadFilter, Denial, Error, Malformed, Missing, NotFound, Parameter, TagRefusal,
};
pub use fixture::{FixtureError, ImageSpec, MARKETPLACE_OWNER, SYSTEM_OWNER};
pub use idempotence::{
    ClientToken, Fingerprint, FirstAnswer, MAX_CLIENT_TOKEN_LEN, RememberedToken, TokenAction,
};
pub use ids::{
    AccountId, DiskId, IdError, IdKind, ImageId, InstanceId, MAX_ID_LEN, RegionId, RequestId,
    RequestIdSequence, ResourceId, SnapshotId, TaskId,
};
pub use launch::{
    InstanceName, InstanceType, InternetChargeType, IoOptimized, LaunchSettings, MAX_BANDWIDTH_OUT,
    SecurityGroupId, VSwitchId, ZoneId,
};
pub use lifecycle::{
    Action, Answer, AttributeStatus, CancelCopyImage, CancelTask, CopyImage, CreateImage,
    DeleteInstance, ExportImage, ImportDisk, ImportImage, InstancePower, MAX_ACCOUNTS_PER_CALL,
    MAX_AMOUNT, ModifyImageAttribute, ModifyImageSharePermission, NewImage, Plan, PowerAction,
    Progress, RunInstances, Step, TagResources, UntagResources, check,
};
pub use lifecycle::{AddTags, CreateSnapshot, MAX_SNAPSHOTS_PER_DISK, RemoveTags};
pub use model::InstanceStatus;
pub use model::{EndedTask, TaskEnd};
pub use model::{Image, ImageKind, ImageStatus, Instance, Task, TaskKind, Visibility};
pub use pace::{Pace, PaceError, ProgressPolicy};
pub use profile::{Catalog, MissingImage, Precedence, PrecedenceError, Profile};
pub use query::{ImageFilter, MAX_IMAGE_IDS, OwnerAlias, RunningTask};
pub use regions::{DescribeRegions, Language, RegionView};
pub use rule::{
    DeleteImageRequest, Deletion, Outcome, Relation, Verdict, blockers, decide, relation,
};
pub use schedule::{Scheduled, Work, WorkKind};
pub use snapshot_blocker::{
    MissingSnapshot, ProgressingSnapshot, SnapshotBlocker, SnapshotPrecedence,
    SnapshotPrecedenceError,
};
pub use snapshot_query::{
    DescribeSnapshots, MAX_SNAPSHOT_IDS, SnapshotListing, SnapshotPaging, SnapshotType,
};
pub use snapshot_rule::{
    DeleteSnapshotRequest, SnapshotDeletion, SnapshotOutcome, SnapshotVerdict, decide_snapshot,
    snapshot_blockers,
};
pub use state::StoreState;
pub use storage::{Disk, Snapshot, SnapshotStatus, SnapshotUsage};
pub use store::{ImageStore, InvariantError, MAX_SHARES, PUBLIC_REGIONS};
pub use tag_query::{
    DESCRIBE_TAGS_PAGE_SIZE, DescribeTags, LIST_TAG_RESOURCES_PAGE, ListTagResources,
    TagResourcePage, TagResourceView, TagSummary,
};
pub use tags::{
    MAX_TAG_LEN, MAX_TAG_RESOURCE_IDS, MAX_TAGS_PER_CALL, MAX_TAGS_PER_RESOURCE, ResourceType, Tag,
    TagFilter, TagKey, TagValue, TaggedResource,
};
pub use time::{Timestamp, TimestampError};
pub use world::{AccessKey, Account, World, WorldError};

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
