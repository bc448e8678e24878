//! `cargo xtask bench`: run the benchmark suite of `prom-benches` and rewrite
//! `docs/benchmarks.md` from that one run.
//!
//! Three parts, each optional (`--only`):
//! 1. every criterion benchmark (`cargo bench -p prom-benches --bench '*'`).
//!    Criterion writes into a directory of this run alone (`CRITERION_HOME`
//!    under `target/bench-run`, emptied first), so the document never mixes
//!    in results of an earlier or partial run;
//! 2. workload 6, memory per labelled counter series: the `series_memory`
//!    program once per implementation, each in its own process;
//! 3. workload 7, scrapes over HTTP on loopback: the `scrape_server` program
//!    (and `benches/scripts/scrape_server.py` for the Python client) under
//!    `wrk`, stopped afterwards.
//!
//! Parts 2 and 3 repeat `--rounds` times, interleaving the implementations
//! within each round, so a slow spell of the machine hits all of them.
//!
//! Everything is std-only, like the rest of xtask: the JSON that criterion
//! and cargo write is read by the small parser at the bottom.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{cargo, peers, project_root, run, show};

/// The document's path, relative to the workspace root.
const DOC: &str = "docs/benchmarks.md";

/// Implementations of workload 6: the `series_memory` argument and the row's name.
const MEMORY_IMPLS: &[(&str, &str)] = &[
    ("prom", "prom CounterVec"),
    ("prometheus", "prometheus CounterVec"),
    (
        "prometheus-client",
        "prometheus-client Family<Labels, Counter>",
    ),
    ("metrics", "metrics + metrics-exporter-prometheus recorder"),
    ("hashmap", "baseline HashMap<(String, String), AtomicU64>"),
];

/// Series of workload 6.
const MEMORY_SERIES: usize = 100_000;

/// Series of workload 7.
const SCRAPE_SERIES: usize = 10_000;

/// Connections `wrk` keeps open; one `wrk` thread drives them.
const WRK_CONNECTIONS: u32 = 2;

/// The servers of workload 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Prom,
    Metrics,
    Python,
}

impl Server {
    const ALL: [Server; 3] = [Server::Prom, Server::Metrics, Server::Python];

    fn row_name(self) -> &'static str {
        match self {
            Server::Prom => "prom prom_http::start_http_server",
            Server::Metrics => "metrics-exporter-prometheus HTTP listener",
            Server::Python => "Python prometheus_client start_http_server",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Options {
    warm_up_secs: u32,
    measurement_secs: u32,
    filter: Option<String>,
    criterion: bool,
    memory: bool,
    scrape: bool,
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
        let (mut criterion, mut memory, mut scrape) = (true, true, true);
        if let Some(only) = &only {
            (criterion, memory, scrape) = (false, false, false);
            for part in only.split(',').map(str::trim) {
                match part {
                    "criterion" => criterion = true,
                    "memory" => memory = true,
                    "scrape" => scrape = true,
                    other => {
                        return Err(format!(
                        "--only: unknown part `{other}`; the parts are criterion, memory, scrape"
                    ))
                    }
                }
            }
        }
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
            memory,
            scrape,
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
    let machine = Machine::probe();

    // Everything that can fail for want of a tool fails before the long part.
    let programs = if options.memory || options.scrape {
        Some(build_programs()?)
    } else {
        None
    };
    let scrape_tools = if options.scrape {
        Some(ScrapeTools {
            wrk: ensure_wrk()?,
            python: peers::ensure_python_venv()?,
        })
    } else {
        None
    };

    let mut report = Report::default();
    if options.criterion {
        report.criterion = Some(run_criterion(&options)?);
    }
    if let (true, Some(programs)) = (options.memory, &programs) {
        report.memory = Some(run_memory(&programs.series_memory, options.rounds)?);
    }
    if let (Some(tools), Some(programs)) = (&scrape_tools, &programs) {
        report.tool_versions = tools.versions();
        report.scrape = Some(run_scrape(&options, programs, tools)?);
    }
    report.elapsed = started.elapsed();

    let text = render(&options, &machine, &report);
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
    criterion: Option<Vec<Group>>,
    memory: Option<Vec<MemoryRow>>,
    scrape: Option<Vec<ScrapeRow>>,
    /// Versions of the tools of workload 7, by name.
    tool_versions: Vec<(String, String)>,
    elapsed: Duration,
}

// ---------------------------------------------------------------------------
// Criterion

/// One criterion group: a table of the document.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    id: String,
    rows: Vec<Row>,
}

/// One benchmark: per-sample times in nanoseconds per iteration.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    name: String,
    stats: Stats,
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

fn run_criterion(options: &Options) -> Result<Vec<Group>, String> {
    let home = target_dir().join("bench-run").join("criterion");
    if home.exists() {
        fs::remove_dir_all(&home).map_err(|e| format!("cannot empty {}: {e}", home.display()))?;
    }
    let mut command = cargo();
    // `--bench '*'` selects the criterion programs only: the library and the
    // programs in src/bin would run under libtest's harness, which rejects
    // criterion's options.
    command
        .args(["bench", "-p", "prom-benches", "--bench", "*", "--"])
        .args(["--warm-up-time", &options.warm_up_secs.to_string()])
        .args(["--measurement-time", &options.measurement_secs.to_string()])
        .args(options.filter.as_deref())
        .env("CRITERION_HOME", &home);
    run(&mut command)?;
    read_criterion(&home)
}

/// Reads every benchmark under a criterion output directory, grouped, in the
/// order they ran (the order of their results' modification times).
fn read_criterion(home: &Path) -> Result<Vec<Group>, String> {
    let mut found = Vec::new();
    collect_new_dirs(home, &mut found)?;
    let mut benchmarks = Vec::new();
    for dir in found {
        let benchmark = read_json(&dir.join("benchmark.json"))?;
        let sample_path = dir.join("sample.json");
        let sample = read_json(&sample_path)?;
        let modified = fs::metadata(&sample_path)
            .map(|m| (m.mtime(), m.mtime_nsec()))
            .map_err(|e| format!("cannot stat {}: {e}", sample_path.display()))?;
        let group = benchmark
            .get("group_id")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("no group_id in {}", dir.display()))?
            .to_owned();
        let function = benchmark.get("function_id").and_then(Json::as_str);
        let value = benchmark.get("value_str").and_then(Json::as_str);
        let name = match (function, value) {
            (Some(f), Some(v)) => format!("{f}/{v}"),
            (Some(f), None) => f.to_owned(),
            (None, Some(v)) => v.to_owned(),
            (None, None) => group.clone(),
        };
        let stats = Stats::of(
            &per_iteration(&sample).map_err(|e| format!("{}: {e}", sample_path.display()))?,
        )
        .ok_or_else(|| format!("{}: no samples", sample_path.display()))?;
        benchmarks.push((modified, group, Row { name, stats }));
    }
    benchmarks.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut groups: Vec<Group> = Vec::new();
    for (_, id, row) in benchmarks {
        match groups.iter_mut().find(|g| g.id == id) {
            Some(group) => group.rows.push(row),
            None => groups.push(Group {
                id,
                rows: vec![row],
            }),
        }
    }
    Ok(groups)
}

/// The `new` directories (one per benchmark, holding this run's results).
fn collect_new_dirs(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // Nothing ran (a filter that matches nothing): no results.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") && path.join("sample.json").is_file() {
            found.push(path);
        } else {
            collect_new_dirs(&path, found)?;
        }
    }
    Ok(())
}

/// Per-sample time per iteration, `times[i] / iters[i]`, from a criterion
/// `sample.json` (times in nanoseconds).
fn per_iteration(sample: &Json) -> Result<Vec<f64>, String> {
    let numbers = |key: &str| -> Result<Vec<f64>, String> {
        sample
            .get(key)
            .and_then(Json::as_array)
            .ok_or_else(|| format!("no `{key}` array"))?
            .iter()
            .map(|v| v.as_f64().ok_or_else(|| format!("a non-number in `{key}`")))
            .collect()
    };
    let iters = numbers("iters")?;
    let times = numbers("times")?;
    if iters.len() != times.len() {
        return Err("`iters` and `times` differ in length".into());
    }
    Ok(iters
        .iter()
        .zip(&times)
        .filter(|(i, _)| **i > 0.0)
        .map(|(i, t)| t / i)
        .collect())
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// The programs of workloads 6 and 7

struct Programs {
    series_memory: PathBuf,
    scrape_server: PathBuf,
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
    let output = command
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", show(&command)))?;
    if !output.status.success() {
        return Err(format!("`{}` failed ({})", show(&command), output.status));
    }
    let mut executables = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = parse_json(line) else {
            continue;
        };
        let name = message
            .get("target")
            .and_then(|t| t.get("name"))
            .and_then(Json::as_str);
        let executable = message.get("executable").and_then(Json::as_str);
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
        scrape_server: take("scrape_server")?,
    })
}

// ---------------------------------------------------------------------------
// Workload 6

#[derive(Debug, Clone, PartialEq)]
struct MemoryRow {
    name: String,
    rss: Stats,
    heap: Stats,
}

fn run_memory(program: &Path, rounds: usize) -> Result<Vec<MemoryRow>, String> {
    let mut rss: Vec<Vec<f64>> = vec![Vec::new(); MEMORY_IMPLS.len()];
    let mut heap: Vec<Vec<f64>> = vec![Vec::new(); MEMORY_IMPLS.len()];
    for round in 1..=rounds {
        for (i, (arg, _)) in MEMORY_IMPLS.iter().enumerate() {
            let mut command = Command::new(program);
            command
                .arg(arg)
                .args(["--series", &MEMORY_SERIES.to_string()]);
            eprintln!(
                "$ {}   # workload 6, round {round}/{rounds}",
                show(&command)
            );
            let output = command
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("cannot run `{}`: {e}", show(&command)))?;
            if !output.status.success() {
                return Err(format!("`{}` failed ({})", show(&command), output.status));
            }
            let stdout = String::from_utf8_lossy(&output.stdout);
            let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
            let result = line
                .and_then(|l| parse_json(l).ok())
                .ok_or_else(|| format!("`{}` printed no JSON line: {stdout:?}", show(&command)))?;
            eprintln!("{}", line.unwrap_or_default());
            let field = |key: &str| {
                result
                    .get(key)
                    .and_then(Json::as_f64)
                    .ok_or_else(|| format!("`{}` printed no `{key}`", show(&command)))
            };
            rss[i].push(field("rss_bytes_per_series")?);
            heap[i].push(field("heap_bytes_per_series")?);
        }
    }
    MEMORY_IMPLS
        .iter()
        .zip(rss.iter().zip(&heap))
        .map(|((_, name), (rss, heap))| {
            Ok(MemoryRow {
                name: (*name).to_owned(),
                rss: Stats::of(rss).ok_or("no memory measurement")?,
                heap: Stats::of(heap).ok_or("no memory measurement")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Workload 7

struct ScrapeTools {
    wrk: PathBuf,
    python: PathBuf,
}

impl ScrapeTools {
    /// Versions of wrk, Python and its client, for the document's head.
    fn versions(&self) -> Vec<(String, String)> {
        let mut versions = Vec::new();
        // `wrk -v` prints its version line and exits non-zero.
        if let Ok(out) = Command::new(&self.wrk).arg("-v").output() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            if let Some(line) = text.lines().find(|l| l.starts_with("wrk ")) {
                versions.push((
                    "wrk".into(),
                    line.trim_start_matches("wrk ")
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
        }
        let script = "import platform, importlib.metadata as m; \
                      print(platform.python_version(), m.version('prometheus_client'))";
        if let Ok(out) = Command::new(&self.python).args(["-c", script]).output() {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut words = text.split_whitespace();
            if let (Some(python), Some(client)) = (words.next(), words.next()) {
                versions.push(("Python".into(), python.to_owned()));
                versions.push(("prometheus_client (Python)".into(), client.to_owned()));
            }
        }
        versions
    }
}

#[derive(Debug, Clone, PartialEq)]
struct ScrapeRow {
    name: String,
    requests_per_sec: Stats,
    /// p99 latency in milliseconds.
    p99_ms: Stats,
    /// Size of one response body, from the check before the load.
    body_bytes: usize,
    /// Socket errors and non-2xx responses over all rounds.
    errors: u64,
    requests: u64,
}

/// Which `wrk` to run, installing Debian's package when none is on `PATH`.
fn ensure_wrk() -> Result<PathBuf, String> {
    if let Some(wrk) = find_program("wrk") {
        return Ok(wrk);
    }
    let install = "apt-get update && DEBIAN_FRONTEND=noninteractive \
                   apt-get install -y --no-install-recommends wrk";
    let root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        return Err(format!(
            "workload 7 needs wrk, and installing it needs root; run\n    sudo sh -c '{install}'\n\
             then `cargo xtask bench` again (or leave it out: `cargo xtask bench -- --only criterion,memory`)"
        ));
    }
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "wrk"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    find_program("wrk").ok_or_else(|| format!("still no wrk on PATH after `{install}`"))
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/bin", "/usr/local/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
        })
}

/// A server process of ours, killed (by its id) and reaped when dropped.
struct Running {
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        // The process may have exited already; then there is nothing to stop.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long a server may take to print `ready`: the Python one creates its
/// series in the interpreter.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

fn start_server(command: &mut Command) -> Result<Running, String> {
    let shown = show(command);
    eprintln!("$ {shown} &");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let mut running = Running { child };
    let stdout = running
        .child
        .stdout
        .take()
        .ok_or_else(|| format!("`{shown}`: no stdout pipe"))?;
    let (tx, rx) = mpsc::channel();
    // Reads until `ready`, then keeps draining (and ends with the process).
    std::thread::spawn(move || {
        let mut said_ready = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !said_ready && line.trim() == "ready" {
                said_ready = true;
                let _ = tx.send(true);
            }
        }
        if !said_ready {
            let _ = tx.send(false);
        }
    });
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok(true) => Ok(running),
        Ok(false) => {
            let status = running
                .child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_default();
            Err(format!(
                "`{shown}` ended before printing `ready` ({status})"
            ))
        }
        Err(_) => Err(format!(
            "`{shown}` did not print `ready` within {} s",
            READY_TIMEOUT.as_secs()
        )),
    }
}

/// A free loopback port: bound, read, released. Another program could take
/// it in between; the server's bind error would then say so.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))
}

/// One `GET /metrics`, returning the body; checks the server before the load.
fn fetch_metrics(port: u16) -> Result<String, String> {
    let failed = |e: std::io::Error| format!("GET http://127.0.0.1:{port}/metrics: {e}");
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(failed)?;
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(failed)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(failed)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET http://127.0.0.1:{port}/metrics: no end of headers"))?;
    let status = head.lines().next().unwrap_or_default();
    if !status.contains(" 200") {
        return Err(format!(
            "GET http://127.0.0.1:{port}/metrics answered `{status}`"
        ));
    }
    Ok(body.to_owned())
}

/// What `wrk --latency` reports.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WrkResult {
    requests_per_sec: f64,
    p99_ms: f64,
    requests: u64,
    errors: u64,
}

fn run_scrape(
    options: &Options,
    programs: &Programs,
    tools: &ScrapeTools,
) -> Result<Vec<ScrapeRow>, String> {
    let script = project_root().join("benches/scripts/scrape_server.py");
    let mut results: Vec<Vec<WrkResult>> = vec![Vec::new(); Server::ALL.len()];
    let mut bodies = [0usize; 3];
    let rounds = options.rounds;
    for round in 1..=rounds {
        for (i, server) in Server::ALL.into_iter().enumerate() {
            let port = free_port()?;
            let mut command = match server {
                Server::Prom | Server::Metrics => {
                    let mut c = Command::new(&programs.scrape_server);
                    c.arg(if server == Server::Prom {
                        "prom"
                    } else {
                        "metrics"
                    });
                    c
                }
                Server::Python => {
                    let mut c = Command::new(&tools.python);
                    c.arg(&script);
                    c
                }
            };
            command
                .arg(port.to_string())
                .args(["--series", &SCRAPE_SERIES.to_string()])
                .current_dir(project_root());
            eprintln!(
                "xtask bench: workload 7, round {round}/{rounds}: {}",
                server.row_name()
            );
            let running = start_server(&mut command)?;
            let body = fetch_metrics(port)?;
            let samples = body
                .lines()
                .filter(|l| l.starts_with("http_requests_total{"))
                .count();
            if samples != SCRAPE_SERIES {
                return Err(format!(
                    "{} served {samples} series instead of {SCRAPE_SERIES}",
                    server.row_name()
                ));
            }
            bodies[i] = body.len();
            let mut wrk = Command::new(&tools.wrk);
            wrk.args(["-t", "1", "-c", &WRK_CONNECTIONS.to_string()])
                .args(["-d", &format!("{}s", options.scrape_secs)])
                .args(["--timeout", "10s", "--latency"])
                .arg(format!("http://127.0.0.1:{port}/metrics"));
            eprintln!("$ {}", show(&wrk));
            let output = wrk
                .output()
                .map_err(|e| format!("cannot run `{}`: {e}", show(&wrk)))?;
            drop(running);
            let text = String::from_utf8_lossy(&output.stdout);
            eprint!("{text}");
            if !output.status.success() {
                return Err(format!(
                    "`{}` failed ({}): {}",
                    show(&wrk),
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            results[i].push(parse_wrk(&text).map_err(|e| format!("`{}`: {e}", show(&wrk)))?);
        }
    }
    Server::ALL
        .into_iter()
        .zip(results.iter().zip(bodies))
        .map(|(server, (runs, body_bytes))| {
            let rps: Vec<f64> = runs.iter().map(|r| r.requests_per_sec).collect();
            let p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
            Ok(ScrapeRow {
                name: server.row_name().to_owned(),
                requests_per_sec: Stats::of(&rps).ok_or("no wrk run")?,
                p99_ms: Stats::of(&p99).ok_or("no wrk run")?,
                body_bytes,
                errors: runs.iter().map(|r| r.errors).sum(),
                requests: runs.iter().map(|r| r.requests).sum(),
            })
        })
        .collect()
}

/// Reads requests/s, the 99th percentile, the request count and the errors
/// from `wrk --latency` output.
fn parse_wrk(text: &str) -> Result<WrkResult, String> {
    let mut requests_per_sec = None;
    let mut p99_ms = None;
    let mut requests = None;
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_sec = rest.trim().parse::<f64>().ok();
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99_ms = duration_ms(rest.trim());
        } else if line.contains(" requests in ") {
            requests = line.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += rest.trim().parse::<u64>().unwrap_or(0);
        }
    }
    Ok(WrkResult {
        requests_per_sec: requests_per_sec.ok_or("no `Requests/sec:` line")?,
        p99_ms: p99_ms.ok_or("no `99%` latency line (was --latency given?)")?,
        requests: requests.ok_or("no `N requests in` line")?,
        errors,
    })
}

/// A wrk duration (`812.00us`, `3.21ms`, `1.02s`, `1.50m`) in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    let factor = match unit.trim() {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3600e3,
        _ => return None,
    };
    Some(value * factor)
}

// ---------------------------------------------------------------------------
// The machine

#[derive(Debug, Clone, Default)]
struct Machine {
    nproc: String,
    cpu: String,
    memory: String,
    kernel: String,
    rustc: String,
    /// (crate, versions) of the peers and criterion, from Cargo.lock.
    crates: Vec<(String, String)>,
    date: String,
}

/// Crates whose versions the document names.
const PEER_CRATES: &[&str] = &[
    "prometheus",
    "prometheus-client",
    "metrics",
    "metrics-exporter-prometheus",
    "criterion",
];

impl Machine {
    fn probe() -> Machine {
        let unknown = || "unknown".to_owned();
        let command_line = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(unknown, |(_, v)| v.trim().to_owned());
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or_else(unknown, |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| unknown(), |s| s.trim().to_owned());
        let lock = fs::read_to_string(project_root().join("Cargo.lock")).unwrap_or_default();
        let versions = lock_versions(&lock);
        let crates = PEER_CRATES
            .iter()
            .map(|name| {
                let v = versions.get(*name).map_or_else(unknown, |v| v.join(", "));
                ((*name).to_owned(), v)
            })
            .collect();
        Machine {
            nproc: command_line("nproc", &[]).unwrap_or_else(|| {
                std::thread::available_parallelism().map_or_else(|_| unknown(), |n| n.to_string())
            }),
            cpu,
            memory,
            kernel,
            rustc: command_line("rustc", &["--version"]).unwrap_or_else(unknown),
            crates,
            date: utc_now(),
        }
    }
}

/// Every version of every package in a Cargo.lock.
fn lock_versions(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut name: Option<&str> = None;
    for line in lock.lines() {
        let quoted = |prefix: &str| {
            line.strip_prefix(prefix)
                .map(|v| v.trim().trim_matches('"'))
        };
        if line == "[[package]]" {
            name = None;
        } else if let Some(n) = quoted("name = ") {
            name = Some(n);
        } else if let (Some(v), Some(n)) = (quoted("version = "), name) {
            versions.entry(n.to_owned()).or_default().push(v.to_owned());
        }
    }
    versions
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

// ---------------------------------------------------------------------------
// The document

/// The reference row of a table: the first whose name starts with `prom `.
fn reference<'a>(names: impl IntoIterator<Item = &'a str>) -> (Option<usize>, usize) {
    let prom: Vec<usize> = names
        .into_iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("prom "))
        .map(|(i, _)| i)
        .collect();
    (prom.first().copied(), prom.len())
}

/// `value / reference` as `1.23×`, or `–` without a reference.
fn ratio(value: f64, reference: Option<f64>) -> String {
    match reference {
        Some(r) if r > 0.0 => {
            let x = value / r;
            if x >= 100.0 {
                format!("{x:.0}×")
            } else if x >= 10.0 {
                format!("{x:.1}×")
            } else if x >= 0.1 {
                format!("{x:.2}×")
            } else {
                // Three significant digits, so a small ratio keeps its size.
                let digits = (2 - x.log10().floor() as i32).clamp(2, 12) as usize;
                format!("{x:.digits$}×")
            }
        }
        _ => "–".into(),
    }
}

/// A time in nanoseconds, in the unit that suits `scale_of`.
fn time_in_unit(ns: f64, scale_of: f64) -> String {
    let (div, unit) = if scale_of < 1e3 {
        (1.0, "ns")
    } else if scale_of < 1e6 {
        (1e3, "µs")
    } else if scale_of < 1e9 {
        (1e6, "ms")
    } else {
        (1e9, "s")
    };
    let v = ns / div;
    let digits = if v < 10.0 {
        2
    } else if v < 100.0 {
        1
    } else {
        0
    };
    format!("{v:.digits$} {unit}")
}

/// A number with 3 significant digits or more, without exponent.
fn number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A count with thousands separated: `100,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A benchmark name as a table cell: code, with `|` escaped.
fn cell(name: &str) -> String {
    format!("`{}`", name.replace('|', r"\|"))
}

fn reference_note(names: &[&str]) -> String {
    match reference(names.iter().copied()) {
        (None, _) => "No row of this project here, so no ratios.".into(),
        (Some(i), 1) => format!("Ratios are to {}.", cell(names[i])),
        (Some(i), n) => format!(
            "Ratios are to {}, the first of the {n} rows of this project.",
            cell(names[i])
        ),
    }
}

/// What each criterion group measures, by group id prefix, in the order of
/// the workloads.
const KNOWN_GROUPS: &[(&str, &str)] = &[
    (
        "counter_inc_1_thread",
        "Workload 1: an unlabelled counter incremented by one thread. Every closure \
             discards what the increment returns (prom's `Result`, prometheus-client's \
             previous value), as a caller that branches on it does; handing it to criterion \
             would store it to memory after the atomic.",
    ),
    (
        "counter_inc_2_threads",
        "Workload 2: one counter incremented by two threads at once; time per increment \
             (each thread's own time, the longest, divided by the number of threads).",
    ),
    (
        "labelled_",
        "Workload 3: look up an existing child of a two-label family by borrowed `&str` \
             values and increment it.",
    ),
    (
        "histogram_",
        "Workload 4: histogram observe with the default buckets.",
    ),
    (
        "encode_",
        "Workload 5: encode the whole registry into a reused buffer (prom: \
             `Encoder::encode` into a `Vec<u8>`, straight from the live metrics; the others \
             through their own encoders).",
    ),
];

/// The position of a group among [`KNOWN_GROUPS`] (unknown ones last) and
/// its description.
fn describe_group(id: &str) -> (usize, Option<&'static str>) {
    KNOWN_GROUPS
        .iter()
        .position(|(prefix, _)| id.starts_with(prefix))
        .map_or((KNOWN_GROUPS.len(), None), |i| (i, Some(KNOWN_GROUPS[i].1)))
}

fn render(options: &Options, machine: &Machine, report: &Report) -> String {
    let mut doc = String::new();
    // Writing to a `String` cannot fail; the results are ignored throughout.
    let w = &mut doc;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Generated by `{}` from one run; do not edit by hand (run it again). \
         What the figures mean for the design is discussed in `docs/architecture.md`.\n",
        options.command
    );
    let _ = writeln!(w, "- Date: {}", machine.date);
    let _ = writeln!(
        w,
        "- Duration of the run: {:.1} min",
        report.elapsed.as_secs_f64() / 60.0
    );
    let _ = writeln!(
        w,
        "- Machine: {} CPUs (`nproc`), {}, {} memory, Linux {}",
        machine.nproc, machine.cpu, machine.memory, machine.kernel
    );
    let _ = writeln!(w, "- Compiler: {}", machine.rustc);
    let crates: Vec<String> = machine
        .crates
        .iter()
        .map(|(n, v)| format!("`{n}` {v}"))
        .collect();
    let _ = writeln!(w, "- Crates (from Cargo.lock): {}", crates.join(", "));
    if !report.tool_versions.is_empty() {
        let tools: Vec<String> = report
            .tool_versions
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(w, "- Workload 7: {}", tools.join(", "));
    }
    let _ = writeln!(
        w,
        "\nMedians vary by 30–50% from run to run on a small, noisy machine such as a \
         2-core one (the contended and encode figures most): compare rows within one run, \
         through the ratios, rather than figures across runs. Each row gives the median with \
         the range (min–max) it came from. A ratio is the row's median divided by the \
         median of this project's reference row, named under each table; for times and \
         bytes, below 1 is less than prom.\n"
    );

    if let Some(groups) = &report.criterion {
        render_criterion(w, options, groups);
    }
    if let Some(rows) = &report.memory {
        render_memory(w, options, rows);
    }
    if let Some(rows) = &report.scrape {
        render_scrape(w, options, rows);
    }
    doc
}

fn render_criterion(w: &mut String, options: &Options, groups: &[Group]) {
    let _ = writeln!(w, "## Criterion benchmarks (workloads 1–5)\n");
    let _ = writeln!(
        w,
        "`cargo bench -p prom-benches --bench '*' -- --warm-up-time {} --measurement-time {}{}`. \
         A sample's time is criterion's measured time divided by its iteration count; the \
         median, minimum and maximum are over the samples of the benchmark (100 unless the \
         benchmark sets fewer).\n",
        options.warm_up_secs,
        options.measurement_secs,
        options
            .filter
            .as_deref()
            .map(|f| format!(" {}", shell_word(f)))
            .unwrap_or_default()
    );
    if groups.is_empty() {
        let _ = writeln!(w, "No criterion benchmark ran.\n");
    }
    // In the order of the workloads; criterion runs the programs by name.
    let mut groups: Vec<&Group> = groups.iter().collect();
    groups.sort_by_key(|g| describe_group(&g.id).0);
    for group in groups {
        let _ = writeln!(w, "### `{}`\n", group.id);
        if let Some(text) = describe_group(&group.id).1 {
            let _ = writeln!(w, "{text}\n");
        }
        let names: Vec<&str> = group.rows.iter().map(|r| r.name.as_str()).collect();
        let (reference, _) = reference(names.iter().copied());
        let reference = reference.map(|i| group.rows[i].stats.median);
        let _ = writeln!(w, "| implementation | median | min–max | ratio to prom |");
        let _ = writeln!(w, "|---|---:|---:|---:|");
        for row in &group.rows {
            let s = row.stats;
            let _ = writeln!(
                w,
                "| {} | {} | {}–{} | {} |",
                cell(&row.name),
                time_in_unit(s.median, s.median),
                time_in_unit(s.min, s.median)
                    .split(' ')
                    .next()
                    .unwrap_or_default(),
                time_in_unit(s.max, s.median),
                ratio(s.median, reference)
            );
        }
        let _ = writeln!(w, "\n{}\n", reference_note(&names));
    }
}

fn render_memory(w: &mut String, options: &Options, rows: &[MemoryRow]) {
    let _ = writeln!(
        w,
        "## Workload 6: memory per labelled counter series\n\n\
         One counter family with the labels `method` (4 values) and `path` \
         (`/api/v1/resource/<i>`) and {series} children, each incremented once, \
         created in a process of its own per implementation (`series_memory <impl>`). \
         RSS is the growth of the resident set (`/proc/self/statm`) over the creation; \
         the live heap is the growth of the bytes asked of the allocator (a counting \
         global allocator), so it leaves out the allocator's own overhead that RSS \
         includes. Both divided by {series}. {} per implementation, interleaved.\n",
        rounds_text(options.rounds),
        series = thousands(MEMORY_SERIES as u64),
    );
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let (reference, _) = reference(names.iter().copied());
    let rss_ref = reference.map(|i| rows[i].rss.median);
    let heap_ref = reference.map(|i| rows[i].heap.median);
    let _ = writeln!(
        w,
        "| implementation | RSS per series | min–max | ratio to prom | live heap per series | min–max | ratio to prom |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let _ = writeln!(
            w,
            "| {} | {} B | {}–{} B | {} | {} B | {}–{} B | {} |",
            cell(&row.name),
            number(row.rss.median),
            number(row.rss.min),
            number(row.rss.max),
            ratio(row.rss.median, rss_ref),
            number(row.heap.median),
            number(row.heap.min),
            number(row.heap.max),
            ratio(row.heap.median, heap_ref),
        );
    }
    let _ = writeln!(w, "\n{}\n", reference_note(&names));
}

fn render_scrape(w: &mut String, options: &Options, rows: &[ScrapeRow]) {
    let _ = writeln!(
        w,
        "## Workload 7: scrapes over HTTP on loopback\n\n\
         {series} counter series (the labels of workload 6) served on 127.0.0.1 \
         while 2 threads of the serving process increment them round-robin without pause \
         (2 Python threads for the Python client, which also shares the interpreter lock \
         with its server), by `scrape_server prom` (`prom_http::start_http_server` over a \
         `prom_registry::Registry`), `scrape_server metrics` (`metrics-exporter-prometheus` \
         installed with its HTTP listener) and `benches/scripts/scrape_server.py` \
         (`prometheus_client.start_http_server` with a registry of its own, `_created` \
         series off), each started fresh for every run and stopped after it. The load: \
         `wrk -t 1 -c {WRK_CONNECTIONS} -d {}s --timeout 10s --latency \
         http://127.0.0.1:<port>/metrics` on the same machine, so load generator, server \
         and updaters share its CPUs. {} per server, interleaved; one scrape is checked for \
         all {series} series before the load. A ratio above 1 means more scrapes per \
         second, or a longer p99 latency, than prom.\n",
        options.scrape_secs,
        rounds_text(options.rounds),
        series = thousands(SCRAPE_SERIES as u64),
    );
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let (reference, _) = reference(names.iter().copied());
    let rps_ref = reference.map(|i| rows[i].requests_per_sec.median);
    let p99_ref = reference.map(|i| rows[i].p99_ms.median);
    let _ = writeln!(
        w,
        "| server | scrapes/s | min–max | ratio to prom | p99 latency | min–max | ratio to prom | response | scrapes, all runs | errors |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let (rps, p99) = (row.requests_per_sec, row.p99_ms);
        let _ = writeln!(
            w,
            "| {} | {} | {}–{} | {} | {} ms | {}–{} ms | {} | {:.0} KiB | {} | {} |",
            cell(&row.name),
            number(rps.median),
            number(rps.min),
            number(rps.max),
            ratio(rps.median, rps_ref),
            number(p99.median),
            number(p99.min),
            number(p99.max),
            ratio(p99.median, p99_ref),
            row.body_bytes as f64 / 1024.0,
            thousands(row.requests),
            thousands(row.errors),
        );
    }
    let _ = writeln!(
        w,
        "\n{} Errors are wrk's socket errors (timeouts included) and non-2xx responses, \
         over all runs.\n",
        reference_note(&names)
    );
}

fn rounds_text(rounds: usize) -> String {
    if rounds == 1 {
        "One run".into()
    } else {
        format!("{rounds} runs")
    }
}

// ---------------------------------------------------------------------------
// JSON, as criterion and cargo write it

/// A parsed JSON value; objects keep their keys in order.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }
}

fn parse_json(text: &str) -> Result<Json, String> {
    let mut parser = JsonParser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl JsonParser<'_> {
    /// Nesting deeper than this is refused rather than risking the stack.
    const MAX_DEPTH: usize = 128;

    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.at)
    }

    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b" \t\r\n".contains(b))
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > Self::MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        match self.bytes.get(self.at) {
            None => Err(self.error("unexpected end")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Ok(Json::Arr(items));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `]`"));
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.eat(b'}') {
                    return Ok(Json::Obj(fields));
                }
                loop {
                    self.skip_space();
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.error("expected `:`"));
                    }
                    fields.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Ok(Json::Obj(fields));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `}`"));
                    }
                }
            }
            Some(_) => self.number(),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<f64>().ok())
            .map(Json::Num)
            .ok_or_else(|| self.error("expected a value"))
    }

    fn string(&mut self) -> Result<String, String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return Err(self.error("expected a string"));
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("unknown escape")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(byte),
            }
        }
        // The input is a `&str` and escapes add whole characters: valid UTF-8.
        String::from_utf8(out).map_err(|_| self.error("invalid UTF-8"))
    }

    /// The character of a `\uXXXX` escape (the `\u` already read), joining
    /// a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.bytes[self.at..].starts_with(b"\\u") {
                return Err(self.error("lone surrogate"));
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.error("bad surrogate pair"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid code point"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_of_criterion_and_cargo_is_read() {
        let v = parse_json(
            r#" {"sampling_mode":"Linear","iters":[1.0,2.0,3e2],"times":[10,20.5,-1E-3],
                "function_id":"prometheus-client Counter<u64> inc()","value_str":null,
                "s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","ok":true,"no":false,"e":{},"a":[]} "#,
        )
        .unwrap();
        let iters: Vec<f64> = v["iters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(iters, [1.0, 2.0, 300.0]);
        assert_eq!(v["times"].as_array().unwrap()[2].as_f64(), Some(-0.001));
        assert_eq!(v["value_str"], Json::Null);
        assert_eq!(v["s"].as_str(), Some("a\"b\\c/d\né😀"));
        assert_eq!(v["ok"], Json::Bool(true));
        assert_eq!(v["e"], Json::Obj(vec![]));
        assert!(v.get("missing").is_none());
    }

    impl std::ops::Index<&str> for Json {
        type Output = Json;
        fn index(&self, key: &str) -> &Json {
            self.get(key).unwrap()
        }
    }

    #[test]
    fn broken_json_is_refused_with_a_position() {
        for bad in [
            "",
            "{",
            r#"{"a" 1}"#,
            "[1,]",
            r#""\x""#,
            "tru",
            "[1] 2",
            r#""\ud800""#,
        ] {
            let err = parse_json(bad).unwrap_err();
            assert!(err.contains("at byte"), "{bad:?}: {err}");
        }
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(parse_json(&deep).unwrap_err().contains("deeply"));
    }

    #[test]
    fn samples_become_times_per_iteration_with_median_and_range() {
        let sample = parse_json(r#"{"iters":[10,20,30,40],"times":[100,300,300,1200]}"#).unwrap();
        let per = per_iteration(&sample).unwrap();
        assert_eq!(per, [10.0, 15.0, 10.0, 30.0]);
        let s = Stats::of(&per).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (12.5, 10.0, 30.0, 4));
        assert_eq!(Stats::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn criterion_output_is_grouped_in_run_order() {
        let home = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let _ = fs::remove_dir_all(&home);
        let write = |group: &str, dir: &str, function: &str, times: &str| {
            let new = home.join(group).join(dir).join("new");
            fs::create_dir_all(&new).unwrap();
            fs::write(
                new.join("benchmark.json"),
                format!(r#"{{"group_id":"{group}","function_id":"{function}","value_str":null}}"#),
            )
            .unwrap();
            fs::write(
                new.join("sample.json"),
                format!(r#"{{"iters":[1,1,1],"times":[{times}]}}"#),
            )
            .unwrap();
            // Distinct modification times, in this order.
            std::thread::sleep(Duration::from_millis(20));
        };
        write("b_group", "raw", "raw", "1,2,3");
        write("b_group", "prom x", "prom x", "2,4,6");
        write("a_group", "prometheus_u64_", "prometheus<u64>", "5,5,5");
        // An older result criterion keeps beside `new` is not read.
        fs::create_dir_all(home.join("a_group/prometheus_u64_/base")).unwrap();
        let groups = read_criterion(&home).unwrap();
        fs::remove_dir_all(&home).unwrap();
        let shape: Vec<(&str, Vec<(&str, f64)>)> = groups
            .iter()
            .map(|g| {
                let rows = g
                    .rows
                    .iter()
                    .map(|r| (r.name.as_str(), r.stats.median))
                    .collect();
                (g.id.as_str(), rows)
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("b_group", vec![("raw", 2.0), ("prom x", 4.0)]),
                ("a_group", vec![("prometheus<u64>", 5.0)]),
            ]
        );
        assert!(read_criterion(Path::new("/nonexistent/criterion"))
            .unwrap()
            .is_empty());
    }

    const WRK: &str = "\
Running 10s test @ http://127.0.0.1:40000/metrics
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  401.00us   9.87ms   90.00%
    Req/Sec     0.95k    50.00     1.00k    80.00%
  Latency Distribution
     50%    2.01ms
     75%    2.20ms
     90%    2.50ms
     99%  812.00us
  9500 requests in 10.00s, 6.21GB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    949.87
Transfer/sec:    635.90MB
";

    #[test]
    fn wrk_output_is_read() {
        let r = parse_wrk(WRK).unwrap();
        assert_eq!(r.requests_per_sec, 949.87);
        assert!((r.p99_ms - 0.812).abs() < 1e-9);
        assert_eq!((r.requests, r.errors), (9500, 7));
        let no_latency = WRK.replace("99%", "98%");
        assert!(parse_wrk(&no_latency).unwrap_err().contains("--latency"));
        assert_eq!(duration_ms("1.50s"), Some(1500.0));
        assert_eq!(duration_ms("2.00m"), Some(120_000.0));
        assert_eq!(duration_ms("3.00xs"), None);
    }

    #[test]
    fn options_default_quick_and_explicit() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.warm_up_secs, o.measurement_secs), (2, 5));
        assert_eq!((o.rounds, o.scrape_secs), (3, 10));
        assert!(o.criterion && o.memory && o.scrape);
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
        assert!(o.criterion && !o.memory && o.scrape);
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
        for bad in [
            &["--rounds"][..],
            &["--rounds", "0"],
            &["--only", "everything"],
            &["--fast"],
        ] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ratios_refer_to_the_first_prom_row() {
        let names = ["raw", "prometheus x", "prom inc()", "prom inc_by(1.5)"];
        assert_eq!(reference(names), (Some(2), 2));
        assert!(reference_note(&names).contains("the first of the 2 rows"));
        assert_eq!(reference(["prometheus", "metrics"]), (None, 0));
        assert_eq!(ratio(5.0, Some(2.0)), "2.50×");
        assert_eq!(ratio(50.0, Some(2.0)), "25.0×");
        assert_eq!(ratio(500.0, Some(2.0)), "250×");
        assert_eq!(ratio(1.0, None), "–");
        assert_eq!(ratio(6.93, Some(674.0)), "0.0103×");
        assert_eq!(ratio(0.5, Some(1000.0)), "0.000500×");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn times_and_dates_are_formatted() {
        assert_eq!(time_in_unit(2.712, 2.712), "2.71 ns");
        assert_eq!(time_in_unit(5_123_000.0, 5_123_000.0), "5.12 ms");
        assert_eq!(time_in_unit(4_900_000.0, 5_123_000.0), "4.90 ms");
        assert_eq!(time_in_unit(16_500.0, 16_500.0), "16.5 µs");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(
            lock_versions("[[package]]\nname = \"metrics\"\nversion = \"0.24.6\"\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n")["metrics"],
            ["0.24.6"]
        );
    }

    #[test]
    fn the_document_has_one_table_per_group_and_workload() {
        let options = Options::parse(&args(&["--quick"])).unwrap();
        let stats = |m: f64| Stats {
            median: m,
            min: m * 0.9,
            max: m * 1.5,
            count: 3,
        };
        let report = Report {
            criterion: Some(vec![
                Group {
                    id: "encode_all".into(),
                    rows: vec![Row {
                        name: "prom text".into(),
                        stats: stats(1e6),
                    }],
                },
                Group {
                    id: "counter_inc_1_thread".into(),
                    rows: vec![
                        Row {
                            name: "raw | x".into(),
                            stats: stats(2.0),
                        },
                        Row {
                            name: "prom inc()".into(),
                            stats: stats(4.0),
                        },
                    ],
                },
            ]),
            memory: Some(vec![MemoryRow {
                name: "prom CounterVec".into(),
                rss: stats(100.0),
                heap: stats(80.0),
            }]),
            scrape: Some(vec![ScrapeRow {
                name: "prom prom_http::start_http_server".into(),
                requests_per_sec: stats(900.0),
                p99_ms: stats(3.0),
                body_bytes: 700_000,
                errors: 0,
                requests: 2700,
            }]),
            tool_versions: vec![("wrk".into(), "4.1.0".into())],
            elapsed: Duration::from_secs(90),
        };
        let doc = render(&options, &Machine::default(), &report);
        assert!(doc.contains("`cargo xtask bench -- --quick`"), "{doc}");
        assert!(
            doc.contains("| `raw \\| x` | 2.00 ns | 1.80–3.00 ns | 0.50× |"),
            "{doc}"
        );
        assert!(
            doc.contains("| `prom inc()` | 4.00 ns | 3.60–6.00 ns | 1.00× |"),
            "{doc}"
        );
        assert!(
            doc.contains("| `prom CounterVec` | 100 B | 90.0–150 B | 1.00× | 80.0 B |"),
            "{doc}"
        );
        assert!(
            doc.contains(
                "| 900 | 810–1350 | 1.00× | 3.00 ms | 2.70–4.50 ms | 1.00× | 684 KiB | 2,700 | 0 |"
            ),
            "{doc}"
        );
        assert!(doc.contains("Duration of the run: 1.5 min"), "{doc}");
        let counter = doc.find("### `counter_inc_1_thread`").unwrap();
        let encode = doc.find("### `encode_all`").unwrap();
        assert!(counter < encode, "groups in workload order: {doc}");
        assert!(
            doc.contains("| `prom text` | 1.00 ms | 0.90–1.50 ms | 1.00× |"),
            "{doc}"
        );
        let root = project_root();
        assert!(
            !doc.contains(&*root.to_string_lossy()),
            "no machine paths: {doc}"
        );
    }
}
