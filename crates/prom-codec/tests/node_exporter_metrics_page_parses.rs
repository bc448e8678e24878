//! A real node_exporter's `/metrics` page parses: its own Go-client
//! families (counters, gauges, a summary with quantiles) come back with
//! their types and plausible values, and families this crate wrote to a
//! textfile come back through the exporter with their values intact.

use prom_codec::{parse_text, Encoder};
use prom_core::{
    Bucket, HistogramValue, LabelSet, MetricFamily, MetricType, MetricValue, Quantile, SummaryValue,
};
use prom_testkit::NodeExporter;

fn family<'f>(families: &'f [MetricFamily], name: &str) -> &'f MetricFamily {
    families
        .iter()
        .find(|f| &*f.name == name)
        .unwrap_or_else(|| panic!("no family {name:?} in {families:#?}"))
}

/// What the test writes to the textfile directory: label names in the
/// order Go sorts them, no timestamps (the collector refuses them).
fn written() -> Vec<MetricFamily> {
    let labels = |pairs: &[(&str, &str)]| LabelSet::from_pairs(pairs.iter().copied()).unwrap();
    let mut jobs = MetricFamily::new("batch_jobs_total", "Jobs run.", MetricType::Counter).unwrap();
    jobs.push(
        labels(&[("outcome", "ok"), ("queue", "a \"b\"\\c\nd")]),
        MetricValue::Counter(17.0),
    )
    .unwrap();
    let mut latency =
        MetricFamily::new("batch_seconds", "Batch latency.", MetricType::Histogram).unwrap();
    latency
        .push(
            labels(&[("queue", "mail")]),
            MetricValue::Histogram(HistogramValue {
                buckets: [(0.5, 1), (2.5, 3), (f64::INFINITY, 4)]
                    .map(|(upper_bound, cumulative_count)| Bucket {
                        upper_bound,
                        cumulative_count,
                    })
                    .to_vec(),
                count: 4,
                sum: Some(6.25),
            }),
        )
        .unwrap();
    let mut size = MetricFamily::new("batch_bytes", "Batch size.", MetricType::Summary).unwrap();
    size.push(
        LabelSet::empty(),
        MetricValue::Summary(SummaryValue {
            count: 2,
            sum: 300.0,
            quantiles: vec![Quantile {
                quantile: 0.5,
                value: 100.0,
            }],
        }),
    )
    .unwrap();
    vec![jobs, latency, size]
}

#[test]
#[ignore = "needs node_exporter: run cargo xtask test"]
fn the_exporter_page_parses_with_its_own_families_and_ours() {
    let exporter = NodeExporter::start().unwrap();
    let written = written();
    std::fs::write(
        exporter.textfile_dir().join("batch.prom"),
        Encoder::text().encode_to_string(&written).unwrap(),
    )
    .unwrap();
    let page = exporter.metrics_text().unwrap();
    let families = parse_text(&page).unwrap_or_else(|e| panic!("{e}\n--- page ---\n{page}"));

    let goroutines = family(&families, "go_goroutines");
    assert_eq!(goroutines.metric_type, MetricType::Gauge);
    assert!(matches!(goroutines.metrics[0].value, MetricValue::Gauge(n) if n >= 1.0));

    let gc = family(&families, "go_gc_duration_seconds");
    let MetricValue::Summary(s) = &gc.metrics[0].value else {
        panic!("not a summary: {gc:?}")
    };
    let quantiles: Vec<f64> = s.quantiles.iter().map(|q| q.quantile).collect();
    assert_eq!(quantiles, [0.0, 0.25, 0.5, 0.75, 1.0]);

    let cpu = family(&families, "process_cpu_seconds");
    assert_eq!(cpu.metric_type, MetricType::Counter);
    assert!(matches!(cpu.metrics[0].value, MetricValue::Counter(s) if s >= 0.0));

    let build = family(&families, "node_exporter_build_info");
    assert!(!build.metrics[0].labels.get("version").unwrap().is_empty());
    assert_eq!(build.metrics[0].value, MetricValue::Gauge(1.0));
    assert_eq!(
        family(&families, "node_textfile_scrape_error").metrics[0].value,
        MetricValue::Gauge(0.0)
    );

    // Our families went through the exporter's parser and encoder unchanged.
    for want in &written {
        let got = family(&families, &want.name);
        assert_eq!(
            (&got.help, got.metric_type, &got.metrics),
            (&want.help, want.metric_type, &want.metrics),
            "{}",
            want.name
        );
    }
}
