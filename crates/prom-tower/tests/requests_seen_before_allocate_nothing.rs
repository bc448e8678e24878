//! The layer's per-request path allocates nothing once a request's label
//! values have been seen: every lookup finds an existing series.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use prom_testkit::{allocations_in, CountingAllocator};
use prom_tower::{RequestMetricsLayer, Route};
use tower::{Layer, Service};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Calls `service` with `request`, polls the future to its end (the inner
/// services here answer at once), reads the body to its end and drops it.
fn serve<S, B>(service: &mut S, request: http::Request<String>)
where
    S: Service<http::Request<String>, Response = http::Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(response) = pin!(service.call(request)).poll(&mut cx) else {
        panic!("the inner service answers at once");
    };
    let body = response
        .expect("the inner service does not fail")
        .into_body();
    let mut body = pin!(body);
    while let Poll::Ready(Some(_)) = body.as_mut().poll_frame(&mut cx) {}
}

fn requests(n: usize) -> Vec<http::Request<String>> {
    (0..n)
        .map(|i| {
            let path = if i % 2 == 0 { "/a" } else { "/b" };
            http::Request::get(path).body(String::new()).unwrap()
        })
        .collect()
}

#[test]
fn a_request_through_the_layer_allocates_nothing_once_its_series_exist() {
    let layer = RequestMetricsLayer::builder()
        .body_sizes(true)
        .route(|parts| {
            Some(Route::from_static(if parts.uri.path() == "/a" {
                "/a"
            } else {
                "/b"
            }))
        })
        .build()
        .unwrap();
    let mut service = layer.layer(tower::service_fn(|_: http::Request<String>| {
        // `String::new()` allocates nothing: what is counted is the layer's.
        std::future::ready(Ok::<_, std::convert::Infallible>(http::Response::new(
            String::new(),
        )))
    }));
    // The first requests create the series and this thread's lookup caches.
    for request in requests(4) {
        serve(&mut service, request);
    }

    let mut requests = requests(100);
    let allocations = allocations_in(|| {
        for request in requests.drain(..) {
            serve(&mut service, request);
        }
    });

    assert_eq!(allocations, 0);
    assert_eq!(
        layer
            .requests()
            .with(&["GET", "/a", "200"], |c| c.get())
            .unwrap(),
        52.0
    );
}

/// A response body passed through unchanged, so that axum boxes the
/// baseline's body as it boxes the layer's.
struct Same(axum::body::Body);

impl http_body::Body for Same {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    // Forwarded as the layer forwards it: axum sets `Content-Length` from it.
    fn size_hint(&self) -> http_body::SizeHint {
        self.0.size_hint()
    }
}

#[test]
fn the_layer_adds_no_allocation_to_a_request_through_axum() {
    use axum::routing::get;
    // axum allocates per request for any layer (it boxes the layered
    // service's clone, its future and its body): the baseline is a layer
    // that changes nothing, so the difference is prom-tower's own. Both
    // routers are finalised with `with_state`, as `axum::serve` does.
    let layer = RequestMetricsLayer::new();
    let routes = || axum::Router::new().route("/users/{id}", get(|| async { "user" }));
    let mut baseline = routes()
        .layer(tower::util::MapResponseLayer::new(
            |response: http::Response<axum::body::Body>| response.map(Same),
        ))
        .with_state(());
    let mut layered = routes().layer(layer.clone()).with_state(());
    let count = |service: &mut axum::Router| {
        let mut batch: Vec<_> = (0..50)
            .map(|i| {
                http::Request::get(format!("/users/{i}"))
                    .body(String::new())
                    .unwrap()
            })
            .collect();
        allocations_in(|| {
            for request in batch.drain(..) {
                serve(service, request);
            }
        })
    };
    // Warm up both (series, caches, axum's own lazy state).
    count(&mut baseline);
    count(&mut layered);

    let without = count(&mut baseline);
    let with = count(&mut layered);
    assert_eq!(
        with, without,
        "{with} allocations with the layer, {without} with a layer that does nothing"
    );
    assert_eq!(
        layer
            .requests()
            .with(&["GET", "/users/{id}", "200"], |c| c.get())
            .unwrap(),
        100.0
    );
}
