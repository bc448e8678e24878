//! Any `metrics` name or label key is exposed under a valid Prometheus
//! name, by the rule `prom_metrics::metric_name` and `label_name` state:
//! the exposition always parses.

mod common;

use prom_metrics::Bridge;

#[test]
fn dots_dashes_and_other_characters_become_underscores() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("http.server-requests", "http.method" => "GET", "db:shard" => "7")
            .increment(1);
        metrics::gauge!("größe", "ünit" => "x").set(1.0);
    });
    assert_eq!(
        common::parses(&common::text(&bridge)),
        concat!(
            "# TYPE http_server_requests_total counter\n",
            "http_server_requests_total{db_shard=\"7\",http_method=\"GET\"} 1\n",
            "# TYPE gr__e gauge\n",
            "gr__e{_nit=\"x\"} 1\n",
        )
    );
}

#[test]
fn a_leading_digit_gets_an_underscore_and_reserved_prefixes_are_cut() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::gauge!("9lives", "1st" => "a", "__name__" => "b").set(9.0);
        metrics::gauge!("__internal").set(1.0);
        metrics::gauge!("").set(2.0);
    });
    assert_eq!(
        common::parses(&common::text(&bridge)),
        concat!(
            "# TYPE _9lives gauge\n",
            "_9lives{_1st=\"a\",_name__=\"b\"} 9\n",
            "# TYPE _internal gauge\n",
            "_internal 1\n",
            "# TYPE _ gauge\n",
            "_ 2\n",
        )
    );
}

#[test]
fn counters_are_exposed_with_total_whether_or_not_the_name_has_it() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("jobs_total").increment(1);
        // Another spelling of the same counter: the same series.
        metrics::counter!("jobs").increment(2);
    });
    assert_eq!(
        common::text(&bridge),
        "# TYPE jobs_total counter\njobs_total 3\n"
    );
}

#[test]
fn label_values_are_kept_as_given_and_empty_ones_are_left_out() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("hits", "path" => "/a \"b\"\\\n", "user" => "").increment(1);
        // For Prometheus an empty label is no label: the same series.
        metrics::counter!("hits", "path" => "/a \"b\"\\\n").increment(1);
    });
    assert_eq!(
        common::parses(&common::text(&bridge)),
        "# TYPE hits_total counter\nhits_total{path=\"/a \\\"b\\\"\\\\\\n\"} 2\n"
    );
}

#[test]
fn le_on_a_histogram_is_exported_as_exported_le() {
    let bridge = Bridge::builder().buckets(&[1.0]).unwrap().build();
    metrics::with_local_recorder(&bridge, || {
        metrics::histogram!("h", "le" => "x").record(0.5);
        metrics::gauge!("g", "le" => "x").set(1.0);
    });
    let text = common::parses(&common::text(&bridge)).to_owned();
    assert!(
        text.contains("h_bucket{exported_le=\"x\",le=\"1.0\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("g{le=\"x\"} 1\n"), "{text}");
}
