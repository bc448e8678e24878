//! Request metrics for tower HTTP services (axum, tonic, hyper) in prom
//! families: a [`RequestMetricsLayer`] counts and times every request by
//! method, route and status.
//!
//! ```
//! use axum::{routing::get, Router};
//! use tower::ServiceExt;
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let metrics = prom_tower::RequestMetricsLayer::new();
//! let registry = prom_registry::Registry::new();
//! registry.register(metrics.collector())?;
//!
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "hi" }))
//!     .layer(metrics.clone()); // after the routes: it wraps each of them
//! for path in ["/users/1", "/users/2"] {
//!     let request = http::Request::get(path).body(axum::body::Body::empty())?;
//!     app.clone().oneshot(request).await?;
//! }
//! # #[cfg(feature = "axum")]
//! assert_eq!(
//!     registry.get_sample_value(
//!         "http_requests_total",
//!         &[("method", "GET"), ("route", "/users/{id}"), ("status", "200")],
//!     )?,
//!     Some(2.0), // one series for both ids
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Metrics
//! The names are client_golang's (`promhttp`'s instrumentation examples);
//! the `route` label is the HTTP semantic conventions' `http.route`, and
//! `status` stands for client_golang's `code` (the name axum-prometheus
//! uses too). A [`namespace`](Builder::namespace) prefixes every name.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route`, `status` |
//! | `http_request_duration_seconds` | histogram (classic buckets, [`DEFAULT_BUCKETS`](prom_core::DEFAULT_BUCKETS) unless [configured](Builder::duration_buckets)) | `method`, `route`, `status` |
//! | `http_requests_in_flight` | gauge | `method`, `route` |
//! | `http_request_size_bytes`, `http_response_size_bytes` | histograms, only with [`Builder::body_sizes`] | `method`, `route`, `status` |
//!
//! - `method`: the nine standard methods as they are (`GET`, `POST`, …);
//!   any other is [`OTHER_METHOD`] (`_OTHER`), as the semantic conventions
//!   say, so clients cannot create series.
//! - `route`: axum's [`MatchedPath`](https://docs.rs/axum/latest/axum/extract/struct.MatchedPath.html)
//!   (`/users/{id}`: one series for every id) with the `axum` feature;
//!   [`UNMATCHED`] (`unmatched`, or [your value](Builder::unmatched_route))
//!   when no route matched; or what [your function](Builder::route)
//!   chooses. The raw path is never used: it would be a series per id.
//! - `status`: the response's status code (`200`, `404`), or
//!   [`CANCELLED`] for a request given up before its response (below).
//!
//! # Rules
//! Each request is recorded exactly once, with all of its metrics at the
//! same moment, and leaves `http_requests_in_flight` as it found it:
//!
//! - **Streaming.** The duration runs from the call of the inner service to
//!   the end of the response body — its last frame, or the moment it says
//!   it is at its end — not to the response head: the layer wraps the body
//!   ([`ResponseBody`]). A body dropped unfinished (the client went away
//!   mid-stream) records at the drop, with the status that was sent.
//! - **Panics.** A panic in the inner service — in `call`, in its future or
//!   in its response body — is recorded with status `500` and then
//!   resumed: the layer does not change how the server reacts (hyper drops
//!   the connection; put tower-http's `CatchPanicLayer` inside this layer to
//!   answer a real 500, which is then recorded as any 500 is).
//! - **Errors.** An error from the inner service or its body is recorded
//!   with status `500` too: the server failed to answer.
//! - **Cancellation.** A request whose future is dropped before the inner
//!   service answered (the client disconnected, or a timeout outside this
//!   layer fired) is recorded once, with status [`CANCELLED`]
//!   (`cancelled`), its duration ending at the drop.
//!
//! For tonic, `status` is the HTTP status (200 for gRPC calls, whose own
//! status travels in trailers).
//!
//! # Where to put it in axum
//! Add it with `Router::layer` after the routes, as above: axum then runs it
//! inside the router, after matching, so it sees `MatchedPath`, and also
//! around the fallback, so unmatched requests are counted under
//! [`UNMATCHED`]. Wrapped around the router from outside (`layer.layer(router)`),
//! it sees no `MatchedPath` and every request is unmatched.
//!
//! # Cost
//! Per request: two clock reads, three cached lookups of existing series
//! (in flight at the start; the counter and the histogram at the end) and
//! their updates, and three handles cloned and dropped; nothing is
//! allocated for label values seen before (a test counts the allocations).
//! The benchmark `tower_layer` in `benches/` measures it on a one-route
//! axum router: about 340 ns per request on 2 vCPUs, 90 ns of which axum
//! charges any layer, against about 1,290 ns for axum-prometheus.
//!
//! # Crate feature flags
//! - `axum` (off by default): the route label from axum's `MatchedPath`, and
//!   `Route::matched_path`. The facade `prom` turns it on when both its
//!   `tower` and `http` features are on.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

mod body;
mod layer;
mod metrics;
mod route;
mod service;

pub use body::ResponseBody;
pub use layer::{Builder, RequestMetricsLayer};
pub use metrics::{RequestMetricsCollector, CANCELLED, OTHER_METHOD, UNMATCHED};
pub use route::Route;
pub use service::{RequestMetricsService, ResponseFuture};
