//! A real Pushgateway (`prometheus-pushgateway`), started per test on 127.0.0.1.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Command;

use crate::http::http_request;
use crate::process::{io_error, start_with_port_retries, temp_dir, PeerProcess};
use crate::tools::require_binary;
use crate::{free_port, HarnessError};

/// bcrypt (cost 4, the minimum, to keep requests fast) of [`Pushgateway::PASSWORD`].
const PASSWORD_BCRYPT: &str = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
/// `Authorization` for [`Pushgateway::USERNAME`] and [`Pushgateway::PASSWORD`]: `Basic ` and
/// the base64 of `pusher:s3cret`.
const AUTHORIZATION: &str = "Basic cHVzaGVyOnMzY3JldA==";

/// The test server certificate for `127.0.0.1` and `localhost`, signed by
/// [`Pushgateway::CA_CERTIFICATE_PEM`], valid from 2000 to 2100.
const SERVER_CERTIFICATE_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIBxDCCAWqgAwIBAgICEAEwCgYIKoZIzj0EAwIwKzEpMCcGA1UEAwwgcHJvbS10
ZXN0a2l0IFB1c2hnYXRld2F5IHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEw
MDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMMCTEyNy4wLjAuMTBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABGPtro+W/WBMZi2ugLDb4fEpTf+yqmVeGLhtZ6bXHeQNUEq6
E0ucnFwZ+NvzC1H3G6l7YPtw+YjuAtTZD5h79pCjgZIwgY8wDAYDVR0TAQH/BAIw
ADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwGgYDVR0RBBMw
EYcEfwAAAYIJbG9jYWxob3N0MB8GA1UdIwQYMBaAFBAecbuwJeqpvAn7rzwRufGJ
IXkuMB0GA1UdDgQWBBTWdse+xeHkdTFiq8uPKpr507VRsjAKBggqhkjOPQQDAgNI
ADBFAiB/WKEjSUAf2d/+6yJvUjCV7G7jowD7NbHXnUH+Mfbu+AIhAPko9fWbHIL5
EkCDVvLePKwNAwfd0IdfflU+BD2m6Oos
-----END CERTIFICATE-----
";

/// The private key of [`SERVER_CERTIFICATE_PEM`] (P-256, PKCS#8). It protects nothing: it
/// exists only so tests can serve TLS on the loopback interface.
const SERVER_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgERaMS4ihnVVu22Fn
3AEeweNHNOUqd0JPguTnAbO7wnqhRANCAARj7a6Plv1gTGYtroCw2+HxKU3/sqpl
Xhi4bWem1x3kDVBKuhNLnJxcGfjb8wtR9xupe2D7cPmI7gLU2Q+Ye/aQ
-----END PRIVATE KEY-----
";

/// What the gateway asks of its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    BasicAuth,
    Tls,
}

/// A `prometheus-pushgateway` process started by the test, listening on
/// `127.0.0.1:<free port>` with persistence off and the admin API on.
///
/// Its log (and, for the TLS and basic-auth variants, its web configuration) lives in a fresh
/// temporary directory. Dropping it kills and reaps exactly the process it started and removes
/// the directory.
///
/// ```no_run
/// let gateway = prom_testkit::Pushgateway::start()?;
/// // ... push to gateway.url() ...
/// assert!(gateway.metrics_text()?.contains("push_time_seconds"));
/// gateway.wipe()?;
/// # Ok::<(), prom_testkit::HarnessError>(())
/// ```
pub struct Pushgateway {
    process: PeerProcess,
    security: Security,
}

impl Pushgateway {
    /// The user [`Pushgateway::start_with_basic_auth`] accepts.
    pub const USERNAME: &'static str = "pusher";
    /// The password [`Pushgateway::start_with_basic_auth`] accepts.
    pub const PASSWORD: &'static str = "s3cret";
    /// The certificate authority (PEM) that signed the certificate a gateway from
    /// [`Pushgateway::start_with_tls`] serves; trust it to connect.
    pub const CA_CERTIFICATE_PEM: &'static str = "\
-----BEGIN CERTIFICATE-----
MIIBizCCATCgAwIBAgICEAAwCgYIKoZIzj0EAwIwKzEpMCcGA1UEAwwgcHJvbS10
ZXN0a2l0IFB1c2hnYXRld2F5IHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEw
MDAxMDEwMDAwMDBaMCsxKTAnBgNVBAMMIHByb20tdGVzdGtpdCBQdXNoZ2F0ZXdh
eSB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdMVR7c9dxpd+joc4
TRVjB0WMy7ezd8LvcXy8l7oXUcKndfBHCCanUO+Mzfm7+4Ytt/vuSDrpM/I4AvHH
URMRfqNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0O
BBYEFBAecbuwJeqpvAn7rzwRufGJIXkuMAoGCCqGSM49BAMCA0kAMEYCIQDbqhEZ
rsMA8RTEiZIbSjSka5AuZG6iGiGGMZdDlZFMKgIhALXxGnDKDYu7R1aXsSfrgP+w
Ihrcf+ATpujzlbiOBdyJ
-----END CERTIFICATE-----
";

    /// Starts a plain-HTTP gateway and waits until `/-/ready` answers 200.
    ///
    /// # Errors
    ///
    /// If `prometheus-pushgateway` is not installed (the message says how to install it), the
    /// temporary directory cannot be written, or the gateway exits or is not ready within 30 s;
    /// then it is killed and the error carries the tail of its log.
    pub fn start() -> Result<Pushgateway, HarnessError> {
        Self::start_with(Security::Plain)
    }

    /// Starts a gateway that requires HTTP basic authentication as [`Pushgateway::USERNAME`]
    /// with [`Pushgateway::PASSWORD`] on every path (401 otherwise). The harness's own
    /// requests ([`Pushgateway::metrics_text`], [`Pushgateway::wipe`]) send them.
    ///
    /// # Errors
    ///
    /// As for [`Pushgateway::start`].
    pub fn start_with_basic_auth() -> Result<Pushgateway, HarnessError> {
        Self::start_with(Security::BasicAuth)
    }

    /// Starts a gateway serving HTTPS only, with a certificate for `127.0.0.1` signed by
    /// [`Pushgateway::CA_CERTIFICATE_PEM`]; [`Pushgateway::url`] is `https://…`.
    ///
    /// The harness speaks plain HTTP only, so [`Pushgateway::metrics_text`] and
    /// [`Pushgateway::wipe`] return errors for this gateway; read it with a TLS client.
    ///
    /// # Errors
    ///
    /// As for [`Pushgateway::start`].
    pub fn start_with_tls() -> Result<Pushgateway, HarnessError> {
        Self::start_with(Security::Tls)
    }

    fn start_with(security: Security) -> Result<Pushgateway, HarnessError> {
        let binary = require_binary("prometheus-pushgateway", "prometheus-pushgateway")?;
        start_with_port_retries(|| Self::start_once(&binary, security))
    }

    fn start_once(binary: &Path, security: Security) -> Result<Pushgateway, HarnessError> {
        let dir = temp_dir("prom-testkit-pushgateway")?;
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // Debian's default persists to a file under /var/lib, which a test must not reuse.
            .arg("--persistence.file=")
            .arg("--web.enable-admin-api");
        if security != Security::Plain {
            // Relative paths in the web configuration are resolved against its directory.
            let web_config = match security {
                Security::BasicAuth => format!(
                    "basic_auth_users:\n  {}: {PASSWORD_BCRYPT}\n",
                    Self::USERNAME
                ),
                _ => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                    .to_owned(),
            };
            let write = |name: &str, text: &str| {
                fs::write(dir.path().join(name), text)
                    .map_err(|e| io_error(&format!("cannot write {name}"), e))
            };
            write("web.yml", &web_config)?;
            if security == Security::Tls {
                write("server.crt", SERVER_CERTIFICATE_PEM)?;
                write("server.key", SERVER_KEY_PEM)?;
            }
            command.arg(format!(
                "--web.config.file={}",
                dir.path().join("web.yml").display()
            ));
        }
        let process = PeerProcess::spawn("prometheus-pushgateway", command, port, dir)?;
        let mut gateway = Pushgateway { process, security };
        // Readiness is polled over plain HTTP: a TLS gateway answers it with a 400 of its own,
        // which shows it serves.
        let expected_status = match security {
            Security::Tls => 400,
            Security::Plain | Security::BasicAuth => 200,
        };
        let headers = gateway.auth_headers();
        gateway
            .process
            .wait_http_ready("/-/ready", &headers, expected_status)?;
        Ok(gateway)
    }

    fn auth_headers(&self) -> Vec<(&'static str, &'static str)> {
        match self.security {
            Security::BasicAuth => vec![("Authorization", AUTHORIZATION)],
            Security::Plain | Security::Tls => Vec::new(),
        }
    }

    /// The base URL, `http://127.0.0.1:PORT` (`https://` for [`Pushgateway::start_with_tls`]).
    pub fn url(&self) -> String {
        let scheme = match self.security {
            Security::Tls => "https",
            Security::Plain | Security::BasicAuth => "http",
        };
        format!("{scheme}://127.0.0.1:{}", self.process.port())
    }

    /// The address the gateway listens on.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.process.port()))
    }

    /// The process id of the gateway.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The last lines of the gateway's combined stdout and stderr.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// The gateway's `/metrics` in text format 0.0.4: every pushed group's metrics with their
    /// `job`, grouping and `instance` labels, plus `push_time_seconds`,
    /// `push_failure_time_seconds` and the gateway's own metrics.
    ///
    /// # Errors
    ///
    /// If the request fails or the answer is not 200 (the message has the log tail), or the
    /// gateway serves HTTPS.
    pub fn metrics_text(&self) -> Result<String, HarnessError> {
        self.require_plain_http("read /metrics")?;
        // Plain text, not the protobuf the gateway's Go library prefers by default.
        let mut headers = self.auth_headers();
        headers.push(("Accept", "text/plain; version=0.0.4"));
        self.process.get_text("/metrics", &headers)
    }

    /// Deletes every group (`PUT /api/v1/admin/wipe`), to reuse the gateway between tests.
    ///
    /// # Errors
    ///
    /// If the request fails or the answer is not 202, or the gateway serves HTTPS.
    pub fn wipe(&self) -> Result<(), HarnessError> {
        self.require_plain_http("wipe")?;
        let url = format!("{}/api/v1/admin/wipe", self.url());
        let mut headers = self.auth_headers();
        headers.push(("Content-Length", "0"));
        let status = http_request("PUT", &url, &headers)?.status;
        if status != 202 {
            return Err(HarnessError::new(format!(
                "PUT {url}: HTTP {status} (expected 202)\nlog tail:\n{}",
                self.log_tail()
            )));
        }
        Ok(())
    }

    fn require_plain_http(&self, what: &str) -> Result<(), HarnessError> {
        if self.security == Security::Tls {
            return Err(HarnessError::new(format!(
                "cannot {what} on {}: the harness speaks plain HTTP only",
                self.url()
            )));
        }
        Ok(())
    }
}

impl std::fmt::Debug for Pushgateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pushgateway")
            .field("url", &self.url())
            .field("pid", &self.pid())
            .field("dir", &self.process.dir())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    /// PUTs `body` to `path`, with the test credentials if `auth`, returning the status.
    fn put(gateway: &Pushgateway, path: &str, body: &str, auth: bool) -> u16 {
        let mut stream = TcpStream::connect(gateway.addr()).unwrap();
        let auth = if auth {
            format!("Authorization: {AUTHORIZATION}\r\n")
        } else {
            String::new()
        };
        write!(
            stream,
            "PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n{auth}\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        raw[9..12].parse().unwrap()
    }

    #[test]
    #[ignore = "needs pushgateway: run cargo xtask test"]
    fn pushed_metrics_show_until_wiped_and_drop_stops_the_process() {
        let gateway = Pushgateway::start().unwrap();
        assert_eq!(
            put(&gateway, "/metrics/job/probe", "harness_probe 7\n", false),
            200
        );
        let text = gateway.metrics_text().unwrap();
        assert!(
            text.contains("harness_probe{instance=\"\",job=\"probe\"} 7\n"),
            "{text}"
        );
        gateway.wipe().unwrap();
        assert!(!gateway.metrics_text().unwrap().contains("harness_probe"));

        let proc_dir = format!("/proc/{}", gateway.pid());
        assert!(Path::new(&proc_dir).exists());
        drop(gateway);
        assert!(!Path::new(&proc_dir).exists(), "{proc_dir} survived drop");
    }

    #[test]
    #[ignore = "needs pushgateway: run cargo xtask test"]
    fn basic_auth_is_required_and_the_harness_sends_it() {
        let gateway = Pushgateway::start_with_basic_auth().unwrap();
        assert_eq!(put(&gateway, "/metrics/job/probe", "p 1\n", false), 401);
        assert_eq!(put(&gateway, "/metrics/job/probe", "p 1\n", true), 200);
        assert!(gateway
            .metrics_text()
            .unwrap()
            .contains("p{instance=\"\",job=\"probe\"} 1"));
        gateway.wipe().unwrap();
    }

    #[test]
    #[ignore = "needs pushgateway: run cargo xtask test"]
    fn the_tls_gateway_serves_https_only() {
        let gateway = Pushgateway::start_with_tls().unwrap();
        assert!(gateway.url().starts_with("https://127.0.0.1:"));
        let err = gateway.metrics_text().unwrap_err();
        assert!(err.message().contains("plain HTTP only"), "{err}");
    }
}
