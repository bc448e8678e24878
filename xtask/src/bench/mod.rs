//! `cargo xtask bench`: run the benchmark suite of `prom-benches` and rewrite
//! `docs/benchmarks.md` from that one run.
//!
//! The workloads, each optional (`--only`), one module each:
//! - [`criterion`]: every criterion benchmark (`cargo bench -p prom-benches --bench '*'`).
//!   Criterion writes into a directory of this run alone (`CRITERION_HOME` under
//!   `target/bench-run`, emptied first), so the document never mixes in results of an
//!   earlier or partial run;
//! - [`golang`]: client_golang's rows of the criterion tables, from a Go program of
//!   `testing.Benchmark`s (and the client_golang server of the scrape workload), built
//!   offline against Debian's client_golang source;
//! - [`memory`]: memory per labelled counter series, the `series_memory` program once per
//!   implementation, each in its own process;
//! - [`scale`]: how encode time, memory and lookup time per series grow from 1,000 to
//!   1,000,000 series, the `series_scale` program once per implementation and size;
//! - [`scrape`]: scrapes over HTTP on loopback, the `scrape_server` program (and
//!   `benches/scripts/scrape_server.py` for the Python client, the Go program for
//!   client_golang) under `wrk`, plainly and with Prometheus' own headers, stopped
//!   afterwards;
//! - [`requests`]: requests to one axum app, bare and with each request-metrics layer
//!   (the `request_server` program), under `wrk`.
//!
//! The memory, scrape and request workloads repeat `--rounds` times, interleaving the
//! implementations within each round, so a slow spell of the machine hits all of them.
//! [`machine`] describes the machine and [`report`] renders the document.

mod criterion;
mod golang;
mod machine;
mod memory;
mod report;
mod requests;
mod scale;
mod scrape;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::{cargo, peers, project_root, show, stdout_of};

/// The document's path, relative to the workspace root.
const DOC: &str = "docs/benchmarks.md";

#[derive(Debug, Clone, PartialEq)]
struct Options {
    warm_up_secs: u32,
    measurement_secs: u32,
    filter: Option<String>,
    criterion: bool,
    golang: bool,
    memory: bool,
    scale: bool,
    scrape: bool,
    requests: bool,
    /// The servers of the scrape workload, in their order.
    servers: Vec<scrape::Server>,
    rounds: usize,
    scrape_secs: u32,
    out: PathBuf,
    /// The command as typed, for the document's head.
    command: String,
}

impl Options {
    fn parse(args: &[OsString]) -> Result<Options, String> {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                a.to_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("argument {a:?} is not UTF-8"))
            })
            .collect::<Result<_, _>>()?;
        let mut quick = false;
        let mut filter = None;
        let mut only: Option<String> = None;
        let mut servers: Option<String> = None;
        let mut rounds = None;
        let mut scrape_secs = None;
        let mut out = None;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value; see `cargo xtask help`"))
            };
            match arg.as_str() {
                "--quick" => quick = true,
                "--filter" => filter = Some(value("--filter")?),
                "--only" => only = Some(value("--only")?),
                "--servers" => servers = Some(value("--servers")?),
                "--rounds" => rounds = Some(positive("--rounds", &value("--rounds")?)?),
                "--scrape-seconds" => {
                    scrape_secs = Some(positive("--scrape-seconds", &value("--scrape-seconds")?)?);
                }
                "--out" => out = Some(PathBuf::from(value("--out")?)),
                other => {
                    return Err(format!(
                        "unknown bench option `{other}`; see `cargo xtask help`"
                    ))
                }
            }
        }
        let [mut criterion, mut golang, mut memory, mut scale, mut scrape, mut requests] =
            [true; 6];
        if let Some(only) = &only {
            [criterion, golang, memory, scale, scrape, requests] = [false; 6];
            for part in only.split(',').map(str::trim) {
                match part {
                    "criterion" => criterion = true,
                    "golang" => golang = true,
                    "memory" => memory = true,
                    "scale" => scale = true,
                    "scrape" => scrape = true,
                    "requests" => requests = true,
                    other => {
                        return Err(format!(
                            "--only: unknown part `{other}`; the parts are criterion, golang, \
                             memory, scale, scrape, requests"
                        ))
                    }
                }
            }
        }
        let servers = match &servers {
            None => scrape::Server::ALL.to_vec(),
            Some(list) => {
                let mut chosen = Vec::new();
                for name in list.split(',').map(str::trim) {
                    let names = || {
                        let all: Vec<&str> = scrape::Server::ALL.iter().map(|s| s.arg()).collect();
                        all.join(", ")
                    };
                    let server = scrape::Server::ALL
                        .into_iter()
                        .find(|s| s.arg() == name)
                        .ok_or_else(|| {
                            format!(
                                "--servers: unknown server `{name}`; the servers are {}",
                                names()
                            )
                        })?;
                    if !chosen.contains(&server) {
                        chosen.push(server);
                    }
                }
                // In the workload's own order, whatever the order given.
                chosen.sort_by_key(|s| scrape::Server::ALL.iter().position(|a| a == s));
                chosen
            }
        };
        let mut command = String::from("cargo xtask bench");
        if !args.is_empty() {
            command.push_str(" --");
            for arg in &args {
                command.push(' ');
                command.push_str(&shell_word(arg));
            }
        }
        Ok(Options {
            warm_up_secs: if quick { 1 } else { 2 },
            measurement_secs: if quick { 2 } else { 5 },
            filter,
            criterion,
            golang,
            memory,
            scale,
            scrape,
            requests,
            servers,
            rounds: rounds.unwrap_or(if quick { 1 } else { 3 }),
            scrape_secs: scrape_secs.map_or(if quick { 3 } else { 10 }, |s| s as u32),
            out: out.unwrap_or_else(|| PathBuf::from(DOC)),
            command,
        })
    }
}

fn positive(name: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 && n <= 3600 => Ok(n),
        _ => Err(format!(
            "{name} {value:?}: expected a whole number from 1 to 3600"
        )),
    }
}

/// `arg` quoted for a POSIX shell when it needs it.
fn shell_word(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Runs the suite and writes the document; `cargo xtask help` tells the options.
pub(crate) fn bench(args: &[OsString]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    let machine = machine::Machine::probe();

    // Everything that can fail for want of a tool fails before the long part.
    let programs = if options.memory || options.scale || options.scrape || options.requests {
        Some(build_programs()?)
    } else {
        None
    };
    let go = if options.golang
        || (options.scrape && options.servers.contains(&scrape::Server::Golang))
    {
        Some(golang::Go::build()?)
    } else {
        None
    };
    let scrape_tools = if options.scrape || options.requests {
        Some(scrape::Tools {
            wrk: scrape::ensure_wrk()?,
            python: peers::ensure_python_venv()?,
        })
    } else {
        None
    };

    let mut report = Report::default();
    if options.criterion {
        report.criterion = Some(criterion::run(&options)?);
    }
    if let (true, Some(go)) = (options.golang, &go) {
        let (groups, gomaxprocs) = go.run_microbench(&options)?;
        golang::merge(report.criterion.get_or_insert_with(Vec::new), groups);
        report.gomaxprocs = Some(gomaxprocs);
    }
    if let Some(go) = &go {
        report.go_versions = go.versions();
    }
    if let (true, Some(programs)) = (options.memory, &programs) {
        report.memory = Some(memory::run(&programs.series_memory, options.rounds)?);
    }
    if let (true, Some(programs)) = (options.scale, &programs) {
        report.scale = Some(scale::run(&programs.series_scale)?);
    }
    if let (Some(tools), Some(programs)) = (&scrape_tools, &programs) {
        report.tool_versions = tools.versions();
        if options.scrape {
            report.scrape = Some(scrape::run(&options, programs, tools, go.as_ref())?);
        }
        if options.requests {
            report.requests = Some(requests::run(&options, programs, &tools.wrk)?);
        }
    }
    report.elapsed = started.elapsed();

    let text = report::render(&options, &machine, &report);
    let out = project_root().join(&options.out);
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(&out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "xtask bench: wrote {} ({:.1} min)",
        options.out.display(),
        report.elapsed.as_secs_f64() / 60.0
    );
    Ok(())
}

/// What one run measured.
#[derive(Debug, Default)]
struct Report {
    criterion: Option<Vec<criterion::Group>>,
    /// GOMAXPROCS of client_golang's micro-benchmarks, when they ran.
    gomaxprocs: Option<u64>,
    memory: Option<Vec<memory::Row>>,
    scale: Option<Vec<scale::Row>>,
    scrape: Option<Vec<scrape::Row>>,
    requests: Option<Vec<requests::Row>>,
    /// Versions of the scrape workload's tools, by name.
    tool_versions: Vec<(String, String)>,
    /// Versions of client_golang and Go, when a Go program ran.
    go_versions: Vec<(String, String)>,
    elapsed: Duration,
}

/// Median, minimum and maximum of a set of measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
    count: usize,
}

impl Stats {
    fn of(values: &[f64]) -> Option<Stats> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Stats {
            median,
            min: v[0],
            max: v[n - 1],
            count: n,
        })
    }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => project_root().join(dir),
        None => project_root().join("target"),
    }
}

/// The programs of the memory and scrape workloads.
struct Programs {
    series_memory: PathBuf,
    series_scale: PathBuf,
    scrape_server: PathBuf,
    request_server: PathBuf,
}

/// Builds the programs in the `bench` profile, sharing the criterion build's
/// dependencies, and returns their paths as cargo reports them.
fn build_programs() -> Result<Programs, String> {
    let mut command = cargo();
    command
        .args([
            "build",
            "--profile",
            "bench",
            "-p",
            "prom-benches",
            "--bins",
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(Stdio::inherit());
    eprintln!("$ {}", show(&command));
    let stdout = stdout_of(&mut command)?;
    let mut executables = BTreeMap::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let name = message
            .get("target")
            .and_then(|t| t.get("name"))
            .and_then(serde_json::Value::as_str);
        let executable = message
            .get("executable")
            .and_then(serde_json::Value::as_str);
        if let (Some(name), Some(executable)) = (name, executable) {
            executables.insert(name.to_owned(), PathBuf::from(executable));
        }
    }
    let mut take = |name: &str| {
        executables
            .remove(name)
            .ok_or_else(|| format!("`{}` built no `{name}` program", show(&command)))
    };
    Ok(Programs {
        series_memory: take("series_memory")?,
        series_scale: take("series_scale")?,
        scrape_server: take("scrape_server")?,
        request_server: take("request_server")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_default_quick_and_explicit() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.warm_up_secs, o.measurement_secs), (2, 5));
        assert_eq!((o.rounds, o.scrape_secs), (3, 10));
        assert!(o.criterion && o.golang && o.memory && o.scale && o.scrape && o.requests);
        assert_eq!(o.servers, scrape::Server::ALL);
        assert_eq!(o.command, "cargo xtask bench");
        assert_eq!(o.out, PathBuf::from(DOC));

        let o = Options::parse(&args(&[
            "--quick",
            "--filter",
            "counter_inc.*",
            "--only",
            "criterion,scrape",
        ]))
        .unwrap();
        assert_eq!((o.warm_up_secs, o.measurement_secs), (1, 2));
        assert_eq!((o.rounds, o.scrape_secs), (1, 3));
        assert!(o.criterion && !o.golang && !o.memory && !o.scale && o.scrape && !o.requests);
        assert_eq!(o.filter.as_deref(), Some("counter_inc.*"));
        assert_eq!(
            o.command,
            "cargo xtask bench -- --quick --filter 'counter_inc.*' --only criterion,scrape"
        );

        let o = Options::parse(&args(&[
            "--quick",
            "--rounds",
            "2",
            "--scrape-seconds",
            "5",
        ]))
        .unwrap();
        assert_eq!((o.rounds, o.scrape_secs), (2, 5));

        let o = Options::parse(&args(&[
            "--only",
            "scrape",
            "--servers",
            "golang,prom,golang",
        ]))
        .unwrap();
        assert_eq!(o.servers, [scrape::Server::Prom, scrape::Server::Golang]);
        for bad in [
            &["--rounds"][..],
            &["--rounds", "0"],
            &["--only", "everything"],
            &["--servers", "prom,java"],
            &["--fast"],
        ] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stats_are_the_median_and_range() {
        assert_eq!(Stats::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert!(Stats::of(&[f64::NAN]).is_none());
    }
}
