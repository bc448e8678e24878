//! What every peer process has in common: a temporary directory, a log file that takes the
//! process's output, a free port with a retry when another process takes it first, a readiness
//! poll that notices an early exit, and a drop that kills and reaps exactly the process started.

use std::fs::{self, OpenOptions};
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::http_get;
use crate::tempdir::TempDir;
use crate::HarnessError;

/// How long a peer may take to be ready. The Go peers take well under a second and carbon, on
/// Python and Twisted, one or two; the margin is for loaded machines.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often readiness is polled.
const READY_POLL_INTERVAL: Duration = Duration::from_millis(50);
/// Starts tried in all while the failure is a port taken before the peer bound it.
const START_ATTEMPTS: usize = 3;
/// Lines of a peer's log shown in errors.
const LOG_TAIL_LINES: usize = 40;
/// What a failed bind logs: Go's `bind: address already in use`, Python's `Address already in
/// use`. Start-up errors carry the log tail, so the text reaches [`start_with_port_retries`].
const PORT_TAKEN: &str = "already in use";

/// A child process that is killed (SIGKILL) and reaped when the guard is dropped, however the
/// code holding it ends: no process outlives its test or benchmark, and none is left a zombie.
///
/// It dereferences to the [`Child`], so the process can be waited for or read from meanwhile;
/// only the process it was given is signalled, by its id.
///
/// ```
/// use std::process::Command;
///
/// let guard = prom_testkit::ChildGuard::new(Command::new("sleep").arg("60").spawn()?);
/// let pid = guard.id();
/// drop(guard); // killed and reaped
/// assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ChildGuard(Child);

impl ChildGuard {
    /// Guards `child`.
    pub fn new(child: Child) -> ChildGuard {
        ChildGuard(child)
    }
}

impl Deref for ChildGuard {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.0
    }
}

impl DerefMut for ChildGuard {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Kill fails only if the process already exited; wait reaps it either way.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A peer listening on one port of 127.0.0.1, with its files and its log in a temporary
/// directory.
///
/// Dropping it kills and reaps exactly the process it started, then removes the directory.
pub(crate) struct PeerProcess {
    name: &'static str,
    // Fields drop in order: the process is killed and reaped before its directory goes.
    child: ChildGuard,
    port: u16,
    log: PathBuf,
    dir: TempDir,
}

impl PeerProcess {
    /// Spawns `command`, the peer `name` that will listen on `port`, with its output in
    /// `<name>.log` in `dir`.
    ///
    /// # Errors
    ///
    /// If the log file cannot be created or the program cannot be started.
    pub(crate) fn spawn(
        name: &'static str,
        mut command: Command,
        port: u16,
        dir: TempDir,
    ) -> Result<PeerProcess, HarnessError> {
        let log = dir.path().join(format!("{name}.log"));
        let child = ChildGuard::new(spawn_logged(&mut command, &log)?);
        Ok(PeerProcess {
            name,
            child,
            port,
            log,
            dir,
        })
    }

    /// Polls `http://127.0.0.1:PORT<path>`, sending `headers`, until it answers
    /// `expected_status`.
    ///
    /// # Errors
    ///
    /// As [`wait_ready`]. The caller then drops `self`, which kills the process.
    pub(crate) fn wait_http_ready(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        expected_status: u16,
    ) -> Result<(), HarnessError> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let awaited = format!("answer {expected_status} at {url}");
        wait_ready(
            &mut self.child,
            self.name,
            &self.log,
            &awaited,
            || matches!(http_get(&url, headers), Ok(r) if r.status == expected_status),
        )
    }

    /// GETs `http://127.0.0.1:PORT<path>`, sending `headers`, and returns the body as text.
    ///
    /// # Errors
    ///
    /// If the request fails or the answer is not 200; the message carries the status, the body
    /// and the tail of the peer's log.
    pub(crate) fn get_text(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<String, HarnessError> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let response = http_get(&url, headers)?;
        if response.status != 200 {
            return Err(HarnessError::new(format!(
                "GET {url}: HTTP {}: {}\n{} log tail:\n{}",
                response.status,
                response.text(),
                self.name,
                self.log_tail()
            )));
        }
        Ok(response.text())
    }

    /// The port the peer listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The process id of the peer.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The temporary directory holding the peer's files and log.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of the peer's combined stdout and stderr.
    pub(crate) fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

/// An I/O failure of the harness itself, saying what it was doing.
pub(crate) fn io_error(what: &str, e: io::Error) -> HarnessError {
    HarnessError::new(format!("{what}: {e}"))
}

/// A fresh temporary directory whose name starts with `prefix`.
pub(crate) fn temp_dir(prefix: &str) -> Result<TempDir, HarnessError> {
    TempDir::new(prefix).map_err(|e| io_error("cannot create a temporary directory", e))
}

/// Calls `start_once` again, up to three calls in all, while it fails because a port was
/// already in use.
///
/// Ports come from [`crate::free_port`], so another process may take one between the choice and
/// the peer's bind; the peer then exits during start-up and the error carries its log.
pub(crate) fn start_with_port_retries<T>(
    mut start_once: impl FnMut() -> Result<T, HarnessError>,
) -> Result<T, HarnessError> {
    let mut attempt = 1;
    loop {
        match start_once() {
            Err(e) if attempt < START_ATTEMPTS && e.message().contains(PORT_TAKEN) => {
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Spawns `command` with stdin closed and stdout and stderr appended to the file `log`, which is
/// created if missing: a peer started again in place keeps one log across its runs.
pub(crate) fn spawn_logged(command: &mut Command, log: &Path) -> Result<Child, HarnessError> {
    let stdout = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| io_error(&format!("cannot open the log file {}", log.display()), e))?;
    let stderr = stdout
        .try_clone()
        .map_err(|e| io_error("cannot share the log file", e))?;
    command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| {
            let program = Path::new(command.get_program()).display().to_string();
            io_error(&format!("cannot start {program}"), e)
        })
}

/// Polls `ready` until it holds, for at most [`READY_TIMEOUT`].
///
/// # Errors
///
/// If `child` exits first, or the time runs out; the message names the peer `name`, says what
/// it did not do (`awaited`, such as `answer 200 at URL`) and carries the tail of `log`. The
/// caller stops the process.
pub(crate) fn wait_ready(
    child: &mut Child,
    name: &str,
    log: &Path,
    awaited: &str,
    mut ready: impl FnMut() -> bool,
) -> Result<(), HarnessError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let tail = log_tail(log);
            let hint = if tail.contains(PORT_TAKEN) {
                " (a port is already in use)"
            } else {
                ""
            };
            return Err(HarnessError::new(format!(
                "{name} exited during start-up{hint} ({status}); log tail:\n{tail}"
            )));
        }
        if ready() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(HarnessError::new(format!(
                "{name} did not {awaited} within {READY_TIMEOUT:?}; log tail:\n{}",
                log_tail(log)
            )));
        }
        std::thread::sleep(READY_POLL_INTERVAL);
    }
}

/// The last lines of the log file `log`, or why it cannot be read.
pub(crate) fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_else(|e| format!("(no log: {e})"));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_tail_keeps_the_last_lines() {
        let dir = temp_dir("prom-testkit-process-test").unwrap();
        let log = dir.path().join("peer.log");
        let text: String = (1..=50).map(|i| format!("line {i}\n")).collect();
        fs::write(&log, text).unwrap();
        let tail = log_tail(&log);
        assert!(tail.starts_with("line 11\n"), "{tail}");
        assert!(tail.ends_with("line 50"), "{tail}");
        assert!(log_tail(&dir.path().join("missing.log")).starts_with("(no log: "));
    }

    #[test]
    fn only_a_taken_port_is_retried() {
        let mut calls = 0;
        let result: Result<(), _> = start_with_port_retries(|| {
            calls += 1;
            Err(HarnessError::new("bind: address already in use"))
        });
        assert!(result.is_err());
        assert_eq!(calls, START_ATTEMPTS);

        let mut calls = 0;
        let result: Result<(), _> = start_with_port_retries(|| {
            calls += 1;
            Err(HarnessError::new("no such file"))
        });
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }

    #[test]
    fn an_early_exit_is_an_error_with_the_log() {
        let dir = temp_dir("prom-testkit-process-test").unwrap();
        let log = dir.path().join("peer.log");
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'bind: address already in use' >&2; exit 3"]);
        let mut child = spawn_logged(&mut command, &log).unwrap();
        let message = wait_ready(&mut child, "sh", &log, "be ready", || false)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("sh exited during start-up (a port is already in use)"),
            "{message}"
        );
        assert!(
            message.ends_with("log tail:\nbind: address already in use"),
            "{message}"
        );
    }
}
