use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use prom_core::CollectError;

use crate::Method;

/// A boxed cause: the errors of the HTTP stack, a hook's own error.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong configuring a client or pushing to a Pushgateway.
///
/// Messages name the bad input (the gateway, job, label or header) or the request that failed
/// (method and full URL); the underlying error is kept as [`source`](StdError::source).
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// The gateway address is not an `http://` or `https://` URL without query or fragment, or
    /// is `https://` while the `rustls` feature is off.
    InvalidGateway {
        /// The address as given.
        gateway: String,
        /// What is wrong with it.
        source: BoxError,
    },
    /// The job name is empty; the Pushgateway requires one.
    InvalidJob {
        /// The rejected job name.
        job: String,
    },
    /// A grouping-key label name is invalid, reserved, repeated, or `job` (which the job
    /// already sets).
    InvalidGroupingKey {
        /// The job of the group.
        job: String,
        /// The label name problem, naming the label.
        source: prom_core::Error,
    },
    /// A request header name or value is not valid HTTP.
    InvalidHeader {
        /// The header name.
        name: String,
        /// What is wrong with the name or value.
        source: BoxError,
    },
    /// A root certificate is not valid PEM.
    InvalidCertificate {
        /// The parser's error.
        source: BoxError,
    },
    /// The HTTP client could not be created.
    Client {
        /// The HTTP stack's error.
        source: BoxError,
    },
    /// The collector failed, so nothing was sent.
    Collect {
        /// The job the metrics were meant for.
        job: String,
        /// The collector's error.
        source: CollectError,
    },
    /// The collector's families could not be written as text (two of them
    /// would write one name), so nothing was sent.
    Encode {
        /// The job the metrics were meant for.
        job: String,
        /// The encoder's error, naming the clashing families.
        source: prom_codec::EncodeError,
    },
    /// The request hook returned an error, so nothing was sent.
    Hook {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The hook's error.
        source: BoxError,
    },
    /// No connection to the gateway could be made (refused, unreachable, name not resolved,
    /// TLS handshake failed).
    Connect {
        /// The request's method.
        method: Method,
        /// The request's URL, which starts with the gateway's.
        url: String,
        /// The HTTP stack's error.
        source: BoxError,
    },
    /// The request did not complete within the configured timeout.
    Timeout {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The timeout that passed.
        timeout: Duration,
        /// The HTTP stack's error.
        source: BoxError,
    },
    /// The request failed after connecting (connection reset, malformed response, too many
    /// redirects).
    Transport {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The HTTP stack's error.
        source: BoxError,
    },
    /// The gateway answered with a status other than 2xx.
    Status {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The status code, e.g. 400.
        status: u16,
        /// The response body: the Pushgateway's explanation, such as
        /// `... is not a COUNTER`. Empty if it could not be read.
        body: String,
    },
}

impl PushError {
    /// The HTTP status of a [`PushError::Status`] error, else `None`.
    ///
    /// ```
    /// use prom_pushgateway::PushError;
    /// let err = PushError::InvalidJob { job: String::new() };
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            PushError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::InvalidGateway { gateway, source } => {
                write!(f, "invalid Pushgateway address {gateway:?}: {source}")
            }
            PushError::InvalidJob { job } => {
                write!(f, "invalid job name {job:?}: the job must not be empty")
            }
            PushError::InvalidGroupingKey { job, source } => {
                write!(f, "invalid grouping key for job {job:?}: {source}")
            }
            PushError::InvalidHeader { name, source } => {
                write!(f, "invalid request header {name:?}: {source}")
            }
            PushError::InvalidCertificate { source } => {
                write!(f, "invalid root certificate: {}", innermost(&**source))
            }
            PushError::Client { source } => {
                write!(f, "cannot create the HTTP client: {}", innermost(&**source))
            }
            PushError::Collect { job, source } => {
                write!(
                    f,
                    "nothing pushed for job {job:?}: collecting the metrics failed: {source}"
                )
            }
            PushError::Encode { job, source } => {
                write!(f, "nothing pushed for job {job:?}: {source}")
            }
            PushError::Hook {
                method,
                url,
                source,
            } => write!(f, "{method} {url}: the request hook failed: {source}"),
            PushError::Connect {
                method,
                url,
                source,
            } => write!(
                f,
                "{method} {url}: cannot connect to the Pushgateway: {}",
                innermost(&**source)
            ),
            PushError::Timeout {
                method,
                url,
                timeout,
                ..
            } => write!(
                f,
                "{method} {url}: the Pushgateway did not answer within {timeout:?}"
            ),
            PushError::Transport {
                method,
                url,
                source,
            } => write!(
                f,
                "{method} {url}: the request failed: {}",
                innermost(&**source)
            ),
            PushError::Status {
                method,
                url,
                status,
                body,
            } => {
                write!(f, "{method} {url}: the Pushgateway answered HTTP {status}")?;
                let body = body.trim();
                if body.is_empty() {
                    Ok(())
                } else {
                    write!(f, ": {body}")
                }
            }
        }
    }
}

impl StdError for PushError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            PushError::InvalidGateway { source, .. }
            | PushError::InvalidHeader { source, .. }
            | PushError::InvalidCertificate { source }
            | PushError::Client { source }
            | PushError::Hook { source, .. }
            | PushError::Connect { source, .. }
            | PushError::Timeout { source, .. }
            | PushError::Transport { source, .. } => Some(&**source),
            PushError::InvalidGroupingKey { source, .. } => Some(source),
            PushError::Collect { source, .. } => Some(source),
            PushError::Encode { source, .. } => Some(source),
            PushError::InvalidJob { .. } | PushError::Status { .. } => None,
        }
    }
}

/// The message of the deepest cause: the HTTP stack wraps the interesting part ("Connection
/// refused") in layers whose own messages only repeat the URL.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut err = err;
    while let Some(next) = err.source() {
        err = next;
    }
    err.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("error sending request")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn connect_errors_show_the_root_cause_and_keep_the_chain() {
        let err = PushError::Connect {
            method: Method::Put,
            url: "http://127.0.0.1:1/metrics/job/a".into(),
            source: Box::new(Outer(std::io::Error::other("Connection refused"))),
        };
        assert_eq!(
            err.to_string(),
            "PUT http://127.0.0.1:1/metrics/job/a: cannot connect to the Pushgateway: Connection refused"
        );
        let source = err.source().expect("the cause is kept");
        assert_eq!(source.to_string(), "error sending request");
    }

    #[test]
    fn status_errors_carry_the_body() {
        let err = PushError::Status {
            method: Method::Post,
            url: "http://gw/metrics/job/a".into(),
            status: 400,
            body: "x is not a COUNTER\n".into(),
        };
        assert_eq!(
            err.to_string(),
            "POST http://gw/metrics/job/a: the Pushgateway answered HTTP 400: x is not a COUNTER"
        );
        assert_eq!(err.status(), Some(400));
    }
}
