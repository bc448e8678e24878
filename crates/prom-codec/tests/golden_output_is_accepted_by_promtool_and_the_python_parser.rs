//! Conformance: the golden outputs are accepted by the reference parsers —
//! `promtool check metrics` (Debian's `prometheus`) for text 0.0.4 and the
//! Python `prometheus_client` parsers for both formats — and those parsers
//! read back exactly the samples we meant.

mod common;

use std::collections::BTreeMap;

use prom_codec::{canonical_float, Encoder};
use prom_core::{MetricFamily, MetricValue};
use prom_testkit::{promtool_check_metrics, python_parse, PyFormat};

/// A sample as the reference parsers report it.
#[derive(Debug, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: String,
    timestamp: Option<f64>,
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v:?}")
    }
}

/// The samples `families` must turn into.
fn expected(families: &[MetricFamily], openmetrics: bool) -> Vec<Sample> {
    let mut out = Vec::new();
    for fam in families {
        for m in &fam.metrics {
            let labels: BTreeMap<String, String> = m
                .labels
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let ts = m.timestamp_ms.map(|ms| ms as f64 / 1000.0);
            let mut push = |suffix: &str, extra: Option<(&str, String)>, v: f64| {
                let mut labels = labels.clone();
                if let Some((k, v)) = extra {
                    labels.insert(k.into(), v);
                }
                out.push(Sample {
                    name: format!("{}{suffix}", fam.name),
                    labels,
                    value: number(v),
                    timestamp: ts,
                });
            };
            match &m.value {
                MetricValue::Counter(v) => {
                    push("_total", None, *v);
                    if let (true, Some(c)) = (openmetrics, m.created) {
                        push("_created", None, c);
                    }
                }
                MetricValue::Gauge(v) | MetricValue::Unknown(v) => push("", None, *v),
                MetricValue::Histogram(h) => {
                    for b in &h.buckets {
                        let le = canonical_float(b.upper_bound).to_string();
                        push("_bucket", Some(("le", le)), b.cumulative_count as f64);
                    }
                    if h.sum.is_some() || !openmetrics {
                        push("_count", None, h.count as f64);
                    }
                    if let Some(sum) = h.sum {
                        push("_sum", None, sum);
                    }
                    if let (true, Some(c)) = (openmetrics, m.created) {
                        push("_created", None, c);
                    }
                }
                MetricValue::Summary(s) => {
                    for q in &s.quantiles {
                        push(
                            "",
                            Some(("quantile", canonical_float(q.quantile).to_string())),
                            q.value,
                        );
                    }
                    push("_count", None, s.count as f64);
                    push("_sum", None, s.sum);
                    if let (true, Some(c)) = (openmetrics, m.created) {
                        push("_created", None, c);
                    }
                }
                other => panic!("fixture has an unexpected value {other:?}"),
            }
        }
    }
    out
}

fn parsed(json: &serde_json::Value) -> Vec<Sample> {
    let mut out = Vec::new();
    for fam in json.as_array().unwrap() {
        for s in fam["samples"].as_array().unwrap() {
            let labels = s["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            // Python prints floats with repr(); compare as f64 for the value.
            let value = s["value"].as_str().unwrap();
            let value = match value {
                "NaN" | "+Inf" | "-Inf" => value.to_owned(),
                v => number(v.parse().unwrap()),
            };
            let timestamp = s["timestamp"].as_str().map(|t| t.parse().unwrap());
            out.push(Sample {
                name: s["name"].as_str().unwrap().to_owned(),
                labels,
                value,
                timestamp,
            });
        }
    }
    out
}

fn family_meta(json: &serde_json::Value) -> Vec<(String, String, String)> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["type"].as_str().unwrap().to_owned(),
                f["documentation"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn promtool_accepts_the_text_output() {
    let text = Encoder::text()
        .encode_to_string(&common::families())
        .unwrap();
    let report = promtool_check_metrics(&text).unwrap();
    // Lint remarks (exit 3) are allowed; parse errors are not. Counters must
    // not be flagged for a missing `_total`.
    assert!(
        !report.contains("counter metrics should have \"_total\" suffix"),
        "{report}"
    );
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn python_text_parser_reads_back_every_sample() {
    let families = common::families();
    let text = Encoder::text().encode_to_string(&families).unwrap();
    let json = python_parse(&text, PyFormat::Text).unwrap();
    assert_eq!(parsed(&json), expected(&families, false));
    let meta = family_meta(&json);
    assert_eq!(meta[0].0, "http_requests");
    assert_eq!(meta[0].1, "counter");
    assert_eq!(
        meta[0].2,
        "Total HTTP requests.\nA second line with a \\ backslash and \"quotes\"."
    );
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn python_openmetrics_parser_reads_back_every_sample() {
    let families = common::families();
    let text = Encoder::openmetrics().encode_to_string(&families).unwrap();
    let json = python_parse(&text, PyFormat::OpenMetrics).unwrap();
    assert_eq!(parsed(&json), expected(&families, true));
    let meta = family_meta(&json);
    let types: Vec<&str> = meta.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(
        types,
        [
            "counter",
            "gauge",
            "unknown",
            "histogram",
            "histogram",
            "summary",
            "gauge",
            "gauge"
        ]
    );
    assert_eq!(
        meta[0].2,
        "Total HTTP requests.\nA second line with a \\ backslash and \"quotes\"."
    );
    let units: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units[1], "celsius");
    assert_eq!(units[3], "seconds");
}

#[test]
#[ignore = "needs promtool and the python prometheus_client: run cargo xtask test"]
fn a_broken_exposition_is_rejected_by_both() {
    // The conformance checks above are only meaningful if the checkers can fail.
    let broken = "# TYPE x counter\nx_total{a=\"unterminated} 1\n";
    // Each checker must have run and refused the input: a missing peer is an error too, and
    // must not count as a rejection.
    let promtool = promtool_check_metrics(broken).unwrap_err().to_string();
    assert!(
        promtool.contains("promtool check metrics rejected"),
        "{promtool}"
    );
    let text = python_parse(broken, PyFormat::Text)
        .unwrap_err()
        .to_string();
    assert!(text.contains("parser rejected the input"), "{text}");
    let openmetrics = python_parse("x 1\n", PyFormat::OpenMetrics)
        .unwrap_err()
        .to_string();
    assert!(
        openmetrics.contains("parser rejected the input"),
        "no # EOF: {openmetrics}"
    );
}
