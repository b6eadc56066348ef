//! The store's images: each [`Entry`] (an image and the facts derived for the rule) in dense
//! chunks, found by id through a hash index of positions.
//!
//! The layout is about memory at a million images (`examples/memory.rs`,
//! docs/performance.md). A `HashMap<ImageId, Entry>` keeps every entry inside its slots, and
//! a hash table has up to twice as many slots as items (at 1M items, 2^21), so each image paid
//! for two entries. Here the slots hold an id and a position (24 bytes) and the entries sit
//! side by side. The instances of an image are boxed apart, because most images have none.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::ops::Index;

use crate::ids::{ImageId, InstanceId};
use crate::model::Image;

/// How many tasks of each kind run on one image; derived from the tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Running {
    pub(crate) imports: u32,
    pub(crate) exports: u32,
    pub(crate) copies_out: u32,
    pub(crate) copies_in: u32,
}

/// The instances of an image that has none.
static NO_INSTANCES: BTreeSet<InstanceId> = BTreeSet::new();

/// An image and the derived facts the rule reads: its running tasks and live instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) image: Image,
    pub(crate) running: Running,
    /// `None` exactly when no live instance was made from the image (so that equal stores have
    /// equal entries): most images have none, and a box costs them 8 bytes rather than 24.
    #[expect(
        clippy::box_collection,
        reason = "the box is the point: 8 bytes per image instead of 24"
    )]
    instances: Option<Box<BTreeSet<InstanceId>>>,
}

impl Entry {
    /// An image without tasks or instances.
    pub(crate) fn new(image: Image) -> Self {
        Self {
            image,
            running: Running::default(),
            instances: None,
        }
    }

    /// The live instances made from the image, in id order.
    pub(crate) fn instances(&self) -> &BTreeSet<InstanceId> {
        self.instances.as_deref().unwrap_or(&NO_INSTANCES)
    }

    /// Adds a live instance.
    pub(crate) fn add_instance(&mut self, instance: InstanceId) {
        self.instances
            .get_or_insert_with(Box::default)
            .insert(instance);
    }

    /// Removes a live instance.
    pub(crate) fn remove_instance(&mut self, instance: &str) {
        if let Some(instances) = &mut self.instances {
            instances.remove(instance);
            if instances.is_empty() {
                self.instances = None;
            }
        }
    }

    /// The image, its running tasks and its live instances, the entry consumed.
    pub(crate) fn into_parts(self) -> (Image, Running, BTreeSet<InstanceId>) {
        let instances = self.instances.map(|b| *b).unwrap_or_default();
        (self.image, self.running, instances)
    }
}

/// Entries per chunk of the table: a power of two, so that a position splits into a shift and
/// a mask. A full chunk of 136-byte entries is about half a megabyte.
const CHUNK: usize = 1 << 12;

/// Entries by image id.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageTable {
    /// The position of each image's entry.
    index: HashMap<ImageId, usize>,
    /// Entry `at` is `chunks[at / CHUNK][at % CHUNK]`. Every chunk but the last is full and
    /// holds no spare capacity, so the table never holds more than a chunk of unused slots and
    /// never moves its entries to grow (a single vector doubles: up to twice the memory, and a
    /// copy of every entry at the step). At most one empty chunk is kept past the entries, so
    /// that a table that grows and shrinks across a chunk boundary does not reallocate each time.
    chunks: Vec<Vec<Entry>>,
    len: usize,
}

impl ImageTable {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    // The lookups take what `HashMap<ImageId, _>` takes (`&str` or `&ImageId`).

    pub(crate) fn contains_key<Q>(&self, id: &Q) -> bool
    where
        ImageId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(id)
    }

    pub(crate) fn get<Q>(&self, id: &Q) -> Option<&Entry>
    where
        ImageId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index
            .get(id)
            .map(|&at| &self.chunks[at / CHUNK][at % CHUNK])
    }

    pub(crate) fn get_mut<Q>(&mut self, id: &Q) -> Option<&mut Entry>
    where
        ImageId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index
            .get(id)
            .map(|&at| &mut self.chunks[at / CHUNK][at % CHUNK])
    }

    /// Every entry, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Entry> {
        self.chunks.iter().flatten()
    }

    /// Adds an entry whose id the table does not hold (the store checked).
    pub(crate) fn insert(&mut self, entry: Entry) {
        let previous = self.index.insert(entry.image.id.clone(), self.len);
        debug_assert!(previous.is_none(), "the store inserts new ids only");
        let chunk = self.len / CHUNK;
        if chunk == self.chunks.len() {
            self.chunks.push(Vec::new());
        }
        let entries = &mut self.chunks[chunk];
        if entries.len() == entries.capacity() {
            // Doubling, as a vector grows, but never past a full chunk.
            let more = entries.len().max(4).min(CHUNK - entries.len());
            entries.reserve_exact(more);
        }
        entries.push(entry);
        self.len += 1;
    }

    /// Removes an entry; the last entry takes its place, so this is O(1).
    pub(crate) fn remove<Q>(&mut self, id: &Q) -> Option<Entry>
    where
        ImageId: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = self.index.remove(id)?;
        self.len -= 1;
        let last = self.chunks[self.len / CHUNK]
            .pop()
            .expect("the table holds `len` entries");
        let removed = if at == self.len {
            last
        } else {
            let slot = &mut self.chunks[at / CHUNK][at % CHUNK];
            let removed = std::mem::replace(slot, last);
            *self
                .index
                .get_mut::<str>(slot.image.id.as_str())
                .expect("every entry is indexed") = at;
            removed
        };
        self.chunks.truncate(self.len.div_ceil(CHUNK) + 1);
        Some(removed)
    }
}

impl Index<&ImageId> for ImageTable {
    type Output = Entry;

    fn index(&self, id: &ImageId) -> &Entry {
        self.get(id).expect("the image is in the table")
    }
}

/// Equal when they hold equal entries under the same ids, whatever their positions.
impl PartialEq for ImageTable {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self
                .values()
                .all(|entry| other.get(entry.image.id.as_str()) == Some(entry))
    }
}

impl Eq for ImageTable {}
