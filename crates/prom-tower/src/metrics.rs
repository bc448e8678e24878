//! The families a layer records into, how one request is recorded, and the
//! collector that exposes them.

use std::sync::Arc;
use std::time::Instant;

use http::StatusCode;
use prom_core::{
    CollectError, Collector, Counter, CounterVec, Descriptor, Gauge, GaugeVec, HistogramVec,
    MetricFamily, Opts, VisitFailure, Visitor,
};

use crate::route::Route;

/// The `status` label of a request whose future was dropped before the inner
/// service produced a response: the client went away, or a timeout outside
/// the layer gave up on it.
pub const CANCELLED: &str = "cancelled";

/// The `method` label of a request whose method is not one of the nine of
/// RFC 9110 and RFC 5789 (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS,
/// TRACE, PATCH), as the HTTP semantic conventions spell it: clients cannot
/// create series by inventing methods.
pub const OTHER_METHOD: &str = "_OTHER";

/// The default `route` label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// A user's choice of the route label; `None` means unmatched.
pub(crate) type RouteFn = dyn Fn(&http::request::Parts) -> Option<Route> + Send + Sync;

/// What one layer records into, shared by every clone of its services.
pub(crate) struct Metrics {
    pub(crate) requests: CounterVec,
    pub(crate) duration: HistogramVec,
    pub(crate) in_flight: GaugeVec,
    pub(crate) request_size: Option<HistogramVec>,
    pub(crate) response_size: Option<HistogramVec>,
    pub(crate) unmatched: Route,
    pub(crate) route_fn: Option<Box<RouteFn>>,
}

/// What [`Metrics::new`] needs: the builder's choices.
pub(crate) struct Config {
    pub(crate) namespace: String,
    pub(crate) duration_buckets: Vec<f64>,
    pub(crate) body_sizes: bool,
    pub(crate) size_buckets: Vec<f64>,
    pub(crate) unmatched: Route,
    pub(crate) route_fn: Option<Box<RouteFn>>,
}

const LABELS: [&str; 3] = ["method", "route", "status"];

impl Metrics {
    pub(crate) fn new(config: Config) -> Result<Metrics, prom_core::Error> {
        let opts = |name: &str, help: &str| Opts::new(name, help).namespace(&*config.namespace);
        let sizes = |name: &str, help: &str| {
            config
                .body_sizes
                .then(|| {
                    HistogramVec::new(
                        opts(name, help)
                            .labels(LABELS)
                            .buckets(config.size_buckets.clone()),
                    )
                })
                .transpose()
        };
        Ok(Metrics {
            requests: CounterVec::new(
                opts(
                    "http_requests",
                    "HTTP requests served, by method, route and status.",
                )
                .labels(LABELS),
            )?,
            duration: HistogramVec::new(
                opts(
                    "http_request_duration_seconds",
                    "Time from receiving an HTTP request to the end of its response body.",
                )
                .labels(LABELS)
                .buckets(config.duration_buckets),
            )?,
            in_flight: GaugeVec::new(
                opts(
                    "http_requests_in_flight",
                    "HTTP requests received whose response body has not ended.",
                )
                .labels(["method", "route"]),
            )?,
            request_size: sizes(
                "http_request_size_bytes",
                "Size of HTTP request bodies, when known in advance.",
            )?,
            response_size: sizes(
                "http_response_size_bytes",
                "Size of HTTP response bodies sent.",
            )?,
            unmatched: config.unmatched,
            route_fn: config.route_fn,
        })
    }

    /// The families, in exposition order.
    fn families(&self) -> impl Iterator<Item = &dyn Collector> {
        let first: [&dyn Collector; 3] = [&self.requests, &self.duration, &self.in_flight];
        first.into_iter().chain(
            [&self.request_size, &self.response_size]
                .into_iter()
                .flatten()
                .map(|h| h as &dyn Collector),
        )
    }
}

/// The request's method as a label value, with no allocation.
pub(crate) fn method_label(method: &http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "CONNECT" => "CONNECT",
        "OPTIONS" => "OPTIONS",
        "TRACE" => "TRACE",
        "PATCH" => "PATCH",
        _ => OTHER_METHOD,
    }
}

/// One request being served. It is recorded exactly once, when dropped:
/// with its status once the response has ended, with 500 after a failure
/// (or when a panic unwinds through it before a response came), or as
/// [`CANCELLED`] if dropped before a response came.
pub(crate) struct Pending {
    metrics: Arc<Metrics>,
    method: &'static str,
    route: Route,
    start: Instant,
    in_flight: Option<Gauge>,
    request_size: Option<u64>,
    response_size: u64,
    status: Option<StatusCode>,
}

impl Pending {
    /// Starts timing a request and counts it in flight.
    pub(crate) fn start(
        metrics: Arc<Metrics>,
        method: &'static str,
        route: Route,
        request_size: Option<u64>,
    ) -> Pending {
        let start = Instant::now();
        // `with` fails only on a wrong number of values, fixed here, or past a
        // series ceiling, which these families do not have.
        let in_flight = metrics
            .in_flight
            .with(&[method, route.as_str()], |gauge| {
                gauge.inc();
                gauge.clone()
            })
            .ok();
        Pending {
            metrics,
            method,
            route,
            start,
            in_flight,
            request_size,
            response_size: 0,
            status: None,
        }
    }

    /// The inner service answered with `status`.
    pub(crate) fn respond(&mut self, status: StatusCode) {
        self.status = Some(status);
    }

    /// The inner service or the response body failed (an error or a panic):
    /// recorded as a 500 whatever was sent.
    pub(crate) fn fail(&mut self) {
        self.status = Some(StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// Bytes of the response body sent so far.
    pub(crate) fn sent(&mut self, bytes: usize) {
        self.response_size += bytes as u64;
    }
}

/// Counts and bytes fit an `f64` exactly below 2^53.
#[allow(clippy::cast_precision_loss)]
fn float(n: u64) -> f64 {
    n as f64
}

impl Drop for Pending {
    fn drop(&mut self) {
        let seconds = self.start.elapsed().as_secs_f64();
        // Dropped by a panic's unwinding before any response (the inner
        // service's `call` panicked): a failure, not a cancellation.
        if self.status.is_none() && std::thread::panicking() {
            self.fail();
        }
        let status = self.status.as_ref().map_or(CANCELLED, StatusCode::as_str);
        let labels = [self.method, self.route.as_str(), status];
        let metrics = &*self.metrics;
        // As in `start`: these lookups cannot fail.
        let _ = metrics.requests.with(&labels, Counter::inc);
        let _ = metrics.duration.with(&labels, |h| h.observe(seconds));
        if let (Some(sizes), Some(size)) = (&metrics.request_size, self.request_size) {
            let _ = sizes.with(&labels, |h| h.observe(float(size)));
        }
        if let Some(sizes) = &metrics.response_size {
            let _ = sizes.with(&labels, |h| h.observe(float(self.response_size)));
        }
        if let Some(gauge) = &self.in_flight {
            gauge.dec();
        }
    }
}

/// The metrics of a [`RequestMetricsLayer`](crate::RequestMetricsLayer), to
/// register in a registry or serve directly: `http_requests_total`,
/// `http_request_duration_seconds`, `http_requests_in_flight` and, when
/// asked for, `http_request_size_bytes` and `http_response_size_bytes`.
///
/// ```
/// use prom_core::Collector;
///
/// let layer = prom_tower::RequestMetricsLayer::new();
/// let names: Vec<String> = layer.collector().describe().iter().map(|d| d.name().to_owned()).collect();
/// assert_eq!(names, ["http_requests", "http_request_duration_seconds", "http_requests_in_flight"]);
/// ```
#[derive(Clone)]
pub struct RequestMetricsCollector {
    metrics: Arc<Metrics>,
}

impl RequestMetricsCollector {
    pub(crate) fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl std::fmt::Debug for RequestMetricsCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsCollector")
            .field("requests", &self.metrics.requests)
            .finish_non_exhaustive()
    }
}

impl Collector for RequestMetricsCollector {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.metrics.families().try_for_each(|f| f.collect(out))
    }

    fn describe(&self) -> Vec<Descriptor> {
        self.metrics.families().flat_map(|f| f.describe()).collect()
    }

    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        self.metrics.families().try_for_each(|f| f.visit(visitor))
    }
}
