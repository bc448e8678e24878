//! The blocking client, for programs without an async runtime: batch jobs, scripts, tools.
//!
//! It behaves exactly as the async [`Pushgateway`](crate::Pushgateway): same URLs, body,
//! headers, hook and errors. Do not create, use or drop it inside an async runtime (it runs a
//! small runtime of its own on a background thread); use the async client there.
//!
//! ```no_run
//! use prom_core::Counter;
//! use prom_pushgateway::blocking::Pushgateway;
//! use prom_pushgateway::Group;
//!
//! let processed = Counter::new("records_processed", "Records processed by this run.").unwrap();
//! processed.inc_by(1234.0).unwrap();
//!
//! let gateway = Pushgateway::new("http://127.0.0.1:9091")?;
//! gateway.push(&Group::new("nightly_import"), &processed)?;
//! # Ok::<(), prom_pushgateway::PushError>(())
//! ```

use std::fmt;
use std::sync::Arc;

use prom_core::Collector;

use crate::request::{configure_client, Outgoing, Shared};
use crate::{Group, Method, Options, PushError};

/// A blocking client of one Pushgateway.
///
/// Cheap to clone (clones share the connection pool).
#[derive(Clone)]
pub struct Pushgateway {
    shared: Arc<Shared>,
    client: reqwest::blocking::Client,
}

impl Pushgateway {
    /// A client of the Pushgateway at `gateway` (`http://host:port`, optionally with a path
    /// prefix; `host:port` alone means `http://`), with the default [`Options`].
    ///
    /// # Errors
    ///
    /// [`PushError::InvalidGateway`] naming the address; [`PushError::Client`] if the HTTP
    /// client cannot be created.
    pub fn new(gateway: &str) -> Result<Self, PushError> {
        Self::with_options(gateway, Options::new())
    }

    /// A client of the Pushgateway at `gateway` making requests as `options` say.
    ///
    /// ```
    /// use prom_pushgateway::blocking::Pushgateway;
    /// use prom_pushgateway::Options;
    ///
    /// let options = Options::new().header("X-Scope-OrgID", "team-a")?;
    /// let gateway = Pushgateway::with_options("127.0.0.1:9091", options)?;
    /// assert_eq!(gateway.url(), "http://127.0.0.1:9091");
    /// # Ok::<(), prom_pushgateway::PushError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Pushgateway::new`].
    pub fn with_options(gateway: &str, options: Options) -> Result<Self, PushError> {
        let shared = Shared::new(gateway, options)?;
        let client = configure_client!(reqwest::blocking::Client::builder(), shared.options())
            .build()
            .map_err(|e| PushError::Client { source: e.into() })?;
        Ok(Self {
            shared: Arc::new(shared),
            client,
        })
    }

    /// The gateway's base URL, without a trailing `/`.
    pub fn url(&self) -> &str {
        self.shared.gateway()
    }

    /// Replaces every metric of `group` with those of `collector` (HTTP `PUT`), as
    /// client_python's `push_to_gateway`.
    ///
    /// # Errors
    ///
    /// As the async [`Pushgateway::push`](crate::Pushgateway::push).
    pub fn push<C: Collector + ?Sized>(
        &self,
        group: &Group,
        collector: &C,
    ) -> Result<(), PushError> {
        let body = Shared::encode(group, collector)?;
        self.send(self.shared.prepare(Method::Put, group, body)?)
    }

    /// Replaces the metrics of `group` that have the same names as those of `collector`,
    /// keeping the others (HTTP `POST`), as client_python's `pushadd_to_gateway`.
    ///
    /// # Errors
    ///
    /// As the async [`Pushgateway::push`](crate::Pushgateway::push).
    pub fn pushadd<C: Collector + ?Sized>(
        &self,
        group: &Group,
        collector: &C,
    ) -> Result<(), PushError> {
        let body = Shared::encode(group, collector)?;
        self.send(self.shared.prepare(Method::Post, group, body)?)
    }

    /// Removes `group` and all its metrics (HTTP `DELETE`), as client_python's
    /// `delete_from_gateway`. Deleting a group that does not exist succeeds.
    ///
    /// # Errors
    ///
    /// As the async [`Pushgateway::push`](crate::Pushgateway::push), without
    /// [`PushError::Collect`].
    pub fn delete(&self, group: &Group) -> Result<(), PushError> {
        self.send(self.shared.prepare(Method::Delete, group, Vec::new())?)
    }

    fn send(&self, mut out: Outgoing) -> Result<(), PushError> {
        let (headers, body) = out.take_headers_and_body();
        let response = self
            .client
            .request(out.method.clone(), &out.url)
            .headers(headers)
            .body(body)
            .send()
            .map_err(|e| out.send_error(e))?;
        let status = response.status();
        // The body explains a failure; one that cannot be read leaves the status to speak.
        let body = if status.is_success() {
            String::new()
        } else {
            response.text().unwrap_or_default()
        };
        out.check_status(status, body)
    }
}

impl fmt::Debug for Pushgateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Pushgateway")
            .field("url", &self.url())
            .field("options", self.shared.options())
            .finish_non_exhaustive()
    }
}

/// Pushes `collector` to `group` on the gateway at `gateway` with default options, replacing
/// the group (HTTP `PUT`): client_python's `push_to_gateway` in one call.
///
/// Each call creates a client; keep a [`Pushgateway`] to push repeatedly.
///
/// ```no_run
/// use prom_core::Gauge;
/// use prom_pushgateway::{blocking, Group};
///
/// let duration = Gauge::new("job_duration_seconds", "How long the run took.").unwrap();
/// duration.set(12.5);
/// blocking::push_to_gateway("127.0.0.1:9091", &Group::new("nightly"), &duration)?;
/// # Ok::<(), prom_pushgateway::PushError>(())
/// ```
///
/// # Errors
///
/// As [`Pushgateway::new`] and [`Pushgateway::push`].
pub fn push_to_gateway<C: Collector + ?Sized>(
    gateway: &str,
    group: &Group,
    collector: &C,
) -> Result<(), PushError> {
    Pushgateway::new(gateway)?.push(group, collector)
}

/// Pushes `collector` to `group` with default options, replacing only same-named metrics
/// (HTTP `POST`): client_python's `pushadd_to_gateway`.
///
/// # Errors
///
/// As [`Pushgateway::new`] and [`Pushgateway::pushadd`].
pub fn pushadd_to_gateway<C: Collector + ?Sized>(
    gateway: &str,
    group: &Group,
    collector: &C,
) -> Result<(), PushError> {
    Pushgateway::new(gateway)?.pushadd(group, collector)
}

/// Deletes `group` with default options (HTTP `DELETE`): client_python's
/// `delete_from_gateway`.
///
/// # Errors
///
/// As [`Pushgateway::new`] and [`Pushgateway::delete`].
pub fn delete_from_gateway(gateway: &str, group: &Group) -> Result<(), PushError> {
    Pushgateway::new(gateway)?.delete(group)
}
