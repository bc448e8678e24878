//! An exporter-toolkit `web-config.yml`, written here as an operator would,
//! configures TLS, mTLS, basic auth and response headers; a bad file is an
//! error naming the file and the field.

mod common;
#[path = "common/pki.rs"]
mod pki;

use prom_http::{ServerOptions, WebConfig};

use pki::{Ca, TempDir};

#[test]
fn the_file_configures_mtls_basic_auth_and_headers() {
    let dir = pki::temp_dir("web-config");
    let server_ca = Ca::new("server");
    let client_ca = Ca::new("clients");
    pki::write_leaf(&dir, "server", &server_ca.server()).unwrap();
    dir.write("clients-ca.crt", &client_ca.cert_pem).unwrap();
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    // Relative names are relative to the file's directory.
    let path = dir.write(
        "web-config.yml",
        &format!(
            "# As exporter-toolkit documents it.\n\
             tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n\
             \x20 client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients-ca.crt\n\
             \x20 min_version: TLS12\n  max_version: TLS13\n\
             \x20 cipher_suites:\n    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n    - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\n\
             \x20 curve_preferences: [X25519, CurveP256, CurveP521]\n\
             \x20 prefer_server_cipher_suites: true\n\
             http_server_config:\n  http2: true\n  headers:\n    X-Frame-Options: deny\n    Content-Security-Policy: \"\"\n\
             basic_auth_users:\n  prometheus: {hash}\n"
        ),
    ).unwrap();
    let config = WebConfig::from_file(&path).unwrap();
    assert!(config.tls().is_some());
    assert!(!config.basic_auth().is_empty());
    let server = pki::serve(ServerOptions::default().web_config(config));
    let url = format!("https://localhost:{}/metrics", server.local_addr().port());

    let client = client_ca.client();
    let agent = pki::client(&server_ca, Some(&client));
    let ok = pki::get(&agent, &url, Some(("prometheus", "s3cret"))).unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, common::EXPECTED_TEXT);
    assert_eq!(ok.header("X-Frame-Options"), Some("deny"));
    // A blank header value sets nothing, as in exporter-toolkit.
    assert_eq!(ok.header("Content-Security-Policy"), None);

    let refused = pki::get(&agent, &url, Some(("prometheus", "wrong"))).unwrap();
    assert_eq!(refused.status, 401);
    assert!(refused.www_authenticate.is_some());
    assert!(!refused.body.contains("requests_total"));
    assert!(pki::get(
        &pki::client(&server_ca, None),
        &url,
        Some(("prometheus", "s3cret"))
    )
    .is_err());
}

#[test]
fn a_file_without_tls_serves_plain_http_with_basic_auth() {
    let dir = pki::temp_dir("web-config-plain");
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let path = dir
        .write(
            "web.yml",
            &format!("tls_server_config: {{}}\nbasic_auth_users:\n  prometheus: '{hash}'\n"),
        )
        .unwrap();
    let config = WebConfig::from_file(&path).unwrap();
    assert!(config.tls().is_none());
    let server = pki::serve(ServerOptions::default().web_config(config));
    let url = format!("http://{}/metrics", server.local_addr());
    let agent = ureq::agent();
    assert_eq!(pki::get(&agent, &url, None).unwrap().status, 401);
    assert_eq!(
        pki::get(&agent, &url, Some(("prometheus", "s3cret")))
            .unwrap()
            .status,
        200
    );
    // An empty file (comments only) is an empty configuration.
    let empty = dir.write("empty.yml", "# nothing yet\n").unwrap();
    let config = WebConfig::from_file(&empty).unwrap();
    assert!(config.tls().is_none() && config.basic_auth().is_empty());
}

/// The error `from_file` gives for a file holding `yaml`, with the
/// temporary directory replaced by `<dir>`.
fn error_for(dir: &TempDir, yaml: &str) -> String {
    let path = dir.write("web.yml", yaml).unwrap();
    let err = WebConfig::from_file(&path).unwrap_err();
    err.to_string()
        .replace(&dir.path().display().to_string(), "<dir>")
}

#[test]
fn bad_files_are_errors_naming_the_file_and_the_field() {
    let dir = pki::temp_dir("web-config-bad");
    let ca = Ca::new("server");
    pki::write_leaf(&dir, "server", &ca.server()).unwrap();
    dir.write("ca.crt", &ca.cert_pem).unwrap();
    let tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

    let err = error_for(&dir, "tls_server_config:\n  cert_fil: server.crt\n");
    assert!(
        err.starts_with(
            "invalid web config <dir>/web.yml: tls_server_config: unknown field `cert_fil`"
        ),
        "{err}"
    );
    let err = error_for(&dir, "basic_auth_user:\n  a: b\n");
    assert!(
        err.starts_with("invalid web config <dir>/web.yml: unknown field `basic_auth_user`"),
        "{err}"
    );
    let err = error_for(
        &dir,
        &format!("{tls}  prefer_server_cipher_suites: maybe\n"),
    );
    assert!(
        err.contains("tls_server_config.prefer_server_cipher_suites: invalid type"),
        "{err}"
    );
    let err = error_for(
        &dir,
        "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n",
    );
    assert_eq!(
        err,
        "invalid web config <dir>/web.yml: tls_server_config.cert_file: cannot read TLS certificate file <dir>/nope.crt: No such file or directory (os error 2)"
    );
    let err = error_for(
        &dir,
        "tls_server_config:\n  cert_file: server.crt\n  key_file: ca.crt\n",
    );
    assert!(err.starts_with("invalid web config <dir>/web.yml: tls_server_config.key_file: no usable PEM private key in <dir>/ca.crt"), "{err}");
    let err = error_for(&dir, "tls_server_config:\n  key_file: server.key\n");
    assert_eq!(
        err,
        "invalid web config <dir>/web.yml: tls_server_config.cert_file: invalid TLS setting cert_file: not set, and TLS needs both cert_file and key_file"
    );
    let err = error_for(&dir, &format!("{tls}  client_auth_type: Sometimes\n"));
    assert!(err.starts_with("invalid web config <dir>/web.yml: tls_server_config.client_auth_type: invalid TLS setting client_auth_type: unknown value \"Sometimes\""), "{err}");
    let err = error_for(&dir, &format!("{tls}  client_ca_file: ca.crt\n"));
    assert!(err.starts_with("invalid web config <dir>/web.yml: tls_server_config.client_auth_type: invalid TLS setting client_auth_type: a client CA is set"), "{err}");
    let err = error_for(
        &dir,
        &format!("{tls}  client_auth_type: RequireAndVerifyClientCert\n"),
    );
    assert!(err.contains("needs a client CA file"), "{err}");
    let err = error_for(&dir, &format!("{tls}  max_version: TLS11\n"));
    assert!(err.starts_with("invalid web config <dir>/web.yml: tls_server_config.max_version: invalid TLS setting max_version: TLS11 cannot be served"), "{err}");
    let err = error_for(
        &dir,
        &format!("{tls}  min_version: TLS13\n  max_version: TLS12\n"),
    );
    assert!(err.contains("tls_server_config.min_version: invalid TLS setting min_version: Tls13 is above max_version Tls12"), "{err}");
    let err = error_for(&dir, &format!("{tls}  cipher_suites: [TLS_FAST]\n"));
    assert!(err.contains("tls_server_config.cipher_suites: invalid TLS setting cipher_suites: unknown cipher suite \"TLS_FAST\""), "{err}");
    let err = error_for(&dir, &format!("{tls}  curve_preferences: [CurveP521]\n"));
    assert!(err.contains("tls_server_config.curve_preferences: invalid TLS setting curve_preferences: none of the curves"), "{err}");
    let err = error_for(&dir, &format!("{tls}  client_allowed_sans: [a.example]\n"));
    assert!(err.starts_with("invalid web config <dir>/web.yml: tls_server_config.client_allowed_sans is not supported: "), "{err}");
    let err = error_for(
        &dir,
        "tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n",
    );
    assert!(
        err.starts_with(
            "invalid web config <dir>/web.yml: tls_server_config.cert is not supported: "
        ),
        "{err}"
    );
    let err = error_for(&dir, "rate_limit:\n  interval: 1s\n  burst: 10\n");
    assert!(
        err.starts_with("invalid web config <dir>/web.yml: rate_limit is not supported: "),
        "{err}"
    );
    let err = error_for(&dir, "basic_auth_users:\n  prometheus: plain-text\n");
    assert!(err.starts_with("invalid web config <dir>/web.yml: basic_auth_users.prometheus: invalid basic-auth user \"prometheus\": the password hash is not a bcrypt hash"), "{err}");
    let err = error_for(&dir, "basic_auth_users: [prometheus]\n");
    assert!(err.starts_with("invalid web config <dir>/web.yml: basic_auth_users: invalid type: sequence, expected a map"), "{err}");
    let err = error_for(
        &dir,
        "http_server_config:\n  headers:\n    X-Powered-By: prom\n",
    );
    assert!(err.starts_with("invalid web config <dir>/web.yml: http_server_config.headers.X-Powered-By: response header \"X-Powered-By\" cannot be configured: only "), "{err}");
    let err = error_for(
        &dir,
        "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
    );
    assert!(
        err.contains("the value must be one of [\"nosniff\"], not \"sniff\""),
        "{err}"
    );

    let missing = dir.path().join("missing.yml");
    let err = WebConfig::from_file(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with("cannot read web config ") && err.contains("missing.yml"),
        "{err}"
    );
}
