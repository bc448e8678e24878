//! Multi-megabyte expositions, ordinary and pathological, parse to
//! completion with every family and series accounted for. The shapes that
//! would be quadratic in a naive parser — a family with a hundred thousand
//! label sets, one series with a hundred thousand unsorted buckets, one line
//! with tens of thousands of labels, one huge label value — are here; the
//! test asserts only counts, never time.

use prom_codec::{parse_openmetrics, parse_text, Encoder};
use prom_core::{Bucket, HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue};

const MB: usize = 1 << 20;

/// Families of every common type until the exposition is over 5 MB.
fn big_families() -> Vec<MetricFamily> {
    let mut out = Vec::new();
    let mut bytes = 0;
    let mut i = 0;
    while bytes < 5 * MB {
        let labels = |j: usize| {
            LabelSet::from_pairs([
                ("instance", format!("host-{j}.example:9100")),
                ("path", format!("/api/v{}/items/{j}", i % 3)),
            ])
            .unwrap()
        };
        let mut counter =
            MetricFamily::new(&format!("requests_{i}"), "Requests.", MetricType::Counter).unwrap();
        let mut gauge =
            MetricFamily::new(&format!("depth_{i}"), "Depth.", MetricType::Gauge).unwrap();
        let mut histogram = MetricFamily::new(
            &format!("latency_{i}_seconds"),
            "Latency.",
            MetricType::Histogram,
        )
        .unwrap();
        for j in 0..200 {
            counter
                .push_metric(
                    Metric::new(labels(j), MetricValue::Counter(j as f64))
                        .with_created(1_700_000_000.0),
                )
                .unwrap();
            gauge
                .push(labels(j), MetricValue::Gauge(j as f64 / 7.0))
                .unwrap();
            if j % 4 == 0 {
                let buckets = prom_core::DEFAULT_BUCKETS
                    .iter()
                    .chain([f64::INFINITY].iter())
                    .enumerate()
                    .map(|(k, &upper_bound)| Bucket {
                        upper_bound,
                        cumulative_count: (k * j) as u64,
                    })
                    .collect::<Vec<_>>();
                let count = buckets.last().unwrap().cumulative_count;
                histogram
                    .push(
                        labels(j),
                        MetricValue::Histogram(HistogramValue {
                            buckets,
                            count,
                            sum: Some(j as f64),
                        }),
                    )
                    .unwrap();
            }
        }
        bytes += 200 * 2 * 80 + 50 * 17 * 90;
        out.extend([counter, gauge, histogram]);
        i += 1;
    }
    out
}

fn series(families: &[MetricFamily]) -> usize {
    families.iter().map(|f| f.metrics.len()).sum()
}

#[test]
fn five_megabytes_of_each_format() {
    let families = big_families();
    for (encoder, parse) in [
        (
            Encoder::text(),
            parse_text as fn(&str) -> Result<Vec<MetricFamily>, prom_codec::ParseError>,
        ),
        (Encoder::openmetrics(), parse_openmetrics),
    ] {
        let text = encoder.encode_to_string(&families).unwrap();
        assert!(text.len() > 5 * MB, "{} bytes", text.len());
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.len(), families.len());
        assert_eq!(series(&parsed), series(&families));
        assert_eq!(
            parsed.last().unwrap().metrics.last().unwrap().labels,
            families.last().unwrap().metrics.last().unwrap().labels
        );
    }
}

#[test]
fn a_hundred_thousand_label_sets_in_one_family() {
    let mut text = String::from("# TYPE wide gauge\n");
    let mut om = String::from("# TYPE wide gauge\n");
    for i in 0..100_000 {
        text.push_str(&format!("wide{{id=\"{i}\"}} {i}\n"));
        om.push_str(&format!("wide{{id=\"{i}\"}} {i}\n"));
    }
    om.push_str("# EOF\n");
    assert_eq!(parse_text(&text).unwrap()[0].metrics.len(), 100_000);
    assert_eq!(parse_openmetrics(&om).unwrap()[0].metrics.len(), 100_000);
    // The same label sets again: text 0.0.4 keeps both (as Prometheus'
    // parser does); OpenMetrics refuses the first one back, found by hash.
    let again = text.replace("# TYPE wide gauge\n", "");
    let twice = format!("{text}{again}");
    assert_eq!(parse_text(&twice).unwrap()[0].metrics.len(), 200_000);
    let twice = format!("{}{again}# EOF\n", om.trim_end_matches("# EOF\n"));
    assert_eq!(parse_openmetrics(&twice).unwrap_err().line(), 100_002);
}

#[test]
fn a_hundred_thousand_unsorted_buckets_in_one_series() {
    let mut text = String::from("# TYPE h histogram\n");
    for i in (0..100_000).rev() {
        text.push_str(&format!("h_bucket{{le=\"{i}\"}} {i}\n"));
    }
    let parsed = parse_text(&text).unwrap();
    let MetricValue::Histogram(h) = &parsed[0].metrics[0].value else {
        panic!("not a histogram")
    };
    assert_eq!(h.buckets.len(), 100_000);
    assert!(h
        .buckets
        .windows(2)
        .all(|w| w[0].upper_bound < w[1].upper_bound));
}

#[test]
fn fifty_thousand_labels_on_one_line() {
    let labels: Vec<String> = (0..50_000).map(|i| format!("l{i}=\"{i}\"")).collect();
    let line = format!("many{{{}}} 1\n", labels.join(","));
    let parsed = parse_text(&line).unwrap();
    assert_eq!(parsed[0].metrics[0].labels.len(), 50_000);
    let parsed = parse_openmetrics(&format!("{line}# EOF\n")).unwrap();
    assert_eq!(parsed[0].metrics[0].labels.len(), 50_000);
    // A duplicate at the very end is still found (by sorting, not pairwise).
    let dup = format!("many{{{},l0=\"x\"}} 1\n", labels.join(","));
    assert!(parse_text(&dup)
        .unwrap_err()
        .found()
        .contains("a second time"));
}

#[test]
fn a_five_megabyte_label_value_and_help_text() {
    let value = "\\\"é".repeat(MB);
    let text = format!("# HELP big {value}\nbig{{v=\"{value}\"}} 1\n");
    let parsed = parse_text(&text);
    // `\"` is not a HELP escape in text 0.0.4.
    assert_eq!(parsed.unwrap_err().line(), 1);
    let om = format!("# HELP big {value}\nbig{{v=\"{value}\"}} 1\n# EOF\n");
    let parsed = parse_openmetrics(&om).unwrap();
    assert_eq!(parsed[0].help.chars().count(), 2 * MB);
    assert_eq!(
        parsed[0].metrics[0]
            .labels
            .get("v")
            .unwrap()
            .chars()
            .count(),
        2 * MB
    );
}
