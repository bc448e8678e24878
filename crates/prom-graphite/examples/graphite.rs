//! Pushes a few metrics to Graphite: once, then every two seconds for ten seconds.
//!
//! ```text
//! cargo run -p prom-graphite --example graphite -- 127.0.0.1:2003
//! ```
//!
//! Without a running carbon the pushes fail, and the errors are printed.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use prom_core::{Collector, Counter, Gauge, Histogram, Opts};
use prom_graphite::{GraphiteBridge, LabelStyle};

/// The example's metrics, pushed as one collector.
struct AppMetrics {
    requests: Counter,
    in_flight: Gauge,
    latency: Histogram,
}

impl Collector for AppMetrics {
    fn collect(
        &self,
        out: &mut Vec<prom_core::MetricFamily>,
    ) -> Result<(), prom_core::CollectError> {
        self.requests.collect(out)?;
        self.in_flight.collect(out)?;
        self.latency.collect(out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:2003".to_owned());
    let tags = std::env::args().any(|a| a == "--tags");

    let metrics = Arc::new(AppMetrics {
        requests: Counter::new("requests", "Requests served.")?,
        in_flight: Gauge::new("in_flight", "Requests in progress.")?,
        latency: Histogram::with_opts(
            Opts::new("latency_seconds", "Request latency.").buckets([0.1, 0.5, 1.0]),
        )?,
    });
    metrics.requests.inc_by(3.0)?;
    metrics.latency.observe(0.2);

    let bridge = GraphiteBridge::builder(addr)
        .prefix("example")?
        .label_style(if tags {
            LabelStyle::Tags
        } else {
            LabelStyle::Path
        })
        .timeout(Duration::from_secs(5))?
        .on_error(|e| eprintln!("push failed: {e}"))
        .build();

    let families = prom_core::collect(&*metrics)?;
    print!("{}", bridge.render(&families, SystemTime::now()));

    match bridge.push(&*metrics) {
        Ok(()) => println!("pushed to {}", bridge.addr()),
        Err(e) => eprintln!("{e}"),
    }

    let handle = bridge.start(metrics.clone(), Duration::from_secs(2));
    for _ in 0..5 {
        std::thread::sleep(Duration::from_secs(2));
        metrics.requests.inc();
        metrics.in_flight.inc();
    }
    handle.stop();
    Ok(())
}
