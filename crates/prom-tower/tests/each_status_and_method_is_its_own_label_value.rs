//! The status label is the response's code, and the method label one of the
//! standard methods or `_OTHER`.

mod common;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use common::{requests, send, series, timed};
use prom_tower::{RequestMetricsLayer, OTHER_METHOD};

#[tokio::test]
async fn each_status_code_is_counted_apart() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route(
            "/items/{id}",
            get(
                |axum::extract::Path(id): axum::extract::Path<u32>| async move {
                    match id {
                        0 => StatusCode::NOT_FOUND,
                        1 => StatusCode::SERVICE_UNAVAILABLE,
                        _ => StatusCode::OK,
                    }
                },
            ),
        )
        .route("/items", post(|| async { StatusCode::CREATED }))
        .layer(layer.clone());

    assert_eq!(send(&app, "GET", "/items/0").await, 404);
    assert_eq!(send(&app, "GET", "/items/1").await, 503);
    assert_eq!(send(&app, "GET", "/items/2").await, 200);
    assert_eq!(send(&app, "GET", "/items/3").await, 200);
    assert_eq!(send(&app, "POST", "/items").await, 201);
    // Matched path, wrong method: axum answers 405 from the route.
    assert_eq!(send(&app, "DELETE", "/items").await, 405);
    // A path parameter that does not parse: axum's 400.
    assert_eq!(send(&app, "GET", "/items/x").await, 400);

    let route = "/items/{id}";
    assert_eq!(requests(&layer, "GET", route, "404"), Some(1.0));
    assert_eq!(requests(&layer, "GET", route, "503"), Some(1.0));
    assert_eq!(requests(&layer, "GET", route, "200"), Some(2.0));
    assert_eq!(requests(&layer, "GET", route, "400"), Some(1.0));
    assert_eq!(requests(&layer, "POST", "/items", "201"), Some(1.0));
    assert_eq!(requests(&layer, "DELETE", "/items", "405"), Some(1.0));
    assert_eq!(timed(&layer, "GET", route, "200"), Some(2.0));
    assert_eq!(series(&layer, "http_requests").len(), 6);
}

#[tokio::test]
async fn unknown_methods_share_one_label_value() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/", get(|| async { "root" }))
        .layer(layer.clone());

    for method in ["PROPFIND", "BREW", "X-ANYTHING"] {
        send(&app, method, "/").await;
    }
    send(&app, "HEAD", "/").await;

    assert_eq!(OTHER_METHOD, "_OTHER");
    assert_eq!(requests(&layer, "_OTHER", "/", "405"), Some(3.0));
    assert_eq!(requests(&layer, "HEAD", "/", "200"), Some(1.0));
}
