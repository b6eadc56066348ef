//! The store's snapshots and disks, with the indexes that answer DeleteSnapshot and the
//! Describe actions without a scan: each snapshot with its usage (how many images list it,
//! which disks were created from it), the snapshots of each disk and of each account, the disks
//! of each instance and of each account, and the disks whose source snapshot is gone.
//!
//! Only the [`ImageStore`](crate::ImageStore) changes it, through its structural inserts and
//! removals (src/store.rs), which check the references between resources.

use std::collections::{BTreeSet, HashMap};

use crate::ids::{AccountId, DiskId, InstanceId, RegionId, SnapshotId};
use crate::storage::{Disk, Snapshot, SnapshotStatus};

/// A snapshot and who uses it.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotEntry {
    pub(crate) snapshot: Snapshot,
    /// How many images list it (an image lists a snapshot at most once).
    images: u32,
    /// The existing disks created from it, in id order.
    disks: BTreeSet<DiskId>,
    /// Whether an image's list implied it (docs/delete-snapshot.md) while a saved state was
    /// being read; a snapshot the state lists replaces it.
    implied: bool,
}

impl SnapshotEntry {
    /// How many images list the snapshot.
    pub(crate) fn images(&self) -> u32 {
        self.images
    }

    /// The existing disks created from the snapshot, in id order.
    pub(crate) fn disks(&self) -> &BTreeSet<DiskId> {
        &self.disks
    }

    /// Whether an image implied it and no saved state has listed it since.
    pub(crate) fn implied(&self) -> bool {
        self.implied
    }
}

/// Equal entries hold the same snapshot with the same usage; whether an image implied it is
/// loading bookkeeping, not state.
impl PartialEq for SnapshotEntry {
    fn eq(&self, other: &Self) -> bool {
        (&self.snapshot, self.images, &self.disks) == (&other.snapshot, other.images, &other.disks)
    }
}

impl Eq for SnapshotEntry {}

type ByAccount<T> = HashMap<(AccountId, RegionId), BTreeSet<T>>;

/// Snapshots and disks, indexed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StorageTable {
    snapshots: HashMap<SnapshotId, SnapshotEntry>,
    snapshots_by_account: ByAccount<SnapshotId>,
    snapshots_by_disk: HashMap<DiskId, BTreeSet<SnapshotId>>,
    disks: HashMap<DiskId, Disk>,
    disks_by_instance: HashMap<InstanceId, BTreeSet<DiskId>>,
    disks_by_account: ByAccount<DiskId>,
    /// Disks whose source snapshot was deleted, by that snapshot's id: while one names an id,
    /// no new snapshot may take it.
    orphans: HashMap<SnapshotId, BTreeSet<DiskId>>,
}

fn add<K: Eq + std::hash::Hash, T: Ord>(index: &mut HashMap<K, BTreeSet<T>>, key: K, id: T) {
    index.entry(key).or_default().insert(id);
}

fn forget<K: Eq + std::hash::Hash, T: Ord + std::borrow::Borrow<str>>(
    index: &mut HashMap<K, BTreeSet<T>>,
    key: &K,
    id: &str,
) {
    if let Some(ids) = index.get_mut(key) {
        ids.remove(id);
        if ids.is_empty() {
            index.remove(key);
        }
    }
}

impl StorageTable {
    // ---- snapshots ----------------------------------------------------------------------

    pub(crate) fn snapshot(&self, id: &str) -> Option<&SnapshotEntry> {
        self.snapshots.get(id)
    }

    pub(crate) fn snapshots(&self) -> impl Iterator<Item = &Snapshot> {
        self.snapshots.values().map(|e| &e.snapshot)
    }

    pub(crate) fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    pub(crate) fn orphaned_by(&self, snapshot: &str) -> Option<&BTreeSet<DiskId>> {
        self.orphans.get(snapshot)
    }

    pub(crate) fn snapshots_of_account(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> Option<&BTreeSet<SnapshotId>> {
        self.snapshots_by_account
            .get(&(owner.clone(), region.clone()))
    }

    pub(crate) fn snapshots_of_disk(&self, disk: &str) -> Option<&BTreeSet<SnapshotId>> {
        self.snapshots_by_disk.get(disk)
    }

    /// Adds a snapshot the caller has checked (unique id, known region, no orphan disk names
    /// it).
    pub(crate) fn add_snapshot(&mut self, snapshot: Snapshot) {
        let key = (snapshot.owner.clone(), snapshot.region.clone());
        add(&mut self.snapshots_by_account, key, snapshot.id.clone());
        if let Some(disk) = &snapshot.source_disk {
            add(
                &mut self.snapshots_by_disk,
                disk.clone(),
                snapshot.id.clone(),
            );
        }
        self.snapshots.insert(
            snapshot.id.clone(),
            SnapshotEntry {
                snapshot,
                images: 0,
                disks: BTreeSet::new(),
                implied: false,
            },
        );
    }

    /// Adds a snapshot an image's list implies.
    pub(crate) fn add_implied(&mut self, snapshot: Snapshot) {
        let id = snapshot.id.clone();
        self.add_snapshot(snapshot);
        if let Some(entry) = self.snapshots.get_mut(&id) {
            entry.implied = true;
        }
    }

    /// Replaces an implied snapshot by the one a saved state lists, keeping its usage. `Err`
    /// with its id when the state listed it already (it appears twice).
    pub(crate) fn refine_implied(&mut self, snapshot: Snapshot) -> Result<(), SnapshotId> {
        let Some(old) = self
            .snapshots
            .get(snapshot.id.as_str())
            .filter(|e| e.implied)
        else {
            return Err(snapshot.id);
        };
        let (images, disks) = (old.images, old.disks.clone());
        self.remove_snapshot(snapshot.id.as_str());
        self.orphans.remove(snapshot.id.as_str());
        let id = snapshot.id.clone();
        self.add_snapshot(snapshot);
        if let Some(entry) = self.snapshots.get_mut(&id) {
            entry.images = images;
            entry.disks = disks;
        }
        Ok(())
    }

    /// Removes a snapshot; the disks created from it keep its id and are flagged as unable to
    /// re-initialize. Returns the snapshot and those disks, in id order.
    pub(crate) fn remove_snapshot(&mut self, id: &str) -> Option<(Snapshot, Vec<DiskId>)> {
        let entry = self.snapshots.remove(id)?;
        let snapshot = entry.snapshot;
        let key = (snapshot.owner.clone(), snapshot.region.clone());
        forget(&mut self.snapshots_by_account, &key, id);
        if let Some(disk) = &snapshot.source_disk {
            forget(&mut self.snapshots_by_disk, disk, id);
        }
        for disk in &entry.disks {
            if let Some(d) = self.disks.get_mut(disk) {
                d.source_snapshot_deleted = true;
            }
        }
        if !entry.disks.is_empty() {
            self.orphans
                .entry(snapshot.id.clone())
                .or_default()
                .extend(entry.disks.iter().cloned());
        }
        Some((snapshot, entry.disks.into_iter().collect()))
    }

    /// Sets a snapshot's status and progress (its creation moved on). `false` for an unknown
    /// snapshot.
    pub(crate) fn set_snapshot_state(
        &mut self,
        id: &str,
        status: SnapshotStatus,
        progress: u8,
    ) -> bool {
        match self.snapshots.get_mut(id) {
            Some(entry) => {
                entry.snapshot.status = status;
                entry.snapshot.progress = progress.min(100);
                true
            }
            None => false,
        }
    }

    /// One more image lists the snapshot, which exists.
    pub(crate) fn use_in_image(&mut self, id: &str) {
        if let Some(entry) = self.snapshots.get_mut(id) {
            entry.images += 1;
        }
    }

    /// One image fewer lists the snapshot. `true` when none does any more: it is released.
    pub(crate) fn release_from_image(&mut self, id: &str) -> bool {
        match self.snapshots.get_mut(id) {
            Some(entry) => {
                entry.images = entry.images.saturating_sub(1);
                entry.images == 0
            }
            None => false,
        }
    }

    // ---- disks --------------------------------------------------------------------------

    pub(crate) fn disk(&self, id: &str) -> Option<&Disk> {
        self.disks.get(id)
    }

    pub(crate) fn disks(&self) -> impl Iterator<Item = &Disk> {
        self.disks.values()
    }

    pub(crate) fn disks_of_account(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> Option<&BTreeSet<DiskId>> {
        self.disks_by_account.get(&(owner.clone(), region.clone()))
    }

    pub(crate) fn disks_of_instance(&self, instance: &str) -> Option<&BTreeSet<DiskId>> {
        self.disks_by_instance.get(instance)
    }

    /// Adds a disk the caller has checked (unique id, known region, its instance exists, its
    /// source snapshot exists exactly when it is not flagged deleted).
    pub(crate) fn add_disk(&mut self, disk: Disk) {
        let key = (disk.owner.clone(), disk.region.clone());
        add(&mut self.disks_by_account, key, disk.id.clone());
        if let Some(instance) = &disk.instance {
            add(
                &mut self.disks_by_instance,
                instance.clone(),
                disk.id.clone(),
            );
        }
        if let Some(snapshot) = &disk.source_snapshot {
            if disk.source_snapshot_deleted {
                add(&mut self.orphans, snapshot.clone(), disk.id.clone());
            } else if let Some(entry) = self.snapshots.get_mut(snapshot) {
                entry.disks.insert(disk.id.clone());
            }
        }
        self.disks.insert(disk.id.clone(), disk);
    }

    /// Removes a disk (it is released); its snapshots stay.
    pub(crate) fn remove_disk(&mut self, id: &str) -> Option<Disk> {
        let disk = self.disks.remove(id)?;
        let key = (disk.owner.clone(), disk.region.clone());
        forget(&mut self.disks_by_account, &key, id);
        if let Some(instance) = &disk.instance {
            forget(&mut self.disks_by_instance, instance, id);
        }
        if let Some(snapshot) = &disk.source_snapshot {
            forget(&mut self.orphans, snapshot, id);
            if let Some(entry) = self.snapshots.get_mut(snapshot) {
                entry.disks.remove(id);
            }
        }
        Some(disk)
    }
}
