//! The memory workload: bytes per labelled counter series, measured by the `series_memory`
//! program in a process of its own per implementation.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::Stats;
use crate::{show, stdout_of};

/// Implementations: the `series_memory` argument and the row's name.
pub(super) const IMPLS: &[(&str, &str)] = &[
    ("prom", "prom CounterVec"),
    (
        "prom-summary-quantiles",
        "prom SummaryVec, 3 objectives, 20 observations and one reading per series",
    ),
    ("prometheus", "prometheus CounterVec"),
    (
        "prometheus-client",
        "prometheus-client Family<Labels, Counter>",
    ),
    ("metrics", "metrics + metrics-exporter-prometheus recorder"),
    ("prom-metrics", "metrics + prom-metrics bridge"),
    ("dashmap", "DashMap<Key, Arc<AtomicU64>> (foldhash)"),
    ("hashmap", "baseline HashMap<(String, String), AtomicU64>"),
];

/// Series each implementation creates.
pub(super) const SERIES: usize = 100_000;

/// One implementation's bytes per series over the rounds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) name: String,
    /// Growth of the resident set, per series.
    pub(super) rss: Stats,
    /// Growth of the bytes asked of the allocator, per series.
    pub(super) heap: Stats,
}

/// Runs `program` (`series_memory`) once per implementation and round, interleaved.
pub(super) fn run(program: &Path, rounds: usize) -> Result<Vec<Row>, String> {
    let mut rss: Vec<Vec<f64>> = vec![Vec::new(); IMPLS.len()];
    let mut heap: Vec<Vec<f64>> = vec![Vec::new(); IMPLS.len()];
    for round in 1..=rounds {
        for (i, (arg, _)) in IMPLS.iter().enumerate() {
            let mut command = Command::new(program);
            command.arg(arg).args(["--series", &SERIES.to_string()]);
            eprintln!(
                "$ {}   # memory workload, round {round}/{rounds}",
                show(&command)
            );
            let stdout = stdout_of(command.stderr(Stdio::inherit()))?;
            let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
            let result = line
                .and_then(|l| serde_json::from_str::<Value>(l).ok())
                .ok_or_else(|| format!("`{}` printed no JSON line: {stdout:?}", show(&command)))?;
            eprintln!("{}", line.unwrap_or_default());
            let field = |key: &str| {
                result
                    .get(key)
                    .and_then(Value::as_f64)
                    .ok_or_else(|| format!("`{}` printed no `{key}`", show(&command)))
            };
            rss[i].push(field("rss_bytes_per_series")?);
            heap[i].push(field("heap_bytes_per_series")?);
        }
    }
    IMPLS
        .iter()
        .zip(rss.iter().zip(&heap))
        .map(|((_, name), (rss, heap))| {
            Ok(Row {
                name: (*name).to_owned(),
                rss: Stats::of(rss).ok_or("no memory measurement")?,
                heap: Stats::of(heap).ok_or("no memory measurement")?,
            })
        })
        .collect()
}
