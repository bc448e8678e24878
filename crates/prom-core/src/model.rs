//! The snapshot data model: what collectors yield and encoders write.
//!
//! A [`MetricFamily`] is one name, help text, type and optional unit with the
//! series ([`Metric`]s) that share them. Names and label sets are reference
//! counted so that a scrape copies pointers, not strings.

use std::sync::Arc;

use crate::name::{validate_label_name, validate_metric_name, validate_unit};
use crate::{Error, LabelSet, MetricType};

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

impl HistogramValue {
    /// A histogram value from per-bucket (not cumulative) counts, one per
    /// bound in `bounds` (which end with `+Inf`): the one place counts are
    /// made cumulative. `count` is their total.
    ///
    /// ```
    /// use prom_core::HistogramValue;
    /// let v = HistogramValue::from_counts(&[1.0, f64::INFINITY], &[2, 1], Some(3.5));
    /// assert_eq!(v.count, 3);
    /// assert_eq!(v.buckets[1].cumulative_count, 3);
    /// ```
    pub fn from_counts(bounds: &[f64], counts: &[u64], sum: Option<f64>) -> Self {
        let mut cumulative = counts.to_vec();
        let count = accumulate(&mut cumulative);
        Self::from_cumulative(bounds, &cumulative, count, sum)
    }

    /// A histogram value from cumulative counts, one per bound.
    pub fn from_cumulative(
        bounds: &[f64],
        cumulative: &[u64],
        count: u64,
        sum: Option<f64>,
    ) -> Self {
        Self {
            buckets: bounds
                .iter()
                .zip(cumulative)
                .map(|(&upper_bound, &cumulative_count)| Bucket {
                    upper_bound,
                    cumulative_count,
                })
                .collect(),
            count,
            sum,
        }
    }
}

/// Turns per-bucket counts into cumulative ones, in place; returns the total.
pub(crate) fn accumulate(counts: &mut [u64]) -> u64 {
    let mut total = 0u64;
    for c in counts {
        total = total.wrapping_add(*c);
        *c = total;
    }
    total
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

/// One state of a state set, and whether it is enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The state's name (the value of the label named after the family).
    pub name: Box<str>,
    /// Whether the state is enabled (sample value 1) or not (0).
    pub enabled: bool,
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
    /// An info's labels (besides the series' own); the sample's value is 1.
    Info(LabelSet),
    /// A state set's states, in order.
    StateSet(Vec<State>),
    /// A gauge histogram's buckets, count (`_gcount`) and sum (`_gsum`).
    GaugeHistogram(HistogramValue),
    /// A native (sparse, exponential) histogram, of a
    /// [`MetricType::Histogram`] family: the protobuf exposition carries
    /// its buckets; the text formats write its `_count`, `_sum` and a
    /// `+Inf` bucket, as client_golang does.
    NativeHistogram(crate::NativeHistogramValue),
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
            MetricValue::Info(_) => MetricType::Info,
            MetricValue::StateSet(_) => MetricType::StateSet,
            MetricValue::GaugeHistogram(_) => MetricType::GaugeHistogram,
            MetricValue::NativeHistogram(_) => MetricType::Histogram,
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
    /// The most characters (Unicode code points) an exemplar's label names
    /// and values may have together, as OpenMetrics allows.
    pub const MAX_LABEL_CHARS: usize = 128;

    /// The label set of an exemplar from `(name, value)` pairs: names
    /// validated, and at most [`Exemplar::MAX_LABEL_CHARS`] characters in all.
    ///
    /// # Errors
    /// An invalid, reserved or repeated label name, or
    /// [`Error::ExemplarTooLong`].
    pub fn labels(pairs: &[(&str, &str)]) -> Result<LabelSet, Error> {
        let chars: usize = pairs
            .iter()
            .map(|(n, v)| n.chars().count() + v.chars().count())
            .sum();
        if chars > Self::MAX_LABEL_CHARS {
            return Err(Error::ExemplarTooLong {
                chars,
                max: Self::MAX_LABEL_CHARS,
            });
        }
        LabelSet::from_pairs(pairs.iter().copied())
    }

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
    /// for most series. The parsers fill it, counters and histograms keep
    /// theirs, and the OpenMetrics encoder writes it.
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
    /// removed from `name`, for infos a trailing `_info`, as the encoders
    /// add them back.
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
        let name = metric_type.family_name(name);
        if metric_type == MetricType::StateSet {
            // The family name is also its states' label name.
            validate_label_name(name)?;
        }
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

    /// A family with exactly these parts, as a parser read them: the name
    /// and unit are taken as given (unlike [`MetricFamily::new`], a
    /// counter's name keeps a `_total`, and the exposition formats allow
    /// names and units the constructors refuse, such as a leading `__` or a
    /// unit with `:`); only the series' types are checked.
    ///
    /// # Errors
    /// [`Error::TypeMismatch`] for a series of another type than the family.
    ///
    /// ```
    /// use prom_core::{MetricFamily, MetricType};
    /// let fam = MetricFamily::from_parts("a_total", "", None, MetricType::Counter, vec![]).unwrap();
    /// assert_eq!(&*fam.name, "a_total");
    /// ```
    pub fn from_parts(
        name: &str,
        help: &str,
        unit: Option<&str>,
        metric_type: MetricType,
        metrics: Vec<Metric>,
    ) -> Result<Self, Error> {
        let mut family = Self {
            name: name.into(),
            help: help.into(),
            unit: unit.map(Arc::from),
            metric_type,
            metrics: Vec::with_capacity(metrics.len()),
        };
        for metric in metrics {
            family.push_metric(metric)?;
        }
        Ok(family)
    }

    /// Whether `sample_name` is this family's name or one of its sample names
    /// (`x_total`, `x_bucket`, …). Used to honour `name[]` filters.
    pub fn exposes(&self, sample_name: &str) -> bool {
        self.metric_type
            .sample_suffix(&self.name, sample_name)
            .is_some()
    }

    /// Sets the unit; the name must already end in `_<unit>`.
    ///
    /// # Errors
    /// [`Error::InvalidUnit`] for a malformed unit,
    /// [`Error::UnitNotAllowed`] on an info or state set, [`Error::UnitNotInName`]
    /// for a name that does not end in `_<unit>`.
    pub fn with_unit(mut self, unit: &str) -> Result<Self, Error> {
        validate_unit(unit)?;
        if !self.metric_type.allows_unit() {
            return Err(Error::UnitNotAllowed {
                metric: self.name.to_string(),
                metric_type: self.metric_type,
            });
        }
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
