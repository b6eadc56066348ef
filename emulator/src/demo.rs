//! The built-in demo world: two accounts with access keys, an image in each blocker state,
//! and instances, so that every DeleteImage answer can be tried at once.
//!
//! Everything lives in `cn-hangzhou` except the copy in progress, which goes to `cn-shanghai`.

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
        ImageSpec::system("aliyun_3_x64_20G_alibase_20240819.vhd", REGION),
    ];
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
