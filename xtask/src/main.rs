//! Automation for the prom workspace: `cargo xtask <command>`.
//!
//! The alias in `.cargo/config.toml` runs this binary, so the only tools a contributor needs are
//! cargo and, for `test`, the ability to install Debian packages (or have them installed).
//! Everything else is driven through `std::process`. The dependencies are few and light:
//! `prom-testkit`, whose PATH search, root check, process guard and HTTP GET the tests use too,
//! and `serde_json` for the JSON that cargo and criterion write.

#![forbid(unsafe_code)]

mod bench;
mod fuzz;
mod lint;
mod peers;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask: automation for the prom workspace

USAGE:
    cargo xtask <COMMAND> [-- <ARGS>...]

COMMANDS:
    test     Install the real peers if missing, then run every test of the workspace:
               1. the Debian packages prometheus (with promtool), prometheus-pushgateway,
                  prometheus-node-exporter, graphite-carbon, python3-whisper, golang-go and
                  golang-github-prometheus-client-golang-dev (client_golang, as Go source),
                  through apt-get (needs root; daemons are kept from starting);
               2. a Python virtual environment in target/peers/venv with prometheus_client,
                  the reference parser;
               3. `cargo test --workspace --all-features --no-fail-fast -- --include-ignored`
                  (unit, integration and doc tests; examples are built as programs), with
                  PROM_TEST_PYTHON pointing at the virtual environment. The tests that need a
                  peer are marked `#[ignore = \"needs <peer>: ...\"]`, so a plain `cargo test`
                  passes without the peers and lists them as ignored; here they all run, and
                  a missing peer fails them;
               4. without ARGS, the tests of the fuzz crate, which is outside the workspace:
                  promtool checks the text encoding of a seeded sample of the `encode`
                  target's inputs (`cargo test --manifest-path fuzz/Cargo.toml -- --include-ignored`,
                  in target/fuzz-test);
               5. without ARGS, the facade built with `--no-default-features --features
                  textfile`, whose codec test builds only that way;
               6. without ARGS, the loom model checks of prom-core
                  (`RUSTFLAGS='--cfg loom' cargo test -p prom-core --lib --release loom`,
                  in target/loom).
             ARGS go to the workspace cargo test run, those after a second `--` to the test
             programs after `--include-ignored`, e.g. `cargo xtask test -- histogram` or
             `cargo xtask test -- -- --nocapture`.
    peers    Only steps 1 and 2 of `test`, then print the PROM_TEST_PYTHON setting, for running
             `cargo test -p <crate> -- --include-ignored` against the real peers.
    lint     Every check, even after a failure, then a summary:
               1. `cargo fmt --all --check`, and the same for the fuzz crate;
               2. `cargo clippy --workspace --all-targets [--all-features] -- -D warnings`
                  (once with default features, once with all);
               3. `cargo doc --workspace --no-deps --all-features` with
                  RUSTDOCFLAGS='-D warnings';
               4. clippy of prom-tokio with RUSTFLAGS='--cfg tokio_unstable' (tokio's
                  unstable metrics), in target/tokio-unstable;
               5. each crate that has features, read from `cargo metadata`, with
                  `cargo check -p <crate> --no-default-features`, then once per feature
                  with `--features <feature>` alone.
             The MSRV (`rust-version`) is not built: only the latest stable toolchain is
             used; clippy's incompatible_msrv lint flags std APIs newer than it.
    bench    Run the benchmark suite and rewrite docs/benchmarks.md from that one run:
               1. criterion: every criterion benchmark of prom-benches (counters,
                  labelled lookups, histograms, encoding:
                  `cargo bench -p prom-benches --bench '*'`, results in
                  target/bench-run/criterion);
               2. golang: client_golang's rows of the same tables, from a Go program of
                  `testing.Benchmark`s (benches/go/microbench), built offline against
                  Debian's client_golang source (installs golang-go and
                  golang-github-prometheus-client-golang-dev through apt-get if missing,
                  which needs root), cached in target/peers/go-exporter;
               3. memory: bytes per labelled counter series at 100,000 series, one
                  process per implementation (the `series_memory` program);
               4. scale: encode time, memory and lookup time per series at 1,000 to
                  1,000,000 series, one process per implementation and size (the
                  `series_scale` program; about 2 minutes);
               5. scrape: `wrk` scraping 10,000 series over loopback while 2 threads
                  update them, plainly and with Prometheus 2.42's scrape headers: prom
                  (also over HTTPS, plainly),
                  metrics-exporter-prometheus, the Python client and client_golang
                  (installs wrk through apt-get if missing, which needs root, the Python
                  client as `peers` does, and client_golang as in 2);
               6. requests: under the same wrk, requests to one axum app bare, with
                  prom-tower's layer and with axum-prometheus's (the `request_server`
                  program).
             The memory, scrape and request workloads repeat --rounds times, interleaved.
             A default run takes about 20 minutes on 2 cores. Options (after `--`):
               --quick              criterion --warm-up-time 1 --measurement-time 2,
                                    1 round of 3 s scrapes (default: 2 s, 5 s, 3 rounds
                                    of 10 s scrapes)
               --filter <REGEX>     only the criterion and client_golang benchmarks whose
                                    id (group/name) matches
               --only <PARTS>       comma-separated: criterion, golang, memory, scale,
                                    scrape, requests
               --servers <LIST>     only these servers in the scrape workload,
                                    comma-separated: prom, prom-tls (prom over HTTPS),
                                    metrics, python, golang
               --rounds <N>         repetitions of the memory, scrape and request workloads
               --scrape-seconds <N> length of each wrk run
               --out <FILE>         write there instead of docs/benchmarks.md
    fuzz     Run the coverage-guided fuzz targets of fuzz/ (see docs/fuzzing.md) with cargo-fuzz
             and libFuzzer on the stable toolchain (RUSTC_BOOTSTRAP=1): installs cargo-fuzz if
             missing, builds, runs each target for N seconds, then prints per target the
             execs, coverage, corpus size and crashes; fails on a crash, naming its input.
             Corpora in target/fuzz-corpus/<target>, crash inputs in
             target/fuzz-artifacts/<target>, libFuzzer's output in target/fuzz-logs. Options:
               --seconds <N>        how long each target runs (required)
               --target <T>         only this target (repeatable): parse_text,
                                    parse_openmetrics, encode
    help     Print this message.

The checks of the repository itself (crate layering, prom-core free of I/O, README and CI
naming `cargo xtask test`) are ordinary tests of this crate, so `cargo test` runs them too.
";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let command = args.next().map(|a| a.to_string_lossy().into_owned());
    let mut rest: Vec<OsString> = args.collect();
    // `cargo xtask test --help` asks about xtask; ARGS for cargo come after `--`.
    if rest.first().is_some_and(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    if rest.first().is_some_and(|a| a == "--") {
        rest.remove(0);
    }
    let result = match command.as_deref() {
        Some("test") => test(&rest),
        Some("peers") => peers(&rest),
        Some("lint") => lint::lint(&rest),
        Some("bench") => bench::bench(&rest),
        Some("fuzz") => fuzz::fuzz(&rest),
        None | Some("help" | "-h" | "--help") => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!(
            "unknown command `{other}`; run `cargo xtask help` for the list"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        // xtask/ always sits directly in the workspace root.
        .expect("xtask lives one directory below the workspace root")
        .to_path_buf()
}

/// The cargo that runs us, so `cargo +toolchain xtask` stays on that toolchain.
fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(project_root());
    command
}

/// Runs `command` with inherited output, echoing it first; `Err` names it on failure.
pub(crate) fn run(command: &mut Command) -> Result<(), String> {
    let shown = show(command);
    eprintln!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `command` and returns what it printed on stdout; `Err` names it when it cannot run
/// or fails, with what it printed on stderr if that was captured.
pub(crate) fn stdout_of(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", show(command)))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = stderr.trim();
        return Err(if stderr.is_empty() {
            format!("`{}` failed ({})", show(command), output.status)
        } else {
            format!("`{}` failed ({}): {stderr}", show(command), output.status)
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

pub(crate) fn show(command: &Command) -> String {
    let mut shown = Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program())
        .to_string_lossy()
        .into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// Runs every step even after a failure, so one run reports everything, then sums up.
fn run_all(task: &str, steps: Vec<Command>) -> Result<(), String> {
    let mut failed = Vec::new();
    let mut passed = Vec::new();
    for mut step in steps {
        match run(&mut step) {
            Ok(()) => passed.push(show(&step)),
            Err(e) => {
                eprintln!("xtask {task}: {e}");
                failed.push(show(&step));
            }
        }
    }
    if failed.is_empty() {
        eprintln!("xtask {task}: PASSED ({})", passed.join("; "));
        Ok(())
    } else {
        Err(format!("{task} FAILED in: {}", failed.join("; ")))
    }
}

fn test(extra: &[OsString]) -> Result<(), String> {
    peers::ensure_debian_peers()?;
    let python = peers::ensure_python_venv()?;

    // Cargo's default targets: libraries, binaries, integration and doc
    // tests, with examples built as ordinary binaries (the real-Prometheus
    // test runs `examples/demo`; `--all-targets` would build it as a test
    // harness instead). Clippy in `lint` covers every target.
    let mut workspace = cargo();
    workspace
        .args(["test", "--workspace", "--all-features", "--no-fail-fast"])
        .args(with_ignored_tests(extra))
        .env("PROM_TEST_PYTHON", &python);
    let mut steps = vec![workspace];
    if extra.is_empty() {
        // The fuzz crate is outside the workspace (its targets build only with the fuzzer's
        // flags), but its tests build on stable: promtool checks a seeded sample of the
        // `encode` target's inputs there. Its own target directory keeps its lock file's
        // dependency versions from displacing the workspace's builds.
        let mut fuzz = cargo();
        fuzz.args(["test", "--manifest-path", "fuzz/Cargo.toml", "--target-dir"])
            .arg(project_root().join("target").join("fuzz-test"))
            .args(["--", "--include-ignored"]);
        steps.push(fuzz);
        // The facade with one exporter and no default features still has its
        // codec (`prom::codec::parse_text`): the test that proves it builds
        // only this way.
        let mut lean = cargo();
        lean.args([
            "test",
            "-p",
            "prom",
            "--no-default-features",
            "--features",
            "textfile",
            "--test",
            "the_codec_comes_with_every_exporter",
        ]);
        steps.push(lean);
        // The loom model checks of prom-core's lock-free parts: a build of
        // prom-core alone with loom's atomics, kept in its own target
        // directory so it never invalidates the main build.
        let mut loom = cargo();
        loom.args(["test", "-p", "prom-core", "--lib", "--release", "loom"])
            .env("RUSTFLAGS", "--cfg loom")
            .env(
                "CARGO_TARGET_DIR",
                project_root().join("target").join("loom"),
            );
        steps.push(loom);
    }
    run_all("test", steps)
}

/// `extra` for `cargo test`, with `--include-ignored` added to the test programs' arguments:
/// the tests that need a peer are `#[ignore]`d so a plain `cargo test` passes without them, and
/// run here, where the peers are installed. Cargo's own arguments (a test name filter, `-p`)
/// stay before the `--` that starts the test programs' arguments.
fn with_ignored_tests(extra: &[OsString]) -> Vec<OsString> {
    let split = extra.iter().position(|a| a == "--");
    let (for_cargo, for_tests) = match split {
        Some(i) => (&extra[..i], &extra[i + 1..]),
        None => (extra, &[][..]),
    };
    let mut args = for_cargo.to_vec();
    args.push("--".into());
    args.push("--include-ignored".into());
    args.extend(for_tests.iter().cloned());
    args
}

fn peers(extra: &[OsString]) -> Result<(), String> {
    if !extra.is_empty() {
        return Err("`peers` takes no arguments".into());
    }
    peers::ensure_debian_peers()?;
    let python = peers::ensure_python_venv()?;
    println!("export PROM_TEST_PYTHON={}", python.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory of this test process under the system's temporary
    /// directory.
    pub(crate) fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn ignored_tests_are_included_after_cargos_own_arguments() {
        assert_eq!(with_ignored_tests(&[]), args(&["--", "--include-ignored"]));
        assert_eq!(
            with_ignored_tests(&args(&["histogram"])),
            args(&["histogram", "--", "--include-ignored"])
        );
        assert_eq!(
            with_ignored_tests(&args(&["-p", "prom-codec", "--", "--nocapture"])),
            args(&["-p", "prom-codec", "--", "--include-ignored", "--nocapture"])
        );
    }
}
