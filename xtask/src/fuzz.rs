//! `cargo xtask fuzz`: the coverage-guided fuzz targets of `fuzz/`, run with
//! cargo-fuzz (libFuzzer) on the stable toolchain.
//!
//! cargo-fuzz passes nightly-only flags (`-Zsanitizer=address`,
//! `-Cpasses=sancov-module`), so every cargo-fuzz command runs with
//! `RUSTC_BOOTSTRAP=1`, which lets the stable compiler accept them. Corpora
//! live in `target/fuzz-corpus/<target>` and crash inputs in
//! `target/fuzz-artifacts/<target>`, both outside version control.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cargo, project_root, run, show};

/// Every target in `fuzz/fuzz_targets`, in the order they run.
pub const TARGETS: &[&str] = &["parse_text", "parse_openmetrics", "encode"];

/// The directories whose files seed both parse targets: prom-codec's
/// conformance cases (good and bad: fuzzing starts from both sides of every
/// rule) and golden expositions.
const SEED_DIRS: &[&str] = &[
    "crates/prom-codec/tests/cases/openmetrics/good",
    "crates/prom-codec/tests/cases/openmetrics/bad",
    "crates/prom-codec/tests/cases/text/good",
    "crates/prom-codec/tests/cases/text/bad",
    "crates/prom-codec/tests/golden",
];

/// Every seed of a parse target, as (name, bytes): [`SEED_DIRS`], the
/// OpenMetrics project's parser suite when `PROM_OPENMETRICS_SUITE` names it,
/// and the pages real peers serve when they are installed (node_exporter,
/// the Pushgateway, Prometheus itself), so that fuzzing starts from
/// realistic input.
fn seeds(root: &Path, target: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    if !target.starts_with("parse_") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut add_dir = |dir: &Path, prefix: &str| -> Result<(), String> {
        let entries =
            fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let file = if path.is_dir() {
                path.join("metrics")
            } else {
                path.clone()
            };
            if let Ok(bytes) = fs::read(&file) {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                out.push((format!("{prefix}-{name}"), bytes));
            }
        }
        Ok(())
    };
    for dir in SEED_DIRS {
        add_dir(&root.join(dir), "seed")?;
    }
    if let Some(suite) = std::env::var_os("PROM_OPENMETRICS_SUITE") {
        add_dir(Path::new(&suite), "suite")?;
    }
    out.extend(peer_pages());
    Ok(out)
}

/// The `/metrics` pages of the peers installed here; none when they are not.
fn peer_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut keep = |name: &str, page: Result<String, prom_testkit::HarnessError>| match page {
        Ok(text) => pages.push((format!("peer-{name}"), text.into_bytes())),
        Err(e) => println!("fuzz: no {name} page to seed from ({e})"),
    };
    keep(
        "node_exporter",
        prom_testkit::NodeExporter::start().and_then(|n| n.metrics_text()),
    );
    keep(
        "pushgateway",
        prom_testkit::Pushgateway::start().and_then(|p| p.metrics_text()),
    );
    keep(
        "prometheus",
        prom_testkit::Prometheus::start(&[]).and_then(|p| {
            prom_testkit::http_get(&format!("{}/metrics", p.url()), &[])
                .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        }),
    );
    pages
}

struct Options {
    seconds: u64,
    targets: Vec<String>,
}

fn options(args: &[OsString]) -> Result<Options, String> {
    let mut seconds = None;
    let mut targets = Vec::new();
    let mut args = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("`{name}` needs a value"));
        match arg.as_str() {
            "--seconds" => {
                let v = value("--seconds")?;
                seconds = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| format!("`--seconds {v}`: expected a positive integer"))?,
                );
            }
            "--target" => {
                let v = value("--target")?;
                if !TARGETS.contains(&v.as_str()) {
                    return Err(format!(
                        "unknown fuzz target `{v}`; the targets are {}",
                        TARGETS.join(", ")
                    ));
                }
                targets.push(v);
            }
            other => return Err(format!("unknown `fuzz` option `{other}`")),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    Ok(Options {
        seconds: seconds.ok_or("`fuzz` needs `--seconds N`")?,
        targets,
    })
}

/// cargo with the environment every cargo-fuzz command needs.
fn cargo_fuzz() -> Command {
    let mut command = cargo();
    command.arg("fuzz").env("RUSTC_BOOTSTRAP", "1");
    command
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = cargo_fuzz()
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    run(cargo().args(["install", "cargo-fuzz", "--locked"]))
}

/// What one libFuzzer run reported, read from its log.
#[derive(Debug, Default, PartialEq)]
struct Summary {
    seconds: u64,
    execs: Option<u64>,
    coverage: Option<u64>,
    features: Option<u64>,
    corpus: Option<u64>,
    crash: Option<String>,
}

/// The number after `key` in `line` (`cov: 2568`), if any.
fn field(line: &str, key: &str) -> Option<u64> {
    let rest = &line[line.find(key)? + key.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn summarise(log: &str) -> Summary {
    let mut summary = Summary::default();
    for line in log.lines() {
        // Status lines: `#118264	DONE   cov: 2568 ft: 10050 corp: 1109/786Kb ...`.
        if line.starts_with('#') && line.contains("cov: ") {
            summary.coverage = field(line, "cov:").or(summary.coverage);
            summary.features = field(line, "ft:").or(summary.features);
            summary.corpus = field(line, "corp:").or(summary.corpus);
        }
        if let Some(n) = line
            .strip_prefix("stat::number_of_executed_units:")
            .and_then(|n| n.trim().parse().ok())
        {
            summary.execs = Some(n);
        }
        if let Some(i) = line.find("Test unit written to ") {
            summary.crash = Some(line[i + "Test unit written to ".len()..].trim().to_owned());
        }
    }
    summary
}

fn or_unknown(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

/// Adds every seed (see [`seeds`]) the corpus lacks, named by content.
fn seed(root: &Path, target: &str, corpus: &Path) -> Result<(), String> {
    fs::create_dir_all(corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let seeds = seeds(root, target)?;
    let mut added = 0;
    for (name, bytes) in &seeds {
        let path = corpus.join(name);
        if !path.exists() {
            fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            added += 1;
        }
    }
    if !seeds.is_empty() {
        println!(
            "fuzz: {target}: {} seeds, {added} new in the corpus",
            seeds.len()
        );
    }
    Ok(())
}

/// Runs one target for `seconds`, its libFuzzer output going to a log file.
fn fuzz_target(root: &Path, target: &str, seconds: u64) -> Result<Summary, String> {
    let target_dir = root.join("target");
    let corpus = target_dir.join("fuzz-corpus").join(target);
    let artifacts = target_dir.join("fuzz-artifacts").join(target);
    let logs = target_dir.join("fuzz-logs");
    seed(root, target, &corpus)?;
    for dir in [&artifacts, &logs] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log = fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    // libFuzzer wants the prefix as a directory with its trailing separator.
    let mut prefix = OsString::from("-artifact_prefix=");
    prefix.push(artifacts.as_os_str());
    prefix.push("/");
    let mut command = cargo_fuzz();
    command
        .args(["run", target])
        .arg(&corpus)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .arg(prefix)
        .stdout(Stdio::null())
        .stderr(log);
    eprintln!("$ {}  (output in {})", show(&command), log_path.display());
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{}`: {e}", show(&command)))?;
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let summary = Summary {
        seconds: started.elapsed().as_secs(),
        ..summarise(&text)
    };
    if !status.success() && summary.crash.is_none() {
        return Err(format!(
            "fuzz target `{target}` failed ({status}) after {} s without writing a crash input; see {}",
            summary.seconds,
            log_path.display()
        ));
    }
    Ok(summary)
}

/// `cargo xtask fuzz --seconds N [--target T]...`.
pub fn fuzz(args: &[OsString]) -> Result<(), String> {
    let options = options(args)?;
    let root = project_root();
    ensure_cargo_fuzz()?;
    run(cargo_fuzz().arg("build"))?;
    let mut crashes: Vec<(String, PathBuf)> = Vec::new();
    let mut lines = Vec::new();
    for target in &options.targets {
        let summary = fuzz_target(&root, target, options.seconds)?;
        let line = format!(
            "{target}: {} execs in {} s, coverage {} edges / {} features, corpus {} inputs, crashes {}",
            or_unknown(summary.execs),
            summary.seconds,
            or_unknown(summary.coverage),
            or_unknown(summary.features),
            or_unknown(summary.corpus),
            usize::from(summary.crash.is_some()),
        );
        eprintln!("xtask fuzz: {line}");
        lines.push(line);
        if let Some(crash) = summary.crash {
            crashes.push((target.clone(), PathBuf::from(crash)));
        }
    }
    eprintln!("xtask fuzz: summary");
    for line in &lines {
        eprintln!("  {line}");
    }
    if crashes.is_empty() {
        return Ok(());
    }
    for (target, input) in &crashes {
        eprintln!(
            "xtask fuzz: {target} crashed; reproduce with `RUSTC_BOOTSTRAP=1 cargo fuzz run {target} {}`",
            input.display()
        );
    }
    Err(format!("{} fuzz target(s) crashed", crashes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_the_final_status_stats_and_crash() {
        let log = "\
#856	INITED cov: 2220 ft: 6071 corp: 717/31Kb exec/s: 0 rss: 65Mb
#118264	DONE   cov: 2568 ft: 10050 corp: 1109/786Kb lim: 3648 exec/s: 7391 rss: 459Mb
artifact_prefix='a/'; Test unit written to a/crash-0123
stat::number_of_executed_units: 118264
";
        assert_eq!(
            summarise(log),
            Summary {
                seconds: 0,
                execs: Some(118_264),
                coverage: Some(2568),
                features: Some(10050),
                corpus: Some(1109),
                crash: Some("a/crash-0123".into()),
            }
        );
    }

    #[test]
    fn every_target_has_a_source_file() {
        for target in TARGETS {
            let path = project_root()
                .join("fuzz")
                .join("fuzz_targets")
                .join(format!("{target}.rs"));
            assert!(path.is_file(), "{} is missing", path.display());
        }
    }

    #[test]
    fn options_need_seconds_and_known_targets() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(options(&args(&[])).is_err());
        assert!(options(&args(&["--seconds", "5", "--target", "nope"])).is_err());
        let o = options(&args(&["--seconds", "5", "--target", "encode"])).unwrap();
        assert_eq!((o.seconds, o.targets), (5, vec!["encode".to_owned()]));
    }
}
