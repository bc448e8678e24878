//! `cargo xtask lint`: formatting, clippy, the API docs, and every crate's features one at a time.

use std::ffi::OsString;
use std::process::Stdio;

use serde_json::Value;

use crate::{cargo, run_all, show, stdout_of};

/// Runs every check, even after a failure, and sums up; `cargo xtask help` lists them.
pub(crate) fn lint(extra: &[OsString]) -> Result<(), String> {
    if !extra.is_empty() {
        return Err("`lint` takes no arguments".into());
    }
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    // The fuzz crate is outside the workspace, so `--all` leaves it out.
    let mut fmt_fuzz = cargo();
    fmt_fuzz.args(["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"]);
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    // The optional exporters and the tests that need them build only with
    // every feature on, as `cargo xtask test` runs them.
    let mut clippy_all = cargo();
    clippy_all.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    // Broken intra-doc links, bare URLs and bad code blocks are rustdoc's
    // warnings, not the compiler's; every feature on, so optional modules are
    // documented too.
    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps", "--all-features"])
        .env("RUSTDOCFLAGS", rustdocflags());
    // prom-tokio reads tokio's unstable metrics under `--cfg tokio_unstable`:
    // that code is checked in a target directory of its own, so the flag
    // does not rebuild the workspace's.
    let mut tokio_unstable = cargo();
    tokio_unstable
        .args([
            "clippy",
            "-p",
            "prom-tokio",
            "--all-targets",
            "--target-dir",
            "target/tokio-unstable",
            "--",
            "-D",
            "warnings",
        ])
        .env("RUSTFLAGS", "--cfg tokio_unstable");
    let mut steps = vec![fmt, fmt_fuzz, clippy, clippy_all, doc, tokio_unstable];
    for args in feature_checks(&workspace_metadata()?) {
        let mut check = cargo();
        check.args(args);
        steps.push(check);
    }
    run_all("lint", steps)
}

/// The caller's `RUSTDOCFLAGS`, if any, with warnings denied.
fn rustdocflags() -> OsString {
    let mut flags = std::env::var_os("RUSTDOCFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(" ");
    }
    flags.push("-D warnings");
    flags
}

/// `cargo metadata --no-deps` of the workspace.
fn workspace_metadata() -> Result<Value, String> {
    let mut command = cargo();
    command
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit());
    let stdout = stdout_of(&mut command)?;
    serde_json::from_str(&stdout).map_err(|e| format!("`{}` printed no JSON: {e}", show(&command)))
}

/// The `cargo check` arguments that build each crate with features of its own without its
/// default features, then with each of those features alone, so a feature that leans on
/// another without enabling it is caught. Crates without features build only one way, which
/// clippy covers.
fn feature_checks(metadata: &Value) -> Vec<Vec<String>> {
    let mut checks = Vec::new();
    let packages = metadata["packages"].as_array().into_iter().flatten();
    for package in packages {
        let (Some(name), Some(features)) =
            (package["name"].as_str(), package["features"].as_object())
        else {
            continue;
        };
        if features.is_empty() {
            continue;
        }
        let base = ["check", "-p", name, "--no-default-features"].map(String::from);
        checks.push(base.to_vec());
        for feature in features.keys().filter(|f| *f != "default") {
            let mut alone = base.to_vec();
            alone.extend(["--features".to_owned(), feature.clone()]);
            checks.push(alone);
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_feature_is_checked_alone_and_none_at_all() {
        let metadata = serde_json::json!({"packages": [
            {"name": "plain", "features": {}},
            {"name": "exporter", "features": {"default": ["a"], "a": [], "b": ["dep:x"]}},
        ]});
        let checks: Vec<String> = feature_checks(&metadata)
            .iter()
            .map(|args| args.join(" "))
            .collect();
        assert_eq!(
            checks,
            [
                "check -p exporter --no-default-features",
                "check -p exporter --no-default-features --features a",
                "check -p exporter --no-default-features --features b",
            ]
        );
    }

    #[test]
    fn this_workspace_has_crates_with_features() {
        let checks = feature_checks(&workspace_metadata().unwrap());
        assert!(
            checks
                .iter()
                .any(|args| args.join(" ") == "check -p prom --no-default-features"),
            "{checks:?}"
        );
    }
}
