//! A real `prometheus` server, started per test on 127.0.0.1.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::http::{http_get, percent_encode};
use crate::process::{io_error, start_with_port_retries, temp_dir, PeerProcess};
use crate::tools::require_binary;
use crate::{free_port, HarnessError};

/// How often [`Prometheus::wait_for`] queries.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The job name of the one scrape job in the generated configuration.
pub const JOB: &str = "prom-test";

/// One series of an instant-vector query result.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    /// All labels of the series, including `__name__`, `job` and `instance` when present.
    pub labels: BTreeMap<String, String>,
    /// The sample value; `NaN` and the infinities are parsed from Prometheus' spelling.
    pub value: f64,
}

/// How the scrape job reaches its targets: plain HTTP by default, or HTTPS with a CA to trust,
/// a client certificate, and basic-auth credentials (Prometheus' `scheme`, `tls_config` and
/// `basic_auth` of a scrape config).
///
/// ```
/// let scrape = prom_testkit::ScrapeConfig::https("ca.crt")
///     .server_name("localhost")
///     .basic_auth("prometheus", "s3cret");
/// # let _ = scrape;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ScrapeConfig {
    ca_file: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
    server_name: Option<String>,
    basic_auth: Option<(String, String)>,
}

impl ScrapeConfig {
    /// Plain HTTP, no credentials: what [`Prometheus::start`] uses.
    pub fn http() -> ScrapeConfig {
        ScrapeConfig::default()
    }

    /// `scheme: https`, trusting the CA certificates in `ca_file` (PEM).
    pub fn https(ca_file: impl Into<PathBuf>) -> ScrapeConfig {
        ScrapeConfig {
            ca_file: Some(ca_file.into()),
            ..ScrapeConfig::default()
        }
    }

    /// Presents this client certificate and key (PEM files) in the TLS handshake.
    pub fn client_cert(
        mut self,
        cert_file: impl Into<PathBuf>,
        key_file: impl Into<PathBuf>,
    ) -> Self {
        self.client_cert = Some((cert_file.into(), key_file.into()));
        self
    }

    /// The name the server certificate is checked against, instead of the target's host.
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Sends these basic-auth credentials with every scrape.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((username.into(), password.into()));
        self
    }

    /// The lines of the scrape config, indented to sit under `- job_name:`.
    fn yaml(&self) -> String {
        let mut out = String::new();
        if let Some(ca) = &self.ca_file {
            out.push_str(
                "    scheme: https
    tls_config:
",
            );
            let _ = writeln!(out, "      ca_file: {}", quote(&ca.display().to_string()));
            if let Some((cert, key)) = &self.client_cert {
                let _ = writeln!(
                    out,
                    "      cert_file: {}",
                    quote(&cert.display().to_string())
                );
                let _ = writeln!(out, "      key_file: {}", quote(&key.display().to_string()));
            }
            if let Some(name) = &self.server_name {
                let _ = writeln!(out, "      server_name: {}", quote(name));
            }
        }
        if let Some((user, password)) = &self.basic_auth {
            let _ = write!(
                out,
                "    basic_auth:\n      username: {}\n      password: {}\n",
                quote(user),
                quote(password)
            );
        }
        out
    }
}

/// A YAML single-quoted string.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A `prometheus` server process started by the test, scraping the given targets every second.
///
/// Its configuration, TSDB and log live in a fresh temporary directory. Dropping it kills and
/// reaps exactly the process it started and removes the directory.
///
/// New targets are applied on Prometheus' fixed 5 s tick, so the first scrape lands about 5 s
/// after start: use [`Prometheus::wait_for`], never a fixed sleep.
pub struct Prometheus {
    process: PeerProcess,
}

impl Prometheus {
    /// Starts `prometheus` scraping `targets` at `/metrics` every second (timeout 1 s) under the
    /// job `prom-test`, listening on `127.0.0.1:<free port>`, and waits until `/-/ready` is 200.
    ///
    /// # Errors
    ///
    /// If `prometheus` is not installed (the message says how to install it), the temporary
    /// directory cannot be written, or the server exits or is not ready within 30 s; then it is
    /// killed and the error carries the tail of its log.
    pub fn start(targets: &[SocketAddr]) -> Result<Prometheus, HarnessError> {
        Self::start_with_args(targets, &[])
    }

    /// Like [`Prometheus::start`], with extra command-line flags for the server, such as
    /// `--enable-feature=exemplar-storage`.
    ///
    /// # Errors
    ///
    /// As for [`Prometheus::start`].
    pub fn start_with_args(
        targets: &[SocketAddr],
        extra_args: &[&str],
    ) -> Result<Prometheus, HarnessError> {
        Self::start_configured(targets, &ScrapeConfig::http(), extra_args)
    }

    /// Like [`Prometheus::start_with_args`], scraping the targets as `scrape` says (HTTPS,
    /// client certificate, basic auth).
    ///
    /// # Errors
    ///
    /// As for [`Prometheus::start`].
    pub fn start_configured(
        targets: &[SocketAddr],
        scrape: &ScrapeConfig,
        extra_args: &[&str],
    ) -> Result<Prometheus, HarnessError> {
        let binary = require_binary("prometheus", "prometheus")?;
        start_with_port_retries(|| Self::start_once(&binary, targets, scrape, extra_args))
    }

    fn start_once(
        binary: &Path,
        targets: &[SocketAddr],
        scrape: &ScrapeConfig,
        extra_args: &[&str],
    ) -> Result<Prometheus, HarnessError> {
        let dir = temp_dir("prom-testkit-prometheus")?;
        let config = dir.path().join("prometheus.yml");
        fs::write(&config, config_yaml(targets, scrape))
            .map_err(|e| io_error("cannot write the Prometheus configuration", e))?;
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(extra_args);
        let mut process = PeerProcess::spawn("prometheus", command, port, dir)?;
        process.wait_http_ready("/-/ready", &[], 200)?;
        Ok(Prometheus { process })
    }

    /// The base URL of the server, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.process.port())
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The last lines of the server's combined stdout and stderr.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// Runs an instant query and returns the resulting vector (a scalar result becomes one
    /// sample without labels).
    ///
    /// # Errors
    ///
    /// If the request fails, Prometheus answers with an error (a bad PromQL expression, say), or
    /// the result is neither a vector nor a scalar.
    pub fn query(&self, promql: &str) -> Result<Vec<QuerySample>, HarnessError> {
        let url = format!(
            "{}/api/v1/query?query={}",
            self.url(),
            percent_encode(promql)
        );
        let json = self.get_json(&url)?;
        let fail = |what: &str| {
            HarnessError::new(format!("query {promql:?}: {what}; the answer was {json}"))
        };
        let data = &json["data"];
        match data["resultType"].as_str() {
            Some("vector") => data["result"]
                .as_array()
                .ok_or_else(|| fail("no result array"))?
                .iter()
                .map(|series| {
                    let labels = series["metric"]
                        .as_object()
                        .ok_or_else(|| fail("a series has no metric object"))?
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect();
                    let value = parse_value(&series["value"]).ok_or_else(|| fail("bad value"))?;
                    Ok(QuerySample { labels, value })
                })
                .collect(),
            Some("scalar") => {
                let value = parse_value(&data["result"]).ok_or_else(|| fail("bad value"))?;
                Ok(vec![QuerySample {
                    labels: BTreeMap::new(),
                    value,
                }])
            }
            _ => Err(fail("expected an instant vector")),
        }
    }

    /// The exemplars Prometheus stored for the series `promql` selects, over
    /// all time: the `data` array of `/api/v1/query_exemplars` (needs the
    /// server started with `--enable-feature=exemplar-storage`).
    ///
    /// # Errors
    ///
    /// If the request fails or Prometheus answers with an error.
    pub fn exemplars(&self, promql: &str) -> Result<Vec<serde_json::Value>, HarnessError> {
        let end = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() + 60);
        let url = format!(
            "{}/api/v1/query_exemplars?query={}&start=0&end={end}",
            self.url(),
            percent_encode(promql)
        );
        let json = self.get_json(&url)?;
        Ok(json["data"].as_array().cloned().unwrap_or_default())
    }

    /// Queries `promql` every 250 ms until `pred` accepts the result, and returns that result.
    ///
    /// # Errors
    ///
    /// If `timeout` passes first; the message carries the last result (or query error), each
    /// target's health and last scrape error, and the tail of the server's log.
    pub fn wait_for(
        &self,
        promql: &str,
        timeout: Duration,
        pred: impl Fn(&[QuerySample]) -> bool,
    ) -> Result<Vec<QuerySample>, HarnessError> {
        let deadline = Instant::now() + timeout;
        loop {
            let last = self.query(promql);
            if let Ok(samples) = &last {
                if pred(samples) {
                    return last;
                }
            }
            if Instant::now() >= deadline {
                let last = match last {
                    Ok(samples) => format!("{samples:?}"),
                    Err(e) => format!("error: {e}"),
                };
                return Err(HarnessError::new(format!(
                    "query {promql:?} did not give the expected result within {timeout:?}\n\
                     last result: {last}\ntargets: {}\nprometheus log tail:\n{}",
                    self.targets_summary(),
                    self.log_tail()
                )));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// The `/api/v1/targets` answer, for diagnostics: each active target's `health` and
    /// `lastError` tell why a scrape failed.
    ///
    /// # Errors
    ///
    /// If the request fails or the answer is not a successful API response.
    pub fn targets(&self) -> Result<serde_json::Value, HarnessError> {
        self.get_json(&format!("{}/api/v1/targets", self.url()))
    }

    fn targets_summary(&self) -> String {
        let targets = match self.targets() {
            Ok(t) => t,
            Err(e) => return format!("unavailable ({e})"),
        };
        let mut out = String::new();
        for t in targets["data"]["activeTargets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let _ = write!(
                out,
                "\n  {} health={} lastError={:?}",
                t["scrapeUrl"].as_str().unwrap_or("?"),
                t["health"].as_str().unwrap_or("?"),
                t["lastError"].as_str().unwrap_or("")
            );
        }
        if out.is_empty() {
            out.push_str("none active yet (targets are applied on a 5 s tick)");
        }
        out
    }

    fn get_json(&self, url: &str) -> Result<serde_json::Value, HarnessError> {
        let response = http_get(url, &[])?;
        let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            HarnessError::new(format!(
                "GET {url}: HTTP {} with a body that is not JSON ({e}): {}",
                response.status,
                response.text()
            ))
        })?;
        if response.status != 200 || json["status"] != "success" {
            return Err(HarnessError::new(format!(
                "GET {url}: HTTP {}: {} {}",
                response.status,
                json["errorType"].as_str().unwrap_or(""),
                json["error"].as_str().unwrap_or(&json.to_string())
            )));
        }
        Ok(json)
    }
}

impl std::fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prometheus")
            .field("pid", &self.pid())
            .field("url", &self.url())
            .field("dir", &self.process.dir())
            .finish()
    }
}

fn config_yaml(targets: &[SocketAddr], scrape: &ScrapeConfig) -> String {
    let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
         scrape_configs:\n  - job_name: {JOB}\n    metrics_path: /metrics\n{}    static_configs:\n      - targets: [{}]\n",
        scrape.yaml(),
        targets.join(", ")
    )
}

/// Parses an API `[timestamp, "value"]` pair.
fn parse_value(pair: &serde_json::Value) -> Option<f64> {
    match pair.get(1)?.as_str()? {
        "NaN" => Some(f64::NAN),
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        s => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lists_every_target() {
        let yaml = config_yaml(
            &["127.0.0.1:1".parse().unwrap(), "[::1]:2".parse().unwrap()],
            &ScrapeConfig::http(),
        );
        assert!(
            yaml.contains("- targets: ['127.0.0.1:1', '[::1]:2']"),
            "{yaml}"
        );
        assert!(yaml.contains("job_name: prom-test"), "{yaml}");
    }

    #[test]
    fn https_and_basic_auth_are_in_the_scrape_config() {
        let scrape = ScrapeConfig::https("/tmp/ca's.crt")
            .client_cert("c.crt", "c.key")
            .server_name("localhost")
            .basic_auth("prometheus", "s3cret");
        let yaml = config_yaml(&["127.0.0.1:1".parse().unwrap()], &scrape);
        assert!(
            yaml.contains(
                "    metrics_path: /metrics\n    scheme: https\n    tls_config:\n      ca_file: '/tmp/ca''s.crt'\n      cert_file: 'c.crt'\n      key_file: 'c.key'\n      server_name: 'localhost'\n    basic_auth:\n      username: 'prometheus'\n      password: 's3cret'\n    static_configs:\n"
            ),
            "{yaml}"
        );
    }

    #[test]
    fn values_use_prometheus_spelling() {
        let v = |s: &str| parse_value(&serde_json::json!([1.5, s]));
        assert_eq!(v("+Inf"), Some(f64::INFINITY));
        assert_eq!(v("-Inf"), Some(f64::NEG_INFINITY));
        assert!(v("NaN").unwrap().is_nan());
        assert_eq!(v("0.25"), Some(0.25));
    }
}
