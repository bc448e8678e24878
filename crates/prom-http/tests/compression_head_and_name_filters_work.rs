//! gzip, HEAD and `name[]` filtering behave as client_python's handler does;
//! zstd is served when preferred, as client_golang's handler does.

use std::io::Read;

mod common;

#[test]
fn gzip_when_accepted() {
    let (server, _, _) = common::server();
    let url = format!("http://{}/metrics", server.local_addr());
    let plain = common::get(&url, &[]).text();
    let r = common::get(&url, &[("Accept-Encoding", "gzip, deflate")]);
    assert_eq!(r.content_encoding.as_deref(), Some("gzip"));
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    let r = common::get(&url, &[("Accept-Encoding", "gzip;q=0, identity")]);
    assert_eq!(r.content_encoding, None);
}

#[test]
fn zstd_when_preferred_or_alone() {
    let (server, _, _) = common::server();
    let url = format!("http://{}/metrics", server.local_addr());
    let plain = common::get(&url, &[]).body;
    for header in ["zstd", "gzip, zstd", "gzip;q=0.5, zstd;q=0.9, br"] {
        let r = common::get(&url, &[("Accept-Encoding", header)]);
        assert_eq!(r.content_encoding.as_deref(), Some("zstd"), "{header}");
        assert_eq!(zstd::decode_all(&r.body[..]).unwrap(), plain, "{header}");
    }
    let r = common::get(&url, &[("Accept-Encoding", "zstd;q=0.1, gzip")]);
    assert_eq!(r.content_encoding.as_deref(), Some("gzip"));
}

#[test]
fn head_has_headers_and_no_body() {
    let (server, _, _) = common::server();
    let r = common::request(
        "HEAD",
        &format!("http://{}/metrics", server.local_addr()),
        &[],
    );
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/plain"));
    assert!(r.body.is_empty());
}

#[test]
fn name_filter_restricts_families() {
    let (server, _, _) = common::server();
    let base = format!("http://{}/metrics", server.local_addr());
    let only = common::get(&format!("{base}?name[]=requests_total"), &[]).text();
    assert!(only.contains("requests_total{path=\"/a\"} 1"), "{only}");
    assert!(!only.contains("temperature"), "{only}");
    let both = common::get(
        &format!("{base}?name%5B%5D=temperature_celsius&name[]=requests"),
        &[],
    )
    .text();
    assert!(
        both.contains("requests_total") && both.contains("temperature_celsius 21.5"),
        "{both}"
    );
    let none = common::get(&format!("{base}?name[]=nope"), &[]);
    assert_eq!((none.status, none.body.len()), (200, 0));
}

#[test]
fn other_paths_are_not_found() {
    let (server, _, _) = common::server();
    let r = common::get(&format!("http://{}/nope", server.local_addr()), &[]);
    assert_eq!(r.status, 404);
}
