//! What `counter!`, `gauge!` and `histogram!` record, with labels,
//! descriptions and units, is what a scrape of the bridge shows, in both
//! formats and through both reading paths (streaming and snapshots).

mod common;

use metrics::Unit;
use prom_codec::Comparison;
use prom_metrics::Bridge;

#[test]
fn counters_with_labels_are_exposed_with_their_totals() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_counter!("requests", "Requests served.");
        for _ in 0..3 {
            metrics::counter!("requests", "method" => "GET", "code" => "200").increment(1);
        }
        metrics::counter!("requests", "method" => "POST", "code" => "500").increment(5);
        // Raised to at least 10 (from 3); a lower absolute changes nothing.
        let get = metrics::counter!("requests", "method" => "GET", "code" => "200");
        get.absolute(10);
        get.absolute(4);
    });
    let expected = concat!(
        "# HELP requests_total Requests served.\n",
        "# TYPE requests_total counter\n",
        "requests_total{code=\"200\",method=\"GET\"} 10\n",
        "requests_total{code=\"500\",method=\"POST\"} 5\n",
    );
    assert_eq!(common::text(&bridge), expected);
    Comparison::new(expected).check(&bridge).unwrap();
}

#[test]
fn gauges_go_up_down_and_are_set() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_gauge!("queue.depth", "Items waiting.");
        let mail = metrics::gauge!("queue.depth", "queue" => "mail");
        mail.increment(5.0);
        mail.decrement(1.5);
        metrics::gauge!("queue.depth", "queue" => "sms").set(-2.0);
        metrics::gauge!("temperature").set(21.5);
    });
    let expected = concat!(
        "# HELP queue_depth Items waiting.\n",
        "# TYPE queue_depth gauge\n",
        "queue_depth{queue=\"mail\"} 3.5\n",
        "queue_depth{queue=\"sms\"} -2\n",
        "# TYPE temperature gauge\n",
        "temperature 21.5\n",
    );
    assert_eq!(common::text(&bridge), expected);
    Comparison::new(expected).check(&bridge).unwrap();
}

#[test]
fn histograms_have_prometheus_buckets_count_and_sum() {
    let bridge = Bridge::builder().buckets(&[0.1, 1.0]).unwrap().build();
    metrics::with_local_recorder(&bridge, || {
        let h = metrics::histogram!("latency", "route" => "/");
        h.record(0.0625);
        h.record(0.5);
        h.record(2.0);
        h.record_many(0.03125, 2);
    });
    let expected = concat!(
        "# TYPE latency histogram\n",
        "latency_bucket{route=\"/\",le=\"0.1\"} 3\n",
        "latency_bucket{route=\"/\",le=\"1.0\"} 4\n",
        "latency_bucket{route=\"/\",le=\"+Inf\"} 5\n",
        "latency_count{route=\"/\"} 5\n",
        "latency_sum{route=\"/\"} 2.625\n",
    );
    assert_eq!(common::text(&bridge), expected);
    Comparison::new(expected).check(&bridge).unwrap();
}

#[test]
fn units_described_first_become_the_name_suffix_and_the_openmetrics_unit() {
    let bridge = Bridge::builder().buckets(&[1.0]).unwrap().build();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_histogram!("rpc.duration", Unit::Seconds, "RPC time.");
        metrics::describe_counter!("sent", Unit::Bytes, "Bytes sent.");
        metrics::describe_gauge!("heap", Unit::Mebibytes, "Heap in use.");
        metrics::describe_counter!("jobs", Unit::Count, "Jobs run.");
        metrics::histogram!("rpc.duration").record(0.5);
        metrics::counter!("sent").increment(1500);
        metrics::gauge!("heap").set(12.0);
        metrics::counter!("jobs").increment(1);
    });
    assert_eq!(
        common::text(&bridge),
        concat!(
            "# HELP rpc_duration_seconds RPC time.\n",
            "# TYPE rpc_duration_seconds histogram\n",
            "rpc_duration_seconds_bucket{le=\"1.0\"} 1\n",
            "rpc_duration_seconds_bucket{le=\"+Inf\"} 1\n",
            "rpc_duration_seconds_count 1\n",
            "rpc_duration_seconds_sum 0.5\n",
            "# HELP sent_bytes_total Bytes sent.\n",
            "# TYPE sent_bytes_total counter\n",
            "sent_bytes_total 1500\n",
            "# HELP heap_mebibytes Heap in use.\n",
            "# TYPE heap_mebibytes gauge\n",
            "heap_mebibytes 12\n",
            "# HELP jobs_total Jobs run.\n",
            "# TYPE jobs_total counter\n",
            "jobs_total 1\n",
        )
    );
    let om = common::openmetrics(&bridge);
    assert!(om.contains("# UNIT rpc_duration_seconds seconds\n"), "{om}");
    assert!(om.contains("# UNIT sent_bytes bytes\n"), "{om}");
    assert!(om.contains("# UNIT heap_mebibytes mebibytes\n"), "{om}");
    assert!(!om.contains("# UNIT jobs"), "{om}");
    prom_codec::parse_openmetrics(&om).unwrap();
}

#[test]
fn a_description_given_after_the_first_call_still_becomes_the_help() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        metrics::counter!("jobs").increment(1);
        metrics::describe_counter!("jobs", "Jobs run.");
    });
    assert_eq!(
        common::text(&bridge),
        "# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 1\n"
    );
    // A later one replaces it.
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_counter!("jobs", "Jobs finished.");
    });
    assert!(common::text(&bridge).starts_with("# HELP jobs_total Jobs finished.\n"));
}

#[test]
fn kept_handles_update_the_same_series() {
    let bridge = Bridge::new();
    let (c, g, h) = metrics::with_local_recorder(&bridge, || {
        (
            metrics::counter!("c", "k" => "v"),
            metrics::gauge!("g"),
            metrics::histogram!("h"),
        )
    });
    // Outside the recorder's scope: the handles still point at the series.
    c.increment(2);
    g.set(3.0);
    h.record(0.2);
    Comparison::new(concat!(
        "# TYPE c_total counter\nc_total{k=\"v\"} 2\n",
        "# TYPE g gauge\ng 3\n",
    ))
    .only(&["c_total", "g"])
    .check(&bridge)
    .unwrap();
    let families = prom_core::collect(&bridge).unwrap();
    assert_eq!(families[2].sample_value("h_count", &[]), Some(1.0));
}
