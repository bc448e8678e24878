//! `delete` removes exactly the group it names, with all its metrics; deleting a group that
//! does not exist succeeds.

#![cfg(feature = "blocking")]

mod common;

use common::{named, of_job};
use prom_core::Gauge;
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::Group;
use prom_testkit::Pushgateway as RealPushgateway;

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn delete_removes_only_the_named_group() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let g = Gauge::new("cleanup_files", "Files removed.").unwrap();
    g.set(3.0);
    let doomed = Group::new("cleanup").label("host", "a");
    let kept = Group::new("cleanup").label("host", "b");
    gateway.push(&doomed, &g).unwrap();
    gateway.push(&kept, &g).unwrap();
    assert_eq!(
        named(&real.metrics_text().unwrap(), "cleanup_files").len(),
        2
    );

    gateway.delete(&doomed).unwrap();

    let text = real.metrics_text().unwrap();
    let left = of_job(&text, "cleanup_files", "cleanup");
    assert_eq!(left.len(), 1, "{text}");
    assert_eq!(left[0].labels["host"], "b");
    // The group's own bookkeeping series go with it.
    let times = of_job(&text, "push_time_seconds", "cleanup");
    assert_eq!(times.len(), 1, "{text}");
    assert_eq!(times[0].labels["host"], "b");
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn deleting_a_missing_group_succeeds() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    gateway
        .delete(&Group::new("never_pushed").label("x", "y"))
        .unwrap();
}
