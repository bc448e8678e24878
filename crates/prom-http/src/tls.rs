//! TLS for the standalone server: rustls (ring provider), client-certificate
//! modes as exporter-toolkit names them, and a certificate that is reloaded
//! from disk when its files change.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, TryLockError};
use std::time::{Duration, Instant, SystemTime};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{
    CipherSuite, DigitallySignedStruct, DistinguishedName, NamedGroup, ProtocolVersion,
    RootCertStore, ServerConfig, SignatureScheme,
};
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};

use crate::error::HttpError;

/// A handshake looks at the certificate files' modification times at most
/// this often, so a scrape per second costs one `stat` pair per second at most.
const RELOAD_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Whether and how the server asks clients for a certificate: the values
/// of exporter-toolkit's `client_auth_type` (Go's `tls.ClientAuthType`).
///
/// rustls verifies what Go verifies, with two differences: the modes that
/// verify ([`VerifyClientCertIfGiven`](ClientAuth::VerifyClientCertIfGiven),
/// [`RequireAndVerifyClientCert`](ClientAuth::RequireAndVerifyClientCert))
/// need a client CA (Go would fall back to the system's roots), and the
/// modes that do not verify still check that the client holds the key of
/// the certificate it sends (Go does too) but accept any issuer, so they
/// authenticate nobody: as exporter-toolkit warns, only
/// `RequireAndVerifyClientCert` is client authentication.
///
/// ```
/// use prom_http::ClientAuth;
/// assert_eq!(ClientAuth::from_name("RequireAndVerifyClientCert"), Some(ClientAuth::RequireAndVerifyClientCert));
/// assert_eq!(ClientAuth::from_name("RequireClientCert"), Some(ClientAuth::RequireAnyClientCert));
/// assert_eq!(ClientAuth::from_name("Sometimes"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// No client certificate is asked for (the default).
    #[default]
    NoClientCert,
    /// A certificate is asked for but not required, and not verified.
    RequestClientCert,
    /// A certificate is required, but not verified against a CA.
    RequireAnyClientCert,
    /// A certificate is optional; one that is sent must chain to the client CA.
    VerifyClientCertIfGiven,
    /// A certificate is required and must chain to the client CA: mTLS.
    RequireAndVerifyClientCert,
}

impl ClientAuth {
    /// The mode exporter-toolkit spells `name`, including its
    /// backward-compatible `RequireClientCert` and the empty string for
    /// the default; `None` for anything else.
    pub fn from_name(name: &str) -> Option<ClientAuth> {
        Some(match name {
            "" | "NoClientCert" => ClientAuth::NoClientCert,
            "RequestClientCert" => ClientAuth::RequestClientCert,
            "RequireAnyClientCert" | "RequireClientCert" => ClientAuth::RequireAnyClientCert,
            "VerifyClientCertIfGiven" => ClientAuth::VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth::RequireAndVerifyClientCert,
            _ => return None,
        })
    }

    fn verifies(self) -> bool {
        matches!(
            self,
            ClientAuth::VerifyClientCertIfGiven | ClientAuth::RequireAndVerifyClientCert
        )
    }
}

/// A TLS protocol version the server may speak. rustls implements 1.2 and
/// 1.3 only.
///
/// ```
/// assert!(prom_http::TlsVersion::Tls12 < prom_http::TlsVersion::Tls13);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// The server's TLS settings: a certificate chain and key read from PEM
/// files, optional client-certificate verification, version bounds.
///
/// The certificate and key are read again when their files change: a
/// handshake checks their modification times (at most once a second), and
/// [`TlsConfig::reload`] reads them at once. A pair that fails to load
/// (half written, mismatched) leaves the previous certificate in service;
/// the failure is printed on stderr and kept for
/// [`TlsConfig::last_reload_error`]. Clones share the certificate, so keep
/// one to call `reload` after handing another to
/// [`ServerOptions::tls`](crate::ServerOptions::tls).
///
/// ```no_run
/// use prom_http::{ClientAuth, TlsConfig, TlsVersion};
/// let tls = TlsConfig::from_pem_files("server.crt", "server.key")?
///     .client_ca_file("clients-ca.crt")?
///     .client_auth(ClientAuth::RequireAndVerifyClientCert)
///     .min_version(TlsVersion::Tls13);
/// let options = prom_http::ServerOptions::default().tls(tls.clone());
/// # let _ = options;
/// // Later, after renewing the files:
/// tls.reload()?;
/// # Ok::<(), prom_http::HttpError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct TlsConfig {
    certs: Arc<CertStore>,
    client_ca: Option<(PathBuf, Arc<RootCertStore>)>,
    client_auth: ClientAuth,
    min_version: TlsVersion,
    max_version: TlsVersion,
    cipher_suites: Option<Vec<CipherSuite>>,
    groups: Option<Vec<NamedGroup>>,
    prefer_server_cipher_suites: bool,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_file", &self.certs.cert_path)
            .field("key_file", &self.certs.key_path)
            .field("client_ca_file", &self.client_ca.as_ref().map(|(p, _)| p))
            .field("client_auth", &self.client_auth)
            .field("min_version", &self.min_version)
            .field("max_version", &self.max_version)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Reads a certificate chain (PEM, the server's certificate first) and
    /// its private key (PEM: PKCS#8, PKCS#1 or SEC1) and checks that they
    /// belong together. No client certificates, TLS 1.2 and 1.3.
    ///
    /// # Errors
    /// [`HttpError::TlsFile`] when a file cannot be read,
    /// [`HttpError::TlsPem`] when it holds no certificate (or key), and
    /// [`HttpError::Tls`] when rustls refuses the key or it does not match
    /// the certificate; each names the file.
    pub fn from_pem_files(
        cert_file: impl AsRef<Path>,
        key_file: impl AsRef<Path>,
    ) -> Result<TlsConfig, HttpError> {
        let certs = CertStore::open(cert_file.as_ref(), key_file.as_ref())?;
        Ok(TlsConfig {
            certs: Arc::new(certs),
            client_ca: None,
            client_auth: ClientAuth::NoClientCert,
            min_version: TlsVersion::Tls12,
            max_version: TlsVersion::Tls13,
            cipher_suites: None,
            groups: None,
            prefer_server_cipher_suites: true,
        })
    }

    /// The CA certificates (PEM) that client certificates must chain to,
    /// for [`ClientAuth::VerifyClientCertIfGiven`] and
    /// [`ClientAuth::RequireAndVerifyClientCert`]. Setting a CA alone asks
    /// for no certificate: choose the mode with [`TlsConfig::client_auth`].
    ///
    /// # Errors
    /// [`HttpError::TlsFile`], [`HttpError::TlsPem`] or [`HttpError::Tls`]
    /// (a certificate that is no valid trust anchor), naming the file.
    pub fn client_ca_file(mut self, path: impl AsRef<Path>) -> Result<TlsConfig, HttpError> {
        let path = path.as_ref();
        let what = "client CA";
        let certs = read_certs(path, what)?;
        let mut roots = RootCertStore::empty();
        for cert in certs {
            roots.add(cert).map_err(|source| HttpError::Tls {
                what: format!("invalid TLS client CA in {}", path.display()),
                source,
            })?;
        }
        self.client_ca = Some((path.to_path_buf(), Arc::new(roots)));
        Ok(self)
    }

    /// Whether and how clients must present a certificate; see
    /// [`ClientAuth`]. Default: [`ClientAuth::NoClientCert`].
    pub fn client_auth(mut self, mode: ClientAuth) -> TlsConfig {
        self.client_auth = mode;
        self
    }

    /// The lowest TLS version accepted. Default: TLS 1.2.
    pub fn min_version(mut self, version: TlsVersion) -> TlsConfig {
        self.min_version = version;
        self
    }

    /// The highest TLS version accepted. Default: TLS 1.3.
    pub fn max_version(mut self, version: TlsVersion) -> TlsConfig {
        self.max_version = version;
        self
    }

    /// Reads the certificate and key files again now and serves the new
    /// pair from the next handshake on.
    ///
    /// # Errors
    /// As [`TlsConfig::from_pem_files`]; the previous certificate stays in
    /// service.
    pub fn reload(&self) -> Result<(), HttpError> {
        self.certs.reload()
    }

    /// The message of the last failed reload (automatic or through
    /// [`TlsConfig::reload`]), while the previous certificate is still in
    /// service; `None` once a reload succeeds.
    pub fn last_reload_error(&self) -> Option<String> {
        lock(&self.certs.watch).last_error.clone()
    }

    /// The TLS 1.2 cipher suites allowed, in the server's preference order
    /// (TLS 1.3's suites are always on, as in Go).
    pub(crate) fn cipher_suites(mut self, suites: Vec<CipherSuite>) -> TlsConfig {
        self.cipher_suites = Some(suites);
        self
    }

    /// The key-exchange groups allowed, in preference order.
    pub(crate) fn groups(mut self, groups: Vec<NamedGroup>) -> TlsConfig {
        self.groups = Some(groups);
        self
    }

    /// Whether the server's order of cipher suites wins over the client's.
    pub(crate) fn prefer_server_cipher_suites(mut self, prefer: bool) -> TlsConfig {
        self.prefer_server_cipher_suites = prefer;
        self
    }

    /// The rustls configuration these settings describe, sharing the
    /// reloading certificate.
    ///
    /// # Errors
    /// [`HttpError::TlsSetting`] for a combination that cannot work.
    pub(crate) fn server_config(&self) -> Result<Arc<ServerConfig>, HttpError> {
        let mut provider = rustls::crypto::ring::default_provider();
        if let Some(allowed) = &self.cipher_suites {
            provider.cipher_suites.retain(|s| {
                s.version().version == ProtocolVersion::TLSv1_3 || allowed.contains(&s.suite())
            });
            // The server's preference is the order the suites were listed in.
            provider.cipher_suites.sort_by_key(|s| {
                allowed
                    .iter()
                    .position(|a| *a == s.suite())
                    .unwrap_or(usize::MAX)
            });
        } else {
            // Go's servers, and so exporter-toolkit's, prefer AES-128-GCM
            // where the CPU has AES instructions: as strong in practice,
            // and a third fewer rounds than AES-256 on every record.
            provider
                .cipher_suites
                .sort_by_key(|s| !format!("{:?}", s.suite()).contains("AES_128_GCM"));
        }
        if let Some(groups) = &self.groups {
            let all = std::mem::take(&mut provider.kx_groups);
            provider.kx_groups = groups
                .iter()
                .filter_map(|g| all.iter().find(|k| k.name() == *g).copied())
                .collect();
            if provider.kx_groups.is_empty() {
                return Err(setting(
                    "curve_preferences",
                    "none of the curves is implemented by rustls (X25519, CurveP256, CurveP384 are)",
                ));
            }
        }
        if self.min_version > self.max_version {
            return Err(setting(
                "min_version",
                format!(
                    "{:?} is above max_version {:?}",
                    self.min_version, self.max_version
                ),
            ));
        }
        let versions: Vec<&'static rustls::SupportedProtocolVersion> = [
            (TlsVersion::Tls12, &rustls::version::TLS12),
            (TlsVersion::Tls13, &rustls::version::TLS13),
        ]
        .into_iter()
        .filter(|(v, _)| (self.min_version..=self.max_version).contains(v))
        .map(|(_, v)| v)
        .collect();
        if self.min_version == TlsVersion::Tls12
            && self.max_version == TlsVersion::Tls12
            && !provider
                .cipher_suites
                .iter()
                .any(|s| s.version().version == ProtocolVersion::TLSv1_2)
        {
            return Err(setting(
                "cipher_suites",
                "none of the listed suites is implemented by rustls, and TLS 1.3 is off",
            ));
        }
        let provider = Arc::new(provider);
        let verifier = self.client_verifier(&provider)?;
        let mut config = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(&versions)
            .map_err(|source| HttpError::Tls {
                what: "cannot set up TLS".into(),
                source,
            })?
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(Arc::clone(&self.certs) as Arc<dyn ResolvesServerCert>);
        config.ignore_client_order = self.prefer_server_cipher_suites;
        Ok(Arc::new(config))
    }

    fn client_verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<dyn ClientCertVerifier>, HttpError> {
        let mode = self.client_auth;
        match (&self.client_ca, mode) {
            (None, ClientAuth::NoClientCert) => Ok(WebPkiClientVerifier::no_client_auth()),
            (Some(_), ClientAuth::NoClientCert) => Err(setting(
                "client_auth_type",
                "a client CA is set but NoClientCert asks for no client certificate; \
                 use RequireAndVerifyClientCert",
            )),
            (_, ClientAuth::RequestClientCert | ClientAuth::RequireAnyClientCert) => {
                Ok(Arc::new(AnyClientCert {
                    mandatory: mode == ClientAuth::RequireAnyClientCert,
                    algorithms: provider.signature_verification_algorithms,
                }))
            }
            (None, _) => Err(setting(
                "client_auth_type",
                format!("{mode:?} verifies client certificates and needs a client CA file"),
            )),
            (Some((path, roots)), _) => {
                debug_assert!(mode.verifies());
                let mut builder = WebPkiClientVerifier::builder_with_provider(
                    Arc::clone(roots),
                    Arc::clone(provider),
                );
                if mode == ClientAuth::VerifyClientCertIfGiven {
                    builder = builder.allow_unauthenticated();
                }
                builder.build().map_err(|source| HttpError::TlsClientCa {
                    path: path.clone(),
                    source,
                })
            }
        }
    }
}

fn setting(setting: &'static str, reason: impl Into<String>) -> HttpError {
    HttpError::TlsSetting {
        setting,
        reason: reason.into(),
    }
}

/// Reads every certificate of a PEM file.
fn read_certs(path: &Path, what: &'static str) -> Result<Vec<CertificateDer<'static>>, HttpError> {
    let bytes = read(path, what)?;
    let pem_err = |source| HttpError::TlsPem {
        what,
        path: path.to_path_buf(),
        source,
    };
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_err)?;
    if certs.is_empty() {
        return Err(pem_err(pem::Error::NoItemsFound));
    }
    Ok(certs)
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, HttpError> {
    fs::read(path).map_err(|source| HttpError::TlsFile {
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// What identifies one version of a file cheaply: modification time and length.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded data stays consistent whatever panicked while holding it:
    // every update is a single assignment.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The certificate in service and what is needed to replace it.
struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    watch: Mutex<Watch>,
}

struct Watch {
    checked: Instant,
    stamps: (Stamp, Stamp),
    last_error: Option<String>,
}

impl fmt::Debug for CertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertStore")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertStore {
    fn open(cert_path: &Path, key_path: &Path) -> Result<CertStore, HttpError> {
        let stamps = (stamp(cert_path), stamp(key_path));
        let key = load(cert_path, key_path)?;
        Ok(CertStore {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            current: RwLock::new(Arc::new(key)),
            watch: Mutex::new(Watch {
                checked: Instant::now(),
                stamps,
                last_error: None,
            }),
        })
    }

    fn stamps(&self) -> (Stamp, Stamp) {
        (stamp(&self.cert_path), stamp(&self.key_path))
    }

    /// Loads the files into service, or records why not; the caller holds
    /// the watch.
    fn load_into_service(&self, watch: &mut Watch) -> Result<(), HttpError> {
        watch.stamps = self.stamps();
        match load(&self.cert_path, &self.key_path) {
            Ok(key) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(key);
                watch.last_error = None;
                Ok(())
            }
            Err(e) => {
                watch.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    fn reload(&self) -> Result<(), HttpError> {
        let mut watch = lock(&self.watch);
        watch.checked = Instant::now();
        self.load_into_service(&mut watch)
    }

    /// Reloads when a file changed since the last look, looking at most
    /// once per [`RELOAD_CHECK_INTERVAL`]; a handshake that finds another
    /// one checking goes on with the certificate in service.
    fn reload_if_changed(&self) {
        let mut watch = match self.watch.try_lock() {
            Ok(watch) => watch,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if watch.checked.elapsed() < RELOAD_CHECK_INTERVAL {
            return;
        }
        watch.checked = Instant::now();
        if self.stamps() == watch.stamps {
            return;
        }
        if let Err(e) = self.load_into_service(&mut watch) {
            // Once per change of the files: the stamps are recorded, so the
            // same broken pair is not read (nor reported) again.
            eprintln!("prom-http: keeping the previous TLS certificate: {e}");
        }
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.reload_if_changed();
        Some(Arc::clone(
            &self.current.read().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

/// Reads a certificate chain and its key and checks they belong together.
fn load(cert_path: &Path, key_path: &Path) -> Result<CertifiedKey, HttpError> {
    let chain = read_certs(cert_path, "certificate")?;
    let what = "private key";
    let key_bytes = read(key_path, what)?;
    let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|source| HttpError::TlsPem {
        what,
        path: key_path.to_path_buf(),
        source,
    })?;
    CertifiedKey::from_der(chain, key, &rustls::crypto::ring::default_provider()).map_err(
        |source| HttpError::Tls {
            what: format!(
                "cannot use TLS certificate {} with key {}",
                cert_path.display(),
                key_path.display()
            ),
            source,
        },
    )
}

/// Go's `RequestClientCert` and `RequireAnyClientCert`: any certificate
/// is accepted, provided the client proves it holds its key.
#[derive(Debug)]
struct AnyClientCert {
    mandatory: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyClientCert {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
