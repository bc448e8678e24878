//! `cargo run -p prom --example tour` prints one family of every type in
//! OpenMetrics, which the Python reference parser reads with every type and
//! both exemplars, and with `--text` in text 0.0.4, which `promtool check
//! metrics` accepts; prom's own parsers read both back.

use std::path::PathBuf;
use std::process::Command;

use prom_testkit::{promtool_check_metrics, python_parse, PyFormat};

/// The tour binary, built by `cargo test` alongside this test.
fn tour(args: &[&str]) -> String {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>/examples/tour
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target profile directory");
    let tour: PathBuf = dir
        .join("examples")
        .join(format!("tour{}", std::env::consts::EXE_SUFFIX));
    assert!(
        tour.is_file(),
        "{} is missing: plain `cargo test` builds it; run `cargo xtask test`",
        tour.display()
    );
    let out = Command::new(&tour)
        .args(args)
        .output()
        .expect("run the tour");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

const TYPES: [(&str, &str); 8] = [
    ("requests", "counter"),
    ("queue_depth", "gauge"),
    ("request_latency_seconds", "histogram"),
    ("response_size_bytes", "summary"),
    ("build", "info"),
    ("task_state", "stateset"),
    ("jobs_pending_age", "gaugehistogram"),
    ("legacy_reading", "unknown"),
];

#[test]
fn the_openmetrics_tour_has_every_type_and_prom_reads_it_back() {
    let om = tour(&[]);
    let families = prom::codec::parse_openmetrics(&om).expect("prom reads its own tour");
    let got: Vec<(&str, &str)> = families
        .iter()
        .map(|f| (&*f.name, f.metric_type.as_str()))
        .collect();
    assert_eq!(got, TYPES);
    assert!(
        om.contains("requests_total 42 # {trace_id=\"4bf92f3577b34da6\"} 1 "),
        "{om}"
    );
    assert!(
        om.contains(
            "request_latency_seconds_bucket{le=\"0.5\"} 5 # {trace_id=\"00f067aa0ba902b7\"} 0.42 "
        ),
        "{om}"
    );
    assert!(
        om.contains("task_state{task_state=\"running\"} 1\n"),
        "{om}"
    );
    assert!(om.contains("build_info{version=\""), "{om}");
    assert!(
        om.contains("response_size_bytes{quantile=\"0.99\"} "),
        "{om}"
    );
    let text = tour(&["--text"]);
    prom::codec::parse_text(&text).expect("prom reads its own text tour");
    assert!(
        !text.contains(" # {"),
        "text 0.0.4 has no exemplars:\n{text}"
    );
    assert!(text.contains("# TYPE build_info gauge\n"), "{text}");
    assert!(
        text.contains("# TYPE jobs_pending_age histogram\n"),
        "{text}"
    );
    assert!(text.contains("# TYPE legacy_reading untyped\n"), "{text}");
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn the_python_openmetrics_parser_reads_every_type_and_both_exemplars() {
    let om = tour(&[]);
    let parsed = python_parse(&om, PyFormat::OpenMetrics).expect("the Python parser reads it");
    let families = parsed.as_array().expect("an array of families");
    let got: Vec<(&str, &str)> = families
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default(),
                f["type"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(got, TYPES);
    let exemplars: Vec<&str> = families
        .iter()
        .flat_map(|f| f["samples"].as_array().into_iter().flatten())
        .filter_map(|s| s["exemplar"]["labels"]["trace_id"].as_str())
        .collect();
    assert_eq!(exemplars, ["4bf92f3577b34da6", "00f067aa0ba902b7"]);
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn promtool_accepts_the_text_tour() {
    promtool_check_metrics(&tour(&["--text"])).expect("promtool accepts the text tour");
}
