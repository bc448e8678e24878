//! A panic in the inner service — in its future, in `call` itself, or in the
//! response body — is recorded once with status 500, and then resumed.

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::routing::get;
use axum::Router;
use common::{all_in_flight, all_requests, request, requests, timed};
use prom_tower::RequestMetricsLayer;
use tower::{Layer, ServiceExt};

/// Silences the expected panics' messages, restoring the hook afterwards.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_panicking_handler_is_counted_as_500_and_the_panic_goes_on() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route(
            "/boom",
            get(|| async {
                panic!("handler failed");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .layer(layer.clone());

    let outcome = quietly(|| {
        runtime().block_on(async { tokio::spawn(app.oneshot(request("GET", "/boom"))).await })
    });

    let panic = outcome.expect_err("the panic is resumed, not turned into a response");
    assert!(panic.is_panic());
    assert_eq!(requests(&layer, "GET", "/boom", "500"), Some(1.0));
    assert_eq!(timed(&layer, "GET", "/boom", "500"), Some(1.0));
    assert_eq!(all_requests(&layer), 1.0);
    assert_eq!(all_in_flight(&layer), 0.0);
}

#[test]
fn a_service_panicking_in_call_is_counted_as_500() {
    let layer = RequestMetricsLayer::new();
    let service = layer.layer(tower::service_fn(|_: http::Request<String>| {
        panic!("call failed");
        #[allow(unreachable_code)]
        std::future::ready(Ok::<_, std::convert::Infallible>(http::Response::new(
            String::new(),
        )))
    }));

    let outcome = quietly(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime().block_on(service.oneshot(http::Request::new(String::new())))
        }))
    });

    assert!(outcome.is_err(), "the panic is resumed");
    assert_eq!(requests(&layer, "GET", "unmatched", "500"), Some(1.0));
    assert_eq!(all_requests(&layer), 1.0);
    assert_eq!(all_in_flight(&layer), 0.0);
}

/// Yields one chunk, then panics.
struct Breaking {
    sent: bool,
}

impl http_body::Body for Breaking {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        assert!(!self.sent, "the body broke after its first chunk");
        self.sent = true;
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(
            b"part",
        )))))
    }
}

#[test]
fn a_body_panicking_midway_is_counted_as_500_not_200() {
    let layer = RequestMetricsLayer::new();
    let app = Router::new()
        .route(
            "/half",
            get(|| async { Body::new(Breaking { sent: false }) }),
        )
        .layer(layer.clone());

    let outcome = quietly(|| {
        runtime().block_on(async {
            tokio::spawn(async move {
                let response = app.oneshot(request("GET", "/half")).await.unwrap();
                assert_eq!(response.status(), 200);
                axum::body::to_bytes(response.into_body(), usize::MAX).await
            })
            .await
        })
    });

    assert!(outcome.expect_err("the panic is resumed").is_panic());
    assert_eq!(requests(&layer, "GET", "/half", "500"), Some(1.0));
    assert_eq!(requests(&layer, "GET", "/half", "200"), None);
    assert_eq!(all_in_flight(&layer), 0.0);
}

#[tokio::test]
async fn a_service_error_is_counted_as_500() {
    let layer = RequestMetricsLayer::new();
    let service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
        Err::<http::Response<String>, _>(std::io::Error::other("backend gone"))
    }));

    let error = service
        .oneshot(http::Request::new(String::new()))
        .await
        .unwrap_err();

    assert_eq!(error.to_string(), "backend gone");
    assert_eq!(requests(&layer, "GET", "unmatched", "500"), Some(1.0));
    assert_eq!(all_in_flight(&layer), 0.0);
}
