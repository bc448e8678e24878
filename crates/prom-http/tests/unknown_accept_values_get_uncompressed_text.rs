//! Unknown, odd or invalid Accept and Accept-Encoding values get text 0.0.4 without compression.

use std::io::{Read, Write};
use std::time::Duration;

mod common;

const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[test]
fn unknown_accept_values() {
    let (server, _, _) = common::server();
    let url = format!("http://{}/metrics", server.local_addr());
    let long = "application/x-unknown;q=0.5, ".repeat(300);
    for accept in [
        "application/x-unknown",
        "text/html",
        "*/*",
        "application/json, text/*;q=0.1",
        "",
        "garbage;;;,,,;q=",
        "openmetrics-text",
        "application/openmetrics-text;q=0",
        long.as_str(),
    ] {
        let r = common::get(&url, &[("Accept", accept)]);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.content_type, TEXT, "{accept}");
        assert_eq!(r.content_encoding, None, "{accept}");
        assert_eq!(r.text(), common::EXPECTED_TEXT, "{accept}");
    }
    common::assert_scrapes(server.local_addr());
}

#[test]
fn unknown_accept_encoding_values() {
    let (server, _, _) = common::server();
    let url = format!("http://{}/metrics", server.local_addr());
    for encoding in [
        "br",
        "deflate",
        "compress, br;q=1.0",
        "zstd;q=0",
        "identity",
        "x-unknown",
        "",
        "gzip;q=0",
        ";;;,,,",
        "gzipp",
    ] {
        let r = common::get(&url, &[("Accept-Encoding", encoding)]);
        assert_eq!(r.status, 200, "{encoding}");
        assert_eq!(r.content_type, TEXT, "{encoding}");
        assert_eq!(r.content_encoding, None, "{encoding}");
        assert_eq!(r.text(), common::EXPECTED_TEXT, "{encoding}");
    }
    common::assert_scrapes(server.local_addr());
}

#[test]
fn header_values_that_are_not_utf8_are_ignored() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let mut stream = common::connect(addr, Duration::from_secs(30));
    stream
        .write_all(
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text\xff\xfe\r\n\
              Accept-Encoding: gzip\xc3\x28\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8(reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains(&format!("content-type: {TEXT}")), "{head}");
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, common::EXPECTED_TEXT);
    common::assert_scrapes(addr);
}
