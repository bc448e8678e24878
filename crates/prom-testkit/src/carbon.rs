//! A real Graphite `carbon-cache` daemon, started per test on 127.0.0.1, and its whisper files.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::process::{
    io_error, log_tail, spawn_logged, start_with_port_retries, temp_dir, wait_ready,
};
use crate::tempdir::TempDir;
use crate::tools::{combined_output, require_binary};
use crate::{free_port, HarnessError};

/// How long carbon may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the harness polls for exit after SIGTERM and for whisper data.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Seconds the finest archive keeps (`1s:1h`); reading further back would fall through to the
/// coarse `1m` archive, whose averages stay empty until half of a minute has values.
const FINE_RETENTION_SECS: u64 = 3600;

/// A `carbon-cache` process started by the test, with its configuration, whisper files and log in
/// a fresh temporary directory.
///
/// Every series is stored at one-second resolution for an hour (`1s:1h,1m:1d`), new series are
/// created without rate limit, and every write is flushed at once, so a pushed value can be read
/// back with [`Carbon::wait_for_value`] within a second or two.
///
/// The daemon runs in its own process group. [`Carbon::stop`] and dropping the handle send
/// SIGTERM to that group (SIGKILL if it has not exited after 10 s) and reap the process; carbon
/// in `--nodaemon` mode does not fork, so the group holds exactly the process the harness
/// started. Dropping also removes the temporary directory.
///
/// ```no_run
/// use std::io::Write;
/// use std::time::Duration;
///
/// let carbon = prom_testkit::Carbon::start()?;
/// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
/// let mut conn = std::net::TcpStream::connect(carbon.line_addr()).unwrap();
/// write!(conn, "app.requests 42 {}\n", now.as_secs()).unwrap();
/// drop(conn);
/// assert_eq!(carbon.wait_for_value("app.requests", Duration::from_secs(30))?, 42.0);
/// # Ok::<(), prom_testkit::HarnessError>(())
/// ```
pub struct Carbon {
    child: Option<Child>,
    binary: PathBuf,
    whisper_fetch: PathBuf,
    ports: Ports,
    started_at: SystemTime,
    // Dropped after the process is stopped (fields drop after `Drop::drop` runs).
    dir: TempDir,
}

/// The three TCP ports carbon-cache listens on, all on 127.0.0.1.
#[derive(Debug, Clone, Copy)]
struct Ports {
    line: u16,
    pickle: u16,
    query: u16,
}

impl Ports {
    fn free() -> Ports {
        Ports {
            line: free_port(),
            pickle: free_port(),
            query: free_port(),
        }
    }
}

impl Carbon {
    /// Starts `carbon-cache` listening on free ports of 127.0.0.1 and waits until its line
    /// receiver accepts connections.
    ///
    /// # Errors
    ///
    /// If `carbon-cache` or `whisper-fetch` is not installed (the message says how to install
    /// them), the temporary directory cannot be written, or carbon exits or does not listen
    /// within 30 s; then it is stopped and the error carries the tail of its log.
    pub fn start() -> Result<Carbon, HarnessError> {
        let binary = require_binary("carbon-cache", "graphite-carbon")?;
        let whisper_fetch = require_binary("whisper-fetch", "python3-whisper")?;
        start_with_port_retries(|| {
            let mut carbon = Carbon {
                child: None,
                binary: binary.clone(),
                whisper_fetch: whisper_fetch.clone(),
                ports: Ports::free(),
                started_at: SystemTime::now(),
                dir: temp_dir("prom-testkit-carbon")?,
            };
            carbon.write_config()?;
            carbon.spawn()?;
            Ok(carbon)
        })
    }

    /// The address of the plaintext line receiver (`LINE_RECEIVER_PORT`), which takes
    /// `path value timestamp\n` lines.
    pub fn line_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.ports.line))
    }

    /// The process id of the running daemon, or `None` while it is stopped.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The directory holding the whisper files (`LOCAL_DATA_DIR`).
    pub fn whisper_dir(&self) -> PathBuf {
        self.dir.path().join("storage").join("whisper")
    }

    /// Where carbon stores the series `metric_path`.
    ///
    /// A plain path `a.b.c` is stored at `a/b/c.wsp`. A tagged path (`name;tag=value;…`) is first
    /// normalised as carbon does — tags sorted, leading `~` removed from the name — and stored at
    /// `_tagged/<h[0..3]>/<h[3..6]>/<h>.wsp`, where `h` is the hex SHA-256 of the normalised
    /// path. A tagged path carbon cannot parse (an empty tag value, say) is hashed as it is, as
    /// carbon does.
    pub fn whisper_path(&self, metric_path: &str) -> PathBuf {
        self.whisper_dir().join(whisper_relative_path(metric_path))
    }

    /// Reads the series `metric_path` with `whisper-fetch --json --from=<from>`: every
    /// one-second slot from `from` up to now that holds a value, as `(unix seconds, value)`.
    ///
    /// # Errors
    ///
    /// If the whisper file does not exist yet, or `whisper-fetch` fails or prints something
    /// that is not its JSON output.
    pub fn fetch(&self, metric_path: &str, from: u64) -> Result<Vec<(u64, f64)>, HarnessError> {
        let path = self.whisper_path(metric_path);
        if !path.is_file() {
            return Err(HarnessError::new(format!(
                "no whisper file for {metric_path:?} at {}",
                path.display()
            )));
        }
        let output = Command::new(&self.whisper_fetch)
            .arg("--json")
            .arg(format!("--from={from}"))
            .arg(&path)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| io_error(&format!("cannot run {}", self.whisper_fetch.display()), e))?;
        let text = combined_output(&output);
        if !output.status.success() {
            return Err(HarnessError::new(format!(
                "whisper-fetch {} failed ({}): {text}",
                path.display(),
                output.status
            )));
        }
        parse_whisper_json(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
            HarnessError::new(format!(
                "cannot read the output of whisper-fetch --json {}: {text}",
                path.display()
            ))
        })
    }

    /// Waits until the series `metric_path` holds a value and returns the latest one.
    ///
    /// # Errors
    ///
    /// As [`Carbon::wait_for_value_matching`].
    pub fn wait_for_value(
        &self,
        metric_path: &str,
        timeout: Duration,
    ) -> Result<f64, HarnessError> {
        self.wait_for_value_matching(metric_path, timeout, |_| true)
    }

    /// Polls the series `metric_path` every 100 ms — first for its whisper file, then with
    /// `whisper-fetch` — until its latest value satisfies `pred`, and returns that value.
    ///
    /// Values stored since shortly before carbon was started are considered.
    ///
    /// # Errors
    ///
    /// If `timeout` passes first; the message carries what was last read (or why nothing could
    /// be), the whisper files that do exist, and the tail of carbon's log.
    pub fn wait_for_value_matching(
        &self,
        metric_path: &str,
        timeout: Duration,
        pred: impl Fn(f64) -> bool,
    ) -> Result<f64, HarnessError> {
        let deadline = Instant::now() + timeout;
        loop {
            let last = self
                .fetch(metric_path, self.fetch_from())
                .map(|points| points.last().map(|&(_, v)| v));
            if let Ok(Some(v)) = last {
                if pred(v) {
                    return Ok(v);
                }
            }
            if Instant::now() >= deadline {
                let last = match last {
                    Ok(Some(v)) => format!("latest value {v}"),
                    Ok(None) => "the file holds no value yet".to_owned(),
                    Err(e) => e.to_string(),
                };
                return Err(HarnessError::new(format!(
                    "series {metric_path:?} did not get the expected value within {timeout:?}: \
                     {last}\nwhisper files: {}\ncarbon log tail:\n{}",
                    self.whisper_files().join(", "),
                    self.log_tail()
                )));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Every whisper file carbon has created, relative to [`Carbon::whisper_dir`], sorted.
    pub fn whisper_files(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.display().to_string());
                }
            }
        }
        let root = self.whisper_dir();
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out.sort();
        out
    }

    /// The last lines of carbon's combined stdout and stderr (with `--nodaemon` it logs there),
    /// across restarts.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log_path())
    }

    /// Whether the daemon is running (started and not yet stopped, and has not exited).
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the daemon (SIGTERM to its process group, SIGKILL after 10 s) and reaps it. Its
    /// ports, configuration and whisper files are kept for [`Carbon::restart`]. Stopping a
    /// stopped daemon does nothing.
    ///
    /// # Errors
    ///
    /// If the process cannot be waited for.
    pub fn stop(&mut self) -> Result<(), HarnessError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        // The group id is the child's pid (`process_group(0)`); it is signalled only while the
        // child is unreaped, so the id cannot have been reused by an unrelated group.
        let group = child.id();
        if matches!(child.try_wait(), Ok(None)) {
            signal_group("TERM", group);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(POLL_INTERVAL);
            }
            if matches!(child.try_wait(), Ok(None)) {
                signal_group("KILL", group);
                // In case the `kill` command itself is missing.
                let _ = child.kill();
            }
        }
        child
            .wait()
            .map_err(|e| io_error("cannot wait for carbon-cache", e))?;
        Ok(())
    }

    /// Starts the daemon again after [`Carbon::stop`], on the same ports and with the same
    /// whisper files, and waits until it listens. Restarting a running daemon stops it first.
    ///
    /// # Errors
    ///
    /// As [`Carbon::start`]; a port taken by another process in the meantime is an error too.
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.stop()?;
        self.spawn()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("carbon.log")
    }

    fn conf_dir(&self) -> PathBuf {
        self.dir.path().join("conf")
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.path().join("carbon.pid")
    }

    /// The `--from` of whisper reads: a little before the start, but within the fine archive.
    fn fetch_from(&self) -> u64 {
        let unix = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let now = unix(SystemTime::now());
        (unix(self.started_at).saturating_sub(60)).max(now.saturating_sub(FINE_RETENTION_SECS - 60))
    }

    fn write_config(&self) -> Result<(), HarnessError> {
        let conf = self.conf_dir();
        fs::create_dir_all(&conf)
            .map_err(|e| io_error("cannot create the carbon configuration directory", e))?;
        let storage = self.dir.path().join("storage");
        fs::write(conf.join("carbon.conf"), carbon_conf(&storage, self.ports))
            .map_err(|e| io_error("cannot write carbon.conf", e))?;
        fs::write(conf.join("storage-schemas.conf"), STORAGE_SCHEMAS)
            .map_err(|e| io_error("cannot write storage-schemas.conf", e))?;
        Ok(())
    }

    /// Starts the process and waits until it listens; on failure it is stopped again.
    fn spawn(&mut self) -> Result<(), HarnessError> {
        // A pid file left by a killed daemon would make twistd refuse to start if its pid were
        // reused by now.
        let _ = fs::remove_file(self.pid_file());
        let log = self.log_path();
        // The log is appended to across restarts; only this run's lines show readiness.
        let log_start = fs::metadata(&log).map_or(0, |m| m.len());
        let mut command = Command::new(&self.binary);
        command
            .arg("--nodaemon")
            .arg(format!(
                "--config={}",
                self.conf_dir().join("carbon.conf").display()
            ))
            .arg(format!("--pidfile={}", self.pid_file().display()))
            .arg("start")
            .env("GRAPHITE_ROOT", self.dir.path())
            .current_dir(self.dir.path())
            .process_group(0);
        // Ready once carbon logs that its line receiver started on our port (so the port is
        // carbon's, not another process's) and the port accepts a connection.
        let line_addr = self.line_addr();
        let listening = format!("CarbonReceiverFactory starting on {}", line_addr.port());
        let awaited = format!("listen on {line_addr}");
        let child = self.child.insert(spawn_logged(&mut command, &log)?);
        let ready = wait_ready(child, "carbon-cache", &log, &awaited, || {
            read_from(&log, log_start).contains(&listening)
                && TcpStream::connect_timeout(&line_addr, Duration::from_millis(500)).is_ok()
        });
        if ready.is_err() {
            let _ = self.stop();
        }
        ready
    }
}

impl Drop for Carbon {
    fn drop(&mut self) {
        // Nothing useful can be done about a failure here; the temporary directory goes when
        // `dir` drops after this.
        let _ = self.stop();
    }
}

impl std::fmt::Debug for Carbon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Carbon")
            .field("pid", &self.pid())
            .field("line_addr", &self.line_addr())
            .field("dir", &self.dir.path())
            .finish()
    }
}

/// Retention for every series: one-second points for an hour, then minutes for a day.
const STORAGE_SCHEMAS: &str = "[everything]\npattern = .*\nretentions = 1s:1h,1m:1d\n";

/// The `[cache]` section overriding Debian's defaults: no user switch, loopback only, no rate
/// limit on new series, no self-metrics, immediate flushes, and no tag database (which would
/// call a graphite-web on port 80; tagged series are stored all the same).
fn carbon_conf(storage: &Path, ports: Ports) -> String {
    let storage = storage.display();
    format!(
        "[cache]\n\
         USER =\n\
         STORAGE_DIR = {storage}\n\
         LOCAL_DATA_DIR = {storage}/whisper\n\
         LOG_DIR = {storage}/log\n\
         PID_DIR = {storage}\n\
         MAX_CREATES_PER_MINUTE = inf\n\
         LINE_RECEIVER_INTERFACE = 127.0.0.1\n\
         LINE_RECEIVER_PORT = {line}\n\
         PICKLE_RECEIVER_INTERFACE = 127.0.0.1\n\
         PICKLE_RECEIVER_PORT = {pickle}\n\
         CACHE_QUERY_INTERFACE = 127.0.0.1\n\
         CACHE_QUERY_PORT = {query}\n\
         CARBON_METRIC_INTERVAL = 0\n\
         WHISPER_AUTOFLUSH = True\n\
         ENABLE_TAGS = False\n",
        line = ports.line,
        pickle = ports.pickle,
        query = ports.query,
    )
}

/// Sends `SIG<signal>` to every process of the group `group` with the `kill` command.
fn signal_group(signal: &str, group: u32) {
    // Failure means the group is already gone (or `kill` is missing, handled by the caller).
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{group}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The file's contents from byte `start` on, or nothing if it cannot be read.
fn read_from(path: &Path, start: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        if file.seek(SeekFrom::Start(start)).is_ok() {
            let mut bytes = Vec::new();
            let _ = file.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    text
}

/// The whisper file of `metric_path` relative to the whisper directory, as carbon 1.1's
/// `TaggedSeries.encode` with `TAG_HASH_FILENAMES = True` (the default) computes it.
fn whisper_relative_path(metric_path: &str) -> PathBuf {
    if metric_path.contains(';') {
        let normalised = normalise_tagged(metric_path).unwrap_or_else(|| metric_path.to_owned());
        let hash = hex_sha256(&normalised);
        PathBuf::from("_tagged")
            .join(&hash[0..3])
            .join(&hash[3..6])
            .join(format!("{hash}.wsp"))
    } else {
        PathBuf::from(format!(
            "{}.wsp",
            metric_path.replace('.', "/").trim_start_matches('/')
        ))
    }
}

/// Carbon's normalised form of a tagged path (`TaggedSeries.parse(path).path`): the name with
/// leading `~` removed, then `;tag=value` for every tag (a repeated tag keeps its last value),
/// sorted as strings. `None` where carbon's parser raises, in which case carbon stores the series
/// under the path as received.
fn normalise_tagged(path: &str) -> Option<String> {
    let mut segments = path.split(';');
    let name = segments.next().filter(|n| !n.is_empty())?;
    let mut tags: Vec<(&str, &str)> = Vec::new();
    for segment in segments {
        let (tag, value) = segment.split_once('=')?;
        let valid = !tag.is_empty()
            && !value.is_empty()
            && !tag.contains([';', '!', '^', '='])
            && !value.starts_with('~');
        if !valid {
            return None;
        }
        tags.retain(|&(t, _)| t != tag);
        tags.push((tag, value));
    }
    let name = name.trim_start_matches('~');
    if name.is_empty() {
        return None;
    }
    // Carbon keeps `name` as a tag too, overwritten by the series name.
    tags.retain(|&(t, _)| t != "name");
    let mut formatted: Vec<String> = tags.iter().map(|(t, v)| format!(";{t}={v}")).collect();
    formatted.sort();
    Some(format!("{name}{}", formatted.concat()))
}

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses `whisper-fetch --json` output — `{"start": S, "end": E, "step": T, "values": [...]}`
/// with `null`, numbers, `inf`, `-inf` or `nan` (not JSON, hence by hand) — into the slots that
/// hold a value.
fn parse_whisper_json(text: &str) -> Option<Vec<(u64, f64)>> {
    let field = |name: &str| -> Option<&str> {
        let key = format!("\"{name}\"");
        let rest = &text[text.find(&key)? + key.len()..];
        let rest = rest.trim_start().strip_prefix(':')?.trim_start();
        Some(rest)
    };
    let number = |name: &str| -> Option<u64> {
        let rest = field(name)?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let start = number("start")?;
    let step = number("step")?;
    let values = field("values")?.strip_prefix('[')?;
    let values = &values[..values.find(']')?];
    let mut points = Vec::new();
    for (i, token) in values.split(',').map(str::trim).enumerate() {
        if token.is_empty() || token == "null" {
            continue;
        }
        let value: f64 = token.parse().ok()?;
        points.push((start + i as u64 * step, value));
    }
    Some(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_become_directories() {
        assert_eq!(
            whisper_relative_path("a.b.c_total"),
            PathBuf::from("a/b/c_total.wsp")
        );
        assert_eq!(
            whisper_relative_path("x.le.0_5"),
            PathBuf::from("x/le/0_5.wsp")
        );
    }

    // Hashes of paths that carbon-cache 1.1.7 stored, taken from the files it created.
    #[test]
    fn tagged_paths_are_normalised_and_hashed_as_carbon_does() {
        let hashed = |p: &str| whisper_relative_path(p).display().to_string();
        assert_eq!(
            hashed("b.tag;k=v;a=x=y!^"),
            "_tagged/8da/b1a/8dab1a87983c3a6c931152a79c5d66bed00245eeb60f4f8efe506689f03c5ab3.wsp"
        );
        assert_eq!(
            hashed("~~c.tilde;z=1"),
            "_tagged/724/b96/724b96a0092592169c9966b46f25a22eab6b12b2960b5adc8f32698514f40abc.wsp"
        );
        // An empty tag value makes carbon's parser fail; the path is hashed as received.
        assert_eq!(
            hashed("b.bad;k="),
            "_tagged/ed0/cba/ed0cba5ea451615baff6833e340c09c15b791dc4df12613b26f8159bf6421af3.wsp"
        );
    }

    #[test]
    fn normalising_sorts_formatted_tags_and_keeps_the_last_repeat() {
        assert_eq!(
            normalise_tagged("n;b=1;a=2;b=3").as_deref(),
            Some("n;a=2;b=3")
        );
        // ";a-=" sorts before ";a=" because '-' < '='.
        assert_eq!(
            normalise_tagged("n;a=1;a-=2").as_deref(),
            Some("n;a-=2;a=1")
        );
        assert_eq!(normalise_tagged("n;name=x").as_deref(), Some("n"));
        assert_eq!(normalise_tagged("n;k=~v"), None);
        assert_eq!(normalise_tagged(";k=v"), None);
    }

    #[test]
    fn whisper_json_is_read_by_hand() {
        let out = "{\n    \"start\" : 100,\n    \"end\" : 104,\n    \"step\" : 1,\n    \
                   \"values\" : [null, 1.5e-07, inf, null]\n  }\n";
        assert_eq!(
            parse_whisper_json(out).unwrap(),
            vec![(101, 1.5e-7), (102, f64::INFINITY)]
        );
        assert_eq!(
            parse_whisper_json("{\"start\": 5, \"step\": 1, \"values\": []}").unwrap(),
            vec![]
        );
        assert!(parse_whisper_json("Traceback").is_none());
    }
}
