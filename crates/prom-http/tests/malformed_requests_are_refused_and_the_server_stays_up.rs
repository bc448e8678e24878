//! Malformed requests get a 4xx or a closed connection; the next scrape still succeeds.

use common::Outcome;

mod common;

#[test]
fn malformed_request_lines_get_400() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let cases: &[&[u8]] = &[
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /metrics\r\n\r\n",
        b"GET /metrics HTTP/1.1 trailing\r\nHost: x\r\n\r\n",
        b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n",
        b"G\x00T /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /met rics HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nBad\x01Name: y\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 a TLS hello to a plain port\r\n\r\n",
        b"\xff\xfe\xfd\r\n\r\n",
    ];
    for &request in cases {
        let outcome = common::exchange(addr, request);
        assert_eq!(
            outcome,
            Outcome::Status(400),
            "{:?}",
            String::from_utf8_lossy(request)
        );
        common::assert_scrapes(addr);
    }
}

#[test]
fn requests_the_endpoint_does_not_serve_get_4xx() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let cases: &[(&[u8], u16)] = &[
        (b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 405),
        (b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405),
        (b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
        (b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400),
    ];
    for &(request, status) in cases {
        let outcome = common::exchange(addr, request);
        assert_eq!(
            outcome,
            Outcome::Status(status),
            "{:?}",
            String::from_utf8_lossy(request)
        );
        common::assert_scrapes(addr);
    }
}

#[test]
fn truncated_and_empty_connections_are_closed_quietly() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    for request in [
        &b""[..],
        b"GET /metr",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\n",
    ] {
        let mut stream = common::connect(addr, std::time::Duration::from_secs(30));
        std::io::Write::write_all(&mut stream, request).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut stream, &mut reply) {
            assert!(common::is_closed(&e), "{e}");
        }
        // Half a request and then EOF is no request: nothing to answer.
        assert_eq!(common::status_of(&reply), Outcome::Closed);
        common::assert_scrapes(addr);
    }
}
