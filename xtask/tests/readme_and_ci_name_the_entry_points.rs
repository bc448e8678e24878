//! The README tells a newcomer the two commands that matter, and CI runs the same `cargo xtask
//! test` a developer does.

mod common;

#[test]
fn readme_shows_the_demo_and_the_test_command() {
    let readme = common::read_repo_file(
        "README.md",
        "the README must show `cargo run --example demo` and `cargo xtask test`",
    );
    for command in ["cargo run --example demo", "cargo xtask test"] {
        assert!(
            readme.contains(command),
            "README.md does not mention `{command}`"
        );
    }
}

#[test]
fn ci_runs_cargo_xtask_test() {
    let ci = common::read_repo_file(".ci/run", "CI's entry point must run `cargo xtask test`");
    assert!(
        ci.lines()
            .map(str::trim_start)
            .any(|l| !l.starts_with('#') && l.contains("cargo xtask test")),
        ".ci/run does not call `cargo xtask test`"
    );
}
