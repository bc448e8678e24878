//! [`HttpError`]: what goes wrong starting or configuring the server.

use std::fmt;
use std::io;

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
