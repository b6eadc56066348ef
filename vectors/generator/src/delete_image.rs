//! The DeleteImage vectors (`vectors/delete_image.json`) and their manifests.
//!
//! Codes and both catalogs' messages are copied by hand from docs/decision.md (argued in
//! docs/contract.md §1 to §3) into the tables below; which answer a test expects follows from
//! what this module put into the test's world (the blockers on an image, who owns or sees it,
//! its instances and snapshots) and a few lines of precedence, Force and DryRun logic written
//! here.

use std::collections::BTreeSet;

use ecs_image_rules::{
    AccountId, Image, ImageId, ImageKind, ImageStatus, ImageStore, Instance, InstanceId,
    InstanceStatus, RegionId, SnapshotId, Task, TaskId, TaskKind, Visibility, World,
};
use serde::Serialize;

use crate::shape::{self, Api, Expected, Manifest, test};
use crate::{Result, given, pairs, rpc_params, table, words};

const API: Api = Api {
    action: "DeleteImage",
    file: "delete_image.json",
    manifests_glob: "manifest-*.txt",
    notes: NOTES,
};

type TestGroup = shape::TestGroup<ProfileSpec, Effects>;

/// Every file this module writes: the vectors, then the manifests.
pub(crate) fn files() -> Result<Vec<(String, String)>> {
    shape::files(&API, groups()?, &MANIFESTS)
}

// ---- hand-written tables (docs/decision.md; docs/contract.md §1 to §3) ----------------------

/// The six blockers, as the generator knows them (independently of the library's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum B {
    Importing,
    Exporting,
    Copying,
    Public,
    Shared,
    InUse,
}

/// One row of the blocker table of §3.
struct Row {
    blocker: B,
    name: &'static str,
    abbr: &'static str,
    code: &'static str,
    msg_2024_10: &'static str,
    msg_2025: &'static str,
}

/// The blockers of docs/contract.md §3, copied by hand, in the default precedence's order.
const ROWS: [Row; 6] = [
    Row {
        blocker: B::Importing,
        name: "Importing",
        abbr: "imp",
        code: "ImageIsImporting",
        msg_2024_10: "The specified Image is importing.",
        msg_2025: "The specified Image is importing.",
    },
    Row {
        blocker: B::Exporting,
        name: "Exporting",
        abbr: "exp",
        code: "ImageIsExporting",
        msg_2024_10: "The specified Image is exporting. Please cancel task first.",
        msg_2025: "The specified image is currently being exported. You can use the DescribeTasks API to check the status of related tasks and cancel them if needed.",
    },
    Row {
        blocker: B::Copying,
        name: "Copying",
        abbr: "cpy",
        code: "OperationDenied.ImageCopying",
        msg_2024_10: "The Image is coping.",
        msg_2025: "The image is being copied. Please use the CancelCopyImage API.",
    },
    Row {
        blocker: B::Public,
        name: "Public",
        abbr: "pub",
        code: "ImageIsPublic",
        msg_2024_10: "You can not delete public image, please modify it to private.",
        msg_2025: "You can not delete public image, please modify it to private.",
    },
    Row {
        blocker: B::Shared,
        name: "Shared",
        abbr: "shr",
        code: "ImageUseShared",
        msg_2024_10: "The specified image has been shared to others.",
        msg_2025: "The specified image has been shared to others. You can use the DescribeImageSharePermission API to query the users who have been shared.",
    },
    Row {
        blocker: B::InUse,
        name: "InUse",
        abbr: "use",
        code: "ImageUsingByInstance",
        msg_2024_10: "The specified image has been used to create instances.",
        msg_2025: "The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed.",
    },
];

fn row(b: B) -> &'static Row {
    ROWS.iter()
        .find(|r| r.blocker == b)
        .expect("every blocker has a row")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Catalog {
    Doc2024_10,
    Doc2025,
}

impl Catalog {
    const fn name(self) -> &'static str {
        match self {
            Catalog::Doc2024_10 => "2024-10",
            Catalog::Doc2025 => "2025",
        }
    }

    const fn flag(self) -> &'static str {
        match self {
            Catalog::Doc2024_10 => "Catalog2024",
            Catalog::Doc2025 => "Catalog2025",
        }
    }
}

/// §3: the default precedence (\[I\]).
const DEFAULT_ORDER: [B; 6] = [
    B::Importing,
    B::Exporting,
    B::Copying,
    B::Public,
    B::Shared,
    B::InUse,
];
/// A custom precedence: the default reversed, so InUse (the one Force skips) comes first.
const REVERSED_ORDER: [B; 6] = [
    B::InUse,
    B::Shared,
    B::Public,
    B::Copying,
    B::Exporting,
    B::Importing,
];
/// A custom precedence: the row order of the current documentation's error table
/// (docs/contract.md §3), which a reader might take for the order of the checks.
const DOC_TABLE_ORDER: [B; 6] = [
    B::InUse,
    B::Shared,
    B::Copying,
    B::Importing,
    B::Exporting,
    B::Public,
];

/// An expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Deleted {
        instances: Vec<String>,
        snapshots: Vec<String>,
    },
    Ignored,
    Error {
        status: u16,
        code: &'static str,
        message: String,
    },
}

fn error(status: u16, code: &'static str, message: &str) -> Answer {
    Answer::Error {
        status,
        code,
        message: message.to_owned(),
    }
}

// §1, copied by hand.
fn missing_region_id() -> Answer {
    error(
        400,
        "MissingRegionId",
        "RegionId is mandatory for this action.",
    )
}
fn missing_image_id() -> Answer {
    error(
        400,
        "MissingImageId",
        "ImageId is mandatory for this action.",
    )
}
fn invalid_parameter(name: &str) -> Answer {
    error(
        400,
        "InvalidParameter",
        &format!("The specified parameter \"{name}\" is not valid."),
    )
}
fn region_not_found() -> Answer {
    error(
        404,
        "InvalidRegionId.NotFound",
        "The specified RegionId does not exist.",
    )
}
// §2.
fn image_not_found() -> Answer {
    error(
        404,
        "InvalidImageId.NotFound",
        "The specified ImageId does not exist.",
    )
}
// §3.
fn dry_run_operation() -> Answer {
    error(
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    )
}
fn blocked(b: B, catalog: Catalog) -> Answer {
    let row = row(b);
    let message = match catalog {
        Catalog::Doc2024_10 => row.msg_2024_10,
        Catalog::Doc2025 => row.msg_2025,
    };
    error(403, row.code, message)
}

/// §3 on an own image: the first blocker in `order` that holds, InUse skipped under Force;
/// else DryRun's answer; else the deletion.
fn own_answer(
    blockers: &BTreeSet<B>,
    force: bool,
    dry_run: bool,
    order: &[B; 6],
    catalog: Catalog,
    deletion: Answer,
) -> Answer {
    let first = order
        .iter()
        .copied()
        .find(|b| blockers.contains(b) && !(force && *b == B::InUse));
    match first {
        Some(b) => blocked(b, catalog),
        None if dry_run => dry_run_operation(),
        None => deletion,
    }
}

/// §2 on an image the caller cannot see.
fn absent_answer(missing: Missing, dry_run: bool) -> Answer {
    match missing {
        Missing::NotFound => image_not_found(),
        Missing::Ignore if dry_run => dry_run_operation(),
        Missing::Ignore => Answer::Ignored,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Ignore,
    NotFound,
}

// ---- flags and their notes ---------------------------------------------------------------

/// `flag | tag | source | description`, one flag a line. Every flag a test carries is here, and
/// every flag here is carried by some test (`tests/vectors.rs` checks both).
const NOTES: &str = "\
Absent | [D] | docs/contract.md §2 | The caller cannot see the image in RegionId: no such id there, already deleted, in another region, or another account's private image. Ignored (success, nothing changes) [D: \"If the specified custom image does not exist, the request is ignored.\"], or 404 InvalidImageId.NotFound under MissingImageNotFound.
AlreadyDeleted | [D] | docs/contract.md §2 | The image was deleted before (an instance still remembers it); it is absent.
Catalog2024 | [D] | docs/contract.md §3; docs/contract.md §8 (the 2024-10-21 page) | Messages of the DeleteImage page as last updated on 2024-10-21 (profile catalog \"2024-10\", the default); the copying message keeps its typo, \"coping\".
Catalog2025 | [D] | docs/contract.md §3 | Messages of the current DeleteImage page, changed from 2024-12 on (profile catalog \"2025\").
CommunityImage | [D] | docs/contract.md §2 | Another account's image published as a community image: visible to every account in its region, so visible but not own.
CopiesUnaffected | [D] | docs/contract.md §4 | The image has a finished copy, or is one: deleting one leaves the other as it was.
CopyDestination | [D] | docs/contract.md §3 | The request names the destination of a running CopyImage (status Creating, in the destination region): Copying holds on both ends.
Copying | [D] | docs/contract.md §3 | Blocker: the image is the source or the destination of a running CopyImage. 403 OperationDenied.ImageCopying.
CustomPrecedence | [I] | docs/contract.md §3 | A non-default precedence (any permutation of the six blockers can be configured): the default reversed, or the row order of the current documentation's error table (docs/contract.md §3).
DefaultPrecedence | [I] | docs/contract.md §3 | The default precedence: Importing, Exporting, Copying, Public, Shared, InUse. Alibaba documents none; InUse comes last so that an answer inviting Force=true never hides another blocker.
DryRun | [I] | docs/contract.md §1, §3 | DryRun=true: every check runs; a request that would succeed (deleted or ignored) answers 400 DryRunOperation and changes nothing; errors are answered as usual. [D for other ECS APIs; I for DeleteImage]
EmptyValue | [I] | docs/contract.md §1; src/wire.rs | A parameter sent with an empty value: missing for RegionId and ImageId (§1), the same as absent (false) for Force and DryRun [I].
Exporting | [D] | docs/contract.md §3 | Blocker: an ExportImage task on the image is running. 403 ImageIsExporting.
Force | [D] | docs/contract.md §3 | Force=true: skips InUse and nothing else (Force is only ever described in terms of instances).
ForceFalse | [D] | docs/contract.md §1 | Force=false sent explicitly: the same as leaving it out (default false).
ImageStatus | [I] | docs/contract.md §3 | Without a blocker an image is deletable in every status, Creating and Waiting included when no import or copy runs (ImageIsCreating left the error table in 2020).
Importing | [D] | docs/contract.md §3 | Blocker: an ImportImage task for the image is running. 403 ImageIsImporting.
InUse | [D] | docs/contract.md §3 | Blocker: at least one existing (not released) instance was created from the image. 403 ImageUsingByInstance; Force=true skips it.
InstancesLoseReinit | [D] | docs/contract.md §4 | The deleted image had instances: they keep running but can no longer re-initialize their system disk (effects.instancesLosingReinit).
InvalidBoolean | [I] | docs/contract.md §1 | Force or DryRun is not true or false in any ASCII case: 400 InvalidParameter naming it.
MalformedId | [I] | src/wire.rs (DeleteImageRequest::from_rpc_params); src/ids.rs | RegionId or ImageId is present but not a well-formed id (1 to 128 bytes of visible ASCII): 400 InvalidParameter naming it. Checked after the missing parameters, before Force and DryRun. No source documents an id grammar; this is the library's decision (docs/contract.md §1).
MarketplaceImage | [D] | docs/contract.md §2 | An Alibaba Cloud Marketplace image: visible to every account, never own.
MissingImageIgnore | [D] | docs/contract.md §2 | Profile missingImage \"Ignore\" (the default): an absent image is a success that changes nothing.
MissingImageNotFound | [I] | docs/contract.md §2 | Profile missingImage \"NotFound\": an absent image answers 404 InvalidImageId.NotFound, as the live service may well do.
MissingParameter | [O] | docs/contract.md §1 | RegionId or ImageId absent or empty: 400 MissingRegionId / MissingImageId, gateway style.
MultipleBlockers | [I] | docs/contract.md §3 | Several blockers hold at once: the first in the profile's precedence is the answer.
NeverExisted | [D] | docs/contract.md §2 | No image with this id was ever in the region: absent.
NoBlocker | [D] | docs/contract.md §3, §4 | An own image that no blocker holds on: it is deleted.
OddBooleanSpelling | [O] | docs/contract.md §1; docs/clients.md §2d | A boolean in a case other than lower case (the Python SDKs send True and False): accepted in any ASCII case.
OtherAccountInstance | [D] | docs/contract.md §4 | Another account's instance, launched while the image was shared with it: it counts for InUse and loses re-init like the owner's.
OtherAccountPrivate | [I] | docs/contract.md §2 | Another account's image that is not shared with the caller: absent, deliberately, so that the answer does not reveal whether the id exists.
OtherRegion | [D] | docs/contract.md §2 | The image exists, but in another region than RegionId: images are regional, so it is absent there.
Own | [D] | docs/contract.md §2 | A custom image in RegionId owned by the caller: the blockers of §3 decide.
ParameterNameCase | [I] | src/wire.rs (DeleteImageRequest::from_rpc_params) | Parameter names are case-sensitive: a wrongly cased name is an unknown parameter and ignored.
ParameterOrder | [I] | docs/contract.md §1 | Several parameter errors at once: MissingRegionId, MissingImageId, InvalidParameter (RegionId, ImageId, Force, DryRun), then InvalidRegionId.NotFound, before anything about the image.
Public | [D] | docs/contract.md §3 | Blocker: the image is published as a community image. 403 ImageIsPublic.
RepeatedParameter | [I] | src/wire.rs (DeleteImageRequest::from_rpc_params) | A parameter name sent twice: its first value counts.
Shared | [D] | docs/contract.md §3 | Blocker: the image is shared with at least one other account. 403 ImageUseShared.
SharedSnapshot | [D] | docs/contract.md §4 | A snapshot that another remaining image was also built from is not released.
SharedWithCaller | [D] | docs/contract.md §2 | Another account's image shared with the caller: visible but not own.
SnapshotsReleased | [D] | docs/contract.md §4 | Snapshots the deleted image was built from are not deleted but released, now deletable (effects.snapshotsReleased).
SystemImage | [D] | docs/contract.md §2 | An Alibaba Cloud public (system) image: visible to every account, never own.
UnknownParameter | [O] | docs/contract.md §1; docs/clients.md §2 | Parameters DeleteImage does not read (Format, Version, Timestamp, Signature*, AccessKeyId, OwnerId, ...), as real clients send them: ignored.
UnknownRegion | [D] | docs/contract.md §1 | A well-formed RegionId that the world's store does not know: 404 InvalidRegionId.NotFound. The world's regions are the whole region set.
VisibleNotOwn | [D] | docs/contract.md §2 | The caller can see the image but does not own it: 404 InvalidImageId.NotFound [D: \"does not exist in this account\"], whatever the missing-image policy.
";

// ---- the file's shape ----------------------------------------------------------------------

/// The profile fields a group's answers depend on; a field left out changes none of them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    catalog: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_image: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precedence: Option<Vec<&'static str>>,
}

#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Effects {
    image_deleted: bool,
    instances_losing_reinit: Vec<String>,
    snapshots_released: Vec<String>,
}

impl From<Answer> for Expected<Effects> {
    fn from(answer: Answer) -> Self {
        match answer {
            Answer::Deleted {
                mut instances,
                mut snapshots,
            } => {
                instances.sort();
                snapshots.sort();
                Expected::deleted(Effects {
                    image_deleted: true,
                    instances_losing_reinit: instances,
                    snapshots_released: snapshots,
                })
            }
            Answer::Ignored => Expected::ignored(),
            Answer::Error {
                status,
                code,
                message,
            } => Expected::error(status, code, message),
        }
    }
}

const MANIFESTS: [Manifest<ProfileSpec>; 5] = [
    Manifest {
        file: "manifest-2024-10.txt",
        admits: |p| p.catalog.is_none_or(|c| c == "2024-10"),
    },
    Manifest {
        file: "manifest-2025.txt",
        admits: |p| p.catalog.is_none_or(|c| c == "2025"),
    },
    Manifest {
        file: "manifest-missing-image-ignore.txt",
        admits: |p| p.missing_image.is_none_or(|m| m == "Ignore"),
    },
    Manifest {
        file: "manifest-missing-image-notfound.txt",
        admits: |p| p.missing_image.is_none_or(|m| m == "NotFound"),
    },
    Manifest {
        file: "manifest-default-precedence.txt",
        admits: |p| {
            p.precedence
                .as_ref()
                .is_none_or(|order| *order == precedence_names(&DEFAULT_ORDER))
        },
    },
];

fn precedence_names(order: &[B; 6]) -> Vec<&'static str> {
    order.iter().map(|&b| row(b).name).collect()
}

// ---- worlds --------------------------------------------------------------------------------

struct ImageDef {
    id: String,
    owner: String,
    region: String,
    kind: ImageKind,
    status: ImageStatus,
    community: bool,
    shared_with: Vec<String>,
    snapshots: Vec<String>,
}

enum TaskDef {
    Import(String),
    Export(String),
    Copy(String, String),
}

struct InstanceDef {
    id: String,
    owner: String,
    region: String,
    image: String,
    image_deleted: bool,
}

/// A world as the generator describes it; [`WorldDef::world`] turns it into the library's
/// [`World`]. Expected effects are computed from these lists, never from the store.
struct WorldDef {
    accounts: Vec<&'static str>,
    regions: Vec<&'static str>,
    images: Vec<ImageDef>,
    tasks: Vec<(String, TaskDef)>,
    instances: Vec<InstanceDef>,
}

impl WorldDef {
    fn new(accounts: &[&'static str], regions: &[&'static str]) -> Self {
        Self {
            accounts: accounts.to_vec(),
            regions: regions.to_vec(),
            images: Vec::new(),
            tasks: Vec::new(),
            instances: Vec::new(),
        }
    }

    /// Adds a private, available custom image and returns it for further changes.
    fn image(&mut self, id: &str, owner: &str, region: &str) -> &mut ImageDef {
        self.images.push(ImageDef {
            id: id.to_owned(),
            owner: owner.to_owned(),
            region: region.to_owned(),
            kind: ImageKind::Custom,
            status: ImageStatus::Available,
            community: false,
            shared_with: Vec::new(),
            snapshots: Vec::new(),
        });
        self.images.last_mut().expect("just pushed")
    }

    fn task(&mut self, id: &str, task: TaskDef) {
        self.tasks.push((id.to_owned(), task));
    }

    /// Adds an existing instance of `owner` created from `image`, in the image's region.
    fn instance(&mut self, id: &str, owner: &str, image: &str) {
        let region = self
            .images
            .iter()
            .find(|i| i.id == image)
            .map(|i| i.region.clone())
            .expect("instances are added after their image");
        self.instances.push(InstanceDef {
            id: id.to_owned(),
            owner: owner.to_owned(),
            region,
            image: image.to_owned(),
            image_deleted: false,
        });
    }

    /// Adds an instance whose image was deleted before the world begins.
    fn orphan_instance(&mut self, id: &str, owner: &str, region: &str, image: &str) {
        self.instances.push(InstanceDef {
            id: id.to_owned(),
            owner: owner.to_owned(),
            region: region.to_owned(),
            image: image.to_owned(),
            image_deleted: true,
        });
    }

    /// §4 for deleting `image`: the instances created from it that exist, and its snapshots
    /// that no other image lists.
    fn deletion(&self, image: &str) -> Answer {
        let def = self
            .images
            .iter()
            .find(|i| i.id == image)
            .expect("a deletion names an image of the world");
        let instances = self
            .instances
            .iter()
            .filter(|i| i.image == image && !i.image_deleted)
            .map(|i| i.id.clone())
            .collect();
        let snapshots = def
            .snapshots
            .iter()
            .filter(|s| {
                !self
                    .images
                    .iter()
                    .any(|other| other.id != image && other.snapshots.contains(s))
            })
            .cloned()
            .collect();
        Answer::Deleted {
            instances,
            snapshots,
        }
    }

    /// The library's world: accounts with one access key each, and the store built through
    /// its structural inserts (which refuse an inconsistent world).
    fn world(&self) -> Result<World> {
        let mut store = ImageStore::without_regions();
        for region in &self.regions {
            store.add_region(RegionId::new(region)?);
        }
        for def in &self.images {
            store.insert_image(Image {
                id: ImageId::new(&def.id)?,
                owner: AccountId::new(&def.owner)?,
                region: RegionId::new(&def.region)?,
                kind: def.kind,
                status: def.status,
                visibility: Visibility {
                    community: def.community,
                    shared_with: def
                        .shared_with
                        .iter()
                        .map(|a| AccountId::new(a))
                        .collect::<std::result::Result<_, _>>()?,
                },
                snapshots: def
                    .snapshots
                    .iter()
                    .map(|s| SnapshotId::new(s))
                    .collect::<std::result::Result<_, _>>()?,
                attributes: None,
            })?;
        }
        for (id, def) in &self.tasks {
            let kind = match def {
                TaskDef::Import(image) => TaskKind::ImportImage {
                    image: ImageId::new(image)?,
                },
                TaskDef::Export(image) => TaskKind::ExportImage {
                    image: ImageId::new(image)?,
                },
                TaskDef::Copy(source, destination) => TaskKind::CopyImage {
                    source: ImageId::new(source)?,
                    destination: ImageId::new(destination)?,
                },
            };
            store.insert_task(Task {
                id: TaskId::new(id)?,
                kind,
                created: None,
            })?;
        }
        for def in &self.instances {
            store.insert_instance(Instance {
                id: InstanceId::new(&def.id)?,
                owner: AccountId::new(&def.owner)?,
                region: RegionId::new(&def.region)?,
                image: ImageId::new(&def.image)?,
                status: InstanceStatus::Running,
                image_deleted: def.image_deleted,
                launch: None,
            })?;
        }
        Ok(World {
            accounts: shape::accounts(&self.accounts)?,
            store,
        })
    }
}

// ---- tests -------------------------------------------------------------------------------

/// The params of a request with the usual names, Force and DryRun left out when `None`.
fn request(
    region: &str,
    image: &str,
    force: Option<&str>,
    dry_run: Option<&str>,
) -> Vec<(String, String)> {
    let mut params = vec![
        ("RegionId".to_owned(), region.to_owned()),
        ("ImageId".to_owned(), image.to_owned()),
    ];
    if let Some(v) = force {
        params.push(("Force".to_owned(), v.to_owned()));
    }
    if let Some(v) = dry_run {
        params.push(("DryRun".to_owned(), v.to_owned()));
    }
    params
}

fn groups() -> Result<Vec<TestGroup>> {
    let mut groups = Vec::new();
    groups.push(parameter_errors()?);
    for catalog in [Catalog::Doc2024_10, Catalog::Doc2025] {
        groups.push(boolean_spellings(catalog)?);
    }
    for missing in [Missing::Ignore, Missing::NotFound] {
        groups.push(visibility(missing)?);
    }
    let blocker_groups = [
        (
            "blockers-default-2024-10",
            Catalog::Doc2024_10,
            &DEFAULT_ORDER,
        ),
        ("blockers-default-2025", Catalog::Doc2025, &DEFAULT_ORDER),
        (
            "blockers-reversed-2024-10",
            Catalog::Doc2024_10,
            &REVERSED_ORDER,
        ),
        (
            "blockers-doc-table-order-2025",
            Catalog::Doc2025,
            &DOC_TABLE_ORDER,
        ),
    ];
    for (name, catalog, order) in blocker_groups {
        groups.push(blocker_grid(name, catalog, order)?);
    }
    for catalog in [Catalog::Doc2024_10, Catalog::Doc2025] {
        groups.push(copy_ends(catalog)?);
    }
    groups.push(statuses()?);
    groups.push(effects()?);
    Ok(groups)
}

/// §1, `comment | flags | params | answer`: params are `name=value` joined with `&` (raw, so
/// spaces and control characters are part of the value); the answer names one of the §1
/// constructors above, or `Deleted` for deleting m-param.
const PARAMETER_CASES: &str = "\
no parameters at all | MissingParameter ParameterOrder |  | MissingRegionId
RegionId absent | MissingParameter | ImageId=m-param | MissingRegionId
RegionId empty | MissingParameter EmptyValue | RegionId=&ImageId=m-param | MissingRegionId
ImageId absent | MissingParameter | RegionId=cn-hangzhou | MissingImageId
ImageId empty | MissingParameter EmptyValue | RegionId=cn-hangzhou&ImageId= | MissingImageId
RegionId absent and Force not a boolean: MissingRegionId first | MissingParameter InvalidBoolean ParameterOrder | ImageId=m-param&Force=yes | MissingRegionId
ImageId absent, Force and DryRun not booleans: MissingImageId first | MissingParameter InvalidBoolean ParameterOrder | RegionId=cn-hangzhou&Force=yes&DryRun=yes | MissingImageId
RegionId absent and unknown parameters sent | MissingParameter UnknownParameter | ImageId=m-param&Format=JSON&Version=2014-05-26 | MissingRegionId
Force=yes | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=yes | InvalidParameter Force
Force=1 | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=1 | InvalidParameter Force
Force=0 | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=0 | InvalidParameter Force
Force=on | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=on | InvalidParameter Force
Force with a leading space | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force= true | InvalidParameter Force
Force with a trailing space | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=false  | InvalidParameter Force
Force=truee | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=truee | InvalidParameter Force
DryRun=yes | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&DryRun=yes | InvalidParameter DryRun
DryRun=1 | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&DryRun=1 | InvalidParameter DryRun
DryRun=T | InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&DryRun=T | InvalidParameter DryRun
Force and DryRun both not booleans: Force first | InvalidBoolean ParameterOrder | RegionId=cn-hangzhou&ImageId=m-param&DryRun=yes&Force=yes | InvalidParameter Force
Force not a boolean in an unknown region: parameter errors come before the region | InvalidBoolean UnknownRegion ParameterOrder | RegionId=xx-unknown-1&ImageId=m-param&Force=yes | InvalidParameter Force
unknown region | UnknownRegion | RegionId=xx-unknown-1&ImageId=m-param | InvalidRegionId.NotFound
unknown region with DryRun=true: errors are answered as usual | UnknownRegion DryRun | RegionId=xx-unknown-1&ImageId=m-param&DryRun=true | InvalidRegionId.NotFound
unknown region and an image that exists nowhere: the region comes first | UnknownRegion ParameterOrder | RegionId=xx-unknown-1&ImageId=m-param-never | InvalidRegionId.NotFound
unknown region with Force=true | UnknownRegion Force | RegionId=xx-unknown-1&ImageId=m-param&Force=true | InvalidRegionId.NotFound
RegionId with a space inside | MalformedId | RegionId=cn hangzhou&ImageId=m-param | InvalidParameter RegionId
RegionId with a control character | MalformedId | RegionId=cn-hangzhou\0&ImageId=m-param | InvalidParameter RegionId
ImageId with a trailing tab | MalformedId | RegionId=cn-hangzhou&ImageId=m-param\t | InvalidParameter ImageId
ImageId with a non-ASCII character | MalformedId | RegionId=cn-hangzhou&ImageId=m-p\u{e0}ram | InvalidParameter ImageId
ImageId of 129 bytes | MalformedId | RegionId=cn-hangzhou&ImageId=m-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | InvalidParameter ImageId
malformed RegionId and ImageId absent: MissingImageId first | MalformedId MissingParameter ParameterOrder | RegionId=cn hangzhou | MissingImageId
malformed RegionId and ImageId: RegionId first | MalformedId ParameterOrder | RegionId=cn hangzhou&ImageId=m param | InvalidParameter RegionId
malformed ImageId and Force not a boolean: ImageId first | MalformedId InvalidBoolean ParameterOrder | RegionId=cn-hangzhou&ImageId=m param&Force=yes | InvalidParameter ImageId
every parameter a real client adds besides DeleteImage's own | UnknownParameter Own NoBlocker SnapshotsReleased | Action=DeleteImage&Format=JSON&Version=2014-05-26&AccessKeyId=AKID-alice&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&Timestamp=2024-10-21T00:00:00Z&Signature=aGVsbG8=&OwnerId=1234567890&ResourceOwnerAccount=alice&RegionId=cn-hangzhou&ImageId=m-param | Deleted
parameter names are case-sensitive: regionid is not RegionId | ParameterNameCase MissingParameter | regionid=cn-hangzhou&ImageId=m-param | MissingRegionId
parameter names are case-sensitive: force=yes is ignored | ParameterNameCase UnknownParameter Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&ImageId=m-param&force=yes | Deleted
Force sent twice, valid first: the first value counts | RepeatedParameter Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&ImageId=m-param&Force=true&Force=yes | Deleted
Force sent twice, invalid first: the first value counts | RepeatedParameter InvalidBoolean | RegionId=cn-hangzhou&ImageId=m-param&Force=yes&Force=true | InvalidParameter Force
ImageId sent twice: the first value counts | RepeatedParameter Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&ImageId=m-param&ImageId=m-param-never | Deleted
RegionId sent twice, the second unknown: the first value counts | RepeatedParameter Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&RegionId=xx-unknown-1&ImageId=m-param | Deleted
Force empty: the same as absent | EmptyValue Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&ImageId=m-param&Force= | Deleted
DryRun empty: the same as absent | EmptyValue Own NoBlocker SnapshotsReleased | RegionId=cn-hangzhou&ImageId=m-param&DryRun= | Deleted
parameters in another order | Own NoBlocker SnapshotsReleased | Force=false&ImageId=m-param&RegionId=cn-hangzhou | Deleted
";

/// §1: parameter errors, their order, and the parameters that are ignored.
fn parameter_errors() -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"], &["cn-hangzhou"]);
    w.image("m-param", "alice", "cn-hangzhou").snapshots = vec!["s-param".to_owned()];
    let mut tests = Vec::new();
    for cells in table(PARAMETER_CASES) {
        let [comment, flags, params, answer] = cells[..] else {
            return Err(format!("not comment | flags | params | answer: {cells:?}").into());
        };
        let answer = match answer {
            "MissingRegionId" => missing_region_id(),
            "MissingImageId" => missing_image_id(),
            "InvalidRegionId.NotFound" => region_not_found(),
            "Deleted" => w.deletion("m-param"),
            other => match other.strip_prefix("InvalidParameter ") {
                Some(name) => invalid_parameter(name),
                None => return Err(format!("unknown answer {other:?}").into()),
            },
        };
        let params = rpc_params(params);
        tests.push(test(
            comment.to_owned(),
            &words(flags),
            "alice",
            params,
            answer,
        ));
    }
    Ok(TestGroup {
        name: "parameter-errors",
        comment: "§1: missing, malformed and invalid parameters and their order; the unknown region; ignored and repeated parameters. One own image without blockers, m-param.".to_owned(),
        profile: ProfileSpec::default(),
        world: w.world()?,
        tests,
    })
}

/// §1: the spellings of true and false that real clients send.
fn boolean_spellings(catalog: Catalog) -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"], &["cn-hangzhou"]);
    w.image("m-bool-plain", "alice", "cn-hangzhou");
    w.image("m-bool-used", "alice", "cn-hangzhou");
    w.instance("i-bool-used-1", "alice", "m-bool-used");
    let plain = w.deletion("m-bool-plain");
    let used = w.deletion("m-bool-used");
    let in_use = blocked(B::InUse, catalog);
    let mut tests = Vec::new();
    let mut add = |comment: String,
                   flags: &[&'static str],
                   image: &str,
                   extra: Vec<(String, String)>,
                   answer: Answer| {
        let mut all = flags.to_vec();
        all.extend(["Own", catalog.flag()]);
        let mut params = pairs(&[("RegionId", "cn-hangzhou"), ("ImageId", image)]);
        params.extend(extra);
        tests.push(test(comment, &all, "alice", params, answer));
    };
    let one = |name: &str, value: &str| vec![(name.to_owned(), value.to_owned())];
    for value in ["true", "True", "TRUE", "tRuE"] {
        let mut flags = vec!["Force", "InUse", "InstancesLoseReinit"];
        if value != "true" {
            flags.push("OddBooleanSpelling");
        }
        add(
            format!("Force={value} on an image in use"),
            &flags,
            "m-bool-used",
            one("Force", value),
            used.clone(),
        );
    }
    for value in ["false", "False", "FALSE", "fAlSe"] {
        let mut flags = vec!["ForceFalse", "InUse"];
        if value != "false" {
            flags.push("OddBooleanSpelling");
        }
        add(
            format!("Force={value} on an image in use"),
            &flags,
            "m-bool-used",
            one("Force", value),
            in_use.clone(),
        );
    }
    add(
        "Force empty on an image in use: the same as absent".to_owned(),
        &["EmptyValue", "InUse"],
        "m-bool-used",
        one("Force", ""),
        in_use.clone(),
    );
    for value in ["true", "True", "TRUE"] {
        let mut flags = vec!["DryRun", "NoBlocker"];
        if value != "true" {
            flags.push("OddBooleanSpelling");
        }
        add(
            format!("DryRun={value} on an image without blockers"),
            &flags,
            "m-bool-plain",
            one("DryRun", value),
            dry_run_operation(),
        );
    }
    for value in ["false", "False", "FALSE"] {
        let mut flags = vec!["NoBlocker"];
        if value != "false" {
            flags.push("OddBooleanSpelling");
        }
        add(
            format!("DryRun={value} on an image without blockers"),
            &flags,
            "m-bool-plain",
            one("DryRun", value),
            plain.clone(),
        );
    }
    let python = vec![
        ("Force".to_owned(), "True".to_owned()),
        ("DryRun".to_owned(), "True".to_owned()),
    ];
    add(
        "Force=True and DryRun=True, as the Python SDKs send them, on an image in use".to_owned(),
        &["Force", "DryRun", "InUse", "OddBooleanSpelling"],
        "m-bool-used",
        python,
        dry_run_operation(),
    );
    add(
        "DryRun=True without Force on an image in use: the blocker is answered".to_owned(),
        &["DryRun", "InUse", "OddBooleanSpelling"],
        "m-bool-used",
        one("DryRun", "True"),
        in_use,
    );
    Ok(TestGroup {
        name: match catalog {
            Catalog::Doc2024_10 => "boolean-spellings-2024-10",
            Catalog::Doc2025 => "boolean-spellings-2025",
        },
        comment: format!(
            "§1: true and false in any ASCII case, on an own image in use (m-bool-used) and one without blockers (m-bool-plain); catalog {}.",
            catalog.name()
        ),
        profile: ProfileSpec {
            catalog: Some(catalog.name()),
            ..ProfileSpec::default()
        },
        world: w.world()?,
        tests,
    })
}

/// §2, `class | caller | region | image | flags | comment` (`-`: no flags).
const VISIBILITY_CASES: &str = "\
Own | alice | cn-hangzhou | m-vis-own | SnapshotsReleased | alice's own image
Own | alice | cn-beijing | m-vis-alice-beijing | - | alice's own image in cn-beijing, asked in cn-beijing
Own | bob | cn-hangzhou | m-vis-bob-private | - | bob's private image, asked by its owner bob
VisibleNotOwn | alice | cn-hangzhou | ubuntu_22_04_x64_20G_alibase_20240101.vhd | SystemImage | a system image
VisibleNotOwn | alice | cn-hangzhou | m-vis-market | MarketplaceImage | a marketplace image
VisibleNotOwn | alice | cn-hangzhou | m-vis-bob-shared | SharedWithCaller | bob's image shared with alice
VisibleNotOwn | alice | cn-hangzhou | m-vis-bob-community | CommunityImage | bob's community image, asked by alice
VisibleNotOwn | carol | cn-hangzhou | m-vis-bob-community | CommunityImage | bob's community image, asked by carol
Absent | alice | cn-hangzhou | m-vis-bob-shared-carol | OtherAccountPrivate | bob's image shared with carol only, asked by alice
Absent | alice | cn-hangzhou | m-vis-bob-private | OtherAccountPrivate | bob's private image, asked by alice
Absent | carol | cn-hangzhou | m-vis-own | OtherAccountPrivate | alice's private image, asked by carol
Absent | alice | cn-hangzhou | m-vis-never | NeverExisted | an id that never existed
Absent | alice | cn-hangzhou | m-vis-gone | AlreadyDeleted | an image deleted before (an instance still names it)
Absent | alice | cn-hangzhou | m-vis-alice-beijing | OtherRegion | alice's own image in cn-beijing, asked in cn-hangzhou
Absent | alice | cn-beijing | m-vis-bob-community | OtherRegion | bob's community image in cn-hangzhou, asked in cn-beijing
";

/// §2: every visibility class, under one missing-image policy, with Force and DryRun.
fn visibility(missing: Missing) -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice", "bob", "carol"], &["cn-hangzhou", "cn-beijing"]);
    w.image("m-vis-own", "alice", "cn-hangzhou").snapshots = vec!["s-vis-own".to_owned()];
    w.image("m-vis-alice-beijing", "alice", "cn-beijing");
    let system = w.image(
        "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
        "alibaba-cloud",
        "cn-hangzhou",
    );
    system.kind = ImageKind::System;
    let market = w.image("m-vis-market", "alibaba-cloud-marketplace", "cn-hangzhou");
    market.kind = ImageKind::Marketplace;
    w.image("m-vis-bob-shared", "bob", "cn-hangzhou")
        .shared_with = vec!["alice".to_owned()];
    w.image("m-vis-bob-community", "bob", "cn-hangzhou")
        .community = true;
    let shared_carol = w.image("m-vis-bob-shared-carol", "bob", "cn-hangzhou");
    shared_carol.shared_with = vec!["carol".to_owned()];
    w.image("m-vis-bob-private", "bob", "cn-hangzhou");
    w.orphan_instance("i-vis-orphan", "alice", "cn-hangzhou", "m-vis-gone");

    let (policy, policy_flag) = match missing {
        Missing::Ignore => ("Ignore", "MissingImageIgnore"),
        Missing::NotFound => ("NotFound", "MissingImageNotFound"),
    };
    let mut tests = Vec::new();
    for cells in table(VISIBILITY_CASES) {
        let [class, caller, region, image, extra, what] = cells[..] else {
            return Err(format!(
                "not class | caller | region | image | flags | comment: {cells:?}"
            )
            .into());
        };
        for force in [None, Some("true")] {
            for dry_run in [None, Some("true")] {
                let dry = dry_run.is_some();
                let answer = match class {
                    "Own" if dry => dry_run_operation(),
                    "Own" => w.deletion(image),
                    "VisibleNotOwn" => image_not_found(),
                    "Absent" => absent_answer(missing, dry),
                    other => return Err(format!("unknown class {other:?}").into()),
                };
                let mut flags = vec![class, policy_flag];
                match class {
                    // The deletion's own effects only show when it happens.
                    "Own" if dry => flags.push("NoBlocker"),
                    "Own" => flags.extend(words(extra).into_iter().chain(["NoBlocker"])),
                    _ => flags.extend(words(extra)),
                }
                if force.is_some() {
                    flags.push("Force");
                }
                if dry {
                    flags.push("DryRun");
                }
                let comment = format!(
                    "{what}; Force {}; DryRun {}",
                    force.unwrap_or("absent"),
                    dry_run.unwrap_or("absent")
                );
                let params = request(region, image, force, dry_run);
                tests.push(test(comment, &flags, caller, params, answer));
            }
        }
    }
    Ok(TestGroup {
        name: match missing {
            Missing::Ignore => "visibility-missing-image-ignore",
            Missing::NotFound => "visibility-missing-image-notfound",
        },
        comment: format!(
            "§2: own, visible-not-own and absent images for three accounts in two regions; missingImage {policy}."
        ),
        profile: ProfileSpec {
            missing_image: Some(policy),
            ..ProfileSpec::default()
        },
        world: w.world()?,
        tests,
    })
}

/// The id of the grid image that holds exactly the blockers of `subset`.
fn subset_image(subset: &BTreeSet<B>) -> String {
    if subset.is_empty() {
        return "m-none".to_owned();
    }
    let parts: Vec<&str> = ROWS
        .iter()
        .filter(|r| subset.contains(&r.blocker))
        .map(|r| r.abbr)
        .collect();
    format!("m-{}", parts.join("-"))
}

/// All 64 subsets of the six blockers, in mask order (bit i is `ROWS[i]`).
fn subsets() -> Vec<BTreeSet<B>> {
    (0u32..64)
        .map(|mask| {
            ROWS.iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r.blocker)
                .collect()
        })
        .collect()
}

/// The world of the blocker grid: one own image of alice's per subset of the blockers.
fn grid_world() -> WorldDef {
    let mut w = WorldDef::new(&["alice", "bob"], &["cn-hangzhou", "cn-shanghai"]);
    for subset in subsets() {
        let id = subset_image(&subset);
        let stem = &id["m-".len()..];
        let image = w.image(&id, "alice", "cn-hangzhou");
        image.snapshots = vec![format!("s-{stem}")];
        if subset.contains(&B::Importing) {
            image.status = ImageStatus::Waiting;
        }
        image.community = subset.contains(&B::Public);
        if subset.contains(&B::Shared) {
            image.shared_with = vec!["bob".to_owned()];
        }
        if subset.contains(&B::Importing) {
            w.task(&format!("t-{stem}-import"), TaskDef::Import(id.clone()));
        }
        if subset.contains(&B::Exporting) {
            w.task(&format!("t-{stem}-export"), TaskDef::Export(id.clone()));
        }
        if subset.contains(&B::Copying) {
            let copy = format!("{id}-copy");
            w.image(&copy, "alice", "cn-shanghai").status = ImageStatus::Creating;
            w.task(&format!("t-{stem}-copy"), TaskDef::Copy(id.clone(), copy));
        }
        if subset.contains(&B::InUse) {
            w.instance(&format!("i-{stem}-1"), "alice", &id);
            w.instance(&format!("i-{stem}-2"), "alice", &id);
        }
    }
    w
}

/// §3: every subset of the six blockers × Force absent/false/true × DryRun absent/true.
fn blocker_grid(name: &'static str, catalog: Catalog, order: &[B; 6]) -> Result<TestGroup> {
    let w = grid_world();
    let precedence_flag = if *order == DEFAULT_ORDER {
        "DefaultPrecedence"
    } else {
        "CustomPrecedence"
    };
    let mut tests = Vec::new();
    for subset in subsets() {
        let image = subset_image(&subset);
        for force in [None, Some("false"), Some("true")] {
            for dry_run in [None, Some("true")] {
                let forced = force == Some("true");
                let dry = dry_run.is_some();
                let answer = own_answer(&subset, forced, dry, order, catalog, w.deletion(&image));
                let mut flags = vec!["Own", catalog.flag(), precedence_flag];
                flags.extend(subset.iter().map(|&b| row(b).name));
                match subset.len() {
                    0 => flags.push("NoBlocker"),
                    1 => {}
                    _ => flags.push("MultipleBlockers"),
                }
                match force {
                    Some("true") => flags.push("Force"),
                    Some(_) => flags.push("ForceFalse"),
                    None => {}
                }
                if dry {
                    flags.push("DryRun");
                }
                if let Answer::Deleted { instances, .. } = &answer {
                    flags.push("SnapshotsReleased");
                    if !instances.is_empty() {
                        flags.push("InstancesLoseReinit");
                    }
                }
                let names: Vec<&str> = subset.iter().map(|&b| row(b).name).collect();
                let comment = format!(
                    "own image with blockers {{{}}}; Force {}; DryRun {}",
                    names.join(", "),
                    force.unwrap_or("absent"),
                    dry_run.unwrap_or("absent")
                );
                let params = request("cn-hangzhou", &image, force, dry_run);
                tests.push(test(comment, &flags, "alice", params, answer));
            }
        }
    }
    let order_names = precedence_names(order);
    Ok(TestGroup {
        name,
        comment: format!(
            "§3: one own image per subset of the six blockers, named after the blockers it holds (m-none, m-imp, ..., m-imp-exp-cpy-pub-shr-use); catalog {}; precedence {}.",
            catalog.name(),
            order_names.join(" > ")
        ),
        profile: ProfileSpec {
            catalog: Some(catalog.name()),
            missing_image: None,
            precedence: Some(order_names),
        },
        world: w.world()?,
        tests,
    })
}

/// §3, `region | image | Force | DryRun | flags | comment` (`-`: absent or none).
const COPY_CASES: &str = "\
cn-hangzhou | m-cp-src | - | - | - | the source of a running copy
cn-hangzhou | m-cp-src | true | - | Force | the source of a running copy, Force=true
cn-shanghai | m-cp-dst | - | - | CopyDestination | the destination of a running copy, in its region
cn-shanghai | m-cp-dst | true | true | CopyDestination Force DryRun | the destination of a running copy, Force=true and DryRun=true
";

/// §3: Copying holds on both ends of a running copy, in their own regions.
fn copy_ends(catalog: Catalog) -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"], &["cn-hangzhou", "cn-shanghai"]);
    w.image("m-cp-src", "alice", "cn-hangzhou");
    w.image("m-cp-dst", "alice", "cn-shanghai").status = ImageStatus::Creating;
    w.task("t-cp", TaskDef::Copy("m-cp-src".into(), "m-cp-dst".into()));
    let mut tests = Vec::new();
    for cells in table(COPY_CASES) {
        let [region, image, force, dry_run, extra, comment] = cells[..] else {
            return Err(format!(
                "not region | image | Force | DryRun | flags | comment: {cells:?}"
            )
            .into());
        };
        let mut flags = vec!["Own", "Copying", catalog.flag()];
        flags.extend(words(extra));
        let params = request(region, image, given(force), given(dry_run));
        let answer = blocked(B::Copying, catalog);
        tests.push(test(comment.to_owned(), &flags, "alice", params, answer));
    }
    Ok(TestGroup {
        name: match catalog {
            Catalog::Doc2024_10 => "copy-ends-2024-10",
            Catalog::Doc2025 => "copy-ends-2025",
        },
        comment: format!(
            "§3: m-cp-src (cn-hangzhou) is being copied into m-cp-dst (cn-shanghai); catalog {}.",
            catalog.name()
        ),
        profile: ProfileSpec {
            catalog: Some(catalog.name()),
            ..ProfileSpec::default()
        },
        world: w.world()?,
        tests,
    })
}

/// §3, last bullet: without a blocker, every status is deletable.
fn statuses() -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"], &["cn-hangzhou"]);
    let statuses = [
        ImageStatus::Creating,
        ImageStatus::Waiting,
        ImageStatus::Available,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
    ];
    let ids: Vec<(ImageStatus, String)> = statuses
        .iter()
        .map(|&s| (s, format!("m-status-{}", s.as_str().to_ascii_lowercase())))
        .collect();
    for (status, id) in &ids {
        w.image(id, "alice", "cn-hangzhou").status = *status;
    }
    let mut tests = Vec::new();
    for (status, id) in &ids {
        for dry_run in [None, Some("true")] {
            let (answer, extra) = match dry_run {
                None => (w.deletion(id), None),
                Some(_) => (dry_run_operation(), Some("DryRun")),
            };
            let mut flags = vec!["Own", "NoBlocker", "ImageStatus"];
            flags.extend(extra);
            let params = request("cn-hangzhou", id, None, dry_run);
            let comment = format!(
                "own image in status {} without a running task; DryRun {}",
                status.as_str(),
                dry_run.unwrap_or("absent")
            );
            tests.push(test(comment, &flags, "alice", params, answer));
        }
    }
    Ok(TestGroup {
        name: "statuses",
        comment: "§3: one own image without blockers per status.".to_owned(),
        profile: ProfileSpec::default(),
        world: w.world()?,
        tests,
    })
}

/// §4, `region | image | Force | DryRun | flags | comment` (`-`: absent or none).
const EFFECT_CASES: &str = "\
cn-hangzhou | m-fx-plain | - | - | NoBlocker | an image without instances or snapshots
cn-hangzhou | m-fx-plain | - | true | NoBlocker DryRun | an image without instances or snapshots, DryRun=true
cn-hangzhou | m-fx-snaps | - | - | NoBlocker SnapshotsReleased | an image built from two snapshots
cn-hangzhou | m-fx-twin-a | - | - | NoBlocker SnapshotsReleased SharedSnapshot | an image sharing a snapshot with m-fx-twin-b
cn-hangzhou | m-fx-twin-b | - | - | NoBlocker SnapshotsReleased SharedSnapshot | an image sharing a snapshot with m-fx-twin-a
cn-hangzhou | m-fx-used | true | - | InUse Force InstancesLoseReinit OtherAccountInstance SnapshotsReleased | an image in use by two of alice's instances and one of bob's, Force=true
cn-hangzhou | m-fx-used | true | true | InUse Force DryRun | an image in use, Force=true and DryRun=true
cn-hangzhou | m-fx-other | true | - | InUse Force InstancesLoseReinit | an image with one instance, Force=true; other images' instances keep re-init
cn-hangzhou | m-fx-source | - | - | NoBlocker CopiesUnaffected SnapshotsReleased | an image that was copied (the copy finished): the copy stays
cn-shanghai | m-fx-source-copy | - | - | NoBlocker CopiesUnaffected SnapshotsReleased | a finished copy, in its region: the image it came from stays
";

/// §4: what a deletion does to instances, snapshots and copies.
fn effects() -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice", "bob"], &["cn-hangzhou", "cn-shanghai"]);
    let hz = "cn-hangzhou";
    let snapshots = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    w.image("m-fx-plain", "alice", hz);
    w.image("m-fx-snaps", "alice", hz).snapshots = snapshots(&["s-fx-snaps-2", "s-fx-snaps-1"]);
    w.image("m-fx-twin-a", "alice", hz).snapshots = snapshots(&["s-fx-twin-a", "s-fx-common"]);
    w.image("m-fx-twin-b", "alice", hz).snapshots = snapshots(&["s-fx-common", "s-fx-twin-b"]);
    // Bob launched i-fx-used-bob while m-fx-used was shared with him; it is no longer shared.
    w.image("m-fx-used", "alice", hz).snapshots = snapshots(&["s-fx-used"]);
    w.instance("i-fx-used-1", "alice", "m-fx-used");
    w.instance("i-fx-used-2", "alice", "m-fx-used");
    w.instance("i-fx-used-bob", "bob", "m-fx-used");
    w.image("m-fx-other", "alice", hz);
    w.instance("i-fx-other-1", "alice", "m-fx-other");
    w.image("m-fx-source", "alice", hz).snapshots = snapshots(&["s-fx-source"]);
    w.image("m-fx-source-copy", "alice", "cn-shanghai")
        .snapshots = snapshots(&["s-fx-source-copy"]);

    let mut tests = Vec::new();
    for cells in table(EFFECT_CASES) {
        let [region, image, force, dry_run, extra, comment] = cells[..] else {
            return Err(format!(
                "not region | image | Force | DryRun | flags | comment: {cells:?}"
            )
            .into());
        };
        let answer = match given(dry_run) {
            Some(_) => dry_run_operation(),
            None => w.deletion(image),
        };
        let mut flags = vec!["Own"];
        flags.extend(words(extra));
        let params = request(region, image, given(force), given(dry_run));
        tests.push(test(comment.to_owned(), &flags, "alice", params, answer));
    }
    Ok(TestGroup {
        name: "effects",
        comment: "§4: instances that lose re-init (alice's and bob's), snapshots released or kept by another image, copies left alone.".to_owned(),
        profile: ProfileSpec::default(),
        world: w.world()?,
        tests,
    })
}
