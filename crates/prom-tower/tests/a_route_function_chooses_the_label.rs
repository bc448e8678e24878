//! A user function chooses the route label from the request's head, and
//! can fall back to axum's matched route or to the unmatched value.

mod common;

use axum::routing::get;
use axum::Router;
use common::{requests, send, series};
use prom_tower::{RequestMetricsLayer, Route};

#[tokio::test]
async fn the_function_s_value_is_the_route_label() {
    let layer = RequestMetricsLayer::builder()
        .route(|parts| {
            let path = parts.uri.path();
            if path.starts_with("/static/") {
                Some(Route::from_static("/static/*"))
            } else if parts.headers.contains_key("x-internal") {
                Some(Route::from_static("internal"))
            } else {
                Route::matched_path(&parts.extensions)
            }
        })
        .build()
        .unwrap();
    let app = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .route("/static/{*file}", get(|| async { "file" }))
        .layer(layer.clone());

    send(&app, "GET", "/static/app.js").await;
    send(&app, "GET", "/static/img/logo.png").await;
    send(&app, "GET", "/users/5").await;
    send(&app, "GET", "/missing").await;
    let internal = http::Request::get("/users/6")
        .header("x-internal", "1")
        .body(axum::body::Body::empty())
        .unwrap();
    tower::ServiceExt::oneshot(app.clone(), internal)
        .await
        .unwrap();

    assert_eq!(requests(&layer, "GET", "/static/*", "200"), Some(2.0));
    assert_eq!(requests(&layer, "GET", "/users/{id}", "200"), Some(1.0));
    assert_eq!(requests(&layer, "GET", "internal", "200"), Some(1.0));
    // `None` from the function: the unmatched value.
    assert_eq!(requests(&layer, "GET", "unmatched", "404"), Some(1.0));
    assert_eq!(series(&layer, "http_requests").len(), 4);
}

#[tokio::test]
async fn a_plain_tower_service_gets_its_routes_from_the_function() {
    use tower::{Layer, ServiceExt};
    const ROUTES: [&str; 2] = ["/shop.Cart/Add", "/shop.Cart/Checkout"];
    let layer = RequestMetricsLayer::builder()
        .route(|parts| {
            ROUTES
                .iter()
                .find(|r| **r == parts.uri.path())
                .map(|r| Route::from_static(r))
        })
        .build()
        .unwrap();
    let service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(String::from("ok")))
    }));

    for path in [
        "/shop.Cart/Add",
        "/shop.Cart/Add",
        "/shop.Cart/Checkout",
        "/other",
    ] {
        let request = http::Request::post(path).body(String::new()).unwrap();
        drop(service.clone().oneshot(request).await.unwrap());
    }

    assert_eq!(requests(&layer, "POST", "/shop.Cart/Add", "200"), Some(2.0));
    assert_eq!(
        requests(&layer, "POST", "/shop.Cart/Checkout", "200"),
        Some(1.0)
    );
    assert_eq!(requests(&layer, "POST", "unmatched", "200"), Some(1.0));
}
