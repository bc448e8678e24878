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
        values.len() == self.len()
            && values
                .iter()
                .enumerate()
                .all(|(i, v)| self.bytes(i) == v.as_ref().as_bytes())
    }

    /// Feeds the values to `state` as [`hash_label_values`] does for
    /// borrowed values, so that both hash alike.
    #[inline]
    pub(crate) fn hash_values<H: std::hash::Hasher>(&self, state: &mut H) {
        for i in 0..self.len() {
            state.write(self.bytes(i));
            state.write_u8(0xff);
        }
    }
}

/// Hashes borrowed label values the way [`PackedValues`] hashes its own.
#[inline]
pub(crate) fn hash_label_values<S: AsRef<str>, H: std::hash::Hasher>(values: &[S], state: &mut H) {
    for v in values {
        state.write(v.as_ref().as_bytes());
        state.write_u8(0xff);
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
