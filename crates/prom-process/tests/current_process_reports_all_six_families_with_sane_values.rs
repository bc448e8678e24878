//! The current process is reported under client_python's six names with plausible values.

#![cfg(target_os = "linux")]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{value, FAMILY_NAMES};
use prom_core::MetricType;
use prom_process::ProcessCollector;

#[test]
fn current_process_reports_all_six_families_with_sane_values() {
    // Some work, so that CPU time and memory have something to show.
    let buf: Vec<u64> = (0..1_000_000).collect();
    assert_eq!(buf.iter().sum::<u64>(), 499_999_500_000);

    let families = prom_core::collect(&ProcessCollector::new()).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();

    // client_python's six come first; client_golang's additions after them.
    let names: Vec<&str> = families
        .iter()
        .map(|f| &*f.name)
        .take_while(|n| FAMILY_NAMES.contains(n))
        .collect();
    if common::soft_open_files_limit().is_some() {
        assert_eq!(names, FAMILY_NAMES);
    } else {
        assert_eq!(names, FAMILY_NAMES[..5]);
    }

    let kinds: Vec<(MetricType, Option<&str>, &str)> = families
        .iter()
        .map(|f| (f.metric_type, f.unit.as_deref(), &*f.help))
        .collect();
    assert_eq!(
        kinds[..5],
        [
            (
                MetricType::Gauge,
                Some("bytes"),
                "Virtual memory size in bytes."
            ),
            (
                MetricType::Gauge,
                Some("bytes"),
                "Resident memory size in bytes."
            ),
            (
                MetricType::Gauge,
                Some("seconds"),
                "Start time of the process since unix epoch in seconds."
            ),
            (
                MetricType::Counter,
                Some("seconds"),
                "Total user and system CPU time spent in seconds."
            ),
            (MetricType::Gauge, None, "Number of open file descriptors."),
        ]
    );

    let start = value(&families, "process_start_time_seconds");
    assert!(start <= now, "started at {start}, after now ({now})");
    assert!(start > now - 3600.0, "started at {start}, over an hour ago");

    let cpu = value(&families, "process_cpu_seconds");
    assert!(cpu >= 0.0 && cpu.is_finite(), "cpu {cpu}");

    let rss = value(&families, "process_resident_memory_bytes");
    assert!(rss > 0.0, "rss {rss}");
    let vsize = value(&families, "process_virtual_memory_bytes");
    assert!(vsize >= rss, "vsize {vsize} < rss {rss}");

    assert!(
        value(&families, "process_open_fds") >= 3.0,
        "stdio at least"
    );
}
