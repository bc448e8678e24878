//! The protobuf exposition format,
//! `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`:
//! a stream of `io.prometheus.client.MetricFamily` messages, each prefixed
//! by its length as a varint.
//!
//! The messages of client_model's `io/prometheus/client/metrics.proto` are
//! written here as [`prost`] structs, field numbers beside each field, for
//! reading and for tests. The encoder does not build them: it writes the
//! same fields with prost's low-level functions into buffers reused from
//! series to series, from the same visit as the text encoders.
//!
//! What is written, as client_golang writes it (every field it sets is
//! written, zero or not, as proto2 does):
//! - a counter family is named with its `_total` suffix (the sample name
//!   Prometheus stores), its created timestamp and exemplar in `Counter`;
//! - a classic histogram's buckets without the `+Inf` bucket, which
//!   `sample_count` implies (it is written when it carries an exemplar);
//! - a gauge histogram as a histogram of type `GAUGE_HISTOGRAM`;
//! - a native histogram as client_golang writes one without classic
//!   buckets: count, sum, schema, zero threshold, zero count, and the
//!   negative and positive spans and deltas. Prometheus 2.42 takes a
//!   histogram for native only when it has a zero threshold above 0, a
//!   span or a zero count; [`NativeHistogramOpts`](prom_core::NativeHistogramOpts)'
//!   default zero threshold (2^-128) qualifies, and an empty histogram
//!   with a zero threshold of 0 gets client_golang's no-op span (offset 0,
//!   length 0). The text formats write its `+Inf` bucket, `_count` and
//!   `_sum`, as client_golang does;
//! - an info as a `GAUGE` family named `<name>_info` whose series carry the
//!   info's labels and the value 1, and a state set as a `GAUGE` family
//!   with one series per state, labelled `<name>="<state>"`, 1 when
//!   enabled, else 0: what Prometheus stores when it reads them from
//!   OpenMetrics (protobuf has neither type);
//! - unknown as `UNTYPED`. The unit has no field Prometheus 2.42 reads and
//!   is left out.
//!
//! ```
//! use prom_codec::Encoder;
//! use prom_codec::protobuf::{MetricFamily, MetricType};
//! use prost::Message;
//!
//! let c = prom_core::Counter::new("jobs", "Jobs run.").unwrap();
//! c.inc_by(2.0).unwrap();
//! let mut body = Vec::new();
//! Encoder::protobuf().encode(&c, &[], &mut body).unwrap();
//! let family = MetricFamily::decode_length_delimited(&body[..]).unwrap();
//! assert_eq!(family.name.as_deref(), Some("jobs_total"));
//! assert_eq!(family.r#type, Some(MetricType::Counter as i32));
//! assert_eq!(family.metric[0].counter.as_ref().unwrap().value, Some(2.0));
//! ```

use std::collections::HashMap;

use prom_core::{
    visit_families, Exemplar, FamilyRef, LabelsRef, MetricFamily as ModelFamily,
    MetricType as ModelType, NativeHistogramValue, SeriesRef, ValueRef, VisitError, Visitor,
};
use prost::encoding::{encode_key, encode_varint, WireType};

use crate::encode::NameClash;
use crate::sink::Sink;

/// The `Content-Type` of the protobuf exposition.
pub const CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/// `io.prometheus.client.LabelPair`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LabelPair {
    /// `name = 1`.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `value = 2`.
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// `io.prometheus.client.MetricType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum MetricType {
    /// `COUNTER = 0`.
    Counter = 0,
    /// `GAUGE = 1`.
    Gauge = 1,
    /// `SUMMARY = 2`.
    Summary = 2,
    /// `UNTYPED = 3`.
    Untyped = 3,
    /// `HISTOGRAM = 4`.
    Histogram = 4,
    /// `GAUGE_HISTOGRAM = 5`.
    GaugeHistogram = 5,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    /// `seconds = 1` since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// `nanos = 2`, in `0..1_000_000_000`.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `io.prometheus.client.Gauge`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Gauge {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Counter`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Counter {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
    /// `exemplar = 2`.
    #[prost(message, optional, tag = "2")]
    pub exemplar: Option<ProtoExemplar>,
    /// `created_timestamp = 3`.
    #[prost(message, optional, tag = "3")]
    pub created_timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Quantile`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Quantile {
    /// `quantile = 1`.
    #[prost(double, optional, tag = "1")]
    pub quantile: Option<f64>,
    /// `value = 2`.
    #[prost(double, optional, tag = "2")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Summary`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// `sample_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// `sample_sum = 2`.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
    /// `quantile = 3`.
    #[prost(message, repeated, tag = "3")]
    pub quantile: Vec<Quantile>,
    /// `created_timestamp = 4`.
    #[prost(message, optional, tag = "4")]
    pub created_timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Untyped`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Untyped {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Histogram`, classic and native fields.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Histogram {
    /// `sample_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// `sample_count_float = 4` (overrides `sample_count` if > 0).
    #[prost(double, optional, tag = "4")]
    pub sample_count_float: Option<f64>,
    /// `sample_sum = 2`.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
    /// `bucket = 3`: the classic buckets, by increasing upper bound.
    #[prost(message, repeated, tag = "3")]
    pub bucket: Vec<Bucket>,
    /// `created_timestamp = 15`.
    #[prost(message, optional, tag = "15")]
    pub created_timestamp: Option<Timestamp>,
    /// `schema = 5` (native).
    #[prost(sint32, optional, tag = "5")]
    pub schema: Option<i32>,
    /// `zero_threshold = 6` (native).
    #[prost(double, optional, tag = "6")]
    pub zero_threshold: Option<f64>,
    /// `zero_count = 7` (native).
    #[prost(uint64, optional, tag = "7")]
    pub zero_count: Option<u64>,
    /// `zero_count_float = 8` (native).
    #[prost(double, optional, tag = "8")]
    pub zero_count_float: Option<f64>,
    /// `negative_span = 9` (native).
    #[prost(message, repeated, tag = "9")]
    pub negative_span: Vec<BucketSpan>,
    /// `negative_delta = 10` (native; proto2, so not packed).
    #[prost(sint64, repeated, packed = "false", tag = "10")]
    pub negative_delta: Vec<i64>,
    /// `negative_count = 11` (native float histograms).
    #[prost(double, repeated, packed = "false", tag = "11")]
    pub negative_count: Vec<f64>,
    /// `positive_span = 12` (native).
    #[prost(message, repeated, tag = "12")]
    pub positive_span: Vec<BucketSpan>,
    /// `positive_delta = 13` (native; proto2, so not packed).
    #[prost(sint64, repeated, packed = "false", tag = "13")]
    pub positive_delta: Vec<i64>,
    /// `positive_count = 14` (native float histograms).
    #[prost(double, repeated, packed = "false", tag = "14")]
    pub positive_count: Vec<f64>,
    /// `exemplars = 16` (native).
    #[prost(message, repeated, tag = "16")]
    pub exemplars: Vec<ProtoExemplar>,
}

/// `io.prometheus.client.Bucket`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Bucket {
    /// `cumulative_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub cumulative_count: Option<u64>,
    /// `cumulative_count_float = 4`.
    #[prost(double, optional, tag = "4")]
    pub cumulative_count_float: Option<f64>,
    /// `upper_bound = 2` (inclusive).
    #[prost(double, optional, tag = "2")]
    pub upper_bound: Option<f64>,
    /// `exemplar = 3`.
    #[prost(message, optional, tag = "3")]
    pub exemplar: Option<ProtoExemplar>,
}

/// `io.prometheus.client.BucketSpan`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BucketSpan {
    /// `offset = 1`: the gap to the previous span, or the first index.
    #[prost(sint32, optional, tag = "1")]
    pub offset: Option<i32>,
    /// `length = 2`.
    #[prost(uint32, optional, tag = "2")]
    pub length: Option<u32>,
}

/// `io.prometheus.client.Exemplar`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProtoExemplar {
    /// `label = 1`.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// `value = 2`.
    #[prost(double, optional, tag = "2")]
    pub value: Option<f64>,
    /// `timestamp = 3`.
    #[prost(message, optional, tag = "3")]
    pub timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Metric`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Metric {
    /// `label = 1`.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// `gauge = 2`.
    #[prost(message, optional, tag = "2")]
    pub gauge: Option<Gauge>,
    /// `counter = 3`.
    #[prost(message, optional, tag = "3")]
    pub counter: Option<Counter>,
    /// `summary = 4`.
    #[prost(message, optional, tag = "4")]
    pub summary: Option<Summary>,
    /// `untyped = 5`.
    #[prost(message, optional, tag = "5")]
    pub untyped: Option<Untyped>,
    /// `histogram = 7`.
    #[prost(message, optional, tag = "7")]
    pub histogram: Option<Histogram>,
    /// `timestamp_ms = 6`.
    #[prost(int64, optional, tag = "6")]
    pub timestamp_ms: Option<i64>,
}

/// `io.prometheus.client.MetricFamily`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MetricFamily {
    /// `name = 1`.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `help = 2`.
    #[prost(string, optional, tag = "2")]
    pub help: Option<String>,
    /// `type = 3`.
    #[prost(enumeration = "MetricType", optional, tag = "3")]
    pub r#type: Option<i32>,
    /// `metric = 4`.
    #[prost(message, repeated, tag = "4")]
    pub metric: Vec<Metric>,
}

// Field numbers the writer uses, from metrics.proto.
mod tag {
    pub const FAMILY_NAME: u32 = 1;
    pub const FAMILY_HELP: u32 = 2;
    pub const FAMILY_TYPE: u32 = 3;
    pub const FAMILY_METRIC: u32 = 4;
    pub const METRIC_LABEL: u32 = 1;
    pub const METRIC_GAUGE: u32 = 2;
    pub const METRIC_COUNTER: u32 = 3;
    pub const METRIC_SUMMARY: u32 = 4;
    pub const METRIC_UNTYPED: u32 = 5;
    pub const METRIC_TIMESTAMP_MS: u32 = 6;
    pub const METRIC_HISTOGRAM: u32 = 7;
    pub const LABEL_NAME: u32 = 1;
    pub const LABEL_VALUE: u32 = 2;
    pub const COUNTER_VALUE: u32 = 1;
    pub const COUNTER_EXEMPLAR: u32 = 2;
    pub const COUNTER_CREATED: u32 = 3;
    pub const QUANTILE_QUANTILE: u32 = 1;
    pub const QUANTILE_VALUE: u32 = 2;
    pub const SUMMARY_COUNT: u32 = 1;
    pub const SUMMARY_SUM: u32 = 2;
    pub const SUMMARY_QUANTILE: u32 = 3;
    pub const SUMMARY_CREATED: u32 = 4;
    pub const HISTOGRAM_COUNT: u32 = 1;
    pub const HISTOGRAM_SUM: u32 = 2;
    pub const HISTOGRAM_BUCKET: u32 = 3;
    pub const HISTOGRAM_CREATED: u32 = 15;
    pub const HISTOGRAM_SCHEMA: u32 = 5;
    pub const HISTOGRAM_ZERO_THRESHOLD: u32 = 6;
    pub const HISTOGRAM_ZERO_COUNT: u32 = 7;
    pub const HISTOGRAM_NEGATIVE_SPAN: u32 = 9;
    pub const HISTOGRAM_NEGATIVE_DELTA: u32 = 10;
    pub const HISTOGRAM_POSITIVE_SPAN: u32 = 12;
    pub const HISTOGRAM_POSITIVE_DELTA: u32 = 13;
    pub const SPAN_OFFSET: u32 = 1;
    pub const SPAN_LENGTH: u32 = 2;
    pub const BUCKET_COUNT: u32 = 1;
    pub const BUCKET_UPPER_BOUND: u32 = 2;
    pub const BUCKET_EXEMPLAR: u32 = 3;
    pub const EXEMPLAR_LABEL: u32 = 1;
    pub const EXEMPLAR_VALUE: u32 = 2;
    pub const EXEMPLAR_TIMESTAMP: u32 = 3;
    pub const TIMESTAMP_SECONDS: u32 = 1;
    pub const TIMESTAMP_NANOS: u32 = 2;
    pub const VALUE: u32 = 1;
}

fn put_double(buf: &mut Vec<u8>, tag: u32, v: f64) {
    encode_key(tag, WireType::SixtyFourBit, buf);
    buf.extend_from_slice(&v.to_le_bytes());
}

fn put_uint(buf: &mut Vec<u8>, tag: u32, v: u64) {
    encode_key(tag, WireType::Varint, buf);
    encode_varint(v, buf);
}

fn put_bytes(buf: &mut Vec<u8>, tag: u32, v: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(v.len() as u64, buf);
    buf.extend_from_slice(v);
}

/// Starts an embedded message: its key now, its length once it is written
/// ([`close`] inserts it before the body, moving the body once).
fn open(buf: &mut Vec<u8>, tag: u32) -> usize {
    encode_key(tag, WireType::LengthDelimited, buf);
    buf.len()
}

fn close(buf: &mut Vec<u8>, start: usize) {
    let len = (buf.len() - start) as u64;
    let mut prefix = [0u8; 10];
    let mut n = 0;
    let mut v = len;
    loop {
        // Seven bits at a time, low first, the high bit saying more follow.
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        prefix[n] = if v == 0 { byte } else { byte | 0x80 };
        n += 1;
        if v == 0 {
            break;
        }
    }
    buf.splice(start..start, prefix[..n].iter().copied());
}

/// A `google.protobuf.Timestamp` of `seconds` since the epoch.
fn put_timestamp(buf: &mut Vec<u8>, tag: u32, seconds: f64) {
    let (secs, nanos) = split_seconds(seconds);
    let start = open(buf, tag);
    // proto3: zero fields are left out.
    if secs != 0 {
        encode_key(tag::TIMESTAMP_SECONDS, WireType::Varint, buf);
        encode_varint(secs as u64, buf);
    }
    if nanos != 0 {
        encode_key(tag::TIMESTAMP_NANOS, WireType::Varint, buf);
        encode_varint(i64::from(nanos) as u64, buf);
    }
    close(buf, start);
}

/// Whole seconds (rounded down) and nanoseconds of `seconds`.
pub(crate) fn split_seconds(seconds: f64) -> (i64, i32) {
    let whole = seconds.floor();
    let mut nanos = ((seconds - whole) * 1e9).round() as i32;
    let mut secs = whole as i64;
    if nanos >= 1_000_000_000 {
        secs += 1;
        nanos -= 1_000_000_000;
    }
    (secs, nanos)
}

/// The zigzag encoding of `sint32`/`sint64` fields.
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn put_span(buf: &mut Vec<u8>, tag: u32, offset: i32, length: u32) {
    let start = open(buf, tag);
    encode_key(tag::SPAN_OFFSET, WireType::Varint, buf);
    encode_varint(zigzag(i64::from(offset)), buf);
    put_uint(buf, tag::SPAN_LENGTH, u64::from(length));
    close(buf, start);
}

/// Spans and deltas of sorted `(key, count)` buckets, computed as
/// [`prom_core::spans_and_deltas`] does but written as they come, with no
/// vector per series: a gap of one or two buckets is filled with empty
/// buckets rather than a new span. Deltas are proto2 `repeated sint64`,
/// so not packed.
fn put_buckets(buf: &mut Vec<u8>, buckets: &[(i32, u64)], span_tag: u32, delta_tag: u32) {
    if buckets.is_empty() {
        return;
    }
    // Spans first (field order: all spans, then all deltas).
    let mut span_start = buckets[0].0;
    // One past the last key of the current span.
    let mut next = span_start + 1;
    let mut previous_end: Option<i32> = None;
    for &(key, _) in &buckets[1..] {
        if key - next > 2 {
            let offset = previous_end.map_or(span_start, |end| span_start - end);
            put_span(buf, span_tag, offset, (next - span_start) as u32);
            previous_end = Some(next);
            span_start = key;
        }
        next = key + 1;
    }
    let offset = previous_end.map_or(span_start, |end| span_start - end);
    put_span(buf, span_tag, offset, (next - span_start) as u32);
    let mut previous = 0i64;
    let mut expected = buckets[0].0;
    for &(key, count) in buckets {
        // Empty buckets filling a gap inside a span.
        if key - expected <= 2 {
            for _ in expected..key {
                encode_key(delta_tag, WireType::Varint, buf);
                encode_varint(zigzag(-previous), buf);
                previous = 0;
            }
        }
        let count = count as i64;
        encode_key(delta_tag, WireType::Varint, buf);
        encode_varint(zigzag(count - previous), buf);
        previous = count;
        expected = key + 1;
    }
}

fn put_labels(buf: &mut Vec<u8>, tag: u32, labels: LabelsRef<'_>) {
    for (name, value) in labels.iter_bytes() {
        let start = open(buf, tag);
        put_bytes(buf, tag::LABEL_NAME, name.as_bytes());
        put_bytes(buf, tag::LABEL_VALUE, value);
        close(buf, start);
    }
}

fn put_exemplar(buf: &mut Vec<u8>, tag: u32, e: &Exemplar) {
    let start = open(buf, tag);
    put_labels(buf, tag::EXEMPLAR_LABEL, e.labels.as_labels_ref());
    put_double(buf, tag::EXEMPLAR_VALUE, e.value);
    if let Some(ts) = e.timestamp {
        put_timestamp(buf, tag::EXEMPLAR_TIMESTAMP, ts);
    }
    close(buf, start);
}

/// Writes families as protobuf messages, as a [`Visitor`]. A family is
/// gathered in one reused buffer and handed to the sink, length first,
/// when the next family starts or the visit ends.
pub(crate) struct ProtoWriter<'w, S: Sink + ?Sized> {
    w: &'w mut S,
    /// The current family's message body.
    family: Vec<u8>,
    /// The current family's name, for a state set's label.
    name: String,
    /// Every family name written, for [`NameClash`].
    written: HashMap<String, String>,
}

impl<'w, S: Sink + ?Sized> ProtoWriter<'w, S> {
    pub(crate) fn new(w: &'w mut S) -> Self {
        Self {
            w,
            family: Vec::new(),
            name: String::new(),
            written: HashMap::new(),
        }
    }

    /// Hands the gathered family to the sink.
    fn flush(&mut self) {
        if self.family.is_empty() {
            return;
        }
        let mut len = [0u8; 10];
        let n = {
            let mut slice = &mut len[..];
            let before = slice.len();
            encode_varint(self.family.len() as u64, &mut slice);
            before - slice.len()
        };
        self.w.put(&len[..n]);
        self.w.put(&self.family);
        self.family.clear();
    }

    pub(crate) fn finish(mut self) {
        self.flush();
    }

    /// Starts a `Metric` with the series' labels (and `more`).
    fn metric_start(&mut self, s: &SeriesRef<'_>, more: Option<LabelsRef<'_>>) -> usize {
        let buf = &mut self.family;
        let start = open(buf, tag::FAMILY_METRIC);
        put_labels(buf, tag::METRIC_LABEL, s.labels);
        if let Some(more) = more {
            put_labels(buf, tag::METRIC_LABEL, more);
        }
        start
    }

    fn metric_end(&mut self, s: &SeriesRef<'_>, start: usize) {
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        close(&mut self.family, start);
    }

    /// A metric of one double value in field `field` of `Metric`.
    fn simple(&mut self, s: &SeriesRef<'_>, more: Option<LabelsRef<'_>>, field: u32, v: f64) {
        let start = self.metric_start(s, more);
        let inner = open(&mut self.family, field);
        put_double(&mut self.family, tag::VALUE, v);
        close(&mut self.family, inner);
        self.metric_end(s, start);
    }

    fn histogram(
        &mut self,
        s: &SeriesRef<'_>,
        bounds: &[f64],
        cumulative: &[u64],
        count: u64,
        sum: Option<f64>,
    ) {
        let start = self.metric_start(s, None);
        // timestamp_ms (6) comes before histogram (7).
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        let buf = &mut self.family;
        let h = open(buf, tag::METRIC_HISTOGRAM);
        put_uint(buf, tag::HISTOGRAM_COUNT, count);
        if let Some(sum) = sum {
            put_double(buf, tag::HISTOGRAM_SUM, sum);
        }
        let mut exemplars = s.exemplars.iter().peekable();
        for (&bound, &n) in bounds.iter().zip(cumulative) {
            while exemplars
                .next_if(|e| e.bucket.is_none_or(|b| b < bound))
                .is_some()
            {}
            let exemplar = exemplars.next_if(|e| e.bucket == Some(bound));
            // The +Inf bucket is implied by sample_count, as client_golang
            // leaves it out; written when it says more.
            if bound == f64::INFINITY && exemplar.is_none() && n == count {
                continue;
            }
            let b = open(buf, tag::HISTOGRAM_BUCKET);
            put_uint(buf, tag::BUCKET_COUNT, n);
            put_double(buf, tag::BUCKET_UPPER_BOUND, bound);
            if let Some(e) = exemplar {
                put_exemplar(buf, tag::BUCKET_EXEMPLAR, e);
            }
            close(buf, b);
        }
        if let Some(created) = s.created {
            put_timestamp(buf, tag::HISTOGRAM_CREATED, created);
        }
        close(buf, h);
        close(&mut self.family, start);
    }

    /// A native histogram as client_golang writes one without classic
    /// buckets: count, sum, schema, zero threshold and count, then the
    /// negative and positive spans and deltas. One with no bucket, no zero
    /// count and a zero threshold of 0 gets a no-op span (offset 0,
    /// length 0), or Prometheus would read it as a classic histogram.
    fn native_histogram(&mut self, s: &SeriesRef<'_>, h: &NativeHistogramValue) {
        let start = self.metric_start(s, None);
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        let buf = &mut self.family;
        let m = open(buf, tag::METRIC_HISTOGRAM);
        put_uint(buf, tag::HISTOGRAM_COUNT, h.count);
        put_double(buf, tag::HISTOGRAM_SUM, h.sum);
        encode_key(tag::HISTOGRAM_SCHEMA, WireType::Varint, buf);
        encode_varint(zigzag(i64::from(h.schema)), buf);
        put_double(buf, tag::HISTOGRAM_ZERO_THRESHOLD, h.zero_threshold);
        put_uint(buf, tag::HISTOGRAM_ZERO_COUNT, h.zero_count);
        let noop = h.positive.is_empty()
            && h.negative.is_empty()
            && h.zero_threshold == 0.0
            && h.zero_count == 0;
        put_buckets(
            buf,
            &h.negative,
            tag::HISTOGRAM_NEGATIVE_SPAN,
            tag::HISTOGRAM_NEGATIVE_DELTA,
        );
        if noop {
            put_span(buf, tag::HISTOGRAM_POSITIVE_SPAN, 0, 0);
        } else {
            put_buckets(
                buf,
                &h.positive,
                tag::HISTOGRAM_POSITIVE_SPAN,
                tag::HISTOGRAM_POSITIVE_DELTA,
            );
        }
        if let Some(created) = s.created {
            put_timestamp(buf, tag::HISTOGRAM_CREATED, created);
        }
        close(buf, m);
        close(&mut self.family, start);
    }

    fn write_series(&mut self, s: &SeriesRef<'_>) {
        match s.value {
            ValueRef::Counter(v) => {
                let start = self.metric_start(s, None);
                let buf = &mut self.family;
                let c = open(buf, tag::METRIC_COUNTER);
                put_double(buf, tag::COUNTER_VALUE, v);
                if let Some(e) = s.exemplars.first() {
                    put_exemplar(buf, tag::COUNTER_EXEMPLAR, e);
                }
                if let Some(created) = s.created {
                    put_timestamp(buf, tag::COUNTER_CREATED, created);
                }
                close(buf, c);
                self.metric_end(s, start);
            }
            ValueRef::Gauge(v) => self.simple(s, None, tag::METRIC_GAUGE, v),
            ValueRef::Unknown(v) => self.simple(s, None, tag::METRIC_UNTYPED, v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                count,
                sum,
            }
            | ValueRef::GaugeHistogram {
                bounds,
                cumulative,
                count,
                sum,
            } => self.histogram(s, bounds, cumulative, count, sum),
            ValueRef::NativeHistogram(h) => self.native_histogram(s, h),
            ValueRef::Summary {
                count,
                sum,
                quantiles,
            } => {
                let start = self.metric_start(s, None);
                let buf = &mut self.family;
                let m = open(buf, tag::METRIC_SUMMARY);
                put_uint(buf, tag::SUMMARY_COUNT, count);
                put_double(buf, tag::SUMMARY_SUM, sum);
                for q in quantiles {
                    let qs = open(buf, tag::SUMMARY_QUANTILE);
                    put_double(buf, tag::QUANTILE_QUANTILE, q.quantile);
                    put_double(buf, tag::QUANTILE_VALUE, q.value);
                    close(buf, qs);
                }
                if let Some(created) = s.created {
                    put_timestamp(buf, tag::SUMMARY_CREATED, created);
                }
                close(buf, m);
                self.metric_end(s, start);
            }
            ValueRef::Info(info) => self.simple(s, Some(info), tag::METRIC_GAUGE, 1.0),
            ValueRef::StateSet { names, enabled } => {
                for (state, &on) in names.iter().zip(enabled) {
                    let start = self.metric_start(s, None);
                    let buf = &mut self.family;
                    let l = open(buf, tag::METRIC_LABEL);
                    put_bytes(buf, tag::LABEL_NAME, self.name.as_bytes());
                    put_bytes(buf, tag::LABEL_VALUE, state.as_bytes());
                    close(buf, l);
                    let g = open(buf, tag::METRIC_GAUGE);
                    put_double(buf, tag::VALUE, if on { 1.0 } else { 0.0 });
                    close(buf, g);
                    self.metric_end(s, start);
                }
            }
            // A value this writer does not know is left out rather than
            // written wrongly.
            _ => {}
        }
    }
}

impl<S: Sink + ?Sized> Visitor for ProtoWriter<'_, S> {
    fn family(&mut self, fam: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.flush();
        let suffix = match fam.metric_type {
            ModelType::Counter => "_total",
            ModelType::Info => "_info",
            _ => "",
        };
        self.name.clear();
        self.name.push_str(fam.name);
        let mut full = String::with_capacity(fam.name.len() + suffix.len());
        full.push_str(fam.name);
        full.push_str(suffix);
        if let Some(owner) = self.written.get(&full) {
            return Err(VisitError::new(NameClash {
                name: full,
                first: owner.clone(),
                second: fam.name.to_owned(),
            }));
        }
        let proto_type = match fam.metric_type {
            ModelType::Counter => MetricType::Counter,
            ModelType::Gauge | ModelType::Info | ModelType::StateSet => MetricType::Gauge,
            ModelType::Summary => MetricType::Summary,
            ModelType::Histogram => MetricType::Histogram,
            ModelType::GaugeHistogram => MetricType::GaugeHistogram,
            _ => MetricType::Untyped,
        };
        let buf = &mut self.family;
        put_bytes(buf, tag::FAMILY_NAME, full.as_bytes());
        put_bytes(buf, tag::FAMILY_HELP, fam.help.as_bytes());
        put_uint(buf, tag::FAMILY_TYPE, proto_type as u64);
        self.written.insert(full, fam.name.to_owned());
        self.check()?;
        Ok(true)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.write_series(series);
        Ok(())
    }
}

impl<S: Sink + ?Sized> ProtoWriter<'_, S> {
    fn check(&self) -> Result<(), VisitError> {
        match self.w.error() {
            Some(e) => Err(VisitError::new(e.to_string())),
            None => Ok(()),
        }
    }
}

/// Writes snapshot `families` into `sink`.
pub(crate) fn encode<S: Sink + ?Sized>(
    families: &[ModelFamily],
    sink: &mut S,
) -> Result<(), NameClash> {
    let mut writer = ProtoWriter::new(sink);
    match visit_families(families, &mut writer) {
        Ok(()) => writer.finish(),
        Err(e) => {
            return crate::encode::clash(prom_core::VisitFailure::Visit(e)).map_or(Ok(()), Err)
        }
    }
    Ok(())
}

/// Whether an `Accept` entry's parameters select the delimited
/// `MetricFamily` stream.
pub(crate) fn quality(header: Option<&str>) -> Option<f64> {
    header?
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let name = parts.next().unwrap_or("").trim();
            if !name.eq_ignore_ascii_case("application/vnd.google.protobuf") {
                return None;
            }
            let (mut proto, mut delimited, mut q) = (false, false, 1.0);
            for param in parts {
                let Some((k, v)) = param.split_once('=') else {
                    continue;
                };
                let (k, v) = (k.trim(), v.trim());
                if k.eq_ignore_ascii_case("proto") {
                    proto = v == "io.prometheus.client.MetricFamily";
                } else if k.eq_ignore_ascii_case("encoding") {
                    delimited = v == "delimited";
                } else if k.eq_ignore_ascii_case("q") {
                    if let Ok(v) = v.parse::<f64>() {
                        q = v;
                    }
                }
            }
            (proto && delimited && q > 0.0).then_some(q)
        })
        .reduce(f64::max)
}

/// Why [`parse_protobuf`] refused its input.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProtobufError {
    /// The bytes from `offset` on are not a length-delimited
    /// `MetricFamily` (cut short, or not protobuf).
    Decode {
        /// Where the message that failed starts.
        offset: usize,
        /// prost's reason.
        source: prost::DecodeError,
    },
    /// A family without a name.
    NoName {
        /// Where its message starts.
        offset: usize,
    },
    /// A family's `type` is none of `metrics.proto`'s.
    UnknownType {
        /// The family.
        family: String,
        /// The number found.
        value: i32,
    },
    /// A metric lacks the field its family's type needs (`counter` in a
    /// `COUNTER` family, …).
    MissingValue {
        /// The family.
        family: String,
        /// The field it lacks.
        field: &'static str,
    },
    /// A native histogram's spans and deltas disagree: more or fewer
    /// deltas than the spans' buckets, or a bucket count below zero.
    InvalidNativeHistogram {
        /// The family.
        family: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The model refused what was read (an invalid label name, say).
    Model {
        /// The family.
        family: String,
        /// The model's reason.
        source: prom_core::Error,
    },
}

impl std::fmt::Display for ProtobufError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtobufError::Decode { offset, source } => write!(
                f,
                "invalid protobuf exposition at byte {offset}: not a length-delimited MetricFamily ({source})"
            ),
            ProtobufError::NoName { offset } => {
                write!(f, "the MetricFamily at byte {offset} has no name")
            }
            ProtobufError::UnknownType { family, value } => {
                write!(f, "metric family {family:?} has an unknown type {value}")
            }
            ProtobufError::MissingValue { family, field } => write!(
                f,
                "a metric of family {family:?} has no {field:?} field, which its type needs"
            ),
            ProtobufError::InvalidNativeHistogram { family, reason } => {
                write!(f, "a native histogram of family {family:?} is invalid: {reason}")
            }
            ProtobufError::Model { family, source } => {
                write!(f, "metric family {family:?}: {source}")
            }
        }
    }
}

impl std::error::Error for ProtobufError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProtobufError::Decode { source, .. } => Some(source),
            ProtobufError::Model { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Seconds since the epoch of a `Timestamp`; exact for whole milliseconds
/// (as `ms as f64 / 1000.0` gives them), which the encoder writes.
fn seconds_of(t: &Timestamp) -> f64 {
    if t.nanos % 1_000_000 == 0 {
        (t.seconds as f64 * 1000.0 + f64::from(t.nanos / 1_000_000)) / 1000.0
    } else {
        t.seconds as f64 + f64::from(t.nanos) * 1e-9
    }
}

fn label_set(pairs: &[LabelPair]) -> Result<prom_core::LabelSet, prom_core::Error> {
    prom_core::LabelSet::from_pairs(pairs.iter().map(|p| {
        (
            p.name.as_deref().unwrap_or(""),
            p.value.as_deref().unwrap_or(""),
        )
    }))
}

fn exemplar_of(e: &ProtoExemplar) -> Result<Exemplar, prom_core::Error> {
    let mut out = Exemplar::new(label_set(&e.label)?, e.value.unwrap_or(0.0));
    if let Some(ts) = &e.timestamp {
        out = out.with_timestamp(seconds_of(ts));
    }
    Ok(out)
}

/// `(key, count)` buckets, sorted and none empty, from spans and deltas.
fn buckets_of(spans: &[BucketSpan], deltas: &[i64]) -> Result<Vec<(i32, u64)>, &'static str> {
    let mut out = Vec::new();
    let mut deltas = deltas.iter();
    let mut count = 0i64;
    let mut key = 0i32;
    for (i, span) in spans.iter().enumerate() {
        let offset = span.offset.unwrap_or(0);
        key = if i == 0 {
            offset
        } else {
            key.checked_add(offset).ok_or("a span offset overflows")?
        };
        for _ in 0..span.length.unwrap_or(0) {
            let delta = deltas
                .next()
                .ok_or("fewer deltas than the spans' buckets")?;
            count = count
                .checked_add(*delta)
                .ok_or("a bucket count overflows")?;
            let n = u64::try_from(count).map_err(|_| "a bucket count below zero")?;
            if n > 0 {
                out.push((key, n));
            }
            key = key.checked_add(1).ok_or("a bucket key overflows")?;
        }
    }
    if deltas.next().is_some() {
        return Err("more deltas than the spans' buckets");
    }
    Ok(out)
}

/// Reads a protobuf exposition (length-delimited `MetricFamily` messages,
/// as [`Encoder::protobuf`](crate::Encoder::protobuf) and client_golang
/// write them) into the model, as Prometheus reads it:
/// - a `COUNTER` family named `x_total` becomes the counter `x` (the text
///   reader's rule);
/// - a histogram's `+Inf` bucket, when absent, is added with the
///   `sample_count`; its `sum` is kept when present;
/// - `GAUGE_HISTOGRAM` is a gauge histogram; gauges stay gauges (an info
///   or a state set written as gauges reads back as gauges);
/// - created timestamps, exemplars (a counter's, a bucket's) and
///   `timestamp_ms` are kept;
/// - a histogram is native, and its classic buckets are left out, when it
///   has a span, a zero threshold above 0 or a zero count, as Prometheus
///   2.42 decides (the no-op span of an empty one counts).
///
/// ```
/// use prom_codec::{parse_protobuf, Encoder};
/// let c = prom_core::Counter::new("jobs", "Jobs run.").unwrap();
/// c.inc_by(2.0).unwrap();
/// let mut body = Vec::new();
/// Encoder::protobuf().encode(&c, &[], &mut body).unwrap();
/// let families = parse_protobuf(&body).unwrap();
/// assert_eq!(&*families[0].name, "jobs");
/// assert_eq!(families[0].metrics[0].value, prom_core::MetricValue::Counter(2.0));
///
/// let err = parse_protobuf(&body[..body.len() - 1]).unwrap_err();
/// assert!(err.to_string().starts_with("invalid protobuf exposition at byte 0"), "{err}");
/// ```
///
/// # Errors
/// [`ProtobufError`], naming the byte offset or the family and what is
/// wrong.
pub fn parse_protobuf(bytes: &[u8]) -> Result<Vec<ModelFamily>, ProtobufError> {
    use prom_core::{
        Bucket as ModelBucket, HistogramValue, Metric as ModelMetric, MetricValue,
        Quantile as ModelQuantile, SummaryValue,
    };
    use prost::Message;

    let mut families = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let fam = MetricFamily::decode_length_delimited(&mut rest)
            .map_err(|source| ProtobufError::Decode { offset, source })?;
        let Some(name) = fam.name.as_deref() else {
            return Err(ProtobufError::NoName { offset });
        };
        let raw_type = fam.r#type.unwrap_or(0);
        let proto_type =
            MetricType::try_from(raw_type).map_err(|_| ProtobufError::UnknownType {
                family: name.to_owned(),
                value: raw_type,
            })?;
        let (model_type, model_name) = match proto_type {
            MetricType::Counter => (
                ModelType::Counter,
                name.strip_suffix("_total").unwrap_or(name),
            ),
            MetricType::Gauge => (ModelType::Gauge, name),
            MetricType::Summary => (ModelType::Summary, name),
            MetricType::Untyped => (ModelType::Unknown, name),
            MetricType::Histogram => (ModelType::Histogram, name),
            MetricType::GaugeHistogram => (ModelType::GaugeHistogram, name),
        };
        let missing = |field| ProtobufError::MissingValue {
            family: name.to_owned(),
            field,
        };
        let model = |source| ProtobufError::Model {
            family: name.to_owned(),
            source,
        };
        let mut metrics = Vec::with_capacity(fam.metric.len());
        for m in &fam.metric {
            let labels = label_set(&m.label).map_err(model)?;
            let mut exemplars = Vec::new();
            let mut created = None;
            let value = match proto_type {
                MetricType::Counter => {
                    let c = m.counter.as_ref().ok_or_else(|| missing("counter"))?;
                    if let Some(e) = &c.exemplar {
                        exemplars.push(exemplar_of(e).map_err(model)?);
                    }
                    created = c.created_timestamp.as_ref().map(seconds_of);
                    MetricValue::Counter(c.value.unwrap_or(0.0))
                }
                MetricType::Gauge => MetricValue::Gauge(
                    m.gauge
                        .as_ref()
                        .ok_or_else(|| missing("gauge"))?
                        .value
                        .unwrap_or(0.0),
                ),
                MetricType::Untyped => MetricValue::Unknown(
                    m.untyped
                        .as_ref()
                        .ok_or_else(|| missing("untyped"))?
                        .value
                        .unwrap_or(0.0),
                ),
                MetricType::Summary => {
                    let s = m.summary.as_ref().ok_or_else(|| missing("summary"))?;
                    created = s.created_timestamp.as_ref().map(seconds_of);
                    MetricValue::Summary(SummaryValue {
                        count: s.sample_count.unwrap_or(0),
                        sum: s.sample_sum.unwrap_or(0.0),
                        quantiles: s
                            .quantile
                            .iter()
                            .map(|q| ModelQuantile {
                                quantile: q.quantile.unwrap_or(0.0),
                                value: q.value.unwrap_or(0.0),
                            })
                            .collect(),
                    })
                }
                MetricType::Histogram | MetricType::GaugeHistogram => {
                    let h = m.histogram.as_ref().ok_or_else(|| missing("histogram"))?;
                    created = h.created_timestamp.as_ref().map(seconds_of);
                    let native = !h.positive_span.is_empty()
                        || !h.negative_span.is_empty()
                        || h.zero_threshold.unwrap_or(0.0) > 0.0
                        || h.zero_count.unwrap_or(0) > 0;
                    if native && proto_type == MetricType::Histogram {
                        let invalid = |reason| ProtobufError::InvalidNativeHistogram {
                            family: name.to_owned(),
                            reason,
                        };
                        let positive =
                            buckets_of(&h.positive_span, &h.positive_delta).map_err(invalid)?;
                        let negative =
                            buckets_of(&h.negative_span, &h.negative_delta).map_err(invalid)?;
                        let value = NativeHistogramValue::new(
                            h.schema.unwrap_or(0),
                            h.zero_threshold.unwrap_or(0.0),
                            h.zero_count.unwrap_or(0),
                            h.sample_count.unwrap_or(0),
                            h.sample_sum.unwrap_or(0.0),
                            positive,
                            negative,
                        );
                        let mut metric =
                            ModelMetric::new(labels, MetricValue::NativeHistogram(value));
                        metric.created = created;
                        metric.timestamp_ms = m.timestamp_ms;
                        metrics.push(metric);
                        continue;
                    }
                    let count = h.sample_count.unwrap_or(0);
                    let mut buckets = Vec::with_capacity(h.bucket.len() + 1);
                    for b in &h.bucket {
                        let upper_bound = b.upper_bound.unwrap_or(f64::INFINITY);
                        if let Some(e) = &b.exemplar {
                            exemplars.push(exemplar_of(e).map_err(model)?.in_bucket(upper_bound));
                        }
                        buckets.push(ModelBucket {
                            upper_bound,
                            cumulative_count: b.cumulative_count.unwrap_or(0),
                        });
                    }
                    if buckets
                        .last()
                        .is_none_or(|b| b.upper_bound != f64::INFINITY)
                    {
                        buckets.push(ModelBucket {
                            upper_bound: f64::INFINITY,
                            cumulative_count: count,
                        });
                    }
                    let value = HistogramValue {
                        buckets,
                        count,
                        sum: h.sample_sum,
                    };
                    if proto_type == MetricType::Histogram {
                        MetricValue::Histogram(value)
                    } else {
                        MetricValue::GaugeHistogram(value)
                    }
                }
            };
            let mut metric = ModelMetric::new(labels, value);
            metric.exemplars = exemplars;
            metric.created = created;
            metric.timestamp_ms = m.timestamp_ms;
            metrics.push(metric);
        }
        let help = fam.help.as_deref().unwrap_or("");
        families.push(
            ModelFamily::from_parts(model_name, help, None, model_type, metrics).map_err(model)?,
        );
    }
    Ok(families)
}
