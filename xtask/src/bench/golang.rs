//! client_golang, the Go client, as a peer of the suite: its scrape server (a server of the
//! scrape workload) and its micro-benchmarks (rows of the criterion tables), two Go programs in
//! `benches/go` built offline in GOPATH mode against the client_golang source Debian ships, as
//! prom-testkit builds its Go exporter, and cached beside it.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use prom_testkit::ClientGolangExporter;
use serde_json::Value;

use super::criterion::{Group, Row};
use super::{Options, Stats};
use crate::{peers, show, stdout_of};

/// The scrape workload's server, `scrape_server <port> [--series N]`.
const SCRAPE_SERVER_GO: &str = include_str!("../../../benches/go/scrape_server/main.go");

/// The micro-benchmarks, `microbench [-benchtime D] [-samples N] [-filter REGEXP]`.
const MICROBENCH_GO: &str = include_str!("../../../benches/go/microbench/main.go");

/// The Debian package of client_golang's source, whose version the document states.
const CLIENT_PACKAGE: &str = "golang-github-prometheus-client-golang-dev";

/// Samples of each micro-benchmark; one sample is one `testing.Benchmark`.
const SAMPLES: u32 = 10;

/// The built Go programs and what they were built with.
#[derive(Debug, Clone)]
pub(super) struct Go {
    pub(super) scrape_server: PathBuf,
    microbench: PathBuf,
    /// `go1.19.8`.
    pub(super) go_version: String,
    /// The Debian package's version, `1.14.0-3`.
    pub(super) package_version: String,
}

impl Go {
    /// Installs Go and client_golang's source if missing, and builds both programs unless their
    /// cached binaries are current.
    pub(super) fn build() -> Result<Go, String> {
        let go = peers::ensure_client_golang(
            "`cargo xtask bench` again (or leave client_golang out: `--only` without golang, \
             `--servers` without golang)",
        )?;
        let output = |command: &mut Command| {
            command
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        // "go version go1.19.8 linux/amd64"
        let go_version = output(Command::new(&go).arg("version"))
            .and_then(|v| v.split_whitespace().nth(2).map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        let package_version = output(
            Command::new("dpkg-query")
                .args(["--showformat", "${Version}", "--show"])
                .arg(CLIENT_PACKAGE),
        )
        .unwrap_or_else(|| "unknown".into());
        eprintln!(
            "xtask bench: building the client_golang programs (cached after the first build)"
        );
        let build = |name: &str, source: &str| {
            ClientGolangExporter::build_program(name, source).map_err(|e| e.to_string())
        };
        Ok(Go {
            scrape_server: build("bench-scrape-server", SCRAPE_SERVER_GO)?,
            microbench: build("bench-microbench", MICROBENCH_GO)?,
            go_version,
            package_version,
        })
    }

    /// `client_golang 1.14`: the prefix of this peer's rows, from the package's version.
    pub(super) fn row_prefix(&self) -> String {
        let upstream = self.package_version.split('-').next().unwrap_or_default();
        let minor: Vec<&str> = upstream.split('.').take(2).collect();
        format!("client_golang {}", minor.join("."))
    }

    /// The versions for the document's head.
    pub(super) fn versions(&self) -> Vec<(String, String)> {
        let upstream = self.package_version.split('-').next().unwrap_or_default();
        vec![
            (
                "client_golang (Go)".into(),
                format!(
                    "{upstream} (Debian's `{CLIENT_PACKAGE}` {}, built offline in GOPATH mode)",
                    self.package_version
                ),
            ),
            ("Go".into(), self.go_version.clone()),
        ]
    }

    /// Runs the micro-benchmarks (those whose `group/name` `--filter` matches: criterion's
    /// regular expression, read by Go's `regexp`) and returns their rows, by criterion group.
    /// `SAMPLES` samples each, a tenth of criterion's measurement time apiece, so a
    /// benchmark gets about as long as a criterion one. Also returns GOMAXPROCS.
    pub(super) fn run_microbench(&self, options: &Options) -> Result<(Vec<Group>, u64), String> {
        let sample_ms = u64::from(options.measurement_secs) * 1000 / u64::from(SAMPLES);
        let mut command = Command::new(&self.microbench);
        command
            .args(["-benchtime", &format!("{sample_ms}ms")])
            .args(["-samples", &SAMPLES.to_string()])
            .args(["-filter", options.filter.as_deref().unwrap_or("")]);
        eprintln!("$ {}", show(&command));
        let text = stdout_of(command.stderr(Stdio::inherit()))?;
        eprint!("{text}");
        parse_microbench(&text, &self.row_prefix())
            .map_err(|e| format!("`{}`: {e}", show(&command)))
    }
}

/// Reads the micro-benchmarks' JSON lines: the head line's GOMAXPROCS, then one group, name
/// and list of samples per line.
fn parse_microbench(text: &str, prefix: &str) -> Result<(Vec<Group>, u64), String> {
    let mut groups: Vec<Group> = Vec::new();
    let mut gomaxprocs = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("{e} in the line {line:?}"))?;
        if let Some(procs) = value.get("gomaxprocs").and_then(Value::as_u64) {
            gomaxprocs = Some(procs);
            continue;
        }
        let field = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("no `{key}` in the line {line:?}"))
        };
        let samples: Vec<f64> = value
            .get("ns_per_op")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("no `ns_per_op` in the line {line:?}"))?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let row = Row {
            name: format!("{prefix} {}", field("name")?),
            stats: Stats::of(&samples).ok_or_else(|| format!("no samples in {line:?}"))?,
        };
        let id = field("group")?;
        match groups.iter_mut().find(|g| g.id == id) {
            Some(group) => group.rows.push(row),
            None => groups.push(Group {
                id: id.to_owned(),
                rows: vec![row],
            }),
        }
    }
    Ok((groups, gomaxprocs.ok_or("no head line with `gomaxprocs`")?))
}

/// Adds the rows of `extra` to the groups of the same id (after criterion's rows), or as new
/// groups when criterion did not run them.
pub(super) fn merge(groups: &mut Vec<Group>, extra: Vec<Group>) {
    for group in extra {
        match groups.iter_mut().find(|g| g.id == group.id) {
            Some(existing) => existing.rows.extend(group.rows),
            None => groups.push(group),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microbench_output_becomes_rows_of_the_criterion_groups() {
        let text = r#"{"go":"go1.19.8","gomaxprocs":2}
{"group":"counter_inc_1_thread","name":"Counter.Inc()","ns_per_op":[5.2,5.0,5.1]}
{"group":"counter_inc_2_threads","name":"Counter.Inc()","ns_per_op":[7.8]}
{"group":"counter_inc_1_thread","name":"Counter.Add(1.5)","ns_per_op":[5.6,5.5]}
"#;
        let (groups, procs) = parse_microbench(text, "client_golang 1.14").unwrap();
        assert_eq!(procs, 2);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].rows[0].name, "client_golang 1.14 Counter.Inc()");
        assert_eq!(groups[0].rows[0].stats.median, 5.1);
        assert_eq!(groups[0].rows[1].stats.median, 5.55);
        assert!(parse_microbench("{\"group\":\"g\"}\n", "x").is_err());

        let mut criterion = vec![Group {
            id: "counter_inc_1_thread".into(),
            rows: vec![Row {
                name: "prom inc()".into(),
                stats: Stats::of(&[4.0]).unwrap(),
            }],
        }];
        merge(&mut criterion, groups);
        assert_eq!(criterion.len(), 2);
        let names: Vec<&str> = criterion[0].rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "prom inc()",
                "client_golang 1.14 Counter.Inc()",
                "client_golang 1.14 Counter.Add(1.5)"
            ]
        );
        let go = Go {
            scrape_server: PathBuf::new(),
            microbench: PathBuf::new(),
            go_version: "go1.19.8".into(),
            package_version: "1.14.0-3".into(),
        };
        assert_eq!(go.row_prefix(), "client_golang 1.14");
    }
}
