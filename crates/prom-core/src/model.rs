//! The snapshot data model: what collectors yield and encoders write.
//!
//! A [`MetricFamily`] is one name, help text, type and optional unit with the
//! series ([`Metric`]s) that share them. Names and label sets are reference
//! counted so that a scrape copies pointers, not strings.

use std::sync::Arc;

use crate::name::{validate_label_names, validate_metric_name, validate_unit};
use crate::Error;

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricType {
    /// A monotonically increasing total.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted into cumulative buckets, with count and sum.
    Histogram,
    /// Observations summarised by count, sum and optional quantiles.
    Summary,
    /// A value of unknown type (`untyped` in text format 0.0.4).
    Unknown,
}

impl MetricType {
    /// The type's name in OpenMetrics (`unknown` for [`MetricType::Unknown`]).
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Unknown => "unknown",
        }
    }

    /// The sample-name suffixes a family of this type exposes, across both
    /// formats (`""` is the bare family name). Used to detect two collectors
    /// exposing the same time series.
    pub fn suffixes(self) -> &'static [&'static str] {
        match self {
            MetricType::Counter => &["", "_total", "_created"],
            MetricType::Gauge | MetricType::Unknown => &[""],
            MetricType::Histogram => &["", "_bucket", "_count", "_sum", "_created"],
            MetricType::Summary => &["", "_count", "_sum", "_created"],
        }
    }
}

/// Label values packed into one allocation: the number of values and the
/// end offset of each as little-endian `u32`s, then the values' UTF-8 bytes
/// back to back. One allocation per series instead of one per value keeps a
/// labelled series small.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PackedValues(Option<Arc<[u8]>>);

impl PackedValues {
    /// Packs `values`.
    pub fn new<S: AsRef<str>>(values: &[S]) -> Self {
        if values.is_empty() {
            return Self(None);
        }
        let text: usize = values.iter().map(|v| v.as_ref().len()).sum();
        let mut buf = Vec::with_capacity(4 + 4 * values.len() + text);
        // Counts and offsets beyond 4 GiB are not representable; they
        // saturate, and such a value reads back truncated.
        buf.extend_from_slice(
            &u32::try_from(values.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        let mut end = 0usize;
        for v in values {
            end += v.as_ref().len();
            buf.extend_from_slice(&u32::try_from(end).unwrap_or(u32::MAX).to_le_bytes());
        }
        for v in values {
            buf.extend_from_slice(v.as_ref().as_bytes());
        }
        Self(Some(buf.into()))
    }

    #[inline]
    fn word(buf: &[u8], j: usize) -> usize {
        let o = 4 * j;
        match buf.get(o..o + 4) {
            Some(w) => u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize,
            None => 0,
        }
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.as_deref().map_or(0, |buf| Self::word(buf, 0))
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of value `i` (empty when out of range).
    #[inline]
    fn bytes(&self, i: usize) -> &[u8] {
        let Some(buf) = self.0.as_deref() else {
            return b"";
        };
        let n = Self::word(buf, 0);
        if i >= n {
            return b"";
        }
        let start = if i == 0 { 0 } else { Self::word(buf, i) };
        let end = Self::word(buf, i + 1);
        let text = buf.get(4 + 4 * n..).unwrap_or(b"");
        text.get(start..end).unwrap_or(b"")
    }

    /// Value `i` (empty when out of range).
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        // The bytes were copied from `&str`s and are split where those
        // strings ended, so each value is valid UTF-8.
        std::str::from_utf8(self.bytes(i)).unwrap_or("")
    }

    /// Whether the values are exactly `values`, in order.
    #[inline]
    pub fn values_eq<S: AsRef<str>>(&self, values: &[S]) -> bool {
        let Some(buf) = self.0.as_deref() else {
            return values.is_empty();
        };
        let Some((head, text)) = buf.split_at_checked(4 + 4 * values.len()) else {
            return false;
        };
        let mut words = head
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize);
        if words.next() != Some(values.len()) {
            return false;
        }
        let mut start = 0;
        for (end, v) in words.zip(values) {
            match text.get(start..end) {
                Some(stored) if bytes_eq(stored, v.as_ref().as_bytes()) => start = end,
                _ => return false,
            }
        }
        true
    }
}

/// Byte equality for the short strings label values usually are: up to 32
/// bytes with two overlapping word loads from each side, inline, instead of
/// a call to `memcmp` (which costs more than such a comparison itself).
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 16 {
        if n > 32 {
            return a == b;
        }
        word16(a, 0) == word16(b, 0) && word16(a, n - 16) == word16(b, n - 16)
    } else if n >= 8 {
        word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8)
    } else if n >= 4 {
        word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4)
    } else {
        // 0 to 3 bytes: first, middle and last cover them all.
        n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
    }
}

/// A value shorter than 8 bytes as two words that, given its length, hold
/// every byte: two overlapping 4-byte words from 4 to 7 bytes; the first,
/// middle and last byte in one word from 1 to 3.
#[inline]
pub(crate) fn short_words(s: &[u8]) -> (u64, u64) {
    let n = s.len();
    if n >= 4 {
        (u64::from(word4(s, 0)), u64::from(word4(s, n - 4)))
    } else if n > 0 {
        (
            u64::from(s[0]) | (u64::from(s[n / 2]) << 8) | (u64::from(s[n - 1]) << 16),
            0,
        )
    } else {
        (0, 0)
    }
}

#[inline]
fn word16(s: &[u8], at: usize) -> u128 {
    s.get(at..at + 16)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u128::from_le_bytes)
}

#[inline]
pub(crate) fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

#[inline]
pub(crate) fn word4(s: &[u8], at: usize) -> u32 {
    s.get(at..at + 4)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// A seeded hash of a tuple of label values, one per family: what the
/// family's index and the per-thread lookup cache find children by.
///
/// Each value costs one 64×64→128-bit multiply folded to 64 bits (two words
/// of the value, overlapping for short ones, against the running hash and
/// the seed), plus one per further 16 bytes; the value's length goes into
/// the multiply, so `["ab", "c"]` and `["a", "bc"]` differ. The seeds come
/// from the process's random source, so colliding tuples cannot be chosen
/// in advance. Children are always confirmed by comparing values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValuesHasher {
    k0: u64,
    k1: u64,
}

/// An odd constant (from the digits of pi) that spreads lengths.
const LENGTH_MIX: u64 = 0x243f_6a88_85a3_08d3;

#[inline]
fn folded_mul(x: u64, y: u64) -> u64 {
    let r = u128::from(x) * u128::from(y);
    (r as u64) ^ ((r >> 64) as u64)
}

impl ValuesHasher {
    /// A hasher with fresh random seeds.
    pub(crate) fn new() -> Self {
        use std::hash::BuildHasher;
        // The standard library's per-process random keys.
        let random = std::collections::hash_map::RandomState::new();
        Self {
            k0: random.hash_one(0x1319_8a2e_0370_7344u64),
            k1: random.hash_one(0xa409_3822_299f_31d0u64),
        }
    }

    #[inline]
    fn value(&self, mut h: u64, s: &[u8]) -> u64 {
        let n = s.len();
        let (a, b) = if n > 16 {
            let mut i = 0;
            while i + 16 < n {
                h = folded_mul(word8(s, i) ^ h, word8(s, i + 8) ^ self.k1);
                i += 16;
            }
            (word8(s, n - 16), word8(s, n - 8))
        } else if n >= 8 {
            (word8(s, 0), word8(s, n - 8))
        } else {
            short_words(s)
        };
        folded_mul(a ^ h, b ^ self.k1 ^ (n as u64).wrapping_mul(LENGTH_MIX))
    }

    /// The hash of borrowed values.
    #[inline]
    pub(crate) fn hash<S: AsRef<str>>(&self, values: &[S]) -> u64 {
        self.finish(
            values
                .iter()
                .fold(self.k0, |h, v| self.value(h, v.as_ref().as_bytes())),
        )
    }

    /// The hash of packed values, equal to [`ValuesHasher::hash`] of the
    /// same values.
    pub(crate) fn hash_packed(&self, p: &PackedValues) -> u64 {
        self.finish((0..p.len()).fold(self.k0, |h, i| self.value(h, p.bytes(i))))
    }

    /// One more multiply, so that every bit of the last value reaches the
    /// low bits (the index's bucket) and the top bits (its tag) alike.
    #[inline]
    fn finish(&self, h: u64) -> u64 {
        folded_mul(h ^ self.k1, LENGTH_MIX ^ self.k0)
    }
}

/// The label names and values of one series, in the family's label order.
///
/// Names are shared by a family's series; values are packed in one
/// allocation. Cloning is two reference-count increments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LabelSet {
    names: Arc<[Box<str>]>,
    values: PackedValues,
}

impl LabelSet {
    /// The empty label set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds a label set from names shared by a family and this series' values.
    ///
    /// # Errors
    /// [`Error::LabelCount`] when the lengths differ.
    pub fn new<S: AsRef<str>>(names: Arc<[Box<str>]>, values: &[S]) -> Result<Self, Error> {
        if names.len() != values.len() {
            return Err(Error::LabelCount {
                metric: String::new(),
                expected: names.len(),
                got: values.len(),
            });
        }
        Ok(Self {
            names,
            values: PackedValues::new(values),
        })
    }

    pub(crate) fn from_parts(names: Arc<[Box<str>]>, values: PackedValues) -> Self {
        Self { names, values }
    }

    /// Builds a label set from `(name, value)` pairs, validating the names.
    ///
    /// # Errors
    /// An invalid, reserved or duplicated label name.
    ///
    /// ```
    /// let l = prom_core::LabelSet::from_pairs([("method", "GET"), ("code", "200")]).unwrap();
    /// assert_eq!(l.get("code"), Some("200"));
    /// assert_eq!(l.value(0), Some("GET"));
    /// ```
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, Error> {
        let (names, values): (Vec<Box<str>>, Vec<V>) = pairs
            .into_iter()
            .map(|(n, v)| (Box::from(n.as_ref()), v))
            .unzip();
        validate_label_names(&names, MetricType::Unknown)?;
        Ok(Self {
            names: names.into(),
            values: PackedValues::new(&values),
        })
    }

    /// A borrowed view.
    pub fn as_labels_ref(&self) -> LabelsRef<'_> {
        LabelsRef {
            names: &self.names,
            values: &self.values,
        }
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The label names, in order.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The value of the `i`-th label, if there is one.
    pub fn value(&self, i: usize) -> Option<&str> {
        self.as_labels_ref().value(i)
    }

    /// The label values, in the order of [`LabelSet::names`].
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.values.get(i))
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.as_labels_ref().get(name)
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (&**n, self.values.get(i)))
    }
}

/// A borrowed view of a series' labels, as [`Visitor`](crate::Visitor)s get
/// them: the family's names and the series' packed values.
#[derive(Debug, Clone, Copy)]
pub struct LabelsRef<'a> {
    names: &'a [Box<str>],
    values: &'a PackedValues,
}

impl<'a> LabelsRef<'a> {
    /// Pairs `names` (a family's) with `values` (a series').
    pub fn new(names: &'a [Box<str>], values: &'a PackedValues) -> Self {
        Self { names, values }
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The value of the `i`-th label, if there is one.
    pub fn value(&self, i: usize) -> Option<&'a str> {
        (i < self.len()).then(|| self.values.get(i))
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.names
            .iter()
            .position(|n| &**n == name)
            .map(|i| self.values.get(i))
    }

    /// `(name, value)` pairs in order, each value as its UTF-8 bytes: for
    /// writers that copy bytes, without the UTF-8 check that [`iter`]
    /// makes of every value.
    ///
    /// [`iter`]: LabelsRef::iter
    ///
    /// ```
    /// let set = prom_core::LabelSet::from_pairs([("method", "GET")]).unwrap();
    /// let pairs: Vec<_> = set.as_labels_ref().iter_bytes().collect();
    /// assert_eq!(pairs, [("method", &b"GET"[..])]);
    /// ```
    pub fn iter_bytes(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a [u8])> + 'a {
        let (names, values) = (self.names, self.values);
        names
            .iter()
            .enumerate()
            .map(move |(i, n)| (&**n, values.bytes(i)))
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + 'a {
        let (names, values) = (self.names, self.values);
        names
            .iter()
            .enumerate()
            .map(move |(i, n)| (&**n, values.get(i)))
    }
}

/// One histogram bucket: how many observations were at most `upper_bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// The inclusive upper bound (`le`); the last bucket's is `+Inf`.
    pub upper_bound: f64,
    /// Observations `<= upper_bound`, cumulative.
    pub cumulative_count: u64,
}

/// The value of one histogram series.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramValue {
    /// Cumulative buckets in increasing bound order, ending with `+Inf`.
    pub buckets: Vec<Bucket>,
    /// The number of observations (equals the `+Inf` bucket).
    pub count: u64,
    /// The sum of observations; `None` when a bucket bound is negative, where
    /// OpenMetrics forbids exposing it.
    pub sum: Option<f64>,
}

/// One quantile of a summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    /// The quantile, in `[0, 1]`.
    pub quantile: f64,
    /// The observed value at that quantile.
    pub value: f64,
}

/// The value of one summary series.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryValue {
    /// The number of observations.
    pub count: u64,
    /// The sum of observations.
    pub sum: f64,
    /// Quantiles, possibly none.
    pub quantiles: Vec<Quantile>,
}

/// The value of one series, by type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MetricValue {
    /// A counter's total.
    Counter(f64),
    /// A gauge's value.
    Gauge(f64),
    /// An untyped value.
    Unknown(f64),
    /// A histogram's buckets, count and sum.
    Histogram(HistogramValue),
    /// A summary's count, sum and quantiles.
    Summary(SummaryValue),
}

impl MetricValue {
    /// The metric type this value belongs to.
    pub fn metric_type(&self) -> MetricType {
        match self {
            MetricValue::Counter(_) => MetricType::Counter,
            MetricValue::Gauge(_) => MetricType::Gauge,
            MetricValue::Unknown(_) => MetricType::Unknown,
            MetricValue::Histogram(_) => MetricType::Histogram,
            MetricValue::Summary(_) => MetricType::Summary,
        }
    }
}

/// An OpenMetrics exemplar: a reference from a sample to one observation
/// outside the metric set, typically the trace of one request.
///
/// Exemplars ride on a counter's `_total` sample or on a histogram bucket
/// (see [`Metric::exemplars`]).
///
/// ```
/// use prom_core::{Exemplar, LabelSet};
/// let e = Exemplar::new(LabelSet::from_pairs([("trace_id", "4bf92f")]).unwrap(), 0.27)
///     .with_timestamp(1_700_000_000.5)
///     .in_bucket(0.5);
/// assert_eq!(e.labels.get("trace_id"), Some("4bf92f"));
/// assert_eq!(e.bucket, Some(0.5));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Exemplar {
    /// The exemplar's own labels (a trace id, say); OpenMetrics caps their
    /// names and values at 128 characters together.
    pub labels: LabelSet,
    /// The observed value.
    pub value: f64,
    /// When it was observed, in seconds since the Unix epoch.
    pub timestamp: Option<f64>,
    /// The upper bound (`le`) of the histogram bucket it belongs to; `None`
    /// on a counter.
    pub bucket: Option<f64>,
}

impl Exemplar {
    /// An exemplar with these labels and value, no timestamp, on a counter.
    pub fn new(labels: LabelSet, value: f64) -> Self {
        Self {
            labels,
            value,
            timestamp: None,
            bucket: None,
        }
    }

    /// Sets the timestamp (seconds since the Unix epoch).
    #[must_use]
    pub fn with_timestamp(mut self, seconds: f64) -> Self {
        self.timestamp = Some(seconds);
        self
    }

    /// Attaches it to the histogram bucket with this upper bound.
    #[must_use]
    pub fn in_bucket(mut self, upper_bound: f64) -> Self {
        self.bucket = Some(upper_bound);
        self
    }
}

/// One series of a family: its labels, value, and optional timestamps.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Metric {
    /// The series' labels.
    pub labels: LabelSet,
    /// The series' value.
    pub value: MetricValue,
    /// When the value was observed, in milliseconds since the Unix epoch;
    /// `None` for "now" (the usual case).
    pub timestamp_ms: Option<i64>,
    /// When the series was created or last reset, in seconds since the Unix
    /// epoch; exposed as `_created` in OpenMetrics.
    pub created: Option<f64>,
    /// OpenMetrics exemplars: on a counter at most one, for its `_total`
    /// sample; on a histogram at most one per bucket, each naming its bucket
    /// in [`Exemplar::bucket`], in bucket order. Empty for other types and
    /// for most series. The parsers fill it; the encoders do not write it yet.
    pub exemplars: Vec<Exemplar>,
}

impl Metric {
    /// A series with these labels and value, no timestamp, no created time
    /// and no exemplars.
    pub fn new(labels: LabelSet, value: MetricValue) -> Self {
        Self {
            labels,
            value,
            timestamp_ms: None,
            created: None,
            exemplars: Vec::new(),
        }
    }

    /// Adds an exemplar (see [`Metric::exemplars`]).
    #[must_use]
    pub fn with_exemplar(mut self, exemplar: Exemplar) -> Self {
        self.exemplars.push(exemplar);
        self
    }

    /// Sets the created time (seconds since the Unix epoch).
    #[must_use]
    pub fn with_created(mut self, created: f64) -> Self {
        self.created = Some(created);
        self
    }

    /// Sets the timestamp (milliseconds since the Unix epoch).
    #[must_use]
    pub fn with_timestamp_ms(mut self, timestamp_ms: i64) -> Self {
        self.timestamp_ms = Some(timestamp_ms);
        self
    }
}

/// A named group of series sharing type, help and unit.
///
/// `name` is the family name: for counters it has no `_total` suffix (the
/// encoders add it), and with a unit it ends in `_<unit>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetricFamily {
    /// The family name.
    pub name: Arc<str>,
    /// The help text (may be empty).
    pub help: Arc<str>,
    /// The unit, if any (the name ends in `_<unit>`).
    pub unit: Option<Arc<str>>,
    /// The type every series' value has.
    pub metric_type: MetricType,
    /// The series.
    pub metrics: Vec<Metric>,
}

impl MetricFamily {
    /// A family with no series yet. For counters a trailing `_total` is
    /// removed from `name`, as the encoders add it back.
    ///
    /// # Errors
    /// [`Error::InvalidMetricName`] naming `name`, or for a counter what is
    /// left of it without `_total` (`""` for `"_total"`).
    ///
    /// ```
    /// use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
    /// let mut fam = MetricFamily::new("queue_depth", "Items waiting", MetricType::Gauge).unwrap();
    /// fam.push(LabelSet::from_pairs([("queue", "mail")]).unwrap(), MetricValue::Gauge(3.0)).unwrap();
    /// assert_eq!(fam.metrics.len(), 1);
    /// ```
    pub fn new(name: &str, help: &str, metric_type: MetricType) -> Result<Self, Error> {
        validate_metric_name(name)?;
        let name = match metric_type {
            MetricType::Counter => name.strip_suffix("_total").unwrap_or(name),
            _ => name,
        };
        // Stripping `_total` may leave an empty or digit-led name ("_total"
        // itself), as in `Descriptor::new`.
        validate_metric_name(name)?;
        Ok(Self {
            name: name.into(),
            help: help.into(),
            unit: None,
            metric_type,
            metrics: Vec::new(),
        })
    }

    /// Sets the unit; the name must already end in `_<unit>`.
    ///
    /// # Errors
    /// [`Error::InvalidUnit`] for a malformed unit, [`Error::UnitNotInName`]
    /// for a name that does not end in `_<unit>`.
    pub fn with_unit(mut self, unit: &str) -> Result<Self, Error> {
        validate_unit(unit)?;
        if !self
            .name
            .strip_suffix(unit)
            .is_some_and(|rest| rest.ends_with('_'))
        {
            return Err(Error::UnitNotInName {
                metric: self.name.to_string(),
                unit: unit.into(),
            });
        }
        self.unit = Some(unit.into());
        Ok(self)
    }

    /// Appends a series; its value must match the family's type.
    ///
    /// # Errors
    /// [`Error::TypeMismatch`] when the value's type is not the family's.
    pub fn push(&mut self, labels: LabelSet, value: MetricValue) -> Result<&mut Metric, Error> {
        self.push_metric(Metric::new(labels, value))
    }

    /// Appends a prepared series; its value must match the family's type.
    ///
    /// # Errors
    /// As [`MetricFamily::push`].
    pub fn push_metric(&mut self, metric: Metric) -> Result<&mut Metric, Error> {
        if metric.value.metric_type() != self.metric_type {
            return Err(Error::TypeMismatch {
                metric: self.name.to_string(),
                expected: self.metric_type,
                got: metric.value.metric_type(),
            });
        }
        self.metrics.push(metric);
        let last = self.metrics.len() - 1;
        Ok(&mut self.metrics[last])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_eq_sees_every_differing_byte() {
        let base: Vec<u8> = (0..50u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=50 {
            let a = &base[..n];
            assert!(bytes_eq(a, &base[..n]), "length {n}");
            for pos in 0..n {
                let mut b = a.to_vec();
                b[pos] ^= 0x20;
                assert!(!bytes_eq(a, &b), "length {n}, byte {pos}");
            }
            if n > 0 {
                assert!(!bytes_eq(a, &base[..n - 1]), "length {n} vs {}", n - 1);
            }
        }
    }

    #[test]
    fn values_hash_alike_packed_or_borrowed_and_split_points_matter() {
        let h = ValuesHasher::new();
        let long = "x".repeat(100);
        let tuples: Vec<Vec<&str>> = vec![
            vec![],
            vec![""],
            vec!["", ""],
            vec!["a"],
            vec!["ab", "c"],
            vec!["a", "bc"],
            vec!["GET", "/api/v1/resource/42"],
            vec!["GET", "/api/v1/resource/43"],
            vec!["GET/", "api/v1/resource/42"],
            vec!["1234567", "12345678", "123456789012345678"],
            vec![&long, "y"],
        ];
        let hashes: Vec<u64> = tuples.iter().map(|t| h.hash(t)).collect();
        for (t, &hash) in tuples.iter().zip(&hashes) {
            assert_eq!(h.hash_packed(&PackedValues::new(t)), hash, "{t:?}");
        }
        let mut distinct = hashes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), hashes.len(), "{hashes:?}");
        // Another family's seeds give other hashes.
        assert_ne!(ValuesHasher::new().hash(&["GET"]), h.hash(&["GET"]));
    }

    #[test]
    fn values_hashes_spread_over_the_low_and_high_bits() {
        // 10,000 paths differing only in a few middle digits fill the
        // buckets of a 1,024-entry table (low bits) and a tag (top bits)
        // about evenly: about 10 per bucket, the fullest near 21.
        for _seed in 0..5 {
            let h = ValuesHasher::new();
            let mut low = vec![0u32; 1024];
            let mut high = vec![0u32; 1024];
            for i in 0..10_000 {
                let path = format!("/api/v1/users/{i:05}/details");
                let hash = h.hash(&["GET", path.as_str()]);
                low[(hash & 1023) as usize] += 1;
                high[(hash >> 54) as usize] += 1;
            }
            for counts in [low, high] {
                let max = counts.iter().copied().max().unwrap_or(0);
                assert!(
                    max < 35,
                    "a bucket holds {max} of 10,000 (about 10 expected)"
                );
            }
        }
    }

    #[test]
    fn packed_values_compare_value_by_value() {
        let p = PackedValues::new(&["GET", "/api/v1/resource/42", ""]);
        assert!(p.values_eq(&["GET", "/api/v1/resource/42", ""]));
        // The same bytes split differently are different values.
        assert!(!p.values_eq(&["GET/", "api/v1/resource/42", ""]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/43", ""]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/42"]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/42", "", ""]));
        assert!(PackedValues::new::<&str>(&[]).values_eq::<&str>(&[]));
        assert!(!PackedValues::new::<&str>(&[]).values_eq(&[""]));
    }
}
