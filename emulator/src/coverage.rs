//! The implementation coverage report, docs/coverage.md: for every ECS action the pinned SDK
//! declares, whether the emulator answers it; for those it answers, which declared parameters
//! are modelled, which are refused as not modelled, and which errors it can answer.
//!
//! Generated from the router's table, the declared table and the library's one mapping of
//! errors to the wire, so it says what the code does; `tests/coverage.rs` fails when the
//! checked-in file differs from [`report`], and names the command that refreshes it.

use std::fmt::Write;

use ecs_image_rules::{
    ApiError, Blocker, Catalog, Denial, Error, NotFound, Parameter, SnapshotBlocker, TagRefusal,
};

use crate::actions;
use crate::call::ActionSpec;
use crate::declared;
use crate::error::GatewayError;

/// The library's refusals each emulated action can answer, in the order its checks run.
static ERRORS: &[(&str, &[Error])] = {
    use Error::{Denied, DryRunOperation as DryRun, InvalidParameter as Invalid};
    use Error::{MissingParameter as Missing, NotFound as Gone};
    use Parameter as P;
    use ecs_image_rules::{Malformed as Bad, Missing as Absent};
    &[
        (
            "DeleteImage",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::Force),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Error::Blocked {
                    blocker: Blocker::Importing,
                    catalog: Catalog::Doc2024_10,
                },
                Error::Blocked {
                    blocker: Blocker::Exporting,
                    catalog: Catalog::Doc2024_10,
                },
                Error::Blocked {
                    blocker: Blocker::Copying,
                    catalog: Catalog::Doc2024_10,
                },
                Error::Blocked {
                    blocker: Blocker::Public,
                    catalog: Catalog::Doc2024_10,
                },
                Error::Blocked {
                    blocker: Blocker::Shared,
                    catalog: Catalog::Doc2024_10,
                },
                Error::Blocked {
                    blocker: Blocker::InUse,
                    catalog: Catalog::Doc2024_10,
                },
                DryRun,
            ],
        ),
        (
            "DescribeImages",
            &[
                Missing(P::RegionId),
                Missing(P::Status),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::Status),
                Invalid(P::Usable),
                Invalid(P::ImageOwnerId),
                Invalid(P::FilterKey),
                Invalid(P::FilterValue),
                Invalid(P::IsPublic),
                Invalid(P::ShowExpired),
                Invalid(P::ActionType),
                Invalid(P::DryRun),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Error::BadFilter(ecs_image_rules::BadFilter::ImageOwnerAlias),
                Error::BadFilter(ecs_image_rules::BadFilter::PublicNotOthers),
                Error::BadFilter(ecs_image_rules::BadFilter::OsType),
                Error::BadFilter(ecs_image_rules::BadFilter::Architecture),
                Error::BadFilter(ecs_image_rules::BadFilter::Usage),
                Gone(NotFound::Region),
                DryRun,
            ],
        ),
        (
            "DescribeImageSharePermission",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
            ],
        ),
        (
            "DescribeInstances",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Invalid(P::InstanceIds),
                Invalid(P::Status),
                Gone(NotFound::Region),
            ],
        ),
        (
            "DescribeInstanceStatus",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::InstanceId),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Gone(NotFound::Region),
            ],
        ),
        (
            "DescribeTasks",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::TaskIds),
                Invalid(P::StartTime),
                Invalid(P::EndTime),
                Invalid(P::ResourceIds),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Gone(NotFound::Region),
            ],
        ),
        (
            "DescribeTaskAttribute",
            &[
                Missing(P::RegionId),
                Missing(P::TaskId),
                Invalid(P::RegionId),
                Invalid(P::TaskId),
                Gone(NotFound::Region),
                Gone(NotFound::Task),
            ],
        ),
        (
            "CreateImage",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::SnapshotId),
                Invalid(P::DryRun),
                Invalid(P::DiskSize),
                Error::Malformed(Bad::ImageName),
                Error::Malformed(Bad::Description),
                Error::Malformed(Bad::ImageFamily),
                Error::Malformed(Bad::ImageVersion),
                Error::Malformed(Bad::Architecture),
                Error::Malformed(Bad::Platform),
                Error::Malformed(Bad::BootMode),
                Error::Malformed(Bad::DetectionStrategy),
                Error::Malformed(Bad::DiskType),
                Error::Malformed(Bad::ResourceGroupId),
                Invalid(P::InstanceId),
                Error::Malformed(Bad::ClientToken),
                Denied(Denial::IdempotentParameterMismatch),
                Gone(NotFound::Region),
                Gone(NotFound::Instance),
                Denied(Denial::InstanceNotImageable),
                Denied(Denial::DiskCreatingSnapshot),
                DryRun,
            ],
        ),
        (
            "ImportImage",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::DryRun),
                Invalid(P::DiskImageSize),
                Error::Malformed(Bad::ImageName),
                Error::Malformed(Bad::Description),
                Error::Malformed(Bad::OsType),
                Error::Malformed(Bad::Platform),
                Error::Malformed(Bad::Architecture),
                Error::Malformed(Bad::BootMode),
                Error::Malformed(Bad::LicenseType),
                Error::Malformed(Bad::DetectionStrategy),
                Error::Malformed(Bad::ImageFormat),
                Error::Missing(Absent::DiskDeviceMapping),
                Error::Missing(Absent::MappingOssBucket),
                Error::Missing(Absent::MappingOssObject),
                Gone(NotFound::Region),
                DryRun,
            ],
        ),
        (
            "ExportImage",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::DryRun),
                Error::Missing(Absent::OssBucket),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Denied(Denial::CommunityImageExport),
                Denied(Denial::ImageNotAvailable),
                Denied(Denial::ImageIsExporting),
                DryRun,
            ],
        ),
        (
            "CopyImage",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Missing(P::DestinationRegionId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::DestinationRegionId),
                Invalid(P::DryRun),
                Invalid(P::Encrypted),
                Error::Malformed(Bad::ImageName),
                Error::Malformed(Bad::Description),
                Error::Malformed(Bad::KmsKeyId),
                Error::Malformed(Bad::ResourceGroupId),
                Gone(NotFound::Region),
                Gone(NotFound::DestinationRegion),
                Gone(NotFound::Image),
                Error::Malformed(Bad::ClientToken),
                Denied(Denial::IdempotentParameterMismatch),
                Denied(Denial::CommunityImageCopy),
                Denied(Denial::CopySourceNotAvailable),
                DryRun,
            ],
        ),
        (
            "CancelCopyImage",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Denied(Denial::NotCreatedFromCopy),
                Denied(Denial::CopyFinished),
                Denied(Denial::CopyFailed),
                Denied(Denial::NotCopying),
                Denied(Denial::CopyNotCancellable),
            ],
        ),
        (
            "CancelTask",
            &[
                Missing(P::RegionId),
                Missing(P::TaskId),
                Invalid(P::RegionId),
                Invalid(P::TaskId),
                Gone(NotFound::Region),
                Gone(NotFound::Task),
                Denied(Denial::TaskActionNotSupported),
                Denied(Denial::TaskNotRunning),
                Denied(Denial::CancelTaskFailed),
            ],
        ),
        (
            "ModifyImageSharePermission",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::AddAccount),
                Invalid(P::RemoveAccount),
                Invalid(P::IsPublic),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Denied(Denial::IsPublicConflict),
                Denied(Denial::ShareWithSelf),
                Denied(Denial::ShareDeprecatedImage),
                Denied(Denial::ShareUnavailableImage),
                Denied(Denial::ImagePublic),
                Denied(Denial::ImageNotPublic),
                Denied(Denial::ShareQuotaExceeded),
                DryRun,
            ],
        ),
        (
            "RunInstances",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::Amount),
                Invalid(P::DryRun),
                Invalid(P::InternetMaxBandwidthOut),
                Error::Malformed(Bad::MinAmount),
                Error::Malformed(Bad::InstanceType),
                Error::Malformed(Bad::InstanceName),
                Error::Malformed(Bad::ZoneId),
                Error::Malformed(Bad::SecurityGroupId),
                Error::Malformed(Bad::VSwitchId),
                Error::Malformed(Bad::InternetChargeType),
                Error::Malformed(Bad::IoOptimized),
                Error::Malformed(Bad::ClientToken),
                Denied(Denial::IdempotentParameterMismatch),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Denied(Denial::ImageNotAvailable),
                DryRun,
            ],
        ),
        (
            "DeleteInstance",
            &[
                Missing(P::InstanceId),
                Invalid(P::InstanceId),
                Invalid(P::Force),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Instance),
                Denied(Denial::InstanceInitializing),
                Denied(Denial::IncorrectInstanceStatus),
                DryRun,
            ],
        ),
        (
            "ModifyImageAttribute",
            &[
                Missing(P::RegionId),
                Missing(P::ImageId),
                Invalid(P::RegionId),
                Invalid(P::ImageId),
                Invalid(P::Status),
                Invalid(P::DryRun),
                Error::Malformed(Bad::ImageName),
                Error::Malformed(Bad::Description),
                Error::Malformed(Bad::ImageFamily),
                Error::Malformed(Bad::BootMode),
                Error::Malformed(Bad::LicenseType),
                Gone(NotFound::Region),
                Gone(NotFound::Image),
                Denied(Denial::ImageIsCreating),
                Denied(Denial::StatusChangeNotAllowed),
                Error::Blocked {
                    blocker: Blocker::Shared,
                    catalog: Catalog::Doc2024_10,
                },
                Denied(Denial::ImagePublic),
                DryRun,
            ],
        ),
        (
            "TagResources",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Error::Tag(TagRefusal::MissingResourceType),
                Gone(NotFound::ResourceType),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Error::Tag(TagRefusal::MissingTags),
                Error::Tag(TagRefusal::TooManyTags),
                Error::Tag(TagRefusal::DuplicateKey),
                Missing(P::ResourceId),
                Error::Tag(TagRefusal::TooManyResourceIds),
                Gone(NotFound::Region),
                Gone(NotFound::Resource),
                Error::Tag(TagRefusal::QuotaExceeded),
            ],
        ),
        (
            "UntagResources",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Error::Tag(TagRefusal::MissingResourceType),
                Gone(NotFound::ResourceType),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::MalformedKey),
                Invalid(P::All),
                Error::Tag(TagRefusal::TooManyTags),
                Missing(P::TagKey),
                Missing(P::ResourceId),
                Error::Tag(TagRefusal::TooManyResourceIds),
                Gone(NotFound::Region),
                Gone(NotFound::Resource),
            ],
        ),
        (
            "ListTagResources",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Error::Tag(TagRefusal::MissingResourceType),
                Gone(NotFound::ResourceType),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Error::Tag(TagRefusal::TooManyResourceIds),
                Error::Tag(TagRefusal::TooManyTags),
                Missing(P::ResourceId),
                Invalid(P::NextToken),
                Gone(NotFound::Region),
            ],
        ),
        (
            "DescribeTags",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Gone(NotFound::ResourceType),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Error::Tag(TagRefusal::TagCount),
                Gone(NotFound::Region),
            ],
        ),
        ("DescribeRegions", &[Invalid(P::AcceptLanguage)]),
        (
            "StartInstance",
            &[
                Missing(P::InstanceId),
                Invalid(P::InstanceId),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Instance),
                Denied(Denial::IncorrectInstanceStatus),
                DryRun,
            ],
        ),
        (
            "StopInstance",
            &[
                Missing(P::InstanceId),
                Invalid(P::InstanceId),
                Invalid(P::ForceStop),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Instance),
                Denied(Denial::IncorrectInstanceStatus),
                DryRun,
            ],
        ),
        (
            "RebootInstance",
            &[
                Missing(P::InstanceId),
                Invalid(P::InstanceId),
                Invalid(P::ForceStop),
                Invalid(P::DryRun),
                Gone(NotFound::Region),
                Gone(NotFound::Instance),
                Denied(Denial::IncorrectInstanceStatus),
                DryRun,
            ],
        ),
        (
            "DeleteSnapshot",
            &[
                Error::NotSupplied(P::SnapshotId),
                Invalid(P::SnapshotId),
                Invalid(P::Force),
                Gone(NotFound::Snapshot),
                Error::SnapshotBlocked(SnapshotBlocker::Creating),
                Error::SnapshotBlocked(SnapshotBlocker::CreatedImage),
                Error::SnapshotBlocked(SnapshotBlocker::CreatedDisk),
            ],
        ),
        (
            "DescribeDisks",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::DiskIds),
                Invalid(P::InstanceId),
                Invalid(P::DiskType),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Gone(NotFound::Region),
            ],
        ),
        (
            "AddTags",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Error::Tag(TagRefusal::MissingResourceType),
                Gone(NotFound::ResourceType),
                Missing(P::ResourceId),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Error::Tag(TagRefusal::MissingTags),
                Error::Tag(TagRefusal::TagCount),
                Error::Tag(TagRefusal::DuplicateKey),
                Gone(NotFound::Region),
                Gone(NotFound::Resource),
                Error::Tag(TagRefusal::QuotaExceeded),
            ],
        ),
        (
            "RemoveTags",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Error::Tag(TagRefusal::MissingResourceType),
                Gone(NotFound::ResourceType),
                Missing(P::ResourceId),
                Invalid(P::ResourceId),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Error::Tag(TagRefusal::TagCount),
                Gone(NotFound::Region),
                Gone(NotFound::Resource),
            ],
        ),
        (
            "DescribeSnapshots",
            &[
                Missing(P::RegionId),
                Invalid(P::RegionId),
                Invalid(P::SnapshotIds),
                Invalid(P::DiskId),
                Invalid(P::InstanceId),
                Invalid(P::Status),
                Error::BadFilter(ecs_image_rules::BadFilter::Usage),
                Invalid(P::SnapshotType),
                Error::Tag(TagRefusal::Mismatch),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Invalid(P::NextToken),
                Invalid(P::MaxResults),
                Invalid(P::PageNumber),
                Invalid(P::PageSize),
                Gone(NotFound::Region),
            ],
        ),
        (
            "CreateSnapshot",
            &[
                Error::NotSupplied(P::DiskId),
                Invalid(P::DiskId),
                Error::Malformed(Bad::SnapshotName),
                Error::Malformed(Bad::Description),
                Error::Tag(TagRefusal::TagCount),
                Error::Tag(TagRefusal::DuplicateKey),
                Error::Tag(TagRefusal::MalformedKey),
                Error::Tag(TagRefusal::MalformedValue),
                Error::Tag(TagRefusal::Mismatch),
                Gone(NotFound::Disk),
                Denied(Denial::DiskNeverAttached),
                Denied(Denial::SnapshotInstanceStatus),
                Denied(Denial::DiskCreatingSnapshot),
                Denied(Denial::SnapshotQuota),
            ],
        ),
    ]
};

/// The library's refusals `action` can answer (empty for an action the emulator does not
/// answer).
fn errors(action: &str) -> &'static [Error] {
    ERRORS
        .iter()
        .find(|(name, _)| *name == action)
        .map_or(&[], |(_, errors)| errors)
}

/// The coverage report, as docs/coverage.md holds it.
pub fn report() -> String {
    let emulated: Vec<&ActionSpec> = actions::names().filter_map(actions::lookup).collect();
    let all: Vec<_> = declared::actions().collect();
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# ECS API coverage of the emulator\n");
    let _ = writeln!(
        w,
        "Generated from the code (the emulator's router, emulator/declared/ecs-2014-05-26.json and \
         the library's errors); do not edit. After a change, refresh it with\n\n    \
         UPDATE_COVERAGE=1 cargo test -p ecs-image-emulator --test coverage\n"
    );
    let _ = writeln!(
        w,
        "{} of the {} actions of ECS 2014-05-26 that the pinned Python SDK declares are emulated. \
         docs/emulator.md explains the answers:\n",
        emulated.len(),
        all.len()
    );
    let _ = writeln!(
        w,
        "- **modelled**: the parameter is read and acts as the real service's does;\n\
         - **refused as not modelled**: the real action declares it but the emulator does not \
         model it; a request carrying it (non-empty) is answered {} and changes nothing;\n\
         - a parameter the real action does not declare is ignored, as the service ignores it;\n\
         - an action below *Not emulated* is answered {}.\n",
        answer(&GatewayError::ParameterNotModelled {
            action: "<Action>",
            parameter: "<Parameter>".into(),
        }),
        answer(&GatewayError::ActionNotEmulated("<Action>")),
    );
    let _ = writeln!(
        w,
        "Every emulated action can also answer the gateway's errors (docs/emulator.md): a missing \
         `Action` or `Version`, a wrong `Version`, identity and signature errors, a body too large.\n"
    );
    let _ = writeln!(w, "## Emulated actions\n");
    for action in &emulated {
        let declared = declared::parameters(action.name).unwrap_or(&[]);
        let _ = writeln!(w, "### {}\n", action.name);
        let modelled: Vec<String> = declared
            .iter()
            .filter(|p| action.models(&p.name))
            .map(|p| parameter(&p.name, p.required))
            .collect();
        let refused: Vec<String> = declared
            .iter()
            .filter(|p| !action.models(&p.name))
            .map(|p| parameter(&p.name, p.required))
            .collect();
        let _ = writeln!(w, "- Modelled ({}): {}", modelled.len(), list(&modelled));
        let _ = writeln!(
            w,
            "- Refused as not modelled ({}): {}\n",
            refused.len(),
            list(&refused)
        );
        let _ = writeln!(w, "| HTTP | Code | Message |\n|---|---|---|");
        for error in errors(action.name) {
            let _ = writeln!(
                w,
                "| {} | `{}` | {} |",
                error.http_status(),
                error.code(),
                error.message()
            );
        }
        if !refused.is_empty() {
            let not_modelled = GatewayError::ParameterNotModelled {
                action: action.name,
                parameter: "<Parameter>".into(),
            };
            let _ = writeln!(
                w,
                "| {} | `{}` | {} |",
                not_modelled.http_status(),
                not_modelled.code(),
                not_modelled.message()
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "## Not emulated\n");
    let _ = writeln!(
        w,
        "Each answers `{}`, naming the action.\n",
        GatewayError::ActionNotEmulated("").code()
    );
    let _ = writeln!(w, "| Action | Declared parameters |\n|---|---|");
    for (name, parameters) in all {
        if actions::lookup(name).is_none() {
            let _ = writeln!(w, "| {name} | {} |", parameters.len());
        }
    }
    out
}

fn parameter(name: &str, required: bool) -> String {
    if required {
        format!("`{name}` (required)")
    } else {
        format!("`{name}`")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn answer(error: &GatewayError) -> String {
    format!(
        "HTTP {} `{}` \"{}\"",
        error.http_status(),
        error.code(),
        error.message()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emulated_action_lists_its_errors_and_models_only_declared_parameters() {
        for name in actions::names() {
            assert!(
                !errors(name).is_empty(),
                "{name} has no entry in coverage.rs ERRORS"
            );
            let action = actions::lookup(name).unwrap();
            let declared = declared::parameters(name).expect("an emulated action is declared");
            for modelled in action.modelled {
                assert!(
                    declared::declares(declared, modelled),
                    "{name} lists {modelled} as modelled, but ECS does not declare it"
                );
            }
        }
        for (name, _) in ERRORS {
            assert!(actions::lookup(name).is_some(), "{name} is not emulated");
        }
    }
}
