//! The standalone server: its own thread and runtime, limits against hostile clients.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use prom_core::Collector;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::auth::{response_header, with_headers, BasicAuth};
use crate::error::HttpError;
use crate::handler::{metrics_router_with, HandlerOptions};
use crate::tls::TlsConfig;
use crate::web_config::WebConfig;

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
    handler: HandlerOptions,
    tls: Option<TlsConfig>,
    basic_auth: BasicAuth,
    response_headers: Vec<(HeaderName, HeaderValue)>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace_period: Duration::from_secs(5),
            max_connections: 1024,
            handler: HandlerOptions::default(),
            tls: None,
            basic_auth: BasicAuth::new(),
            response_headers: Vec::new(),
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

    /// How scrapes meet load and faults: request limit, timeout,
    /// coalescing. Default: [`HandlerOptions::default`].
    pub fn handler(mut self, handler: HandlerOptions) -> Self {
        self.handler = handler;
        self
    }

    /// Shorthand for [`HandlerOptions::max_requests_in_flight`].
    pub fn max_requests_in_flight(mut self, max: usize) -> Self {
        self.handler = self.handler.max_requests_in_flight(max);
        self
    }

    /// Shorthand for [`HandlerOptions::timeout`].
    pub fn scrape_timeout(mut self, timeout: Duration) -> Self {
        self.handler = self.handler.timeout(timeout);
        self
    }

    /// Serves HTTPS only, with these certificates and client-certificate
    /// rules. The TLS handshake must finish within the
    /// [`header_read_timeout`](ServerOptions::header_read_timeout) too.
    ///
    /// ```no_run
    /// let tls = prom_http::TlsConfig::from_pem_files("server.crt", "server.key")?;
    /// let options = prom_http::ServerOptions::default().tls(tls);
    /// # let _ = options;
    /// # Ok::<(), prom_http::HttpError>(())
    /// ```
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Asks every request for HTTP basic-auth credentials of one of these
    /// users; see [`BasicAuth`]. Replaces users set before.
    pub fn basic_auth(mut self, auth: BasicAuth) -> Self {
        self.basic_auth = auth;
        self
    }

    /// Adds a header to every response (a 401 included), as
    /// exporter-toolkit's `http_server_config.headers`: one of
    /// `Strict-Transport-Security`, `X-Content-Type-Options` (`nosniff`),
    /// `X-Frame-Options` (`deny` or `sameorigin`), `X-XSS-Protection` and
    /// `Content-Security-Policy`. Setting a name again replaces its value.
    ///
    /// ```
    /// let options = prom_http::ServerOptions::default()
    ///     .response_header("X-Content-Type-Options", "nosniff")?
    ///     .response_header("Strict-Transport-Security", "max-age=31536000")?;
    /// assert!(prom_http::ServerOptions::default().response_header("X-Powered-By", "prom").is_err());
    /// # let _ = options;
    /// # Ok::<(), prom_http::HttpError>(())
    /// ```
    ///
    /// # Errors
    /// [`HttpError::ResponseHeader`] for another name, or a value outside
    /// the allowed ones.
    pub fn response_header(mut self, name: &str, value: &str) -> Result<Self, HttpError> {
        let (name, value) = response_header(name, value)?;
        self.set_header(name, value);
        Ok(self)
    }

    /// Everything an exporter-toolkit `web-config.yml` sets: TLS (when
    /// the file has it), basic-auth users (when it lists any) and response
    /// headers.
    ///
    /// ```no_run
    /// let config = prom_http::WebConfig::from_file("web-config.yml")?;
    /// let options = prom_http::ServerOptions::default().web_config(config);
    /// # let _ = options;
    /// # Ok::<(), prom_http::HttpError>(())
    /// ```
    pub fn web_config(mut self, config: WebConfig) -> Self {
        let (tls, basic_auth, headers) = config.into_parts();
        if tls.is_some() {
            self.tls = tls;
        }
        if !basic_auth.is_empty() {
            self.basic_auth = basic_auth;
        }
        for (name, value) in headers {
            self.set_header(name, value);
        }
        self
    }

    fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.response_headers.retain(|(n, _)| *n != name);
        self.response_headers.push((name, value));
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
    let tls = match &options.tls {
        Some(tls) => Some(TlsAcceptor::from(tls.server_config()?)),
        None => None,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let app: Router = metrics_router_with(source, options.handler.clone());
    // Headers outermost, so a 401 carries them too, as in exporter-toolkit.
    let app = options.basic_auth.clone().wrap(app);
    let app = with_headers(app, options.response_headers.clone());
    let thread = std::thread::Builder::new()
        .name("prom-http".into())
        .spawn(move || runtime.block_on(serve(listener, app, tls, options, stopped)))
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
    tls: Option<TlsAcceptor>,
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
        let (http, service, closing_seen) = (http.clone(), service.clone(), closing_seen.clone());
        let tls = tls.clone();
        let handshake_timeout = options.header_read_timeout;
        connections.spawn(async move {
            let _permit = permit;
            match tls {
                None => serve_connection(&http, stream, service, closing_seen).await,
                Some(tls) => {
                    // A client stalling its handshake is cut off as one
                    // stalling its request head is; a failed handshake (no
                    // or a refused client certificate, plain HTTP) ends only
                    // this connection.
                    let accepted = tokio::time::timeout(handshake_timeout, tls.accept(stream));
                    if let Ok(Ok(stream)) = accepted.await {
                        serve_connection(&http, stream, service, closing_seen).await;
                    }
                }
            }
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

/// Serves HTTP/1.1 on one connection (plain or TLS) until the client
/// closes it or the server shuts down.
async fn serve_connection<I>(
    http: &hyper::server::conn::http1::Builder,
    io: I,
    service: TowerToHyperService<Router>,
    mut closing_seen: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let conn = http.serve_connection(TokioIo::new(io), service);
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
