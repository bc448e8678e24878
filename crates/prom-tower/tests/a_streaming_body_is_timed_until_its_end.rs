//! The duration ends when the response body ends, not when the head is
//! returned: a body yielding chunks with pauses is timed across all of them.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::routing::get;
use axum::Router;
use common::{all_in_flight, in_flight, request, requests, sample, seconds};
use http_body::Frame;
use prom_tower::RequestMetricsLayer;
use tower::ServiceExt;

const PAUSE: Duration = Duration::from_millis(100);
const CHUNKS: usize = 3;

/// Yields `left` chunks of 5 bytes, each after a pause.
struct Slow {
    left: usize,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl Slow {
    fn new(chunks: usize) -> Self {
        Self {
            left: chunks,
            pause: Box::pin(tokio::time::sleep(PAUSE)),
        }
    }
}

impl http_body::Body for Slow {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        if self.pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.left -= 1;
        let next = tokio::time::Instant::now() + PAUSE;
        self.pause.as_mut().reset(next);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"chunk")))))
    }
}

fn app(layer: &RequestMetricsLayer) -> Router {
    Router::new()
        .route("/stream", get(|| async { Body::new(Slow::new(CHUNKS)) }))
        .layer(layer.clone())
}

#[tokio::test]
async fn the_duration_covers_every_chunk_of_a_streaming_body() {
    let layer = RequestMetricsLayer::builder()
        .body_sizes(true)
        .build()
        .unwrap();
    let started = Instant::now();
    let response = app(&layer)
        .oneshot(request("GET", "/stream"))
        .await
        .unwrap();
    let head_after = started.elapsed();
    assert!(head_after < PAUSE, "the head came after {head_after:?}");

    // The head is here, the body is not: still in flight, not yet counted.
    assert_eq!(in_flight(&layer, "GET", "/stream"), Some(1.0));
    assert_eq!(requests(&layer, "GET", "/stream", "200"), None);

    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body.len(), 5 * CHUNKS);
    let total = started.elapsed();

    assert_eq!(requests(&layer, "GET", "/stream", "200"), Some(1.0));
    assert_eq!(in_flight(&layer, "GET", "/stream"), Some(0.0));
    let timed = seconds(&layer, "GET", "/stream", "200").unwrap();
    let whole = PAUSE * CHUNKS as u32;
    assert!(
        timed >= whole.as_secs_f64() && timed <= total.as_secs_f64(),
        "timed {timed} s; the chunks took at least {whole:?}, the whole exchange {total:?}"
    );
    let sent = sample(
        &layer,
        "http_response_size_bytes_sum",
        &[("method", "GET"), ("route", "/stream"), ("status", "200")],
    );
    assert_eq!(sent, Some((5 * CHUNKS) as f64));
}

#[tokio::test]
async fn a_body_dropped_midway_is_counted_once_with_its_status() {
    use http_body_util::BodyExt;
    let layer = RequestMetricsLayer::new();
    let response = app(&layer)
        .oneshot(request("GET", "/stream"))
        .await
        .unwrap();
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert_eq!(first.into_data().unwrap(), "chunk");
    assert_eq!(requests(&layer, "GET", "/stream", "200"), None);

    // The client goes away after one chunk.
    drop(body);

    assert_eq!(requests(&layer, "GET", "/stream", "200"), Some(1.0));
    assert_eq!(all_in_flight(&layer), 0.0);
    let timed = seconds(&layer, "GET", "/stream", "200").unwrap();
    assert!(timed >= PAUSE.as_secs_f64(), "timed {timed} s");
}

#[tokio::test]
async fn an_empty_body_is_recorded_with_the_response() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route("/empty", get(|| async { http::StatusCode::NO_CONTENT }))
        .layer(layer.clone());
    let response = app.oneshot(request("GET", "/empty")).await.unwrap();
    // Recorded before anyone polls the body: there is nothing to wait for.
    assert_eq!(requests(&layer, "GET", "/empty", "204"), Some(1.0));
    drop(response);
    assert_eq!(requests(&layer, "GET", "/empty", "204"), Some(1.0));
}
