//! Request heads over the limit get a 431 (or a closed connection); the server stays up.

use common::Outcome;

mod common;

/// The server may answer 431 and close before reading everything sent,
/// and the client's kernel may then see a reset that discards the 431: both
/// are a clean refusal.
fn assert_refused(outcome: Outcome, what: &str) {
    assert!(
        matches!(outcome, Outcome::Status(431) | Outcome::Closed),
        "{what}: {outcome:?}"
    );
}

#[test]
fn one_header_of_100_kib() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let request = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    assert_refused(common::exchange(addr, request.as_bytes()), "one big header");
    common::assert_scrapes(addr);
}

#[test]
fn many_small_headers() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    // 2,100 headers of 50 bytes are over the size limit; 500 of 20 bytes
    // are under it but over the count hyper parses (100).
    for (count, value_len) in [(2100, 38), (500, 8)] {
        let mut request = String::from("GET /metrics HTTP/1.1\r\nHost: x\r\n");
        for i in 0..count {
            request.push_str(&format!("X-H{i:05}: {}\r\n", "b".repeat(value_len)));
        }
        request.push_str("\r\n");
        assert_refused(
            common::exchange(addr, request.as_bytes()),
            &format!("{count} headers, {} bytes", request.len()),
        );
        common::assert_scrapes(addr);
    }
}

#[test]
fn a_request_line_of_100_kib() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let request = format!(
        "GET /metrics?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "name[]=x&".repeat(100 * 1024 / 9)
    );
    let outcome = common::exchange(addr, request.as_bytes());
    assert!(
        matches!(outcome, Outcome::Status(414 | 431) | Outcome::Closed),
        "{outcome:?}"
    );
    common::assert_scrapes(addr);
}

#[test]
fn a_head_that_never_ends_is_cut_at_the_limit() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    // 4 MiB of headers and no blank line: the server must answer (or close)
    // without waiting for the end, which never comes.
    let mut request = String::from("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    let line = format!("X-Filler: {}\r\n", "c".repeat(1000));
    while request.len() < 4 << 20 {
        request.push_str(&line);
    }
    assert_refused(common::exchange(addr, request.as_bytes()), "endless head");
    // Several at once, so a per-connection buffer bound is what holds.
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || common::exchange(addr, request.as_bytes()))
        })
        .collect();
    for client in clients {
        assert_refused(client.join().unwrap(), "endless head, concurrently");
    }
    common::assert_scrapes(addr);
}

#[test]
fn heads_under_the_limit_are_served() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    // A large but legitimate head (a long bearer token, say) still scrapes.
    let token = "t".repeat(16 * 1024);
    let r = common::get(
        &format!("http://{addr}/metrics"),
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), common::EXPECTED_TEXT);
    common::assert_scrapes(addr);
}
