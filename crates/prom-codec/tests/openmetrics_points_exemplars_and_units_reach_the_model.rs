//! Valid OpenMetrics that goes beyond what the encoders write lands in the
//! model as it should: exemplars, several MetricPoints per label set,
//! units, escapes, non-canonical numbers, optional samples.

use prom_codec::parse_openmetrics;
use prom_core::{MetricType, MetricValue};

#[test]
fn exemplars_attach_to_counter_totals_and_histogram_buckets() {
    let f = parse_openmetrics(concat!(
        "# TYPE c counter\n",
        "c_total 5 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n",
        "# TYPE h histogram\n",
        "h_bucket{le=\"0.01\"} 0\n",
        "h_bucket{le=\"0.1\"} 8 # {} 0.054\n",
        "h_bucket{le=\"1\"} 11 # {trace_id=\"oHg5SJYRHA0\",span=\"a\"} 0.67 1520879607.789\n",
        "h_bucket{le=\"+Inf\"} 17 # {trace_id=\"x\"} 9.8\n",
        "h_count 17\n",
        "h_sum 324789.3\n",
        "# EOF\n",
    ))
    .unwrap();
    let c = &f[0].metrics[0].exemplars;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].labels.get("trace_id"), Some("KOO5S4vxi0o"));
    assert_eq!(
        (c[0].value, c[0].timestamp, c[0].bucket),
        (0.67, None, None)
    );
    let h = &f[1].metrics[0].exemplars;
    let buckets: Vec<Option<f64>> = h.iter().map(|e| e.bucket).collect();
    assert_eq!(buckets, [Some(0.1), Some(1.0), Some(f64::INFINITY)]);
    assert!(h[0].labels.is_empty());
    assert_eq!(h[1].labels.len(), 2);
    assert_eq!(h[1].timestamp, Some(1_520_879_607.789));
}

#[test]
fn metric_points_with_increasing_timestamps_are_separate_metrics() {
    let f = parse_openmetrics(concat!(
        "# TYPE foo_seconds summary\n",
        "# UNIT foo_seconds seconds\n",
        "foo_seconds_count{a=\"bb\"} 0 123\n",
        "foo_seconds_sum{a=\"bb\"} 0 123\n",
        "foo_seconds_count{a=\"bb\"} 0 456\n",
        "foo_seconds_sum{a=\"bb\"} 0 456\n",
        "foo_seconds_count{a=\"ccc\"} 0 123\n",
        "foo_seconds_sum{a=\"ccc\"} 0 123\n",
        "# EOF",
    ))
    .unwrap();
    let points: Vec<(Option<&str>, Option<i64>)> = f[0]
        .metrics
        .iter()
        .map(|m| (m.labels.get("a"), m.timestamp_ms))
        .collect();
    assert_eq!(
        points,
        [
            (Some("bb"), Some(123_000)),
            (Some("bb"), Some(456_000)),
            (Some("ccc"), Some(123_000))
        ]
    );
    assert_eq!(f[0].unit.as_deref(), Some("seconds"));
}

#[test]
fn label_order_does_not_split_a_series() {
    let f = parse_openmetrics(concat!(
        "# TYPE h histogram\n",
        "h_bucket{a=\"1\",b=\"2\",le=\"+Inf\"} 1\n",
        "h_count{b=\"2\",a=\"1\"} 1\n",
        "h_sum{b=\"2\",a=\"1\"} 1\n",
        "h_created{a=\"1\",b=\"2\"} 1.5\n",
        "# EOF\n",
    ))
    .unwrap();
    assert_eq!(f[0].metrics.len(), 1);
    assert_eq!(f[0].metrics[0].created, Some(1.5));
}

#[test]
fn optional_parts_default_as_documented() {
    let f = parse_openmetrics(concat!(
        "# TYPE h histogram\n",
        "# UNIT h \n",
        "# HELP h \n",
        "h_bucket{le=\"-1\"} 1\n",
        "h_bucket{le=\"1e-4\"} 2\n",
        "h_bucket{le=\"+Inf\"} 3\n",
        "# TYPE s summary\n",
        "s{quantile=\"0.9\"} 2\n",
        "s{quantile=\"0.1\"} NaN\n",
        "# TYPE g gauge\n",
        "# EOF\n",
    ))
    .unwrap();
    assert_eq!(f[0].unit, None);
    assert_eq!(&*f[0].help, "");
    let MetricValue::Histogram(h) = &f[0].metrics[0].value else {
        panic!("not a histogram")
    };
    assert_eq!(h.buckets[1].upper_bound, 1e-4);
    assert_eq!((h.count, h.sum), (3, None));
    let MetricValue::Summary(s) = &f[1].metrics[0].value else {
        panic!("not a summary")
    };
    assert_eq!(s.quantiles[0].quantile, 0.9);
    assert_eq!((s.count, s.sum), (0, 0.0));
    assert_eq!(f[2].metric_type, MetricType::Gauge);
    assert!(f[2].metrics.is_empty());
}

#[test]
fn unknown_escapes_are_kept_as_written() {
    let f = parse_openmetrics(concat!(
        "# HELP a Tab \\t, quote \\\", backslash \\\\, newline \\n, trailing \\\n",
        "a{x=\"\\a\\\\b\\\"c\\nd\"} 1\n",
        "# EOF\n",
    ))
    .unwrap();
    assert_eq!(
        &*f[0].help,
        "Tab \\t, quote \", backslash \\, newline \n, trailing \\"
    );
    assert_eq!(f[0].metrics[0].labels.get("x"), Some("\\a\\b\"c\nd"));
}

#[test]
fn samples_without_metadata_are_unknown_families() {
    let f = parse_openmetrics("a_total 1\nb 2 -1.5\n# EOF\n").unwrap();
    assert_eq!(&*f[0].name, "a_total");
    assert_eq!(f[0].metric_type, MetricType::Unknown);
    assert_eq!(f[1].metrics[0].timestamp_ms, Some(-1500));
}

#[test]
fn numbers_follow_the_abnf_case_insensitively() {
    let f = parse_openmetrics("a{x=\"1\"} -Infinity\na{x=\"2\"} nan\na{x=\"3\"} 1.E5\n# EOF\n");
    let f = f.unwrap();
    assert_eq!(
        f[0].metrics[0].value,
        MetricValue::Unknown(f64::NEG_INFINITY)
    );
    assert!(matches!(f[0].metrics[1].value, MetricValue::Unknown(v) if v.is_nan()));
    assert_eq!(f[0].metrics[2].value, MetricValue::Unknown(1e5));
}
