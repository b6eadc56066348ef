//! Bytes per image: an [`ImageStore`] of 1M images, indexes included, measured with a counting
//! global allocator.
//!
//! ```sh
//! cargo run --release --example memory            # 1,000,000 images
//! MEMORY_IMAGES=100000 cargo run --release --example memory
//! ```
//!
//! The images are what a simulator holds most of: private, available custom images with
//! 22-character ids (`m-` and 20 lowercase alphanumerics, the shape of real ids), owned by 1,000
//! accounts (16-digit ids, like real Alibaba Cloud account ids) in one region, without tasks,
//! instances, shares or snapshots. The owner and region ids are cloned from one value each, as a
//! simulator that keeps its accounts does; the image ids are distinct. The figure is the heap the
//! store holds (live bytes after building it, less live bytes before) plus the store's own
//! `size_of`, divided by the number of images; allocator overhead and fragmentation are not
//! counted, so RSS is higher. `MEMORY_LOADED=1` measures the store after a JSON round trip
//! instead, as `--world` loads it: there each image's owner and region ids are allocations of
//! their own.

// Counting needs a `GlobalAlloc`, which is an unsafe trait; every call forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ecs_image_rules::{AccountId, Image, ImageId, ImageStore, RegionId};

/// The issue's target, in bytes per image.
const TARGET: f64 = 160.0;

/// The system allocator, counting the bytes it holds and the most it ever held.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, which satisfies `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds `realloc`'s rules.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Image id number `n`: `m-` and 20 characters of `[0-9a-z]`, distinct for distinct `n` (a
/// bijective mix of `n`, written in base 36 over 13 characters, after 7 decorative ones).
fn image_id(n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let mut id = String::with_capacity(22);
    id.push_str("m-");
    for (mut word, len) in [(mix(!n), 7), (mix(n), 13)] {
        let mut digits = [0u8; 13];
        for d in digits[..len].iter_mut().rev() {
            *d = DIGITS[(word % 36) as usize];
            word /= 36;
        }
        id.push_str(std::str::from_utf8(&digits[..len]).expect("ASCII digits"));
    }
    id
}

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn main() {
    let images: u64 = std::env::var("MEMORY_IMAGES")
        .ok()
        .map(|s| s.trim().parse().expect("MEMORY_IMAGES: a number"))
        .unwrap_or(1_000_000);
    assert_eq!(image_id(0).len(), 22, "ids are 22 characters");

    let before = live();
    let region = RegionId::new("cn-hangzhou").expect("a valid region id");
    let owners: Vec<AccountId> = (0..1000u64)
        .map(|n| AccountId::new(&format!("{:016}", 1_000_000_000_000_000 + n)).expect("valid"))
        .collect();
    let mut store = ImageStore::new();
    for n in 0..images {
        let id = ImageId::new(&image_id(n)).expect("a valid image id");
        let owner = owners[(n % 1000) as usize].clone();
        store
            .insert_image(Image::custom(id, owner, region.clone()))
            .expect("distinct ids in a known region");
    }
    drop(owners);
    drop(region);
    if std::env::var_os("MEMORY_LOADED").is_some() {
        // As the emulator's `--world` builds it: every id parsed from JSON into its own
        // allocation, owners and regions included.
        let json = serde_json::to_vec(&store).expect("a store serializes");
        drop(store);
        store = serde_json::from_slice(&json).expect("a store deserializes");
        drop(json);
    }
    assert_eq!(store.image_count() as u64, images);
    let held = live() - before + std::mem::size_of::<ImageStore>();
    let peak = PEAK.load(Ordering::Relaxed) - before;

    let per_image = held as f64 / images as f64;
    println!("images:                  {images}");
    println!("heap held by the store:  {held} bytes");
    println!("peak while building:     {peak} bytes");
    println!("bytes per image:         {per_image:.1}");
    println!(
        "size_of::<Image>():      {} bytes",
        std::mem::size_of::<Image>()
    );
    println!(
        "target:                  at most {TARGET} bytes per image: {}",
        if per_image <= TARGET {
            format!("met ({:.2}x the target)", per_image / TARGET)
        } else {
            format!(
                "missed by {:.1} bytes ({:.2}x the target)",
                per_image - TARGET,
                per_image / TARGET
            )
        }
    );
    // Keep the store alive until after the measurement is printed.
    drop(store);

    // Where the bytes go: the same images held as plain data, measured the same way. Each line
    // is heap plus inline size, per image.
    println!("components (bytes per image, measured the same way):");
    let ids: Vec<ImageId> = (0..images)
        .map(|n| ImageId::new(&image_id(n)).expect("a valid image id"))
        .collect();
    let region = RegionId::new("cn-hangzhou").expect("a valid region id");
    let owner = AccountId::new("1000000000000000").expect("a valid account id");
    let component = |name: &str, build: &dyn Fn() -> Box<dyn std::any::Any>| {
        let before = live();
        let built = build();
        println!(
            "  {name:<50} {:>6.1}",
            (live() - before) as f64 / images as f64
        );
        drop(built);
    };
    component("Vec<ImageId> (24-byte slots, ids inline)", &|| {
        Box::new(
            (0..images)
                .map(|n| ImageId::new(&image_id(n)).expect("a valid image id"))
                .collect::<Vec<_>>(),
        )
    });
    component("Vec<Image> (1 image per slot, ids shared)", &|| {
        let mut v = Vec::new();
        for id in &ids {
            v.push(Image::custom(id.clone(), owner.clone(), region.clone()));
        }
        Box::new(v)
    });
    component("HashMap<ImageId, usize> (an index, ids shared)", &|| {
        let mut m = std::collections::HashMap::new();
        for (at, id) in ids.iter().enumerate() {
            m.insert(id.clone(), at);
        }
        Box::new(m)
    });
    component("HashMap<ImageId, Image> (ids shared)", &|| {
        let mut m = std::collections::HashMap::new();
        for id in &ids {
            m.insert(
                id.clone(),
                Image::custom(id.clone(), owner.clone(), region.clone()),
            );
        }
        Box::new(m)
    });
}
