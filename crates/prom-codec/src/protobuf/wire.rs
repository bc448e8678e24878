//! Field numbers and the low-level writing of fields: the encoder's
//! vocabulary.

use super::*;

// Field numbers the writer uses, from metrics.proto.
pub(super) mod tag {
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

pub(super) fn put_double(buf: &mut Vec<u8>, tag: u32, v: f64) {
    encode_key(tag, WireType::SixtyFourBit, buf);
    buf.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_uint(buf: &mut Vec<u8>, tag: u32, v: u64) {
    encode_key(tag, WireType::Varint, buf);
    encode_varint(v, buf);
}

pub(super) fn put_bytes(buf: &mut Vec<u8>, tag: u32, v: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(v.len() as u64, buf);
    buf.extend_from_slice(v);
}

/// Starts an embedded message: its key now, and one byte of room for its
/// length, which [`close`] fills in once the body is written.
pub(super) fn open(buf: &mut Vec<u8>, tag: u32) -> usize {
    encode_key(tag, WireType::LengthDelimited, buf);
    buf.push(0);
    buf.len() - 1
}

/// Ends the message [`open`] started at `start`: its length goes into the
/// byte kept for it. Most messages (a label pair, a sample, a timestamp, a
/// metric of a few labels) are shorter than 128 bytes, whose length is one
/// byte; a longer one moves its body over by the bytes its length needs
/// beyond the first (a family, a histogram with many buckets).
pub(super) fn close(buf: &mut Vec<u8>, start: usize) {
    let len = (buf.len() - start - 1) as u64;
    if len < 0x80 {
        buf[start] = len as u8;
        return;
    }
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
    buf[start] = prefix[0];
    buf.splice(start + 1..start + 1, prefix[1..n].iter().copied());
}

/// A `google.protobuf.Timestamp` of `seconds` since the epoch.
pub(super) fn put_timestamp(buf: &mut Vec<u8>, tag: u32, seconds: f64) {
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
pub(super) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(super) fn put_span(buf: &mut Vec<u8>, tag: u32, offset: i32, length: u32) {
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
pub(super) fn put_buckets(
    buf: &mut Vec<u8>,
    buckets: &[(i32, u64)],
    span_tag: u32,
    delta_tag: u32,
) {
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

pub(super) fn put_labels(
    buf: &mut Vec<u8>,
    tag: u32,
    labels: LabelsRef<'_>,
    escaping: crate::escape::Escaping,
) {
    for (name, value) in labels.iter_bytes() {
        let start = open(buf, tag);
        put_name(buf, tag::LABEL_NAME, name, escaping, true);
        put_bytes(buf, tag::LABEL_VALUE, value);
        close(buf, start);
    }
}

/// Writes a metric or label name: as it is when legacy-valid or for a
/// UTF-8 scraper (the common case: a byte scan), else escaped.
#[inline]
pub(super) fn put_name(
    buf: &mut Vec<u8>,
    tag: u32,
    name: &str,
    escaping: crate::escape::Escaping,
    label: bool,
) {
    let as_is = escaping == crate::escape::Escaping::AllowUtf8
        || if label {
            prom_core::is_legacy_label_name(name)
        } else {
            prom_core::is_legacy_metric_name(name)
        };
    if as_is {
        put_bytes(buf, tag, name.as_bytes());
    } else {
        put_escaped(buf, tag, name, escaping, label);
    }
}

/// [`put_name`] for a name to escape: measured, then escaped straight into
/// `buf`, with no allocation.
#[cold]
#[inline(never)]
fn put_escaped(
    buf: &mut Vec<u8>,
    tag: u32,
    name: &str,
    escaping: crate::escape::Escaping,
    label: bool,
) {
    let mut len = 0;
    crate::escape::escape_with(name, escaping, label, |p| len += p.len());
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(len as u64, buf);
    crate::escape::escape_with(name, escaping, label, |p| {
        buf.extend_from_slice(p.as_bytes())
    });
}

pub(super) fn put_exemplar(
    buf: &mut Vec<u8>,
    tag: u32,
    e: &Exemplar,
    escaping: crate::escape::Escaping,
) {
    let start = open(buf, tag);
    put_labels(buf, tag::EXEMPLAR_LABEL, e.labels.as_labels_ref(), escaping);
    put_double(buf, tag::EXEMPLAR_VALUE, e.value);
    if let Some(ts) = e.timestamp {
        put_timestamp(buf, tag::EXEMPLAR_TIMESTAMP, ts);
    }
    close(buf, start);
}
