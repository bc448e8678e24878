//! End to end: the axum example, run as its own process, serves two
//! requests of one route; a real Prometheus scraping it stores them as one
//! series of that route, next to the tokio runtime's families and the
//! series a library recorded through the `metrics` facade.

use std::time::Duration;

use prom_testkit::{http_get, Example, Prometheus, QuerySample};

fn value(samples: &[QuerySample]) -> f64 {
    samples.first().map_or(0.0, |s| s.value)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_stores_one_series_per_route_the_tokio_families_and_the_metrics_calls() {
    let app = Example::start("axum_app").unwrap();
    let addr = app.addr();

    for name in ["a", "b"] {
        let response = http_get(&format!("http://{addr}/hello/{name}"), &[]).unwrap();
        assert_eq!(response.text(), format!("Hello, {name}!\n"));
    }
    // The page itself, before Prometheus: one series for both names.
    let page = http_get(&format!("http://{addr}/metrics"), &[])
        .unwrap()
        .text();
    assert!(
        page.contains(
            "http_requests_total{method=\"GET\",route=\"/hello/{name}\",status=\"200\"} 2\n"
        ),
        "{page}"
    );
    assert!(!page.contains("/hello/a"), "{page}");

    let prometheus = Prometheus::start(&[addr]).unwrap();
    let timeout = Duration::from_secs(60);
    prometheus
        .wait_for("up", timeout, |s| value(s) == 1.0)
        .unwrap();
    let requests = prometheus
        .wait_for(
            r#"http_requests_total{route="/hello/{name}"}"#,
            timeout,
            |s| !s.is_empty(),
        )
        .unwrap();
    assert_eq!(requests.len(), 1, "one series for the route: {requests:?}");
    assert_eq!(requests[0].value, 2.0);
    assert_eq!(requests[0].labels["method"], "GET");
    assert_eq!(requests[0].labels["status"], "200");
    let timed = prometheus
        .query(r#"http_request_duration_seconds_count{route="/hello/{name}"}"#)
        .unwrap();
    assert_eq!(value(&timed), 2.0);
    // Scrapes of /metrics are not counted: the route is outside the layer.
    let all = prometheus.query("sum(http_requests_total)").unwrap();
    assert_eq!(value(&all), 2.0);

    let workers = prometheus
        .wait_for(r#"tokio_workers{runtime="main"}"#, timeout, |s| {
            value(s) >= 1.0
        })
        .unwrap();
    assert!(value(&workers) >= 1.0);
    prometheus
        .wait_for("tokio_alive_tasks", timeout, |s| !s.is_empty())
        .unwrap();
    let greetings = prometheus
        .wait_for(r#"greetings_total{language="en"}"#, timeout, |s| {
            !s.is_empty()
        })
        .unwrap();
    assert_eq!(value(&greetings), 2.0);
    drop(app);
}
