//! Every bad prefix, timeout or address given to the Graphite bridge gets
//! exactly the error `docs/errors.md` shows (rows `graphite.*`). OS messages
//! are Linux's; nothing listening on port 1 is assumed.

mod common;

use std::time::Duration;

use common::{err, Check};
use prom::graphite::GraphiteBridge;
use prom::{CollectError, FnCollector, Gauge, MetricFamily};

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
];

#[test]
fn every_graphite_row_has_its_error() {
    common::check_area("graphite", CHECKS);
}
