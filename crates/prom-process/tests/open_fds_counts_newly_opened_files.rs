//! `process_open_fds` follows files being opened.

#![cfg(target_os = "linux")]

mod common;

use std::fs::File;

use prom_process::ProcessCollector;

#[test]
fn open_fds_counts_newly_opened_files() {
    let collector = ProcessCollector::new();
    let open_fds = || common::value(&prom_core::collect(&collector).unwrap(), "process_open_fds");

    let before = open_fds();
    let files: Vec<File> = (0..10)
        .map(|_| File::open(env!("CARGO_MANIFEST_DIR")).expect("open the crate directory"))
        .collect();
    let after = open_fds();

    assert!(after - before >= 10.0, "{before} -> {after}");
    drop(files);
}
