//! Finding peer programs, knowing whether we are root, and running programs over stdin.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::HarnessError;

/// Directories searched after `PATH`: Debian installs the peers in `/usr/bin`, and some tools in
/// `/usr/sbin`, which a non-root `PATH` often lacks.
const EXTRA_DIRS: &[&str] = &["/usr/bin", "/usr/sbin"];

/// The path of the executable `name`, searched on `PATH` and then in `/usr/bin` and `/usr/sbin`.
///
/// # Errors
///
/// If no executable file of that name exists; the message says to run `cargo xtask test`, which
/// installs every peer, or `apt-get install <debian_package>`.
pub fn require_binary(name: &str, debian_package: &str) -> Result<PathBuf, HarnessError> {
    find_binary(name).ok_or_else(|| {
        HarnessError::new(format!(
            "{name} not found on PATH (nor in /usr/bin, /usr/sbin): run `cargo xtask test`, \
             which installs it, or `apt-get install {debian_package}`"
        ))
    })
}

/// The executable `name` on `PATH`, or else in `/usr/bin` or `/usr/sbin`; `None` if there is
/// none. [`require_binary`] is the same search with an error that says how to install it.
pub fn find_binary(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path_var)
        .chain(EXTRA_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Whether this process runs as root: its effective user id, read from `/proc/self/status`, is
/// 0. Root may install packages and mount file systems, and ignores file permissions.
pub fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        // Real, effective, saved and file-system uid.
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

/// Runs `promtool check metrics` with `text` on its standard input.
///
/// `promtool` parses the Prometheus text format 0.0.4 only; it does not understand OpenMetrics
/// exemplars, info or stateset.
///
/// # Errors
///
/// If `promtool` is missing, cannot be run, or rejects the text: exit status 1 (a parse error) or
/// anything other than 0 and 3. Exit status 3 means lint warnings only and is `Ok`, with the
/// warnings in the returned output (stdout followed by stderr).
pub fn promtool_check_metrics(text: &str) -> Result<String, HarnessError> {
    let promtool = require_binary("promtool", "prometheus")?;
    let mut command = Command::new(&promtool);
    command.args(["check", "metrics"]);
    let output = run_with_stdin(command, text.as_bytes())?;
    let combined = combined_output(&output);
    match output.status.code() {
        Some(0) | Some(3) => Ok(combined),
        _ => Err(HarnessError::new(format!(
            "promtool check metrics rejected the input ({}):\n{combined}\n--- input ---\n{text}",
            output.status
        ))),
    }
}

/// Runs `command` with `input` written to its stdin from another thread, so a child that writes
/// a lot before reading everything cannot deadlock against us.
pub(crate) fn run_with_stdin(mut command: Command, input: &[u8]) -> Result<Output, HarnessError> {
    let program = format!("{:?}", command.get_program());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| HarnessError::new(format!("cannot run {program}: {e}")))?;
    let mut stdin = child.stdin.take().expect("stdin was piped above");
    let input = input.to_vec();
    // A child that exits without reading all of stdin makes the write fail; its exit status
    // and output explain why, so the write error itself is not interesting.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child
        .wait_with_output()
        .map_err(|e| HarnessError::new(format!("cannot wait for {program}: {e}")))?;
    let _ = writer.join();
    Ok(output)
}

pub(crate) fn combined_output(output: &Output) -> String {
    let mut s = String::from_utf8_lossy(&output.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&output.stderr));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_are_found_on_the_path_or_not_at_all() {
        let sh = find_binary("sh").expect("every Unix has sh");
        assert!(sh.ends_with("sh") && is_executable(&sh), "{}", sh.display());
        assert_eq!(find_binary("prom-testkit-no-such-program"), None);
    }

    #[test]
    fn root_is_the_effective_uid_id_reports() {
        let output = Command::new("id").arg("-u").output().unwrap();
        let uid = String::from_utf8_lossy(&output.stdout);
        assert_eq!(is_root(), uid.trim() == "0", "id -u: {uid}");
    }
}
