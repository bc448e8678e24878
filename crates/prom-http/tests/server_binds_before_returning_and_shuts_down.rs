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

#[test]
fn shutdown_is_not_held_up_by_open_connections() {
    use std::io::{Read, Write};
    let server = prom_http::start_http_server(
        "127.0.0.1:0",
        Arc::new(prom_core::Gauge::new("g", "").unwrap()),
    )
    .unwrap();
    let addr = server.local_addr();
    // One idle keep-alive connection after a scrape, one stuck mid-head.
    let mut idle = std::net::TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0; 1024];
    assert!(idle.read(&mut buf).unwrap() > 0);
    let mut stuck = std::net::TcpStream::connect(addr).unwrap();
    stuck.write_all(b"GET /metrics HTTP/1.1\r\nHo").unwrap();
    let start = std::time::Instant::now();
    server.shutdown();
    // The grace period (5 s) bounds it; 60 s is for loaded machines.
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
    TcpListener::bind(addr).unwrap();
    // Both connections were closed.
    idle.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    assert!(!matches!(idle.read(&mut buf), Ok(n) if n > 0));
}
