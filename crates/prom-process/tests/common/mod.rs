//! Helpers used by several of the tests.

// Each test binary uses a different subset.
#![allow(dead_code)]

use prom_core::{MetricFamily, MetricValue};

/// The names of the six families without a namespace, in exposition order.
pub const FAMILY_NAMES: [&str; 6] = [
    "process_virtual_memory_bytes",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "process_cpu_seconds",
    "process_open_fds",
    "process_max_fds",
];

/// Every family's name without a namespace, in exposition order: the six
/// above, then client_golang's additions.
pub const ALL_FAMILY_NAMES: [&str; 10] = [
    "process_virtual_memory_bytes",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "process_cpu_seconds",
    "process_open_fds",
    "process_max_fds",
    "process_virtual_memory_max_bytes",
    "process_threads",
    "process_network_receive_bytes",
    "process_network_transmit_bytes",
];

/// The family called `name`, if collected.
pub fn family<'a>(families: &'a [MetricFamily], name: &str) -> Option<&'a MetricFamily> {
    families.iter().find(|f| &*f.name == name)
}

/// The value of the only sample of family `name`, panicking when absent.
pub fn value(families: &[MetricFamily], name: &str) -> f64 {
    let family = family(families, name).unwrap_or_else(|| panic!("no family {name:?}"));
    assert_eq!(family.metrics.len(), 1, "{name} has one sample");
    let metric = &family.metrics[0];
    assert!(metric.labels.is_empty(), "{name} has no labels");
    match metric.value {
        MetricValue::Gauge(v) | MetricValue::Counter(v) => v,
        ref other => panic!("{name} has value {other:?}"),
    }
}

/// The soft limit on open files from `/proc/self/limits`, `None` for unlimited.
#[cfg(target_os = "linux")]
pub fn soft_open_files_limit() -> Option<f64> {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("readable limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("an open files line");
    // "Max open files            1024                 1048576              files"
    let soft = line["Max open files".len()..]
        .split_whitespace()
        .next()
        .expect("a soft limit");
    match soft {
        "unlimited" => None,
        n => Some(n.parse().expect("a numeric limit")),
    }
}
