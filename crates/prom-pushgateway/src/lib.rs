//! A Pushgateway client for **prom**: push the metrics of batch jobs and other short-lived
//! programs to a [Prometheus Pushgateway](https://github.com/prometheus/pushgateway), which
//! keeps them for Prometheus to scrape. The counterpart of client_python's `push_to_gateway`,
//! `pushadd_to_gateway` and `delete_from_gateway`.
//!
//! Anything implementing [`Collector`](prom_core::Collector) can be pushed (a registry, one
//! metric, a custom collector); it is encoded in text format 0.0.4. This crate depends on
//! `prom-core` and `prom-codec` only among the prom crates.
//!
//! ```no_run
//! use prom_core::{Counter, Gauge};
//! use prom_pushgateway::blocking::Pushgateway;
//! use prom_pushgateway::{Group, Options};
//!
//! let rows = Counter::new("import_rows", "Rows imported by the last run.").unwrap();
//! let finished = Gauge::new("import_last_success_seconds", "When the last run finished.").unwrap();
//! rows.inc_by(1234.0).unwrap();
//! finished.set_to_current_time();
//!
//! let gateway = Pushgateway::with_options(
//!     "http://127.0.0.1:9091",
//!     Options::new().basic_auth("pusher", "s3cret"),
//! )?;
//! let group = Group::new("nightly_import").label("shard", "eu-1");
//! gateway.push(&group, &rows)?; // replaces the group's metrics
//! gateway.pushadd(&group, &finished)?; // adds to them, replacing same-named ones
//! gateway.delete(&group)?; // removes the group
//! # Ok::<(), prom_pushgateway::PushError>(())
//! ```
//!
//! # Operations
//!
//! | Method | HTTP | Effect on the group |
//! | --- | --- | --- |
//! | [`push`](Pushgateway::push) | `PUT` | every metric replaced by the pushed ones |
//! | [`pushadd`](Pushgateway::pushadd) | `POST` | metrics with the pushed names replaced, others kept |
//! | [`delete`](Pushgateway::delete) | `DELETE` | removed |
//!
//! A [`Group`] is a job and a grouping key, mapped to the path
//! `/metrics/job/<JOB>{/<LABEL>/<VALUE>}` with the Pushgateway's encoding (see
//! [`Group::path`]): values with `/` and empty values use its `@base64` form, others are
//! percent-encoded. [`instance_ip_grouping_key`] gives `instance` = this host's IP.
//!
//! # Blocking and async
//!
//! [`blocking::Pushgateway`] suits programs without a runtime; [`Pushgateway`] is the same
//! client for tokio programs, with `async` methods. Both share one implementation of URL
//! building, encoding, headers, authentication, the hook and error mapping.
//!
//! # Options
//!
//! [`Options`] sets the timeout (30 s by default), basic authentication, extra headers, root
//! certificates, and a [hook](Options::hook) that sees each [`Request`] before it is sent
//! (client_python's `handler`), e.g. to sign it.
//!
//! # Errors
//!
//! Every failure is a [`PushError`] naming the bad input or the request (method and URL). A
//! collector error sends nothing; an answer other than 2xx becomes [`PushError::Status`] with
//! the gateway's explanation, e.g. for metrics whose type clashes with another group's.
//!
//! # Crate feature flags
//!
//! - `blocking` (default): the [`blocking`] client.
//! - `rustls` (default): `https://` gateways through rustls with the *ring* provider and
//!   Mozilla's root certificates built in, and [`Options::add_root_certificate_pem`]. Without
//!   it only `http://` gateways are accepted. No OpenSSL is used either way.
//!
//! # Minimum supported Rust version
//!
//! 1.85.

#![forbid(unsafe_code)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod error;
mod group;
mod options;
mod request;

pub use crate::client::Pushgateway;
pub use crate::error::PushError;
pub use crate::group::{instance_ip_grouping_key, Group};
pub use crate::options::{Options, DEFAULT_TIMEOUT};
pub use crate::request::{Method, Request};
