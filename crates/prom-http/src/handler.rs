//! The axum side: a route and a router serving a collector, with the
//! endpoint's limits ([`HandlerOptions`]) shared by the standalone server.
//!
//! A scrape runs on Tokio's blocking pool, so a slow collector never stalls
//! the runtime; the request waits for it under the optional timeout.
//! Identical scrapes that arrive while one is collecting wait for that one
//! instead of starting their own (client_golang's gather coalescing), so a
//! burst of scrapes costs one collection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use prom_core::Collector;
use tokio::sync::{watch, Semaphore};

use crate::scrape::{Plan, ScrapeRequest, ScrapeResponse};

/// How the scrape handler meets load and faults, as promhttp's
/// `HandlerOpts`: shared by [`metrics_handler_with`], [`metrics_router_with`]
/// and the standalone server ([`ServerOptions::handler`](crate::ServerOptions::handler)).
///
/// By default there is no request limit and no timeout, and identical
/// concurrent scrapes share one collection.
///
/// ```
/// use std::time::Duration;
/// let options = prom_http::HandlerOptions::default()
///     .max_requests_in_flight(4)
///     .timeout(Duration::from_secs(10));
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct HandlerOptions {
    max_requests_in_flight: Option<usize>,
    timeout: Option<Duration>,
    coalesce: bool,
}

impl Default for HandlerOptions {
    fn default() -> Self {
        HandlerOptions {
            max_requests_in_flight: None,
            timeout: None,
            coalesce: true,
        }
    }
}

impl HandlerOptions {
    /// At most `max` scrape requests are served at once (at least 1); one
    /// more gets a 503 at once, as promhttp's `MaxRequestsInFlight`. Requests
    /// that join a collection in flight count too.
    pub fn max_requests_in_flight(mut self, max: usize) -> Self {
        self.max_requests_in_flight = Some(max.max(1));
        self
    }

    /// A scrape not answered within `timeout` gets a 503 naming the
    /// timeout, as promhttp's `Timeout`. The collection itself cannot be
    /// interrupted: it finishes on the blocking pool, and identical scrapes
    /// arriving meanwhile wait for it rather than starting another.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Whether identical scrapes (same format, compression and `name[]`
    /// filter) that arrive while one is collecting share its result. The
    /// result is then at most as old as that collection's start, never
    /// older than the request. Default: on.
    pub fn coalesce(mut self, coalesce: bool) -> Self {
        self.coalesce = coalesce;
        self
    }
}

/// One finished scrape, shareable between the requests that waited for it.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    content_type: &'static str,
    content_encoding: Option<&'static str>,
    body: Bytes,
}

impl From<ScrapeResponse> for Answer {
    fn from(r: ScrapeResponse) -> Self {
        Answer {
            status: StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            content_type: r.content_type,
            content_encoding: r.content_encoding,
            body: Bytes::from(r.body),
        }
    }
}

impl Answer {
    fn response(&self) -> Response {
        let mut res = Response::new(Body::from(self.body.clone()));
        *res.status_mut() = self.status;
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        h.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
        if let Some(enc) = self.content_encoding {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        res
    }
}

impl IntoResponse for ScrapeResponse {
    fn into_response(self) -> Response {
        Answer::from(self).response()
    }
}

/// A 503 with a message saying why, and when to retry.
fn unavailable(message: String) -> Response {
    let mut res = (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

/// A collection in flight: its result, once there.
type Pending = watch::Receiver<Option<Arc<Answer>>>;

/// The state behind a metrics route.
struct Endpoint {
    source: Arc<dyn Collector>,
    options: HandlerOptions,
    in_flight: Option<Arc<Semaphore>>,
    pending: Mutex<HashMap<Plan, Pending>>,
    /// The size of the last uncompressed exposition, to size the next
    /// buffer in one allocation.
    last_size: AtomicUsize,
}

impl Endpoint {
    fn new(source: Arc<dyn Collector>, options: HandlerOptions) -> Self {
        Endpoint {
            source,
            in_flight: options
                .max_requests_in_flight
                .map(|max| Arc::new(Semaphore::new(max))),
            options,
            pending: Mutex::new(HashMap::new()),
            last_size: AtomicUsize::new(0),
        }
    }

    async fn serve(self: Arc<Self>, plan: Plan) -> Response {
        let _permit = match &self.in_flight {
            Some(limit) => match Arc::clone(limit).try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    return unavailable(format!(
                        "too many scrapes in flight (limit {}); try again later\n",
                        self.options.max_requests_in_flight.unwrap_or_default()
                    ))
                }
            },
            None => None,
        };
        let mut pending = self.collection(plan);
        let finished = pending.wait_for(Option::is_some);
        let answer = match self.options.timeout {
            None => finished.await,
            Some(limit) => match tokio::time::timeout(limit, finished).await {
                Ok(answer) => answer,
                Err(_) => {
                    return unavailable(format!(
                        "scrape timed out after {}; the collection goes on in the background\n",
                        Seconds(limit)
                    ))
                }
            },
        };
        match answer {
            Ok(answer) => answer
                .as_ref()
                .expect("wait_for returns a value that passed the test")
                .response(),
            // The collection's task was dropped unrun: the runtime is
            // shutting down.
            Err(_) => unavailable("the metrics server is shutting down\n".into()),
        }
    }

    /// The collection for `plan`: the one in flight when coalescing finds
    /// one, else a new one on the blocking pool.
    fn collection(self: &Arc<Self>, plan: Plan) -> Pending {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if self.options.coalesce {
            if let Some(running) = pending.get(&plan) {
                return running.clone();
            }
        }
        let (done, result) = watch::channel(None);
        if self.options.coalesce {
            pending.insert(plan.clone(), result.clone());
        }
        drop(pending);
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let hint = this.last_size.load(Ordering::Relaxed);
            let response = plan.render(&*this.source, hint);
            if response.status == 200 && response.content_encoding.is_none() {
                this.last_size.store(response.body.len(), Ordering::Relaxed);
            }
            let answer = Arc::new(Answer::from(response));
            if this.options.coalesce {
                // Later scrapes start afresh from here on.
                this.pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&plan);
            }
            // No receiver left means every request gave up (timeout, hang-up).
            let _ = done.send(Some(answer));
        });
        result
    }
}

/// A duration as `2s` or `1.5s`.
struct Seconds(Duration);

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}s", self.0.as_secs_f64())
    }
}

async fn handle(State(endpoint): State<Arc<Endpoint>>, uri: Uri, headers: HeaderMap) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let plan = Plan::new(&ScrapeRequest {
        accept: header(ACCEPT),
        accept_encoding: header(ACCEPT_ENCODING),
        query: uri.query(),
    });
    endpoint.serve(plan).await
}

/// A `GET` (and `HEAD`) route serving `source`, to mount at any path, with
/// the default [`HandlerOptions`]:
///
/// ```
/// use std::sync::Arc;
/// let registry: Arc<dyn prom_core::Collector> = Arc::new(prom_core::Gauge::new("up", "").unwrap());
/// let app: axum::Router = axum::Router::new().route("/internal/metrics", prom_http::metrics_handler(registry));
/// ```
pub fn metrics_handler<S: Clone + Send + Sync + 'static>(
    source: Arc<dyn Collector>,
) -> MethodRouter<S> {
    metrics_handler_with(source, HandlerOptions::default())
}

/// [`metrics_handler`] with explicit [`HandlerOptions`]:
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// let registry: Arc<dyn prom_core::Collector> = Arc::new(prom_core::Gauge::new("up", "").unwrap());
/// let options = prom_http::HandlerOptions::default()
///     .max_requests_in_flight(2)
///     .timeout(Duration::from_secs(5));
/// let app: axum::Router = axum::Router::new()
///     .route("/metrics", prom_http::metrics_handler_with(registry, options));
/// ```
pub fn metrics_handler_with<S: Clone + Send + Sync + 'static>(
    source: Arc<dyn Collector>,
    options: HandlerOptions,
) -> MethodRouter<S> {
    get(handle).with_state(Arc::new(Endpoint::new(source, options)))
}

/// A router serving `source` on `/` and `/metrics`; merge or nest it into an
/// application's router.
pub fn metrics_router<S: Clone + Send + Sync + 'static>(source: Arc<dyn Collector>) -> Router<S> {
    metrics_router_with(source, HandlerOptions::default())
}

/// [`metrics_router`] with explicit [`HandlerOptions`]; both paths share one
/// request limit.
pub fn metrics_router_with<S: Clone + Send + Sync + 'static>(
    source: Arc<dyn Collector>,
    options: HandlerOptions,
) -> Router<S> {
    let route = get(handle).with_state(Arc::new(Endpoint::new(source, options)));
    Router::new()
        .route("/", route.clone())
        .route("/metrics", route)
}
