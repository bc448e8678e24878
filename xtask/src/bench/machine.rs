//! The machine and toolchain a run measured on, for the document's head.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use crate::project_root;

/// What the document's head says about the machine and the run.
#[derive(Debug, Clone, Default)]
pub(super) struct Machine {
    pub(super) nproc: String,
    pub(super) cpu: String,
    pub(super) memory: String,
    pub(super) kernel: String,
    pub(super) rustc: String,
    /// (crate, versions) of the peers and criterion, from Cargo.lock.
    pub(super) crates: Vec<(String, String)>,
    /// When the run started, `YYYY-MM-DD HH:MM UTC`.
    pub(super) date: String,
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
    /// Reads the machine from `/proc`, `nproc`, `rustc`, `date` and Cargo.lock; whatever
    /// cannot be read is `unknown`.
    pub(super) fn probe() -> Machine {
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
            // The system's `date` knows the calendar, so xtask need not.
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(unknown),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_the_lock_file() {
        assert_eq!(
            lock_versions("[[package]]\nname = \"metrics\"\nversion = \"0.24.6\"\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n")["metrics"],
            ["0.24.6"]
        );
    }

    #[test]
    fn the_date_is_utc_to_the_minute() {
        let date = Machine::probe().date;
        let shape: String = date
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(shape, "9999-99-99 99:99 UTC", "{date}");
    }
}
