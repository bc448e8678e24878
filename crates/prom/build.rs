//! Records, for `prom::build_info!`, the compiler and target that build
//! this crate: in a normal build the same as the program's.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        // "rustc 1.85.0 (4d91de4e4 2025-02-17)" → "1.85.0"
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PROM_RUSTC_VERSION={version}");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=PROM_TARGET={target}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
