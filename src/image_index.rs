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
//! images are left out of `Community`, and counted without a scan
//! ([`ImageGroups::own_community`] counts those).
//!
//! A group is a list of blocks of at most [`BLOCK`] positions: an insert or a removal moves at
//! most a block's worth of positions (and, on a split or an emptied block, the block pointers),
//! and a page is found by skipping whole blocks. Positions are 4 bytes, where an id would be 24:
//! about 5.5 bytes per image with the blocks' spare room, so the indexes fit the memory budget.
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

/// Table positions in the order of the ids they hold; `id(at)` reads an id from the table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ordered {
    blocks: Vec<Vec<u32>>,
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

    fn insert<'t>(&mut self, at: u32, id: &str, ids: &impl Fn(u32) -> &'t str) {
        let b = self
            .block_for(id, ids)
            .min(self.blocks.len().saturating_sub(1));
        if self.blocks.is_empty() {
            self.blocks.push(Vec::new());
        }
        let block = &mut self.blocks[b];
        let i = block.partition_point(|&p| ids(p) < id);
        block.insert(i, at);
        if block.len() > BLOCK {
            let tail = block.split_off(BLOCK / 2);
            self.blocks.insert(b + 1, tail);
        }
        self.len += 1;
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
        if self.blocks[b].is_empty() {
            self.blocks.remove(b);
        }
        self.len -= 1;
    }

    fn moved<'t>(&mut self, id: &str, to: u32, ids: &impl Fn(u32) -> &'t str) {
        if let Some((b, i)) = self.find(id, ids) {
            self.blocks[b][i] = to;
        }
    }

    /// The positions from the `skip`-th on, in id order; whole blocks are skipped at once.
    pub(crate) fn iter_from(&self, mut skip: usize) -> impl Iterator<Item = u32> + '_ {
        let mut b = 0;
        while b < self.blocks.len() && skip >= self.blocks[b].len() {
            skip -= self.blocks[b].len();
            b += 1;
        }
        let first = self.blocks.get(b).map_or(&[][..], |block| &block[skip..]);
        let rest = self.blocks.get(b + 1..).unwrap_or_default();
        first.iter().chain(rest.iter().flatten()).copied()
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
    /// How many of `Community`'s images each owner has, under the key of the `Owner` group.
    own_community: HashMap<GroupKey, usize>,
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
            *self.own_community.entry(key).or_default() += 1;
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
            && let Some(n) = self.own_community.get_mut(&key)
        {
            *n -= 1;
            if *n == 0 {
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

    /// How many community images of the owner a key names are in that region and status.
    pub(crate) fn own_community(&self, owner_key: &GroupKey) -> usize {
        self.own_community.get(owner_key).copied().unwrap_or(0)
    }
}
