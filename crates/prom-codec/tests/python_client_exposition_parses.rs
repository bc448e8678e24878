//! The Python reference client's exposition of a representative registry —
//! labelled Counter, Gauge with a unit, Histogram and Summary, exemplars,
//! escapes, and Info and Enum — parses in both formats, with the families,
//! types and values the client exposed. In OpenMetrics, Info and Enum are
//! read as `info` and `stateset` families.

use prom_codec::{parse_openmetrics, parse_text};
use prom_core::{MetricFamily, MetricType, MetricValue};
use prom_testkit::{python, python_parse, PyFormat};

/// Builds the registry and prints text 0.0.4, a NUL, then OpenMetrics.
/// `all` adds an Info and an Enum.
const SCRIPT: &str = r#"
import sys
from prometheus_client import (CollectorRegistry, Counter, Enum, Gauge, Histogram, Info,
                               Summary, generate_latest)
from prometheus_client.openmetrics import exposition as openmetrics

r = CollectorRegistry()
c = Counter('jobs', 'Jobs run.', ['queue'], registry=r)
c.labels('mail').inc(3)
c.labels('sms "quoted"\\\n').inc(exemplar={'trace_id': 'abc123'})
g = Gauge('queue_depth_bytes', 'Bytes waiting.', ['queue'], unit='bytes', registry=r)
g.labels('mail').set(-2.5)
h = Histogram('latency_seconds', 'Latency.', ['handler'], registry=r, buckets=(0.1, 1, 10))
h.labels('/api').observe(0.3, exemplar={'trace_id': 'def456'})
h.labels('/api').observe(5)
s = Summary('payload_bytes', 'Payloads.', registry=r)
s.observe(100)
if sys.argv[1] == 'all':
    Info('build', 'Build.', registry=r).info({'version': '1.2.3'})
    Enum('state', 'State.', states=['up', 'down'], registry=r).state('down')
sys.stdout.write(generate_latest(r).decode() + '\0' + openmetrics.generate_latest(r).decode())
"#;

/// The client's (text, OpenMetrics) expositions.
fn exposition(which: &str) -> (String, String) {
    let out = std::process::Command::new(python().unwrap())
        .args(["-c", SCRIPT, which])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8(out.stdout).unwrap();
    let (text, om) = out.split_once('\0').unwrap();
    (text.to_owned(), om.to_owned())
}

fn family<'f>(families: &'f [MetricFamily], name: &str) -> &'f MetricFamily {
    families
        .iter()
        .find(|f| &*f.name == name)
        .unwrap_or_else(|| panic!("no family {name:?}"))
}

/// Our families' names and types are the reference parser's.
fn same_names_and_types_as_python(families: &[MetricFamily], input: &str, format: PyFormat) {
    let json = python_parse(input, format).unwrap();
    let python: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let t = f["type"].as_str().unwrap();
            let t = if t == "untyped" { "unknown" } else { t };
            (f["name"].as_str().unwrap().to_owned(), t.to_owned())
        })
        .collect();
    let ours: Vec<(String, String)> = families
        .iter()
        .map(|f| (f.name.to_string(), f.metric_type.as_str().to_owned()))
        .collect();
    assert_eq!(ours, python);
}

fn check_common(families: &[MetricFamily]) {
    let jobs = family(families, "jobs");
    assert_eq!(jobs.metric_type, MetricType::Counter);
    assert_eq!(&*jobs.help, "Jobs run.");
    assert_eq!(jobs.metrics[0].value, MetricValue::Counter(3.0));
    assert_eq!(
        jobs.metrics[1].labels.get("queue"),
        Some("sms \"quoted\"\\\n")
    );
    let depth = family(families, "queue_depth_bytes");
    assert_eq!(depth.metrics[0].value, MetricValue::Gauge(-2.5));
    let latency = family(families, "latency_seconds");
    let MetricValue::Histogram(h) = &latency.metrics[0].value else {
        panic!("not a histogram: {latency:?}")
    };
    let buckets: Vec<(f64, u64)> = h
        .buckets
        .iter()
        .map(|b| (b.upper_bound, b.cumulative_count))
        .collect();
    assert_eq!(buckets, [(0.1, 0), (1.0, 1), (10.0, 2), (f64::INFINITY, 2)]);
    assert_eq!((h.count, h.sum), (2, Some(5.3)));
    let payload = family(families, "payload_bytes");
    let MetricValue::Summary(s) = &payload.metrics[0].value else {
        panic!("not a summary: {payload:?}")
    };
    assert_eq!((s.count, s.sum, s.quantiles.len()), (1, 100.0, 0));
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn text_with_every_kind_of_metric_parses() {
    let (text, _) = exposition("all");
    let families = parse_text(&text).unwrap();
    check_common(&families);
    // Text 0.0.4 has no _created: the client writes it as a gauge family.
    let created = family(&families, "jobs_created");
    assert_eq!(created.metric_type, MetricType::Gauge);
    assert!(matches!(created.metrics[0].value, MetricValue::Gauge(t) if t > 1e9));
    // Info and Enum are gauges in text 0.0.4.
    let build = family(&families, "build_info");
    assert_eq!(build.metrics[0].labels.get("version"), Some("1.2.3"));
    assert_eq!(family(&families, "state").metrics.len(), 2);
    same_names_and_types_as_python(&families, &text, PyFormat::Text);
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn openmetrics_info_and_enum_are_read_as_info_and_stateset() {
    let (_, om) = exposition("all");
    let families = parse_openmetrics(&om).unwrap();
    check_common(&families);
    let build = family(&families, "build");
    assert_eq!(build.metric_type, MetricType::Info);
    // An exposition does not tell an info's own labels from its family's:
    // all are the series' labels.
    assert_eq!(build.metrics[0].labels.get("version"), Some("1.2.3"));
    let state = family(&families, "state");
    assert_eq!(state.metric_type, MetricType::StateSet);
    let MetricValue::StateSet(states) = &state.metrics[0].value else {
        panic!("not a state set: {state:?}")
    };
    let states: Vec<(&str, bool)> = states.iter().map(|s| (&*s.name, s.enabled)).collect();
    assert_eq!(states, [("up", false), ("down", true)]);
    same_names_and_types_as_python(&families, &om, PyFormat::OpenMetrics);
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn openmetrics_without_info_and_enum_parses_with_exemplars_units_and_created_times() {
    let (_, om) = exposition("core");
    let families = parse_openmetrics(&om).unwrap();
    check_common(&families);
    assert_eq!(
        family(&families, "queue_depth_bytes").unit.as_deref(),
        Some("bytes")
    );
    let jobs = family(&families, "jobs");
    assert!(jobs.metrics.iter().all(|m| m.created.unwrap() > 1e9));
    assert!(jobs.metrics[0].exemplars.is_empty());
    let e = &jobs.metrics[1].exemplars[0];
    assert_eq!(e.labels.get("trace_id"), Some("abc123"));
    assert_eq!((e.value, e.bucket), (1.0, None));
    assert!(e.timestamp.unwrap() > 1e9);
    let latency = family(&families, "latency_seconds");
    let e = &latency.metrics[0].exemplars[0];
    assert_eq!(e.labels.get("trace_id"), Some("def456"));
    assert_eq!((e.value, e.bucket), (0.3, Some(1.0)));
    same_names_and_types_as_python(&families, &om, PyFormat::OpenMetrics);
}
