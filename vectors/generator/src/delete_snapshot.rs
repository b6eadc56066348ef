//! The DeleteSnapshot vectors (`vectors/delete_snapshot.json`) and their manifests.
//!
//! As for DeleteImage, the expected answers are not the library's: the codes and messages are
//! copied by hand from docs/delete-snapshot.md into the constructors below, and which answer a
//! test expects follows from what this module put into the test's world (which images list a
//! snapshot, which disks were created from it, whether it is still being made) and a few lines
//! of precedence, Force and policy logic written here.

use std::collections::BTreeSet;

use ecs_image_rules::{
    AccountId, Disk, DiskId, DiskType, Image, ImageId, ImageStore, Instance, InstanceId, RegionId,
    Snapshot, SnapshotId, SnapshotStatus, Timestamp, World,
};
use serde::Serialize;

use crate::shape::{self, Api, Expected, Manifest, test};
use crate::{Result, rpc_params, table, words};

const API: Api = Api {
    action: "DeleteSnapshot",
    file: "delete_snapshot.json",
    manifests_glob: "manifest-snapshot-*.txt",
    notes: NOTES,
};

type TestGroup = shape::TestGroup<ProfileSpec, Effects>;

/// Every file this module writes: the vectors, then the manifests.
pub(crate) fn files() -> Result<Vec<(String, String)>> {
    shape::files(&API, groups()?, &MANIFESTS)
}

// ---- hand-written answers (docs/delete-snapshot.md) ----------------------------------------

/// The three blockers, as the generator knows them (independently of the library's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum B {
    Creating,
    CreatedImage,
    CreatedDisk,
}

impl B {
    const ALL: [B; 3] = [B::Creating, B::CreatedImage, B::CreatedDisk];

    const fn name(self) -> &'static str {
        match self {
            B::Creating => "Creating",
            B::CreatedImage => "CreatedImage",
            B::CreatedDisk => "CreatedDisk",
        }
    }

    const fn abbr(self) -> &'static str {
        match self {
            B::Creating => "mk",
            B::CreatedImage => "img",
            B::CreatedDisk => "dsk",
        }
    }

    /// The blocker's answer, copied from the DeleteSnapshot tables.
    fn answer(self) -> Answer {
        match self {
            B::Creating => error(
                400,
                "IncorrectDiskStatus.CreatingSnapshot",
                "A previous snapshot creation is in process.",
            ),
            B::CreatedImage => error(
                403,
                "SnapshotCreatedImage",
                "The snapshot has been used to create user defined image(s).",
            ),
            B::CreatedDisk => error(
                403,
                "SnapshotCreatedDisk",
                "The snapshot has been used to create disk(s).",
            ),
        }
    }
}

/// The default precedence \[I\].
const DEFAULT_ORDER: [B; 3] = [B::Creating, B::CreatedImage, B::CreatedDisk];
/// The default reversed: the one Force skips comes first.
const REVERSED_ORDER: [B; 3] = [B::CreatedDisk, B::CreatedImage, B::Creating];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progressing {
    Cancel,
    Refuse,
}

impl Progressing {
    const fn name(self) -> &'static str {
        match self {
            Progressing::Cancel => "Cancel",
            Progressing::Refuse => "Refuse",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Ignore,
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Deleted {
        disks: Vec<String>,
    },
    Ignored,
    Error {
        status: u16,
        code: &'static str,
        message: &'static str,
    },
}

fn error(status: u16, code: &'static str, message: &'static str) -> Answer {
    Answer::Error {
        status,
        code,
        message,
    }
}

fn missing_snapshot_id() -> Answer {
    error(
        400,
        "MissingParameter",
        "The input parameter SnapshotId that is mandatory for processing this request is not supplied.",
    )
}

fn invalid(name: &str) -> Answer {
    match name {
        "SnapshotId" => error(
            400,
            "InvalidParameter",
            "The specified parameter \"SnapshotId\" is not valid.",
        ),
        "Force" => error(
            400,
            "InvalidParameter",
            "The specified parameter \"Force\" is not valid.",
        ),
        other => panic!("no InvalidParameter answer for {other}"),
    }
}

fn snapshot_not_found() -> Answer {
    error(
        404,
        "InvalidSnapshotId.NotFound",
        "The specified snapshot is not found",
    )
}

fn absent_answer(missing: Missing) -> Answer {
    match missing {
        Missing::Ignore => Answer::Ignored,
        Missing::NotFound => snapshot_not_found(),
    }
}

/// An own snapshot: the first blocker in `order` that holds and refuses (Force skips
/// CreatedDisk; Creating refuses only under Refuse); else the deletion.
fn own_answer(
    holding: &BTreeSet<B>,
    force: bool,
    progressing: Progressing,
    order: &[B; 3],
    deletion: Answer,
) -> Answer {
    let refuses = |b: B| match b {
        B::Creating => progressing == Progressing::Refuse,
        B::CreatedImage => true,
        B::CreatedDisk => !force,
    };
    match order.iter().find(|&&b| holding.contains(&b) && refuses(b)) {
        Some(b) => b.answer(),
        None => deletion,
    }
}

// ---- flags and their notes -------------------------------------------------------------------

/// `flag | tag | source | description`, one flag a line.
const NOTES: &str = "\
Absent | [D] | docs/delete-snapshot.md | The caller owns no snapshot of this id: none exists, it was deleted, or another account owns it. Ignored (success, nothing changes) [D: every version: \"the request is ignored\"], or 404 InvalidSnapshotId.NotFound under MissingSnapshotNotFound.
Cancelled | [D] | docs/delete-snapshot.md | Deleting a snapshot that is still being made (progressing) cancels its creation: the snapshot is gone [D: the summary since 2024], under ProgressingCancel.
Creating | [D] | docs/delete-snapshot.md | Blocker: the snapshot is still being made (status progressing). 400 IncorrectDiskStatus.CreatingSnapshot under ProgressingRefuse; under ProgressingCancel the deletion cancels it.
CreatedDisk | [D] | docs/delete-snapshot.md | Blocker: existing disks were created from the snapshot. 403 SnapshotCreatedDisk; Force=true skips it.
CreatedImage | [D] | docs/delete-snapshot.md | Blocker: an image lists the snapshot. 403 SnapshotCreatedImage; nothing bypasses it, Force included.
CustomPrecedence | [I] | docs/delete-snapshot.md | A non-default snapshot precedence: the default reversed, CreatedDisk first.
DefaultPrecedence | [I] | docs/delete-snapshot.md | The default snapshot precedence: Creating, CreatedImage, CreatedDisk. Alibaba documents none; CreatedDisk, the one Force skips, comes last.
DisksLoseReinit | [D] | docs/delete-snapshot.md | Force=true deleted a snapshot that disks were created from: they stay but can no longer be re-initialized (effects.disksLosingReinit).
EmptyValue | [I] | docs/delete-snapshot.md | A parameter sent with an empty value: missing for SnapshotId, the same as absent (false) for Force.
Force | [D] | docs/delete-snapshot.md | Force=true: skips CreatedDisk and nothing else.
ForceFalse | [D] | docs/delete-snapshot.md | Force=false sent explicitly: the same as leaving it out (default false).
ImageReleased | [D] | docs/delete-snapshot.md | The image built from the snapshot was deleted before: the snapshot was released and can be deleted.
InvalidBoolean | [I] | docs/delete-snapshot.md | Force is not true or false in any ASCII case: 400 InvalidParameter naming it.
MalformedId | [I] | docs/delete-snapshot.md | SnapshotId is present but not a well-formed id (1 to 128 bytes of visible ASCII): 400 InvalidParameter naming it, before Force.
MissingParameter | [D] | docs/delete-snapshot.md | SnapshotId absent or empty: 400 MissingParameter, \"The input parameter SnapshotId that is mandatory for processing this request is not supplied.\"
MissingSnapshotIgnore | [D] | docs/delete-snapshot.md | Profile missingSnapshot \"Ignore\" (the default): a snapshot the caller does not own is a success that changes nothing.
MissingSnapshotNotFound | [D] | docs/delete-snapshot.md | Profile missingSnapshot \"NotFound\": 404 InvalidSnapshotId.NotFound, \"The specified snapshot is not found\" (the 2019-2021 tables).
MultipleBlockers | [I] | docs/delete-snapshot.md | Several blockers hold at once: the first in the profile's snapshot precedence that refuses is the answer.
NeverExisted | [D] | docs/delete-snapshot.md | No snapshot with this id was ever in the store: absent.
NoBlocker | [D] | docs/delete-snapshot.md | An own snapshot that no blocker holds on: it is deleted.
OddBooleanSpelling | [O] | docs/delete-snapshot.md; docs/clients.md §2d | A boolean in a case other than lower case (the Python SDKs send True and False): accepted in any ASCII case.
OtherAccount | [I] | docs/delete-snapshot.md | Another account's snapshot: absent, deliberately, so that the answer does not reveal whether the id exists.
OtherRegion | [I] | docs/delete-snapshot.md | The snapshot is in another region than a RegionId the request carries: DeleteSnapshot declares no RegionId, so it plays no part.
Own | [D] | docs/delete-snapshot.md | A snapshot owned by the caller: the blockers decide.
ParameterNameCase | [I] | docs/delete-snapshot.md | Parameter names are case-sensitive: a wrongly cased name is an unknown parameter and ignored.
ParameterOrder | [I] | docs/delete-snapshot.md | Several parameter errors at once: MissingParameter, then InvalidParameter (SnapshotId, then Force), before anything about the snapshot.
ProgressingCancel | [D] | docs/delete-snapshot.md | Profile progressingSnapshot \"Cancel\" (the default): deleting a snapshot still being made cancels it.
ProgressingRefuse | [I] | docs/delete-snapshot.md | Profile progressingSnapshot \"Refuse\": a snapshot still being made answers 400 IncorrectDiskStatus.CreatingSnapshot (the current table's row, read as applying to it).
RepeatedParameter | [I] | docs/delete-snapshot.md | A parameter name sent twice: its first value counts.
SourceDiskKept | [D] | docs/delete-snapshot.md | The disk a snapshot was made of is not a disk created from it: deleting the snapshot leaves that disk alone.
SystemSnapshot | [I] | docs/delete-snapshot.md | The snapshot of an Alibaba Cloud public image: owned by Alibaba Cloud, so absent for every other account.
UnknownParameter | [I] | docs/delete-snapshot.md | Parameters DeleteSnapshot does not declare (RegionId, DryRun, Format, Version, ...), as real clients send them: ignored, like the service ignores them.
";

// ---- the file's shape ----------------------------------------------------------------------

/// The profile fields a group's answers depend on; a field left out changes none of them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_snapshot: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progressing_snapshot: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_precedence: Option<Vec<&'static str>>,
}

#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Effects {
    snapshot_deleted: bool,
    disks_losing_reinit: Vec<String>,
}

impl From<Answer> for Expected<Effects> {
    fn from(answer: Answer) -> Self {
        match answer {
            Answer::Deleted { mut disks } => {
                disks.sort();
                Expected::deleted(Effects {
                    snapshot_deleted: true,
                    disks_losing_reinit: disks,
                })
            }
            Answer::Ignored => Expected::ignored(),
            Answer::Error {
                status,
                code,
                message,
            } => Expected::error(status, code, message.to_owned()),
        }
    }
}

const MANIFESTS: [Manifest<ProfileSpec>; 5] = [
    Manifest {
        file: "manifest-snapshot-missing-ignore.txt",
        admits: |p| p.missing_snapshot.is_none_or(|m| m == "Ignore"),
    },
    Manifest {
        file: "manifest-snapshot-missing-notfound.txt",
        admits: |p| p.missing_snapshot.is_none_or(|m| m == "NotFound"),
    },
    Manifest {
        file: "manifest-snapshot-progressing-cancel.txt",
        admits: |p| p.progressing_snapshot.is_none_or(|m| m == "Cancel"),
    },
    Manifest {
        file: "manifest-snapshot-progressing-refuse.txt",
        admits: |p| p.progressing_snapshot.is_none_or(|m| m == "Refuse"),
    },
    Manifest {
        file: "manifest-snapshot-default-precedence.txt",
        admits: |p| {
            p.snapshot_precedence
                .as_ref()
                .is_none_or(|order| *order == names(&DEFAULT_ORDER))
        },
    },
];

fn names(order: &[B; 3]) -> Vec<&'static str> {
    order.iter().map(|b| b.name()).collect()
}

// ---- worlds ----------------------------------------------------------------------------------

const REGION: &str = "cn-hangzhou";
/// The time every world's snapshots were made: a fixed stamp, so the files are reproducible.
const MADE_AT_MILLIS: u64 = 1_764_633_600_000;

struct SnapshotDef {
    id: String,
    owner: String,
    region: String,
    progressing: bool,
    source_disk: Option<String>,
}

struct DiskDef {
    id: String,
    owner: String,
    instance: Option<String>,
    source_snapshot: Option<String>,
}

/// A world as the generator describes it; expected effects are computed from these lists.
struct WorldDef {
    accounts: Vec<&'static str>,
    regions: Vec<&'static str>,
    snapshots: Vec<SnapshotDef>,
    /// Images: id, owner, kind is custom unless the owner is `alibaba-cloud`, and the
    /// snapshots they list.
    images: Vec<(String, String, Vec<String>)>,
    /// Instances: id, owner, image.
    instances: Vec<(String, String, String)>,
    disks: Vec<DiskDef>,
}

impl WorldDef {
    fn new(accounts: &[&'static str]) -> Self {
        Self {
            accounts: accounts.to_vec(),
            regions: vec![REGION, "cn-beijing"],
            snapshots: Vec::new(),
            images: Vec::new(),
            instances: Vec::new(),
            disks: Vec::new(),
        }
    }

    fn snapshot(&mut self, id: &str, owner: &str) -> &mut SnapshotDef {
        self.snapshots.push(SnapshotDef {
            id: id.to_owned(),
            owner: owner.to_owned(),
            region: REGION.to_owned(),
            progressing: false,
            source_disk: None,
        });
        self.snapshots.last_mut().expect("just pushed")
    }

    fn image(&mut self, id: &str, owner: &str, snapshots: &[&str]) {
        let snapshots = snapshots.iter().map(|s| (*s).to_owned()).collect();
        self.images
            .push((id.to_owned(), owner.to_owned(), snapshots));
    }

    fn instance(&mut self, id: &str, owner: &str, image: &str) {
        self.instances
            .push((id.to_owned(), owner.to_owned(), image.to_owned()));
    }

    fn disk(&mut self, id: &str, owner: &str, instance: Option<&str>, source: Option<&str>) {
        self.disks.push(DiskDef {
            id: id.to_owned(),
            owner: owner.to_owned(),
            instance: instance.map(str::to_owned),
            source_snapshot: source.map(str::to_owned),
        });
    }

    /// Deleting `snapshot`: the disks created from it.
    fn deletion(&self, snapshot: &str) -> Answer {
        let disks = self
            .disks
            .iter()
            .filter(|d| d.source_snapshot.as_deref() == Some(snapshot))
            .map(|d| d.id.clone())
            .collect();
        Answer::Deleted { disks }
    }

    fn world(&self) -> Result<World> {
        let mut store = ImageStore::without_regions();
        for region in &self.regions {
            store.add_region(RegionId::new(region)?);
        }
        let made = Timestamp::from_unix_millis(MADE_AT_MILLIS)?;
        for def in &self.snapshots {
            let mut snapshot = Snapshot::accomplished(
                SnapshotId::new(&def.id)?,
                AccountId::new(&def.owner)?,
                RegionId::new(&def.region)?,
                made,
            );
            if def.progressing {
                snapshot.status = SnapshotStatus::Progressing;
                snapshot.progress = 40;
            }
            snapshot.source_disk = def.source_disk.as_deref().map(DiskId::new).transpose()?;
            store.insert_snapshot(snapshot)?;
        }
        for (id, owner, snapshots) in &self.images {
            let mut image = Image::custom(
                ImageId::new(id)?,
                AccountId::new(owner)?,
                RegionId::new(REGION)?,
            );
            if owner == "alibaba-cloud" {
                image.kind = ecs_image_rules::ImageKind::System;
            }
            image.snapshots = snapshots
                .iter()
                .map(|s| SnapshotId::new(s))
                .collect::<std::result::Result<_, _>>()?;
            store.insert_image(image)?;
        }
        for (id, owner, image) in &self.instances {
            store.insert_instance(Instance {
                id: InstanceId::new(id)?,
                owner: AccountId::new(owner)?,
                region: RegionId::new(REGION)?,
                image: ImageId::new(image)?,
                image_deleted: false,
                status: ecs_image_rules::InstanceStatus::Running,
                launch: None,
            })?;
        }
        for def in &self.disks {
            store.insert_disk(Disk {
                id: DiskId::new(&def.id)?,
                owner: AccountId::new(&def.owner)?,
                region: RegionId::new(REGION)?,
                disk_type: if def.instance.is_some() {
                    DiskType::System
                } else {
                    DiskType::Data
                },
                instance: def.instance.as_deref().map(InstanceId::new).transpose()?,
                source_snapshot: def
                    .source_snapshot
                    .as_deref()
                    .map(SnapshotId::new)
                    .transpose()?,
                source_snapshot_deleted: false,
                size_gib: None,
            })?;
        }
        Ok(World {
            accounts: shape::accounts(&self.accounts)?,
            store,
        })
    }
}

// ---- tests -----------------------------------------------------------------------------------

/// `SnapshotId` and, when given, `Force`.
fn request(snapshot: &str, force: Option<&str>) -> Vec<(String, String)> {
    let mut params = vec![("SnapshotId".to_owned(), snapshot.to_owned())];
    if let Some(v) = force {
        params.push(("Force".to_owned(), v.to_owned()));
    }
    params
}

fn groups() -> Result<Vec<TestGroup>> {
    let mut groups = vec![parameter_errors()?];
    for missing in [Missing::Ignore, Missing::NotFound] {
        groups.push(visibility(missing)?);
    }
    let grids = [
        (
            "blockers-default-cancel",
            &DEFAULT_ORDER,
            Progressing::Cancel,
        ),
        (
            "blockers-default-refuse",
            &DEFAULT_ORDER,
            Progressing::Refuse,
        ),
        (
            "blockers-reversed-refuse",
            &REVERSED_ORDER,
            Progressing::Refuse,
        ),
    ];
    for (name, order, progressing) in grids {
        groups.push(blocker_grid(name, order, progressing)?);
    }
    groups.push(effects()?);
    Ok(groups)
}

/// `comment | flags | params | answer`: params are `name=value` joined with `&`; the answer is
/// `MissingParameter`, `InvalidParameter <name>` or `Deleted` (s-param).
const PARAMETER_CASES: &str = "\
no parameters at all | MissingParameter | - | MissingParameter
SnapshotId empty | MissingParameter EmptyValue | SnapshotId= | MissingParameter
SnapshotId absent, Force not a boolean: MissingParameter first | MissingParameter InvalidBoolean ParameterOrder | Force=yes | MissingParameter
parameter names are case-sensitive: snapshotId is not SnapshotId | ParameterNameCase MissingParameter | snapshotId=s-param | MissingParameter
SnapshotId with a space inside | MalformedId | SnapshotId=s param | InvalidParameter SnapshotId
SnapshotId with a non-ASCII character | MalformedId | SnapshotId=s-p\u{e0}ram | InvalidParameter SnapshotId
malformed SnapshotId and Force not a boolean: SnapshotId first | MalformedId InvalidBoolean ParameterOrder | SnapshotId=s param&Force=yes | InvalidParameter SnapshotId
Force=yes | InvalidBoolean | SnapshotId=s-param&Force=yes | InvalidParameter Force
Force=1 | InvalidBoolean | SnapshotId=s-param&Force=1 | InvalidParameter Force
Force with a trailing space | InvalidBoolean | SnapshotId=s-param&Force=true  | InvalidParameter Force
Force=True | OddBooleanSpelling Force Own NoBlocker | SnapshotId=s-param&Force=True | Deleted
Force=FALSE | OddBooleanSpelling ForceFalse Own NoBlocker | SnapshotId=s-param&Force=FALSE | Deleted
Force empty: the same as absent | EmptyValue Own NoBlocker | SnapshotId=s-param&Force= | Deleted
SnapshotId sent twice: the first value counts | RepeatedParameter Own NoBlocker | SnapshotId=s-param&SnapshotId=s-never | Deleted
Force sent twice, invalid first: the first value counts | RepeatedParameter InvalidBoolean | SnapshotId=s-param&Force=yes&Force=true | InvalidParameter Force
parameters a real client adds, RegionId and DryRun among them: ignored | UnknownParameter Own NoBlocker | Action=DeleteSnapshot&Format=JSON&Version=2014-05-26&RegionId=cn-hangzhou&DryRun=true&SnapshotId=s-param | Deleted
a RegionId the store does not know: ignored | UnknownParameter Own NoBlocker | RegionId=xx-unknown-1&SnapshotId=s-param | Deleted
";

fn parameter_errors() -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"]);
    w.snapshot("s-param", "alice");
    let mut tests = Vec::new();
    for cells in table(PARAMETER_CASES) {
        let [comment, flags, params, answer] = cells[..] else {
            return Err(format!("not comment | flags | params | answer: {cells:?}").into());
        };
        let answer = match answer {
            "MissingParameter" => missing_snapshot_id(),
            "Deleted" => w.deletion("s-param"),
            other => match other.strip_prefix("InvalidParameter ") {
                Some(name) => invalid(name),
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
        comment: "Missing, malformed and invalid parameters and their order; ignored and repeated parameters. One own snapshot without blockers, s-param.".to_owned(),
        profile: ProfileSpec::default(),
        world: w.world()?,
        tests,
    })
}

/// Who owns what: own, another account's, a public image's, never existed, in another region.
fn visibility(missing: Missing) -> Result<TestGroup> {
    let (name, policy, policy_flag) = match missing {
        Missing::Ignore => (
            "visibility-missing-ignore",
            "Ignore",
            "MissingSnapshotIgnore",
        ),
        Missing::NotFound => (
            "visibility-missing-notfound",
            "NotFound",
            "MissingSnapshotNotFound",
        ),
    };
    let mut w = WorldDef::new(&["alice", "bob"]);
    w.snapshot("s-vis-own", "alice");
    w.snapshot("s-vis-bob", "bob");
    w.snapshot("s-vis-beijing", "alice").region = "cn-beijing".to_owned();
    w.snapshot("s-vis-system", "alibaba-cloud");
    w.image("m-vis-system", "alibaba-cloud", &["s-vis-system"]);
    let mut tests = Vec::new();
    let cases: [(&str, &str, &[&'static str], bool); 5] = [
        (
            "alice's own snapshot",
            "s-vis-own",
            &["Own", "NoBlocker"],
            true,
        ),
        (
            "bob's snapshot, asked by alice",
            "s-vis-bob",
            &["Absent", "OtherAccount"],
            false,
        ),
        (
            "the snapshot of a public image",
            "s-vis-system",
            &["Absent", "SystemSnapshot"],
            false,
        ),
        (
            "a snapshot that never existed",
            "s-vis-never",
            &["Absent", "NeverExisted"],
            false,
        ),
        (
            "alice's snapshot in cn-beijing, RegionId cn-hangzhou",
            "s-vis-beijing",
            &["Own", "NoBlocker", "OtherRegion", "UnknownParameter"],
            true,
        ),
    ];
    for (comment, snapshot, flags, own) in cases {
        for force in [None, Some("true")] {
            let mut all = flags.to_vec();
            all.push(policy_flag);
            if force.is_some() {
                all.push("Force");
            }
            let mut params = request(snapshot, force);
            if flags.contains(&"OtherRegion") {
                params.insert(0, ("RegionId".to_owned(), REGION.to_owned()));
            }
            let answer = if own {
                w.deletion(snapshot)
            } else {
                absent_answer(missing)
            };
            let comment = match force {
                None => comment.to_owned(),
                Some(_) => format!("{comment}, Force=true"),
            };
            tests.push(test(comment, &all, "alice", params, answer));
        }
    }
    Ok(TestGroup {
        name,
        comment: format!(
            "Who owns which snapshot, under missingSnapshot \"{policy}\": alice's own, bob's, a public image's, one that never existed, alice's in another region than the RegionId sent."
        ),
        profile: ProfileSpec {
            missing_snapshot: Some(policy),
            ..ProfileSpec::default()
        },
        world: w.world()?,
        tests,
    })
}

fn subsets() -> Vec<BTreeSet<B>> {
    (0..1u8 << 3)
        .map(|bits| {
            B::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, b)| b)
                .collect()
        })
        .collect()
}

fn subset_snapshot(subset: &BTreeSet<B>) -> String {
    if subset.is_empty() {
        return "s-none".to_owned();
    }
    let parts: Vec<&str> = subset.iter().map(|b| b.abbr()).collect();
    format!("s-{}", parts.join("-"))
}

/// Every subset of the three blockers on its own snapshot of alice's. CreatedImage: an image
/// lists it; CreatedDisk: a data disk and an instance's system disk were created from it.
fn grid_world() -> WorldDef {
    let mut w = WorldDef::new(&["alice"]);
    w.image("m-base", "alice", &[]);
    for subset in subsets() {
        let id = subset_snapshot(&subset);
        w.snapshot(&id, "alice").progressing = subset.contains(&B::Creating);
        if subset.contains(&B::CreatedImage) {
            w.image(&format!("m{}", &id[1..]), "alice", &[&id]);
        }
        if subset.contains(&B::CreatedDisk) {
            let instance = format!("i{}", &id[1..]);
            w.instance(&instance, "alice", "m-base");
            w.disk(&format!("d{}-data", &id[1..]), "alice", None, Some(&id));
            w.disk(
                &format!("d{}-sys", &id[1..]),
                "alice",
                Some(&instance),
                Some(&id),
            );
        }
    }
    w
}

fn blocker_grid(name: &'static str, order: &[B; 3], progressing: Progressing) -> Result<TestGroup> {
    let w = grid_world();
    let precedence_flag = if *order == DEFAULT_ORDER {
        "DefaultPrecedence"
    } else {
        "CustomPrecedence"
    };
    let policy_flag = match progressing {
        Progressing::Cancel => "ProgressingCancel",
        Progressing::Refuse => "ProgressingRefuse",
    };
    let mut tests = Vec::new();
    for subset in subsets() {
        let snapshot = subset_snapshot(&subset);
        for force in [None, Some("false"), Some("true")] {
            let forced = force == Some("true");
            let answer = own_answer(&subset, forced, progressing, order, w.deletion(&snapshot));
            let mut flags = vec!["Own", precedence_flag, policy_flag];
            flags.extend(subset.iter().map(|b| b.name()));
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
            if let Answer::Deleted { disks } = &answer {
                if !disks.is_empty() {
                    flags.push("DisksLoseReinit");
                }
                if subset.contains(&B::Creating) {
                    flags.push("Cancelled");
                }
            }
            let listed: Vec<&str> = subset.iter().map(|b| b.name()).collect();
            let comment = format!(
                "{snapshot}: {}, Force {}",
                if listed.is_empty() {
                    "no blocker".to_owned()
                } else {
                    listed.join(" + ")
                },
                force.unwrap_or("absent")
            );
            tests.push(test(
                comment,
                &flags,
                "alice",
                request(&snapshot, force),
                answer,
            ));
        }
    }
    Ok(TestGroup {
        name,
        comment: format!(
            "Every subset of the three blockers, each on its own snapshot of alice's, with Force absent, false and true; precedence {}, progressingSnapshot \"{}\".",
            names(order).join(", "),
            progressing.name()
        ),
        profile: ProfileSpec {
            missing_snapshot: None,
            progressing_snapshot: Some(progressing.name()),
            snapshot_precedence: Some(names(order)),
        },
        world: w.world()?,
        tests,
    })
}

/// A test of the effects group: comment, snapshot, Force, flags, answer.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    Answer,
);

/// What a deletion touches and what it leaves alone.
fn effects() -> Result<TestGroup> {
    let mut w = WorldDef::new(&["alice"]);
    w.image("m-fx-base", "alice", &[]);
    w.instance("i-fx-src", "alice", "m-fx-base");
    w.disk("d-fx-src", "alice", Some("i-fx-src"), None);
    // A snapshot made of d-fx-src: that disk is its source, not a disk created from it.
    w.snapshot("s-fx-of-src", "alice").source_disk = Some("d-fx-src".to_owned());
    // A snapshot whose image was deleted before: released.
    w.snapshot("s-fx-released", "alice");
    // A snapshot two images list.
    w.snapshot("s-fx-two-images", "alice");
    w.image("m-fx-one", "alice", &["s-fx-two-images"]);
    w.image("m-fx-two", "alice", &["s-fx-two-images"]);
    // A snapshot three disks were created from.
    w.snapshot("s-fx-disks", "alice");
    w.disk("d-fx-a", "alice", None, Some("s-fx-disks"));
    w.disk("d-fx-b", "alice", None, Some("s-fx-disks"));
    w.disk("d-fx-c", "alice", None, Some("s-fx-disks"));
    let cases: [Case; 6] = [
        (
            "a snapshot made of an existing disk",
            "s-fx-of-src",
            None,
            &["Own", "NoBlocker", "SourceDiskKept"],
            w.deletion("s-fx-of-src"),
        ),
        (
            "a snapshot whose image was deleted before",
            "s-fx-released",
            None,
            &["Own", "NoBlocker", "ImageReleased"],
            w.deletion("s-fx-released"),
        ),
        (
            "a snapshot two images list",
            "s-fx-two-images",
            None,
            &["Own", "CreatedImage"],
            B::CreatedImage.answer(),
        ),
        (
            "a snapshot two images list, Force=true",
            "s-fx-two-images",
            Some("true"),
            &["Own", "CreatedImage", "Force"],
            B::CreatedImage.answer(),
        ),
        (
            "a snapshot three disks were created from",
            "s-fx-disks",
            None,
            &["Own", "CreatedDisk"],
            B::CreatedDisk.answer(),
        ),
        (
            "a snapshot three disks were created from, Force=true",
            "s-fx-disks",
            Some("true"),
            &["Own", "CreatedDisk", "Force", "DisksLoseReinit"],
            w.deletion("s-fx-disks"),
        ),
    ];
    let tests = cases
        .into_iter()
        .map(|(comment, snapshot, force, flags, answer)| {
            test(
                comment.to_owned(),
                flags,
                "alice",
                request(snapshot, force),
                answer,
            )
        })
        .collect();
    Ok(TestGroup {
        name: "effects",
        comment: "What a deletion touches: disks created from the snapshot lose re-initialization under Force; the disk a snapshot was made of is left alone; a released snapshot is deletable; one two images list is not.".to_owned(),
        profile: ProfileSpec::default(),
        world: w.world()?,
        tests,
    })
}
