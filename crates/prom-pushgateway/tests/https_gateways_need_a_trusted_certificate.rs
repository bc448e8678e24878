//! Over HTTPS (rustls), a push to the real Pushgateway succeeds when its certificate's
//! authority is trusted, and is a connection error naming the certificate problem when not.

#![cfg(all(feature = "blocking", feature = "rustls"))]

use prom_core::{Counter, Gauge};
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{Group, Options, PushError};
use prom_testkit::Pushgateway as RealPushgateway;

fn trusted(url: &str) -> Pushgateway {
    let options = Options::new()
        .add_root_certificate_pem(RealPushgateway::CA_CERTIFICATE_PEM.as_bytes())
        .unwrap();
    Pushgateway::with_options(url, options).unwrap()
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn a_trusted_gateway_takes_pushes_and_answers_errors() {
    let real = RealPushgateway::start_with_tls().unwrap();
    assert!(real.url().starts_with("https://"));
    let gateway = trusted(&real.url());

    let counter = Counter::new("tls_probe", "Pushed over TLS.").unwrap();
    counter.inc();
    gateway.push(&Group::new("tls"), &counter).unwrap();

    // The gateway kept the counter: a clashing gauge elsewhere is refused, and its explanation
    // comes back through the TLS connection.
    let gauge = Gauge::new("tls_probe_total", "Clashes.").unwrap();
    let err = gateway.push(&Group::new("other"), &gauge).unwrap_err();
    match &err {
        PushError::Status { status, body, .. } => {
            assert_eq!(*status, 400);
            assert!(body.contains("\"tls_probe_total\""), "{body}");
        }
        other => panic!("expected a status error, got {other:?}"),
    }

    gateway.delete(&Group::new("tls")).unwrap();
    // With the counter gone the gauge is consistent.
    gateway.push(&Group::new("other"), &gauge).unwrap();
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn an_untrusted_certificate_is_a_connection_error() {
    let real = RealPushgateway::start_with_tls().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let err = gateway.delete(&Group::new("tls")).unwrap_err();
    assert!(matches!(err, PushError::Connect { .. }), "{err:?}");
    let message = err.to_string().to_lowercase();
    assert!(message.contains("certificate"), "{message}");
}

#[test]
fn a_malformed_root_certificate_is_refused() {
    let err = Options::new()
        .add_root_certificate_pem(b"not a certificate")
        .unwrap_err();
    assert!(
        matches!(err, PushError::InvalidCertificate { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid root certificate: no \"-----BEGIN CERTIFICATE-----\" block found"
    );
    let truncated = &RealPushgateway::CA_CERTIFICATE_PEM[..200];
    let err = Options::new()
        .add_root_certificate_pem(truncated.as_bytes())
        .unwrap_err();
    assert!(
        matches!(err, PushError::InvalidCertificate { .. }),
        "{err:?}"
    );
}
