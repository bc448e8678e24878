//! `process_max_fds` is the soft `RLIMIT_NOFILE`, as `/proc/self/limits` shows it.

#![cfg(target_os = "linux")]

mod common;

use prom_process::ProcessCollector;

#[test]
fn max_fds_is_the_soft_open_files_limit() {
    let families = prom_core::collect(&ProcessCollector::new()).unwrap();
    match common::soft_open_files_limit() {
        Some(limit) => assert_eq!(common::value(&families, "process_max_fds"), limit),
        None => assert!(common::family(&families, "process_max_fds").is_none()),
    }
}
