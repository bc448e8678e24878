//! A throwaway certificate authority for the TLS tests: a CA, server and
//! client certificates made with rcgen in a fresh temporary directory, and
//! HTTPS clients (ureq on rustls) that trust it.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prom-http-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A CA and its PEM files.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pub cert_pem: String,
}

/// A certificate and key signed by a [`Ca`], as PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        let key = KeyPair::generate().unwrap();
        let cert_pem = params.self_signed(&key).unwrap().pem();
        Ca {
            params,
            key,
            cert_pem,
        }
    }

    fn leaf(&self, names: &[&str]) -> Leaf {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "prom-http test");
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A server certificate for `localhost` and `127.0.0.1`.
    pub fn server(&self) -> Leaf {
        self.leaf(&["localhost", "127.0.0.1"])
    }

    /// A client certificate.
    pub fn client(&self) -> Leaf {
        self.leaf(&["scraper.example"])
    }
}

/// Writes `leaf` as `<stem>.crt` and `<stem>.key` into `dir`.
pub fn write_leaf(dir: &TempDir, stem: &str, leaf: &Leaf) -> (PathBuf, PathBuf) {
    (
        dir.write(&format!("{stem}.crt"), &leaf.cert_pem),
        dir.write(&format!("{stem}.key"), &leaf.key_pem),
    )
}

/// An HTTPS client trusting only `ca`, presenting `client` when given.
pub fn client(ca: &Ca, client: Option<&Leaf>) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        None => builder.with_no_client_auth(),
        Some(leaf) => {
            let chain = vec![CertificateDer::from_pem_slice(leaf.cert_pem.as_bytes()).unwrap()];
            let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
    };
    ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout(std::time::Duration::from_secs(10))
        .build()
}

/// An answer of the server.
pub struct Answer {
    pub status: u16,
    pub www_authenticate: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `GET url` with optional basic-auth credentials: the answer, or the
/// transport error (a refused handshake, say) as text.
pub fn get(agent: &ureq::Agent, url: &str, auth: Option<(&str, &str)>) -> Result<Answer, String> {
    let mut request = agent.get(url);
    if let Some((user, password)) = auth {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request = request.set("Authorization", &format!("Basic {token}"));
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
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
    response.into_reader().read_to_string(&mut body).unwrap();
    Ok(Answer {
        status,
        www_authenticate,
        headers,
        body,
    })
}

/// A server with `options` serving the metrics of
/// [`crate::common::EXPECTED_TEXT`] on a free loopback port.
pub fn serve(options: prom_http::ServerOptions) -> prom_http::MetricsServer {
    use prom_core::{Collector, CounterVec, Gauge, Opts};
    let requests =
        CounterVec::new(Opts::new("requests", "Requests served.").labels(["path"])).unwrap();
    requests.with_label_values(&["/a"]).unwrap().inc();
    let temp = Gauge::new("temperature_celsius", "Room temperature.").unwrap();
    temp.set(21.5);
    let source = prom_core::FnCollector::new(move |out| {
        requests.collect(out)?;
        temp.collect(out)
    });
    prom_http::start_http_server_with("127.0.0.1:0", Arc::new(source), options).unwrap()
}
