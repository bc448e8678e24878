//! Text 0.0.4 that Prometheus' own parser (promtool 2.42, the Pushgateway,
//! node_exporter) accepts is accepted, and lands in the model as expected:
//! optional metadata, comments, blanks, Go float syntax, timestamps,
//! interleaved families, unsorted buckets.

use prom_codec::parse_text;
use prom_core::{MetricFamily, MetricType, MetricValue};

fn value(f: &MetricFamily, i: usize) -> &MetricValue {
    &f.metrics[i].value
}

#[test]
fn empty_and_blank_inputs_hold_no_families() {
    assert!(parse_text("").unwrap().is_empty());
    assert!(parse_text("\n\n  \t\n").unwrap().is_empty());
    assert!(parse_text("# just a comment\n#\n# HELP\n# TYPE x\n   ")
        .unwrap()
        .is_empty());
}

#[test]
fn samples_without_metadata_are_untyped_families_one_per_name() {
    let f = parse_text("a 1\na{x=\"y\"} 2\nb 3\nb_total 4\nx_created 5\n").unwrap();
    let names: Vec<&str> = f.iter().map(|f| &*f.name).collect();
    assert_eq!(names, ["a", "b", "b_total", "x_created"]);
    assert!(f.iter().all(|f| f.metric_type == MetricType::Unknown));
    assert_eq!(f[0].metrics.len(), 2);
    assert_eq!(value(&f[0], 1), &MetricValue::Unknown(2.0));
    assert_eq!(&*f[0].help, "");
}

#[test]
fn blanks_tabs_and_trailing_commas_are_separators() {
    let f = parse_text("\t  a {  x = \"1\" ,\ty=\"2\", }\t 3\t-5\n").unwrap();
    let m = &f[0].metrics[0];
    assert_eq!(m.labels.get("x"), Some("1"));
    assert_eq!(m.labels.get("y"), Some("2"));
    assert_eq!(m.value, MetricValue::Unknown(3.0));
    assert_eq!(m.timestamp_ms, Some(-5));
    let f = parse_text("a{x=\"1\"}4 +7\n").unwrap();
    assert_eq!(f[0].metrics[0].value, MetricValue::Unknown(4.0));
    assert_eq!(f[0].metrics[0].timestamp_ms, Some(7));
}

#[test]
fn values_are_go_floats() {
    let cases = [
        ("1", 1.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-1E3", -1000.0),
        ("+Inf", f64::INFINITY),
        ("Inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("Infinity", f64::INFINITY),
        ("0042", 42.0),
        ("1.5e-7", 1.5e-7),
    ];
    for (text, want) in cases {
        let f = parse_text(&format!("a {text}\n")).unwrap();
        assert_eq!(value(&f[0], 0), &MetricValue::Unknown(want), "{text}");
    }
    for nan in ["NaN", "nan", "NAN"] {
        let f = parse_text(&format!("a {nan}\n")).unwrap();
        assert!(matches!(value(&f[0], 0), MetricValue::Unknown(v) if v.is_nan()));
    }
}

#[test]
fn help_and_type_are_optional_ordered_either_way_and_any_case() {
    let f = parse_text(
        "# TYPE a GAUGE\n# HELP a   Leading blanks go, trailing stay. \na 1\n# HELP b Back\\\\slash \\n newline \"quotes\"\nb 2\n",
    )
    .unwrap();
    assert_eq!(f[0].metric_type, MetricType::Gauge);
    assert_eq!(&*f[0].help, "Leading blanks go, trailing stay. ");
    assert_eq!(&*f[1].help, "Back\\slash \n newline \"quotes\"");
    // A HELP line after the family's samples is fine (only TYPE must come first).
    let f = parse_text("a 1\n# HELP a late\n").unwrap();
    assert_eq!(&*f[0].help, "late");
}

#[test]
fn interleaved_families_are_merged_as_prometheus_merges_them() {
    let f = parse_text(
        "# TYPE a gauge\na{x=\"1\"} 1\n# TYPE b counter\nb 1\na{x=\"2\"} 2\n# HELP a Help after.\nb{y=\"z\"} 3\n",
    )
    .unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(&*f[0].name, "a");
    assert_eq!(f[0].metrics.len(), 2);
    assert_eq!(&*f[0].help, "Help after.");
    assert_eq!(f[1].metrics.len(), 2);
}

#[test]
fn counters_keep_their_type_line_name_less_one_total() {
    let f = parse_text(
        "# TYPE a_total counter\na_total 1\n# TYPE b counter\nb 2\n# TYPE c_total_total counter\nc_total_total 3\n",
    )
    .unwrap();
    let names: Vec<&str> = f.iter().map(|f| &*f.name).collect();
    assert_eq!(names, ["a", "b", "c_total"]);
    assert_eq!(value(&f[1], 0), &MetricValue::Counter(2.0));
}

#[test]
fn histograms_take_buckets_in_any_order_and_counts_as_floats() {
    let f = parse_text(concat!(
        "# TYPE h histogram\n",
        "h_bucket{a=\"x\",le=\"+Inf\"} 3.0\n",
        "h_bucket{le=\"0.5\",a=\"x\"} 1e0\n",
        "h_bucket{a=\"x\",le=\"1\"} 2\n",
        "h_sum{a=\"x\"} 1.5\n",
        "h_bucket{a=\"y\",le=\"1\"} 0\n",
    ))
    .unwrap();
    let MetricValue::Histogram(h) = value(&f[0], 0) else {
        panic!("not a histogram")
    };
    let bounds: Vec<f64> = h.buckets.iter().map(|b| b.upper_bound).collect();
    assert_eq!(bounds, [0.5, 1.0, f64::INFINITY]);
    assert_eq!((h.count, h.sum), (3, Some(1.5)));
    // No +Inf and no _count: Prometheus keeps what there is, and so does the model.
    let MetricValue::Histogram(h) = value(&f[0], 1) else {
        panic!("not a histogram")
    };
    assert_eq!((h.buckets.len(), h.count, h.sum), (1, 0, None));
}

#[test]
fn summaries_keep_quantiles_in_order_and_go_s_nan_values() {
    let f = parse_text(concat!(
        "# TYPE go_gc_duration_seconds summary\n",
        "go_gc_duration_seconds{quantile=\"0.75\"} NaN\n",
        "go_gc_duration_seconds{quantile=\"0\"} 1e-05\n",
        "go_gc_duration_seconds_sum 0.25\n",
        "go_gc_duration_seconds_count 7\n",
    ))
    .unwrap();
    let MetricValue::Summary(s) = value(&f[0], 0) else {
        panic!("not a summary")
    };
    assert_eq!(s.quantiles[0].quantile, 0.75);
    assert!(s.quantiles[0].value.is_nan());
    assert_eq!(s.quantiles[1].value, 1e-5);
    assert_eq!((s.count, s.sum), (7, 0.25));
}

#[test]
fn same_labels_at_different_timestamps_are_different_samples() {
    let f = parse_text("a 1 1000\na 2 2000\n").unwrap();
    assert_eq!(f[0].metrics.len(), 2);
}

#[test]
fn metadata_without_samples_is_an_empty_family() {
    let f = parse_text("# HELP idle Nothing yet.\n# TYPE idle gauge\n").unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].metric_type, MetricType::Gauge);
    assert!(f[0].metrics.is_empty());
}

#[test]
fn a_blank_last_line_needs_no_newline() {
    assert_eq!(parse_text("a 1\n  ").unwrap().len(), 1);
}

#[test]
fn metadata_names_resolve_as_sample_names_do() {
    let f = parse_text(concat!(
        "# TYPE h histogram\n",
        "# HELP h_bucket Help given under a sample name.\n",
        "h_bucket{le=\"+Inf\"} 1\n",
    ))
    .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(&*f[0].help, "Help given under a sample name.");
    assert_eq!(f[0].metrics.len(), 1);
}

#[test]
fn a_series_written_twice_is_two_series_of_one_label_set() {
    let f = parse_text("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\na 3 5\na 4 5\n").unwrap();
    assert_eq!(f[0].metrics.len(), 4);
    // Label order is kept as written.
    assert_eq!(f[0].metrics[1].labels.get("x"), Some("1"));
    assert_eq!(f[0].metrics[1].labels.get("y"), Some("2"));
    assert_eq!(value(&f[0], 1), &MetricValue::Unknown(2.0));
    assert_eq!(f[0].metrics[3].timestamp_ms, Some(5));
}

#[test]
fn counts_are_any_float_converted_toward_zero() {
    let f = parse_text(concat!(
        "# TYPE h histogram\n",
        "h_bucket{le=\"1\"} 1.5\n",
        "h_bucket{le=\"+Inf\"} NaN\n",
        "h_count -1\n",
        "# TYPE s summary\n",
        "s_count 1e30\n",
    ))
    .unwrap();
    let MetricValue::Histogram(h) = value(&f[0], 0) else {
        panic!("{f:?}")
    };
    assert_eq!(h.buckets[0].cumulative_count, 1);
    assert_eq!(h.buckets[1].cumulative_count, 0);
    assert_eq!(h.count, 0);
    let MetricValue::Summary(s) = value(&f[1], 0) else {
        panic!("{f:?}")
    };
    assert_eq!(s.count, u64::MAX);
}

#[test]
fn buckets_and_quantiles_without_their_label_are_dropped_and_their_series_kept() {
    let f = parse_text(concat!(
        "# TYPE h histogram\n",
        "h_bucket{x=\"1\"} 1\n",
        "h_bucket{x=\"1\",le=\"NaN\"} 2\n",
        "h_bucket{x=\"1\",le=\"+Inf\"} 3\n",
        "# TYPE s summary\n",
        "s 1\n",
        "s{quantile=\"NaN\"} 2\n",
        "s_sum 4\n",
    ))
    .unwrap();
    let MetricValue::Histogram(h) = value(&f[0], 0) else {
        panic!("{f:?}")
    };
    assert_eq!(h.buckets.len(), 1);
    assert_eq!(h.count, 3);
    assert_eq!(f[1].metrics.len(), 1);
    let MetricValue::Summary(s) = value(&f[1], 0) else {
        panic!("{f:?}")
    };
    assert!(s.quantiles.is_empty());
    assert_eq!(s.sum, 4.0);
}

#[test]
fn a_counter_typed_by_its_stem_takes_its_total_samples() {
    // OpenMetrics style in text 0.0.4: Prometheus files `a_total` under `a`.
    let f = parse_text("# TYPE a counter\n# HELP a Done.\na_total 1\n").unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!((&*f[0].name, f[0].metric_type), ("a", MetricType::Counter));
    assert_eq!(value(&f[0], 0), &MetricValue::Counter(1.0));
    // Written back once, under one name.
    let text = prom_codec::Encoder::text().encode_to_string(&f).unwrap();
    assert_eq!(
        text,
        "# HELP a_total Done.\n# TYPE a_total counter\na_total 1\n"
    );
    assert_eq!(parse_text(&text).unwrap(), f);
    // `x_total` samples before `# TYPE x counter` are a family of their own;
    // the counter, left without samples, is dropped as Prometheus drops it.
    let f = parse_text("b_total 1\n# TYPE b counter\n").unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(
        (&*f[0].name, f[0].metric_type),
        ("b_total", MetricType::Unknown)
    );
}

#[test]
fn of_two_buckets_with_one_bound_the_first_is_kept() {
    let cases: [(&str, &[(f64, u64)]); 2] = [
        ("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1\"} 2\n", &[(1.0, 1)]),
        (
            "# TYPE h histogram\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"2.0\"} 4\n",
            &[(1.0, 1), (2.0, 3)],
        ),
    ];
    for (text, want) in cases {
        let f = parse_text(text).unwrap();
        let MetricValue::Histogram(h) = value(&f[0], 0) else {
            panic!("{f:?}")
        };
        let got: Vec<(f64, u64)> = h
            .buckets
            .iter()
            .map(|b| (b.upper_bound, b.cumulative_count))
            .collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn of_two_counts_sums_or_quantiles_of_one_series_the_first_is_kept() {
    let f = parse_text(concat!(
        "# TYPE h histogram\n",
        "h_sum 1\nh_sum 2\nh_count 3\nh_count 4\n",
        "# TYPE s summary\n",
        "s{quantile=\"0.5\"} 1\ns{quantile=\"0.5\"} 2\n",
    ))
    .unwrap();
    let MetricValue::Histogram(h) = value(&f[0], 0) else {
        panic!("{f:?}")
    };
    assert_eq!((h.count, h.sum), (3, Some(1.0)));
    let MetricValue::Summary(s) = value(&f[1], 0) else {
        panic!("{f:?}")
    };
    assert_eq!(s.quantiles.len(), 1);
    assert_eq!(s.quantiles[0].value, 1.0);
}
