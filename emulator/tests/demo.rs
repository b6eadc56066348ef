//! The demo world's public catalog: system and marketplace images a test can pick from, beside
//! the blocker images the client suites rely on.

mod common;

use common::{ALICE_KEY, Server, call};

async fn listed(server: &Server, alias: &str) -> Vec<String> {
    let body = call(
        server,
        ALICE_KEY,
        "DescribeImages",
        &[
            ("RegionId", "cn-hangzhou"),
            ("ImageOwnerAlias", alias),
            ("PageSize", "100"),
        ],
    )
    .await
    .assert_ok();
    let mut ids: Vec<String> = body["Images"]["Image"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ImageId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn system_images_span_distributions_architectures_and_windows() {
    let server = Server::demo().await;
    let system = listed(&server, "system").await;
    assert_eq!(
        system,
        [
            "aliyun_3_x64_20G_alibase_20240819.vhd",
            "anolisos_8_9_x64_20G_rhck_alibase_20240724.vhd",
            "centos_7_9_x64_20G_alibase_20240628.vhd",
            "debian_12_6_x64_20G_alibase_20240823.vhd",
            "rockylinux_9_4_x64_20G_alibase_20240709.vhd",
            "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
            "ubuntu_24_04_arm64_20G_alibase_20240926.vhd",
            "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd",
        ]
    );
}

#[tokio::test]
async fn marketplace_images_are_listed_apart_from_system_ones() {
    let server = Server::demo().await;
    assert_eq!(
        listed(&server, "marketplace").await,
        ["m-bp16ecdw4w7ytwh2mgb1", "m-bp1dkvt9y5yxrrg5ld7e"]
    );
    let own = listed(&server, "self").await;
    assert!(own.iter().all(|id| id.starts_with("m-demo-")), "{own:?}");
}

#[tokio::test]
async fn the_catalog_answers_os_and_architecture_filters_with_what_it_shows() {
    let server = Server::demo().await;
    let images = |filters: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let mut params = vec![
                ("RegionId", "cn-hangzhou"),
                ("ImageOwnerAlias", "system"),
                ("PageSize", "100"),
            ];
            params.extend_from_slice(filters);
            let body = call(server, ALICE_KEY, "DescribeImages", &params)
                .await
                .assert_ok();
            body["Images"]["Image"].as_array().unwrap().clone()
        }
    };
    let windows = images(&[("OSType", "windows")]).await;
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert_eq!(
        windows[0]["ImageId"],
        "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd"
    );
    assert_eq!(windows[0]["OSType"], "windows");
    assert_eq!(windows[0]["Platform"], "Windows Server 2022");
    assert_eq!(windows[0]["Size"], 40);

    let linux = images(&[("OSType", "linux")]).await;
    assert_eq!(linux.len(), 7, "{linux:?}");
    assert!(linux.iter().all(|i| i["OSType"] == "linux"), "{linux:?}");

    let arm = images(&[("Architecture", "arm64")]).await;
    assert_eq!(arm.len(), 1, "{arm:?}");
    assert_eq!(
        arm[0]["ImageName"],
        "ubuntu_24_04_arm64_20G_alibase_20240926.vhd"
    );
    assert_eq!(arm[0]["OSNameEn"], "Ubuntu 24.04 ARM 64 bit");
}
