//! The HTTP exporter of **prom**: serve metrics to Prometheus.
//!
//! Two ways in:
//! - [`start_http_server`] for programs without an async runtime: it binds
//!   (errors come back to you), serves from a background thread with its own
//!   small runtime, and returns a [`MetricsServer`] handle that stops it.
//! - [`metrics_router`] / [`metrics_handler`] to mount the endpoint in an
//!   existing axum application.
//!
//! Both serve any [`Collector`](prom_core::Collector) (a registry, a metric, a custom collector):
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
//! The standalone server can also be secured, as exporters built on Go's
//! exporter-toolkit are: TLS through rustls with optional client-certificate
//! verification ([`TlsConfig`], [`ClientAuth`]; the certificate is reloaded
//! when its files change), basic auth with bcrypt-hashed passwords
//! ([`BasicAuth`]) and security response headers, set in code on
//! [`ServerOptions`] or read from an operator's `web-config.yml`
//! ([`WebConfig`]).
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

mod auth;
mod compression;
mod error;
mod handler;
mod scrape;
mod server;
mod tls;
mod web_config;

pub use auth::BasicAuth;
pub use error::HttpError;
pub use handler::{
    metrics_handler, metrics_handler_with, metrics_router, metrics_router_with, HandlerOptions,
};
pub use scrape::{scrape, ScrapeRequest, ScrapeResponse};
pub use server::{start_http_server, start_http_server_with, MetricsServer, ServerOptions};
pub use tls::{ClientAuth, TlsConfig, TlsVersion};
pub use web_config::WebConfig;
