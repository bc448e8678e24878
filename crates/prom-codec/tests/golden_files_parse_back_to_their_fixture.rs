//! The golden files, the encoders' reviewed output for a fixture covering
//! every type and escape, parse back to that fixture: exactly for
//! OpenMetrics, and less what text 0.0.4 cannot carry for text.

mod common;

use prom_codec::{parse_openmetrics, parse_text};
use prom_core::MetricFamily;

fn golden(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    std::fs::read_to_string(path).unwrap()
}

/// Debug output compares NaN equal to NaN, which `PartialEq` does not.
fn same(a: &[MetricFamily], b: &[MetricFamily]) {
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
}

#[test]
fn openmetrics_golden_file_is_the_fixture() {
    same(
        &parse_openmetrics(&golden("all_types.om")).unwrap(),
        &common::families(),
    );
}

#[test]
fn text_golden_file_is_the_fixture_without_units_and_created_times() {
    let mut want = common::families();
    for family in &mut want {
        family.unit = None;
        for metric in &mut family.metrics {
            metric.created = None;
        }
    }
    same(&parse_text(&golden("all_types.prom")).unwrap(), &want);
}
