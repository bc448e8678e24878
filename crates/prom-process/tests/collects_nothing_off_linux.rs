//! Without `/proc` the collector builds and exposes nothing.

#![cfg(not(target_os = "linux"))]

use prom_process::ProcessCollector;

#[test]
fn collects_nothing_off_linux() {
    let families = prom_core::collect(&ProcessCollector::new()).unwrap();
    assert_eq!(families, []);
}
