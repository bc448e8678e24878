//! How requests are made: the [`Options`] both clients take.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::BoxError;
use crate::request::{check_header, is_secret, set_header};
use crate::{PushError, Request};

/// The default request timeout, as client_python's.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The user's request hook.
type Hook = dyn Fn(&mut Request) -> Result<(), BoxError> + Send + Sync;

/// How requests are made: timeout, authentication, extra headers, a request hook, gzip
/// compression, and root certificates. Shared by [`Pushgateway`](crate::Pushgateway) and the blocking client.
///
/// ```
/// use std::time::Duration;
/// use prom_pushgateway::Options;
///
/// let options = Options::new()
///     .timeout(Duration::from_secs(5))
///     .basic_auth("pusher", "s3cret")
///     .header("X-Scope-OrgID", "team-a")?;
/// # let _ = options;
/// # Ok::<(), prom_pushgateway::PushError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct Options {
    pub(crate) timeout: Duration,
    pub(crate) basic_auth: Option<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) hook: Option<Arc<Hook>>,
    pub(crate) gzip: bool,
    #[cfg(feature = "rustls")]
    root_certificates: Vec<reqwest::Certificate>,
}

impl Options {
    /// The defaults: a 30 s timeout, no authentication, no extra headers, no hook, bodies sent
    /// uncompressed.
    pub fn new() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            basic_auth: None,
            headers: Vec::new(),
            hook: None,
            gzip: false,
            #[cfg(feature = "rustls")]
            root_certificates: Vec::new(),
        }
    }

    /// How long connecting and the whole request may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Compresses the body of every push and pushadd with gzip and sends
    /// `Content-Encoding: gzip` (off by default), as client_python's `compression="gzip"`:
    /// worth it for large pushes over slow links. Pushgateway 1.5 and later accept it; older
    /// gateways answer 400. The [hook](Options::hook) sees the compressed body.
    ///
    /// ```
    /// use prom_pushgateway::Options;
    ///
    /// let options = Options::new().gzip(true);
    /// # let _ = options;
    /// ```
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }

    /// Sends `Authorization: Basic …` with this user and password, as client_python's
    /// `basic_auth_handler`.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((username.into(), password.into()));
        self
    }

    /// Sends header `name: value` with every request, replacing an earlier header of that
    /// name, including the defaults (`User-Agent`, `Content-Type`) and basic auth's
    /// `Authorization`.
    ///
    /// # Errors
    ///
    /// [`PushError::InvalidHeader`] if the name is not an HTTP token or the value contains
    /// control characters.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, PushError> {
        check_header(name, value)?;
        set_header(&mut self.headers, name, value);
        Ok(self)
    }

    /// Calls `hook` with every request just before it is sent, after the headers above are
    /// set: the role of client_python's `handler`, for custom authentication or signing. The
    /// hook may change headers; an error from it aborts the request with [`PushError::Hook`].
    ///
    /// ```
    /// use prom_pushgateway::Options;
    ///
    /// let options = Options::new().hook(|request| {
    ///     if request.body().len() > 1 << 20 {
    ///         return Err("refusing to push more than 1 MiB".into());
    ///     }
    ///     request.set_header("X-Request-Id", "42")?;
    ///     Ok(())
    /// });
    /// # let _ = options;
    /// ```
    pub fn hook<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Request) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
            + Send
            + Sync
            + 'static,
    {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Trusts the certificate authorities in `pem` (one or more PEM-encoded X.509
    /// certificates) for `https://` gateways, in addition to the built-in roots: for a gateway
    /// with a private or self-signed certificate.
    ///
    /// # Errors
    ///
    /// [`PushError::InvalidCertificate`] if `pem` holds no PEM certificate or a malformed one.
    #[cfg(feature = "rustls")]
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, PushError> {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| PushError::InvalidCertificate { source: e.into() })?;
        if certificates.is_empty() {
            return Err(PushError::InvalidCertificate {
                source: "no \"-----BEGIN CERTIFICATE-----\" block found".into(),
            });
        }
        self.root_certificates.extend(certificates);
        Ok(self)
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Options");
        s.field("timeout", &self.timeout)
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(user, _)| (user, "<hidden>")),
            )
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), if is_secret(n) { "<hidden>" } else { v }))
                    .collect::<Vec<_>>(),
            )
            .field("hook", &self.hook.as_ref().map(|_| "Fn(&mut Request)"))
            .field("gzip", &self.gzip);
        #[cfg(feature = "rustls")]
        s.field("root_certificates", &self.root_certificates.len());
        s.finish()
    }
}

impl Options {
    pub(crate) fn configured_timeout(&self) -> Duration {
        self.timeout
    }

    #[cfg(feature = "rustls")]
    pub(crate) fn root_certificates(&self) -> &[reqwest::Certificate] {
        &self.root_certificates
    }
}
