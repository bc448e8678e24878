//! The scrape workload: `wrk` scraping each server's `/metrics` over loopback while two threads
//! of the serving process update the series, once as a bare client asks (no `Accept`, no
//! compression) and once with the headers of Prometheus 2.42's own scrapes (OpenMetrics
//! preferred, gzip accepted).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use prom_testkit::{free_port, http_get, ChildGuard};

use super::golang::Go;
use super::{Options, Programs, Stats};
use crate::{peers, project_root, show};

/// Series each server serves.
pub(super) const SERIES: usize = 10_000;

/// Connections `wrk` keeps open; one `wrk` thread drives them.
pub(super) const WRK_CONNECTIONS: u32 = 2;

/// What Prometheus 2.42 sends when it scrapes (without feature flags): OpenMetrics 1.0.0 first,
/// then 0.0.1, then text 0.0.4, and gzip.
pub(super) const PROMETHEUS_HEADERS: [(&str, &str); 2] = [
    (
        "Accept",
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;\
         q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    ),
    ("Accept-Encoding", "gzip"),
];

/// The servers, in the order they run within a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Server {
    Prom,
    /// prom's server over HTTPS.
    PromTls,
    Metrics,
    Python,
    Golang,
}

impl Server {
    pub(super) const ALL: [Server; 5] = [
        Server::Prom,
        Server::PromTls,
        Server::Metrics,
        Server::Python,
        Server::Golang,
    ];

    /// The name `--servers` takes.
    pub(super) fn arg(self) -> &'static str {
        match self {
            Server::Prom => "prom",
            Server::PromTls => "prom-tls",
            Server::Metrics => "metrics",
            Server::Python => "python",
            Server::Golang => "golang",
        }
    }

    fn row_name(self) -> &'static str {
        match self {
            Server::Prom => "prom prom_http::start_http_server",
            Server::PromTls => "prom prom_http::start_http_server_with, TLS",
            Server::Metrics => "metrics-exporter-prometheus HTTP listener",
            Server::Python => "Python prometheus_client start_http_server",
            Server::Golang => "client_golang promhttp.HandlerFor",
        }
    }

    /// The request styles each server is scraped with: the TLS server only plainly, to
    /// compare with the plain scrape over TCP.
    fn styles(self) -> &'static [Style] {
        match self {
            Server::PromTls => &[Style::Plain],
            _ => &[Style::Plain, Style::Prometheus],
        }
    }

    fn url(self, port: u16) -> String {
        let scheme = if self == Server::PromTls {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{port}/metrics")
    }
}

/// How the scrape asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    /// No `Accept`, no `Accept-Encoding`: text 0.0.4, uncompressed, as `curl` gets it.
    Plain,
    /// [`PROMETHEUS_HEADERS`].
    Prometheus,
}

impl Style {
    fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Style::Plain => &[],
            Style::Prometheus => &PROMETHEUS_HEADERS,
        }
    }

    /// What the row's name gets after the server's.
    fn suffix(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Prometheus => ", Prometheus 2.42's headers",
        }
    }
}

/// The programs that drive and serve the workload besides ours.
pub(super) struct Tools {
    /// The load generator.
    pub(super) wrk: PathBuf,
    /// The Python with `prometheus_client`, for its server.
    pub(super) python: PathBuf,
}

impl Tools {
    /// Versions of wrk, Python and its client, for the document's head.
    pub(super) fn versions(&self) -> Vec<(String, String)> {
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

/// One server's scrapes in one style over the rounds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) server: Server,
    pub(super) style: Style,
    /// What the server answered, from the check before the load: `text 0.0.4`,
    /// `OpenMetrics 1.0.0, gzip`.
    pub(super) format: String,
    pub(super) requests_per_sec: Stats,
    /// p99 latency in milliseconds.
    pub(super) p99_ms: Stats,
    /// Size of one response body, from the check before the load.
    pub(super) body_bytes: usize,
    /// Socket errors and non-2xx responses over all rounds.
    pub(super) errors: u64,
    /// Requests wrk made over all rounds.
    pub(super) requests: u64,
}

/// Which `wrk` to run, installing Debian's package when none is on `PATH`.
pub(super) fn ensure_wrk() -> Result<PathBuf, String> {
    let then = "`cargo xtask bench` again (or leave the scrape workload out: \
                `cargo xtask bench -- --only criterion,memory`)";
    let mut found = peers::ensure_binaries(&["wrk"], &["wrk"], then)?;
    Ok(found.remove(0))
}

/// How long a server may take to print `ready`: the Python one creates its
/// series in the interpreter.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts a server and waits until it prints `ready`; it is killed when the guard drops.
pub(super) fn start_server(command: &mut Command) -> Result<ChildGuard, String> {
    let shown = show(command);
    eprintln!("$ {shown} &");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let mut running = ChildGuard::new(child);
    let stdout = running
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
            let status = running.wait().map(|s| s.to_string()).unwrap_or_default();
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

/// A response to the check before the load.
struct Fetched {
    body: Vec<u8>,
    /// The body's format, as [`format_of`] names it.
    format: String,
}

/// One `GET <url>` with `headers`, which must answer 200; checks the server before the load.
/// `curl` (`--insecure`: the certificate is a throwaway) fetches `https` URLs, which the
/// harness's own client does not speak.
fn fetch_metrics(
    url: &str,
    headers: &[(&str, &str)],
    curl: Option<&Path>,
) -> Result<Fetched, String> {
    if let (Some(curl), true) = (curl, url.starts_with("https:")) {
        let mut command = Command::new(curl);
        command.args(["--silent", "--show-error", "--fail", "--insecure"]);
        for (name, value) in headers {
            command.arg("--header").arg(format!("{name}: {value}"));
        }
        // The content type on a line of its own after the body.
        command.args(["--write-out", "\n%{content_type}"]).arg(url);
        let output = command
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", show(&command)))?;
        if !output.status.success() {
            return Err(format!(
                "`{}` failed ({}): {}",
                show(&command),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let mut body = output.stdout;
        let split = body.iter().rposition(|&b| b == b'\n').unwrap_or(0);
        let content_type = String::from_utf8_lossy(&body[split..]).trim().to_owned();
        body.truncate(split);
        return Ok(Fetched {
            body,
            format: format!("{}, TLS", format_of(&content_type, None)),
        });
    }
    let response = http_get(url, headers).map_err(|e| e.to_string())?;
    if response.status != 200 {
        return Err(format!("GET {url} answered {}", response.status));
    }
    Ok(Fetched {
        format: format_of(
            response.header("content-type").unwrap_or_default(),
            response.header("content-encoding"),
        ),
        body: response.body,
    })
}

/// `text 0.0.4`, `OpenMetrics 1.0.0, gzip`: the format a response's headers name.
fn format_of(content_type: &str, content_encoding: Option<&str>) -> String {
    let compact = content_type.replace(' ', "");
    // A server that names no version (metrics-exporter-prometheus) gets none.
    let version = compact
        .split(';')
        .find_map(|p| p.strip_prefix("version="))
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let mut format = if compact.starts_with("application/openmetrics-text") {
        format!("OpenMetrics{version}")
    } else if compact.starts_with("text/plain") {
        format!("text{version}")
    } else {
        compact.split(';').next().unwrap_or_default().to_owned()
    };
    if let Some(encoding) = content_encoding.filter(|e| !e.is_empty()) {
        format.push_str(", ");
        format.push_str(encoding);
    }
    format
}

/// Runs `wrk -t 1 -c <WRK_CONNECTIONS> -d <secs>s --timeout 10s --latency [-H <header>…]
/// <url>`, echoing its report, and reads it.
pub(super) fn run_wrk(
    wrk_path: &Path,
    secs: u32,
    headers: &[(&str, &str)],
    url: &str,
) -> Result<WrkResult, String> {
    let mut wrk = Command::new(wrk_path);
    wrk.args(["-t", "1", "-c", &WRK_CONNECTIONS.to_string()])
        .args(["-d", &format!("{secs}s")])
        .args(["--timeout", "10s", "--latency"]);
    for (name, value) in headers {
        wrk.arg("-H").arg(format!("{name}: {value}"));
    }
    wrk.arg(url);
    eprintln!("$ {}", show(&wrk));
    let output = wrk
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", show(&wrk)))?;
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
    parse_wrk(&text).map_err(|e| format!("`{}`: {e}", show(&wrk)))
}

/// What `wrk --latency` reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct WrkResult {
    pub(super) requests_per_sec: f64,
    pub(super) p99_ms: f64,
    pub(super) requests: u64,
    pub(super) errors: u64,
}

/// Scrapes each server of `--servers` under `wrk` once per round and style, interleaved,
/// each server started fresh for every round and alone on the machine.
pub(super) fn run(
    options: &Options,
    programs: &Programs,
    tools: &Tools,
    go: Option<&Go>,
) -> Result<Vec<Row>, String> {
    let script = project_root().join("benches/scripts/scrape_server.py");
    let runs: Vec<(Server, Style)> = options
        .servers
        .iter()
        .flat_map(|&server| server.styles().iter().map(move |&style| (server, style)))
        .collect();
    let curl = if options.servers.contains(&Server::PromTls) {
        let then = "`cargo xtask bench` again (or leave the TLS server out: `--servers` \
                    without prom-tls)";
        Some(peers::ensure_binaries(&["curl"], &["curl"], then)?.remove(0))
    } else {
        None
    };
    let tls_dir = super::target_dir().join("bench-run").join("tls");
    let mut results: Vec<Vec<WrkResult>> = vec![Vec::new(); runs.len()];
    let mut responses = vec![(0usize, String::new()); runs.len()];
    let rounds = options.rounds;
    for round in 1..=rounds {
        for &server in &options.servers {
            // Another program could take the port before the server binds it; the server's
            // bind error would then say so.
            let port = free_port();
            let mut command = match server {
                Server::Prom | Server::PromTls | Server::Metrics => {
                    let mut c = Command::new(&programs.scrape_server);
                    c.arg(server.arg());
                    c
                }
                Server::Python => {
                    let mut c = Command::new(&tools.python);
                    c.arg(&script);
                    c
                }
                Server::Golang => Command::new(
                    &go.ok_or("the client_golang server was not built")?
                        .scrape_server,
                ),
            };
            command
                .arg(port.to_string())
                .args(["--series", &SERIES.to_string()])
                .current_dir(project_root());
            if server == Server::PromTls {
                command.arg("--tls-dir").arg(&tls_dir);
            }
            eprintln!(
                "xtask bench: scrape workload, round {round}/{rounds}: {}",
                server.row_name()
            );
            let running = start_server(&mut command)?;
            let url = server.url(port);
            let body = fetch_metrics(&url, &[], curl.as_deref())?.body;
            let body = String::from_utf8_lossy(&body);
            let samples = body
                .lines()
                .filter(|l| l.starts_with("http_requests_total{"))
                .count();
            if samples != SERIES {
                return Err(format!(
                    "{} served {samples} series instead of {SERIES}",
                    server.row_name()
                ));
            }
            for (i, &(_, style)) in runs.iter().enumerate().filter(|(_, (s, _))| *s == server) {
                let response = fetch_metrics(&url, style.headers(), curl.as_deref())?;
                responses[i] = (response.body.len(), response.format);
                let result = run_wrk(&tools.wrk, options.scrape_secs, style.headers(), &url)?;
                results[i].push(result);
            }
            drop(running);
        }
    }
    runs.iter()
        .zip(results.iter().zip(responses))
        .map(|(&(server, style), (runs, (body_bytes, format)))| {
            let rps: Vec<f64> = runs.iter().map(|r| r.requests_per_sec).collect();
            let p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
            Ok(Row {
                name: format!("{}{}", server.row_name(), style.suffix()),
                server,
                style,
                format,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn formats_are_named_from_the_response_headers() {
        assert_eq!(
            format_of("text/plain; version=0.0.4; charset=utf-8", None),
            "text 0.0.4"
        );
        assert_eq!(
            format_of(
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                Some("gzip")
            ),
            "OpenMetrics 1.0.0, gzip"
        );
        assert_eq!(format_of("text/html", Some("")), "text/html");
        assert_eq!(format_of("text/plain", None), "text");
    }
}
