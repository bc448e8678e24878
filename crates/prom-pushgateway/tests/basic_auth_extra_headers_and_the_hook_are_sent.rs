//! Basic auth, extra headers and the request hook's changes are sent: the real Pushgateway
//! (requiring basic auth) accepts them, and a recording listener shows the raw request.

#![cfg(feature = "blocking")]

mod common;

use common::{of_job, RecordingServer};
use prom_codec::Encoder;
use prom_core::Gauge;
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{Group, Method, Options, PushError};
use prom_testkit::Pushgateway as RealPushgateway;

fn gauge() -> Gauge {
    let g = Gauge::new("auth_probe", "Probe for authentication.").unwrap();
    g.set(7.0);
    g
}

fn assert_unauthorized(result: Result<(), PushError>) {
    match result {
        Err(PushError::Status { status: 401, .. }) => {}
        other => panic!("expected HTTP 401, got {other:?}"),
    }
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_real_gateway_accepts_only_the_right_credentials() {
    let real = RealPushgateway::start_with_basic_auth().unwrap();
    let group = Group::new("authed");

    assert_unauthorized(
        Pushgateway::new(&real.url())
            .unwrap()
            .push(&group, &gauge()),
    );
    let wrong = Options::new().basic_auth(RealPushgateway::USERNAME, "wrong");
    assert_unauthorized(
        Pushgateway::with_options(&real.url(), wrong)
            .unwrap()
            .push(&group, &gauge()),
    );

    let right = Options::new().basic_auth(RealPushgateway::USERNAME, RealPushgateway::PASSWORD);
    let gateway = Pushgateway::with_options(&real.url(), right).unwrap();
    gateway.push(&group, &gauge()).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(
        of_job(&text, "auth_probe", "authed")[0].value,
        7.0,
        "{text}"
    );
    gateway.delete(&group).unwrap();
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn a_hook_can_authenticate_on_its_own_against_the_real_gateway() {
    let real = RealPushgateway::start_with_basic_auth().unwrap();
    // Custom authentication as client_python's handler would do it: the hook writes the
    // credentials itself.
    let options = Options::new().hook(|request| {
        request.set_header("Authorization", "Basic cHVzaGVyOnMzY3JldA==")?;
        Ok(())
    });
    let gateway = Pushgateway::with_options(&real.url(), options).unwrap();
    gateway.push(&Group::new("hooked"), &gauge()).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(of_job(&text, "auth_probe", "hooked").len(), 1, "{text}");
}

#[test]
fn the_raw_request_carries_auth_headers_hook_changes_and_the_body() {
    let server = RecordingServer::start(200, "");
    let options = Options::new()
        .basic_auth("pusher", "s3cret")
        .header("X-Scope-OrgID", "team-a")
        .unwrap()
        .hook(|request| {
            // A signature over the parts the hook sees.
            let signature = format!(
                "{} {} {}",
                request.method(),
                request.url().len(),
                request.body().len()
            );
            request.set_header("X-Signature", &signature)?;
            Ok(())
        });
    let gateway = Pushgateway::with_options(&server.url(), options).unwrap();
    let g = gauge();
    gateway
        .push(&Group::new("rec").label("instance", "a b"), &g)
        .unwrap();

    let request = server.next();
    assert_eq!(
        request.request_line(),
        "PUT /metrics/job/rec/instance/a%20b HTTP/1.1"
    );
    assert_eq!(
        request.headers("authorization"),
        ["Basic cHVzaGVyOnMzY3JldA=="]
    );
    assert_eq!(request.headers("x-scope-orgid"), ["team-a"]);
    assert_eq!(
        request.headers("content-type"),
        ["text/plain; version=0.0.4; charset=utf-8"]
    );
    assert!(request.headers("user-agent")[0].starts_with("prom-pushgateway/"));
    let expected_body = Encoder::text()
        .encode_to_string(&prom_core::collect(&g).unwrap())
        .unwrap()
        .into_bytes();
    assert_eq!(request.body, expected_body);
    let url = format!("{}/metrics/job/rec/instance/a%20b", server.url());
    assert_eq!(
        request.headers("x-signature"),
        [format!("PUT {} {}", url.len(), expected_body.len())]
    );

    gateway.delete(&Group::new("rec")).unwrap();
    let request = server.next();
    assert_eq!(request.request_line(), "DELETE /metrics/job/rec HTTP/1.1");
    assert!(
        request.headers("content-type").is_empty(),
        "{}",
        request.head
    );
    let delete_url = format!("{}/metrics/job/rec", server.url());
    assert_eq!(
        request.headers("x-signature"),
        [format!("DELETE {} 0", delete_url.len())]
    );
    assert!(request.body.is_empty());
}

#[test]
fn a_failing_hook_sends_nothing() {
    let server = RecordingServer::start(200, "");
    let options = Options::new().hook(|_| Err("signing key unavailable".into()));
    let gateway = Pushgateway::with_options(&server.url(), options).unwrap();

    let err = gateway.push(&Group::new("rec"), &gauge()).unwrap_err();
    match &err {
        PushError::Hook { method, url, .. } => {
            assert_eq!(*method, Method::Put);
            assert_eq!(*url, format!("{}/metrics/job/rec", server.url()));
        }
        other => panic!("expected a hook error, got {other:?}"),
    }
    assert!(err
        .to_string()
        .ends_with("the request hook failed: signing key unavailable"));
    assert!(!server.received_any());
}
