//! Basic auth with bcrypt hashes: a missing or wrong password, or an
//! unknown user, gets 401 with `WWW-Authenticate` and nothing of the
//! metrics; the right password gets them. Configured response headers are
//! on every answer, the 401 included.

mod common;
#[path = "common/pki.rs"]
mod pki;

use std::time::{Duration, Instant};

use prom_http::{BasicAuth, ServerOptions};

/// Low cost: the tests check behaviour, not bcrypt's strength.
const COST: u32 = 4;

fn server() -> prom_http::MetricsServer {
    let auth = BasicAuth::new()
        .user("prometheus", bcrypt::hash("s3cret", COST).unwrap())
        .unwrap()
        .user("grafana", bcrypt::hash("other", COST).unwrap())
        .unwrap();
    let options = ServerOptions::default()
        .basic_auth(auth)
        .response_header("X-Content-Type-Options", "nosniff")
        .unwrap();
    pki::serve(options)
}

fn assert_refused(answer: &pki::Answer) {
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.www_authenticate.as_deref(),
        Some(r#"Basic realm="metrics""#)
    );
    assert!(!answer.body.contains("requests_total"), "{}", answer.body);
    assert!(!answer.body.contains("temperature"), "{}", answer.body);
    assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
}

#[test]
fn only_the_right_password_gets_the_metrics() {
    let server = server();
    let agent = ureq::agent();
    let url = format!("http://{}/metrics", server.local_addr());
    for auth in [
        None,
        Some(("prometheus", "wrong")),
        Some(("prometheus", "")),
        Some(("prometheus", "s3cret ")),
        Some(("nobody", "s3cret")),
        Some(("grafana", "s3cret")),
        Some(("", "")),
    ] {
        let answer = pki::get(&agent, &url, auth).unwrap();
        assert_refused(&answer);
    }
    for (user, password) in [("prometheus", "s3cret"), ("grafana", "other")] {
        let answer = pki::get(&agent, &url, Some((user, password))).unwrap();
        assert_eq!(answer.status, 200, "{user}");
        assert_eq!(answer.body, common::EXPECTED_TEXT);
        assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
    }
    // Another path is refused before it is looked up: no route is revealed.
    assert_refused(
        &pki::get(
            &agent,
            &format!("http://{}/nope", server.local_addr()),
            None,
        )
        .unwrap(),
    );
}

#[test]
fn malformed_authorization_headers_are_refused() {
    let server = server();
    let url = format!("http://{}/metrics", server.local_addr());
    for value in [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic cHJvbWV0aGV1cw==", // "prometheus", no colon
        "Bearer cHJvbWV0aGV1czpzM2NyZXQ=",
    ] {
        let answer = match ureq::get(&url).set("Authorization", value).call() {
            Err(ureq::Error::Status(code, r)) => {
                (code, r.header("www-authenticate").map(str::to_owned))
            }
            other => panic!("{value}: {other:?}"),
        };
        assert_eq!(
            answer,
            (401, Some(r#"Basic realm="metrics""#.to_owned())),
            "{value}"
        );
    }
    // "prometheus:s3cret", with the scheme in another case.
    let ok = ureq::get(&url)
        .set("Authorization", "basic cHJvbWV0aGV1czpzM2NyZXQ=")
        .call()
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[test]
fn an_unknown_user_costs_a_bcrypt_check_too() {
    // Cost 10 makes one check take milliseconds even on a fast machine, so
    // an answer that skipped bcrypt would stand out.
    let auth = BasicAuth::new()
        .user("prometheus", bcrypt::hash("s3cret", 10).unwrap())
        .unwrap();
    let server = pki::serve(ServerOptions::default().basic_auth(auth));
    let url = format!("http://{}/metrics", server.local_addr());
    let agent = ureq::agent();
    let time = |user: &str| {
        let start = Instant::now();
        let answer = pki::get(&agent, &url, Some((user, "wrong"))).unwrap();
        assert_eq!(answer.status, 401);
        start.elapsed()
    };
    let known = time("prometheus");
    let unknown = time("nobody");
    assert!(
        known > Duration::from_millis(5),
        "a cost-10 check took {known:?}"
    );
    assert!(
        unknown > known / 3,
        "unknown user answered in {unknown:?}, known user in {known:?}"
    );
}

#[test]
fn a_verified_password_is_not_checked_again() {
    let auth = BasicAuth::new()
        .user("prometheus", bcrypt::hash("s3cret", 10).unwrap())
        .unwrap();
    let server = pki::serve(ServerOptions::default().basic_auth(auth));
    let url = format!("http://{}/metrics", server.local_addr());
    let agent = ureq::agent();
    let time = || {
        let start = Instant::now();
        let answer = pki::get(&agent, &url, Some(("prometheus", "s3cret"))).unwrap();
        assert_eq!(answer.status, 200);
        start.elapsed()
    };
    let first = time();
    let later = (0..5).map(|_| time()).min().unwrap();
    assert!(later < first / 2, "first {first:?}, later {later:?}");
}

#[test]
fn bad_users_and_headers_are_errors_naming_them() {
    let err = BasicAuth::new()
        .user("prometheus", "plain-text")
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            r#"invalid basic-auth user "prometheus": the password hash is not a bcrypt hash"#
        ),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
    let err = BasicAuth::new()
        .user("a:b", bcrypt::hash("x", COST).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid basic-auth user "a:b": a user name cannot contain ':'"#
    );
    let err = ServerOptions::default()
        .response_header("X-Frame-Options", "allow")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"response header "X-Frame-Options" cannot be configured: the value must be one of ["deny", "sameorigin"], not "allow""#
    );
    let err = ServerOptions::default()
        .response_header("Server", "prom")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"response header "Server" cannot be configured: only "#),
        "{err}"
    );
}
