//! A pid source points the collector at another running process.

#![cfg(target_os = "linux")]

mod common;

use std::process::{Command, Stdio};

use prom_process::ProcessCollector;

#[test]
fn pid_source_selects_another_live_process() {
    // The child blocks reading its stdin until we close it.
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn cat");
    let pid = i32::try_from(child.id()).unwrap();

    let collector = ProcessCollector::builder()
        .pid(move || Ok(pid))
        .build()
        .unwrap();
    let theirs = prom_core::collect(&collector).unwrap();
    let ours = prom_core::collect(&ProcessCollector::new()).unwrap();

    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());

    let start = |families| common::value(families, "process_start_time_seconds");
    assert!(start(&theirs) >= start(&ours), "the child started after us");
    // `cat` is far smaller than a test binary with its threads.
    let vsize = |families| common::value(families, "process_virtual_memory_bytes");
    assert!(vsize(&theirs) < vsize(&ours));
    assert!(common::value(&theirs, "process_open_fds") >= 3.0);
}
