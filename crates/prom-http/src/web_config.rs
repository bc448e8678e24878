//! exporter-toolkit's `web-config.yml`, read into the same settings the
//! server builder takes in code.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use axum::http::{HeaderName, HeaderValue};
use rustls::{CipherSuite, NamedGroup};
use serde::Deserialize;

use crate::auth::{response_header, BasicAuth};
use crate::error::HttpError;
use crate::tls::{ClientAuth, TlsConfig, TlsVersion};

/// The settings of an exporter-toolkit web configuration file
/// (`--web.config.file` of Prometheus' exporters): TLS, basic-auth users
/// and response headers, for [`ServerOptions::web_config`](crate::ServerOptions::web_config).
///
/// The file is read once, strictly: an unknown field, a value of the wrong
/// type, a certificate that does not load or a bcrypt hash that does not
/// parse is an error naming the file and the field. Relative file names are
/// relative to the file's directory, as in exporter-toolkit. The certificate
/// and key are reloaded when their files change (see [`TlsConfig`]); the
/// rest of the file is not read again.
///
/// ```text
/// tls_server_config:
///   cert_file: server.crt
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: clients-ca.crt
///   min_version: TLS12
/// http_server_config:
///   headers:
///     X-Frame-Options: deny
/// basic_auth_users:
///   prometheus: $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG
/// ```
///
/// Where rustls or this server differ from Go's crypto/tls:
/// - `min_version: TLS10` or `TLS11` means TLS 1.2 (rustls implements 1.2
///   and 1.3 only); such a `max_version` is an error.
/// - `cipher_suites` restricts TLS 1.2 to the listed suites rustls
///   implements (the ECDHE suites with AES-GCM or ChaCha20-Poly1305); the
///   CBC and RSA key-exchange suites Go also accepts are skipped, and TLS
///   1.3 suites are always on, as in Go. `curve_preferences` likewise skips
///   `CurveP521`, which rustls' ring provider lacks.
/// - `client_auth_type`: see [`ClientAuth`]; the verifying modes need
///   `client_ca_file`.
/// - `http_server_config.http2` is accepted either way: the server speaks
///   HTTP/1.1, which every client falls back to.
/// - Not supported, each an error naming the field: inline `cert`, `key`
///   and `client_ca` (name files instead), `client_allowed_sans`, and
///   `rate_limit`.
///
/// ```no_run
/// let config = prom_http::WebConfig::from_file("web-config.yml")?;
/// let options = prom_http::ServerOptions::default().web_config(config);
/// # let _ = options;
/// # Ok::<(), prom_http::HttpError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct WebConfig {
    tls: Option<TlsConfig>,
    basic_auth: BasicAuth,
    headers: Vec<(HeaderName, HeaderValue)>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    tls_server_config: Option<RawTls>,
    http_server_config: Option<RawHttp>,
    basic_auth_users: Option<BTreeMap<String, String>>,
    rate_limit: Option<yaml_serde::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert: Option<String>,
    key: Option<String>,
    client_ca: Option<String>,
    cert_file: Option<String>,
    key_file: Option<String>,
    client_auth_type: Option<String>,
    client_ca_file: Option<String>,
    client_allowed_sans: Option<Vec<String>>,
    min_version: Option<String>,
    max_version: Option<String>,
    cipher_suites: Option<Vec<String>>,
    curve_preferences: Option<Vec<String>>,
    prefer_server_cipher_suites: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    // Accepted and ignored: the server speaks HTTP/1.1 (see the type's docs).
    #[allow(dead_code)]
    http2: Option<bool>,
    headers: Option<BTreeMap<String, String>>,
}

impl WebConfig {
    /// Reads and checks an exporter-toolkit web configuration file,
    /// loading the certificates it names.
    ///
    /// # Errors
    /// [`HttpError::WebConfigRead`] when the file cannot be read,
    /// [`HttpError::WebConfigParse`] for YAML that does not fit the format
    /// (the message names the field), [`HttpError::WebConfigField`] for a
    /// value that cannot be used (wrapping the error of the setting), and
    /// [`HttpError::WebConfigUnsupported`] for a field this crate does not
    /// implement.
    pub fn from_file(path: impl AsRef<Path>) -> Result<WebConfig, HttpError> {
        let path = path.as_ref();
        let text = fs::read_to_string(path).map_err(|source| HttpError::WebConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        // An empty file (or one of comments only) is a valid, empty configuration.
        let raw: Option<RawConfig> =
            yaml_serde::from_str(&text).map_err(|source| HttpError::WebConfigParse {
                path: path.to_path_buf(),
                source,
            })?;
        let raw = raw.unwrap_or_default();
        let file = File { path };
        if raw.rate_limit.as_ref().is_some_and(|v| !v.is_null()) {
            return Err(file.unsupported(
                "rate_limit",
                "limit scrapes with ServerOptions::max_requests_in_flight or a proxy",
            ));
        }
        let tls = match raw.tls_server_config {
            Some(tls) => file.tls(tls)?,
            None => None,
        };
        let mut basic_auth = BasicAuth::new();
        for (user, hash) in raw.basic_auth_users.unwrap_or_default() {
            basic_auth = basic_auth
                .user(user.as_str(), hash)
                .map_err(|e| file.field(format!("basic_auth_users.{user}"), e))?;
        }
        let mut headers = Vec::new();
        let http = raw.http_server_config.unwrap_or_default();
        for (name, value) in http.headers.unwrap_or_default() {
            // exporter-toolkit: "Unset if blank".
            if value.is_empty() {
                continue;
            }
            let header = response_header(&name, &value)
                .map_err(|e| file.field(format!("http_server_config.headers.{name}"), e))?;
            headers.push(header);
        }
        Ok(WebConfig {
            tls,
            basic_auth,
            headers,
        })
    }

    /// The TLS settings, `None` when the file asks for plain HTTP.
    pub fn tls(&self) -> Option<&TlsConfig> {
        self.tls.as_ref()
    }

    /// The basic-auth users (empty when the file lists none).
    pub fn basic_auth(&self) -> &BasicAuth {
        &self.basic_auth
    }

    pub(crate) fn into_parts(
        self,
    ) -> (Option<TlsConfig>, BasicAuth, Vec<(HeaderName, HeaderValue)>) {
        (self.tls, self.basic_auth, self.headers)
    }
}

/// The file being read, for errors that name it.
struct File<'a> {
    path: &'a Path,
}

impl File<'_> {
    fn field(&self, field: impl Into<String>, source: HttpError) -> HttpError {
        HttpError::WebConfigField {
            path: self.path.to_path_buf(),
            field: field.into(),
            source: Box::new(source),
        }
    }

    fn unsupported(&self, field: &'static str, hint: &'static str) -> HttpError {
        HttpError::WebConfigUnsupported {
            path: self.path.to_path_buf(),
            field,
            hint,
        }
    }

    /// A file name relative to the configuration file's directory.
    fn resolve(&self, name: &str) -> PathBuf {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        dir.join(name)
    }

    fn tls(&self, raw: RawTls) -> Result<Option<TlsConfig>, HttpError> {
        let inline = [
            (raw.cert.is_some(), "tls_server_config.cert", "name a PEM file in cert_file instead"),
            (raw.key.is_some(), "tls_server_config.key", "name a PEM file in key_file instead"),
            (
                raw.client_ca.is_some(),
                "tls_server_config.client_ca",
                "name a PEM file in client_ca_file instead",
            ),
            (
                raw.client_allowed_sans.is_some(),
                "tls_server_config.client_allowed_sans",
                "issue client certificates from a CA of their own and require them with RequireAndVerifyClientCert",
            ),
        ];
        if let Some((_, field, hint)) = inline.into_iter().find(|(set, _, _)| *set) {
            return Err(self.unsupported(field, hint));
        }
        let non_empty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        // exporter-toolkit serves plain HTTP unless one of these is set.
        if !(non_empty(&raw.cert_file)
            || non_empty(&raw.key_file)
            || non_empty(&raw.client_ca_file)
            || non_empty(&raw.client_auth_type))
        {
            return Ok(None);
        }
        let missing = |field: &'static str| {
            self.field(
                format!("tls_server_config.{field}"),
                HttpError::TlsSetting {
                    setting: field,
                    reason: "not set, and TLS needs both cert_file and key_file".into(),
                },
            )
        };
        let cert_file = raw
            .cert_file
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("cert_file"))?;
        let key_file = raw
            .key_file
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("key_file"))?;
        let mut tls = TlsConfig::from_pem_files(self.resolve(&cert_file), self.resolve(&key_file))
            .map_err(|e| {
                let field = match &e {
                    HttpError::TlsFile { what, .. } | HttpError::TlsPem { what, .. }
                        if *what == "private key" =>
                    {
                        "tls_server_config.key_file"
                    }
                    _ => "tls_server_config.cert_file",
                };
                self.field(field, e)
            })?;
        if let Some(ca) = raw.client_ca_file.filter(|s| !s.is_empty()) {
            tls = tls
                .client_ca_file(self.resolve(&ca))
                .map_err(|e| self.field("tls_server_config.client_ca_file", e))?;
        }
        let auth = raw.client_auth_type.unwrap_or_default();
        let mode = ClientAuth::from_name(&auth).ok_or_else(|| {
            self.setting_error(
                "client_auth_type",
                format!(
                    "unknown value {auth:?}: use NoClientCert, RequestClientCert, \
                     RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"
                ),
            )
        })?;
        tls = tls.client_auth(mode);
        if let Some(v) = raw.min_version {
            tls = tls.min_version(self.version("min_version", &v, true)?);
        }
        if let Some(v) = raw.max_version {
            tls = tls.max_version(self.version("max_version", &v, false)?);
        }
        if let Some(names) = raw.cipher_suites.filter(|n| !n.is_empty()) {
            let mut suites = Vec::new();
            for name in &names {
                match cipher_suite(name) {
                    Some(Some(suite)) => suites.push(suite),
                    Some(None) => {}
                    None => {
                        return Err(self.setting_error(
                            "cipher_suites",
                            format!("unknown cipher suite {name:?} (Go's names, as in crypto/tls)"),
                        ))
                    }
                }
            }
            tls = tls.cipher_suites(suites);
        }
        if let Some(names) = raw.curve_preferences.filter(|n| !n.is_empty()) {
            let mut groups = Vec::new();
            for name in &names {
                groups.push(curve(name).ok_or_else(|| {
                    self.setting_error(
                        "curve_preferences",
                        format!(
                            "unknown curve {name:?}: use CurveP256, CurveP384, CurveP521 or X25519"
                        ),
                    )
                })?);
            }
            tls = tls.groups(groups);
        }
        if let Some(prefer) = raw.prefer_server_cipher_suites {
            tls = tls.prefer_server_cipher_suites(prefer);
        }
        // Combinations (a CA without a mode that uses it, bounds the wrong
        // way round) are checked where the rustls configuration is built.
        tls.server_config().map_err(|e| match e {
            HttpError::TlsSetting { setting, .. } => {
                self.field(format!("tls_server_config.{setting}"), e)
            }
            e => self.field("tls_server_config", e),
        })?;
        Ok(Some(tls))
    }

    fn setting_error(&self, setting: &'static str, reason: String) -> HttpError {
        self.field(
            format!("tls_server_config.{setting}"),
            HttpError::TlsSetting { setting, reason },
        )
    }

    fn version(
        &self,
        field: &'static str,
        name: &str,
        lower: bool,
    ) -> Result<TlsVersion, HttpError> {
        match name {
            "TLS13" => Ok(TlsVersion::Tls13),
            "TLS12" => Ok(TlsVersion::Tls12),
            // rustls has no TLS 1.0 or 1.1: as a lower bound they admit
            // nothing beyond what TLS 1.2 does.
            "TLS10" | "TLS11" if lower => Ok(TlsVersion::Tls12),
            "TLS10" | "TLS11" => Err(self.setting_error(
                field,
                format!("{name} cannot be served: rustls implements TLS12 and TLS13 only"),
            )),
            _ => Err(self.setting_error(
                field,
                format!("unknown TLS version {name:?}: use TLS10, TLS11, TLS12 or TLS13"),
            )),
        }
    }
}

/// A suite by Go's name: `Some(Some(_))` when rustls implements it for
/// TLS 1.2, `Some(None)` when Go knows it and rustls does not (or it is a
/// TLS 1.3 suite, which Go does not let the list change), `None` when the
/// name is unknown.
fn cipher_suite(name: &str) -> Option<Option<CipherSuite>> {
    Some(Some(match name {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => {
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        }
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => {
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        }
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => {
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        }
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => {
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        }
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => {
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => {
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
        "TLS_AES_128_GCM_SHA256"
        | "TLS_AES_256_GCM_SHA384"
        | "TLS_CHACHA20_POLY1305_SHA256"
        | "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
        | "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
        | "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        | "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        | "TLS_RSA_WITH_AES_128_CBC_SHA"
        | "TLS_RSA_WITH_AES_256_CBC_SHA"
        | "TLS_RSA_WITH_AES_128_GCM_SHA256"
        | "TLS_RSA_WITH_AES_256_GCM_SHA384" => return Some(None),
        _ => return None,
    }))
}

/// A key-exchange group by exporter-toolkit's curve name.
fn curve(name: &str) -> Option<NamedGroup> {
    Some(match name {
        "CurveP256" => NamedGroup::secp256r1,
        "CurveP384" => NamedGroup::secp384r1,
        "CurveP521" => NamedGroup::secp521r1,
        "X25519" => NamedGroup::X25519,
        _ => return None,
    })
}
