//! With `body_sizes(true)`, request and response body sizes are observed;
//! without it, those families do not exist.

mod common;

use axum::routing::post;
use axum::Router;
use common::{families, sample};
use prom_tower::RequestMetricsLayer;
use tower::ServiceExt;

fn labels() -> [(&'static str, &'static str); 3] {
    [("method", "POST"), ("route", "/echo"), ("status", "200")]
}

fn app(layer: &RequestMetricsLayer) -> Router {
    Router::new()
        .route("/echo", post(|body: String| async move { body.repeat(2) }))
        .layer(layer.clone())
}

#[tokio::test]
async fn sizes_are_the_request_s_known_length_and_the_bytes_sent() {
    let layer = RequestMetricsLayer::builder()
        .body_sizes(true)
        .build()
        .unwrap();
    let request = http::Request::post("/echo")
        .body(axum::body::Body::from("hello"))
        .unwrap();
    let response = app(&layer).oneshot(request).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, "hellohello");

    let labels = labels();
    assert_eq!(
        sample(&layer, "http_request_size_bytes_sum", &labels),
        Some(5.0)
    );
    assert_eq!(
        sample(&layer, "http_response_size_bytes_sum", &labels),
        Some(10.0)
    );
    assert_eq!(
        sample(&layer, "http_response_size_bytes_count", &labels),
        Some(1.0)
    );
}

#[tokio::test]
async fn a_request_of_unknown_length_is_left_out_of_the_request_sizes() {
    let layer = RequestMetricsLayer::builder()
        .body_sizes(true)
        .build()
        .unwrap();
    // A streamed body: its length is not known in advance.
    let chunks = Chunks(vec!["lo", "hel"]);
    let request = http::Request::post("/echo")
        .body(axum::body::Body::new(chunks))
        .unwrap();
    let response = app(&layer).oneshot(request).await.unwrap();
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();

    let labels = labels();
    assert_eq!(sample(&layer, "http_requests_total", &labels), Some(1.0));
    assert_eq!(
        sample(&layer, "http_request_size_bytes_count", &labels),
        None
    );
    assert_eq!(
        sample(&layer, "http_response_size_bytes_sum", &labels),
        Some(10.0)
    );
}

#[test]
fn without_the_option_there_are_no_size_families() {
    let layer = RequestMetricsLayer::new();
    let names: Vec<String> = families(&layer)
        .iter()
        .map(|f| f.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "http_requests",
            "http_request_duration_seconds",
            "http_requests_in_flight"
        ]
    );
}

/// Data frames popped from the end, with no size hint (a chunked upload).
struct Chunks(Vec<&'static str>);

impl http_body::Body for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let chunk = self.0.pop().map(|c| Ok(http_body::Frame::data(c.into())));
        std::task::Poll::Ready(chunk)
    }
}
