//! Inputs the fuzz targets of `fuzz/` found breaking an oracle, one test
//! each, with the input inline (see docs/fuzzing.md).

use prom_codec::{parse_text, Encoder};

/// `parse_text`: an untyped `x_sum` before `# TYPE x summary` gave a
/// summary whose implicit `_sum` the text encoder wrote back as a second
/// sample of the untyped family, which the parser then refused. The TYPE
/// line is now refused, naming the family that already owns the name.
#[test]
fn summary_typed_after_its_sum_became_a_family_is_refused() {
    let input = "rpc_duration_seconds_sum{}0\n#TYPE rpc_duration_seconds summary\nrpc_duration_seconds{quantile=\"9\"}1\n";
    let err = parse_text(input).unwrap_err();
    assert_eq!(err.line(), 2);
    assert_eq!(
        err.to_string(),
        "line 2: expected the TYPE line for \"rpc_duration_seconds\" before any sample named \
         \"rpc_duration_seconds_sum\", found a summary TYPE line after \
         \"rpc_duration_seconds_sum\" became a family of its own: \
         \"#TYPE rpc_duration_seconds summary\""
    );
    // The same for a histogram's buckets; in the right order, both parse
    // and round trip.
    assert!(parse_text("h_bucket{le=\"1\"} 1\n# TYPE h histogram\n").is_err());
    let ordered = "# TYPE x summary\nx{quantile=\"0.5\"} 1\nx_sum 0\nx_count 0\n";
    let families = parse_text(ordered).unwrap();
    let text = Encoder::text().encode_to_string(&families).unwrap();
    assert_eq!(parse_text(&text).unwrap(), families);
}

/// `encode`: a summary that observed `-f64::MAX` (and a histogram that
/// observed a negative value with bounds that are not negative) had a
/// negative `_sum`, which the OpenMetrics encoder wrote and
/// `parse_openmetrics` rightly refused: OpenMetrics sums are counters. The
/// encoder now leaves such a `_sum` out (with the histogram's `_count`, as
/// the two go together); text 0.0.4 keeps it.
#[test]
fn negative_or_nan_sums_are_left_out_of_openmetrics() {
    use prom_codec::parse_openmetrics;
    use prom_core::{collect, Histogram, MetricValue, Opts, Summary};

    let summary = Summary::new("c", "_").unwrap();
    summary.observe(-1.797_693_134_862_315_7e308);
    let families = collect(&summary).unwrap();
    let om = Encoder::openmetrics().encode_to_string(&families).unwrap();
    assert!(!om.contains("c_sum"), "{om}");
    let MetricValue::Summary(s) = &parse_openmetrics(&om).unwrap()[0].metrics[0].value else {
        panic!("not a summary")
    };
    assert_eq!((s.count, s.sum), (1, 0.0));
    let text = Encoder::text().encode_to_string(&families).unwrap();
    assert!(text.contains("c_sum -1.7976931348623157e308"), "{text}");
    assert_eq!(
        parse_text(&text).unwrap()[0].metrics[0].value,
        families[0].metrics[0].value
    );

    let histogram = Histogram::with_opts(Opts::new("h", "").buckets([1.0])).unwrap();
    histogram.observe(-5.0);
    histogram.observe(f64::NAN);
    let om = Encoder::openmetrics()
        .encode_to_string(&collect(&histogram).unwrap())
        .unwrap();
    assert!(!om.contains("h_sum") && !om.contains("h_count"), "{om}");
    parse_openmetrics(&om).unwrap();
}
