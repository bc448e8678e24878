//! End to end: the axum example, run as its own process, serves two
//! requests of one route; a real Prometheus scraping it stores them as one
//! series of that route, next to the tokio runtime's families and the
//! series a library recorded through the `metrics` facade.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prom_testkit::{free_port, http_get, Prometheus, QuerySample};

/// The example's binary, built by `cargo test` alongside this test (with the
/// features this test requires).
fn app_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>/examples/axum_app
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target profile directory");
    let app = dir
        .join("examples")
        .join(format!("axum_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        app.is_file(),
        "{} is missing: plain `cargo test -p prom` builds it (`--all-targets` builds a test harness instead); run `cargo xtask test`",
        app.display()
    );
    app
}

/// Kills and reaps the app however the test ends.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn value(samples: &[QuerySample]) -> f64 {
    samples.first().map_or(0.0, |s| s.value)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_stores_one_series_per_route_the_tokio_families_and_the_metrics_calls() {
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let app = App(Command::new(app_binary())
        .arg(addr.to_string())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the axum example"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while http_get(&format!("http://{addr}/metrics"), &[]).is_err() {
        assert!(
            Instant::now() < deadline,
            "the example never served on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    for name in ["a", "b"] {
        let response = http_get(&format!("http://{addr}/hello/{name}"), &[]).unwrap();
        assert_eq!(response.text(), format!("Hello, {name}!\n"));
    }
    // The page itself, before Prometheus: one series for both names.
    let page = http_get(&format!("http://{addr}/metrics"), &[])
        .unwrap()
        .text();
    assert!(
        page.contains(
            "http_requests_total{method=\"GET\",route=\"/hello/{name}\",status=\"200\"} 2\n"
        ),
        "{page}"
    );
    assert!(!page.contains("/hello/a"), "{page}");

    let prometheus = Prometheus::start(&[addr]).unwrap();
    let timeout = Duration::from_secs(60);
    prometheus
        .wait_for("up", timeout, |s| value(s) == 1.0)
        .unwrap();
    let requests = prometheus
        .wait_for(
            r#"http_requests_total{route="/hello/{name}"}"#,
            timeout,
            |s| !s.is_empty(),
        )
        .unwrap();
    assert_eq!(requests.len(), 1, "one series for the route: {requests:?}");
    assert_eq!(requests[0].value, 2.0);
    assert_eq!(requests[0].labels["method"], "GET");
    assert_eq!(requests[0].labels["status"], "200");
    let timed = prometheus
        .query(r#"http_request_duration_seconds_count{route="/hello/{name}"}"#)
        .unwrap();
    assert_eq!(value(&timed), 2.0);
    // Scrapes of /metrics are not counted: the route is outside the layer.
    let all = prometheus.query("sum(http_requests_total)").unwrap();
    assert_eq!(value(&all), 2.0);

    let workers = prometheus
        .wait_for(r#"tokio_workers{runtime="main"}"#, timeout, |s| {
            value(s) >= 1.0
        })
        .unwrap();
    assert!(value(&workers) >= 1.0);
    prometheus
        .wait_for("tokio_alive_tasks", timeout, |s| !s.is_empty())
        .unwrap();
    let greetings = prometheus
        .wait_for(r#"greetings_total{language="en"}"#, timeout, |s| {
            !s.is_empty()
        })
        .unwrap();
    assert_eq!(value(&greetings), 2.0);
    drop(app);
}
