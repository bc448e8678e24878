//! The HTTP exporter of **prom**: serve metrics to Prometheus.
//!
//! Two ways in:
//! - [`start_http_server`] for programs without an async runtime: it binds
//!   (errors come back to you), serves from a background thread with its own
//!   small runtime, and returns a [`MetricsServer`] handle that stops it.
//! - [`metrics_router`] / [`metrics_handler`] to mount the endpoint in an
//!   existing axum application.
//!
//! Both serve any [`Collector`] (a registry, a metric, a custom collector):
//! this crate depends on `prom-core` and `prom-codec` only.
//!
//! Behaviour, as client_python's handler: OpenMetrics when the `Accept`
//! header asks for it, else text 0.0.4; gzip when `Accept-Encoding` allows
//! it; `?name[]=x&name[]=y` restricts the output to those families; `HEAD`
//! works; a failing collector gives a 500 with its message, and the server
//! keeps serving.
//!
//! The standalone server guards itself against hostile or broken clients: a
//! request head must arrive within a timeout (10 s by default, so a client
//! dribbling bytes is cut off and idle keep-alive connections are closed),
//! heads over 64 KiB get a 431, at most 1,024 connections are served at once
//! (more wait in the listen queue), and accept errors are retried rather than
//! ending the server. [`start_http_server_with`] takes [`ServerOptions`] to
//! change the timeout, the connection cap and the shutdown grace period.
//!
//! ```no_run
//! use std::sync::Arc;
//! use prom_core::Counter;
//!
//! let requests = Counter::new("requests", "Requests served").unwrap();
//! let server = prom_http::start_http_server("127.0.0.1:8000", Arc::new(requests.clone())).unwrap();
//! println!("metrics on http://{}/metrics", server.local_addr());
//! requests.inc();
//! ```
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

use std::fmt;
use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use prom_codec::Encoder;
use prom_core::Collector;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinSet;

/// What went wrong starting the server.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// The address did not resolve.
    Resolve {
        /// The address as given.
        addr: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// Binding the listening socket failed (in use, no permission…).
    Bind {
        /// The address that could not be bound.
        addr: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The server's runtime or thread could not be created.
    Start {
        /// The operating system's error.
        source: io::Error,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Resolve { addr, source } => {
                write!(f, "cannot resolve metrics server address {addr}: {source}")
            }
            HttpError::Bind { addr, source } => {
                write!(f, "cannot bind metrics server to {addr}: {source}")
            }
            HttpError::Start { source } => {
                write!(f, "cannot start the metrics server thread: {source}")
            }
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Resolve { source, .. }
            | HttpError::Bind { source, .. }
            | HttpError::Start { source } => Some(source),
        }
    }
}

/// One scrape, independent of the HTTP stack: the request's relevant headers
/// and query, in; status, headers and body, out. The axum handler is a thin
/// shell over [`scrape`]; use it to serve metrics from another server.
#[derive(Debug, Clone, Default)]
pub struct ScrapeRequest<'a> {
    /// The `Accept` header.
    pub accept: Option<&'a str>,
    /// The `Accept-Encoding` header.
    pub accept_encoding: Option<&'a str>,
    /// The raw query string (without `?`), for `name[]` filters.
    pub query: Option<&'a str>,
}

/// The answer to a [`ScrapeRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeResponse {
    /// 200, or 500 when a collector failed.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// `Some("gzip")` when the body is compressed.
    pub content_encoding: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
}

/// Whether `Accept-Encoding` asks for gzip (with a non-zero `q`).
fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    prom_codec::accept::accepts(accept_encoding, "gzip")
}

/// The `name[]` values of a query string.
fn requested_names(query: Option<&str>) -> Vec<String> {
    query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "name[]")
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Collects `source` and encodes it as `request` asks, streaming from the
/// live metrics.
pub fn scrape(source: &dyn Collector, request: &ScrapeRequest<'_>) -> ScrapeResponse {
    let names = requested_names(request.query);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let encoder = Encoder::negotiate(request.accept);
    let mut body = Vec::new();
    if let Err(err) = encoder.encode(source, &names, &mut body) {
        return ScrapeResponse {
            status: 500,
            content_type: "text/plain; charset=utf-8",
            content_encoding: None,
            body: format!("error collecting metrics: {err}\n").into_bytes(),
        };
    }
    let gzip = accepts_gzip(request.accept_encoding);
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        body = gz
            .write_all(&body)
            .and_then(|()| gz.finish())
            .expect("compressing into memory cannot fail");
    }
    ScrapeResponse {
        status: 200,
        content_type: encoder.content_type(),
        content_encoding: gzip.then_some("gzip"),
        body,
    }
}

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

/// A running metrics server; see [`start_http_server`]. Dropping it (or
/// calling [`MetricsServer::shutdown`]) stops the server and joins its thread.
#[must_use = "the server stops when this handle is dropped; keep it alive (or call `detach`)"]
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// The bound address (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight scrapes finish (connections still
    /// open after the grace period, see [`ServerOptions::shutdown_grace_period`],
    /// are dropped), and joins the thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// Lets the server run for the rest of the process, as client_python's
    /// daemon thread does.
    pub fn detach(mut self) {
        if let Some(stop) = self.stop.take() {
            // Never sending (nor dropping) the stop signal keeps the server up.
            std::mem::forget(stop);
        }
        self.thread.take();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            // An error means the server already ended; nothing to stop.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // The thread only runs the server; a panic there has been
            // reported on stderr already and leaves nothing to clean up.
            let _ = thread.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Limits of the standalone server; see [`start_http_server_with`].
///
/// ```
/// use std::time::Duration;
/// let options = prom_http::ServerOptions::default()
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(64);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ServerOptions {
    header_read_timeout: Duration,
    shutdown_grace_period: Duration,
    max_connections: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace_period: Duration::from_secs(5),
            max_connections: 1024,
        }
    }
}

impl ServerOptions {
    /// How long a client may take to send a whole request head (request line
    /// and headers), counted from when the server starts waiting for it; a
    /// connection that is slower, or idle for that long between keep-alive
    /// requests, is closed. Default: 10 s.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long shutting down waits for open connections to finish their
    /// scrapes before dropping them. Default: 5 s.
    pub fn shutdown_grace_period(mut self, grace: Duration) -> Self {
        self.shutdown_grace_period = grace;
        self
    }

    /// How many connections are served at once; further clients wait in the
    /// listen queue until one closes. At least 1. Default: 1,024.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }
}

/// Request heads larger than this get a 431: a scrape needs a few hundred
/// bytes, and the bound keeps a hostile client from making the server buffer
/// hyper's default of about 400 KiB per connection.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// The pause after an accept error that is not about a single connection
/// (out of file descriptors, say), so the loop does not spin while the
/// condition lasts.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Serves `source` on `addr` (`/` and `/metrics`) from a background thread,
/// with the default [`ServerOptions`].
///
/// Binding happens before this returns, so a port in use is an error here,
/// not a message from a thread; port 0 picks a free port (see
/// [`MetricsServer::local_addr`]).
///
/// # Errors
/// [`HttpError::Resolve`], [`HttpError::Bind`] or [`HttpError::Start`],
/// naming the address.
pub fn start_http_server(
    addr: impl ToSocketAddrs + fmt::Debug,
    source: Arc<dyn Collector>,
) -> Result<MetricsServer, HttpError> {
    start_http_server_with(addr, source, ServerOptions::default())
}

/// [`start_http_server`] with explicit [`ServerOptions`].
///
/// ```no_run
/// use std::{sync::Arc, time::Duration};
/// let up = prom_core::Gauge::new("up", "Whether the job is up.").unwrap();
/// let options = prom_http::ServerOptions::default().header_read_timeout(Duration::from_secs(3));
/// let server = prom_http::start_http_server_with("127.0.0.1:0", Arc::new(up), options).unwrap();
/// # server.shutdown();
/// ```
///
/// # Errors
/// [`HttpError::Resolve`], [`HttpError::Bind`] or [`HttpError::Start`],
/// naming the address.
pub fn start_http_server_with(
    addr: impl ToSocketAddrs + fmt::Debug,
    source: Arc<dyn Collector>,
    options: ServerOptions,
) -> Result<MetricsServer, HttpError> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|source| HttpError::Resolve {
            addr: format!("{addr:?}"),
            source,
        })?
        .collect();
    let shown = addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let listener = std::net::TcpListener::bind(&addrs[..]).map_err(|source| HttpError::Bind {
        addr: shown.clone(),
        source,
    })?;
    let bind_err = |source| HttpError::Bind {
        addr: shown.clone(),
        source,
    };
    let local = listener.local_addr().map_err(bind_err)?;
    listener.set_nonblocking(true).map_err(bind_err)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|source| HttpError::Start { source })?;
    let listener = {
        let _enter = runtime.enter();
        TcpListener::from_std(listener).map_err(|source| HttpError::Start { source })?
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let app: Router = metrics_router(source);
    let thread = std::thread::Builder::new()
        .name("prom-http".into())
        .spawn(move || runtime.block_on(serve(listener, app, options, stopped)))
        .map_err(|source| HttpError::Start { source })?;
    Ok(MetricsServer {
        addr: local,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// The accept loop: one task per connection, until `stopped` resolves (a
/// stop request, or the handle dropped without `detach`).
async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServerOptions,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_header_size(MAX_REQUEST_HEAD);
    let service = TowerToHyperService::new(app);
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let (closing, closing_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        // Waiting for a free slot before accepting leaves extra clients in
        // the kernel's listen queue rather than holding them open here.
        let permit = tokio::select! {
            biased;
            _ = &mut stopped => break,
            permit = Arc::clone(&permits).acquire_owned() => {
                permit.expect("the semaphore is never closed")
            }
        };
        let accepted = tokio::select! {
            biased;
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) if is_connection_error(&err) => continue,
            Err(_) => {
                tokio::select! {
                    biased;
                    _ = &mut stopped => break,
                    () = tokio::time::sleep(ACCEPT_RETRY_PAUSE) => continue,
                }
            }
        };
        // Small responses go out at once rather than waiting for an ACK;
        // failing to set it only costs latency.
        let _ = stream.set_nodelay(true);
        let conn = http.serve_connection(TokioIo::new(stream), service.clone());
        let mut closing_seen = closing_seen.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                // Errors are the client's doing (reset, timeout, bad request)
                // and end only this connection.
                _ = conn.as_mut() => return,
                _ = closing_seen.changed() => {}
            }
            // Finish the request in flight, then close.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
        // Reap finished connections so the set stays as small as the open ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    // An error means no connection is left to tell.
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    // Whatever is still open after the grace period is aborted when
    // `connections` drops.
    let _ = tokio::time::timeout(options.shutdown_grace_period, drained).await;
}

/// Errors that concern one incoming connection only; the next accept can
/// go ahead at once.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("deflate, GZIP;q=0.5")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(Some("br")));
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn name_filters_are_decoded() {
        assert_eq!(
            requested_names(Some("name[]=a&x=1&name%5B%5D=b_total")),
            ["a", "b_total"]
        );
        assert!(requested_names(None).is_empty());
    }
}
