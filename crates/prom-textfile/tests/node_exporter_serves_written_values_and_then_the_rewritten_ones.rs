//! A real node_exporter serves what `write_to_textfile` wrote — a counter, a labelled gauge with
//! escaped label values and a histogram — without a scrape error, with the file's mtime, and
//! serves the new values once the file is rewritten.

mod common;

use std::fs;
use std::time::UNIX_EPOCH;

use prom_core::{CollectError, Collector, GaugeVec};
use prom_core::{Counter, Histogram, MetricFamily, Opts};
use prom_testkit::{python_parse, NodeExporter, PyFormat};
use prom_textfile::write_to_textfile;

use common::sample_value;

/// A label value with every character the text format escapes.
const NASTY: &str = "C:\\temp \"quoted\"\nsecond line";

struct JobMetrics {
    processed: Counter,
    queue: GaugeVec,
    latency: Histogram,
}

impl Collector for JobMetrics {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.processed.collect(out)?;
        self.queue.collect(out)?;
        self.latency.collect(out)
    }
}

fn scrape(exporter: &NodeExporter) -> serde_json::Value {
    let text = exporter.metrics_text().unwrap();
    python_parse(&text, PyFormat::Text).unwrap()
}

#[test]
#[ignore = "needs node_exporter and the python prometheus_client: run cargo xtask test"]
fn written_values_and_rewrites_are_served() {
    let exporter = NodeExporter::start().unwrap();
    let path = exporter.textfile_dir().join("job.prom");
    let metrics = JobMetrics {
        processed: Counter::new("job_items_processed", "Items processed.").unwrap(),
        queue: GaugeVec::new(Opts::new("job_queue_depth", "Items waiting.").labels(["queue"]))
            .unwrap(),
        latency: Histogram::with_opts(
            Opts::new("job_latency_seconds", "Item latency.").buckets(vec![0.1, 1.0]),
        )
        .unwrap(),
    };
    metrics.processed.inc_by(3.0).unwrap();
    metrics.queue.with_label_values(&[NASTY]).unwrap().set(7.5);
    metrics
        .queue
        .with_label_values(&["plain"])
        .unwrap()
        .set(-2.0);
    metrics.latency.observe(0.05);
    metrics.latency.observe(0.5);

    write_to_textfile(&path, &metrics).unwrap();

    let families = scrape(&exporter);
    let value = |name: &str, labels: &[(&str, &str)]| sample_value(&families, name, labels);
    assert_eq!(
        value("node_textfile_scrape_error", &[]),
        Some(0.0),
        "{families}"
    );
    assert_eq!(
        value("job_items_processed_total", &[]),
        Some(3.0),
        "{families}"
    );
    assert_eq!(value("job_queue_depth", &[("queue", NASTY)]), Some(7.5));
    assert_eq!(value("job_queue_depth", &[("queue", "plain")]), Some(-2.0));
    assert_eq!(
        value("job_latency_seconds_bucket", &[("le", "0.1")]),
        Some(1.0)
    );
    // node_exporter re-encodes the bounds the Go way: `1.0` is served as `1`.
    assert_eq!(
        value("job_latency_seconds_bucket", &[("le", "1")]),
        Some(2.0)
    );
    assert_eq!(
        value("job_latency_seconds_bucket", &[("le", "+Inf")]),
        Some(2.0)
    );
    assert_eq!(value("job_latency_seconds_count", &[]), Some(2.0));
    assert_eq!(value("job_latency_seconds_sum", &[]), Some(0.55));

    // node_exporter reports the modification time of each file it read.
    let file_label = path.to_str().expect("temporary paths are UTF-8");
    let mtime =
        value("node_textfile_mtime_seconds", &[("file", file_label)]).unwrap_or_else(|| {
            panic!("no node_textfile_mtime_seconds{{file={file_label:?}}}: {families}")
        });
    let actual = fs::metadata(&path)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((mtime - actual).abs() < 1.0, "mtime {mtime}, file {actual}");

    // node_exporter reads the files at each scrape: the next one shows the rewrite.
    metrics.processed.inc();
    metrics.queue.with_label_values(&[NASTY]).unwrap().set(0.25);
    metrics.latency.observe(5.0);
    write_to_textfile(&path, &metrics).unwrap();

    let families = scrape(&exporter);
    let value = |name: &str, labels: &[(&str, &str)]| sample_value(&families, name, labels);
    assert_eq!(
        value("node_textfile_scrape_error", &[]),
        Some(0.0),
        "{families}"
    );
    assert_eq!(value("job_items_processed_total", &[]), Some(4.0));
    assert_eq!(value("job_queue_depth", &[("queue", NASTY)]), Some(0.25));
    assert_eq!(
        value("job_latency_seconds_bucket", &[("le", "+Inf")]),
        Some(3.0)
    );
    assert_eq!(value("job_latency_seconds_count", &[]), Some(3.0));

    // Only the target is in the directory: no temporary file outlives a write.
    assert_eq!(common::entries(exporter.textfile_dir()), ["job.prom"]);
}
