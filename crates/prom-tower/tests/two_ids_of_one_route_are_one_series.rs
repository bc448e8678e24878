//! axum's `MatchedPath` is the route label: `/users/1` and `/users/2` are
//! one series of `/users/{id}`, not one per id.

mod common;

use axum::routing::get;
use axum::Router;
use common::{requests, send, series, timed};
use prom_tower::RequestMetricsLayer;

#[tokio::test]
async fn two_ids_of_one_route_are_counted_in_one_series() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .route("/health", get(|| async { "ok" }))
        .layer(layer.clone());

    assert_eq!(send(&app, "GET", "/users/1").await, 200);
    assert_eq!(send(&app, "GET", "/users/2").await, 200);
    assert_eq!(send(&app, "GET", "/health").await, 200);

    assert_eq!(requests(&layer, "GET", "/users/{id}", "200"), Some(2.0));
    assert_eq!(timed(&layer, "GET", "/users/{id}", "200"), Some(2.0));
    assert_eq!(requests(&layer, "GET", "/health", "200"), Some(1.0));
    let routes: Vec<Vec<String>> = series(&layer, "http_requests")
        .into_iter()
        .map(|(labels, _)| labels)
        .collect();
    assert_eq!(
        routes,
        [
            ["method=GET", "route=/users/{id}", "status=200"],
            ["method=GET", "route=/health", "status=200"],
        ]
    );
}

#[tokio::test]
async fn nested_routers_give_the_whole_pattern() {
    let layer = RequestMetricsLayer::new();
    let api = Router::new().route("/items/{id}", get(|| async { "item" }));
    let app = Router::new().nest("/api", api).layer(layer.clone());

    send(&app, "GET", "/api/items/1").await;
    send(&app, "GET", "/api/items/22").await;

    assert_eq!(requests(&layer, "GET", "/api/items/{id}", "200"), Some(2.0));
}
