//! UTF-8 names against the peers: our quoted output read by client_python's
//! text and OpenMetrics parsers, client_python's quoted output (its
//! `generate_latest(escaping='allow-utf-8')`) read by ours, the names each
//! escaping scheme gives compared with client_python's, and the escaped
//! text accepted by promtool 2.42, which knows no UTF-8.

use std::collections::BTreeMap;

use prom_codec::escape::Escaping;
use prom_codec::{parse_openmetrics, parse_text, Encoder};
use prom_core::{Collector, CounterVec, Gauge, GaugeVec, HistogramVec, MetricFamily, Opts};
use prom_testkit::{promtool_check_metrics, python, python_parse, PyFormat};

/// The same metrics as [`PYTHON_METRICS`]: a counter and a histogram with
/// dotted names and labels, a gauge with a legacy name and non-legacy
/// labels (one with a colon), a digit-led gauge and an emoji gauge.
fn ours() -> Vec<Box<dyn Collector>> {
    let c = CounterVec::new(Opts::new("my.metric", "Dots.").labels(["label.x", "code"])).unwrap();
    c.with_label_values(&["v", "200"])
        .unwrap()
        .inc_by(3.0)
        .unwrap();
    let h = HistogramVec::new(
        Opts::new("req.seconds", "Latency.")
            .labels(["route.name"])
            .buckets([0.5]),
    )
    .unwrap();
    h.with_label_values(&["/a"]).unwrap().observe(0.25);
    let g = GaugeVec::new(Opts::new("foo", "Legacy name.").labels(["größe", "a:b"])).unwrap();
    g.with_label_values(&["1", "2"]).unwrap().set(1.5);
    let digit = Gauge::new("9lives", "Digit first.").unwrap();
    digit.set(9.0);
    let emoji = Gauge::new("🔥_x", "Emoji.").unwrap();
    emoji.set(-1.0);
    vec![
        Box::new(c),
        Box::new(h),
        Box::new(g),
        Box::new(digit),
        Box::new(emoji),
    ]
}

const PYTHON_METRICS: &str = r#"
import sys
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.openmetrics import exposition as openmetrics

r = CollectorRegistry()
Counter('my.metric', 'Dots.', ['label.x', 'code'], registry=r).labels('v', '200').inc(3)
Histogram('req.seconds', 'Latency.', ['route.name'], buckets=(0.5,), registry=r).labels('/a').observe(0.25)
Gauge('foo', 'Legacy name.', ['größe', 'a:b'], registry=r).labels('1', '2').set(1.5)
Gauge('9lives', 'Digit first.', registry=r).set(9)
Gauge('🔥_x', 'Emoji.', registry=r).set(-1)
if sys.argv[1] == 'openmetrics':
    sys.stdout.write(openmetrics.generate_latest(r, escaping='allow-utf-8').decode())
else:
    sys.stdout.write(generate_latest(r, escaping=sys.argv[1]).decode())
"#;

fn python_writes(how: &str) -> String {
    let out = std::process::Command::new(python().unwrap())
        .args(["-c", PYTHON_METRICS, how])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Our metrics' exposition in `encoder`'s format, as one snapshot (so
/// that OpenMetrics has one `# EOF`).
fn encode(encoder: Encoder) -> String {
    let mut out = Vec::new();
    let mut fams: Vec<MetricFamily> = Vec::new();
    for s in &ours() {
        fams.extend(prom_core::collect(s.as_ref()).unwrap());
    }
    encoder.encode_families(&fams, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every sample as `name{sorted labels} value`, `_created` left out (its
/// value is a clock reading).
fn samples_of_python(json: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for fam in json.as_array().unwrap() {
        for s in fam["samples"].as_array().unwrap() {
            let name = s["name"].as_str().unwrap();
            if name.ends_with("_created") {
                continue;
            }
            let labels: BTreeMap<String, String> = s["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            let value: f64 = s["value"].as_str().unwrap().parse().unwrap();
            out.push(format!("{name}{labels:?} {value}"));
        }
    }
    out.sort();
    out
}

/// The same from our parsers' model (counters, gauges and histograms: the
/// types used here).
fn samples_of_ours(families: &[MetricFamily]) -> Vec<String> {
    let mut out = Vec::new();
    for f in families {
        for m in &f.metrics {
            let labels: BTreeMap<String, String> = m
                .labels
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let mut push = |suffix: &str, extra: Option<(&str, String)>, v: f64| {
                let mut l = labels.clone();
                if let Some((k, x)) = extra {
                    l.insert(k.to_owned(), x);
                }
                out.push(format!("{}{suffix}{l:?} {v}", f.name));
            };
            match &m.value {
                prom_core::MetricValue::Counter(v) => push("_total", None, *v),
                prom_core::MetricValue::Gauge(v) | prom_core::MetricValue::Unknown(v) => {
                    push("", None, *v)
                }
                prom_core::MetricValue::Histogram(h) => {
                    for b in &h.buckets {
                        let le = prom_codec::canonical_float(b.upper_bound).to_string();
                        push("_bucket", Some(("le", le)), b.cumulative_count as f64);
                    }
                    push("_count", None, h.count as f64);
                    if let Some(sum) = h.sum {
                        push("_sum", None, sum);
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    out.sort();
    out
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn our_quoted_output_reads_the_same_in_the_python_parsers() {
    let text = encode(Encoder::text_1_0_0().with_escaping(Escaping::AllowUtf8));
    assert!(
        text.contains("{\"my.metric_total\",\"label.x\"=\"v\",code=\"200\"} 3\n"),
        "{text}"
    );
    let om = encode(Encoder::openmetrics().with_escaping(Escaping::AllowUtf8));
    let ours_text = samples_of_ours(&parse_text(&text).unwrap());
    let ours_om = samples_of_ours(&parse_openmetrics(&om).unwrap());
    assert_eq!(ours_text, ours_om);
    let py_text = python_parse(&text, PyFormat::Text).unwrap();
    assert_eq!(samples_of_python(&py_text), ours_text);
    let py_om = python_parse(&om, PyFormat::OpenMetrics).unwrap();
    assert_eq!(samples_of_python(&py_om), ours_om);
    // The family names agree too (python's text parser names a counter
    // without `_total`, as ours does).
    let names = |json: &serde_json::Value| -> Vec<String> {
        json.as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let want = ["my.metric", "req.seconds", "foo", "9lives", "🔥_x"];
    assert_eq!(names(&py_om), want);
    assert_eq!(
        parse_openmetrics(&om)
            .unwrap()
            .iter()
            .map(|f| f.name.to_string())
            .collect::<Vec<_>>(),
        want
    );
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn pythons_quoted_output_reads_the_same_in_our_parsers() {
    let text = python_writes("allow-utf-8");
    assert!(text.contains("{\"my.metric_total\","), "{text}");
    let om = python_writes("openmetrics");
    let py_text = samples_of_python(&python_parse(&text, PyFormat::Text).unwrap());
    let py_om = samples_of_python(&python_parse(&om, PyFormat::OpenMetrics).unwrap());
    // Python writes `_created` as gauges of their own in text: left out.
    let ours_text: Vec<String> = samples_of_ours(&parse_text(&text).unwrap())
        .into_iter()
        .filter(|s| !s.contains("_created"))
        .collect();
    assert_eq!(ours_text, py_text);
    let parsed_om = parse_openmetrics(&om).unwrap();
    assert_eq!(samples_of_ours(&parsed_om), py_om);
    assert_eq!(&*parsed_om[0].name, "my.metric");
    assert_eq!(parsed_om[0].metrics[0].labels.get("label.x"), Some("v"));
    assert!(parsed_om[0].metrics[0].created.is_some());
}

/// `# TYPE <name> <type>` lines and label names of an exposition.
fn type_lines_and_label_names(text: &str) -> (Vec<String>, Vec<String>) {
    let types = text
        .lines()
        .filter(|l| l.starts_with("# TYPE"))
        .filter(|l| !l.contains("_created"))
        .map(str::to_owned)
        .collect();
    let mut labels: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| Some(l.split_once('{')?.1.split_once('}')?.0.to_owned()))
        .flat_map(|ls| {
            ls.split(',')
                .filter_map(|p| p.split_once('=').map(|(k, _)| k.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    labels.sort();
    labels.dedup();
    (types, labels)
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn each_scheme_escapes_names_as_the_python_client_does() {
    for scheme in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
        let ours = encode(Encoder::text().with_escaping(scheme));
        let theirs = python_writes(scheme.as_str());
        let (our_types, our_labels) = type_lines_and_label_names(&ours);
        let (their_types, their_labels) = type_lines_and_label_names(&theirs);
        assert_eq!(our_labels, their_labels, "{scheme:?}");
        // Names without a suffix agree for every scheme; with `_total`
        // (client_python escapes the sample name, we the family name and
        // append the suffix so that the samples stay the family's) only
        // for `underscores`, where both are the same.
        for (o, t) in our_types.iter().zip(&their_types) {
            if scheme == Escaping::Underscores || !t.contains("_total") {
                assert_eq!(o, t, "{scheme:?}");
            }
        }
        assert_eq!(our_types.len(), their_types.len());
    }
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn promtool_accepts_the_escaped_text() {
    for scheme in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
        let text = encode(Encoder::text().with_escaping(scheme));
        assert!(!text.contains('"') || !text.contains("{\""), "{text}");
        promtool_check_metrics(&text).unwrap();
    }
    // Unasked, the default scheme.
    let text = encode(Encoder::negotiate(Some("text/plain;version=0.0.4")));
    assert!(
        text.contains("my_metric_total{label_x=\"v\",code=\"200\"} 3\n"),
        "{text}"
    );
    promtool_check_metrics(&text).unwrap();
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn promtool_refuses_the_quoted_text() {
    // What 2.42 would get if we ignored the negotiation: it cannot read it.
    let text = encode(Encoder::text().with_escaping(Escaping::AllowUtf8));
    assert!(promtool_check_metrics(&text).is_err());
}
