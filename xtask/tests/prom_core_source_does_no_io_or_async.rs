//! `prom-core` is pure data structures: its source never mentions networking, files, processes
//! or async, so it stays usable from any runtime and cheap to build.

mod common;

use std::fs;
use std::path::Path;

const FORBIDDEN: &[&str] = &["std::net", "std::fs", "std::process", "tokio", "async fn"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry can be read").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn prom_core_src_never_mentions_io_or_async() {
    let root = common::project_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates/prom-core/src"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "crates/prom-core/src has no .rs files");

    let mut violations = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("a source file is UTF-8");
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (number, line) in text.lines().enumerate() {
            for needle in FORBIDDEN.iter().filter(|n| line.contains(**n)) {
                violations.push(format!(
                    "prom-core: {shown}:{} mentions `{needle}`",
                    number + 1
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "prom-core must do no I/O and no async (move such code to a leaf crate):\n  {}",
        violations.join("\n  ")
    );
}
