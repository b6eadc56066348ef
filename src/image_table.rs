//! The store's images: each [`Entry`] (an image and the facts derived for the rule) in dense
//! chunks, found by id through a hash index of positions.
//!
//! The layout is about memory at a million images (`examples/memory.rs`,
//! docs/performance.md). A `HashMap<ImageId, Entry>` keeps every entry inside its slots, and
//! a hash table has up to twice as many slots as items (at 1M items, 2^21), so each image paid
//! for two entries. Here the entries sit side by side and the index is a
//! [`hashbrown::HashTable`] of `u32` positions: its slots hold no key (the key is the entry's
//! own id), so 2^21 slots cost 5 bytes each (4 and a control byte), 10.5 bytes per image,
//! where a `HashMap<ImageId, usize>` cost 52. What only a few images have (running tasks,
//! instances) is boxed apart: 8 bytes for the rest.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::ops::Index;

use hashbrown::HashTable;

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

/// What few images have: running tasks, live instances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extras {
    running: Running,
    instances: BTreeSet<InstanceId>,
}

/// An image and the derived facts the rule reads: its running tasks and live instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) image: Image,
    /// `None` exactly when no task runs on the image and no live instance was made from it
    /// (so that equal stores have equal entries): most images have neither, and a box costs
    /// them 8 bytes rather than the 40 the extras take inline.
    extras: Option<Box<Extras>>,
}

impl Entry {
    /// An image without tasks or instances.
    pub(crate) fn new(image: Image) -> Self {
        Self {
            image,
            extras: None,
        }
    }

    /// The tasks running on the image, by kind.
    pub(crate) fn running(&self) -> Running {
        self.extras.as_ref().map(|e| e.running).unwrap_or_default()
    }

    /// The live instances made from the image, in id order.
    pub(crate) fn instances(&self) -> &BTreeSet<InstanceId> {
        self.extras.as_ref().map_or(&NO_INSTANCES, |e| &e.instances)
    }

    /// Changes the running-task counts.
    pub(crate) fn update_running(&mut self, change: impl FnOnce(&mut Running)) {
        change(&mut self.extras.get_or_insert_with(Box::default).running);
        self.drop_empty_extras();
    }

    /// Adds a live instance.
    pub(crate) fn add_instance(&mut self, instance: InstanceId) {
        self.extras
            .get_or_insert_with(Box::default)
            .instances
            .insert(instance);
    }

    /// Removes a live instance.
    pub(crate) fn remove_instance(&mut self, instance: &str) {
        if let Some(extras) = &mut self.extras {
            extras.instances.remove(instance);
            self.drop_empty_extras();
        }
    }

    fn drop_empty_extras(&mut self) {
        if self.extras.as_deref() == Some(&Extras::default()) {
            self.extras = None;
        }
    }

    /// The image, its running tasks and its live instances, the entry consumed.
    pub(crate) fn into_parts(self) -> (Image, Running, BTreeSet<InstanceId>) {
        let Extras { running, instances } = self.extras.map(|b| *b).unwrap_or_default();
        (self.image, running, instances)
    }
}

/// Entries per chunk of the table: a power of two, so that a position splits into a shift and
/// a mask. A full chunk of 128-byte entries is half a megabyte.
const CHUNK: usize = 1 << 12;

/// Entries by image id.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageTable {
    /// The position of each image's entry, hashed by the entry's id.
    index: HashTable<u32>,
    hasher: RandomState,
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

    /// The entry at a position below `len`.
    pub(crate) fn at(&self, at: u32) -> &Entry {
        let at = at as usize;
        &self.chunks[at / CHUNK][at % CHUNK]
    }

    pub(crate) fn at_mut(&mut self, at: u32) -> &mut Entry {
        let at = at as usize;
        &mut self.chunks[at / CHUNK][at % CHUNK]
    }

    /// The position of an image's entry.
    pub(crate) fn position(&self, id: &(impl AsRef<str> + ?Sized)) -> Option<u32> {
        let id = id.as_ref();
        let chunks = &self.chunks;
        self.index
            .find(self.hasher.hash_one(id), |&at| {
                let at = at as usize;
                chunks[at / CHUNK][at % CHUNK].image.id.as_str() == id
            })
            .copied()
    }

    pub(crate) fn contains_key(&self, id: &(impl AsRef<str> + ?Sized)) -> bool {
        self.position(id).is_some()
    }

    pub(crate) fn get(&self, id: &(impl AsRef<str> + ?Sized)) -> Option<&Entry> {
        self.position(id).map(|at| self.at(at))
    }

    pub(crate) fn get_mut(&mut self, id: &(impl AsRef<str> + ?Sized)) -> Option<&mut Entry> {
        self.position(id).map(|at| self.at_mut(at))
    }

    /// Every entry, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Entry> {
        self.chunks.iter().flatten()
    }

    /// Adds an entry whose id the table does not hold (the store checked), and answers its
    /// position.
    pub(crate) fn insert(&mut self, entry: Entry) -> u32 {
        debug_assert!(!self.contains_key(&entry.image.id), "new ids only");
        let at = u32::try_from(self.len).expect("a store holds fewer than 2^32 images");
        let hash = self.hasher.hash_one(entry.image.id.as_str());
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
        if self.index.len() == self.index.capacity() {
            self.grow_index();
        }
        let (hasher, chunks) = (&self.hasher, &self.chunks);
        self.index.insert_unique(hash, at, |&at| {
            let at = at as usize;
            hasher.hash_one(chunks[at / CHUNK][at % CHUNK].image.id.as_str())
        });
        at
    }

    /// Doubles the index by placing every position again in position order: the entries are
    /// read one after the other, where a rehash in place reads them in the order of their
    /// slots, one cache miss each at a million images (29% of loading them).
    fn grow_index(&mut self) {
        let (hasher, chunks) = (&self.hasher, &self.chunks);
        let hash = |at: u32| {
            let at = at as usize;
            hasher.hash_one(chunks[at / CHUNK][at % CHUNK].image.id.as_str())
        };
        let mut index = HashTable::with_capacity((self.index.capacity() * 2).max(16));
        for slot in 0..self.len - 1 {
            let at = u32::try_from(slot).expect("positions fit in u32");
            index.insert_unique(hash(at), at, |&at| hash(at));
        }
        self.index = index;
    }

    /// Removes an entry; the last entry takes its place, so this is O(1). Answers the entry
    /// and, when another entry moved, its old and new positions.
    pub(crate) fn remove(
        &mut self,
        id: &(impl AsRef<str> + ?Sized),
    ) -> Option<(Entry, Option<(u32, u32)>)> {
        let id = id.as_ref();
        let chunks = &self.chunks;
        let found = self
            .index
            .find_entry(self.hasher.hash_one(id), |&at| {
                let at = at as usize;
                chunks[at / CHUNK][at % CHUNK].image.id.as_str() == id
            })
            .ok()?;
        let (at, _) = found.remove();
        self.len -= 1;
        let last_at = u32::try_from(self.len).expect("positions fit in u32");
        let last = self.chunks[self.len / CHUNK]
            .pop()
            .expect("the table holds `len` entries");
        let (removed, moved) = if at == last_at {
            (last, None)
        } else {
            let hash = self.hasher.hash_one(last.image.id.as_str());
            let removed = std::mem::replace(self.at_mut(at), last);
            *self
                .index
                .find_mut(hash, |&p| p == last_at)
                .expect("every entry is indexed") = at;
            (removed, Some((last_at, at)))
        };
        self.chunks.truncate(self.len.div_ceil(CHUNK) + 1);
        Some((removed, moved))
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
                .all(|entry| other.get(&entry.image.id) == Some(entry))
    }
}

impl Eq for ImageTable {}
