//! What the tests share: reading the layer's samples back as a scrape sees
//! them, and sending requests through a service in process.

// Each test binary uses only part of the fixture.
#![allow(dead_code)]

use axum::body::Body;
use axum::Router;
use prom_core::{MetricFamily, MetricValue};
use prom_tower::RequestMetricsLayer;
use tower::ServiceExt;

/// The layer's families, collected as a scrape would.
pub fn families(layer: &RequestMetricsLayer) -> Vec<MetricFamily> {
    prom_core::collect(&layer.collector()).expect("the layer's families collect")
}

/// One sample by its exposed name and full label set; `None` when there is
/// no such series.
pub fn sample(layer: &RequestMetricsLayer, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families(layer)
        .iter()
        .find_map(|f| f.sample_value(name, labels))
}

/// `http_requests_total{method, route, status}`.
pub fn requests(
    layer: &RequestMetricsLayer,
    method: &str,
    route: &str,
    status: &str,
) -> Option<f64> {
    sample(
        layer,
        "http_requests_total",
        &[("method", method), ("route", route), ("status", status)],
    )
}

/// `http_request_duration_seconds_count{method, route, status}`.
pub fn timed(layer: &RequestMetricsLayer, method: &str, route: &str, status: &str) -> Option<f64> {
    sample(
        layer,
        "http_request_duration_seconds_count",
        &[("method", method), ("route", route), ("status", status)],
    )
}

/// `http_request_duration_seconds_sum{method, route, status}`.
pub fn seconds(
    layer: &RequestMetricsLayer,
    method: &str,
    route: &str,
    status: &str,
) -> Option<f64> {
    sample(
        layer,
        "http_request_duration_seconds_sum",
        &[("method", method), ("route", route), ("status", status)],
    )
}

/// `http_requests_in_flight{method, route}`.
pub fn in_flight(layer: &RequestMetricsLayer, method: &str, route: &str) -> Option<f64> {
    sample(
        layer,
        "http_requests_in_flight",
        &[("method", method), ("route", route)],
    )
}

/// Every series of `family` as its `(labels, value)`, the labels as
/// `name=value` strings in label order.
pub fn series(layer: &RequestMetricsLayer, family: &str) -> Vec<(Vec<String>, f64)> {
    families(layer)
        .into_iter()
        .filter(|f| &*f.name == family)
        .flat_map(|f| f.metrics)
        .map(|m| {
            let labels = m.labels.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let value = match m.value {
                MetricValue::Counter(v) | MetricValue::Gauge(v) => v,
                MetricValue::Histogram(h) => h.count as f64,
                _ => f64::NAN,
            };
            (labels, value)
        })
        .collect()
}

/// The sum of every in-flight series: 0 once every request has ended.
pub fn all_in_flight(layer: &RequestMetricsLayer) -> f64 {
    series(layer, "http_requests_in_flight")
        .iter()
        .map(|(_, v)| v)
        .sum()
}

/// The sum of every request counter series: each request counted once.
pub fn all_requests(layer: &RequestMetricsLayer) -> f64 {
    series(layer, "http_requests").iter().map(|(_, v)| v).sum()
}

/// A request with an empty body.
pub fn request(method: &str, path: &str) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .expect("a valid request")
}

/// Sends `method path` through `app` and reads the whole response body;
/// returns the status.
pub async fn send(app: &Router, method: &str, path: &str) -> u16 {
    let response = app
        .clone()
        .oneshot(request(method, path))
        .await
        .expect("the router is infallible");
    let status = response.status().as_u16();
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body reads");
    status
}
