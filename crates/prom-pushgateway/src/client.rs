//! The async client, for programs running on tokio.

use std::fmt;
use std::sync::Arc;

use prom_core::Collector;

use crate::request::{configure_client, Outgoing, Shared};
use crate::{Group, Method, Options, PushError};

/// An async client of one Pushgateway, for programs on a tokio runtime.
///
/// Cheap to clone (clones share the connection pool). Requests run on the caller's runtime;
/// the futures are `Send`. Programs without a runtime use
/// [`blocking::Pushgateway`](crate::blocking::Pushgateway), which behaves the same.
///
/// ```no_run
/// use prom_core::Gauge;
/// use prom_pushgateway::{Group, Pushgateway};
///
/// # async fn run() -> Result<(), prom_pushgateway::PushError> {
/// let last_success = Gauge::new("backup_last_success_seconds", "When the backup last succeeded.").unwrap();
/// last_success.set(1_700_000_000.0);
///
/// let gateway = Pushgateway::new("http://127.0.0.1:9091")?;
/// gateway.push(&Group::new("backup").label("db", "main"), &last_success).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Pushgateway {
    shared: Arc<Shared>,
    client: reqwest::Client,
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
    /// use std::time::Duration;
    /// use prom_pushgateway::{Options, Pushgateway};
    ///
    /// let options = Options::new().timeout(Duration::from_secs(5)).basic_auth("pusher", "s3cret");
    /// let gateway = Pushgateway::with_options("https://push.example.com", options)?;
    /// assert_eq!(gateway.url(), "https://push.example.com");
    /// # Ok::<(), prom_pushgateway::PushError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Pushgateway::new`].
    pub fn with_options(gateway: &str, options: Options) -> Result<Self, PushError> {
        let shared = Shared::new(gateway, options)?;
        let client = configure_client!(reqwest::Client::builder(), shared.options())
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
    /// Nothing is sent on [`PushError::InvalidJob`], [`PushError::InvalidGroupingKey`],
    /// [`PushError::Collect`] or [`PushError::Hook`]. Then [`PushError::Connect`],
    /// [`PushError::Timeout`] or [`PushError::Transport`] when no answer came, and
    /// [`PushError::Status`] with the gateway's explanation for a non-2xx answer (400 for
    /// metrics that clash with other groups).
    pub async fn push<C: Collector + ?Sized>(
        &self,
        group: &Group,
        collector: &C,
    ) -> Result<(), PushError> {
        let body = Shared::encode(group, collector)?;
        self.send(self.shared.prepare(Method::Put, group, body)?)
            .await
    }

    /// Replaces the metrics of `group` that have the same names as those of `collector`,
    /// keeping the others (HTTP `POST`), as client_python's `pushadd_to_gateway`.
    ///
    /// # Errors
    ///
    /// As [`Pushgateway::push`].
    pub async fn pushadd<C: Collector + ?Sized>(
        &self,
        group: &Group,
        collector: &C,
    ) -> Result<(), PushError> {
        let body = Shared::encode(group, collector)?;
        self.send(self.shared.prepare(Method::Post, group, body)?)
            .await
    }

    /// Removes `group` and all its metrics (HTTP `DELETE`), as client_python's
    /// `delete_from_gateway`. Deleting a group that does not exist succeeds.
    ///
    /// # Errors
    ///
    /// As [`Pushgateway::push`], without [`PushError::Collect`].
    pub async fn delete(&self, group: &Group) -> Result<(), PushError> {
        self.send(self.shared.prepare(Method::Delete, group, Vec::new())?)
            .await
    }

    async fn send(&self, mut out: Outgoing) -> Result<(), PushError> {
        let (headers, body) = out.take_headers_and_body();
        let response = self
            .client
            .request(out.method.clone(), &out.url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| out.send_error(e))?;
        let status = response.status();
        // The body explains a failure; one that cannot be read leaves the status to speak.
        let body = if status.is_success() {
            String::new()
        } else {
            response.text().await.unwrap_or_default()
        };
        out.check_status(status, body)
    }
}

impl fmt::Debug for Pushgateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pushgateway")
            .field("url", &self.url())
            .field("options", self.shared.options())
            .finish_non_exhaustive()
    }
}
