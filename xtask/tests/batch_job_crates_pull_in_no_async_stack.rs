//! A program that only writes textfiles, pushes to Graphite or reports
//! process metrics must not compile an async runtime or an HTTP stack:
//! `cargo tree` of `prom-core`, `prom-codec`, `prom-textfile`,
//! `prom-graphite` and `prom-process` (normal dependencies, all features)
//! contains no tokio, hyper or axum.

mod common;

use std::process::Command;

const LEAN: [&str; 5] = [
    "prom-core",
    "prom-codec",
    "prom-textfile",
    "prom-graphite",
    "prom-process",
];
const FORBIDDEN: [&str; 6] = ["tokio", "hyper", "axum", "reqwest", "h2", "tower"];

fn tree(package: &str) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--package",
            package,
            "--edges",
            "normal",
            "--all-features",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(common::project_root())
        .output()
        .expect("cargo runs the tests, so it can be run");
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
}

/// The crate names in a `cargo tree --prefix none` listing.
fn crate_names(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

#[test]
fn lean_crates_have_no_async_or_http_dependency() {
    let mut problems = Vec::new();
    for package in LEAN {
        let listing = tree(package);
        for name in crate_names(&listing) {
            if FORBIDDEN.contains(&name) {
                problems.push(format!("{package} pulls in {name}"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_tokio_where_it_is() {
    // prom-http does use tokio: if this failed, the check above would be blind.
    assert!(crate_names(&tree("prom-http")).contains(&"tokio"));
}
