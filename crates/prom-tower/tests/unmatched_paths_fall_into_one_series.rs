//! Requests no route matched share one route label value, so scanners
//! probing random paths cannot create series.

mod common;

use axum::routing::get;
use axum::Router;
use common::{requests, send, series};
use prom_tower::{RequestMetricsLayer, UNMATCHED};

#[tokio::test]
async fn unmatched_paths_are_counted_under_one_fixed_route() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .layer(layer.clone());

    for path in ["/wp-admin", "/.env", "/hello/extra", "/a/b/c"] {
        assert_eq!(send(&app, "GET", path).await, 404);
    }

    assert_eq!(UNMATCHED, "unmatched");
    assert_eq!(requests(&layer, "GET", "unmatched", "404"), Some(4.0));
    assert_eq!(series(&layer, "http_requests").len(), 1);
}

#[tokio::test]
async fn a_fallback_handler_is_unmatched_too() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .fallback(|| async { "the single-page app" })
        .layer(layer.clone());

    assert_eq!(send(&app, "GET", "/some/client/route").await, 200);
    assert_eq!(requests(&layer, "GET", "unmatched", "200"), Some(1.0));
}

#[tokio::test]
async fn the_unmatched_value_can_be_chosen() {
    let layer = RequestMetricsLayer::builder()
        .unmatched_route("none")
        .build()
        .unwrap();
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .layer(layer.clone());

    send(&app, "GET", "/nope").await;
    assert_eq!(requests(&layer, "GET", "none", "404"), Some(1.0));
}

#[tokio::test]
async fn a_layer_around_the_router_sees_no_matched_route() {
    // Documented: the layer must go inside the router (`Router::layer`) to
    // see `MatchedPath`.
    use tower::Layer;
    let layer = RequestMetricsLayer::new();
    let router: Router = Router::new().route("/hello", get(|| async { "hello" }));
    let app = Router::new().fallback_service(layer.layer(router));

    send(&app, "GET", "/hello").await;
    assert_eq!(requests(&layer, "GET", "unmatched", "200"), Some(1.0));
}
