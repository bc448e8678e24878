//! The families every golden and conformance test encodes: each metric type,
//! escapes, units, timestamps, special values, and an empty family.
#![allow(dead_code)]

use prom_core::{
    HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue, Quantile, SummaryValue,
};

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    LabelSet::from_pairs(pairs.iter().copied()).unwrap()
}

fn histogram(bounds: &[f64], per_bucket: &[u64], sum: Option<f64>) -> MetricValue {
    MetricValue::Histogram(HistogramValue::from_counts(bounds, per_bucket, sum))
}

pub fn families() -> Vec<MetricFamily> {
    let mut out = Vec::new();

    let mut requests = MetricFamily::new(
        "http_requests_total",
        "Total HTTP requests.\nA second line with a \\ backslash and \"quotes\".",
        MetricType::Counter,
    )
    .unwrap();
    requests
        .push_metric(
            Metric::new(
                labels(&[("method", "GET"), ("path", "/")]),
                MetricValue::Counter(1027.0),
            )
            .with_created(1_700_000_000.5),
        )
        .unwrap();
    requests
        .push_metric(
            Metric::new(
                labels(&[("method", "POST"), ("path", "quote\"back\\slash\nnewline")]),
                MetricValue::Counter(0.1),
            )
            .with_created(1_700_000_000.25),
        )
        .unwrap();
    requests
        .push_metric(
            Metric::new(
                labels(&[("method", "ünï😀"), ("path", "")]),
                MetricValue::Counter(1e20),
            )
            .with_created(1_700_000_000.0),
        )
        .unwrap();
    out.push(requests);

    let mut temp = MetricFamily::new(
        "room_temperature_celsius",
        "Room temperature.",
        MetricType::Gauge,
    )
    .unwrap()
    .with_unit("celsius")
    .unwrap();
    for (room, v) in [
        ("kitchen", 21.5),
        ("cellar", -0.25),
        ("sauna", f64::INFINITY),
        ("void", f64::NEG_INFINITY),
        ("broken", f64::NAN),
    ] {
        temp.push(labels(&[("room", room)]), MetricValue::Gauge(v))
            .unwrap();
    }
    out.push(temp);

    let mut legacy = MetricFamily::new(
        "legacy_value",
        "An untyped value with a timestamp.",
        MetricType::Unknown,
    )
    .unwrap();
    legacy
        .push_metric(
            Metric::new(LabelSet::empty(), MetricValue::Unknown(42.0))
                .with_timestamp_ms(1_700_000_000_123),
        )
        .unwrap();
    out.push(legacy);

    let mut duration = MetricFamily::new(
        "request_duration_seconds",
        "Request latency.",
        MetricType::Histogram,
    )
    .unwrap()
    .with_unit("seconds")
    .unwrap();
    let mut bounds = prom_core::DEFAULT_BUCKETS.to_vec();
    bounds.push(f64::INFINITY);
    let per: Vec<u64> = (0..bounds.len() as u64).collect();
    duration
        .push_metric(
            Metric::new(
                labels(&[("handler", "/api")]),
                histogram(&bounds, &per, Some(123.456)),
            )
            .with_created(1_700_000_001.0),
        )
        .unwrap();
    duration
        .push_metric(
            Metric::new(
                labels(&[("handler", "/idle")]),
                histogram(&bounds, &[0; 15], Some(0.0)),
            )
            .with_created(1_700_000_002.0),
        )
        .unwrap();
    out.push(duration);

    let mut delta = MetricFamily::new(
        "temperature_delta",
        "Change since the last reading.",
        MetricType::Histogram,
    )
    .unwrap();
    delta
        .push(
            LabelSet::empty(),
            histogram(&[-1.0, 0.0, 1e6, f64::INFINITY], &[1, 2, 3, 4], None),
        )
        .unwrap();
    out.push(delta);

    let mut rpc =
        MetricFamily::new("rpc_duration_seconds", "RPC latency.", MetricType::Summary).unwrap();
    rpc.push_metric(
        Metric::new(
            labels(&[("service", "db")]),
            MetricValue::Summary(SummaryValue {
                count: 9,
                sum: 4.5,
                quantiles: vec![
                    Quantile {
                        quantile: 0.5,
                        value: 0.25,
                    },
                    Quantile {
                        quantile: 0.9,
                        value: 1.5,
                    },
                    Quantile {
                        quantile: 0.99,
                        value: 3.0,
                    },
                ],
            }),
        )
        .with_created(1_700_000_003.0),
    )
    .unwrap();
    rpc.push(
        labels(&[("service", "cache")]),
        MetricValue::Summary(SummaryValue {
            count: 0,
            sum: 0.0,
            quantiles: vec![],
        }),
    )
    .unwrap();
    out.push(rpc);

    let mut no_help = MetricFamily::new("no_help", "", MetricType::Gauge).unwrap();
    no_help
        .push(LabelSet::empty(), MetricValue::Gauge(1.0))
        .unwrap();
    out.push(no_help);

    out.push(
        MetricFamily::new(
            "empty_family",
            "A family with no series yet.",
            MetricType::Gauge,
        )
        .unwrap(),
    );
    out
}

/// client_golang's `Histogram` for a reading: count, sum, the classic
/// buckets without `+Inf`, and the native fields from prom-core's
/// `spans_and_deltas` (tested there against client_golang's rule).
pub fn native_histogram_message(
    v: &prom_core::NativeHistogramValue,
) -> prom_codec::protobuf::Histogram {
    let spans = |buckets: &[(i32, u64)]| {
        let (spans, deltas) = prom_core::spans_and_deltas(buckets);
        let spans = spans
            .iter()
            .map(|s| prom_codec::protobuf::BucketSpan {
                offset: Some(s.offset),
                length: Some(s.length),
            })
            .collect::<Vec<_>>();
        (spans, deltas)
    };
    let (negative_span, negative_delta) = spans(&v.negative);
    let (positive_span, positive_delta) = spans(&v.positive);
    prom_codec::protobuf::Histogram {
        sample_count: Some(v.count),
        sample_sum: Some(v.sum),
        bucket: v
            .classic
            .iter()
            .map(|&(bound, n)| prom_codec::protobuf::Bucket {
                cumulative_count: Some(n),
                upper_bound: Some(bound),
                ..Default::default()
            })
            .collect(),
        schema: Some(v.schema),
        zero_threshold: Some(v.zero_threshold),
        zero_count: Some(v.zero_count),
        negative_span,
        negative_delta,
        positive_span,
        positive_delta,
        ..Default::default()
    }
}
