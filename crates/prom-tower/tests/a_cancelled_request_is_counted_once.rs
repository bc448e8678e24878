//! A request whose future is dropped before the response (the client went
//! away, a timeout outside the layer fired) is counted once, as `cancelled`.

mod common;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use common::{all_in_flight, all_requests, in_flight, request, requests, seconds, timed};
use prom_tower::{RequestMetricsLayer, CANCELLED};
use tower::{Layer, Service, ServiceExt};

fn app(layer: &RequestMetricsLayer) -> Router {
    Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "done"
            }),
        )
        .layer(layer.clone())
}

#[tokio::test]
async fn a_request_given_up_on_is_counted_once_as_cancelled() {
    let layer = RequestMetricsLayer::new();
    let pending = app(&layer).oneshot(request("GET", "/slow"));

    let gave_up = tokio::time::timeout(Duration::from_millis(20), pending).await;

    assert!(gave_up.is_err());
    assert_eq!(CANCELLED, "cancelled");
    assert_eq!(requests(&layer, "GET", "/slow", "cancelled"), Some(1.0));
    assert_eq!(timed(&layer, "GET", "/slow", "cancelled"), Some(1.0));
    let waited = seconds(&layer, "GET", "/slow", "cancelled").unwrap();
    assert!(waited >= 0.015, "timed {waited} s");
    assert_eq!(all_requests(&layer), 1.0);
    assert_eq!(in_flight(&layer, "GET", "/slow"), Some(0.0));
}

#[tokio::test]
async fn a_future_dropped_before_its_first_poll_is_counted_once() {
    let layer = RequestMetricsLayer::new();
    let mut service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
    }));
    let future = service.call(http::Request::new(String::new()));
    assert_eq!(in_flight(&layer, "GET", "unmatched"), Some(1.0));

    drop(future);

    assert_eq!(requests(&layer, "GET", "unmatched", "cancelled"), Some(1.0));
    assert_eq!(all_requests(&layer), 1.0);
    assert_eq!(all_in_flight(&layer), 0.0);
}

#[tokio::test]
async fn many_cancellations_are_one_series_and_one_count_each() {
    let layer = RequestMetricsLayer::new();
    let app = app(&layer);
    for _ in 0..5 {
        let pending = app.clone().oneshot(request("GET", "/slow"));
        let _ = tokio::time::timeout(Duration::from_millis(1), pending).await;
    }
    assert_eq!(requests(&layer, "GET", "/slow", "cancelled"), Some(5.0));
    assert_eq!(all_requests(&layer), 5.0);
    assert_eq!(all_in_flight(&layer), 0.0);
}
