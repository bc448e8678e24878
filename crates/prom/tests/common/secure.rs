//! Fixtures for the tests of the secure endpoint: prom-testkit's throwaway
//! CA and certificates, written with an exporter-toolkit web configuration
//! using them, and an HTTPS client trusting the CA.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use prom_testkit::pki::{self, Ca, Leaf};
use prom_testkit::TempDir;

/// The basic-auth user of `web-config.yml` and its password.
pub const USER: &str = "prometheus";
pub const PASSWORD: &str = "s3cret";
/// bcrypt (cost 4, for speed) of [`PASSWORD`].
pub const PASSWORD_HASH: &str = "$2b$04$1ptQREjFALb0L/OCgVn6qOASDnuZU20qKPRqWHfyvElrqFMvXgz1i";

/// A directory with a CA, a server certificate for `localhost` and
/// `127.0.0.1`, a client certificate and a web configuration; removed on drop.
pub struct Secrets {
    dir: TempDir,
    ca: Ca,
    client_cert: Leaf,
}

impl Secrets {
    /// Writes `ca.crt`, `server.crt`/`server.key`, `client.crt`/`client.key`
    /// and `web-config.yml` (TLS with `client_auth` as given, basic auth
    /// for [`USER`], `X-Content-Type-Options: nosniff`).
    pub fn new(name: &str, client_auth: &str) -> Secrets {
        let dir = TempDir::new(&format!("prom-{name}")).unwrap();
        let ca = Ca::new("prom");
        dir.write("ca.crt", &ca.cert_pem).unwrap();
        pki::write_leaf(&dir, "server", &ca.server()).unwrap();
        let client_cert = ca.client();
        pki::write_leaf(&dir, "client", &client_cert).unwrap();
        let client_ca = if client_auth == "NoClientCert" {
            String::new()
        } else {
            "  client_ca_file: ca.crt\n".to_owned()
        };
        dir.write(
            "web-config.yml",
            &format!(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n\
                 \x20 client_auth_type: {client_auth}\n{client_ca}\
                 http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n\
                 basic_auth_users:\n  {USER}: {PASSWORD_HASH}\n"
            ),
        )
        .unwrap();
        Secrets {
            dir,
            ca,
            client_cert,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// An HTTPS client trusting the CA, presenting the client certificate
    /// when `with_cert`.
    pub fn client(&self, with_cert: bool) -> ureq::Agent {
        pki::client(&self.ca, with_cert.then_some(&self.client_cert))
    }
}
