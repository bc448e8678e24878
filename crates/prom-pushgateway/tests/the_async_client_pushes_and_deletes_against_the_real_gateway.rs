//! The async client does what the blocking one does against the real Pushgateway, inside a
//! tokio runtime: push, pushadd, the 400 explanation, connection errors, delete.

mod common;

use std::time::{Duration, Instant};

use common::of_job;
use prom_core::{Counter, Gauge};
use prom_pushgateway::{Group, Options, PushError, Pushgateway};
use prom_testkit::Pushgateway as RealPushgateway;

fn gauge(name: &str, value: f64) -> Gauge {
    let g = Gauge::new(name, "An async test gauge.").unwrap();
    g.set(value);
    g
}

#[tokio::test]
#[ignore = "needs pushgateway: run cargo xtask test"]
async fn push_pushadd_and_delete() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let group = Group::new("async_job")
        .label("path", "/srv/data")
        .label("empty", "");

    gateway
        .push(&group, &gauge("async_first", 1.0))
        .await
        .unwrap();
    gateway
        .pushadd(&group, &gauge("async_second", 2.0))
        .await
        .unwrap();
    let text = real.metrics_text().unwrap();
    let first = of_job(&text, "async_first", "async_job");
    assert_eq!(first.len(), 1, "{text}");
    assert_eq!(first[0].value, 1.0);
    assert_eq!(first[0].labels["path"], "/srv/data");
    assert_eq!(first[0].labels["empty"], "");
    assert_eq!(of_job(&text, "async_second", "async_job")[0].value, 2.0);

    gateway
        .push(&group, &gauge("async_third", 3.0))
        .await
        .unwrap();
    let text = real.metrics_text().unwrap();
    assert!(
        of_job(&text, "async_first", "async_job").is_empty(),
        "{text}"
    );
    assert_eq!(of_job(&text, "async_third", "async_job")[0].value, 3.0);

    gateway.delete(&group).await.unwrap();
    let text = real.metrics_text().unwrap();
    assert!(
        of_job(&text, "push_time_seconds", "async_job").is_empty(),
        "{text}"
    );
}

#[tokio::test]
#[ignore = "needs pushgateway: run cargo xtask test"]
async fn the_gateways_400_explanation_reaches_the_caller() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let counter = Counter::new("async_clash", "A counter.").unwrap();
    gateway.push(&Group::new("a"), &counter).await.unwrap();

    let err = gateway
        .push(&Group::new("b"), &gauge("async_clash_total", 1.0))
        .await
        .unwrap_err();
    match &err {
        PushError::Status { status, body, .. } => {
            assert_eq!(*status, 400);
            // Which of the clashing series is named depends on the gateway's map order.
            assert!(body.contains("\"async_clash_total\""), "{body}");
            assert!(
                body.contains("is not a COUNTER") || body.contains("is not a GAUGE"),
                "{body}"
            );
        }
        other => panic!("expected a status error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_port_is_a_quick_connection_error() {
    let url = format!("http://127.0.0.1:{}", prom_testkit::free_port());
    let gateway = Pushgateway::with_options(&url, Options::new()).unwrap();
    let started = Instant::now();
    let err = gateway.delete(&Group::new("down")).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&err, PushError::Connect { url: u, .. } if u.starts_with(&url)),
        "{err:?}"
    );
}

#[tokio::test]
#[ignore = "needs pushgateway: run cargo xtask test"]
async fn the_futures_can_be_spawned() {
    let real = RealPushgateway::start().unwrap();
    let gateway = Pushgateway::new(&real.url()).unwrap();
    let g = gauge("async_spawned", 5.0);
    // `tokio::spawn` requires `Send + 'static` futures.
    let task = tokio::spawn(async move { gateway.push(&Group::new("spawned"), &g).await });
    task.await.unwrap().unwrap();
    let text = real.metrics_text().unwrap();
    assert_eq!(of_job(&text, "async_spawned", "spawned")[0].value, 5.0);
}
