//! `describe` announces exactly the families `collect` exposes.

mod common;

use prom_core::Collector;
use prom_process::ProcessCollector;

#[test]
fn describe_matches_collected_families() {
    let collector = ProcessCollector::new();
    let described = collector.describe();
    let described_names: Vec<&str> = described.iter().map(|d| d.name()).collect();
    assert_eq!(described_names, common::ALL_FAMILY_NAMES);

    for family in prom_core::collect(&collector).unwrap() {
        let descriptor = described
            .iter()
            .find(|d| d.name() == &*family.name)
            .unwrap_or_else(|| panic!("{} is not described", family.name));
        assert_eq!(descriptor.help(), &*family.help);
        assert_eq!(descriptor.metric_type(), family.metric_type);
        assert_eq!(descriptor.unit(), family.unit.as_deref());
        assert!(descriptor.label_names().is_empty());
    }
}
