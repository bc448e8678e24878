//! A batch job that writes its metrics for node_exporter's textfile collector.
//!
//! ```text
//! textfile_writer PATH [--count N] [--series N]
//! ```
//!
//! Writes `PATH` `--count` times (default 1; `0` writes until the process is killed), each time
//! with every value set to the write's number, starting at 1: a counter, a gauge with `--series`
//! labelled series (default 100), a histogram, and last a gauge `textfile_writer_complete`, so a
//! reader can tell a whole file from a truncated one. On an error it prints the error on stderr
//! and exits with status 1.

use std::process::ExitCode;

use prom_core::{CollectError, Collector, Counter, Gauge, GaugeVec, Histogram, MetricFamily, Opts};
use prom_textfile::TextfileWriter;

/// The job's metrics, collected in a fixed order with the completion marker last.
struct JobMetrics {
    writes: Counter,
    series: GaugeVec,
    values: Histogram,
    complete: Gauge,
}

impl JobMetrics {
    fn new() -> Result<Self, prom_core::Error> {
        Ok(Self {
            writes: Counter::new("textfile_writer_writes", "Writes done so far.")?,
            series: GaugeVec::new(
                Opts::new("textfile_writer_series", "One series per index, all equal.")
                    .labels(["index", "note"]),
            )?,
            values: Histogram::with_opts(
                Opts::new("textfile_writer_value", "Write numbers observed.")
                    .buckets(vec![1.0, 10.0, 100.0, 1000.0]),
            )?,
            complete: Gauge::new(
                "textfile_writer_complete",
                "The number of the write, equal to textfile_writer_writes_total.",
            )?,
        })
    }

    fn update(&self, write: u64, series: usize) -> Result<(), prom_core::Error> {
        let value = write as f64;
        self.writes.inc();
        for index in 0..series {
            self.series
                .with_label_values(&[index.to_string().as_str(), "quote \" backslash \\"])?
                .set(value);
        }
        self.values.observe(value);
        self.complete.set(value);
        Ok(())
    }
}

impl Collector for JobMetrics {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.writes.collect(out)?;
        self.series.collect(out)?;
        self.values.collect(out)?;
        self.complete.collect(out)
    }
}

struct Args {
    path: String,
    count: u64,
    series: usize,
}

fn parse_args() -> Result<Args, String> {
    const USAGE: &str = "usage: textfile_writer PATH [--count N] [--series N]";
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or(USAGE)?;
    let mut parsed = Args {
        path,
        count: 1,
        series: 100,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        let number = || format!("{flag} {value:?} is not a number; {USAGE}");
        match flag.as_str() {
            "--count" => parsed.count = value.parse().map_err(|_| number())?,
            "--series" => parsed.series = value.parse().map_err(|_| number())?,
            _ => return Err(format!("unknown option {flag:?}; {USAGE}")),
        }
    }
    Ok(parsed)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let metrics = JobMetrics::new()?;
    let writer = TextfileWriter::new(&args.path);
    let mut write = 1;
    while args.count == 0 || write <= args.count {
        metrics.update(write, args.series)?;
        writer.write(&metrics)?;
        write += 1;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("textfile_writer: {e}");
            ExitCode::FAILURE
        }
    }
}
