//! Which images each DescribeImages question is about, in id order, without a scan of the
//! store: the images of one region, one audience and one status form a *group*, and each group
//! keeps the table positions of its images sorted by image id.
//!
//! An image belongs to one group per audience that sees it as such (docs/performance.md):
//!
//! | Image | Groups (in its region and status) |
//! |---|---|
//! | custom, private or shared | `Owner(owner)`, and `SharedWith(a)` for each account `a` it is shared with |
//! | custom, community | `Owner(owner)` and `Community` (not `SharedWith`: everyone sees it anyway) |
//! | system / marketplace | `System` / `Marketplace` |
//!
//! so the images a caller sees are `Owner(caller)`, `Community` less the caller's own,
//! `SharedWith(caller)`, `System` and `Marketplace`: disjoint once the caller's own community
//! images are left out of `Community` ([`ImageGroups::own_community`] keeps those in order too,
//! so that a [`View`] counts them once).
//!
//! A group is a list of blocks of at most [`BLOCK`] positions: an insert or a removal moves at
//! most a block's worth of positions (and, on a split or an emptied block, the block pointers),
//! and a Fenwick tree of the blocks' lengths finds the `k`-th position or the rank of an id in
//! O(log n). A page of one group starts at its rank; a page of several groups starts where a
//! search by rank puts each of them ([`View`]), so a deep page costs what the first does, give
//! or take a few hundred id reads. Positions are 4 bytes, where an id would be 24: about 5.5
//! bytes per image with the blocks' spare room, so the indexes fit the memory budget.
//! Comparisons read the ids from the table.

use std::collections::HashMap;

use crate::ids::{AccountId, RegionId};
use crate::model::{Image, ImageKind, ImageStatus};

/// The most positions a block holds before it splits in two.
const BLOCK: usize = 256;

/// Whom a group of images is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Audience {
    /// An account's own custom images.
    Owner(AccountId),
    /// Custom images shared with an account and not published.
    SharedWith(AccountId),
    /// Published custom images.
    Community,
    /// Alibaba Cloud public images.
    System,
    /// Alibaba Cloud Marketplace images.
    Marketplace,
}

/// One group: a region, an audience, a status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct GroupKey {
    pub(crate) region: RegionId,
    pub(crate) audience: Audience,
    pub(crate) status: ImageStatus,
}

/// The groups an image belongs to.
fn groups_of(image: &Image) -> impl Iterator<Item = GroupKey> + '_ {
    let key = |audience| GroupKey {
        region: image.region.clone(),
        audience,
        status: image.status,
    };
    let visibility = &image.visibility;
    let (first, community) = match image.kind {
        ImageKind::Custom => (Audience::Owner(image.owner.clone()), visibility.community),
        ImageKind::System => (Audience::System, false),
        ImageKind::Marketplace => (Audience::Marketplace, false),
    };
    let shares = (image.kind == ImageKind::Custom && !community)
        .then(|| visibility.shared_with.iter())
        .into_iter()
        .flatten();
    std::iter::once(key(first))
        .chain(community.then(|| key(Audience::Community)))
        .chain(shares.map(move |a| key(Audience::SharedWith(a.clone()))))
}

/// Table positions in the order of the ids they hold; `ids(at)` reads an id from the table.
///
/// Beside the blocks, a Fenwick tree of their lengths: the number of positions before a block
/// (a rank) and the block that holds the `k`-th position are found in O(log blocks), so a page
/// deep in a group costs no walk over the blocks before it. The tree changes by one path per
/// insert or removal and is rebuilt (O(blocks)) only when a block splits or empties.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ordered {
    blocks: Vec<Vec<u32>>,
    /// The Fenwick tree over `blocks[b].len()`: node `i` (from 1) at `sums[i - 1]`.
    sums: Vec<u32>,
    len: usize,
}

impl Ordered {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The block that holds `id` or would: the first whose last id is not below it.
    fn block_for<'t>(&self, id: &str, ids: &impl Fn(u32) -> &'t str) -> usize {
        self.blocks
            .partition_point(|block| ids(*block.last().expect("no empty block")) < id)
    }

    /// The Fenwick tree rebuilt from the blocks' lengths, after a block was added or removed.
    fn rebuild_sums(&mut self) {
        let n = self.blocks.len();
        self.sums.clear();
        self.sums.extend(
            self.blocks
                .iter()
                .map(|b| u32::try_from(b.len()).expect("a block is small")),
        );
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                self.sums[parent - 1] += self.sums[i - 1];
            }
        }
    }

    /// One more (`grow`) or one fewer position in block `b`.
    fn count(&mut self, b: usize, grow: bool) {
        let mut i = b + 1;
        while i <= self.sums.len() {
            if grow {
                self.sums[i - 1] += 1;
            } else {
                self.sums[i - 1] -= 1;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// How many positions the blocks before block `b` hold.
    fn before_block(&self, b: usize) -> usize {
        let mut i = b.min(self.sums.len());
        let mut sum = 0;
        while i > 0 {
            sum += self.sums[i - 1] as usize;
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The block and offset of the `k`-th position (from 0); `(blocks, 0)` past the end.
    fn locate(&self, k: usize) -> (usize, usize) {
        if k >= self.len {
            return (self.blocks.len(), 0);
        }
        let n = self.sums.len();
        let (mut at, mut rest) = (0, k);
        let mut step = n.checked_ilog2().map_or(0, |log| 1 << log);
        while step > 0 {
            if at + step <= n && (self.sums[at + step - 1] as usize) <= rest {
                at += step;
                rest -= self.sums[at - 1] as usize;
            }
            step >>= 1;
        }
        (at, rest)
    }

    /// The `k`-th position (from 0), if there is one.
    pub(crate) fn at(&self, k: usize) -> Option<u32> {
        let (b, i) = self.locate(k);
        self.blocks.get(b).and_then(|block| block.get(i)).copied()
    }

    /// How many positions hold an id below `id`.
    pub(crate) fn count_below<'t>(&self, id: &str, ids: &impl Fn(u32) -> &'t str) -> usize {
        let b = self.block_for(id, ids);
        match self.blocks.get(b) {
            Some(block) => self.before_block(b) + block.partition_point(|&p| ids(p) < id),
            None => self.len,
        }
    }

    /// How many positions hold an id up to `id`, itself included.
    fn count_up_to<'t>(&self, id: &str, ids: &impl Fn(u32) -> &'t str) -> usize {
        let below = self.count_below(id, ids);
        below + usize::from(self.at(below).is_some_and(|p| ids(p) == id))
    }

    /// A block of `len` positions added after the others: the Fenwick node it gets sums its
    /// range of blocks, O(log blocks).
    fn push_block(&mut self, block: Vec<u32>) {
        let len = u32::try_from(block.len()).expect("a block is small");
        self.blocks.push(block);
        let i = self.blocks.len();
        let from = i - (i & i.wrapping_neg());
        let range = self.before_block(i - 1) - self.before_block(from);
        self.sums
            .push(len + u32::try_from(range).expect("a group's size fits a position"));
    }

    fn insert<'t>(&mut self, at: u32, id: &str, ids: &impl Fn(u32) -> &'t str) {
        // An id above every other (a store loaded in id order) goes at the end, filling the
        // last block: one id read, no split.
        if let Some(last) = self.blocks.last()
            && ids(*last.last().expect("no empty block")) < id
        {
            self.len += 1;
            if last.len() < BLOCK {
                let b = self.blocks.len() - 1;
                self.blocks[b].push(at);
                self.count(b, true);
            } else {
                self.push_block(vec![at]);
            }
            return;
        }
        let b = self
            .block_for(id, ids)
            .min(self.blocks.len().saturating_sub(1));
        if self.blocks.is_empty() {
            self.blocks.push(Vec::new());
            self.rebuild_sums();
        }
        let block = &mut self.blocks[b];
        let i = block.partition_point(|&p| ids(p) < id);
        block.insert(i, at);
        self.len += 1;
        if block.len() > BLOCK {
            let tail = block.split_off(BLOCK / 2);
            self.blocks.insert(b + 1, tail);
            self.rebuild_sums();
        } else {
            self.count(b, true);
        }
    }

    /// Where `id`'s position is: block and offset.
    fn find<'t>(&self, id: &str, ids: &impl Fn(u32) -> &'t str) -> Option<(usize, usize)> {
        let b = self.block_for(id, ids);
        let block = self.blocks.get(b)?;
        let i = block.partition_point(|&p| ids(p) < id);
        (block.get(i).is_some_and(|&p| ids(p) == id)).then_some((b, i))
    }

    fn remove<'t>(&mut self, id: &str, ids: &impl Fn(u32) -> &'t str) {
        let Some((b, i)) = self.find(id, ids) else {
            debug_assert!(false, "an indexed image is in its groups");
            return;
        };
        self.blocks[b].remove(i);
        self.len -= 1;
        if self.blocks[b].is_empty() {
            self.blocks.remove(b);
            self.rebuild_sums();
        } else {
            self.count(b, false);
        }
    }

    fn moved<'t>(&mut self, id: &str, to: u32, ids: &impl Fn(u32) -> &'t str) {
        if let Some((b, i)) = self.find(id, ids) {
            self.blocks[b][i] = to;
        }
    }
}

/// A place in a group, read forward.
#[derive(Debug, Clone, Copy)]
struct Cursor<'s> {
    group: &'s Ordered,
    block: usize,
    offset: usize,
    /// The position here and its id, read once.
    here: Option<(u32, &'s str)>,
}

impl<'s> Cursor<'s> {
    /// At the `k`-th position of the group.
    fn new(group: &'s Ordered, k: usize, ids: &impl Fn(u32) -> &'s str) -> Self {
        let (block, offset) = group.locate(k);
        let mut cursor = Self {
            group,
            block,
            offset,
            here: None,
        };
        cursor.read(ids);
        cursor
    }

    fn read(&mut self, ids: &impl Fn(u32) -> &'s str) {
        self.here = self
            .group
            .blocks
            .get(self.block)
            .and_then(|block| block.get(self.offset))
            .map(|&p| (p, ids(p)));
    }

    fn id(&self) -> Option<&'s str> {
        self.here.map(|(_, id)| id)
    }

    fn advance(&mut self, ids: &impl Fn(u32) -> &'s str) {
        self.offset += 1;
        if self.offset >= self.group.blocks.get(self.block).map_or(0, Vec::len) {
            self.block += 1;
            self.offset = 0;
        }
        self.read(ids);
    }
}

/// What a caller sees of some groups, in id order: every image of the `added` groups, each
/// counted as often as it is in them less as often as it is in the `removed` ones, which must
/// leave 0 or 1 (the caller's own community images are in its `Owner` group and in
/// `Community`; `removed` then holds them once, so that they count once, or not at all when
/// `Owner` is not asked for).
///
/// A page is found by rank, not by reading the matches before it: the view's `k`-th image is
/// the first id `x` of an added group with at least `k + 1` images up to `x`, found by a
/// binary search in each added group, each step counting ranks in every group
/// (O(g² log² n) id reads for g groups of up to n images); each group is then read from its
/// rank of that id.
#[derive(Debug, Clone, Default)]
pub(crate) struct View<'s> {
    added: Vec<&'s Ordered>,
    removed: Vec<&'s Ordered>,
}

/// Up to how many matches before a page are read rather than skipped by rank.
const READ_THROUGH: usize = 256;

/// How many images in a row a page may pass over (counted 0 times) before the rest of the
/// page is found by rank again.
const PASSED_OVER: usize = 64;

impl<'s> View<'s> {
    /// Adds a group's images to the view.
    pub(crate) fn add(&mut self, group: &'s Ordered) {
        self.added.push(group);
    }

    /// Counts once less each image of `group`, which an added group holds.
    pub(crate) fn remove(&mut self, group: &'s Ordered) {
        self.removed.push(group);
    }

    /// How many images the view holds.
    pub(crate) fn len(&self) -> usize {
        let added: usize = self.added.iter().map(|g| g.len()).sum();
        let removed: usize = self.removed.iter().map(|g| g.len()).sum();
        added.saturating_sub(removed)
    }

    /// How many of the view's images have an id up to `id`; `own` is the count in one added
    /// group that the caller already knows.
    fn count_up_to(&self, id: &str, own: (usize, usize), ids: &impl Fn(u32) -> &'s str) -> usize {
        let added: usize = (self.added.iter().enumerate())
            .map(|(g, group)| {
                if g == own.0 {
                    own.1
                } else {
                    group.count_up_to(id, ids)
                }
            })
            .sum();
        let removed: usize = self.removed.iter().map(|g| g.count_up_to(id, ids)).sum();
        added.saturating_sub(removed)
    }

    /// The id of the view's `k`-th image (from 0), if it has one.
    fn kth(&self, k: usize, ids: &impl Fn(u32) -> &'s str) -> Option<&'s str> {
        let mut best: Option<&'s str> = None;
        for (g, group) in self.added.iter().enumerate() {
            // Only ids below the best found so far can be the answer.
            let end = best.map_or(group.len(), |best| group.count_below(best, ids));
            let (mut lo, mut hi) = (0, end);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let id = ids(group.at(mid).expect("below the length"));
                if self.count_up_to(id, (g, mid + 1), ids) > k {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            if lo < end {
                best = group.at(lo).map(ids);
            }
        }
        best
    }

    /// The view's positions from the `skip`-th on, in id order.
    pub(crate) fn iter_from<F>(self, skip: usize, ids: F) -> impl Iterator<Item = u32> + 's
    where
        F: Fn(u32) -> &'s str + 's,
    {
        let mut merge = Merge {
            heads: Vec::new(),
            rank: skip,
            view: self,
            ids,
        };
        if skip <= READ_THROUGH {
            // Near the start, reading the few matches before the page costs less than a
            // search by rank.
            merge.rank = 0;
            merge.seek(true);
            for _ in 0..skip {
                merge.next();
            }
        } else {
            merge.seek(false);
        }
        merge
    }
}

/// A view read forward from a rank.
struct Merge<'s, F> {
    view: View<'s>,
    ids: F,
    /// A cursor per group, the added ones first; `true` for a removed group.
    heads: Vec<(Cursor<'s>, bool)>,
    /// The view's rank of the next image to answer.
    rank: usize,
}

impl<'s, F: Fn(u32) -> &'s str> Merge<'s, F> {
    /// Every cursor at the view's image of rank `self.rank`: at the start of every group
    /// (`from_start`, only for rank 0), at that rank in a lone group, else where a search by
    /// rank puts each group.
    fn seek(&mut self, from_start: bool) {
        let ids = &self.ids;
        let only = self.view.added.len() == 1 && self.view.removed.is_empty();
        let kth = if from_start || only || self.rank >= self.view.len() {
            None
        } else {
            self.view.kth(self.rank, ids)
        };
        let start = |group: &Ordered| match kth {
            _ if from_start => 0,
            _ if only => self.rank,
            Some(id) => group.count_below(id, ids),
            None => group.len(),
        };
        let added = self.view.added.iter().map(|g| (g, false));
        let removed = self.view.removed.iter().map(|g| (g, true));
        self.heads = added
            .chain(removed)
            .map(|(group, removed)| (Cursor::new(group, start(group), ids), removed))
            .collect();
    }
}

impl<'s, F: Fn(u32) -> &'s str> Iterator for Merge<'s, F> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut passed = 0;
        loop {
            let least = (self.heads.iter())
                .filter(|(_, removed)| !removed)
                .filter_map(|(head, _)| head.id())
                .min()?;
            let mut times = 0isize;
            let mut position = None;
            for (head, removed) in &mut self.heads {
                while *removed && head.id().is_some_and(|id| id < least) {
                    head.advance(&self.ids);
                }
                if let Some((at, id)) = head.here
                    && id == least
                {
                    times += if *removed { -1 } else { 1 };
                    position = Some(at);
                    head.advance(&self.ids);
                }
            }
            if times > 0 {
                self.rank += 1;
                return position;
            }
            passed += 1;
            if passed == PASSED_OVER {
                self.seek(false);
                passed = 0;
            }
        }
    }
}

/// Every group of the store's images, and the counts that make the groups disjoint for a
/// caller.
///
/// Derived from the images, and positional: two stores with equal images may hold their
/// positions in other orders, so this compares equal to any other (the images decide).
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageGroups {
    groups: HashMap<GroupKey, Ordered>,
    /// Each owner's images in `Community`, under the key of its `Owner` group.
    own_community: HashMap<GroupKey, Ordered>,
}

impl PartialEq for ImageGroups {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ImageGroups {}

impl ImageGroups {
    /// Adds the image at position `at` to its groups.
    pub(crate) fn add<'t>(&mut self, at: u32, image: &Image, ids: impl Fn(u32) -> &'t str) {
        for key in groups_of(image) {
            self.groups
                .entry(key)
                .or_default()
                .insert(at, image.id.as_str(), &ids);
        }
        if let Some(key) = Self::own_community_key(image) {
            (self.own_community.entry(key).or_default()).insert(at, image.id.as_str(), &ids);
        }
    }

    /// Takes the image out of its groups (it is still at its position).
    pub(crate) fn remove<'t>(&mut self, image: &Image, ids: impl Fn(u32) -> &'t str) {
        for key in groups_of(image) {
            if let Some(group) = self.groups.get_mut(&key) {
                group.remove(image.id.as_str(), &ids);
                if group.len() == 0 {
                    self.groups.remove(&key);
                }
            }
        }
        if let Some(key) = Self::own_community_key(image)
            && let Some(group) = self.own_community.get_mut(&key)
        {
            group.remove(image.id.as_str(), &ids);
            if group.len() == 0 {
                self.own_community.remove(&key);
            }
        }
    }

    /// The image moves to position `to` (the table filled a hole with it); call this while
    /// both positions still read as before the move.
    pub(crate) fn moved<'t>(&mut self, image: &Image, to: u32, ids: impl Fn(u32) -> &'t str) {
        for key in groups_of(image) {
            if let Some(group) = self.groups.get_mut(&key) {
                group.moved(image.id.as_str(), to, &ids);
            }
        }
        if let Some(key) = Self::own_community_key(image)
            && let Some(group) = self.own_community.get_mut(&key)
        {
            group.moved(image.id.as_str(), to, &ids);
        }
    }

    fn own_community_key(image: &Image) -> Option<GroupKey> {
        (image.kind == ImageKind::Custom && image.visibility.community).then(|| GroupKey {
            region: image.region.clone(),
            audience: Audience::Owner(image.owner.clone()),
            status: image.status,
        })
    }

    /// A group, if it holds any image.
    pub(crate) fn group(&self, key: &GroupKey) -> Option<&Ordered> {
        self.groups.get(key)
    }

    /// The community images of the owner a key names, in that region and status.
    pub(crate) fn own_community(&self, owner_key: &GroupKey) -> Option<&Ordered> {
        self.own_community.get(owner_key)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Every position and every rank is where a sorted list has it, after appends, inserts
    /// in the middle (splits), and removals (emptied blocks).
    #[test]
    fn ranks_and_positions_follow_inserts_and_removals() {
        let table: Vec<String> = (0..6_000).map(|n| format!("m-{n:08}")).collect();
        let ids = |at: u32| table[at as usize].as_str();
        let mut group = Ordered::default();
        let mut sorted: Vec<u32> = Vec::new();
        let check = |group: &Ordered, sorted: &mut Vec<u32>| {
            sorted.sort_unstable();
            assert_eq!(group.len(), sorted.len());
            for (k, &at) in sorted.iter().enumerate() {
                assert_eq!(group.at(k), Some(at));
                assert_eq!(group.count_below(ids(at), &ids), k);
            }
            assert_eq!(group.at(sorted.len()), None);
        };
        // The first half in order (appends), then the second half's odd positions in a
        // scrambled order (inserts in the middle, splits); then removals, a run of them
        // long enough to empty blocks.
        for at in 0..3_000 {
            group.insert(at, ids(at), &ids);
            sorted.push(at);
        }
        check(&group, &mut sorted);
        for k in 0..1_500u32 {
            let at = 3_001 + 2 * ((k * 7_919) % 1_500);
            group.insert(at, ids(at), &ids);
            sorted.push(at);
        }
        check(&group, &mut sorted);
        for at in (0..3_000).step_by(2).chain(3_000..3_900) {
            if let Some(k) = sorted.iter().position(|&p| p == at) {
                group.remove(ids(at), &ids);
                sorted.remove(k);
            }
        }
        check(&group, &mut sorted);
    }

    /// A deep page of several groups is found by rank: the ids read do not grow with the
    /// matches before the page (reading them one by one, as before, reads 100,000).
    #[test]
    fn a_deep_page_of_merged_groups_reads_a_bounded_number_of_ids() {
        let table: Vec<String> = (0..200_000).map(|n| format!("m-{n:08}")).collect();
        let reads = Cell::new(0usize);
        let ids = |at: u32| {
            reads.set(reads.get() + 1);
            table[at as usize].as_str()
        };
        // Three groups: every third image in each, so every page interleaves them; the
        // multiples of 6 also in a fourth group that is removed (counted twice otherwise).
        let mut groups: [Ordered; 3] = Default::default();
        let mut twice = Ordered::default();
        for at in 0..table.len() as u32 {
            groups[at as usize % 3].insert(at, ids(at), &ids);
            if at % 6 == 0 {
                twice.insert(at, ids(at), &ids);
                groups[1].insert(at, ids(at), &ids);
            }
        }
        let mut view = View::default();
        for group in &groups {
            view.add(group);
        }
        view.remove(&twice);
        assert_eq!(view.len(), table.len());
        for skip in [0, 1, 99_999, 100_000, 150_001, 199_990] {
            reads.set(0);
            let page: Vec<u32> = view.clone().iter_from(skip, ids).take(10).collect();
            let want: Vec<u32> = (skip as u32..)
                .take(10)
                .take_while(|&at| (at as usize) < table.len())
                .collect();
            assert_eq!(page, want, "from {skip}");
            assert!(
                reads.get() < 20_000,
                "{} ids read for the page from {skip}",
                reads.get()
            );
        }
        assert_eq!(view.iter_from(table.len(), ids).next(), None);
    }

    /// A run of images counted 0 times (the caller's own, in its `others` view) is passed over
    /// by rank, not read one by one.
    #[test]
    fn a_long_run_of_removed_images_is_passed_over_by_rank() {
        let table: Vec<String> = (0..100_000).map(|n| format!("m-{n:08}")).collect();
        let reads = Cell::new(0usize);
        let ids = |at: u32| {
            reads.set(reads.get() + 1);
            table[at as usize].as_str()
        };
        // All are published; all but the first and the last are the caller's own.
        let (mut community, mut own) = (Ordered::default(), Ordered::default());
        let last = table.len() as u32 - 1;
        for at in 0..=last {
            community.insert(at, ids(at), &ids);
            if at != 0 && at != last {
                own.insert(at, ids(at), &ids);
            }
        }
        let mut view = View::default();
        view.add(&community);
        view.remove(&own);
        reads.set(0);
        let page: Vec<u32> = view.iter_from(0, ids).collect();
        assert_eq!(page, vec![0, last]);
        assert!(reads.get() < 5_000, "{} ids read", reads.get());
    }
}
