//! `start_http_server` reports bind errors to its caller and stops cleanly.

use std::net::TcpListener;
use std::sync::Arc;

use prom_http::HttpError;

#[test]
fn a_port_in_use_is_an_error_for_the_caller() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let err = prom_http::start_http_server(addr, Arc::new(prom_core::Gauge::new("g", "").unwrap()))
        .unwrap_err();
    assert!(matches!(err, HttpError::Bind { .. }), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[test]
fn shutdown_releases_the_port() {
    let server = prom_http::start_http_server(
        "127.0.0.1:0",
        Arc::new(prom_core::Gauge::new("g", "").unwrap()),
    )
    .unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert!(std::net::TcpStream::connect(addr).is_ok());
    server.shutdown();
    // Nobody listens any more, so the port can be bound again.
    TcpListener::bind(addr).unwrap();
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let addr = {
        let server = prom_http::start_http_server(
            "127.0.0.1:0",
            Arc::new(prom_core::Gauge::new("g", "").unwrap()),
        )
        .unwrap();
        server.local_addr()
    };
    assert!(std::net::TcpStream::connect(addr).is_err());
}
