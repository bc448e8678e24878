//! The protobuf encoder writes, byte for byte, what client_golang's model
//! marshals for the same metrics. The expected bytes never come from the
//! encoder under test: one message is spelled out by hand from
//! `metrics.proto`, the others are the prost structs of
//! `prom_codec::protobuf` filled in as client_golang fills its `dto`
//! structs (proto2: every field it sets is written, zero or not; fields in
//! field-number order) and marshalled by prost.

mod common;

use prom_codec::protobuf::{
    Bucket, Counter, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType, ProtoExemplar,
    Quantile, Summary, Timestamp, Untyped,
};
use prom_codec::Encoder;
use prom_core::{
    Exemplar, HistogramValue, LabelSet, Metric as ModelMetric, MetricFamily as ModelFamily,
    MetricType as ModelType, MetricValue, State, SummaryValue,
};
use prost::Message;

fn encode(families: &[ModelFamily]) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::protobuf()
        .encode_families(families, &mut out)
        .unwrap();
    out
}

fn want(families: &[MetricFamily]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in families {
        f.encode_length_delimited(&mut out).unwrap();
    }
    out
}

fn pair(name: &str, value: &str) -> LabelPair {
    LabelPair {
        name: Some(name.into()),
        value: Some(value.into()),
    }
}

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    LabelSet::from_pairs(pairs.iter().copied()).unwrap()
}

fn family(name: &str, help: &str, t: MetricType, metric: Vec<Metric>) -> MetricFamily {
    MetricFamily {
        name: Some(name.into()),
        help: Some(help.into()),
        r#type: Some(t as i32),
        metric,
    }
}

#[test]
fn a_counter_spelled_out_by_hand() {
    let mut fam = ModelFamily::new("jobs", "", ModelType::Counter).unwrap();
    fam.push_metric(
        ModelMetric::new(labels(&[("q", "a")]), MetricValue::Counter(2.0)).with_created(3.5),
    )
    .unwrap();
    #[rustfmt::skip]
    let want: &[u8] = &[
        0x2f,                                   // length of the MetricFamily: 47
        0x0a, 10, b'j', b'o', b'b', b's', b'_', b't', b'o', b't', b'a', b'l', // name = 1
        0x12, 0,                                // help = 2, empty (client_golang sets it)
        0x18, 0,                                // type = 3, COUNTER
        0x22, 29,                               // metric = 4
          0x0a, 6,                              // label = 1
            0x0a, 1, b'q',                      // name = 1
            0x12, 1, b'a',                      // value = 2
          0x1a, 19,                             // counter = 3
            0x09, 0, 0, 0, 0, 0, 0, 0, 0x40,    // value = 1, 2.0 as a little-endian double
            0x1a, 8,                            // created_timestamp = 3
              0x08, 3,                          // seconds = 1
              0x10, 0x80, 0xca, 0xb5, 0xee, 0x01, // nanos = 2, 500_000_000
    ];
    assert_eq!(encode(&[fam]), want);
}

#[test]
fn counters_with_exemplars_and_created_timestamps() {
    let mut fam = ModelFamily::new("requests", "Requests served.", ModelType::Counter).unwrap();
    let e = Exemplar::new(Exemplar::labels(&[("trace_id", "ab12")]).unwrap(), 1.0)
        .with_timestamp(1_700_000_000.25);
    fam.push_metric(
        ModelMetric::new(labels(&[("code", "200")]), MetricValue::Counter(7.0))
            .with_exemplar(e)
            .with_created(1_600_000_000.0),
    )
    .unwrap();
    fam.push(labels(&[("code", "500")]), MetricValue::Counter(0.0))
        .unwrap();
    // The reader gives back the model, exemplar and created time included.
    assert_eq!(
        prom_codec::parse_protobuf(&encode(std::slice::from_ref(&fam))).unwrap(),
        [fam.clone()]
    );
    let expected = family(
        "requests_total",
        "Requests served.",
        MetricType::Counter,
        vec![
            Metric {
                label: vec![pair("code", "200")],
                counter: Some(Counter {
                    value: Some(7.0),
                    exemplar: Some(ProtoExemplar {
                        label: vec![pair("trace_id", "ab12")],
                        value: Some(1.0),
                        timestamp: Some(Timestamp {
                            seconds: 1_700_000_000,
                            nanos: 250_000_000,
                        }),
                    }),
                    created_timestamp: Some(Timestamp {
                        seconds: 1_600_000_000,
                        nanos: 0,
                    }),
                }),
                ..Default::default()
            },
            Metric {
                label: vec![pair("code", "500")],
                counter: Some(Counter {
                    value: Some(0.0),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ],
    );
    assert_eq!(encode(&[fam]), want(&[expected]));
}

#[test]
fn gauges_untyped_and_timestamps() {
    let mut gauge = ModelFamily::new("temperature", "", ModelType::Gauge).unwrap();
    gauge
        .push_metric(ModelMetric::new(labels(&[]), MetricValue::Gauge(-0.0)).with_timestamp_ms(-5))
        .unwrap();
    let mut untyped = ModelFamily::new("mystery", "Who knows.", ModelType::Unknown).unwrap();
    untyped
        .push(
            labels(&[("a", ""), ("b", "x\"y\n")]),
            MetricValue::Unknown(f64::NAN),
        )
        .unwrap();
    let got = encode(&[gauge, untyped]);
    let expected = want(&[
        family(
            "temperature",
            "",
            MetricType::Gauge,
            vec![Metric {
                gauge: Some(Gauge { value: Some(-0.0) }),
                timestamp_ms: Some(-5),
                ..Default::default()
            }],
        ),
        family(
            "mystery",
            "Who knows.",
            MetricType::Untyped,
            vec![Metric {
                label: vec![pair("a", ""), pair("b", "x\"y\n")],
                untyped: Some(Untyped {
                    value: Some(f64::NAN),
                }),
                ..Default::default()
            }],
        ),
    ]);
    // NaN is not equal to itself, but its bits are: compare bytes.
    assert_eq!(got, expected);
}

#[test]
fn summaries_with_quantiles() {
    let mut fam = ModelFamily::new("latency_seconds", "Latency.", ModelType::Summary).unwrap();
    fam.push_metric(
        ModelMetric::new(
            labels(&[]),
            MetricValue::Summary(SummaryValue {
                count: 3,
                sum: 1.5,
                quantiles: vec![
                    prom_core::Quantile {
                        quantile: 0.5,
                        value: 0.25,
                    },
                    prom_core::Quantile {
                        quantile: 0.99,
                        value: 1.0,
                    },
                ],
            }),
        )
        .with_created(10.0),
    )
    .unwrap();
    let expected = family(
        "latency_seconds",
        "Latency.",
        MetricType::Summary,
        vec![Metric {
            summary: Some(Summary {
                sample_count: Some(3),
                sample_sum: Some(1.5),
                quantile: vec![
                    Quantile {
                        quantile: Some(0.5),
                        value: Some(0.25),
                    },
                    Quantile {
                        quantile: Some(0.99),
                        value: Some(1.0),
                    },
                ],
                created_timestamp: Some(Timestamp {
                    seconds: 10,
                    nanos: 0,
                }),
            }),
            ..Default::default()
        }],
    );
    assert_eq!(encode(&[fam]), want(&[expected]));
}

fn bucket(upper_bound: f64, n: u64) -> Bucket {
    Bucket {
        cumulative_count: Some(n),
        upper_bound: Some(upper_bound),
        ..Default::default()
    }
}

#[test]
fn classic_histograms_leave_the_inf_bucket_to_the_count() {
    let h = HistogramValue::from_counts(&[0.1, 1.0, f64::INFINITY], &[1, 2, 1], Some(2.5));
    let e = Exemplar::new(Exemplar::labels(&[("trace_id", "x")]).unwrap(), 0.5).in_bucket(1.0);
    let mut fam = ModelFamily::new("size_bytes", "", ModelType::Histogram).unwrap();
    fam.push_metric(
        ModelMetric::new(labels(&[("m", "get")]), MetricValue::Histogram(h.clone()))
            .with_exemplar(e)
            .with_created(1.0)
            .with_timestamp_ms(1000),
    )
    .unwrap();
    let mut gauge = ModelFamily::new("queue", "", ModelType::GaugeHistogram).unwrap();
    gauge
        .push(labels(&[]), MetricValue::GaugeHistogram(h))
        .unwrap();
    assert_eq!(
        prom_codec::parse_protobuf(&encode(&[fam.clone(), gauge.clone()])).unwrap(),
        [fam.clone(), gauge.clone()]
    );
    let mut with_exemplar = bucket(1.0, 3);
    with_exemplar.exemplar = Some(ProtoExemplar {
        label: vec![pair("trace_id", "x")],
        value: Some(0.5),
        timestamp: None,
    });
    let expected = [
        family(
            "size_bytes",
            "",
            MetricType::Histogram,
            vec![Metric {
                label: vec![pair("m", "get")],
                histogram: Some(Histogram {
                    sample_count: Some(4),
                    sample_sum: Some(2.5),
                    bucket: vec![bucket(0.1, 1), with_exemplar],
                    created_timestamp: Some(Timestamp {
                        seconds: 1,
                        nanos: 0,
                    }),
                    ..Default::default()
                }),
                timestamp_ms: Some(1000),
                ..Default::default()
            }],
        ),
        family(
            "queue",
            "",
            MetricType::GaugeHistogram,
            vec![Metric {
                histogram: Some(Histogram {
                    sample_count: Some(4),
                    sample_sum: Some(2.5),
                    bucket: vec![bucket(0.1, 1), bucket(1.0, 3)],
                    ..Default::default()
                }),
                ..Default::default()
            }],
        ),
    ];
    assert_eq!(encode(&[fam, gauge]), want(&expected));
}

#[test]
fn info_and_state_sets_are_gauges_as_prometheus_stores_them() {
    let mut info = ModelFamily::new("build", "Build.", ModelType::Info).unwrap();
    info.push(
        labels(&[("host", "a")]),
        MetricValue::Info(labels(&[("version", "1.2")])),
    )
    .unwrap();
    let mut states = ModelFamily::new("mode", "", ModelType::StateSet).unwrap();
    states
        .push(
            labels(&[("unit", "x")]),
            MetricValue::StateSet(vec![
                State {
                    name: "on".into(),
                    enabled: true,
                },
                State {
                    name: "off".into(),
                    enabled: false,
                },
            ]),
        )
        .unwrap();
    let gauge = |labels: Vec<LabelPair>, v: f64| Metric {
        label: labels,
        gauge: Some(Gauge { value: Some(v) }),
        ..Default::default()
    };
    let expected = [
        family(
            "build_info",
            "Build.",
            MetricType::Gauge,
            vec![gauge(vec![pair("host", "a"), pair("version", "1.2")], 1.0)],
        ),
        family(
            "mode",
            "",
            MetricType::Gauge,
            vec![
                gauge(vec![pair("unit", "x"), pair("mode", "on")], 1.0),
                gauge(vec![pair("unit", "x"), pair("mode", "off")], 0.0),
            ],
        ),
    ];
    assert_eq!(encode(&[info, states]), want(&expected));
}

#[test]
fn streaming_and_snapshot_protobuf_are_identical() {
    let c = prom_core::Counter::new("jobs", "Jobs.").unwrap();
    c.inc_by(3.0).unwrap();
    let mut live = Vec::new();
    Encoder::protobuf().encode(&c, &[], &mut live).unwrap();
    let snapshot = encode(&prom_core::collect(&c).unwrap());
    assert_eq!(live, snapshot);
    let decoded = MetricFamily::decode_length_delimited(&live[..]).unwrap();
    assert_eq!(decoded.name.as_deref(), Some("jobs_total"));
}

#[test]
fn the_reader_names_what_is_wrong() {
    let broken = want(&[MetricFamily {
        r#type: Some(9),
        ..family("x", "", MetricType::Gauge, vec![])
    }]);
    assert_eq!(
        prom_codec::parse_protobuf(&broken).unwrap_err().to_string(),
        "metric family \"x\" has an unknown type 9"
    );
    let no_value = want(&[family(
        "x_total",
        "",
        MetricType::Counter,
        vec![Metric::default()],
    )]);
    assert_eq!(
        prom_codec::parse_protobuf(&no_value)
            .unwrap_err()
            .to_string(),
        "a metric of family \"x_total\" has no \"counter\" field, which its type needs"
    );
    let bad_label = want(&[family(
        "x",
        "",
        MetricType::Gauge,
        vec![Metric {
            label: vec![pair("__9lives", "")],
            gauge: Some(Gauge { value: Some(1.0) }),
            ..Default::default()
        }],
    )]);
    let err = prom_codec::parse_protobuf(&bad_label)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("metric family \"x\": ") && err.contains("__9lives"),
        "{err}"
    );
    let mut two = want(&[family("a", "", MetricType::Gauge, vec![])]);
    let first = two.len();
    two.extend_from_slice(&[7, 0x0a]);
    let err = prom_codec::parse_protobuf(&two).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("invalid protobuf exposition at byte {first}: ")),
        "{err}"
    );
    let unnamed = want(&[MetricFamily {
        name: None,
        ..family("x", "", MetricType::Gauge, vec![])
    }]);
    assert_eq!(
        prom_codec::parse_protobuf(&unnamed)
            .unwrap_err()
            .to_string(),
        "the MetricFamily at byte 0 has no name"
    );
}

#[test]
fn native_histograms_carry_schema_zero_bucket_spans_and_deltas() {
    let h = prom_core::NativeHistogram::with_name(
        "h",
        "",
        prom_core::NativeHistogramOpts::new().schema(0).unwrap(),
    )
    .expect("a valid name");
    for v in [0.0, 1.0, 1.5, 3.0, 3.5, 100.0, 1e6, -2.0, -0.5] {
        h.observe(v);
    }
    let value = h.get();
    let mut fam = ModelFamily::new("latency_seconds", "Latency.", ModelType::Histogram).unwrap();
    fam.push_metric(
        ModelMetric::new(labels(&[]), MetricValue::NativeHistogram(value.clone()))
            .with_created(2.0),
    )
    .unwrap();
    let mut expected = common::native_histogram_message(&value);
    expected.created_timestamp = Some(Timestamp {
        seconds: 2,
        nanos: 0,
    });
    assert!(expected.positive_span.len() >= 2, "{expected:?}");
    let want_bytes = want(&[family(
        "latency_seconds",
        "Latency.",
        MetricType::Histogram,
        vec![Metric {
            histogram: Some(expected),
            ..Default::default()
        }],
    )]);
    assert_eq!(encode(&[fam.clone()]), want_bytes);
    assert_eq!(
        prom_codec::parse_protobuf(&want_bytes).unwrap(),
        [fam.clone()]
    );

    // Text formats: what client_golang writes for a native-only histogram.
    let text = Encoder::text().encode_to_string(&[fam]).unwrap();
    assert_eq!(
        text,
        "# HELP latency_seconds Latency.\n# TYPE latency_seconds histogram\n\
         latency_seconds_bucket{le=\"+Inf\"} 9\nlatency_seconds_count 9\nlatency_seconds_sum 1000106.5\n"
    );
}

#[test]
fn an_empty_native_histogram_with_no_zero_threshold_gets_a_no_op_span() {
    let h = prom_core::NativeHistogram::with_name(
        "h",
        "",
        prom_core::NativeHistogramOpts::new()
            .zero_threshold(0.0)
            .unwrap(),
    )
    .expect("a valid name");
    let value = h.get();
    let mut fam = ModelFamily::new("empty", "", ModelType::Histogram).unwrap();
    fam.push(labels(&[]), MetricValue::NativeHistogram(value.clone()))
        .unwrap();
    // Read back as the empty native histogram it is, not a classic one.
    assert_eq!(
        prom_codec::parse_protobuf(&encode(std::slice::from_ref(&fam))).unwrap(),
        [fam.clone()]
    );
    let mut expected = common::native_histogram_message(&value);
    expected.positive_span = vec![prom_codec::protobuf::BucketSpan {
        offset: Some(0),
        length: Some(0),
    }];
    let want_bytes = want(&[family(
        "empty",
        "",
        MetricType::Histogram,
        vec![Metric {
            histogram: Some(expected),
            ..Default::default()
        }],
    )]);
    assert_eq!(encode(&[fam]), want_bytes);
}

#[test]
fn a_named_native_histogram_is_a_collector_streamed_like_its_snapshot() {
    let h = prom_core::NativeHistogram::with_name(
        "rpc_seconds",
        "RPC latency.",
        prom_core::NativeHistogramOpts::new(),
    )
    .unwrap();
    for v in [0.001, 0.01, 0.1, 1.0] {
        h.observe(v);
    }
    let mut live = Vec::new();
    Encoder::protobuf().encode(&h, &[], &mut live).unwrap();
    let snapshot = encode(&prom_core::collect(&h).unwrap());
    assert_eq!(live, snapshot);
    let decoded = MetricFamily::decode_length_delimited(&live[..]).unwrap();
    let hist = decoded.metric[0].histogram.as_ref().unwrap();
    assert_eq!(hist.sample_count, Some(4));
    assert!(hist.schema.is_some() && !hist.positive_span.is_empty());
    assert!(hist.created_timestamp.is_some());
    let text = Encoder::text()
        .encode_to_string(&prom_core::collect(&h).unwrap())
        .unwrap();
    assert!(
        text.contains("rpc_seconds_bucket{le=\"+Inf\"} 4\nrpc_seconds_count 4\n"),
        "{text}"
    );
}

#[test]
fn native_spans_and_deltas_that_disagree_are_refused() {
    let bad = want(&[family(
        "h",
        "",
        MetricType::Histogram,
        vec![Metric {
            histogram: Some(Histogram {
                sample_count: Some(1),
                schema: Some(0),
                positive_span: vec![prom_codec::protobuf::BucketSpan {
                    offset: Some(0),
                    length: Some(2),
                }],
                positive_delta: vec![1],
                ..Default::default()
            }),
            ..Default::default()
        }],
    )]);
    assert_eq!(
        prom_codec::parse_protobuf(&bad).unwrap_err().to_string(),
        "a native histogram of family \"h\" is invalid: fewer deltas than the spans' buckets"
    );
}
