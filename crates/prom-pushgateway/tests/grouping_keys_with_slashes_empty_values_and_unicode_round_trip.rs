//! Jobs and grouping-key values that need encoding (a `/`, an empty value, spaces, `+`, `%`,
//! dots, unicode) reach the real Pushgateway verbatim as labels, and `delete` finds the same
//! group again.

#![cfg(feature = "blocking")]

mod common;

use common::{labels, of_job};
use prom_core::Gauge;
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::Group;
use prom_testkit::Pushgateway as RealPushgateway;

const JOB: &str = "backup/nightly run";

fn group() -> Group {
    Group::new(JOB)
        .label("path", "/var/tmp")
        .label("empty", "")
        .label("spaced", "a b")
        .label("symbols", "x+y%z?&=#@:;,'\"\\")
        .label("dot", ".")
        .label("dots", "..")
        .label("unicode", "Προμηθεύς ✓")
        .label("trailing", "end/")
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn labels_appear_verbatim_and_delete_finds_the_group() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let g = Gauge::new("encoded_probe", "Probe for encoded grouping keys.").unwrap();
    g.set(42.0);

    gateway.push(&group(), &g).unwrap();

    let text = real.metrics_text().unwrap();
    let found = of_job(&text, "encoded_probe", JOB);
    assert_eq!(found.len(), 1, "{text}");
    assert_eq!(
        found[0].labels,
        labels(&[
            ("job", JOB),
            ("path", "/var/tmp"),
            ("empty", ""),
            ("spaced", "a b"),
            ("symbols", "x+y%z?&=#@:;,'\"\\"),
            ("dot", "."),
            ("dots", ".."),
            ("unicode", "Προμηθεύς ✓"),
            ("trailing", "end/"),
            // The Pushgateway adds an empty instance to groups without one.
            ("instance", ""),
        ])
    );
    assert_eq!(found[0].value, 42.0);

    gateway.delete(&group()).unwrap();
    let text = real.metrics_text().unwrap();
    assert!(of_job(&text, "encoded_probe", JOB).is_empty(), "{text}");
    assert!(of_job(&text, "push_time_seconds", JOB).is_empty(), "{text}");
}
