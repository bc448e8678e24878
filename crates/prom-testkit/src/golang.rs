//! A small Go service instrumented with client_golang (Debian's 1.14), built from source offline
//! and started per test on 127.0.0.1.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use crate::http::{http_get, HttpResponse};
use crate::process::{io_error, start_with_port_retries, temp_dir, PeerProcess};
use crate::tools::{combined_output, require_binary};
use crate::{free_port, workspace_root, HarnessError};

/// The program, ours: fixed values on a registry of its own (no Go runtime or process
/// collectors, so the page holds exactly these four families), served with OpenMetrics enabled.
/// [`ClientGolangExporter`] documents the page it serves; keep the two in step.
const MAIN_GO: &str = r#"// A service instrumented with client_golang, for prom-testkit's tests: fixed values on a
// registry of its own, served on /metrics at the address given by -listen.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	listen := flag.String("listen", "", "host:port to serve /metrics on")
	flag.Parse()
	if *listen == "" {
		log.Fatal("-listen is required")
	}

	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "demo_requests_total",
		Help: "Requests handled.",
	}, []string{"method", "path"})
	requests.WithLabelValues("GET", "/").Add(3)
	// Every character the formats escape in a label value.
	requests.WithLabelValues("POST", "a \"quoted\"\\path\n").Inc()

	temperature := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "demo_temperature_celsius",
		Help: "Temperature.",
	})
	temperature.Set(-2.5)

	// Negative buckets: OpenMetrics forbids the _sum that client_golang writes beside them.
	offset := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "demo_offset_seconds",
		Help:    "Clock offset, negative when behind.",
		Buckets: []float64{-10, -1, 0, 1, 10},
	})
	for _, v := range []float64{-20, -5, -0.5, 0, 0.5, 5, 50} {
		offset.Observe(v)
	}

	// Fewer observations than the summary's buffer: its quantiles come out exact.
	size := prometheus.NewSummary(prometheus.SummaryOpts{
		Name:       "demo_response_bytes",
		Help:       "Response size.",
		Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01, 0.99: 0.001},
	})
	for i := 1; i <= 100; i++ {
		size.Observe(float64(i))
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(requests, temperature, offset, size)
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	log.Fatal(http.ListenAndServe(*listen, nil))
}
"#;

/// What Prometheus 2.42 sends when it scrapes: OpenMetrics 1.0.0 first, then 0.0.1, then text.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
     application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// The `Accept` header that asks for text format 0.0.4.
const TEXT_ACCEPT: &str = "text/plain; version=0.0.4";

/// A Go service instrumented with client_golang, the Go client library, serving its `/metrics`
/// page on `127.0.0.1:<free port>`.
///
/// The program is ours: a `main.go` held in this crate, built offline in GOPATH mode against
/// the client_golang source Debian ships (`GO111MODULE=off GOPATH=/usr/share/gocode go
/// build`). The binary is cached in `target/peers/go-exporter` under the hash of its inputs
/// (`main.go`, `go version`, the client_golang source's date), so only the first start after a
/// change pays for the build (about 7 s on 2 cores with an empty Go build cache). Go's build
/// cache is kept there too.
///
/// On a registry of its own it holds exactly these families, with these values, and serves
/// them with `promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})`:
///
/// | family | type | series and values |
/// |---|---|---|
/// | `demo_requests_total` | counter | `{method="GET",path="/"}` 3; `{method="POST",path="a \"quoted\"\\path\n"}` 1 (as the page escapes a quote, a backslash and a newline) |
/// | `demo_temperature_celsius` | gauge | -2.5 |
/// | `demo_offset_seconds` | histogram, buckets -10, -1, 0, 1, 10 | observed -20, -5, -0.5, 0, 0.5, 5, 50: cumulative 1, 2, 4, 5, 6, 7 (`+Inf`), count 7, sum 30 |
/// | `demo_response_bytes` | summary, objectives 0.5, 0.9, 0.99 | observed 1 to 100: quantiles 50, 90, 99, count 100, sum 5050 |
///
/// client_golang 1.14 writes the histogram's `_sum` beside its negative buckets, which
/// OpenMetrics 1.0 forbids, and writes no `_created` samples. It negotiates OpenMetrics only for
/// `version=0.0.1` or no version: an `Accept` of `application/openmetrics-text; version=1.0.0`
/// alone gets text 0.0.4, so [`ClientGolangExporter::openmetrics_page`] sends Prometheus'
/// own scrape header, which offers 0.0.1 as well.
///
/// Dropping it kills and reaps exactly the process it started and removes its temporary
/// directory.
///
/// ```no_run
/// let exporter = prom_testkit::ClientGolangExporter::start()?;
/// let page = exporter.openmetrics_page()?;
/// assert!(page.contains("demo_offset_seconds_bucket{le=\"-10.0\"} 1\n"));
/// # Ok::<(), prom_testkit::HarnessError>(())
/// ```
pub struct ClientGolangExporter {
    process: PeerProcess,
}

impl ClientGolangExporter {
    /// The `GOPATH` holding the Go source of Debian's `golang-*-dev` packages.
    pub const GOPATH: &'static str = "/usr/share/gocode";
    /// The directory of client_golang's `promhttp` package, which
    /// `golang-github-prometheus-client-golang-dev` installs (with its dependencies).
    pub const PROMHTTP_SOURCE_DIR: &'static str =
        "/usr/share/gocode/src/github.com/prometheus/client_golang/prometheus/promhttp";
    /// The Debian packages the exporter needs: the Go toolchain and client_golang's source.
    pub const DEBIAN_PACKAGES: &'static [&'static str] =
        &["golang-go", "golang-github-prometheus-client-golang-dev"];

    /// Builds another Go program against the same client_golang source, in the same way and
    /// with the same cache as the exporter's: `main_go` is the whole program (package `main`,
    /// importing only the standard library and what `/usr/share/gocode` holds), and `name`
    /// names the cached binary, `target/peers/go-exporter/<name>-<hash of the inputs>`. The
    /// benchmarks build their client_golang peers with it.
    ///
    /// # Errors
    ///
    /// As for [`ClientGolangExporter::start`]: `go` or client_golang's source missing (the
    /// message names the Debian packages), or the build failing (the message carries the
    /// compiler's output and the program).
    pub fn build_program(name: &str, main_go: &str) -> Result<PathBuf, HarnessError> {
        built_binary(name, main_go)
    }

    /// Builds the program unless the cached binary is current, starts it, and waits until
    /// `/metrics` answers 200.
    ///
    /// # Errors
    ///
    /// If `go` or client_golang's source is missing (the message names the Debian packages to
    /// install), the build fails (the message carries the compiler's output), or the program
    /// exits or does not answer within 30 s; then it is killed and the error carries the tail of
    /// its log.
    pub fn start() -> Result<ClientGolangExporter, HarnessError> {
        let binary = built_binary("client-golang-exporter", MAIN_GO)?;
        start_with_port_retries(|| Self::start_once(&binary))
    }

    fn start_once(binary: &Path) -> Result<ClientGolangExporter, HarnessError> {
        let dir = temp_dir("prom-testkit-client-golang")?;
        let port = free_port();
        let mut command = Command::new(binary);
        command.arg(format!("-listen=127.0.0.1:{port}"));
        let mut process = PeerProcess::spawn("client_golang exporter", command, port, dir)?;
        process.wait_http_ready("/metrics", &[], 200)?;
        Ok(ClientGolangExporter { process })
    }

    /// The base URL of the service, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.process.port())
    }

    /// The URL of the exposition, `http://127.0.0.1:PORT/metrics`.
    pub fn metrics_url(&self) -> String {
        format!("{}/metrics", self.url())
    }

    /// The process id of the service.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The last lines of the service's combined stdout and stderr.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// GETs `/metrics` with `Accept: <accept>` and returns the whole response, whatever its
    /// status, to see what client_golang negotiates. No `Accept-Encoding` is sent, so the body
    /// is never gzipped.
    ///
    /// # Errors
    ///
    /// If the request fails.
    pub fn scrape(&self, accept: &str) -> Result<HttpResponse, HarnessError> {
        http_get(&self.metrics_url(), &[("Accept", accept)])
    }

    /// Scrapes `/metrics` as Prometheus 2.42 does (`Accept:
    /// application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,…`)
    /// and returns the OpenMetrics page.
    ///
    /// # Errors
    ///
    /// If the request fails, the answer is not 200, or its `Content-Type` is not
    /// `application/openmetrics-text`; the message carries the status, the content type, the
    /// body and the tail of the log.
    pub fn openmetrics_page(&self) -> Result<String, HarnessError> {
        self.page(PROMETHEUS_ACCEPT, "application/openmetrics-text;")
    }

    /// Scrapes `/metrics` asking for text format 0.0.4 and returns the page.
    ///
    /// # Errors
    ///
    /// As for [`ClientGolangExporter::openmetrics_page`], with `text/plain` the content type
    /// expected.
    pub fn text_page(&self) -> Result<String, HarnessError> {
        self.page(TEXT_ACCEPT, "text/plain;")
    }

    fn page(&self, accept: &str, content_type: &str) -> Result<String, HarnessError> {
        let response = self.scrape(accept)?;
        let got = response.header("content-type").unwrap_or("");
        if response.status != 200 || !got.replace(' ', "").starts_with(content_type) {
            return Err(HarnessError::new(format!(
                "GET {} with Accept: {accept}: expected 200 and {content_type}…, got HTTP {} and \
                 Content-Type {got:?}:\n{}\nlog tail:\n{}",
                self.metrics_url(),
                response.status,
                response.text(),
                self.log_tail()
            )));
        }
        Ok(response.text())
    }
}

impl std::fmt::Debug for ClientGolangExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientGolangExporter")
            .field("pid", &self.pid())
            .field("url", &self.url())
            .field("dir", &self.process.dir())
            .finish()
    }
}

/// The path of the program `main_go`, building it first unless the cached binary `name-<key>`
/// was built from the same inputs.
fn built_binary(name: &str, main_go: &str) -> Result<PathBuf, HarnessError> {
    let install = format!(
        "run `cargo xtask test`, which installs it, or `apt-get install {}`",
        ClientGolangExporter::DEBIAN_PACKAGES.join(" ")
    );
    // `require_binary` names one package; both are needed, so both are named.
    let go = require_binary("go", &ClientGolangExporter::DEBIAN_PACKAGES.join(" "))?;
    let promhttp = Path::new(ClientGolangExporter::PROMHTTP_SOURCE_DIR);
    if !promhttp.is_dir() {
        return Err(HarnessError::new(format!(
            "client_golang's source is not in {}: {install}",
            promhttp.display()
        )));
    }

    // Tests of one process start exporters in parallel: one builds, the others wait for it.
    // Builds of different programs wait too, sharing Go's build cache one at a time.
    static BUILD: Mutex<()> = Mutex::new(());
    let _only_builder = BUILD.lock().unwrap_or_else(PoisonError::into_inner);

    let cache = workspace_root().join("target/peers/go-exporter");
    let binary = cache.join(format!("{name}-{}", build_key(&go, promhttp, main_go)?));
    if binary.is_file() {
        return Ok(binary);
    }
    fs::create_dir_all(&cache)
        .map_err(|e| io_error(&format!("cannot create {}", cache.display()), e))?;
    let source = temp_dir("prom-testkit-go-build")?;
    fs::write(source.path().join("main.go"), main_go)
        .map_err(|e| io_error("cannot write main.go", e))?;
    // Built beside its final name and renamed, so another test process never runs a binary
    // that is half written.
    let partial = cache.join(format!(".partial-{name}-{}", std::process::id()));
    let mut command = Command::new(&go);
    command
        .args(["build", "-o"])
        .arg(&partial)
        .arg("main.go")
        .current_dir(source.path())
        .env("GO111MODULE", "off")
        .env("GOPATH", ClientGolangExporter::GOPATH)
        // Set here rather than from HOME, which CI may lack, and kept for the next build.
        .env("GOCACHE", cache.join("go-build-cache"))
        .env("GOFLAGS", "");
    let output = command
        .output()
        .map_err(|e| io_error(&format!("cannot run {}", go.display()), e))?;
    if !output.status.success() {
        let _ = fs::remove_file(&partial);
        return Err(HarnessError::new(format!(
            "`GO111MODULE=off GOPATH={} go build main.go` failed ({}):\n{}\n--- main.go ---\n{main_go}",
            ClientGolangExporter::GOPATH,
            output.status,
            combined_output(&output)
        )));
    }
    fs::rename(&partial, &binary).map_err(|e| {
        io_error(
            &format!("cannot move the built program to {}", binary.display()),
            e,
        )
    })?;
    Ok(binary)
}

/// Sixteen hex digits of the SHA-256 of what the binary is built from: `main.go`, the
/// toolchain's `go version`, and the modification time of client_golang's `promhttp/http.go`,
/// which a new Debian package changes.
fn build_key(go: &Path, promhttp: &Path, main_go: &str) -> Result<String, HarnessError> {
    let version = Command::new(go)
        .arg("version")
        .output()
        .map_err(|e| io_error(&format!("cannot run {} version", go.display()), e))?;
    let source_time = fs::metadata(promhttp.join("http.go"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(main_go.as_bytes());
    hasher.update(b"\0");
    hasher.update(&version.stdout);
    hasher.update(b"\0");
    hasher.update(source_time.to_le_bytes());
    Ok(hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore = "needs client_golang: run cargo xtask test"]
    fn dropping_kills_the_process_and_a_second_start_reuses_the_binary() {
        let exporter = ClientGolangExporter::start().unwrap();
        let proc_dir = PathBuf::from(format!("/proc/{}", exporter.pid()));
        let binary = fs::read_link(proc_dir.join("exe")).unwrap();
        let built = fs::metadata(&binary).unwrap().modified().unwrap();
        assert!(exporter
            .text_page()
            .unwrap()
            .contains("\ndemo_temperature_celsius -2.5\n"));

        drop(exporter);
        assert!(!proc_dir.exists(), "the exporter survived drop");

        let again = ClientGolangExporter::start().unwrap();
        let proc_dir = PathBuf::from(format!("/proc/{}", again.pid()));
        assert_eq!(fs::read_link(proc_dir.join("exe")).unwrap(), binary);
        assert_eq!(fs::metadata(&binary).unwrap().modified().unwrap(), built);
    }

    #[test]
    #[ignore = "needs client_golang: run cargo xtask test"]
    fn openmetrics_1_0_0_alone_gets_text_from_client_golang_1_14() {
        let exporter = ClientGolangExporter::start().unwrap();
        let content_type = |accept: &str| {
            let response = exporter.scrape(accept).unwrap();
            assert_eq!(response.status, 200);
            response.header("content-type").unwrap().to_owned()
        };
        assert_eq!(
            content_type("application/openmetrics-text; version=1.0.0"),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        assert_eq!(
            content_type(PROMETHEUS_ACCEPT),
            "application/openmetrics-text; version=0.0.1; charset=utf-8"
        );
    }
}
