//! A native histogram family with labels, and native histograms that also
//! keep classic buckets (client_golang's histogram with both), in protobuf
//! and in text. The expected protobuf is the prost structs of
//! `prom_codec::protobuf` filled in as client_golang fills its `dto`
//! structs, never the encoder's own output.

mod common;

use prom_codec::protobuf::{LabelPair, Metric, MetricFamily};
use prom_codec::Encoder;
use prom_core::{MetricValue, NativeHistogramOpts, NativeHistogramValue, NativeHistogramVec, Opts};
use prost::Message;

fn latency() -> NativeHistogramVec {
    NativeHistogramVec::new(
        Opts::new("latency_seconds", "Latency.")
            .labels(["route"])
            .native(NativeHistogramOpts::new().schema(0).unwrap())
            .buckets([0.5, 2.0])
            .without_created(),
    )
    .unwrap()
}

#[test]
fn a_labelled_native_family_with_classic_buckets_is_written_byte_for_byte() {
    let h = latency();
    for v in [0.25, 1.0, 1.5, 3.0] {
        h.with(&["/a"], |h| h.observe(v)).unwrap();
    }
    h.with(&["/b"], |h| h.observe(-1.0)).unwrap();
    let a = h.with(&["/a"], |h| h.get()).unwrap();
    let b = h.with(&["/b"], |h| h.get()).unwrap();
    assert_eq!(a.classic, [(0.5, 1), (2.0, 3)]);
    assert_eq!(b.classic, [(0.5, 1), (2.0, 1)]);

    let metric = |route: &str, v: &NativeHistogramValue| Metric {
        label: vec![LabelPair {
            name: Some("route".into()),
            value: Some(route.into()),
        }],
        histogram: Some(common::native_histogram_message(v)),
        ..Default::default()
    };
    let mut want = Vec::new();
    MetricFamily {
        name: Some("latency_seconds".into()),
        help: Some("Latency.".into()),
        r#type: Some(prom_codec::protobuf::MetricType::Histogram as i32),
        metric: vec![metric("/a", &a), metric("/b", &b)],
    }
    .encode_length_delimited(&mut want)
    .unwrap();

    let mut live = Vec::new();
    Encoder::protobuf().encode(&h, &[], &mut live).unwrap();
    assert_eq!(live, want);

    // Read back: native, with its classic buckets beside.
    let families = prom_codec::parse_protobuf(&live).unwrap();
    let MetricValue::NativeHistogram(read) = &families[0].metrics[0].value else {
        panic!("not native: {families:?}");
    };
    assert_eq!(read, &a);
}

#[test]
fn text_formats_write_the_classic_buckets_of_a_native_histogram() {
    let h = latency();
    for v in [0.25, 1.0, 1.5, 3.0, f64::NAN] {
        h.with(&["/a"], |h| h.observe(v)).unwrap();
    }
    let text = Encoder::text()
        .encode_to_string(&prom_core::collect(&h).unwrap())
        .unwrap();
    assert_eq!(
        text,
        "# HELP latency_seconds Latency.\n# TYPE latency_seconds histogram\n\
         latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 1\n\
         latency_seconds_bucket{route=\"/a\",le=\"2.0\"} 3\n\
         latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 5\n\
         latency_seconds_count{route=\"/a\"} 5\n\
         latency_seconds_sum{route=\"/a\"} NaN\n"
    );
}

#[test]
fn a_native_only_family_has_no_classic_buckets_but_inf() {
    let h = NativeHistogramVec::new(
        Opts::new("sizes", "")
            .labels(["kind"])
            .native(NativeHistogramOpts::new()),
    )
    .unwrap();
    h.with(&["x"], |h| h.observe(10.0)).unwrap();
    let reading = h.with(&["x"], |h| h.get()).unwrap();
    assert!(reading.classic.is_empty());
    let mut live = Vec::new();
    Encoder::protobuf().encode(&h, &[], &mut live).unwrap();
    let decoded = MetricFamily::decode_length_delimited(&live[..]).unwrap();
    let hist = decoded.metric[0].histogram.as_ref().unwrap();
    assert!(hist.bucket.is_empty() && !hist.positive_span.is_empty());
    assert!(hist.created_timestamp.is_some());
}
