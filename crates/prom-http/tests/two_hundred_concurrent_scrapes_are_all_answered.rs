//! 200 connections scraping at once are all answered in full (or cleanly refused), and the server keeps answering afterwards.

use std::io::Read;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

mod common;

#[derive(Debug)]
enum Result {
    /// A 200 with the full, correct body.
    Scraped,
    /// No connection or no answer: a clean refusal.
    Refused,
}

/// `n` clients released together, each scraping `addr` once on its own
/// connection and checking the body is `expected`.
fn scrape_all_at_once(addr: std::net::SocketAddr, n: usize, expected: &'static str) -> Vec<Result> {
    let start = Arc::new(Barrier::new(n));
    let clients: Vec<_> = (0..n)
        .map(|_| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(60))
                    .max_idle_connections(0)
                    .build();
                start.wait();
                match agent.get(&format!("http://{addr}/metrics")).call() {
                    Ok(res) => {
                        assert_eq!(res.status(), 200);
                        let mut body = String::new();
                        res.into_reader().read_to_string(&mut body).unwrap();
                        assert_eq!(body, expected);
                        Result::Scraped
                    }
                    Err(ureq::Error::Status(code, _)) => panic!("status {code}"),
                    Err(ureq::Error::Transport(t)) => {
                        println!("refused: {t}");
                        Result::Refused
                    }
                }
            })
        })
        .collect();
    clients.into_iter().map(|c| c.join().unwrap()).collect()
}

fn count_scraped(results: &[Result]) -> usize {
    results
        .iter()
        .filter(|r| matches!(r, Result::Scraped))
        .count()
}

#[test]
fn two_hundred_at_once() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let results = scrape_all_at_once(addr, 200, common::EXPECTED_TEXT);
    let scraped = count_scraped(&results);
    println!("{scraped} of 200 scraped, the rest refused");
    // Loopback has room for all of them; a refusal is allowed, a wrong or
    // partial answer (which would have panicked above) is not.
    assert!(scraped > 0);
    common::assert_scrapes(addr);
}

#[test]
fn connections_over_the_cap_wait_their_turn() {
    let g = prom_core::Gauge::new("g", "").unwrap();
    let options = prom_http::ServerOptions::default().max_connections(4);
    let server = prom_http::start_http_server_with("127.0.0.1:0", Arc::new(g), options).unwrap();
    let addr = server.local_addr();
    // Four keep-alive connections take every slot...
    let held: Vec<_> = (0..4)
        .map(|_| {
            let mut s = common::connect(addr, Duration::from_secs(30));
            std::io::Write::write_all(&mut s, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut buf = [0; 1024];
            let n = s.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
            s
        })
        .collect();
    // ...so a fifth client waits in the listen queue rather than being served.
    let waiting = thread::spawn(move || {
        let r = common::get(&format!("http://{addr}/metrics"), &[]);
        (r.status, r.text())
    });
    thread::sleep(Duration::from_millis(500));
    assert!(!waiting.is_finished(), "served over the connection cap");
    // Freeing one slot lets it through.
    drop(held);
    let (status, body) = waiting.join().unwrap();
    assert_eq!((status, body.as_str()), (200, "# TYPE g gauge\ng 0\n"));
    // And 200 at once through four slots are all answered, in turn.
    let results = scrape_all_at_once(addr, 200, "# TYPE g gauge\ng 0\n");
    assert_eq!(count_scraped(&results), 200);
}
