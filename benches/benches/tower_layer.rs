//! Request metrics: the per-request cost of a metrics layer on an axum
//! router with one route (`/users/{id}`, the id cycling over 100 values),
//! called in process: build the request, `Service::call`, poll the future to
//! its end, read the body to its end, drop it — what a server does per
//! request, without the I/O.
//!
//! Rows: the router without a layer (the raw baseline), with prom-tower's
//! `RequestMetricsLayer`, and with axum-prometheus' `PrometheusMetricLayer`
//! (a `metrics` recorder from metrics-exporter-prometheus, installed
//! globally as its `pair()` does). The layers record the same things: a
//! counter and a duration histogram by method, route and status, and
//! requests in flight. A layer's overhead is its row minus the raw row.
//!
//! Every router is finalised with `with_state(())`, as `axum::serve` does,
//! so that no row pays axum's per-request conversion of unfinalised routes.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body::Body as _;
use tower::Service;

const IDS: usize = 100;

fn routes() -> Router {
    Router::new().route("/users/{id}", get(|| async { "user" }))
}

/// One request through `app`, to the end of its body.
fn serve(app: &mut Router, uri: &http::Uri) {
    let request = http::Request::get(uri.clone())
        .body(Body::empty())
        .expect("a valid request");
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(response) = pin!(app.call(request)).poll(&mut cx) else {
        panic!("the handler answers at once");
    };
    let response = response.expect("a router is infallible");
    assert_eq!(response.status(), 200);
    let mut body = pin!(response.into_body());
    while let Poll::Ready(Some(frame)) = body.as_mut().poll_frame(&mut cx) {
        black_box(frame.expect("the body does not fail"));
    }
}

fn per_request(c: &mut Criterion) {
    let uris: Vec<http::Uri> = (0..IDS)
        .map(|i| format!("/users/{i}").parse().expect("a valid URI"))
        .collect();
    let mut g = c.benchmark_group("tower_layer_axum_request_1_route");

    let mut raw = routes().with_state(());
    let mut i = 0usize;
    g.bench_function("raw router, no layer", |b| {
        b.iter(|| {
            i = (i + 1) % IDS;
            serve(&mut raw, &uris[i]);
        })
    });

    // What axum charges any layer: it boxes the layered service's clone, its
    // future and its body per request. A layer that changes nothing shows it.
    let mut noop = routes()
        .layer(tower::util::MapResponseLayer::new(
            |response: http::Response<Body>| response,
        ))
        .with_state(());
    g.bench_function("no-op layer (axum's cost of any layer)", |b| {
        b.iter(|| {
            i = (i + 1) % IDS;
            serve(&mut noop, &uris[i]);
        })
    });

    let layer = prom_tower::RequestMetricsLayer::new();
    let mut ours = routes().layer(layer.clone()).with_state(());
    g.bench_function("prom-tower RequestMetricsLayer", |b| {
        b.iter(|| {
            i = (i + 1) % IDS;
            serve(&mut ours, &uris[i]);
        })
    });
    // One request of its own, so the check holds when `--filter` skipped the benchmark.
    serve(&mut ours, &uris[0]);
    assert!(
        layer
            .requests()
            .with(&["GET", "/users/{id}", "200"], |c| c.get())
            .expect("three labels")
            > 0.0,
        "prom-tower recorded the requests under the matched route"
    );

    // `pair()` installs the global recorder and spawns its upkeep task (every
    // 5 s) on the current tokio runtime: a background one, as in a server.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let (theirs_layer, handle) = {
        let _inside = runtime.enter();
        axum_prometheus::PrometheusMetricLayer::pair()
    };
    let mut theirs = routes().layer(theirs_layer).with_state(());
    g.bench_function("axum-prometheus PrometheusMetricLayer", |b| {
        b.iter(|| {
            i = (i + 1) % IDS;
            serve(&mut theirs, &uris[i]);
        })
    });
    serve(&mut theirs, &uris[0]);
    assert!(
        handle.render().contains("endpoint=\"/users/{id}\""),
        "axum-prometheus recorded the requests under the matched route"
    );
    g.finish();
}

criterion_group!(benches, per_request);
criterion_main!(benches);
