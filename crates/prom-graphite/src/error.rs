use std::fmt;
use std::io;
use std::time::Duration;

use prom_core::CollectError;

/// Why a push to Graphite failed, or a bridge could not be configured.
///
/// Every message names the Graphite address (or the rejected setting) and the cause; the
/// underlying [`io::Error`] or [`CollectError`] is kept as the
/// [`source`](std::error::Error::source), so `io::ErrorKind::ConnectionRefused` and the like can
/// be matched on.
#[derive(Debug)]
#[non_exhaustive]
pub enum GraphiteError {
    /// The prefix given to [`GraphiteBridgeBuilder::prefix`](crate::GraphiteBridgeBuilder::prefix)
    /// would break the line protocol or produce empty path segments.
    InvalidPrefix {
        /// The rejected prefix.
        prefix: String,
    },
    /// A zero timeout was given to
    /// [`GraphiteBridgeBuilder::timeout`](crate::GraphiteBridgeBuilder::timeout).
    InvalidTimeout,
    /// The collector failed, so nothing was sent.
    Collect {
        /// The Graphite address the push was for.
        addr: String,
        /// The collector's error.
        source: CollectError,
    },
    /// The address could not be resolved, or resolved to no socket address.
    Resolve {
        /// The address as given to the bridge.
        addr: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// No TCP connection could be opened (refused, timed out, unreachable).
    Connect {
        /// The address as given to the bridge.
        addr: String,
        /// The error of the last socket address tried.
        source: io::Error,
    },
    /// The connection was opened but the server did not take all the lines before the
    /// bridge's [timeout](crate::GraphiteBridgeBuilder::timeout) for the whole push ran out: it
    /// stopped reading, or read too slowly (it is overloaded or hung), and the socket's buffers
    /// filled up. The connection is closed.
    Timeout {
        /// The address as given to the bridge.
        addr: String,
        /// The bridge's timeout, which bounds connecting and sending together.
        timeout: Duration,
    },
    /// The connection was opened but the lines could not be sent in full.
    Write {
        /// The address as given to the bridge.
        addr: String,
        /// The socket's error.
        source: io::Error,
    },
}

impl GraphiteError {
    /// The Graphite address of a failed push, or `None` for a configuration error.
    pub fn addr(&self) -> Option<&str> {
        match self {
            GraphiteError::Collect { addr, .. }
            | GraphiteError::Resolve { addr, .. }
            | GraphiteError::Connect { addr, .. }
            | GraphiteError::Timeout { addr, .. }
            | GraphiteError::Write { addr, .. } => Some(addr),
            GraphiteError::InvalidPrefix { .. } | GraphiteError::InvalidTimeout => None,
        }
    }
}

impl fmt::Display for GraphiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphiteError::InvalidPrefix { prefix } => write!(
                f,
                "invalid Graphite prefix {prefix:?}: must be non-empty segments separated by \
                 dots, without whitespace, control characters or ';'"
            ),
            GraphiteError::InvalidTimeout => {
                f.write_str("invalid Graphite timeout: must be greater than zero")
            }
            GraphiteError::Collect { addr, source } => {
                write!(
                    f,
                    "cannot collect metrics to push to Graphite at {addr}: {source}"
                )
            }
            GraphiteError::Resolve { addr, source } => {
                write!(f, "cannot resolve Graphite address {addr}: {source}")
            }
            GraphiteError::Connect { addr, source } => {
                write!(f, "cannot connect to Graphite at {addr}: {source}")
            }
            GraphiteError::Timeout { addr, timeout } => write!(
                f,
                "cannot send metrics to Graphite at {addr}: the server stopped reading, or read \
                 too slowly, and the push did not finish within the timeout of {timeout:?}"
            ),
            GraphiteError::Write { addr, source } => {
                write!(f, "cannot send metrics to Graphite at {addr}: {source}")
            }
        }
    }
}

impl std::error::Error for GraphiteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GraphiteError::Collect { source, .. } => Some(source),
            GraphiteError::Resolve { source, .. }
            | GraphiteError::Connect { source, .. }
            | GraphiteError::Write { source, .. } => Some(source),
            GraphiteError::InvalidPrefix { .. }
            | GraphiteError::InvalidTimeout
            | GraphiteError::Timeout { .. } => None,
        }
    }
}
