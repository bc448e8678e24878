//! Every bad prefix, timeout or address given to the Graphite bridge gets
//! exactly the error `docs/errors.md` shows (rows `graphite.*`). OS messages
//! are Linux's; nothing listening on port 1 is assumed.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::{err, Check};
use prom::graphite::GraphiteBridge;
use prom::{CollectError, FnCollector, Gauge, LabelSet, MetricFamily, MetricType, MetricValue};

fn prefix(prefix: &str) -> String {
    err(GraphiteBridge::builder("127.0.0.1:2003").prefix(prefix))
}

fn push(addr: &str) -> String {
    err(GraphiteBridge::new(addr).push(&Gauge::new("up", "").expect("valid name")))
}

fn failing(out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
    let _ = out;
    Err(CollectError::new("queues", "broker unreachable"))
}

/// 10,000 series of 2 kB lines: 20 MB, far more than loopback socket buffers hold.
fn big(out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
    let mut family = MetricFamily::new("queue_depth", "", MetricType::Gauge).expect("a valid name");
    let padding = "x".repeat(2_000);
    for i in 0..10_000 {
        let labels =
            LabelSet::from_pairs([("queue", format!("{i}{padding}"))]).expect("a valid label");
        family
            .push(labels, MetricValue::Gauge(1.0))
            .expect("a gauge value");
    }
    out.push(family);
    Ok(())
}

const CHECKS: &[(&str, Check)] = &[
    ("graphite.prefix-empty-segment", || prefix("a..b")),
    ("graphite.prefix-leading-dot", || prefix(".a")),
    ("graphite.prefix-trailing-dot", || prefix("a.")),
    ("graphite.prefix-space", || prefix("my app")),
    ("graphite.prefix-semicolon", || prefix("a;b")),
    ("graphite.prefix-newline", || prefix("a\nb")),
    ("graphite.timeout-zero", || {
        err(GraphiteBridge::builder("127.0.0.1:2003").timeout(Duration::ZERO))
    }),
    ("graphite.no-port", || push("localhost")),
    ("graphite.connection-refused", || push("127.0.0.1:1")),
    ("graphite.collector-fails", || {
        err(GraphiteBridge::new("127.0.0.1:1").push(&FnCollector::new(failing)))
    }),
    ("graphite.server-stops-reading", || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let addr = listener.local_addr().expect("a bound address").to_string();
        // Accepts and holds the connection without ever reading it.
        std::thread::spawn(move || {
            let held = listener.accept();
            std::thread::sleep(Duration::from_secs(30));
            drop(held);
        });
        let bridge = GraphiteBridge::builder(addr.as_str())
            .timeout(Duration::from_millis(500))
            .expect("a valid timeout")
            .build();
        err(bridge.push(&FnCollector::new(big))).replace(&addr, "127.0.0.1:<port>")
    }),
];

#[test]
fn every_graphite_row_has_its_error() {
    common::check_area("graphite", CHECKS);
}
