//! The server speaks TLS with a certificate from PEM files, and under mTLS
//! (`RequireAndVerifyClientCert`) serves only clients whose certificate
//! chains to the client CA. Certificates come from a CA made in the test.

mod common;
#[path = "common/pki.rs"]
mod pki;

use std::io::{Read, Write};

use prom_http::{ClientAuth, ServerOptions, TlsConfig, TlsVersion};

use pki::Ca;

#[test]
fn a_tls_scrape_gets_the_metrics() {
    let dir = pki::temp_dir("tls");
    let ca = Ca::new("server");
    let (cert, key) = pki::write_leaf(&dir, "server", &ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let server = pki::serve(ServerOptions::default().tls(tls));
    let port = server.local_addr().port();

    for host in ["127.0.0.1", "localhost"] {
        let answer = pki::get(
            &pki::client(&ca, None),
            &format!("https://{host}:{port}/metrics"),
            None,
        )
        .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, common::EXPECTED_TEXT);
    }
    // A client trusting another CA refuses the server.
    let stranger = Ca::new("stranger");
    let refused = pki::get(
        &pki::client(&stranger, None),
        &format!("https://127.0.0.1:{port}/"),
        None,
    );
    assert!(refused.is_err(), "a client trusting another CA was served");
    // Plain HTTP on the TLS port gets a TLS alert, no metrics, and the
    // server stays up.
    let mut stream = common::connect(server.local_addr(), std::time::Duration::from_secs(10));
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    assert!(
        !reply.starts_with(b"HTTP/"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
    assert!(!String::from_utf8_lossy(&reply).contains("requests_total"));
    let again = pki::get(
        &pki::client(&ca, None),
        &format!("https://127.0.0.1:{port}/metrics"),
        None,
    );
    assert_eq!(again.unwrap().status, 200);
}

#[test]
fn mtls_refuses_clients_without_a_certificate_from_the_client_ca() {
    let dir = pki::temp_dir("mtls");
    let server_ca = Ca::new("server");
    let client_ca = Ca::new("clients");
    let (cert, key) = pki::write_leaf(&dir, "server", &server_ca.server()).unwrap();
    let ca_file = dir.write("clients-ca.crt", &client_ca.cert_pem).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key)
        .unwrap()
        .client_ca_file(&ca_file)
        .unwrap()
        .client_auth(ClientAuth::RequireAndVerifyClientCert);
    let server = pki::serve(ServerOptions::default().tls(tls));
    let url = format!("https://127.0.0.1:{}/metrics", server.local_addr().port());

    let without = pki::get(&pki::client(&server_ca, None), &url, None);
    assert!(
        without.is_err(),
        "a client without a certificate was served"
    );

    let foreign = Ca::new("foreign").client();
    let with_foreign = pki::get(&pki::client(&server_ca, Some(&foreign)), &url, None);
    assert!(
        with_foreign.is_err(),
        "a client certificate from another CA was accepted"
    );

    let trusted = client_ca.client();
    let answer = pki::get(&pki::client(&server_ca, Some(&trusted)), &url, None).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, common::EXPECTED_TEXT);
}

#[test]
fn verify_if_given_serves_clients_without_a_certificate_but_not_with_a_foreign_one() {
    let dir = pki::temp_dir("verify-if-given");
    let server_ca = Ca::new("server");
    let client_ca = Ca::new("clients");
    let (cert, key) = pki::write_leaf(&dir, "server", &server_ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key)
        .unwrap()
        .client_ca_file(dir.write("clients-ca.crt", &client_ca.cert_pem).unwrap())
        .unwrap()
        .client_auth(ClientAuth::VerifyClientCertIfGiven);
    let server = pki::serve(ServerOptions::default().tls(tls));
    let url = format!("https://127.0.0.1:{}/metrics", server.local_addr().port());

    let without = pki::get(&pki::client(&server_ca, None), &url, None).unwrap();
    assert_eq!(without.status, 200);
    let trusted = client_ca.client();
    assert_eq!(
        pki::get(&pki::client(&server_ca, Some(&trusted)), &url, None)
            .unwrap()
            .status,
        200
    );
    let foreign = Ca::new("foreign").client();
    assert!(pki::get(&pki::client(&server_ca, Some(&foreign)), &url, None).is_err());
}

#[test]
fn require_any_client_cert_wants_a_certificate_but_not_from_a_known_ca() {
    let dir = pki::temp_dir("require-any");
    let server_ca = Ca::new("server");
    let (cert, key) = pki::write_leaf(&dir, "server", &server_ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key)
        .unwrap()
        .client_auth(ClientAuth::RequireAnyClientCert);
    let server = pki::serve(ServerOptions::default().tls(tls));
    let url = format!("https://127.0.0.1:{}/metrics", server.local_addr().port());

    assert!(pki::get(&pki::client(&server_ca, None), &url, None).is_err());
    let anyone = Ca::new("anyone").client();
    assert_eq!(
        pki::get(&pki::client(&server_ca, Some(&anyone)), &url, None)
            .unwrap()
            .status,
        200
    );
}

#[test]
fn version_bounds_are_enforced() {
    let dir = pki::temp_dir("versions");
    let ca = Ca::new("server");
    let (cert, key) = pki::write_leaf(&dir, "server", &ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key)
        .unwrap()
        .min_version(TlsVersion::Tls13);
    let server = pki::serve(ServerOptions::default().tls(tls));
    let url = format!("https://127.0.0.1:{}/metrics", server.local_addr().port());
    assert_eq!(
        pki::get(&pki::client(&ca, None), &url, None)
            .unwrap()
            .status,
        200
    );

    // A TLS 1.2-only client is refused.
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let old = ureq::AgentBuilder::new()
        .tls_config(std::sync::Arc::new(config))
        .build();
    assert!(
        pki::get(&old, &url, None).is_err(),
        "a TLS 1.2 client was served"
    );
}

#[test]
fn bad_certificate_files_are_errors_naming_the_file() {
    let dir = pki::temp_dir("bad-files");
    let ca = Ca::new("server");
    let (cert, key) = pki::write_leaf(&dir, "server", &ca.server()).unwrap();
    let other_key = dir.write("other.key", &ca.client().key_pem).unwrap();
    let garbage = dir.write("garbage.pem", "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.crt");

    let err = TlsConfig::from_pem_files(&missing, &key)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot read TLS certificate file ") && err.contains("missing.crt"),
        "{err}"
    );
    let err = TlsConfig::from_pem_files(&garbage, &key)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("no usable PEM certificate in ") && err.contains("garbage.pem"),
        "{err}"
    );
    let err = TlsConfig::from_pem_files(&cert, &garbage)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no usable PEM private key in "), "{err}");
    let err = TlsConfig::from_pem_files(&cert, &other_key)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("server.crt") && err.contains("other.key"),
        "{err}"
    );

    // A client CA without a mode that asks for client certificates.
    let tls = TlsConfig::from_pem_files(&cert, &key)
        .unwrap()
        .client_ca_file(dir.write("ca.crt", &ca.cert_pem).unwrap())
        .unwrap();
    let err = prom_http::start_http_server_with(
        "127.0.0.1:0",
        std::sync::Arc::new(prom_core::Gauge::new("up", "").unwrap()),
        ServerOptions::default().tls(tls),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("invalid TLS setting client_auth_type: "),
        "{err}"
    );
}
