//! The axum side: a route and a router serving a collector.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use prom_core::Collector;

use crate::scrape::{scrape, ScrapeRequest, ScrapeResponse};

impl IntoResponse for ScrapeResponse {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::from(self.body));
        *res.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        h.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
        if let Some(enc) = self.content_encoding {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        res
    }
}

async fn handle(
    State(source): State<Arc<dyn Collector>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let request = ScrapeRequest {
        accept: header(ACCEPT),
        accept_encoding: header(ACCEPT_ENCODING),
        query: uri.query(),
    };
    scrape(&*source, &request).into_response()
}

/// A `GET` (and `HEAD`) route serving `source`, to mount at any path:
///
/// ```
/// use std::sync::Arc;
/// let registry: Arc<dyn prom_core::Collector> = Arc::new(prom_core::Gauge::new("up", "").unwrap());
/// let app: axum::Router = axum::Router::new().route("/internal/metrics", prom_http::metrics_handler(registry));
/// ```
pub fn metrics_handler<S: Clone + Send + Sync + 'static>(
    source: Arc<dyn Collector>,
) -> MethodRouter<S> {
    get(handle).with_state(source)
}

/// A router serving `source` on `/` and `/metrics`; merge or nest it into an
/// application's router.
pub fn metrics_router<S: Clone + Send + Sync + 'static>(source: Arc<dyn Collector>) -> Router<S> {
    Router::new()
        .route("/", metrics_handler(Arc::clone(&source)))
        .route("/metrics", metrics_handler(source))
}
