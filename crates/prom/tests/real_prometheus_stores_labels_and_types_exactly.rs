//! End to end in one process: metrics served by `start_http_server` are
//! stored by a real Prometheus with every label value (quotes, backslashes,
//! newlines, Unicode) and every value exactly as set.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use prom::{CounterVec, Gauge, HistogramVec, Opts, Registry};
use prom_testkit::{Prometheus, QuerySample};

fn by_label<'a>(samples: &'a [QuerySample], label: &str) -> BTreeMap<&'a str, f64> {
    samples
        .iter()
        .map(|s| (s.labels[label].as_str(), s.value))
        .collect()
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn labels_values_and_histograms_arrive_intact() {
    let registry = Arc::new(Registry::new());
    let requests =
        CounterVec::new(Opts::new("e2e_requests", "Requests.").labels(["path"])).unwrap();
    registry.register(requests.clone()).unwrap();
    let odd = "quote\" back\\slash\nnew line ünï😀";
    requests
        .with_label_values(&["/plain"])
        .unwrap()
        .inc_by(3.0)
        .unwrap();
    requests
        .with_label_values(&[odd])
        .unwrap()
        .inc_by(0.5)
        .unwrap();
    let gauge = Gauge::with_opts(Opts::new("e2e_temperature", "T.").unit("celsius")).unwrap();
    registry.register(gauge.clone()).unwrap();
    gauge.set(-12.25);
    let latency = HistogramVec::new(
        Opts::new("e2e_latency_seconds", "Latency.")
            .labels(["op"])
            .buckets([0.1, 1.0]),
    )
    .unwrap();
    registry.register(latency.clone()).unwrap();
    let read = latency.with_label_values(&["read"]).unwrap();
    for v in [0.05, 0.5, 0.5, 5.0] {
        read.observe(v);
    }

    let server = prom::http::start_http_server("127.0.0.1:0", registry.clone()).unwrap();
    let prometheus = Prometheus::start(&[server.local_addr()]).unwrap();
    let timeout = Duration::from_secs(60);

    let got = prometheus
        .wait_for("e2e_requests_total", timeout, |s| s.len() == 2)
        .unwrap();
    let got = by_label(&got, "path");
    assert_eq!(got["/plain"], 3.0);
    assert_eq!(got[odd], 0.5, "label value stored exactly: {got:?}");

    let t = prometheus
        .wait_for("e2e_temperature_celsius", timeout, |s| !s.is_empty())
        .unwrap();
    assert_eq!(t[0].value, -12.25);

    let buckets = prometheus
        .wait_for("e2e_latency_seconds_bucket", timeout, |s| s.len() == 3)
        .unwrap();
    // Compare bounds as numbers: whether `le` is stored as written depends on
    // the Prometheus version and the negotiated format.
    let mut cumulative: Vec<(f64, f64)> = by_label(&buckets, "le")
        .into_iter()
        .map(|(le, v)| (le.parse::<f64>().expect("numeric le"), v))
        .collect();
    cumulative.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(cumulative, [(0.1, 1.0), (1.0, 3.0), (f64::INFINITY, 4.0)]);
    let count = prometheus.query("e2e_latency_seconds_count").unwrap();
    assert_eq!(count[0].value, 4.0);
    let sum = prometheus.query("e2e_latency_seconds_sum").unwrap();
    assert_eq!(sum[0].value, 6.05);

    // Values change between scrapes and Prometheus follows.
    gauge.set(99.0);
    prometheus
        .wait_for("e2e_temperature_celsius", timeout, |s| {
            s.first().is_some_and(|s| s.value == 99.0)
        })
        .unwrap();
    server.shutdown();
}
