//! A real Prometheus with exemplar storage scrapes a counter's and a
//! histogram bucket's exemplars over OpenMetrics and returns them, labels
//! and values exact, from `/api/v1/query_exemplars`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use prom::{Counter, Histogram, Opts, Registry};
use prom_testkit::Prometheus;

fn exemplar_of<'a>(series: &'a [serde_json::Value], trace: &str) -> Option<&'a serde_json::Value> {
    series
        .iter()
        .flat_map(|s| s["exemplars"].as_array().into_iter().flatten())
        .find(|e| e["labels"]["trace_id"] == trace)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn exemplars_reach_the_exemplar_storage() {
    let registry = Arc::new(Registry::new());
    let requests = Counter::new("ex_requests", "Requests.").unwrap();
    registry.register(requests.clone()).unwrap();
    requests.inc_by(2.0).unwrap();
    requests
        .inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")])
        .unwrap();
    let latency =
        Histogram::with_opts(Opts::new("ex_latency_seconds", "Latency.").buckets([0.1, 1.0]))
            .unwrap();
    registry.register(latency.clone()).unwrap();
    latency.observe(0.05);
    latency
        .observe_with_exemplar(0.42, &[("trace_id", "00f067aa0ba902b7")])
        .unwrap();

    let server = prom::http::start_http_server("127.0.0.1:0", registry).unwrap();
    let prometheus = Prometheus::start_with_args(
        &[server.local_addr()],
        &["--enable-feature=exemplar-storage"],
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (counter, bucket) = loop {
        let counter = prometheus.exemplars("ex_requests_total").unwrap();
        let bucket = prometheus.exemplars("ex_latency_seconds_bucket").unwrap();
        if exemplar_of(&counter, "4bf92f3577b34da6").is_some()
            && exemplar_of(&bucket, "00f067aa0ba902b7").is_some()
        {
            break (counter, bucket);
        }
        assert!(
            Instant::now() < deadline,
            "no exemplars within 60 s: {counter:?} {bucket:?}\n{}",
            prometheus.log_tail()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    // Prometheus answers values as strings ("1", or "1.0" in some versions).
    let value = |e: &serde_json::Value| e["value"].as_str().and_then(|v| v.parse::<f64>().ok());
    let e = exemplar_of(&counter, "4bf92f3577b34da6").unwrap();
    assert_eq!(value(e), Some(1.0));
    let e = exemplar_of(&bucket, "00f067aa0ba902b7").unwrap();
    assert_eq!(value(e), Some(0.42));
    // It rides on the bucket it belongs to.
    let series = bucket
        .iter()
        .find(|s| exemplar_of(std::slice::from_ref(s), "00f067aa0ba902b7").is_some())
        .unwrap();
    assert_eq!(series["seriesLabels"]["le"], "1.0"); // as OpenMetrics writes it
}
