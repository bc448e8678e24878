//! A collector error becomes a 500 naming it; the next scrape succeeds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use prom_core::{CollectError, Collector, FnCollector, Gauge};

mod common;

#[test]
fn a_failed_scrape_does_not_stop_the_server() {
    let failing = Arc::new(AtomicBool::new(true));
    let g = Gauge::new("g", "").unwrap();
    let flag = Arc::clone(&failing);
    let source = FnCollector::new(move |out| {
        if flag.load(Ordering::SeqCst) {
            return Err(CollectError::new("flaky", "sensor unplugged"));
        }
        g.collect(out)
    });
    let server = prom_http::start_http_server("127.0.0.1:0", Arc::new(source)).unwrap();
    let url = format!("http://{}/metrics", server.local_addr());
    let r = common::get(&url, &[]);
    assert_eq!(r.status, 500);
    assert!(
        r.text().contains("flaky") && r.text().contains("sensor unplugged"),
        "{}",
        r.text()
    );
    failing.store(false, Ordering::SeqCst);
    let r = common::get(&url, &[]);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("g 0"));
}
