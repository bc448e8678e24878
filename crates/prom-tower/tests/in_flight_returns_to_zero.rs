//! `http_requests_in_flight` counts requests from the call to the end of the
//! response body, and goes back to 0 however they end.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use common::{all_in_flight, in_flight, request, requests, send};
use prom_tower::RequestMetricsLayer;
use tokio::sync::Notify;
use tower::ServiceExt;

#[tokio::test]
async fn in_flight_rises_while_requests_run_and_returns_to_zero() {
    let layer = RequestMetricsLayer::new();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let app = Router::new()
        .route(
            "/wait",
            get(move || {
                let gate = Arc::clone(&gate);
                async move {
                    gate.notified().await;
                    "released"
                }
            }),
        )
        .route("/quick", get(|| async { "quick" }))
        .layer(layer.clone());

    let waiting: Vec<_> = (0..3)
        .map(|_| tokio::spawn(app.clone().oneshot(request("GET", "/wait"))))
        .collect();
    // Let the spawned requests reach the handler.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while in_flight(&layer, "GET", "/wait") != Some(3.0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the requests never started"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    send(&app, "GET", "/quick").await;
    assert_eq!(in_flight(&layer, "GET", "/wait"), Some(3.0));
    assert_eq!(in_flight(&layer, "GET", "/quick"), Some(0.0));

    release.notify_waiters();
    for request in waiting {
        let response = request.await.unwrap().unwrap();
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
    }

    assert_eq!(requests(&layer, "GET", "/wait", "200"), Some(3.0));
    assert_eq!(in_flight(&layer, "GET", "/wait"), Some(0.0));
    assert_eq!(all_in_flight(&layer), 0.0);
}

#[tokio::test]
async fn in_flight_is_zero_after_unmatched_and_cancelled_requests() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/never", get(std::future::pending::<&'static str>))
        .layer(layer.clone());

    send(&app, "GET", "/missing").await;
    let _ = tokio::time::timeout(
        Duration::from_millis(5),
        app.clone().oneshot(request("GET", "/never")),
    )
    .await;

    assert_eq!(all_in_flight(&layer), 0.0);
    assert_eq!(requests(&layer, "GET", "unmatched", "404"), Some(1.0));
    assert_eq!(requests(&layer, "GET", "/never", "cancelled"), Some(1.0));
}
