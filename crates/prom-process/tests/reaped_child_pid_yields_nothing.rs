//! The pid of a process that has exited and been reaped yields no families and no error.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Command, Stdio};

use prom_process::ProcessCollector;

#[test]
fn reaped_child_pid_yields_nothing() {
    // This test binary itself, listing its tests, is a child that exits at
    // once without relying on any other program being installed.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} was reused already"
    );

    let collector = ProcessCollector::builder()
        .pid(move || Ok(pid))
        .build()
        .unwrap();
    assert_eq!(prom_core::collect(&collector).unwrap(), []);
}
