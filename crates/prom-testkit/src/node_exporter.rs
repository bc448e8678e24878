//! A real `node_exporter` with only its textfile collector, started per test on 127.0.0.1.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{io_error, start_with_port_retries, temp_dir, PeerProcess};
use crate::tools::require_binary;
use crate::{free_port, HarnessError};

/// Debian's name for the program, and the package that installs it.
const BINARY: &str = "prometheus-node-exporter";

/// A `node_exporter` process started by the test, with every collector disabled but the textfile
/// collector, which reads the `*.prom` files of [`NodeExporter::textfile_dir`] at each scrape.
///
/// It listens on `127.0.0.1:<free port>`; its log lives in a fresh temporary directory, as does
/// the textfile directory unless one is passed to [`NodeExporter::start_with_textfile_dir`].
/// Dropping it kills and reaps exactly the process it started and removes the temporary
/// directory (a textfile directory passed in is left alone).
pub struct NodeExporter {
    process: PeerProcess,
    textfile_dir: PathBuf,
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
        start_with_port_retries(|| Self::start_once(&binary, textfile_dir))
    }

    fn start_once(
        binary: &Path,
        textfile_dir: Option<&Path>,
    ) -> Result<NodeExporter, HarnessError> {
        let dir = temp_dir("prom-testkit-node-exporter")?;
        let textfile_dir = match textfile_dir {
            Some(d) => d.to_path_buf(),
            None => {
                let d = dir.path().join("textfile");
                fs::create_dir(&d)
                    .map_err(|e| io_error("cannot create the textfile directory", e))?;
                d
            }
        };
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .arg("--collector.disable-defaults")
            .arg("--collector.textfile")
            .arg(format!(
                "--collector.textfile.directory={}",
                textfile_dir.display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"));
        let mut process = PeerProcess::spawn(BINARY, command, port, dir)?;
        process.wait_http_ready("/metrics", &[], 200)?;
        Ok(NodeExporter {
            process,
            textfile_dir,
        })
    }

    /// The base URL of the exporter, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.process.port())
    }

    /// The URL of the exposition, `http://127.0.0.1:PORT/metrics`.
    pub fn metrics_url(&self) -> String {
        format!("{}/metrics", self.url())
    }

    /// The process id of the exporter.
    pub fn pid(&self) -> u32 {
        self.process.pid()
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
        self.process.get_text("/metrics", &[])
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
        self.process.log_tail()
    }
}

impl std::fmt::Debug for NodeExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeExporter")
            .field("pid", &self.pid())
            .field("url", &self.url())
            .field("textfile_dir", &self.textfile_dir)
            .field("dir", &self.process.dir())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempdir::TempDir;

    #[test]
    #[ignore = "needs node_exporter: run cargo xtask test"]
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
    #[ignore = "needs node_exporter: run cargo xtask test"]
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
    #[ignore = "needs node_exporter: run cargo xtask test"]
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
