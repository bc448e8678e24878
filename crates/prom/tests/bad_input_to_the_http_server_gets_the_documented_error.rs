//! Every address `start_http_server` cannot serve on, and every bad TLS,
//! basic-auth, header or web-config setting, gets exactly the error
//! `docs/errors.md` shows (rows `http.*`). OS messages are Linux's.

mod common;
#[path = "common/secure.rs"]
mod secure;

use std::net::TcpListener;
use std::sync::Arc;

use common::{err, Check};
use prom::http::{BasicAuth, ClientAuth, ServerOptions, TlsConfig, WebConfig};
use prom::Registry;
use secure::Secrets;

/// A port some other socket holds, and the message with it replaced by `<port>`.
fn in_use(start: impl FnOnce(&str) -> String) -> String {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = taken.local_addr().expect("bound").to_string();
    let port = addr.rsplit(':').next().expect("a port").to_owned();
    start(&addr).replace(&port, "<port>")
}

fn serve(addr: &str) -> String {
    err(prom::http::start_http_server(
        addr,
        Arc::new(Registry::new()),
    ))
}

/// Runs `f` in a directory holding a CA, `server.crt`/`server.key`,
/// `client.crt`/`client.key` and `web-config.yml`; the message shows the
/// directory as `<dir>`.
fn in_secrets(f: impl FnOnce(&Secrets) -> String) -> String {
    let secrets = Secrets::new("errors-http", "NoClientCert");
    let message = f(&secrets);
    message.replace(&*secrets.dir().to_string_lossy(), "<dir>")
}

fn tls(secrets: &Secrets) -> TlsConfig {
    TlsConfig::from_pem_files(secrets.path("server.crt"), secrets.path("server.key"))
        .expect("the test's certificate loads")
}

/// Starting a server with `options`.
fn start(options: ServerOptions) -> String {
    err(prom::http::start_http_server_with(
        "127.0.0.1:0",
        Arc::new(Registry::new()),
        options,
    ))
}

/// The error of `WebConfig::from_file` for a `web.yml` holding `yaml`,
/// beside the files of [`in_secrets`].
fn web_config(yaml: &str) -> String {
    in_secrets(|secrets| {
        let path = secrets.path("web.yml");
        std::fs::write(&path, yaml).expect("the directory is writable");
        err(WebConfig::from_file(&path))
    })
}

/// Status and body of a scrape of a server with `options` serving
/// `registry`, while `busy` other scrapes (started first) are collecting.
fn scrape(options: ServerOptions, registry: Registry, busy: usize) -> String {
    let server = prom::http::start_http_server_with("127.0.0.1:0", Arc::new(registry), options)
        .expect("a free port");
    let url = format!("http://{}/metrics", server.local_addr());
    let get = |url: &str| match ureq::get(url).call() {
        Ok(res) => format!("{} {}", res.status(), res.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, res)) => {
            format!("{code} {}", res.into_string().unwrap_or_default())
        }
        Err(e) => format!("no answer: {e}"),
    };
    let others: Vec<_> = (0..busy)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || get(&url))
        })
        .collect();
    // The others' collections take a second; this scrape comes well within it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let answer = get(&url);
    for other in others {
        other.join().expect("the other scrape does not panic");
    }
    answer.trim_end().to_owned()
}

/// A registry whose collection takes a second.
fn slow_registry() -> Registry {
    let registry = Registry::new();
    registry
        .register(prom::FnCollector::new(|_| {
            std::thread::sleep(std::time::Duration::from_secs(1));
            Ok(())
        }))
        .expect("nothing else is registered");
    registry
}

const TLS: &str = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

const CHECKS: &[(&str, Check)] = &[
    ("http.port-in-use", || in_use(serve)),
    ("http.facade-port-in-use", || {
        in_use(|addr| err(prom::start_http_server(addr)))
    }),
    ("http.no-port", || serve("127.0.0.1")),
    ("http.port-out-of-range", || serve("127.0.0.1:70000")),
    ("http.not-an-address", || serve("")),
    ("http.non-local-address", || serve("192.0.2.1:0")),
    ("http.tls-cert-missing", || {
        in_secrets(|s| {
            err(TlsConfig::from_pem_files(
                s.path("missing.crt"),
                s.path("server.key"),
            ))
        })
    }),
    ("http.tls-cert-not-pem", || {
        in_secrets(|s| {
            err(TlsConfig::from_pem_files(
                s.path("web-config.yml"),
                s.path("server.key"),
            ))
        })
    }),
    ("http.tls-key-not-pem", || {
        in_secrets(|s| {
            err(TlsConfig::from_pem_files(
                s.path("server.crt"),
                s.path("server.crt"),
            ))
        })
    }),
    ("http.tls-key-mismatch", || {
        in_secrets(|s| {
            err(TlsConfig::from_pem_files(
                s.path("server.crt"),
                s.path("client.key"),
            ))
        })
    }),
    ("http.tls-ca-missing", || {
        in_secrets(|s| err(tls(s).client_ca_file(s.path("missing-ca.crt"))))
    }),
    ("http.tls-ca-without-client-auth", || {
        in_secrets(|s| {
            let tls = tls(s).client_ca_file(s.path("ca.crt")).expect("a CA");
            start(ServerOptions::default().tls(tls))
        })
    }),
    ("http.tls-verify-without-ca", || {
        in_secrets(|s| {
            let tls = tls(s).client_auth(ClientAuth::RequireAndVerifyClientCert);
            start(ServerOptions::default().tls(tls))
        })
    }),
    ("http.basic-auth-not-bcrypt", || {
        err(BasicAuth::new().user("prometheus", "s3cret"))
    }),
    ("http.basic-auth-colon", || {
        err(BasicAuth::new().user("a:b", secure::PASSWORD_HASH))
    }),
    ("http.header-not-allowed", || {
        err(ServerOptions::default().response_header("Server", "prom"))
    }),
    ("http.header-bad-value", || {
        err(ServerOptions::default().response_header("X-Frame-Options", "allow"))
    }),
    ("http.web-config-missing", || {
        in_secrets(|s| err(WebConfig::from_file(s.path("missing.yml"))))
    }),
    ("http.web-config-unknown-field", || {
        web_config("tls_server_config:\n  cert_fil: server.crt\n")
    }),
    ("http.web-config-wrong-type", || {
        web_config("basic_auth_users: [prometheus]\n")
    }),
    ("http.web-config-cert-unreadable", || {
        web_config("tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n")
    }),
    ("http.web-config-key-missing", || {
        web_config("tls_server_config:\n  cert_file: server.crt\n")
    }),
    ("http.web-config-client-auth-unknown", || {
        web_config(&format!("{TLS}  client_auth_type: Sometimes\n"))
    }),
    ("http.web-config-max-version", || {
        web_config(&format!("{TLS}  max_version: TLS11\n"))
    }),
    ("http.web-config-min-version-tls10", || {
        in_secrets(|s| {
            let path = s.path("web.yml");
            std::fs::write(&path, format!("{TLS}  min_version: TLS10\n")).expect("writable");
            match WebConfig::from_file(&path) {
                Ok(c) if c.tls().is_some() => "no error: TLS 1.2 and 1.3 are served".into(),
                other => format!("unexpected: {other:?}"),
            }
        })
    }),
    ("http.web-config-cipher-unknown", || {
        web_config(&format!("{TLS}  cipher_suites: [TLS_FAST]\n"))
    }),
    ("http.web-config-sans", || {
        web_config(&format!("{TLS}  client_allowed_sans: [a.example]\n"))
    }),
    ("http.web-config-rate-limit", || {
        web_config("rate_limit:\n  interval: 1s\n  burst: 10\n")
    }),
    ("http.web-config-user-hash", || {
        web_config("basic_auth_users:\n  prometheus: s3cret\n")
    }),
    ("http.too-many-scrapes", || {
        scrape(
            ServerOptions::default().max_requests_in_flight(1),
            slow_registry(),
            1,
        )
    }),
    ("http.scrape-timeout", || {
        scrape(
            ServerOptions::default().scrape_timeout(std::time::Duration::from_millis(200)),
            slow_registry(),
            0,
        )
    }),
    ("http.collector-panicked", || {
        let registry = Registry::new();
        registry
            .register(prom::FnCollector::new(|_| panic!("sensor bus reset")))
            .expect("nothing else is registered");
        scrape(ServerOptions::default(), registry, 0)
    }),
    ("http.web-config-header", || {
        web_config("http_server_config:\n  headers:\n    X-Powered-By: prom\n")
    }),
];

#[test]
fn every_http_row_has_its_error() {
    common::check_area("http", CHECKS);
}
