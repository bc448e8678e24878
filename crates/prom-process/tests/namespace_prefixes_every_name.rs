//! A namespace prefixes every family name.

mod common;

use prom_core::Collector;
use prom_process::ProcessCollector;

#[test]
fn namespace_prefixes_every_name() {
    let collector = ProcessCollector::builder()
        .namespace("myapp")
        .build()
        .unwrap();
    assert_eq!(collector.namespace(), Some("myapp"));

    let described: Vec<String> = collector
        .describe()
        .iter()
        .map(|d| d.name().to_owned())
        .collect();
    let expected: Vec<String> = common::ALL_FAMILY_NAMES
        .iter()
        .map(|name| format!("myapp_{name}"))
        .collect();
    assert_eq!(described, expected);

    let families = prom_core::collect(&collector).unwrap();
    #[cfg(target_os = "linux")]
    assert!(families.len() >= 5, "{families:?}");
    for family in &families {
        assert!(family.name.starts_with("myapp_process_"), "{}", family.name);
    }
}

#[test]
fn empty_namespace_means_none() {
    let collector = ProcessCollector::builder().namespace("").build().unwrap();
    assert_eq!(collector.namespace(), None);
    assert_eq!(
        collector.describe()[0].name(),
        "process_virtual_memory_bytes"
    );
}
