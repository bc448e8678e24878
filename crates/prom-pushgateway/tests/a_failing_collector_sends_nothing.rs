//! A collector that fails makes the push an error and sends nothing: the real Pushgateway
//! never hears of the group.

#![cfg(feature = "blocking")]

mod common;

use common::of_job;
use prom_core::{CollectError, FnCollector};
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{Group, PushError};
use prom_testkit::Pushgateway as RealPushgateway;

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_collector_error_is_returned_and_no_group_appears() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let broken = FnCollector::new(|_| {
        Err(CollectError::new(
            "queue",
            std::io::Error::other("queue unreachable"),
        ))
    });

    let err = gateway.push(&Group::new("broken"), &broken).unwrap_err();
    assert!(
        matches!(&err, PushError::Collect { job, .. } if job == "broken"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "nothing pushed for job \"broken\": collecting the metrics failed: \
         collector \"queue\" failed: queue unreachable"
    );
    let source = std::error::Error::source(&err).expect("the collector's error is kept");
    assert!(source.is::<CollectError>());

    let err = gateway.pushadd(&Group::new("broken"), &broken).unwrap_err();
    assert!(matches!(err, PushError::Collect { .. }), "{err:?}");

    // Not even a failed push is recorded: no request reached the gateway.
    let text = real.metrics_text().unwrap();
    assert!(
        of_job(&text, "push_time_seconds", "broken").is_empty(),
        "{text}"
    );
    assert!(
        of_job(&text, "push_failure_time_seconds", "broken").is_empty(),
        "{text}"
    );
}
