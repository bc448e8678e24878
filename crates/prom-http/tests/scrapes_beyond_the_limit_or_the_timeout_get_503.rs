//! promhttp's `MaxRequestsInFlight` and `Timeout`: a scrape beyond the limit
//! or past the timeout gets a 503 saying which, and the endpoint recovers.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use prom_http::{HandlerOptions, ServerOptions};

mod common;

#[test]
fn a_scrape_beyond_the_request_limit_gets_503_until_one_finishes() {
    let options = ServerOptions::default().max_requests_in_flight(1);
    let (_server, gate, url) = common::gated_server(options);
    let first = {
        let url = url.clone();
        thread::spawn(move || common::get(&url, &[]))
    };
    gate.wait_for_collections(1);
    // Another format would need its own collection; the limit counts requests.
    for accept in ["text/plain", "application/openmetrics-text"] {
        let refused = common::get(&url, &[("Accept", accept)]);
        assert_eq!(refused.status, 503);
        assert_eq!(
            refused.text(),
            "too many scrapes in flight (limit 1); try again later\n"
        );
    }
    gate.open();
    let first = first.join().unwrap();
    assert_eq!(
        (first.status, first.text().as_str()),
        (200, "# TYPE gated gauge\ngated 1\n")
    );
    assert_eq!(common::get(&url, &[]).status, 200);
}

#[test]
fn a_scrape_past_the_timeout_gets_503_and_later_scrapes_work() {
    let options = ServerOptions::default().scrape_timeout(Duration::from_millis(300));
    let (_server, gate, url) = common::gated_server(options);
    let start = Instant::now();
    let late = common::get(&url, &[]);
    let waited = start.elapsed();
    assert_eq!(late.status, 503);
    assert_eq!(
        late.text(),
        "scrape timed out after 0.3s; the collection goes on in the background\n"
    );
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // A second scrape joins the stuck collection rather than starting one.
    assert_eq!(common::get(&url, &[]).status, 503);
    assert_eq!(gate.collections(), 1);
    gate.open();
    let r = common::get(&url, &[]);
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "# TYPE gated gauge\ngated 1\n")
    );
}

#[test]
fn the_axum_route_applies_the_same_limits() {
    let gate = common::Gate::default();
    let options = HandlerOptions::default()
        .max_requests_in_flight(1)
        .timeout(Duration::from_millis(300));
    let app: axum::Router = prom_http::metrics_router_with(Arc::new(gate.clone()), options);
    let (_runtime, base) = common::serve_axum(app);
    let url = format!("{base}/metrics");
    let first = {
        let url = url.clone();
        thread::spawn(move || common::get(&url, &[]))
    };
    gate.wait_for_collections(1);
    let refused = common::get(&url, &[]);
    assert_eq!(
        (refused.status, refused.text().as_str()),
        (
            503,
            "too many scrapes in flight (limit 1); try again later\n"
        )
    );
    let late = first.join().unwrap();
    assert_eq!(
        (late.status, late.text().as_str()),
        (
            503,
            "scrape timed out after 0.3s; the collection goes on in the background\n"
        )
    );
    gate.open();
    let r = common::get(&url, &[]);
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "# TYPE gated gauge\ngated 1\n")
    );
}
