//! A gateway nobody listens on is a connection error naming the URL, returned well before the
//! timeout; one that accepts but never answers is a timeout error after the configured time.

#![cfg(feature = "blocking")]

use std::net::{Ipv4Addr, TcpListener};
use std::time::{Duration, Instant};

use prom_core::Gauge;
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{Group, Method, Options, PushError};

fn gauge() -> Gauge {
    Gauge::new("unreachable_probe", "Never arrives.").unwrap()
}

#[test]
fn a_closed_port_is_a_quick_connection_error() {
    // Free a moment ago and nobody listens on it.
    let port = prom_testkit::free_port();
    let gateway_url = format!("http://127.0.0.1:{port}");
    let gateway = Pushgateway::new(&gateway_url).unwrap();

    let started = Instant::now();
    let err = gateway.push(&Group::new("down"), &gauge()).unwrap_err();
    let took = started.elapsed();

    // The default timeout is 30 s; a refused connection must not wait for it.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    match &err {
        PushError::Connect { method, url, .. } => {
            assert_eq!(*method, Method::Put);
            assert_eq!(*url, format!("{gateway_url}/metrics/job/down"));
        }
        other => panic!("expected a connection error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "PUT {gateway_url}/metrics/job/down: cannot connect to the Pushgateway: "
        )),
        "{message}"
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(std::error::Error::source(&err).is_some());

    let err = gateway.delete(&Group::new("down")).unwrap_err();
    assert!(
        matches!(
            err,
            PushError::Connect {
                method: Method::Delete,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_silent_gateway_is_a_timeout_error() {
    // The kernel completes the handshake into the backlog, but nobody ever answers.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let gateway_url = format!("http://{}", listener.local_addr().unwrap());
    let timeout = Duration::from_millis(500);
    let gateway = Pushgateway::with_options(&gateway_url, Options::new().timeout(timeout)).unwrap();

    let started = Instant::now();
    let err = gateway.push(&Group::new("silent"), &gauge()).unwrap_err();
    let took = started.elapsed();

    assert!(took >= timeout, "took {took:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    match &err {
        PushError::Timeout {
            url, timeout: t, ..
        } => {
            assert_eq!(*url, format!("{gateway_url}/metrics/job/silent"));
            assert_eq!(*t, timeout);
        }
        other => panic!("expected a timeout error, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "PUT {gateway_url}/metrics/job/silent: the Pushgateway did not answer within 500ms"
        )
    );
    drop(listener);
}
