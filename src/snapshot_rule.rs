//! The DeleteSnapshot rule (docs/delete-snapshot.md): who may delete which snapshot, the three
//! blockers and Force, as a pure decision, and its application.
//!
//! [`decide_snapshot`] reads the store and mutates nothing; [`ImageStore::apply_snapshot`]
//! carries a decision out; [`ImageStore::delete_snapshot`] does both, so a refused request never
//! changes the store.

use crate::error::{Error, NotFound};
use crate::ids::{AccountId, DiskId, SnapshotId};
use crate::profile::Profile;
use crate::snapshot_blocker::{MissingSnapshot, ProgressingSnapshot, SnapshotBlocker};
use crate::storage::{Snapshot, SnapshotStatus};
use crate::store::{ImageStore, SnapshotEntry};

/// A DeleteSnapshot request whose parameters are well formed.
///
/// DeleteSnapshot declares neither `RegionId` nor `DryRun` [D: SDK 7.11.8]: a snapshot id names
/// one snapshot in any region, and a `RegionId` a client adds anyway (the Go SDK does) plays no
/// part \[I\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteSnapshotRequest {
    /// `SnapshotId`.
    pub snapshot_id: SnapshotId,
    /// `Force`: delete even if disks were created from the snapshot; they can then no longer
    /// be re-initialized \[D\].
    pub force: bool,
}

impl DeleteSnapshotRequest {
    /// A request without Force.
    pub fn new(snapshot_id: SnapshotId) -> Self {
        Self {
            snapshot_id,
            force: false,
        }
    }

    /// The same request with `Force` set.
    pub fn with_force(self, force: bool) -> Self {
        Self { force, ..self }
    }
}

/// Whether a blocker holds on a snapshot (the "holds when" column of docs/delete-snapshot.md).
fn holds(blocker: SnapshotBlocker, entry: &SnapshotEntry) -> bool {
    match blocker {
        SnapshotBlocker::Creating => entry.snapshot.status == SnapshotStatus::Progressing,
        SnapshotBlocker::CreatedImage => entry.images() > 0,
        SnapshotBlocker::CreatedDisk => !entry.disks().is_empty(),
    }
}

/// Whether a blocker that holds refuses this request: `Force=true` skips CreatedDisk, and
/// Creating refuses only under [`ProgressingSnapshot::Refuse`].
fn refuses(blocker: SnapshotBlocker, request: &DeleteSnapshotRequest, profile: &Profile) -> bool {
    match blocker {
        SnapshotBlocker::Creating => profile.progressing_snapshot == ProgressingSnapshot::Refuse,
        SnapshotBlocker::CreatedImage => true,
        SnapshotBlocker::CreatedDisk => !request.force,
    }
}

/// The snapshot blockers that hold on a snapshot, in default precedence order; empty for a
/// snapshot the store does not hold. Force and the profile play no part here.
pub fn snapshot_blockers(store: &ImageStore, snapshot: &SnapshotId) -> Vec<SnapshotBlocker> {
    store
        .snapshot_entry(snapshot.as_str())
        .map(|entry| {
            SnapshotBlocker::ALL
                .into_iter()
                .filter(|&b| holds(b, entry))
                .collect()
        })
        .unwrap_or_default()
}

/// What a DeleteSnapshot request that passed every check will do. Only [`decide_snapshot`]
/// makes one; like DeleteImage's [`Verdict`](crate::Verdict), it borrows its question so that
/// [`ImageStore::apply_snapshot`] can ask it again of the store it is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a verdict does nothing until it is applied"]
pub struct SnapshotVerdict<'r> {
    caller: &'r AccountId,
    request: &'r DeleteSnapshotRequest,
    profile: &'r Profile,
    delete: bool,
}

impl<'r> SnapshotVerdict<'r> {
    /// The snapshot that will be deleted, or `None` when the request is ignored.
    pub fn snapshot_to_delete(&self) -> Option<&'r SnapshotId> {
        self.delete.then_some(&self.request.snapshot_id)
    }
}

/// What a successful DeleteSnapshot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// The snapshot is gone.
    Deleted(SnapshotDeletion),
    /// The caller has no such snapshot; nothing changed \[D\].
    Ignored,
}

/// The effects of a snapshot deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDeletion {
    /// The snapshot as it was; `progressing` if its creation was cancelled.
    pub snapshot: Snapshot,
    /// Disks created from it (only with `Force=true`): they stay, but can no longer be
    /// re-initialized \[D\]. In id order.
    pub disks_losing_reinit: Vec<DiskId>,
}

/// Decides a DeleteSnapshot request without changing anything.
///
/// In order: the caller must own the snapshot, else it is ignored (or 404, per
/// [`MissingSnapshot`]); then the first [`SnapshotBlocker`] in the profile's snapshot
/// precedence that holds and refuses (`Force=true` skips CreatedDisk; Creating refuses only under
/// [`ProgressingSnapshot::Refuse`]).
pub fn decide_snapshot<'r>(
    store: &ImageStore,
    caller: &'r AccountId,
    request: &'r DeleteSnapshotRequest,
    profile: &'r Profile,
) -> Result<SnapshotVerdict<'r>, Error> {
    let own = store
        .snapshot_entry(request.snapshot_id.as_str())
        .filter(|entry| entry.snapshot.owner == *caller);
    let Some(entry) = own else {
        return match profile.missing_snapshot {
            MissingSnapshot::Ignore => Ok(SnapshotVerdict {
                caller,
                request,
                profile,
                delete: false,
            }),
            MissingSnapshot::NotFound => Err(NotFound::Snapshot.into()),
        };
    };
    let first_blocker = profile
        .snapshot_precedence
        .order()
        .iter()
        .copied()
        .find(|&b| holds(b, entry) && refuses(b, request, profile));
    if let Some(blocker) = first_blocker {
        return Err(Error::SnapshotBlocked(blocker));
    }
    Ok(SnapshotVerdict {
        caller,
        request,
        profile,
        delete: true,
    })
}

impl ImageStore {
    /// Carries out a DeleteSnapshot verdict. Its question is asked again of this store as it is
    /// now, so a stale verdict gets this store's answer (possibly a refusal, and then nothing
    /// changes).
    pub fn apply_snapshot(
        &mut self,
        verdict: SnapshotVerdict<'_>,
    ) -> Result<SnapshotOutcome, Error> {
        let now = decide_snapshot(self, verdict.caller, verdict.request, verdict.profile)?;
        Ok(self.carry_out_snapshot_verdict(now))
    }

    /// DeleteSnapshot: decides a request and, if it is not refused, carries it out. A refused
    /// request leaves the store as it was.
    pub fn delete_snapshot(
        &mut self,
        caller: &AccountId,
        request: &DeleteSnapshotRequest,
        profile: &Profile,
    ) -> Result<SnapshotOutcome, Error> {
        let verdict = decide_snapshot(self, caller, request, profile)?;
        Ok(self.carry_out_snapshot_verdict(verdict))
    }

    /// The deletion, for a verdict [`decide_snapshot`] has just given on this very store.
    pub(crate) fn carry_out_snapshot_verdict(
        &mut self,
        verdict: SnapshotVerdict<'_>,
    ) -> SnapshotOutcome {
        let Some(id) = verdict.snapshot_to_delete() else {
            return SnapshotOutcome::Ignored;
        };
        let (snapshot, disks_losing_reinit) = self
            .remove_snapshot(id.as_str())
            .expect("decide_snapshot found the snapshot a moment ago");
        SnapshotOutcome::Deleted(SnapshotDeletion {
            snapshot,
            disks_losing_reinit,
        })
    }
}
