//! The built-in demo world: two accounts with access keys, an image in each blocker state,
//! and instances, so that every DeleteImage answer can be tried at once; and a catalog of
//! public images (system and marketplace) with the ids the real catalog uses, so that
//! `DescribeImages(ImageOwnerAlias=system)` answers something a test can pick from.
//!
//! Everything lives in `cn-hangzhou` except the copy in progress, which goes to `cn-shanghai`.
//!
//! The catalog's names, OS types, architectures and platforms live only in its ids for now:
//! the library's image model has no such attributes yet (they wait for it), so DescribeImages
//! answers them and filters on them only once it does.

use ecs_image_rules::{AccessKey, Account, AccountId, ImageSpec, ImageStatus, ImageStore, World};

/// Alice: owns the demo images.
pub const ALICE: &str = "alice";
/// Alice's access key id.
pub const ALICE_KEY_ID: &str = "LTAI5tDemoAlice000000001";
/// Alice's access key secret.
pub const ALICE_SECRET: &str = "DemoAliceSecret0000000000000001";
/// Bob: an image of Alice's is shared with him; he owns one private image.
pub const BOB: &str = "bob";
/// Bob's access key id.
pub const BOB_KEY_ID: &str = "LTAI5tDemoBob00000000001";
/// Bob's access key secret.
pub const BOB_SECRET: &str = "DemoBobSecret000000000000000001";
/// The demo region.
pub const REGION: &str = "cn-hangzhou";

/// The public images of the demo catalog, in `cn-hangzhou`: ids as the real catalog writes them
/// (distribution, version, architecture, system disk size, build date), Linux on x86-64 and
/// ARM64, and Windows Server.
pub const SYSTEM_IMAGES: &[&str] = &[
    "aliyun_3_x64_20G_alibase_20240819.vhd",
    "anolisos_8_9_x64_20G_rhck_alibase_20240724.vhd",
    "centos_7_9_x64_20G_alibase_20240628.vhd",
    "debian_12_6_x64_20G_alibase_20240823.vhd",
    "rockylinux_9_4_x64_20G_alibase_20240709.vhd",
    "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
    "ubuntu_24_04_arm64_20G_alibase_20240926.vhd",
    "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd",
];

/// The marketplace images of the demo catalog, in `cn-hangzhou`: marketplace images have
/// ordinary `m-` ids (`bp1` is the Hangzhou prefix of generated ids).
pub const MARKETPLACE_IMAGES: &[&str] = &["m-bp1dkvt9y5yxrrg5ld7e", "m-bp16ecdw4w7ytwh2mgb1"];

/// The demo world.
pub fn world() -> World {
    let mut store = ImageStore::new();
    let specs = [
        ImageSpec::custom("m-demo-free", ALICE, REGION).add_snapshot("s-demo-free"),
        ImageSpec::custom("m-demo-deprecated", ALICE, REGION).with_status(ImageStatus::Deprecated),
        ImageSpec::custom("m-demo-importing", ALICE, REGION).importing(),
        ImageSpec::custom("m-demo-exporting", ALICE, REGION).exporting(),
        ImageSpec::custom("m-demo-copying", ALICE, REGION).copying_to("cn-shanghai"),
        ImageSpec::custom("m-demo-public", ALICE, REGION).community(),
        ImageSpec::custom("m-demo-shared", ALICE, REGION).add_share(BOB),
        ImageSpec::custom("m-demo-in-use", ALICE, REGION).used_by(1),
        ImageSpec::custom("m-demo-bob", BOB, REGION),
    ];
    let specs = specs.into_iter().chain(
        SYSTEM_IMAGES
            .iter()
            .map(|id| ImageSpec::system(id, REGION))
            .chain(
                MARKETPLACE_IMAGES
                    .iter()
                    .map(|id| ImageSpec::marketplace(id, REGION)),
            ),
    );
    for spec in specs {
        store
            .put(spec)
            .expect("the demo images are well formed and consistent");
    }
    let account = |id: &str, key: &str, secret: &str| Account {
        access_keys: vec![AccessKey {
            id: key.to_owned(),
            secret: Some(secret.to_owned()),
        }],
        ..Account::new(AccountId::new(id).expect("demo account ids are well formed"))
    };
    World {
        accounts: vec![
            account(ALICE, ALICE_KEY_ID, ALICE_SECRET),
            account(BOB, BOB_KEY_ID, BOB_SECRET),
        ],
        store,
    }
}
