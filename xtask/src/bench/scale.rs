//! The scale workload: encode time, memory and lookup time per series at 1,000 to 1,000,000
//! series, measured by the `series_scale` program in a process of its own per implementation
//! and size, so the document shows how each implementation's costs grow.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{show, stdout_of};

/// Implementations: the `series_scale` argument and the row's name.
pub(super) const IMPLS: &[(&str, &str)] = &[
    ("prom", "prom CounterVec, text 0.0.4"),
    ("prometheus", "prometheus CounterVec, text 0.0.4"),
    (
        "prometheus-client",
        "prometheus-client Family<Labels, Counter>, OpenMetrics",
    ),
    (
        "metrics",
        "metrics + metrics-exporter-prometheus recorder, text 0.0.4",
    ),
];

/// The sizes, in series.
pub(super) const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// What one process measured.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Point {
    pub(super) heap_bytes_per_series: f64,
    pub(super) rss_bytes_per_series: f64,
    pub(super) lookup_ns: f64,
    pub(super) encode_ns_per_series: f64,
}

/// One implementation's points, one per size of [`SIZES`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) points: Vec<Point>,
}

/// Runs `program` (`series_scale`) once per size and implementation, sizes in increasing
/// order, each in a process of its own.
pub(super) fn run(program: &Path) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = IMPLS
        .iter()
        .map(|(_, name)| Row {
            name: (*name).to_owned(),
            points: Vec::new(),
        })
        .collect();
    for size in SIZES {
        for (row, (arg, _)) in rows.iter_mut().zip(IMPLS) {
            let mut command = Command::new(program);
            command.arg(arg).args(["--series", &size.to_string()]);
            eprintln!("$ {}   # scale workload", show(&command));
            let stdout = stdout_of(command.stderr(Stdio::inherit()))?;
            eprint!("{stdout}");
            let point = parse(&stdout).map_err(|e| format!("`{}`: {e}", show(&command)))?;
            row.points.push(point);
        }
    }
    Ok(rows)
}

/// Reads the JSON line `series_scale` prints last.
fn parse(stdout: &str) -> Result<Point, String> {
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
    let value = line
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .ok_or_else(|| format!("printed no JSON line: {stdout:?}"))?;
    let field = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("printed no `{key}`"))
    };
    Ok(Point {
        heap_bytes_per_series: field("heap_bytes_per_series")?,
        rss_bytes_per_series: field("rss_bytes_per_series")?,
        lookup_ns: field("lookup_ns")?,
        encode_ns_per_series: field("encode_ns_per_series")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programs_line_is_read() {
        let point = parse(
            "{\"impl\":\"prom\",\"series\":1000,\"heap_bytes_per_series\":150.5,\
             \"rss_bytes_per_series\":163.8,\"lookup_ns\":21.30,\
             \"encode_ns_per_series\":55.10,\"encodes\":40}\n",
        )
        .unwrap();
        assert_eq!(point.heap_bytes_per_series, 150.5);
        assert_eq!(point.lookup_ns, 21.3);
        assert_eq!(point.encode_ns_per_series, 55.1);
        assert!(parse("nothing\n").unwrap_err().contains("no JSON line"));
    }
}
