//! Pushing a metric whose type clashes with the same metric in another group is refused by the
//! real Pushgateway with HTTP 400; the caller gets the status and the gateway's explanation.

#![cfg(feature = "blocking")]

mod common;

use common::of_job;
use prom_core::{Counter, Gauge};
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{Group, Method, PushError};
use prom_testkit::Pushgateway as RealPushgateway;

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_error_carries_status_and_explanation() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let counter = Counter::new("shared_name", "A counter.").unwrap();
    counter.inc();
    gateway.push(&Group::new("first"), &counter).unwrap();

    // The same sample name as a gauge in another group: inconsistent for a scrape.
    let gauge = Gauge::new("shared_name_total", "A gauge.").unwrap();
    gauge.set(5.0);
    let err = gateway.push(&Group::new("second"), &gauge).unwrap_err();

    let PushError::Status {
        method,
        url,
        status,
        body,
    } = &err
    else {
        panic!("expected a status error, got {err:?}");
    };
    assert_eq!(*method, Method::Put);
    assert_eq!(*url, format!("{}/metrics/job/second", real.url()));
    assert_eq!(*status, 400);
    // Pushgateway 1.5.1: `pushed metrics are invalid or inconsistent with existing metrics:
    // collected metric "shared_name_total" { ... } is not a COUNTER` — or `is not a GAUGE`:
    // which of the two series it meets first depends on Go's map order.
    assert!(
        body.contains("inconsistent with existing metrics"),
        "{body}"
    );
    assert!(body.contains("\"shared_name_total\""), "{body}");
    assert!(
        body.contains("is not a COUNTER") || body.contains("is not a GAUGE"),
        "{body}"
    );
    assert_eq!(err.status(), Some(400));
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "PUT {}/metrics/job/second: the Pushgateway answered HTTP 400: ",
            real.url()
        )) && message.contains(body.trim()),
        "{message}"
    );

    // The first group is intact; the failed push is recorded for the second.
    let text = real.metrics_text().unwrap();
    assert_eq!(
        of_job(&text, "shared_name_total", "first")[0].value,
        1.0,
        "{text}"
    );
    assert!(
        of_job(&text, "shared_name_total", "second").is_empty(),
        "{text}"
    );
    assert!(
        of_job(&text, "push_failure_time_seconds", "second")[0].value > 0.0,
        "{text}"
    );
}
