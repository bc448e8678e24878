//! `pushadd` (POST) replaces only same-named metrics of the group, so a different metric
//! survives; `push` (PUT) replaces the whole group, so it disappears.

#![cfg(feature = "blocking")]

mod common;

use common::of_job;
use prom_core::Gauge;
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::Group;
use prom_testkit::Pushgateway as RealPushgateway;

fn gauge(name: &str, value: f64) -> Gauge {
    let g = Gauge::new(name, "A test gauge.").unwrap();
    g.set(value);
    g
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn pushadd_merges_and_push_replaces() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let group = Group::new("merge").label("instance", "a");
    let value = |text: &str, name: &str| -> Option<f64> {
        let found = of_job(text, name, "merge");
        assert!(found.len() <= 1, "{found:?}");
        found.first().map(|s| s.value)
    };

    gateway.push(&group, &gauge("first", 1.0)).unwrap();
    gateway.pushadd(&group, &gauge("second", 2.0)).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(value(&text, "first"), Some(1.0), "{text}");
    assert_eq!(value(&text, "second"), Some(2.0), "{text}");

    // A same-named metric is replaced by pushadd, the other one stays.
    gateway.pushadd(&group, &gauge("second", 3.0)).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(value(&text, "first"), Some(1.0), "{text}");
    assert_eq!(value(&text, "second"), Some(3.0), "{text}");

    gateway.push(&group, &gauge("third", 4.0)).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(value(&text, "first"), None, "{text}");
    assert_eq!(value(&text, "second"), None, "{text}");
    assert_eq!(value(&text, "third"), Some(4.0), "{text}");
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn push_to_one_group_leaves_other_groups_alone() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let a = Group::new("merge").label("instance", "a");
    let b = Group::new("merge").label("instance", "b");

    gateway.push(&a, &gauge("kept", 1.0)).unwrap();
    gateway.push(&b, &gauge("other", 2.0)).unwrap();
    let text = real.metrics_text().unwrap();
    let kept = of_job(&text, "kept", "merge");
    assert_eq!(kept.len(), 1, "{text}");
    assert_eq!(kept[0].labels["instance"], "a");
}
