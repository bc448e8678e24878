//! The `/metrics` page of a real Go service instrumented with client_golang
//! (Debian's 1.14) is read as Prometheus reads it: its OpenMetrics page by
//! the lenient reader and its text page by the text reader, both to exactly
//! the values the program set, although the OpenMetrics page has a histogram
//! `_sum` beside negative buckets, which the strict reader refuses, naming
//! that line. What was read encodes to OpenMetrics that reads back the same.

use prom_codec::{parse_openmetrics, parse_openmetrics_lenient, parse_text, Encoder};
use prom_core::{
    HistogramValue, LabelSet, MetricFamily, MetricType, MetricValue, Quantile, SummaryValue,
};
use prom_testkit::ClientGolangExporter;

/// What the Go program of [`ClientGolangExporter`] sets, in the order
/// client_golang writes its families (by name).
fn what_the_program_set() -> Vec<MetricFamily> {
    let labels = |pairs: &[(&str, &str)]| LabelSet::from_pairs(pairs.iter().copied()).unwrap();

    let mut offset = MetricFamily::new(
        "demo_offset_seconds",
        "Clock offset, negative when behind.",
        MetricType::Histogram,
    )
    .unwrap();
    // Observed -20, -5, -0.5, 0, 0.5, 5 and 50.
    offset
        .push(
            LabelSet::empty(),
            MetricValue::Histogram(HistogramValue::from_cumulative(
                &[-10.0, -1.0, 0.0, 1.0, 10.0, f64::INFINITY],
                &[1, 2, 4, 5, 6, 7],
                7,
                Some(30.0),
            )),
        )
        .unwrap();

    let mut requests = MetricFamily::new(
        "demo_requests_total",
        "Requests handled.",
        MetricType::Counter,
    )
    .unwrap();
    requests
        .push(
            labels(&[("method", "GET"), ("path", "/")]),
            MetricValue::Counter(3.0),
        )
        .unwrap();
    requests
        .push(
            labels(&[("method", "POST"), ("path", "a \"quoted\"\\path\n")]),
            MetricValue::Counter(1.0),
        )
        .unwrap();

    let mut size =
        MetricFamily::new("demo_response_bytes", "Response size.", MetricType::Summary).unwrap();
    // Observed 1 to 100: fewer than the summary buffers, so the quantiles are exact.
    size.push(
        LabelSet::empty(),
        MetricValue::Summary(SummaryValue {
            count: 100,
            sum: 5050.0,
            quantiles: [(0.5, 50.0), (0.9, 90.0), (0.99, 99.0)]
                .map(|(quantile, value)| Quantile { quantile, value })
                .to_vec(),
        }),
    )
    .unwrap();

    let mut temperature = MetricFamily::new(
        "demo_temperature_celsius",
        "Temperature.",
        MetricType::Gauge,
    )
    .unwrap();
    temperature
        .push(LabelSet::empty(), MetricValue::Gauge(-2.5))
        .unwrap();

    vec![offset, requests, size, temperature]
}

/// Checks family by family, so a failure names the family that differs.
fn assert_is_what_the_program_set(read: &[MetricFamily], page: &str) {
    let want = what_the_program_set();
    let names = |families: &[MetricFamily]| -> Vec<String> {
        families.iter().map(|f| f.name.to_string()).collect()
    };
    assert_eq!(names(read), names(&want), "--- page ---\n{page}");
    for (got, want) in read.iter().zip(&want) {
        assert_eq!(got, want, "{}\n--- page ---\n{page}", want.name);
    }
}

fn started() -> ClientGolangExporter {
    ClientGolangExporter::start().unwrap()
}

#[test]
#[ignore = "needs client_golang: run cargo xtask test"]
fn the_openmetrics_page_reads_leniently_to_what_the_program_set() {
    let page = started().openmetrics_page().unwrap();
    let read = parse_openmetrics_lenient(&page).unwrap_or_else(|e| panic!("{e}\n{page}"));
    assert_is_what_the_program_set(&read, &page);
}

#[test]
#[ignore = "needs client_golang: run cargo xtask test"]
fn the_strict_reader_refuses_the_page_at_the_sum_beside_negative_buckets() {
    let page = started().openmetrics_page().unwrap();
    let sum_line = page
        .lines()
        .position(|line| line.starts_with("demo_offset_seconds_sum "))
        .unwrap_or_else(|| panic!("no histogram _sum on the page:\n{page}"))
        + 1;
    let err = parse_openmetrics(&page).unwrap_err();
    assert_eq!(err.line(), sum_line, "{err}\n--- page ---\n{page}");
    assert_eq!(err.line_text(), "demo_offset_seconds_sum 30.0", "{err}");
    assert_eq!(
        err.expected(),
        "no _sum on a histogram with negative buckets",
        "{err}"
    );
}

#[test]
#[ignore = "needs client_golang: run cargo xtask test"]
fn the_text_page_reads_to_what_the_program_set() {
    let page = started().text_page().unwrap();
    let read = parse_text(&page).unwrap_or_else(|e| panic!("{e}\n{page}"));
    assert_is_what_the_program_set(&read, &page);
}

#[test]
#[ignore = "needs client_golang: run cargo xtask test"]
fn what_was_read_encodes_to_valid_openmetrics_that_reads_back_the_same() {
    let exporter = started();
    let pages = [
        ("OpenMetrics", exporter.openmetrics_page().unwrap()),
        ("text", exporter.text_page().unwrap()),
    ];
    for (format, page) in pages {
        let read = match format {
            "text" => parse_text(&page),
            _ => parse_openmetrics_lenient(&page),
        }
        .unwrap_or_else(|e| panic!("{format}: {e}\n{page}"));
        let encoded = Encoder::openmetrics().encode_to_string(&read).unwrap();
        // What prom writes is valid OpenMetrics: the strict reader takes it.
        let again = parse_openmetrics(&encoded)
            .unwrap_or_else(|e| panic!("{format}: {e}\n--- encoded ---\n{encoded}"));
        // The same model, less the `_sum` beside negative buckets that
        // OpenMetrics forbids (the encoder leaves it out).
        let mut want = read.clone();
        for family in &mut want {
            for metric in &mut family.metrics {
                if let MetricValue::Histogram(h) = &mut metric.value {
                    if h.buckets.first().is_some_and(|b| b.upper_bound < 0.0) {
                        h.sum = None;
                    }
                }
            }
        }
        assert_eq!(again, want, "{format}\n--- encoded ---\n{encoded}");
    }
}
