//! node_exporter skips a whole file when a sample has a timestamp, so such families are refused
//! with an error naming the family, before anything is written.

mod common;

use std::fs;

use prom_codec::Encoder;
use prom_core::{LabelSet, Metric, MetricFamily, MetricType, MetricValue};
use prom_testkit::NodeExporter;
use prom_textfile::{write_families_to_textfile, TextfileError};

fn timestamped() -> Vec<MetricFamily> {
    let mut family =
        MetricFamily::new("job_last_run", "When the job last ran.", MetricType::Gauge).unwrap();
    family
        .push_metric(
            Metric::new(LabelSet::empty(), MetricValue::Gauge(1.0))
                .with_timestamp_ms(1_700_000_000_000),
        )
        .unwrap();
    vec![family]
}

#[test]
#[ignore = "needs node_exporter: run cargo xtask test"]
fn the_family_is_named_and_nothing_is_written() {
    let exporter = NodeExporter::start().unwrap();
    let path = exporter.textfile_dir().join("job.prom");

    let err = write_families_to_textfile(&path, &timestamped()).unwrap_err();

    assert!(matches!(err, TextfileError::Timestamp { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: a sample of family \"job_last_run\" has a timestamp, and \
             node_exporter's textfile collector skips files with timestamps; nothing was written"
        )
    );
    assert!(common::entries(exporter.textfile_dir()).is_empty());
    assert_eq!(exporter.textfile_scrape_error().unwrap(), 0.0);

    // The refusal is right: the same exposition written by hand makes node_exporter fail.
    fs::write(
        &path,
        Encoder::text().encode_to_string(&timestamped()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        exporter.textfile_scrape_error().unwrap(),
        1.0,
        "{}",
        exporter.metrics_text().unwrap()
    );
}
