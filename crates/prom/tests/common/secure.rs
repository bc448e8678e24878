//! Fixtures for the tests of the secure endpoint: a throwaway CA and
//! certificates (rcgen), an exporter-toolkit web configuration using them,
//! and an HTTPS client (ureq on rustls) trusting the CA.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// The basic-auth user of [`WEB_CONFIG`] and its password.
pub const USER: &str = "prometheus";
pub const PASSWORD: &str = "s3cret";
/// bcrypt (cost 4, for speed) of [`PASSWORD`].
pub const PASSWORD_HASH: &str = "$2b$04$1ptQREjFALb0L/OCgVn6qOASDnuZU20qKPRqWHfyvElrqFMvXgz1i";

/// A directory with a CA, a server certificate for `localhost` and
/// `127.0.0.1`, a client certificate and a web configuration; removed on drop.
pub struct Secrets {
    dir: PathBuf,
    pub ca_pem: String,
}

impl Secrets {
    /// Writes `ca.crt`, `server.crt`/`server.key`, `client.crt`/`client.key`
    /// and `web-config.yml` (TLS with `client_auth` as given, basic auth
    /// for [`USER`], `X-Content-Type-Options: nosniff`).
    pub fn new(name: &str, client_auth: &str) -> Secrets {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prom-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "prom test CA");
        let ca_key = KeyPair::generate().unwrap();
        let ca_pem = ca_params.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        let leaf = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let params = CertificateParams::new(names).unwrap();
            let key = KeyPair::generate().unwrap();
            let cert = params.signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let write = |name: &str, contents: &str| std::fs::write(dir.join(name), contents).unwrap();
        write("ca.crt", &ca_pem);
        let (cert, key) = leaf(&["localhost", "127.0.0.1"]);
        write("server.crt", &cert);
        write("server.key", &key);
        let (cert, key) = leaf(&["prometheus.example"]);
        write("client.crt", &cert);
        write("client.key", &key);
        let client_ca = if client_auth == "NoClientCert" {
            String::new()
        } else {
            "  client_ca_file: ca.crt\n".to_owned()
        };
        write(
            "web-config.yml",
            &format!(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n\
                 \x20 client_auth_type: {client_auth}\n{client_ca}\
                 http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n\
                 basic_auth_users:\n  {USER}: {PASSWORD_HASH}\n"
            ),
        );
        Secrets { dir, ca_pem }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// An HTTPS client trusting the CA, presenting the client certificate
    /// when `with_cert`.
    pub fn client(&self, with_cert: bool) -> ureq::Agent {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(self.path("ca.crt")).unwrap())
            .unwrap();
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
        let config = if with_cert {
            let chain = vec![CertificateDer::from_pem_file(self.path("client.crt")).unwrap()];
            let key = PrivateKeyDer::from_pem_file(self.path("client.key")).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        } else {
            builder.with_no_client_auth()
        };
        ureq::AgentBuilder::new()
            .tls_config(Arc::new(config))
            .timeout(std::time::Duration::from_secs(10))
            .build()
    }
}

impl Drop for Secrets {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `GET url`, with `Authorization: Basic` for `USER:password` when given:
/// status, `WWW-Authenticate`, body; or the transport error as text.
pub fn get(
    agent: &ureq::Agent,
    url: &str,
    password: Option<&str>,
) -> Result<(u16, Option<String>, String), String> {
    let mut request = agent.get(url);
    if let Some(password) = password {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"));
        request = request.set("Authorization", &format!("Basic {token}"));
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
    };
    let status = response.status();
    let challenge = response.header("www-authenticate").map(str::to_owned);
    let mut body = String::new();
    response.into_reader().read_to_string(&mut body).unwrap();
    Ok((status, challenge, body))
}
