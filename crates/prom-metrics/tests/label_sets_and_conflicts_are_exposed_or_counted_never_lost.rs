//! `metrics` allows what a Prometheus family does not: other label names
//! under one name, one name as two types, names that map alike. The bridge
//! never panics and never drops a call silently: differing label sets are
//! all exposed in one family, and every call it cannot record as given is
//! counted in `prom_metrics_bridge_conflicts_total`. The exposition always
//! encodes and parses.

mod common;

use metrics::Unit;
use prom_metrics::Bridge;

fn conflicts(bridge: &Bridge, name: &str, reason: &str) -> Option<f64> {
    prom_core::collect(bridge).unwrap().iter().find_map(|f| {
        f.sample_value(
            "prom_metrics_bridge_conflicts_total",
            &[("name", name), ("reason", reason)],
        )
    })
}

#[test]
fn calls_of_one_name_with_other_label_names_are_one_family() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_counter!("requests", "Requests served.");
        metrics::counter!("requests", "method" => "GET").increment(1);
        metrics::counter!("requests", "method" => "GET", "code" => "200").increment(2);
        metrics::counter!("requests").increment(3);
        metrics::counter!("requests", "code" => "500", "method" => "POST").increment(4);
        // Same labels in another order: the same series.
        metrics::counter!("requests", "method" => "GET", "code" => "200").increment(5);
        metrics::counter!("requests", "code" => "200", "method" => "GET").increment(6);
    });
    let text = common::text(&bridge);
    assert_eq!(
        common::parses(&text),
        concat!(
            "# HELP requests_total Requests served.\n",
            "# TYPE requests_total counter\n",
            "requests_total{method=\"GET\"} 1\n",
            "requests_total{code=\"200\",method=\"GET\"} 13\n",
            "requests_total{code=\"500\",method=\"POST\"} 4\n",
            "requests_total 3\n",
        )
    );
    // The snapshot path gives the same one family.
    prom_codec::Comparison::new(&text).check(&bridge).unwrap();
    let om = common::openmetrics(&bridge);
    prom_codec::parse_openmetrics(&om).unwrap();
    assert_eq!(om.matches("# TYPE requests counter").count(), 1, "{om}");
}

#[test]
fn a_name_recorded_as_another_type_is_refused_and_counted() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("x").increment(1);
        for _ in 0..3 {
            // Refused: a handle that does nothing, counted on each call.
            metrics::gauge!("x").set(5.0);
        }
        metrics::histogram!("x", "k" => "v").record(1.0);
    });
    assert_eq!(conflicts(&bridge, "x", "type"), Some(4.0));
    assert_eq!(
        common::parses(&common::text(&bridge)),
        concat!(
            "# TYPE x_total counter\n",
            "x_total 1\n",
            "# HELP prom_metrics_bridge_conflicts_total metrics facade calls the prom bridge could not record as given, by name and reason.\n",
            "# TYPE prom_metrics_bridge_conflicts_total counter\n",
            "prom_metrics_bridge_conflicts_total{name=\"x\",reason=\"type\"} 4\n",
        )
    );
}

#[test]
fn names_that_would_write_another_familys_samples_are_refused_and_counted() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("jobs").increment(1);
        metrics::gauge!("jobs_total").set(1.0); // would write jobs_total twice
        metrics::histogram!("latency").record(1.0);
        metrics::gauge!("latency_count").set(1.0); // would write latency_count twice
        metrics::gauge!("latency_sum", "a" => "b").set(1.0);
        // The bridge's own self-metric is taken too.
        metrics::gauge!("prom_metrics_bridge_conflicts_total").set(1.0);
    });
    assert_eq!(conflicts(&bridge, "jobs_total", "name_clash"), Some(1.0));
    assert_eq!(conflicts(&bridge, "latency_count", "name_clash"), Some(1.0));
    assert_eq!(conflicts(&bridge, "latency_sum", "name_clash"), Some(1.0));
    assert_eq!(
        conflicts(&bridge, "prom_metrics_bridge_conflicts_total", "name_clash"),
        Some(1.0)
    );
    // What is exposed still encodes (no name written twice) and parses.
    common::parses(&common::text(&bridge));
    prom_codec::parse_openmetrics(&common::openmetrics(&bridge)).unwrap();
}

#[test]
fn labels_that_map_to_one_name_keep_the_first_and_are_counted() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("hits", "a.b" => "1", "a_b" => "2").increment(1);
        metrics::counter!("hits", "k" => "1", "k" => "2").increment(1);
    });
    let text = common::text(&bridge);
    assert!(text.contains("hits_total{a_b=\"1\"} 1\n"), "{text}");
    assert!(text.contains("hits_total{k=\"1\"} 1\n"), "{text}");
    assert_eq!(conflicts(&bridge, "hits", "duplicate_label"), Some(2.0));
    common::parses(&text);
}

#[test]
fn a_unit_described_after_the_first_series_is_counted_and_the_name_kept() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("sent").increment(1);
        metrics::describe_counter!("sent", Unit::Bytes, "Bytes sent.");
        metrics::counter!("sent", "peer" => "a").increment(2);
    });
    assert_eq!(
        common::text(&bridge).lines().take(4).collect::<Vec<_>>(),
        [
            "# HELP sent_total Bytes sent.",
            "# TYPE sent_total counter",
            "sent_total 1",
            "sent_total{peer=\"a\"} 2",
        ]
    );
    assert_eq!(conflicts(&bridge, "sent", "late_unit"), Some(1.0));
}

#[test]
fn a_name_that_stays_invalid_is_refused_and_counted() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        // "_total" without its suffix is "", no name at all.
        metrics::counter!("_total").increment(1);
    });
    assert_eq!(conflicts(&bridge, "_total", "invalid_name"), Some(1.0));
}

#[test]
fn kept_handles_of_refused_keys_do_nothing_and_do_not_panic() {
    let bridge = Bridge::new();
    let refused = metrics::with_local_recorder(&bridge, || {
        metrics::gauge!("y").set(1.0);
        metrics::counter!("y")
    });
    refused.increment(1);
    refused.absolute(100);
    let text = common::text(&bridge);
    assert!(
        text.starts_with("# TYPE y gauge\ny 1\n# HELP prom_metrics_bridge_conflicts_total "),
        "{text}"
    );
    assert_eq!(conflicts(&bridge, "y", "type"), Some(1.0));
}
