//! docs/coverage.md is what the code says: regenerated here and compared, so it cannot go stale.

use std::path::Path;

const REFRESH: &str = "UPDATE_COVERAGE=1 cargo test -p ecs-image-emulator --test coverage";

#[test]
fn docs_coverage_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/coverage.md");
    let report = ecs_image_emulator::coverage_report();
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(&path, &report).expect("docs/coverage.md is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == report,
        "docs/coverage.md is stale (or missing); refresh it with:\n    {REFRESH}"
    );
}

#[test]
fn the_report_names_what_is_refused_and_what_is_not_emulated() {
    let report = ecs_image_emulator::coverage_report();
    let describe_images = section(&report, "### DescribeImages");
    let modelled = line(describe_images, "- Modelled");
    let refused = line(describe_images, "- Refused as not modelled");
    assert!(modelled.contains("`ImageOwnerAlias`"), "{modelled}");
    assert!(modelled.contains("`ImageName`"), "{modelled}");
    assert!(refused.contains("`InstanceType`"), "{refused}");
    assert!(modelled.contains("`Tag.N.Key`"), "{modelled}");
    assert!(!refused.contains("`ImageOwnerAlias`"), "{refused}");
    assert!(describe_images.contains("| 404 | `InvalidRegionId.NotFound` |"));
    assert!(describe_images.contains("| 400 | `Emulator.ParameterNotModelled` |"));
    let not_emulated = section(&report, "## Not emulated");
    assert!(not_emulated.contains("| JoinResourceGroup |"));
    assert!(not_emulated.contains("| AttachKeyPair |"));
    assert!(!not_emulated.contains("| TagResources |"));
    assert!(!not_emulated.contains("| DeleteImage |"));
}

/// From `heading` to the next heading of any level.
fn section<'r>(report: &'r str, heading: &str) -> &'r str {
    let start = report.find(&format!("{heading}\n")).expect(heading);
    let rest = &report[start + heading.len()..];
    &rest[..rest.find("\n#").unwrap_or(rest.len())]
}

fn line<'r>(text: &'r str, prefix: &str) -> &'r str {
    text.lines().find(|l| l.starts_with(prefix)).expect(prefix)
}
