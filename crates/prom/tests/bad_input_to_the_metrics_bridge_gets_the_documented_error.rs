//! Every bad bucket layout given to the `metrics` bridge, and a second
//! global installation, get exactly the error `docs/errors.md` shows; the
//! `metrics` calls it cannot record as given get the documented outcome:
//! no error, a count in its conflicts self-metric (rows `metrics.*`).

mod common;

use common::{err, Check};
use prom::codec::Encoder;
use prom::metrics_bridge::{Bridge, Matcher};

fn buckets(b: &[f64]) -> String {
    err(Bridge::builder().buckets(b))
}

fn buckets_for(matcher: Matcher, b: &[f64]) -> String {
    err(Bridge::builder().buckets_for(matcher, b))
}

/// Runs `calls` with a fresh bridge as the recorder and returns the
/// exposition's sample lines (no comments).
fn samples(calls: impl FnOnce()) -> Vec<String> {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, calls);
    let mut out = Vec::new();
    Encoder::text()
        .encode(&bridge, &[], &mut out)
        .expect("the bridge's exposition encodes");
    String::from_utf8(out)
        .expect("expositions are UTF-8")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The outcome of a refused call: the lines show only `kept` and the
/// conflict count.
fn refused(what: &str, kept: &[&str], lines: Vec<String>) -> String {
    let (conflicts, rest): (Vec<String>, Vec<String>) = lines
        .into_iter()
        .partition(|l| l.starts_with("prom_metrics_bridge_conflicts_total"));
    if rest != kept {
        return format!("unexpected series: {rest:?}");
    }
    format!(
        "no error: the {what} handle does nothing; {}",
        conflicts.join("; ")
    )
}

const CHECKS: &[(&str, Check)] = &[
    ("metrics.buckets-empty", || buckets(&[])),
    ("metrics.buckets-not-increasing", || buckets(&[1.0, 1.0])),
    ("metrics.buckets-nan", || buckets(&[f64::NAN])),
    ("metrics.buckets-for-full", || {
        buckets_for(Matcher::Full("http.latency".into()), &[2.0, 1.0])
    }),
    ("metrics.buckets-for-prefix", || {
        buckets_for(Matcher::Prefix("http".into()), &[])
    }),
    ("metrics.buckets-for-suffix", || {
        buckets_for(Matcher::Suffix("_seconds".into()), &[f64::NAN])
    }),
    ("metrics.install-twice", || {
        // This test binary is its own process: the first may succeed or
        // find one installed; the second never succeeds.
        let _ = Bridge::builder().install();
        err(Bridge::builder().install())
    }),
    ("metrics.type-clash", || {
        let lines = samples(|| {
            metrics::counter!("x").increment(1);
            metrics::gauge!("x").set(1.0);
        });
        refused("gauge", &["x_total 1"], lines)
    }),
    ("metrics.name-clash", || {
        let lines = samples(|| {
            metrics::counter!("jobs").increment(1);
            metrics::gauge!("jobs_total").set(1.0);
        });
        refused("gauge", &["jobs_total 1"], lines)
    }),
    ("metrics.invalid-name", || {
        let lines = samples(|| metrics::counter!("_total").increment(1));
        refused("counter", &[], lines)
    }),
    ("metrics.duplicate-label", || {
        let lines = samples(|| {
            metrics::counter!("hits", "a.b" => "1", "a_b" => "2").increment(1);
        });
        format!("no error: {}", lines.join("; "))
    }),
    ("metrics.late-unit", || {
        let lines = samples(|| {
            metrics::counter!("sent").increment(1);
            metrics::describe_counter!("sent", metrics::Unit::Bytes, "Bytes sent.");
        });
        let (first, rest) = lines.split_first().expect("two lines");
        format!("no error: {first}, without the unit; {}", rest.join("; "))
    }),
];

#[test]
fn every_metrics_bridge_row_has_its_error() {
    common::check_area("metrics", CHECKS);
}
