//! client_golang's gather coalescing: scrapes that arrive while an identical
//! one is collecting get its result; different requests, or coalescing
//! turned off, collect on their own.

use std::thread;

use prom_http::{HandlerOptions, ServerOptions};

mod common;

fn scrape_concurrently(
    url: &str,
    gate: &common::Gate,
    requests: &[&'static str],
    collections_before_opening: usize,
) -> Vec<common::Reply> {
    let threads: Vec<_> = requests
        .iter()
        .map(|accept| {
            let url = url.to_owned();
            let accept = *accept;
            thread::spawn(move || common::get(&url, &[("Accept", accept)]))
        })
        .collect();
    gate.wait_for_collections(collections_before_opening);
    // Give the other requests time to arrive and join.
    thread::sleep(std::time::Duration::from_millis(300));
    gate.open();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn five_identical_scrapes_cost_one_collection() {
    let (_server, gate, url) = common::gated_server(ServerOptions::default());
    let replies = scrape_concurrently(&url, &gate, &["text/plain"; 5], 1);
    assert_eq!(gate.collections(), 1);
    for r in replies {
        assert_eq!(
            (r.status, r.text().as_str()),
            (200, "# TYPE gated gauge\ngated 1\n")
        );
    }
    // Finished collections are not reused: the next scrape collects afresh.
    assert_eq!(common::get(&url, &[]).status, 200);
    assert_eq!(gate.collections(), 2);
}

#[test]
fn different_formats_collect_separately() {
    let (_server, gate, url) = common::gated_server(ServerOptions::default());
    let om = "application/openmetrics-text";
    let replies = scrape_concurrently(&url, &gate, &["text/plain", om, "text/plain", om], 2);
    assert_eq!(gate.collections(), 2);
    for r in replies {
        assert_eq!(r.status, 200);
        assert!(r.text().contains("gated 1"), "{}", r.text());
    }
}

#[test]
fn without_coalescing_every_scrape_collects() {
    let options = ServerOptions::default().handler(HandlerOptions::default().coalesce(false));
    let (_server, gate, url) = common::gated_server(options);
    let replies = scrape_concurrently(&url, &gate, &["text/plain"; 3], 3);
    assert_eq!(gate.collections(), 3);
    assert!(replies.iter().all(|r| r.status == 200));
}
