//! The built-in demo world: two accounts with access keys, an image in each blocker state,
//! and instances, so that every DeleteImage answer can be tried at once; and a catalog of
//! public images (system and marketplace) with the ids the real catalog uses, so that
//! `DescribeImages(ImageOwnerAlias=system)` answers something a test can pick from.
//!
//! Everything lives in `cn-hangzhou` except the copy in progress, which goes to `cn-shanghai`.
//!
//! Each catalog image says what it is as DescribeImages shows it (name, OS type, platform, OS
//! name, architecture, system disk size, boot mode), so that
//! `DescribeImages(ImageOwnerAlias=system, OSType=linux)` answers something a test can pick.
//! The values are our own, written in the real catalog's form \[I\]. One gap: the Alibaba Cloud
//! Linux image has no `ImageName`, because the library's `ImageName` holds only names a caller
//! may write, and a caller may not start one with `aliyun` \[D\]; the real image's name is its id.

use ecs_image_rules::{
    AccessKey, Account, AccountId, Architecture, BootMode, ImageAttributes, ImageSpec, ImageStatus,
    ImageStore, OsType, Platform, World,
};

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

/// A catalog image: its id, then what DescribeImages shows of it.
struct Catalogued {
    id: &'static str,
    /// `ImageName`; `None` where a caller's name rule cannot hold the real one (see above).
    name: Option<&'static str>,
    os_type: OsType,
    platform: &'static str,
    os_name: &'static str,
    architecture: Architecture,
    size_gib: u32,
}

const fn image(
    id: &'static str,
    os_type: OsType,
    platform: &'static str,
    os_name: &'static str,
    architecture: Architecture,
    size_gib: u32,
) -> Catalogued {
    Catalogued {
        id,
        name: Some(id),
        os_type,
        platform,
        os_name,
        architecture,
        size_gib,
    }
}

use Architecture::{Arm64, X86_64};
use OsType::{Linux, Windows};

/// The public images of the demo catalog, in `cn-hangzhou`: ids (and names) as the real
/// catalog writes them (distribution, version, architecture, system disk size, build date),
/// Linux on x86-64 and ARM64, and Windows Server.
const SYSTEM_CATALOG: &[Catalogued] = &[
    Catalogued {
        name: None,
        ..image(
            "aliyun_3_x64_20G_alibase_20240819.vhd",
            Linux,
            "Aliyun",
            "Alibaba Cloud Linux 3.2104 LTS 64 bit",
            X86_64,
            20,
        )
    },
    image(
        "anolisos_8_9_x64_20G_rhck_alibase_20240724.vhd",
        Linux,
        "Anolis",
        "Anolis OS 8.9 RHCK 64 bit",
        X86_64,
        20,
    ),
    image(
        "centos_7_9_x64_20G_alibase_20240628.vhd",
        Linux,
        "CentOS",
        "CentOS 7.9 64 bit",
        X86_64,
        20,
    ),
    image(
        "debian_12_6_x64_20G_alibase_20240823.vhd",
        Linux,
        "Debian",
        "Debian 12.6 64 bit",
        X86_64,
        20,
    ),
    image(
        "rockylinux_9_4_x64_20G_alibase_20240709.vhd",
        Linux,
        "Rocky Linux",
        "Rocky Linux 9.4 64 bit",
        X86_64,
        20,
    ),
    image(
        "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
        Linux,
        "Ubuntu",
        "Ubuntu 22.04 64 bit",
        X86_64,
        20,
    ),
    image(
        "ubuntu_24_04_arm64_20G_alibase_20240926.vhd",
        Linux,
        "Ubuntu",
        "Ubuntu 24.04 ARM 64 bit",
        Arm64,
        20,
    ),
    image(
        "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd",
        Windows,
        "Windows Server 2022",
        "Windows Server 2022 Datacenter 64 bit English",
        X86_64,
        40,
    ),
];

/// The marketplace images of the demo catalog, in `cn-hangzhou`: marketplace images have
/// ordinary `m-` ids (`bp1` is the Hangzhou prefix of generated ids) and names of their own.
const MARKETPLACE_CATALOG: &[Catalogued] = &[
    Catalogued {
        name: Some("WordPress-6.6-Ubuntu-22.04"),
        ..image(
            "m-bp1dkvt9y5yxrrg5ld7e",
            Linux,
            "Ubuntu",
            "Ubuntu 22.04 64 bit",
            X86_64,
            40,
        )
    },
    Catalogued {
        name: Some("Docker-CE-26-Alibaba-Cloud-Linux-3"),
        ..image(
            "m-bp16ecdw4w7ytwh2mgb1",
            Linux,
            "Aliyun",
            "Alibaba Cloud Linux 3.2104 LTS 64 bit",
            X86_64,
            40,
        )
    },
];

impl Catalogued {
    fn attributes(&self) -> ImageAttributes {
        ImageAttributes {
            name: self
                .name
                .map(|n| n.parse().expect("the demo catalog's names are well formed")),
            os_type: Some(self.os_type),
            platform: Some(
                self.platform
                    .parse::<Platform>()
                    .expect("the demo catalog's platforms are well formed"),
            ),
            os_name: Some(self.os_name.to_owned()),
            architecture: Some(self.architecture),
            boot_mode: Some(BootMode::Bios),
            size_gib: Some(self.size_gib),
            ..ImageAttributes::EMPTY
        }
    }
}

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
        SYSTEM_CATALOG
            .iter()
            .map(|c| ImageSpec::system(c.id, REGION).with_attributes(c.attributes()))
            .chain(
                MARKETPLACE_CATALOG
                    .iter()
                    .map(|c| ImageSpec::marketplace(c.id, REGION).with_attributes(c.attributes())),
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
