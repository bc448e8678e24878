//! [`HttpError`]: what goes wrong starting or configuring the server.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What went wrong starting or configuring the server.
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
    /// A certificate, private key or client CA file could not be read.
    TlsFile {
        /// What the file should hold: `certificate`, `private key` or `client CA`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A certificate, private key or client CA file holds no usable PEM
    /// section of the expected kind.
    TlsPem {
        /// What the file should hold: `certificate`, `private key` or `client CA`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The PEM parser's error.
        source: rustls_pki_types::pem::Error,
    },
    /// rustls refused the certificate, the key or the CA (a key that does
    /// not match the certificate, an unsupported key type, a CA that is not
    /// a valid trust anchor…).
    Tls {
        /// What was being set up, naming the files.
        what: String,
        /// rustls' error.
        source: rustls::Error,
    },
    /// rustls cannot verify client certificates against the client CA.
    TlsClientCa {
        /// The client CA file.
        path: PathBuf,
        /// rustls' error.
        source: rustls::server::VerifierBuilderError,
    },
    /// A TLS setting cannot be honoured: an invalid combination (a client
    /// CA without a client-auth mode that uses it) or a value rustls does
    /// not implement (TLS 1.0 as the highest version).
    TlsSetting {
        /// The setting, as exporter-toolkit names it (`client_auth_type`…).
        setting: &'static str,
        /// Why it cannot be honoured.
        reason: String,
    },
    /// A basic-auth user cannot be added: the name holds a `:` or the
    /// password hash is not a bcrypt hash.
    BasicAuthUser {
        /// The user name.
        user: String,
        /// Why the user was refused.
        reason: String,
        /// bcrypt's error, when the hash was refused.
        source: Option<bcrypt::BcryptError>,
    },
    /// A response header that cannot be configured: exporter-toolkit's rule
    /// allows only a few security headers, some with fixed values.
    ResponseHeader {
        /// The header name as given.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// The web configuration file could not be read.
    WebConfigRead {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The web configuration file is not valid YAML of exporter-toolkit's
    /// format (an unknown field, a value of the wrong type); the YAML
    /// error names the field and the line.
    WebConfigParse {
        /// The file.
        path: PathBuf,
        /// The YAML parser's error.
        source: yaml_serde::Error,
    },
    /// A field of the web configuration file has a value that cannot be
    /// used; the source says why.
    WebConfigField {
        /// The file.
        path: PathBuf,
        /// The field, as a dotted path (`tls_server_config.cert_file`).
        field: String,
        /// What is wrong with its value.
        source: Box<HttpError>,
    },
    /// A field of the web configuration file that this crate does not
    /// implement, set to a value that would need it.
    WebConfigUnsupported {
        /// The file.
        path: PathBuf,
        /// The field, as a dotted path.
        field: &'static str,
        /// What to do instead.
        hint: &'static str,
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
            HttpError::TlsFile { what, path, source } => {
                write!(
                    f,
                    "cannot read TLS {what} file {}: {source}",
                    path.display()
                )
            }
            HttpError::TlsPem { what, path, source } => {
                write!(f, "no usable PEM {what} in {}: {source}", path.display())
            }
            HttpError::Tls { what, source } => write!(f, "{what}: {source}"),
            HttpError::TlsClientCa { path, source } => write!(
                f,
                "cannot verify client certificates with the CA in {}: {source}",
                path.display()
            ),
            HttpError::TlsSetting { setting, reason } => {
                write!(f, "invalid TLS setting {setting}: {reason}")
            }
            HttpError::BasicAuthUser { user, reason, .. } => {
                write!(f, "invalid basic-auth user {user:?}: {reason}")
            }
            HttpError::ResponseHeader { name, reason } => {
                write!(f, "response header {name:?} cannot be configured: {reason}")
            }
            HttpError::WebConfigRead { path, source } => {
                write!(f, "cannot read web config {}: {source}", path.display())
            }
            HttpError::WebConfigParse { path, source } => {
                write!(f, "invalid web config {}: {source}", path.display())
            }
            HttpError::WebConfigField {
                path,
                field,
                source,
            } => write!(
                f,
                "invalid web config {}: {field}: {source}",
                path.display()
            ),
            HttpError::WebConfigUnsupported { path, field, hint } => write!(
                f,
                "invalid web config {}: {field} is not supported: {hint}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Resolve { source, .. }
            | HttpError::Bind { source, .. }
            | HttpError::Start { source }
            | HttpError::TlsFile { source, .. }
            | HttpError::WebConfigRead { source, .. } => Some(source),
            HttpError::TlsPem { source, .. } => Some(source),
            HttpError::Tls { source, .. } => Some(source),
            HttpError::TlsClientCa { source, .. } => Some(source),
            HttpError::BasicAuthUser { source, .. } => source.as_ref().map(|e| e as _),
            HttpError::WebConfigParse { source, .. } => Some(source),
            HttpError::WebConfigField { source, .. } => Some(&**source),
            HttpError::TlsSetting { .. }
            | HttpError::ResponseHeader { .. }
            | HttpError::WebConfigUnsupported { .. } => None,
        }
    }
}
