//! End to end: the README demo, run as its own process, is scraped every
//! second by a real Prometheus server, and the request counts arrive and grow
//! next to the process metrics.

use std::time::Duration;

use prom_testkit::{Example, Prometheus, QuerySample};

fn value(samples: &[QuerySample]) -> f64 {
    samples.first().map_or(0.0, |s| s.value)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_sees_the_demo_counts_grow() {
    let demo = Example::start("demo").unwrap();
    let addr = demo.addr();

    let prometheus = Prometheus::start(&[addr]).unwrap();
    let timeout = Duration::from_secs(60);
    prometheus
        .wait_for("up", timeout, |s| value(s) == 1.0)
        .unwrap();
    let first = value(
        &prometheus
            .wait_for("request_processing_seconds_count", timeout, |s| {
                value(s) > 0.0
            })
            .unwrap(),
    );
    // A later scrape shows more requests: the loop runs and the counts grow.
    prometheus
        .wait_for("request_processing_seconds_count", timeout, |s| {
            value(s) > first
        })
        .unwrap();
    let sum = value(&prometheus.query("request_processing_seconds_sum").unwrap());
    assert!(sum > 0.0, "sum {sum}");
    // Each request sleeps less than a second: the average is below one.
    let count = value(
        &prometheus
            .query("request_processing_seconds_count")
            .unwrap(),
    );
    assert!(sum / count < 1.0, "sum {sum} over {count} requests");
    // OpenMetrics was negotiated: `_created` is stored as a series.
    prometheus
        .wait_for("request_processing_seconds_created", timeout, |s| {
            value(s) > 1.6e9
        })
        .unwrap();

    #[cfg(target_os = "linux")]
    {
        let pid = demo.pid();
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_start_time_seconds",
            "process_open_fds",
            "process_max_fds",
        ] {
            let s = prometheus
                .wait_for(name, timeout, |s| !s.is_empty())
                .unwrap();
            assert!(
                s[0].value >= 0.0,
                "{name} = {} (demo pid {pid})",
                s[0].value
            );
        }
        let rss = value(&prometheus.query("process_resident_memory_bytes").unwrap());
        assert!(rss > 0.0);
    }
    drop(demo);
}
