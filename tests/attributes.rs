//! Image attributes (issue 12): what CreateImage, ImportImage, CopyImage and
//! ModifyImageAttribute set, the documented rules of each value with the documented answers, and
//! the times the store's clock stamps. Expected codes and messages are written out from the
//! documentation (docs/research/image-attributes.md).

use ecs_image_rules::{
    AccountId, ApiError, Architecture, BootMode, CopyImage, CreateImage, Description, DiskFormat,
    DiskType, Error, ExportImage, ImageAttributes, ImageFamily, ImageId, ImageName, ImageSpec,
    ImageStatus, ImageStore, ImageVersion, ImportDisk, ImportImage, LicenseType,
    ModifyImageAttribute, OsType, Platform, Profile, RegionId, Timestamp,
};

fn alice() -> AccountId {
    AccountId::new("alice").unwrap()
}
fn hz() -> RegionId {
    RegionId::new("cn-hangzhou").unwrap()
}
fn at(seconds: u64) -> Timestamp {
    Timestamp::from_unix_millis(seconds * 1000).unwrap()
}

fn assert_answer(error: &Error, status: u16, code: &str, message: &str) {
    assert_eq!(
        (error.http_status(), error.code(), error.message().as_ref()),
        (status, code, message)
    );
}

const NAME_MALFORMED: (u16, &str, &str) = (
    400,
    "InvalidImageName.Malformed",
    "The specified Image name is wrongly formed.",
);

#[test]
fn image_names_follow_the_documented_rule() {
    let long_ok = format!("a{}", "b".repeat(127));
    for good in [
        "ab",
        "web-server_1.0:blue",
        "镜像名称",
        "Z9",
        long_ok.as_str(),
    ] {
        assert_eq!(good.parse::<ImageName>().unwrap().as_str(), good);
    }
    let too_long = format!("a{}", "b".repeat(128));
    for bad in [
        "a",
        too_long.as_str(),
        "1st-image",
        "-image",
        "has space",
        "http://example",
        "https://example",
        "acs:image",
        "aliyun-image",
        "image/slash",
        "image!",
    ] {
        let refused = bad.parse::<ImageName>().unwrap_err();
        let (status, code, message) = NAME_MALFORMED;
        assert_answer(&refused, status, code, message);
    }
    let family = "ab c".parse::<ImageFamily>().unwrap_err();
    assert_answer(
        &family,
        400,
        "InvalidImageFamily.Malformed",
        "The specified parameter \"ImageFamily\" is malformed.",
    );
    assert!("hangzhou-daily-update".parse::<ImageFamily>().is_ok());
}

#[test]
fn descriptions_and_versions_follow_the_documented_rules() {
    assert!(
        "a description: any text, even / and spaces"
            .parse::<Description>()
            .is_ok()
    );
    assert!("中文".parse::<Description>().is_ok());
    for bad in [
        "a".to_owned(),
        "x".repeat(257),
        "http://example.com".to_owned(),
        "https://example.com".to_owned(),
    ] {
        assert_answer(
            &bad.parse::<Description>().unwrap_err(),
            400,
            "InvalidDescription.Malformed",
            "The specified description is wrongly formed.",
        );
    }
    assert!("x".repeat(256).parse::<Description>().is_ok());
    assert!("1.0.2".parse::<ImageVersion>().is_ok());
    assert_answer(
        &"v".repeat(41).parse::<ImageVersion>().unwrap_err(),
        400,
        "InvalidImageVersion.Malformed",
        "The specified ImageVersion is wrongly formed.",
    );
}

#[test]
fn enumerated_attributes_take_only_the_documented_values() {
    assert_eq!("linux".parse::<OsType>().unwrap(), OsType::Linux);
    assert_eq!(
        "arm64".parse::<Architecture>().unwrap(),
        Architecture::Arm64
    );
    assert_eq!(
        "UEFI-Preferred".parse::<BootMode>().unwrap(),
        BootMode::UefiPreferred
    );
    assert_eq!("BYOL".parse::<LicenseType>().unwrap(), LicenseType::Byol);
    assert_eq!("qcow2".parse::<DiskFormat>().unwrap(), DiskFormat::Qcow2);
    let cases: [(Error, u16, &str, &str); 5] = [
        (
            "Linux".parse::<OsType>().unwrap_err(),
            400,
            "InvalidOSType.Malformed",
            "The specified OSType is wrongly formed.",
        ),
        (
            "amd64".parse::<Architecture>().unwrap_err(),
            400,
            "InvalidArchitecture.Malformed",
            "The specified Architecture is wrongly formed.",
        ),
        (
            "bios".parse::<BootMode>().unwrap_err(),
            400,
            "InvalidBootMode.NotSupport",
            "The specified parameter BootMode is not supported.",
        ),
        (
            "Free".parse::<LicenseType>().unwrap_err(),
            400,
            "InvalidLicenseType.NotSupported",
            "The specified parameter LicenseType is not supported.",
        ),
        (
            "iso".parse::<DiskFormat>().unwrap_err(),
            400,
            "InvalidImageFormat.Malformed",
            "The specified Image Format is wrongly formed.",
        ),
    ];
    for (error, status, code, message) in cases {
        assert_answer(&error, status, code, message);
    }
}

#[test]
fn create_image_stamps_its_attributes_and_the_store_clock() {
    let mut store = ImageStore::new();
    store.advance_clock(at(1_764_000_000));
    let attributes = ImageAttributes {
        name: Some("web-1".parse().unwrap()),
        description: Some("the web tier".parse().unwrap()),
        family: Some("web".parse().unwrap()),
        version: Some("1".parse().unwrap()),
        architecture: Some(Architecture::X86_64),
        platform: Some("CentOS".parse::<Platform>().unwrap()),
        boot_mode: Some(BootMode::Bios),
        ..ImageAttributes::default()
    };
    let image = store
        .create_image(
            &alice(),
            CreateImage::new(hz()).with_attributes(attributes.clone()),
        )
        .unwrap();
    let made = store.image(image.as_str()).unwrap().attributes().clone();
    assert_eq!(made.creation_time, Some(at(1_764_000_000)));
    assert_eq!(
        ImageAttributes {
            creation_time: None,
            ..made
        },
        attributes
    );
}

#[test]
fn import_image_needs_a_disk_with_its_bucket_and_object() {
    let mut store = ImageStore::new();
    let before = store.clone();
    let refusals = [
        (
            ImportImage::new(hz()),
            403,
            "MissingParameter.DiskDeviceMapping",
            "The specified parameter DiskDeviceMapping is not supplied.",
        ),
        (
            ImportImage::new(hz()).add_disk(ImportDisk {
                oss_object: Some("image.qcow2".into()),
                ..ImportDisk::default()
            }),
            400,
            "MissingParameter",
            "An input parameter \"DiskDeviceMapping.1.OSSBucket\" that is mandatory for \
             processing the request is not supplied.",
        ),
        (
            ImportImage::new(hz()).add_disk(ImportDisk {
                oss_bucket: Some("bucket".into()),
                ..ImportDisk::default()
            }),
            400,
            "MissingParameter",
            "An input parameter \"DiskDeviceMapping.1.OSSObject\" that is mandatory for \
             processing the request is not supplied.",
        ),
    ];
    for (request, status, code, message) in refusals {
        let refused = store.import_image(&alice(), request).unwrap_err();
        assert_answer(&refused, status, code, message);
        assert_eq!(store, before, "a refused import changes nothing");
    }
}

#[test]
fn import_image_records_its_disks_and_system_disk_size() {
    let mut store = ImageStore::new();
    store.advance_clock(at(100));
    let request = ImportImage::new(hz())
        .add_disk(ImportDisk {
            format: Some(DiskFormat::Qcow2),
            size_gib: Some(40),
            device: Some("/dev/xvda".into()),
            ..ImportDisk::from_oss("bucket", "system.qcow2")
        })
        .add_disk(ImportDisk {
            size_gib: Some(100),
            ..ImportDisk::from_oss("bucket", "data.raw")
        })
        .with_attributes(ImageAttributes {
            os_type: Some(OsType::Linux),
            license_type: Some(LicenseType::Byol),
            ..ImageAttributes::default()
        });
    let made = store.import_image(&alice(), request).unwrap();
    let attributes = store.image(made.image.as_str()).unwrap().attributes();
    assert_eq!(attributes.size_gib, Some(40));
    assert_eq!(attributes.os_type, Some(OsType::Linux));
    assert_eq!(attributes.creation_time, Some(at(100)));
    let disks: Vec<_> = attributes
        .disks
        .iter()
        .map(|d| {
            (
                d.disk_type,
                d.size_gib,
                d.oss_object.as_deref(),
                d.oss_bucket.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        disks,
        [
            (
                Some(DiskType::System),
                Some(40),
                Some("system.qcow2"),
                Some("bucket")
            ),
            (
                Some(DiskType::Data),
                Some(100),
                Some("data.raw"),
                Some("bucket")
            ),
        ]
    );
    assert_eq!(
        store.task(made.task.as_str()).unwrap().created,
        Some(at(100))
    );
    store.advance_clock(at(160));
    store.complete_task(&made.task).unwrap();
    let ended = store.ended_task(made.task.as_str()).unwrap();
    assert_eq!(
        (ended.created, ended.finished),
        (Some(at(100)), Some(at(160)))
    );
}

#[test]
fn export_image_needs_its_bucket() {
    let mut store = ImageStore::new();
    store
        .put(ImageSpec::custom("m-own", "alice", "cn-hangzhou"))
        .unwrap();
    let before = store.clone();
    let image = ImageId::new("m-own").unwrap();
    let refused = store
        .export_image(&alice(), ExportImage::new(hz(), image.clone()))
        .unwrap_err();
    assert_answer(
        &refused,
        400,
        "MissingParameter",
        "An input parameter \"OSSBucket\" that is mandatory for processing the request is not \
         supplied.",
    );
    assert_eq!(store, before);
    store
        .export_image(&alice(), ExportImage::new(hz(), image).with_oss_bucket("b"))
        .unwrap();
}

#[test]
fn modify_image_attribute_changes_what_it_names_and_keeps_the_rest() {
    let mut store = ImageStore::new();
    store
        .put(
            ImageSpec::custom("m-own", "alice", "cn-hangzhou").with_attributes(ImageAttributes {
                name: Some("before".parse().unwrap()),
                description: Some("kept as it is".parse().unwrap()),
                os_type: Some(OsType::Windows),
                ..ImageAttributes::default()
            }),
        )
        .unwrap();
    let image = ImageId::new("m-own").unwrap();
    let rename =
        ModifyImageAttribute::new(hz(), image.clone()).with_image_name("after".parse().unwrap());
    let before = store.clone();
    assert_eq!(
        store
            .modify_image_attribute(
                &alice(),
                rename.clone().with_dry_run(true),
                &Profile::default()
            )
            .unwrap_err(),
        Error::DryRunOperation
    );
    assert_eq!(store, before);
    store
        .modify_image_attribute(&alice(), rename, &Profile::default())
        .unwrap();
    let attributes = store.image("m-own").unwrap().attributes();
    assert_eq!(attributes.name.as_ref().unwrap().as_str(), "after");
    assert_eq!(
        attributes.description.as_ref().unwrap().as_str(),
        "kept as it is"
    );
    assert_eq!(attributes.os_type, Some(OsType::Windows));
    assert_eq!(store.image("m-own").unwrap().status, ImageStatus::Available);
}

#[test]
fn a_creating_image_cannot_be_renamed_yet() {
    let mut store = ImageStore::new();
    let image = store
        .create_image(&alice(), CreateImage::new(hz()))
        .unwrap();
    let before = store.clone();
    let refused = store
        .modify_image_attribute(
            &alice(),
            ModifyImageAttribute::new(hz(), image.clone())
                .with_description("too early".parse().unwrap()),
            &Profile::default(),
        )
        .unwrap_err();
    assert_answer(
        &refused,
        403,
        "InvalidStatus.ImageIsCreating",
        "The operation cannot be performed because the image is creating. Please wait until \
         the creation is complete and try again.",
    );
    assert_eq!(store, before);
}

#[test]
fn a_copy_keeps_the_source_attributes_under_its_new_name() {
    let mut store = ImageStore::new();
    store
        .put(
            ImageSpec::custom("m-src", "alice", "cn-hangzhou").with_attributes(ImageAttributes {
                name: Some("source".parse().unwrap()),
                description: Some("the source".parse().unwrap()),
                architecture: Some(Architecture::Arm64),
                size_gib: Some(20),
                ..ImageAttributes::default()
            }),
        )
        .unwrap();
    store.advance_clock(at(500));
    let copy = store
        .copy_image(
            &alice(),
            CopyImage::new(
                hz(),
                ImageId::new("m-src").unwrap(),
                RegionId::new("cn-beijing").unwrap(),
            )
            .with_destination_image_name("copied".parse().unwrap()),
        )
        .unwrap();
    let attributes = store.image(copy.image.as_str()).unwrap().attributes();
    assert_eq!(attributes.name.as_ref().unwrap().as_str(), "copied");
    assert_eq!(
        attributes.description.as_ref().unwrap().as_str(),
        "the source"
    );
    assert_eq!(attributes.architecture, Some(Architecture::Arm64));
    assert_eq!(attributes.size_gib, Some(20));
    assert_eq!(attributes.creation_time, Some(at(500)));
}

/// A source for the copy tests: alice's Available image `m-src`, encrypted or not.
fn store_with_source(encrypted: bool) -> ImageStore {
    let mut store = ImageStore::new();
    store
        .put(
            ImageSpec::custom("m-src", "alice", "cn-hangzhou").with_attributes(ImageAttributes {
                name: Some("source".parse().unwrap()),
                encrypted,
                kms_key_id: encrypted.then(|| "source-key".parse().unwrap()),
                resource_group_id: Some("rg-source".parse().unwrap()),
                ..ImageAttributes::default()
            }),
        )
        .unwrap();
    store
}

fn copy_of_source(store: &mut ImageStore, request: CopyImage) -> ImageAttributes {
    let copy = store.copy_image(&alice(), request).unwrap();
    store
        .image(copy.image.as_str())
        .unwrap()
        .attributes()
        .clone()
}

fn copy_request() -> CopyImage {
    CopyImage::new(
        hz(),
        ImageId::new("m-src").unwrap(),
        RegionId::new("cn-beijing").unwrap(),
    )
}

/// `Encrypted=false` (Terraform always sends it) copies a plain image as it is; `true`
/// encrypts the copy, with the named key or the service key [D: the image encryption page].
#[test]
fn encrypted_true_encrypts_the_copy_and_false_leaves_it_plain() {
    let mut store = store_with_source(false);
    let plain = copy_of_source(&mut store, copy_request().with_encrypted(false));
    assert!(!plain.encrypted);
    assert_eq!(plain.kms_key_id, None);

    let with_service_key = copy_of_source(&mut store, copy_request().with_encrypted(true));
    assert!(with_service_key.encrypted);
    assert_eq!(with_service_key.kms_key_id, None);

    let with_key = copy_of_source(
        &mut store,
        copy_request()
            .with_encrypted(true)
            .with_kms_key_id("key-1".parse().unwrap()),
    );
    assert!(with_key.encrypted);
    assert_eq!(with_key.kms_key_id.unwrap().as_str(), "key-1");
}

/// Encryption cannot be undone [D]: a copy of an encrypted image is encrypted, with the
/// source's key unless the call names another (a key rotation).
#[test]
fn a_copy_of_an_encrypted_image_stays_encrypted() {
    let mut store = store_with_source(true);
    let kept = copy_of_source(&mut store, copy_request().with_encrypted(false));
    assert!(kept.encrypted);
    assert_eq!(kept.kms_key_id.unwrap().as_str(), "source-key");

    let rotated = copy_of_source(
        &mut store,
        copy_request()
            .with_encrypted(true)
            .with_kms_key_id("new-key".parse().unwrap()),
    );
    assert!(rotated.encrypted);
    assert_eq!(rotated.kms_key_id.unwrap().as_str(), "new-key");
}

/// A key without `Encrypted=true` is refused [I], and changes nothing.
#[test]
fn a_kms_key_without_encrypted_true_is_refused() {
    for encrypted in [None, Some(false)] {
        let mut store = store_with_source(false);
        let before = store.clone();
        let mut request = copy_request().with_kms_key_id("key-1".parse().unwrap());
        request.encrypted = encrypted;
        let refused = store.copy_image(&alice(), request).unwrap_err();
        assert_answer(
            &refused,
            400,
            "InvalidParameter",
            "The specified parameter \"KMSKeyId\" is not valid.",
        );
        assert_eq!(store, before);
    }
}

/// The copy joins the resource group the call names, else the default group (none): it does
/// not inherit the source's [D].
#[test]
fn a_copy_joins_the_named_resource_group_or_the_default_one() {
    let mut store = store_with_source(false);
    let named = copy_of_source(
        &mut store,
        copy_request().with_resource_group_id("rg-copies".parse().unwrap()),
    );
    assert_eq!(named.resource_group_id.unwrap().as_str(), "rg-copies");
    let default = copy_of_source(&mut store, copy_request());
    assert_eq!(default.resource_group_id, None);
}

/// KMS key and resource group ids are 1 to 128 printable ASCII characters [I].
#[test]
fn foreign_ids_must_be_printable_ascii() {
    use ecs_image_rules::{KmsKeyId, ResourceGroupId};
    assert!("rg-acfm2abc".parse::<ResourceGroupId>().is_ok());
    for bad in ["", "rg 1", "rg-\u{4E00}"] {
        assert_answer(
            &bad.parse::<ResourceGroupId>().unwrap_err(),
            400,
            "InvalidParameter",
            "The specified parameter \"ResourceGroupId\" is not valid.",
        );
    }
    assert!("alias/my-key".parse::<KmsKeyId>().is_ok());
    assert!("k".repeat(129).parse::<KmsKeyId>().is_err());
}
