//! A batch job that records what it did and pushes it to a Pushgateway when it finishes.
//!
//! ```text
//! prometheus-pushgateway --web.listen-address=127.0.0.1:9091 &
//! cargo run -p prom-pushgateway --example push -- http://127.0.0.1:9091
//! curl -s http://127.0.0.1:9091/metrics | grep example_
//! ```

use std::time::Instant;

use prom_core::{Collector, Counter, FnCollector, Gauge};
use prom_pushgateway::blocking::Pushgateway;
use prom_pushgateway::{instance_ip_grouping_key, Group, Options};

fn main() {
    let gateway_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9091".to_owned());
    if let Err(e) = run(&gateway_url) {
        // `Display` names the request and the cause; `Debug` would dump the whole chain.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(gateway_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();

    let processed = Counter::new("example_records_processed", "Records processed by the run.")?;
    let duration = Gauge::new("example_duration_seconds", "How long the run took.")?;
    let finished = Gauge::new(
        "example_last_success_timestamp_seconds",
        "When the run last succeeded.",
    )?;

    // The job's work.
    for _ in 0..1000 {
        processed.inc();
    }
    duration.set(started.elapsed().as_secs_f64());
    finished.set_to_current_time();

    // A registry from prom-registry is a collector too; three metrics are gathered by hand here.
    let metrics = FnCollector::new(move |out| {
        processed.collect(out)?;
        duration.collect(out)?;
        finished.collect(out)
    });

    let gateway = Pushgateway::with_options(gateway_url, Options::new())?;
    let group = Group::new("example_batch").labels(instance_ip_grouping_key());
    gateway.push(&group, &metrics)?;
    println!("pushed to {}{}", gateway.url(), group.path()?);
    Ok(())
}
