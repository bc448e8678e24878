//! A real Prometheus comes up on loopback, scrapes our target and answers queries about it.

mod common;

use std::time::Duration;

use prom_testkit::{http_get, Prometheus};

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn the_scraped_gauge_is_queryable() {
    let exporter = common::FixedExporter::start("# TYPE up_test gauge\nup_test 1\n");
    let prometheus = Prometheus::start(&[exporter.addr()]).unwrap();

    let ready = http_get(&format!("{}/-/ready", prometheus.url()), &[]).unwrap();
    assert_eq!(ready.status, 200);

    let samples = prometheus
        .wait_for("up_test", Duration::from_secs(30), |s| !s.is_empty())
        .unwrap();
    assert_eq!(samples.len(), 1, "{samples:?}");
    assert_eq!(samples[0].value, 1.0);
    assert_eq!(samples[0].labels["job"], prom_testkit::JOB);
    assert_eq!(samples[0].labels["instance"], exporter.addr().to_string());

    let targets = prometheus.targets().unwrap();
    assert_eq!(
        targets["data"]["activeTargets"][0]["health"], "up",
        "{targets}"
    );
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn a_bad_query_is_an_error_naming_the_problem() {
    let prometheus = Prometheus::start(&[]).unwrap();
    let message = prometheus.query("sum(").unwrap_err().to_string();
    assert!(message.contains("bad_data"), "{message}");
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn waiting_in_vain_reports_the_last_result_and_the_log() {
    let prometheus = Prometheus::start(&[]).unwrap();
    let message = prometheus
        .wait_for("vector(2)", Duration::from_millis(600), |s| {
            s.first().is_some_and(|s| s.value == 3.0)
        })
        .unwrap_err()
        .to_string();
    assert!(message.contains("value: 2.0"), "{message}");
    assert!(message.contains("prometheus log tail"), "{message}");
}
