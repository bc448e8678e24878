//! `push` returns a connection error that names the address when nothing listens there, and a
//! collector's failure before anything is sent.

mod common;

use std::error::Error as _;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use common::{eventually, FakeGraphite};
use prom_core::{CollectError, FnCollector, Gauge};
use prom_graphite::{GraphiteBridge, GraphiteError};

#[test]
fn connection_refused_names_the_address() {
    // A port that was just free: bound, then released.
    let addr = {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let gauge = Gauge::new("g", "").unwrap();

    let err = GraphiteBridge::new(addr.clone()).push(&gauge).unwrap_err();

    assert!(matches!(err, GraphiteError::Connect { .. }), "{err:?}");
    assert_eq!(err.addr(), Some(addr.as_str()));
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("cannot connect to Graphite at {addr}: ")),
        "{message}"
    );
    let source = err
        .source()
        .and_then(|s| s.downcast_ref::<io::Error>())
        .expect("the io::Error is the source");
    assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);
}

#[test]
fn a_failing_collector_is_an_error_and_sends_nothing() {
    let graphite = FakeGraphite::start();
    let failing = FnCollector::new(|_| Err(CollectError::new("disk", "cannot read /proc")));

    let err = GraphiteBridge::new(graphite.addr().to_string())
        .push(&failing)
        .unwrap_err();

    assert!(matches!(err, GraphiteError::Collect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&graphite.addr().to_string()), "{message}");
    assert!(message.contains("cannot read /proc"), "{message}");

    // Connections are recorded in order, so if the failed push had connected, its (empty)
    // connection would come before this one.
    let gauge = Gauge::new("after", "").unwrap();
    GraphiteBridge::new(graphite.addr().to_string())
        .push(&gauge)
        .unwrap();
    assert!(eventually(Duration::from_secs(30), || !graphite
        .connections()
        .is_empty()));
    let connections = graphite.connections();
    assert_eq!(connections.len(), 1, "{connections:?}");
    assert!(connections[0].starts_with("after 0.0 "), "{connections:?}");
}
