//! End to end: a real Prometheus 2.42 with native histograms on asks for
//! the protobuf exposition, and reads the example's native histogram as
//! one: `histogram_count` grows and `histogram_quantile(0.5, …)` is within
//! the schema's relative error of the observed distribution's median.
//! Classic histograms and counters still arrive over protobuf.

use std::time::Duration;

use prom_testkit::{Example, Prometheus, QuerySample};

fn value(samples: &[QuerySample]) -> f64 {
    samples.first().map_or(0.0, |s| s.value)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_reads_the_native_histogram() {
    let example = Example::start("native_histogram").unwrap();
    let prometheus =
        Prometheus::start_with_args(&[example.addr()], &["--enable-feature=native-histograms"])
            .unwrap();
    let timeout = Duration::from_secs(60);
    let count = prometheus
        .wait_for("histogram_count(request_size_ratio)", timeout, |s| {
            value(s) > 0.0
        })
        .unwrap();
    assert!(value(&count) >= 1000.0, "{count:?}");

    // The example observes 0.001, 0.002, …, 1.000 in rounds: median 0.5005.
    // Schema 3 buckets grow by 2^(1/8), so an estimate within a bucket is
    // within 2^(1/8) - 1 of the truth.
    let median = 0.5005;
    let error = 2f64.powf(1.0 / 8.0) - 1.0;
    let q = value(
        &prometheus
            .wait_for(
                "histogram_quantile(0.5, request_size_ratio)",
                timeout,
                |s| !s.is_empty(),
            )
            .unwrap(),
    );
    assert!(
        (q - median).abs() / median <= error,
        "median estimate {q}, want {median} within {error}"
    );
    let sum = value(
        &prometheus
            .query("histogram_sum(request_size_ratio)")
            .unwrap(),
    );
    assert!(sum > 0.0, "sum {sum}");

    // Classic metrics over protobuf: the classic histogram's buckets and the
    // counter (named with its _total).
    prometheus
        .wait_for("request_size_classic_count", timeout, |s| {
            value(s) >= 1000.0
        })
        .unwrap();
    prometheus
        .wait_for("request_size_classic_bucket{le=\"0.5\"}", timeout, |s| {
            value(s) > 0.0
        })
        .unwrap();
    prometheus
        .wait_for("observation_rounds_total", timeout, |s| value(s) >= 1.0)
        .unwrap();
    drop(example);
}
