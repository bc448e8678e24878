//! A real `node_exporter` with only its textfile collector, started per test on 127.0.0.1.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::http_get;
use crate::tempdir::TempDir;
use crate::tools::require_binary;
use crate::{free_port, HarnessError};

/// Debian's name for the program, and the package that installs it.
const BINARY: &str = "prometheus-node-exporter";
/// How long the exporter may take to answer 200 on `/metrics`; it usually takes well under 1 s.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Starts retried when the free port was taken before the exporter bound it.
const START_ATTEMPTS: usize = 3;
/// Lines of the exporter's log shown in errors.
const LOG_TAIL_LINES: usize = 40;

/// A `node_exporter` process started by the test, with every collector disabled but the textfile
/// collector, which reads the `*.prom` files of [`NodeExporter::textfile_dir`] at each scrape.
///
/// It listens on `127.0.0.1:<free port>`; its log lives in a fresh temporary directory, as does
/// the textfile directory unless one is passed to [`NodeExporter::start_with_textfile_dir`].
/// Dropping it kills and reaps exactly the process it started and removes the temporary
/// directory (a textfile directory passed in is left alone).
pub struct NodeExporter {
    child: Child,
    port: u16,
    log: PathBuf,
    textfile_dir: PathBuf,
    // Dropped after the child is killed (fields drop after `Drop::drop` runs).
    dir: TempDir,
}

impl NodeExporter {
    /// Starts `prometheus-node-exporter` reading a fresh, empty textfile directory it owns, and
    /// waits until `/metrics` answers 200.
    ///
    /// # Errors
    ///
    /// If the exporter is not installed (the message says how to install it), the temporary
    /// directory cannot be written, or the exporter exits or does not answer within 30 s; then it
    /// is killed and the error carries the tail of its log.
    pub fn start() -> Result<NodeExporter, HarnessError> {
        Self::start_inner(None)
    }

    /// Like [`NodeExporter::start`], reading the `*.prom` files of `textfile_dir`, which the
    /// caller owns: it is neither created nor removed.
    ///
    /// # Errors
    ///
    /// As for [`NodeExporter::start`].
    pub fn start_with_textfile_dir(textfile_dir: &Path) -> Result<NodeExporter, HarnessError> {
        Self::start_inner(Some(textfile_dir))
    }

    fn start_inner(textfile_dir: Option<&Path>) -> Result<NodeExporter, HarnessError> {
        let binary = require_binary(BINARY, BINARY)?;
        let mut attempt = 1;
        loop {
            match Self::start_once(&binary, textfile_dir) {
                Ok(exporter) => return Ok(exporter),
                // Another process may take the port between `free_port` and the bind.
                Err(e)
                    if attempt < START_ATTEMPTS
                        && e.message().contains("address already in use") =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn start_once(
        binary: &Path,
        textfile_dir: Option<&Path>,
    ) -> Result<NodeExporter, HarnessError> {
        let io_err = |what: &str, e: std::io::Error| HarnessError::new(format!("{what}: {e}"));
        let dir = TempDir::new("prom-testkit-node-exporter")
            .map_err(|e| io_err("cannot create a temporary directory", e))?;
        let textfile_dir = match textfile_dir {
            Some(d) => d.to_path_buf(),
            None => {
                let d = dir.path().join("textfile");
                fs::create_dir(&d)
                    .map_err(|e| io_err("cannot create the textfile directory", e))?;
                d
            }
        };
        let log = dir.path().join("node_exporter.log");
        let log_file = File::create(&log).map_err(|e| io_err("cannot create the log file", e))?;
        let log_file2 = log_file
            .try_clone()
            .map_err(|e| io_err("cannot share the log file", e))?;

        let port = free_port();
        let child = Command::new(binary)
            .arg("--collector.disable-defaults")
            .arg("--collector.textfile")
            .arg(format!(
                "--collector.textfile.directory={}",
                textfile_dir.display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_file2)
            .spawn()
            .map_err(|e| io_err(&format!("cannot start {}", binary.display()), e))?;
        let mut exporter = NodeExporter {
            child,
            port,
            log,
            textfile_dir,
            dir,
        };
        exporter.wait_ready()?;
        Ok(exporter)
    }

    /// Polls `/metrics`; on failure the caller drops `self`, which kills the process.
    fn wait_ready(&mut self) -> Result<(), HarnessError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let metrics_url = self.metrics_url();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(HarnessError::new(format!(
                    "{BINARY} exited during start-up ({status}); log tail:\n{}",
                    self.log_tail()
                )));
            }
            if matches!(http_get(&metrics_url, &[]), Ok(r) if r.status == 200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(HarnessError::new(format!(
                    "{BINARY} did not answer 200 at {metrics_url} within {READY_TIMEOUT:?}; \
                     log tail:\n{}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The base URL of the exporter, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The URL of the exposition, `http://127.0.0.1:PORT/metrics`.
    pub fn metrics_url(&self) -> String {
        format!("{}/metrics", self.url())
    }

    /// The process id of the exporter.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The directory whose `*.prom` files the textfile collector reads at each scrape.
    pub fn textfile_dir(&self) -> &Path {
        &self.textfile_dir
    }

    /// Scrapes `/metrics` once and returns the body (text format 0.0.4).
    ///
    /// # Errors
    ///
    /// If the request fails or the answer is not 200; the message carries the status, the body
    /// and the tail of the exporter's log.
    pub fn metrics_text(&self) -> Result<String, HarnessError> {
        let url = self.metrics_url();
        let response = http_get(&url, &[])?;
        if response.status != 200 {
            return Err(HarnessError::new(format!(
                "GET {url}: HTTP {}: {}\n{BINARY} log tail:\n{}",
                response.status,
                response.text(),
                self.log_tail()
            )));
        }
        Ok(response.text())
    }

    /// Scrapes `/metrics` once and returns the value of `node_textfile_scrape_error`: `0` when
    /// every `*.prom` file was read and parsed, `1` when one failed (it is then skipped).
    ///
    /// # Errors
    ///
    /// As for [`NodeExporter::metrics_text`], or if the sample is missing or not a number; the
    /// message then carries the whole exposition.
    pub fn textfile_scrape_error(&self) -> Result<f64, HarnessError> {
        let text = self.metrics_text()?;
        text.lines()
            .find_map(|line| line.strip_prefix("node_textfile_scrape_error "))
            .and_then(|value| value.trim().parse().ok())
            .ok_or_else(|| {
                HarnessError::new(format!(
                    "no numeric node_textfile_scrape_error sample in the exposition:\n{text}\n\
                     {BINARY} log tail:\n{}",
                    self.log_tail()
                ))
            })
    }

    /// The last lines of the exporter's combined stdout and stderr; the textfile collector logs
    /// why it skipped a file here.
    pub fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"));
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        // Kill fails only if the process already exited; wait reaps it either way, so no zombie
        // outlives the test. The temporary directory goes when `dir` drops after this.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for NodeExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeExporter")
            .field("pid", &self.child.id())
            .field("url", &self.url())
            .field("textfile_dir", &self.textfile_dir)
            .field("dir", &self.dir.path())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_kills_the_process_and_removes_the_owned_directory() {
        let exporter = NodeExporter::start().unwrap();
        let proc_dir = PathBuf::from(format!("/proc/{}", exporter.pid()));
        let textfile_dir = exporter.textfile_dir().to_path_buf();
        assert!(proc_dir.exists());
        assert!(textfile_dir.is_dir());
        assert_eq!(exporter.textfile_scrape_error().unwrap(), 0.0);

        drop(exporter);

        // Killed and reaped: not even a zombie entry remains.
        assert!(!proc_dir.exists(), "node_exporter survived drop");
        assert!(
            !textfile_dir.exists(),
            "the textfile directory survived drop"
        );
    }

    #[test]
    fn a_textfile_directory_passed_in_is_read_and_left_in_place() {
        let dir = TempDir::new("prom-testkit-node-exporter-test").unwrap();
        fs::write(dir.path().join("a.prom"), "# TYPE given gauge\ngiven 42\n").unwrap();
        let exporter = NodeExporter::start_with_textfile_dir(dir.path()).unwrap();
        assert_eq!(exporter.textfile_dir(), dir.path());
        assert!(exporter.metrics_text().unwrap().contains("\ngiven 42\n"));

        drop(exporter);

        assert!(dir.path().join("a.prom").is_file());
    }

    #[test]
    fn a_file_that_does_not_parse_is_a_scrape_error() {
        let exporter = NodeExporter::start().unwrap();
        fs::write(
            exporter.textfile_dir().join("bad.prom"),
            "not { an exposition\n",
        )
        .unwrap();
        assert_eq!(exporter.textfile_scrape_error().unwrap(), 1.0);
    }
}
