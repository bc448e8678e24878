//! A throwaway certificate authority for TLS tests, and an HTTPS client that trusts it.
//!
//! Every [`Ca`] is made fresh with rcgen, so no key outlives the test that made it. Its leaf
//! certificates are written as PEM files for the server under test ([`write_leaf`]); [`client`]
//! builds a ureq agent on rustls that trusts only that CA and may present a client certificate,
//! and [`get`] fetches a URL with it, basic auth optional.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::{HarnessError, TempDir};

/// How long a request of a [`client`] may take to connect, and to wait between bytes.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A self-signed certificate authority that signs [`Leaf`] certificates.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    /// The CA certificate, PEM-encoded: what a client or server that trusts the CA loads.
    pub cert_pem: String,
}

/// A certificate signed by a [`Ca`], and its private key.
pub struct Leaf {
    /// The certificate, PEM-encoded.
    pub cert_pem: String,
    /// The private key, PEM-encoded (PKCS #8).
    pub key_pem: String,
}

impl Ca {
    /// A new CA with a fresh key, named `<name> test CA`.
    ///
    /// # Panics
    ///
    /// If rcgen cannot make a key or sign with it, which no valid input can cause.
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new())
            .expect("no subject alternative names cannot be invalid ones");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        let key = KeyPair::generate().expect("rcgen generates keys with ring");
        let cert_pem = params
            .self_signed(&key)
            .expect("a CA certificate signs itself with its fresh key")
            .pem();
        Ca {
            params,
            key,
            cert_pem,
        }
    }

    /// A server certificate for `localhost` and `127.0.0.1`.
    ///
    /// # Panics
    ///
    /// As [`Ca::new`].
    pub fn server(&self) -> Leaf {
        self.leaf(&["localhost", "127.0.0.1"])
    }

    /// A client certificate, for mutual TLS.
    ///
    /// # Panics
    ///
    /// As [`Ca::new`].
    pub fn client(&self) -> Leaf {
        self.leaf(&["scraper.example"])
    }

    fn leaf(&self, names: &[&str]) -> Leaf {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params =
            CertificateParams::new(names).expect("the callers' names are valid DNS names or IPs");
        params
            .distinguished_name
            .push(DnType::CommonName, "prom test");
        let key = KeyPair::generate().expect("rcgen generates keys with ring");
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params
            .signed_by(&key, &issuer)
            .expect("the CA signs with its own key");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// Writes `leaf` as `<stem>.crt` and `<stem>.key` into `dir`, replacing files of those names, and
/// returns their paths in that order.
///
/// # Errors
///
/// If a file cannot be written.
pub fn write_leaf(dir: &TempDir, stem: &str, leaf: &Leaf) -> io::Result<(PathBuf, PathBuf)> {
    Ok((
        dir.write(&format!("{stem}.crt"), &leaf.cert_pem)?,
        dir.write(&format!("{stem}.key"), &leaf.key_pem)?,
    ))
}

/// An HTTPS client that trusts only `ca` and presents `client_cert` when given; its requests
/// time out after 10 s.
///
/// # Panics
///
/// If the PEM of `ca` or `client_cert` does not load, which cannot happen for certificates this
/// module made.
pub fn client(ca: &Ca, client_cert: Option<&Leaf>) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(
            CertificateDer::from_pem_slice(ca.cert_pem.as_bytes())
                .expect("rcgen writes a valid PEM certificate"),
        )
        .expect("rustls accepts the CA certificate rcgen made");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls' default protocol versions")
        .with_root_certificates(roots);
    let config = match client_cert {
        None => builder.with_no_client_auth(),
        Some(leaf) => {
            let chain = vec![CertificateDer::from_pem_slice(leaf.cert_pem.as_bytes())
                .expect("rcgen writes a valid PEM certificate")];
            let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes())
                .expect("rcgen writes a valid PEM private key");
            builder
                .with_client_auth_cert(chain, key)
                .expect("the key belongs to the certificate")
        }
    };
    ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout(TIMEOUT)
        .build()
}

/// The answer to a [`get`], whatever its status.
pub struct Answer {
    /// The status code, e.g. 200 or 401.
    pub status: u16,
    /// The `WWW-Authenticate` header, the challenge of a 401.
    pub www_authenticate: Option<String>,
    /// The response headers, names as ureq reports them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// The value of the first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::http::header_value(&self.headers, name)
    }
}

/// Sends `GET url` with `agent`, with `Authorization: Basic` for `(user, password)` when `auth`
/// is given, and reads the whole answer. An error status (401, 500) is an answer too.
///
/// # Errors
///
/// If no answer came: a refused connection or TLS handshake, a timeout.
///
/// # Panics
///
/// If the body of an answer cannot be read as UTF-8 text. The headers came, so the server
/// accepted the request, and a broken body is a failure of the test rather than a refusal.
pub fn get(
    agent: &ureq::Agent,
    url: &str,
    auth: Option<(&str, &str)>,
) -> Result<Answer, HarnessError> {
    let mut request = agent.get(url);
    if let Some((user, password)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request = request.set("Authorization", &format!("Basic {token}"));
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(HarnessError::new(format!("GET {url}: {e}"))),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = response.header(&n).unwrap_or("").to_owned();
            (n, v)
        })
        .collect();
    let www_authenticate = response.header("www-authenticate").map(str::to_owned);
    let mut body = String::new();
    response
        .into_reader()
        .read_to_string(&mut body)
        .unwrap_or_else(|e| panic!("GET {url}: the body of the {status} answer: {e}"));
    Ok(Answer {
        status,
        www_authenticate,
        headers,
        body,
    })
}
