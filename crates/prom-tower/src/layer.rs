//! The layer, its builder, and what it exposes.

use std::sync::Arc;

use prom_core::{CounterVec, GaugeVec, HistogramVec, DEFAULT_BUCKETS};
use tower_layer::Layer;

use crate::metrics::{Config, Metrics, RequestMetricsCollector, RouteFn, UNMATCHED};
use crate::route::Route;
use crate::service::RequestMetricsService;

/// A [`tower::Layer`](tower_layer::Layer) recording the requests of any HTTP
/// service (axum, tonic, hyper): a counter and a duration histogram by
/// method, route and status, requests in flight by method and route, and
/// optionally body sizes. See the [crate documentation](crate) for the names
/// and the rules.
///
/// Clones share the same metrics: build the layer once, register its
/// [`collector`](Self::collector), and apply it to as many services as you
/// like.
///
/// ```
/// use axum::{routing::get, Router};
/// use prom_core::Collector;
/// use tower::ServiceExt;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let metrics = prom_tower::RequestMetricsLayer::new();
/// let app: Router = Router::new()
///     .route("/hello", get(|| async { "hello" }))
///     .layer(metrics.clone());
/// app.oneshot(http::Request::get("/hello").body(axum::body::Body::empty())?).await?;
///
/// let families = prom_core::collect(&metrics.collector())?;
/// let requests = families.iter().find(|f| &*f.name == "http_requests").unwrap();
/// # #[cfg(feature = "axum")]
/// assert_eq!(
///     requests.sample_value("http_requests_total", &[("method", "GET"), ("route", "/hello"), ("status", "200")]),
///     Some(1.0),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RequestMetricsLayer {
    metrics: Arc<Metrics>,
}

impl RequestMetricsLayer {
    /// A layer with the default names (no namespace), the default duration
    /// buckets ([`DEFAULT_BUCKETS`]), no body sizes, and the route from axum's
    /// `MatchedPath` (feature `axum`), else [`UNMATCHED`].
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// assert_eq!(layer.requests().descriptor().name(), "http_requests");
    /// ```
    pub fn new() -> Self {
        Builder::default()
            .build()
            .expect("the default names and buckets are valid")
    }

    /// A builder for a layer with other names, buckets, sizes or routes.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().namespace("shop").build()?;
    /// assert_eq!(layer.duration().descriptor().name(), "shop_http_request_duration_seconds");
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The layer's metrics as one [`Collector`](prom_core::Collector), to
    /// register in a registry (`registry.register(layer.collector())`) or to
    /// serve as it is.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// let text = prom_codec::Encoder::text().encode_to_string(&prom_core::collect(&layer.collector())?)?;
    /// assert!(text.contains("# TYPE http_requests_total counter"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collector(&self) -> RequestMetricsCollector {
        RequestMetricsCollector::new(Arc::clone(&self.metrics))
    }

    /// `http_requests_total`, by `method`, `route` and `status`.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// assert_eq!(layer.requests().descriptor().label_names().len(), 3);
    /// ```
    pub fn requests(&self) -> &CounterVec {
        &self.metrics.requests
    }

    /// `http_request_duration_seconds`, by `method`, `route` and `status`:
    /// from the call of the inner service to the end of the response body.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// assert!(layer.duration().is_empty());
    /// ```
    pub fn duration(&self) -> &HistogramVec {
        &self.metrics.duration
    }

    /// `http_requests_in_flight`, by `method` and `route`: requests received
    /// whose response body has not ended.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// assert_eq!(layer.in_flight().with(&["GET", "/"], |g| g.get())?, 0.0);
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn in_flight(&self) -> &GaugeVec {
        &self.metrics.in_flight
    }

    /// `http_request_size_bytes`, by `method`, `route` and `status`, when
    /// [`Builder::body_sizes`] asked for it.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().body_sizes(true).build()?;
    /// assert!(layer.request_size().is_some());
    /// assert!(prom_tower::RequestMetricsLayer::new().request_size().is_none());
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn request_size(&self) -> Option<&HistogramVec> {
        self.metrics.request_size.as_ref()
    }

    /// `http_response_size_bytes`, by `method`, `route` and `status`, when
    /// [`Builder::body_sizes`] asked for it.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().body_sizes(true).build()?;
    /// assert!(layer.response_size().is_some());
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn response_size(&self) -> Option<&HistogramVec> {
        self.metrics.response_size.as_ref()
    }
}

impl Default for RequestMetricsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RequestMetricsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsLayer")
            .field("requests", &self.metrics.requests)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetricsService::new(inner, Arc::clone(&self.metrics))
    }
}

/// Options of a [`RequestMetricsLayer`]; [`build`](Self::build) checks them.
///
/// ```
/// use prom_tower::{RequestMetricsLayer, Route};
///
/// let layer = RequestMetricsLayer::builder()
///     .namespace("shop")
///     .duration_buckets([0.01, 0.1, 1.0])
///     .body_sizes(true)
///     .unmatched_route("other")
///     .route(|parts| (parts.uri.path() == "/health").then(|| Route::from_static("/health")))
///     .build()?;
/// assert_eq!(layer.duration().descriptor().name(), "shop_http_request_duration_seconds");
/// # Ok::<(), prom_core::Error>(())
/// ```
#[must_use]
pub struct Builder {
    namespace: String,
    duration_buckets: Vec<f64>,
    body_sizes: bool,
    size_buckets: Vec<f64>,
    unmatched: Route,
    route_fn: Option<Box<RouteFn>>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            namespace: String::new(),
            duration_buckets: DEFAULT_BUCKETS.to_vec(),
            body_sizes: false,
            // 64 B to 16 MiB, ×4 each.
            size_buckets: (0..10).map(|i| 64.0 * 4f64.powi(i)).collect(),
            unmatched: Route::from_static(UNMATCHED),
            route_fn: None,
        }
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("namespace", &self.namespace)
            .field("duration_buckets", &self.duration_buckets)
            .field("body_sizes", &self.body_sizes)
            .field("size_buckets", &self.size_buckets)
            .field("unmatched", &self.unmatched)
            .field("route", &self.route_fn.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Builder {
    /// Prefixes every metric name with `namespace_`
    /// (`shop_http_requests_total`). Default: none.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().namespace("shop").build()?;
    /// assert_eq!(layer.requests().descriptor().name(), "shop_http_requests");
    /// // `_` makes names starting with the reserved `__`.
    /// assert!(prom_tower::RequestMetricsLayer::builder().namespace("_").build().is_err());
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The upper bounds of the duration histogram's buckets, in seconds
    /// (`+Inf` is added). Default: [`DEFAULT_BUCKETS`], 5 ms to 10 s.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().duration_buckets([0.1, 1.0]).build()?;
    /// layer.duration().with(&["GET", "/", "200"], |h| assert_eq!(h.bounds(), [0.1, 1.0, f64::INFINITY]))?;
    /// assert!(prom_tower::RequestMetricsLayer::builder().duration_buckets([1.0, 0.1]).build().is_err());
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn duration_buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.duration_buckets = buckets.into();
        self
    }

    /// Whether to record `http_request_size_bytes` and
    /// `http_response_size_bytes`. Default: off.
    ///
    /// The response size is the bytes of the body's data frames that were
    /// sent. The request size is the body's exact size hint, which hyper
    /// sets from `Content-Length`: a request whose size is not known in
    /// advance (a chunked upload) is left out of that histogram, so the layer
    /// never has to wrap, and change the type of, the request body.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().body_sizes(true).build()?;
    /// assert_eq!(layer.response_size().unwrap().descriptor().name(), "http_response_size_bytes");
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn body_sizes(mut self, on: bool) -> Self {
        self.body_sizes = on;
        self
    }

    /// The upper bounds of the size histograms' buckets, in bytes (`+Inf` is
    /// added). Default: 64 B to 16 MiB, each 4 times the last.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder()
    ///     .body_sizes(true)
    ///     .size_buckets(prom_core::exponential_buckets(1024.0, 2.0, 10)?)
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn size_buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.size_buckets = buckets.into();
        self
    }

    /// The `route` label of requests no route matched (and of every request,
    /// without the `axum` feature or a [`route`](Self::route) function).
    /// Default: [`UNMATCHED`], `"unmatched"`.
    ///
    /// ```
    /// let layer = prom_tower::RequestMetricsLayer::builder().unmatched_route("none").build()?;
    /// # let _ = layer;
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn unmatched_route(mut self, route: impl Into<Route>) -> Self {
        self.unmatched = route.into();
        self
    }

    /// Chooses the `route` label of each request with `choose`, which sees
    /// the request's head (method, URI, headers, extensions) before the inner
    /// service does; `None` means [`unmatched`](Self::unmatched_route). It
    /// replaces the default, axum's `MatchedPath`, which
    /// `Route::matched_path` (feature `axum`) still reads.
    ///
    /// Keep the values few — each is a series — and return `&'static str`s or
    /// `Arc<str>`s, so nothing is allocated per request. A tonic server's
    /// paths (`/package.Service/Method`) are a fixed set:
    ///
    /// ```
    /// use prom_tower::{RequestMetricsLayer, Route};
    ///
    /// const METHODS: [&str; 2] = ["/shop.Cart/Add", "/shop.Cart/Checkout"];
    /// let layer = RequestMetricsLayer::builder()
    ///     .route(|parts| {
    ///         let path = parts.uri.path();
    ///         METHODS.iter().find(|m| **m == path).map(|m| Route::from_static(m))
    ///     })
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn route(
        mut self,
        choose: impl Fn(&http::request::Parts) -> Option<Route> + Send + Sync + 'static,
    ) -> Self {
        self.route_fn = Some(Box::new(choose));
        self
    }

    /// The layer, with its metrics created (not registered anywhere: see
    /// [`RequestMetricsLayer::collector`]).
    ///
    /// # Errors
    /// A [`prom_core::Error`] naming the bad input: an invalid namespace
    /// (`invalid metric name "9shop_http_requests": …`), or buckets that are
    /// not strictly increasing or hold NaN.
    pub fn build(self) -> Result<RequestMetricsLayer, prom_core::Error> {
        let metrics = Metrics::new(Config {
            namespace: self.namespace,
            duration_buckets: self.duration_buckets,
            body_sizes: self.body_sizes,
            size_buckets: self.size_buckets,
            unmatched: self.unmatched,
            route_fn: self.route_fn,
        })?;
        Ok(RequestMetricsLayer {
            metrics: Arc::new(metrics),
        })
    }
}
