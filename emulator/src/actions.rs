//! The action router: ECS action names to the library calls that answer them.
//!
//! The emulator adds no image-state logic of its own: an action reads its parameters into the
//! library's typed request ([`rpc`](crate::rpc)), calls the library, and renders the answer in
//! the real action's response shape. Every refusal is the library's typed error.
//!
//! `DryRun=true` on a lifecycle action runs it on a scratch copy of the store: a refusal is
//! answered as usual, a would-be success as 400 `DryRunOperation`, and nothing changes [D for
//! ECS actions generally; I: the check runs every business rule]. The copy costs time in
//! proportion to the store, under the lock. It is the one correct way the library offers: its
//! transitions have no check-only form, most have no inverse, and any that makes something
//! moves the store's id generator, so running one for real and undoing it would not leave the
//! store as it was. Only DryRun calls pay for it.

use ecs_image_rules::wire::{self, Body};
use ecs_image_rules::{
    AccountId, ApiError, AttributeStatus, CancelCopyImage, CancelTask, CopyImage, CreateImage,
    DeleteImageError, DeleteInstance, ExportImage, ImageId, ImageStore, ImportImage,
    LifecycleError, ModifyImageAttribute, ModifyImageSharePermission, Outcome, Profile, RegionId,
    Relation, RequestId, RunInstances, SnapshotId, World, relation,
};
use serde::Serialize;

use crate::describe;
use crate::protocol::{Format, Reply, host_for};
use crate::rpc::{Param, ParamError, Params};
use crate::signature::SignedRequest;

/// An action the emulator answers.
#[derive(Debug)]
pub(crate) struct ActionSpec {
    /// The ECS action name, e.g. `DeleteImage`.
    pub(crate) name: &'static str,
    /// Whether it may change the world (and so needs a backup to roll back a failed persist).
    pub(crate) mutating: bool,
    run: fn(&mut Context<'_, '_>) -> Result<Reply, Refusal>,
}

/// One call of an action, its caller not yet identified.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) action: &'static ActionSpec,
    pub(crate) format: Format,
    pub(crate) request_id: RequestId,
    pub(crate) signed: SignedRequest<'a>,
}

/// What an action answered, and whether the world changed.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) reply: Reply,
    pub(crate) mutated: bool,
}

/// A refusal from any layer: a parameter, a transition, or DeleteImage's own rule.
#[derive(Debug)]
pub(crate) enum Refusal {
    Param(ParamError),
    Lifecycle(LifecycleError),
    DeleteImage(DeleteImageError),
}

impl Refusal {
    fn api(&self) -> &dyn ApiError {
        match self {
            Refusal::Param(e) => e,
            Refusal::Lifecycle(e) => e,
            Refusal::DeleteImage(e) => e,
        }
    }
}

impl From<ParamError> for Refusal {
    fn from(e: ParamError) -> Self {
        Refusal::Param(e)
    }
}

impl From<LifecycleError> for Refusal {
    fn from(e: LifecycleError) -> Self {
        Refusal::Lifecycle(e)
    }
}

/// What an action sees: its call, its caller, the world and the profile.
pub(crate) struct Context<'c, 'a> {
    pub(crate) call: &'c Call<'a>,
    pub(crate) caller: &'c AccountId,
    pub(crate) world: &'c mut World,
    pub(crate) profile: &'c Profile,
    mutated: bool,
}

impl<'c, 'a> Context<'c, 'a> {
    pub(crate) fn params(&self) -> Params<'a> {
        Params(self.call.signed.params)
    }

    pub(crate) fn store(&self) -> &ImageStore {
        &self.world.store
    }

    pub(crate) fn request_id(&self) -> RequestId {
        self.call.request_id.clone()
    }

    /// The success reply for this action.
    pub(crate) fn ok<T: Serialize>(&self, body: &T) -> Reply {
        Reply::success(
            self.call.format,
            self.call.action.name,
            body,
            self.request_id(),
        )
    }

    fn dry_run(&self) -> Result<bool, Refusal> {
        Ok(self.params().boolean(Param::DryRun)?.unwrap_or(false))
    }

    /// Runs a transition on the store, or with `DryRun=true` on a scratch copy (see the
    /// [module docs](self) for why a copy).
    fn transition<T>(
        &mut self,
        change: impl FnOnce(&mut ImageStore, &AccountId) -> Result<T, LifecycleError>,
    ) -> Result<T, Refusal> {
        if self.dry_run()? {
            let mut scratch = self.world.store.clone();
            change(&mut scratch, self.caller)?;
            return Err(Refusal::DeleteImage(DeleteImageError::DryRunOperation));
        }
        let value = change(&mut self.world.store, self.caller)?;
        self.mutated = true;
        Ok(value)
    }

    /// Runs checks that change nothing; with `DryRun=true`, a pass is `DryRunOperation`. No
    /// copy is needed, and the world is not marked changed.
    fn check(
        &self,
        check: impl FnOnce(&ImageStore, &AccountId) -> Result<(), LifecycleError>,
    ) -> Result<(), Refusal> {
        let dry_run = self.dry_run()?;
        check(&self.world.store, self.caller)?;
        if dry_run {
            return Err(Refusal::DeleteImage(DeleteImageError::DryRunOperation));
        }
        Ok(())
    }
}

macro_rules! action {
    ($name:literal, $mutating:expr, $run:path) => {
        ActionSpec {
            name: $name,
            mutating: $mutating,
            run: $run,
        }
    };
}

/// Every action the emulator answers.
static ACTIONS: &[ActionSpec] = &[
    action!("DeleteImage", true, delete_image),
    action!("DescribeImages", false, describe::images),
    action!(
        "DescribeImageSharePermission",
        false,
        describe::image_share_permission
    ),
    action!("DescribeInstances", false, describe::instances),
    action!("DescribeTasks", false, describe::tasks),
    action!("CreateImage", true, create_image),
    action!("ImportImage", true, import_image),
    action!("ExportImage", true, export_image),
    action!("CopyImage", true, copy_image),
    action!("CancelCopyImage", true, cancel_copy_image),
    action!("CancelTask", true, cancel_task),
    action!(
        "ModifyImageSharePermission",
        true,
        modify_image_share_permission
    ),
    action!("RunInstances", true, run_instances),
    action!("DeleteInstance", true, delete_instance),
    action!("ModifyImageAttribute", true, modify_image_attribute),
];

/// The action of that exact name (action names are case-sensitive, as ECS's are \[I\]).
pub(crate) fn lookup(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// The names of every action the emulator answers, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    ACTIONS.iter().map(|a| a.name)
}

/// Runs a call for an identified caller.
pub(crate) fn run(
    call: &Call<'_>,
    caller: &AccountId,
    world: &mut World,
    profile: &Profile,
) -> Answer {
    let mut cx = Context {
        call,
        caller,
        world,
        profile,
        mutated: false,
    };
    let reply = match (call.action.run)(&mut cx) {
        Ok(reply) => reply,
        Err(refusal) => Reply::error(
            call.format,
            refusal.api(),
            cx.request_id(),
            host_for(cx.store(), call.signed.params),
        ),
    };
    Answer {
        reply,
        mutated: cx.mutated,
    }
}

// ---- DeleteImage: the library's wire layer does it all -----------------------------------

fn delete_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let call = cx.call;
    let params = call
        .signed
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let (response, outcome) = wire::delete_image(
        &mut cx.world.store,
        cx.caller,
        params,
        cx.profile,
        call.request_id.clone(),
    );
    let reply = match &response.body {
        Body::Success(body) => cx.ok(body),
        Body::Error(body) => Reply::error_body(call.format, response.http_status, body),
    };
    Ok(match outcome {
        Some(Outcome::Deleted(_)) => {
            cx.mutated = true;
            reply.with_outcome("Deleted")
        }
        Some(Outcome::Ignored) => reply.with_outcome("Ignored"),
        None => reply,
    })
}

// ---- the lifecycle: one library transition each ------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Done {
    request_id: RequestId,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageMade {
    request_id: RequestId,
    image_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImportStarted {
    request_id: RequestId,
    image_id: String,
    task_id: String,
    region_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ExportStarted {
    request_id: RequestId,
    task_id: String,
    region_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstancesMade {
    request_id: RequestId,
    instance_id_sets: InstanceIdSets,
}

#[derive(Serialize)]
struct InstanceIdSets {
    #[serde(rename = "InstanceIdSet")]
    instance_id_set: Vec<String>,
}

fn done(cx: &Context<'_, '_>) -> Reply {
    cx.ok(&Done {
        request_id: cx.request_id(),
    })
}

fn create_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let mut request = CreateImage::new(p.required(Param::RegionId)?);
    // `SnapshotId` (one system disk) and `DiskDeviceMapping.N.SnapshotId` both name snapshots.
    let single: Option<SnapshotId> = p.optional(Param::SnapshotId)?;
    let mapped: Vec<SnapshotId> =
        p.indexed("DiskDeviceMapping", Some("SnapshotId"), Param::SnapshotId)?;
    request.snapshot_ids = single.into_iter().chain(mapped).collect();
    let image = cx.transition(|store, caller| store.create_image(caller, request))?;
    Ok(cx.ok(&ImageMade {
        request_id: cx.request_id(),
        image_id: image.to_string(),
    }))
}

fn import_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let request = ImportImage::new(cx.params().required(Param::RegionId)?);
    let region = request.region_id.to_string();
    let made = cx.transition(|store, caller| store.import_image(caller, request))?;
    Ok(cx.ok(&ImportStarted {
        request_id: cx.request_id(),
        image_id: made.image.to_string(),
        task_id: made.task.to_string(),
        region_id: region,
    }))
}

fn export_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let request = ExportImage::new(p.required(Param::RegionId)?, p.required(Param::ImageId)?);
    let region = request.region_id.to_string();
    let task = cx.transition(|store, caller| store.export_image(caller, request))?;
    Ok(cx.ok(&ExportStarted {
        request_id: cx.request_id(),
        task_id: task.to_string(),
        region_id: region,
    }))
}

fn copy_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let request = CopyImage::new(
        p.required(Param::RegionId)?,
        p.required(Param::ImageId)?,
        p.required(Param::DestinationRegionId)?,
    );
    let made = cx.transition(|store, caller| store.copy_image(caller, request))?;
    Ok(cx.ok(&ImageMade {
        request_id: cx.request_id(),
        image_id: made.image.to_string(),
    }))
}

fn cancel_copy_image(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let request = CancelCopyImage::new(p.required(Param::RegionId)?, p.required(Param::ImageId)?);
    cx.transition(|store, caller| store.cancel_copy_image(caller, request))?;
    Ok(done(cx))
}

fn cancel_task(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let request = CancelTask::new(p.required(Param::RegionId)?, p.required(Param::TaskId)?);
    cx.transition(|store, caller| store.cancel_task(caller, request))?;
    Ok(done(cx))
}

fn modify_image_share_permission(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let mut request =
        ModifyImageSharePermission::new(p.required(Param::RegionId)?, p.required(Param::ImageId)?);
    request.add_accounts = p.indexed("AddAccount", None, Param::AddAccount)?;
    request.remove_accounts = p.indexed("RemoveAccount", None, Param::RemoveAccount)?;
    request.is_public = p.boolean(Param::IsPublic)?;
    cx.transition(|store, caller| store.modify_image_share_permission(caller, request))?;
    Ok(done(cx))
}

/// RunInstances' `Amount` range \[D\].
const MAX_AMOUNT: u32 = 100;

fn run_instances(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let request = RunInstances::new(p.required(Param::RegionId)?, p.required(Param::ImageId)?);
    let amount = p.optional::<u32>(Param::Amount)?.unwrap_or(1);
    if !(1..=MAX_AMOUNT).contains(&amount) {
        return Err(ParamError::Invalid(Param::Amount).into());
    }
    let ids = cx.transition(|store, caller| {
        // All or nothing, without copying the store: the library's run_instances checks the
        // region, the caller's sight of the image and the image's status, and making an
        // instance changes none of them, so once the first instance is made the others cannot
        // be refused. Should one be refused all the same, the ones made are released again
        // (only the store's id generator would show that they were made).
        let mut ids = Vec::with_capacity(amount as usize);
        for _ in 0..amount {
            match store.run_instances(caller, request.clone()) {
                Ok(id) => ids.push(id),
                Err(refused) => {
                    for id in ids {
                        let made = DeleteInstance::new(request.region_id.clone(), id);
                        // Each was just made by this caller in this region: releasing it
                        // passes the same checks.
                        let _ = store.delete_instance(caller, made);
                    }
                    return Err(refused);
                }
            }
        }
        Ok(ids)
    })?;
    Ok(cx.ok(&InstancesMade {
        request_id: cx.request_id(),
        instance_id_sets: InstanceIdSets {
            instance_id_set: ids.iter().map(ToString::to_string).collect(),
        },
    }))
}

fn delete_instance(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let instance = p.required(Param::InstanceId)?;
    // The real DeleteInstance has no RegionId parameter (the SDKs send none): the instance's
    // own region is meant [I]. An unknown instance is the library's InvalidInstanceId.NotFound.
    let region = match p.optional(Param::RegionId)? {
        Some(region) => region,
        None => cx
            .store()
            .instance(p.required::<String>(Param::InstanceId)?.as_str())
            .map(|i| i.region.clone())
            .ok_or(LifecycleError::InstanceNotFound)?,
    };
    let request = DeleteInstance::new(region, instance);
    cx.transition(|store, caller| store.delete_instance(caller, request))?;
    Ok(done(cx))
}

fn modify_image_attribute(cx: &mut Context<'_, '_>) -> Result<Reply, Refusal> {
    let p = cx.params();
    let region: RegionId = p.required(Param::RegionId)?;
    let image: ImageId = p.required(Param::ImageId)?;
    let status = match p.raw(Param::Status.name()) {
        // Only Status plays a part in DeleteImage; a call that changes other attributes
        // (name, description, …) is checked as any ModifyImageAttribute is, the region and
        // that the image is the caller's own, and then changes nothing [I].
        None => {
            cx.check(|store, caller| own_image(store, caller, &region, &image))?;
            return Ok(done(cx));
        }
        Some("Deprecated") => AttributeStatus::Deprecated,
        Some("Available") => AttributeStatus::Available,
        Some(_) => return Err(ParamError::Invalid(Param::Status).into()),
    };
    let request = ModifyImageAttribute::new(region, image, status);
    cx.transition(|store, caller| store.modify_image_attribute(caller, request))?;
    Ok(done(cx))
}

/// ModifyImageAttribute's first two refusals, in the library's order and with its errors:
/// `InvalidRegionId.NotFound` for a region the store does not know, then
/// `InvalidImageId.NotFound` unless the library's [`relation`] of the caller to the image is
/// [`Relation::Own`].
fn own_image(
    store: &ImageStore,
    caller: &AccountId,
    region: &RegionId,
    image: &ImageId,
) -> Result<(), LifecycleError> {
    if !store.has_region(region.as_str()) {
        return Err(LifecycleError::RegionNotFound);
    }
    match relation(store, caller, region.as_str(), image.as_str()) {
        Relation::Own => Ok(()),
        Relation::VisibleNotOwn | Relation::Absent => Err(LifecycleError::ImageNotFound),
    }
}
