//! The certificate and key are read again when their files change (looked
//! at by a handshake at most once a second) or on `TlsConfig::reload`; a
//! pair that fails to load leaves the previous one in service.

mod common;
#[path = "common/pki.rs"]
mod pki;

use std::time::Duration;

use prom_http::{ServerOptions, TlsConfig};

use pki::Ca;

/// Longer than the interval between two looks at the files.
const AFTER_CHECK_INTERVAL: Duration = Duration::from_millis(1100);

fn served(ca: &Ca, url: &str) -> bool {
    pki::get(&pki::client(ca, None), url, None).is_ok_and(|a| a.status == 200)
}

#[test]
fn replaced_files_are_served_from_the_next_handshake() {
    let dir = pki::temp_dir("reload");
    let old_ca = Ca::new("old");
    let new_ca = Ca::new("new");
    let (cert, key) = pki::write_leaf(&dir, "server", &old_ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let server = pki::serve(ServerOptions::default().tls(tls.clone()));
    let url = format!("https://localhost:{}/metrics", server.local_addr().port());
    assert!(served(&old_ca, &url));
    assert!(!served(&new_ca, &url));

    // Renewed by a new CA: a client trusting only the new CA tells which
    // certificate the server presents.
    pki::write_leaf(&dir, "server", &new_ca.server()).unwrap();
    std::thread::sleep(AFTER_CHECK_INTERVAL);
    // This handshake notices the change and is answered with the new pair.
    assert!(served(&new_ca, &url), "the new certificate was not served");
    assert!(!served(&old_ca, &url));
    assert_eq!(tls.last_reload_error(), None);
}

#[test]
fn a_broken_pair_keeps_the_old_certificate_and_is_reported() {
    let dir = pki::temp_dir("reload-broken");
    let ca = Ca::new("old");
    let (cert, key) = pki::write_leaf(&dir, "server", &ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let server = pki::serve(ServerOptions::default().tls(tls.clone()));
    let url = format!("https://localhost:{}/metrics", server.local_addr().port());

    // Half-way through a renewal: a new certificate, the old key.
    let renewed = Ca::new("new");
    dir.write("server.crt", &renewed.server().cert_pem).unwrap();
    std::thread::sleep(AFTER_CHECK_INTERVAL);
    assert!(served(&ca, &url), "the old certificate is no longer served");
    let error = tls
        .last_reload_error()
        .expect("the failed reload is reported");
    assert!(
        error.contains("server.crt") && error.contains("server.key"),
        "{error}"
    );

    // An explicit reload reports the error too.
    let err = tls.reload().unwrap_err().to_string();
    assert!(err.starts_with("cannot use TLS certificate "), "{err}");

    // The key arrives: the next look serves the new pair.
    let leaf = renewed.server();
    pki::write_leaf(&dir, "server", &leaf).unwrap();
    std::thread::sleep(AFTER_CHECK_INTERVAL);
    assert!(served(&renewed, &url));
    assert_eq!(tls.last_reload_error(), None);
}

#[test]
fn reload_serves_new_files_at_once() {
    let dir = pki::temp_dir("reload-now");
    let old_ca = Ca::new("old");
    let (cert, key) = pki::write_leaf(&dir, "server", &old_ca.server()).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let server = pki::serve(ServerOptions::default().tls(tls.clone()));
    let url = format!("https://localhost:{}/metrics", server.local_addr().port());
    assert!(served(&old_ca, &url));

    let new_ca = Ca::new("new");
    pki::write_leaf(&dir, "server", &new_ca.server()).unwrap();
    tls.reload().unwrap();
    assert!(served(&new_ca, &url));

    // A missing file: the error names it and the certificate stays.
    std::fs::remove_file(&key).unwrap();
    let err = tls.reload().unwrap_err().to_string();
    assert!(
        err.starts_with("cannot read TLS private key file ") && err.contains("server.key"),
        "{err}"
    );
    assert!(served(&new_ca, &url));
}
