//! A push shows up on the real Pushgateway's `/metrics` with its values, the job and the
//! grouping key as labels, and a `push_time_seconds` for the group.

#![cfg(feature = "blocking")]

mod common;

use std::sync::Arc;

use common::{labels, of_job, All};
use prom_core::{Counter, CounterVec, Gauge, Histogram, Opts};
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::Group;
use prom_testkit::Pushgateway as RealPushgateway;

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn values_and_labels_arrive_as_pushed() {
    let real = RealPushgateway::start().unwrap();

    let rows = Counter::new("rows_imported", "Rows imported.").unwrap();
    rows.inc_by(1234.0).unwrap();
    let errors =
        CounterVec::new(Opts::new("import_errors", "Errors by kind.").labels(["kind"])).unwrap();
    errors
        .with_label_values(&["parse"])
        .unwrap()
        .inc_by(2.0)
        .unwrap();
    let duration = Gauge::new("import_duration_seconds", "Run time.").unwrap();
    duration.set(12.5);
    let sizes = Histogram::with_opts(
        Opts::new("import_batch_rows", "Rows per batch.").buckets([10.0, 100.0]),
    )
    .unwrap();
    sizes.observe(5.0);
    sizes.observe(50.0);
    let all = All(vec![
        Arc::new(rows),
        Arc::new(errors),
        Arc::new(duration),
        Arc::new(sizes),
    ]);

    let gateway = Pushgateway::new(&real.url()).unwrap();
    let group = Group::new("nightly_import")
        .label("instance", "db-1")
        .label("shard", "eu");
    gateway.push(&group, &all).unwrap();

    let text = real.metrics_text().unwrap();
    let grouping = [
        ("instance", "db-1"),
        ("job", "nightly_import"),
        ("shard", "eu"),
    ];
    let one = |name: &str| {
        let found = of_job(&text, name, "nightly_import");
        assert_eq!(found.len(), 1, "{name} in:\n{text}");
        found.into_iter().next().unwrap()
    };

    let s = one("rows_imported_total");
    assert_eq!(s.labels, labels(&grouping));
    assert_eq!(s.value, 1234.0);

    let s = one("import_errors_total");
    let mut expected = labels(&grouping);
    expected.insert("kind".into(), "parse".into());
    assert_eq!(s.labels, expected);
    assert_eq!(s.value, 2.0);

    assert_eq!(one("import_duration_seconds").value, 12.5);
    assert_eq!(one("import_batch_rows_count").value, 2.0);
    assert_eq!(one("import_batch_rows_sum").value, 55.0);
    let buckets = of_job(&text, "import_batch_rows_bucket", "nightly_import");
    let bucket = |le: &str| {
        buckets
            .iter()
            .find(|s| s.labels["le"] == le)
            .unwrap_or_else(|| panic!("bucket {le} in:\n{text}"))
            .value
    };
    assert_eq!(
        (bucket("10"), bucket("100"), bucket("+Inf")),
        (1.0, 2.0, 2.0)
    );

    let pushed_at = one("push_time_seconds");
    assert_eq!(pushed_at.labels, labels(&grouping));
    assert!(pushed_at.value > 1.6e9, "{pushed_at:?}");
    assert_eq!(one("push_failure_time_seconds").value, 0.0);
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_one_call_functions_push_and_delete() {
    let real = RealPushgateway::start().unwrap();
    let up = Gauge::new("oneshot_up", "Set by the one-call function.").unwrap();
    up.set(1.0);
    let group = Group::new("oneshot");

    prom_pushgateway::blocking::push_to_gateway(&real.url(), &group, &up).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(
        of_job(&text, "oneshot_up", "oneshot")[0].value,
        1.0,
        "{text}"
    );

    let other = Gauge::new("oneshot_other", "Added.").unwrap();
    prom_pushgateway::blocking::pushadd_to_gateway(&real.url(), &group, &other).unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(of_job(&text, "oneshot_up", "oneshot").len(), 1, "{text}");
    assert_eq!(of_job(&text, "oneshot_other", "oneshot").len(), 1, "{text}");

    prom_pushgateway::blocking::delete_from_gateway(&real.url(), &group).unwrap();
    let text = real.metrics_text().unwrap();
    assert!(
        of_job(&text, "push_time_seconds", "oneshot").is_empty(),
        "{text}"
    );
}
