//! The request workload: `wrk` requesting `GET /hello/{name}` of one axum app
//! served bare, with prom-tower's layer and with axum-prometheus's, so that
//! what request metrics cost a served request shows in requests per second
//! and p99 latency.

use std::process::Command;

use prom_testkit::{free_port, http_get};

use super::scrape::{run_wrk, start_server, WrkResult, WRK_CONNECTIONS};
use super::{Options, Programs, Stats};
use crate::project_root;

/// The layers, by `request_server`'s argument and the row's name.
const LAYERS: [(&str, &str); 3] = [
    ("none", "axum app, no layer"),
    ("prom", "prom-tower RequestMetricsLayer"),
    ("axum-prometheus", "axum-prometheus PrometheusMetricLayer"),
];

/// One layer's figures over all rounds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) requests_per_sec: Stats,
    /// p99 latency in milliseconds.
    pub(super) p99_ms: Stats,
    /// Socket errors and non-2xx responses over all rounds.
    pub(super) errors: u64,
    /// Requests wrk made over all rounds.
    pub(super) requests: u64,
}

/// Requests each layer's server under `wrk` once per round, interleaved,
/// each started fresh.
pub(super) fn run(
    options: &Options,
    programs: &Programs,
    wrk_path: &std::path::Path,
) -> Result<Vec<Row>, String> {
    let mut results: Vec<Vec<WrkResult>> = vec![Vec::new(); LAYERS.len()];
    let rounds = options.rounds;
    for round in 1..=rounds {
        for (i, (layer, name)) in LAYERS.into_iter().enumerate() {
            let port = free_port();
            let mut command = Command::new(&programs.request_server);
            command
                .args([layer, &port.to_string()])
                .current_dir(project_root());
            eprintln!("xtask bench: request workload, round {round}/{rounds}: {name}");
            let running = start_server(&mut command)?;
            let url = format!("http://127.0.0.1:{port}/hello/world");
            let check = http_get(&url, &[]).map_err(|e| e.to_string())?;
            if check.status != 200 || check.text() != "Hello, world!\n" {
                return Err(format!(
                    "{name}: GET {url} answered {} {:?}",
                    check.status,
                    check.text()
                ));
            }
            let result = run_wrk(wrk_path, options.scrape_secs, &[], &url);
            drop(running);
            results[i].push(result?);
        }
    }
    LAYERS
        .into_iter()
        .zip(&results)
        .map(|((_, name), runs)| {
            let rps: Vec<f64> = runs.iter().map(|r| r.requests_per_sec).collect();
            let p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
            Ok(Row {
                name: name.to_owned(),
                requests_per_sec: Stats::of(&rps).ok_or("no wrk run")?,
                p99_ms: Stats::of(&p99).ok_or("no wrk run")?,
                errors: runs.iter().map(|r| r.errors).sum(),
                requests: runs.iter().map(|r| r.requests).sum(),
            })
        })
        .collect()
}

/// Microseconds a layer adds to each request: the difference of the time
/// per request (wrk's connections at once) with and without it.
pub(super) fn overhead_us(layered_rps: f64, bare_rps: f64) -> f64 {
    let per = |rps: f64| f64::from(WRK_CONNECTIONS) * 1e6 / rps;
    per(layered_rps) - per(bare_rps)
}
