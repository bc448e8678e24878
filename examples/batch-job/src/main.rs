//! A cron-style batch job instrumented with prom, the way client_python's
//! docs show for jobs that cannot be scraped: it does its work, then writes
//! its metrics to a node_exporter textfile and pushes them to a Pushgateway.
//!
//! It depends on `prom-core`, `prom-codec`, `prom-textfile` and
//! `prom-pushgateway` only — not on the `prom` facade, and it starts no
//! HTTP server.
//!
//! ```text
//! batch-job [--items N] [--textfile DIR/backup.prom] [--gateway URL] [--job NAME]
//! ```

use std::process::ExitCode;
use std::time::Duration;

use prom_core::{CollectError, Collector, Counter, Gauge, Histogram, MetricFamily, Opts};
use prom_pushgateway::{blocking::Pushgateway, Group};

/// The job's metrics, exposed together.
struct JobMetrics {
    items: Counter,
    failures: Counter,
    duration: Histogram,
    last_success: Gauge,
}

impl JobMetrics {
    fn new() -> Result<Self, prom_core::Error> {
        Ok(Self {
            items: Counter::new(
                "batch_items_processed_total",
                "Items processed by the last run.",
            )?,
            failures: Counter::new(
                "batch_item_failures_total",
                "Items that failed in the last run.",
            )?,
            duration: Histogram::with_opts(
                Opts::new("batch_item_duration_seconds", "Time spent on each item.")
                    .buckets(prom_core::exponential_buckets(0.0001, 4.0, 8)?),
            )?,
            last_success: Gauge::new(
                "batch_last_success_timestamp_seconds",
                "When the job last finished without failures.",
            )?,
        })
    }
}

impl Collector for JobMetrics {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.items.collect(out)?;
        self.failures.collect(out)?;
        self.duration.collect(out)?;
        self.last_success.collect(out)
    }

    fn describe(&self) -> Vec<prom_core::Descriptor> {
        [
            &self.items as &dyn Collector,
            &self.failures,
            &self.duration,
            &self.last_success,
        ]
        .iter()
        .flat_map(|c| c.describe())
        .collect()
    }
}

struct Args {
    items: u64,
    textfile: Option<String>,
    gateway: Option<String>,
    job: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        items: 50,
        textfile: None,
        gateway: None,
        job: "batch-job".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--items" => {
                let v = value()?;
                args.items = v.parse().map_err(|e| format!("--items {v:?}: {e}"))?;
            }
            "--textfile" => args.textfile = Some(value()?),
            "--gateway" => args.gateway = Some(value()?),
            "--job" => args.job = value()?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// The work: every item takes a little time; every seventh one fails.
fn process(item: u64) -> Result<(), String> {
    std::thread::sleep(Duration::from_micros(100 + (item % 5) * 50));
    if item % 7 == 6 {
        Err(format!("item {item} is malformed"))
    } else {
        Ok(())
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let metrics = JobMetrics::new()?;
    for item in 0..args.items {
        let result = metrics.duration.time(|| process(item));
        match metrics.failures.count_errors(|| result) {
            Ok(()) => metrics.items.inc(),
            Err(e) => eprintln!("batch-job: {e}"),
        }
    }
    if metrics.failures.get() == 0.0 {
        metrics.last_success.set_to_current_time();
    }
    if let Some(path) = &args.textfile {
        prom_textfile::write_to_textfile(path, &metrics)?;
        println!("wrote {path}");
    }
    if let Some(url) = &args.gateway {
        Pushgateway::new(url)?.push(&Group::new(&args.job), &metrics)?;
        println!("pushed to {url} as job {:?}", args.job);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("batch-job: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("batch-job: {e}");
            ExitCode::FAILURE
        }
    }
}
