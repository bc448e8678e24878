//! Streaming collection: a collector hands borrowed views of its series to a
//! [`Visitor`] instead of building a [`MetricFamily`] snapshot. Encoders use
//! it to write straight from the live metrics, with no allocation and no
//! reference counting per series.

use std::fmt;

use crate::{Bucket, LabelsRef, Metric, MetricFamily, MetricType, MetricValue, Quantile};

/// The header of a family, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct FamilyRef<'a> {
    /// The family name (no `_total` for counters).
    pub name: &'a str,
    /// The help text.
    pub help: &'a str,
    /// The unit, if any.
    pub unit: Option<&'a str>,
    /// The type.
    pub metric_type: MetricType,
}

impl FamilyRef<'_> {
    /// Whether `sample_name` is this family's name or one of its sample names.
    pub fn exposes(&self, sample_name: &str) -> bool {
        self.metric_type
            .sample_suffix(self.name, sample_name)
            .is_some()
    }
}

/// The value of one series, borrowed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ValueRef<'a> {
    /// A counter's total.
    Counter(f64),
    /// A gauge's value.
    Gauge(f64),
    /// An untyped value.
    Unknown(f64),
    /// A histogram: bucket bounds (ending with `+Inf`) and the cumulative
    /// count of each, the count, and the sum (absent with negative bounds).
    Histogram {
        /// Upper bounds, increasing, ending with `+Inf`.
        bounds: &'a [f64],
        /// Cumulative counts, one per bound.
        cumulative: &'a [u64],
        /// The number of observations.
        count: u64,
        /// The sum of observations.
        sum: Option<f64>,
    },
    /// A summary.
    Summary {
        /// The number of observations.
        count: u64,
        /// The sum of observations.
        sum: f64,
        /// Quantiles, possibly none.
        quantiles: &'a [Quantile],
    },
    /// An info's own labels (the sample's value is 1).
    Info(LabelsRef<'a>),
    /// A state set: the state names and, for each, whether it is enabled.
    StateSet {
        /// The states' names, in order.
        names: &'a [Box<str>],
        /// Whether each state is enabled; as long as `names`.
        enabled: &'a [bool],
    },
    /// A gauge histogram, laid out as [`ValueRef::Histogram`] (its count and
    /// sum are exposed as `_gcount` and `_gsum`).
    GaugeHistogram {
        /// Upper bounds, increasing, ending with `+Inf`.
        bounds: &'a [f64],
        /// Cumulative counts, one per bound.
        cumulative: &'a [u64],
        /// The current count.
        count: u64,
        /// The current sum (absent with negative bounds).
        sum: Option<f64>,
    },
    /// A native histogram, of a [`MetricType::Histogram`] family.
    NativeHistogram(&'a crate::NativeHistogramValue),
}

/// One series, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct SeriesRef<'a> {
    /// The labels.
    pub labels: LabelsRef<'a>,
    /// The value.
    pub value: ValueRef<'a>,
    /// Milliseconds since the Unix epoch, if the series carries a timestamp.
    pub timestamp_ms: Option<i64>,
    /// Seconds since the Unix epoch when the series was created.
    pub created: Option<f64>,
    /// OpenMetrics exemplars, as [`Metric::exemplars`](crate::Metric::exemplars)
    /// holds them.
    pub exemplars: &'a [crate::Exemplar],
}

/// A visitor refused to go on (typically: its writer failed).
#[derive(Debug)]
pub struct VisitError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl VisitError {
    /// Wraps the visitor's own error.
    pub fn new(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self(e.into())
    }

    /// The visitor's own error.
    pub fn into_inner(self) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self.0
    }
}

impl fmt::Display for VisitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for VisitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Receives families and their series from [`Collector::visit`](crate::Collector::visit).
///
/// Calls come as `family`, then that family's `series`, then the next
/// `family`: families never interleave.
pub trait Visitor {
    /// A family starts. Returning `Ok(false)` skips its series (for `name[]`
    /// filters).
    ///
    /// # Errors
    /// A [`VisitError`] stops the visit.
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError>;

    /// One series of the current family.
    ///
    /// # Errors
    /// A [`VisitError`] stops the visit.
    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError>;
}

/// Either the collector failed, or the visitor stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum VisitFailure {
    /// The collector could not produce its values.
    Collect(crate::CollectError),
    /// The visitor returned an error.
    Visit(VisitError),
}

impl fmt::Display for VisitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VisitFailure::Collect(e) => e.fmt(f),
            VisitFailure::Visit(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for VisitFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VisitFailure::Collect(e) => Some(e),
            VisitFailure::Visit(e) => Some(e),
        }
    }
}

impl From<crate::CollectError> for VisitFailure {
    fn from(e: crate::CollectError) -> Self {
        VisitFailure::Collect(e)
    }
}

impl From<VisitError> for VisitFailure {
    fn from(e: VisitError) -> Self {
        VisitFailure::Visit(e)
    }
}

/// Reusable buffers for turning owned values into [`SeriesRef`]s.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) values: ValueScratch,
    pub(crate) exemplars: Vec<crate::Exemplar>,
}

/// The part of [`Scratch`] a value is read into (apart from the exemplars,
/// so that both can be borrowed at once). Public in name only: it appears in
/// the metric types' private plumbing trait.
#[derive(Debug, Default)]
pub struct ValueScratch {
    pub(crate) bounds: Vec<f64>,
    pub(crate) counts: Vec<u64>,
    pub(crate) quantiles: Vec<crate::Quantile>,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) enabled: Vec<bool>,
    pub(crate) info: crate::LabelSet,
    pub(crate) native: crate::NativeHistogramValue,
}

/// Visits snapshot families, as the default [`Collector::visit`](crate::Collector::visit) does.
///
/// # Errors
/// The visitor's error.
pub fn visit_families(families: &[MetricFamily], v: &mut dyn Visitor) -> Result<(), VisitError> {
    let mut scratch = Scratch::default();
    for fam in families {
        let header = FamilyRef {
            name: &fam.name,
            help: &fam.help,
            unit: fam.unit.as_deref(),
            metric_type: fam.metric_type,
        };
        if !v.family(header)? {
            continue;
        }
        for m in &fam.metrics {
            visit_metric(m, v, &mut scratch)?;
        }
    }
    Ok(())
}

fn visit_metric(m: &Metric, v: &mut dyn Visitor, scratch: &mut Scratch) -> Result<(), VisitError> {
    let scratch = &mut scratch.values;
    let value = match &m.value {
        MetricValue::Counter(x) => ValueRef::Counter(*x),
        MetricValue::Gauge(x) => ValueRef::Gauge(*x),
        MetricValue::Unknown(x) => ValueRef::Unknown(*x),
        MetricValue::Histogram(h) | MetricValue::GaugeHistogram(h) => {
            scratch.bounds.clear();
            scratch.counts.clear();
            for Bucket {
                upper_bound,
                cumulative_count,
            } in &h.buckets
            {
                scratch.bounds.push(*upper_bound);
                scratch.counts.push(*cumulative_count);
            }
            let (bounds, cumulative) = (&scratch.bounds[..], &scratch.counts[..]);
            if matches!(m.value, MetricValue::Histogram(_)) {
                ValueRef::Histogram {
                    bounds,
                    cumulative,
                    count: h.count,
                    sum: h.sum,
                }
            } else {
                ValueRef::GaugeHistogram {
                    bounds,
                    cumulative,
                    count: h.count,
                    sum: h.sum,
                }
            }
        }
        MetricValue::Info(labels) => ValueRef::Info(labels.as_labels_ref()),
        MetricValue::StateSet(states) => {
            scratch.names.clear();
            scratch.enabled.clear();
            for s in states {
                scratch.names.push(s.name.clone());
                scratch.enabled.push(s.enabled);
            }
            ValueRef::StateSet {
                names: &scratch.names,
                enabled: &scratch.enabled,
            }
        }
        MetricValue::Summary(s) => ValueRef::Summary {
            count: s.count,
            sum: s.sum,
            quantiles: &s.quantiles,
        },
        MetricValue::NativeHistogram(h) => ValueRef::NativeHistogram(h),
    };
    v.series(&SeriesRef {
        labels: m.labels.as_labels_ref(),
        value,
        timestamp_ms: m.timestamp_ms,
        created: m.created,
        exemplars: &m.exemplars,
    })
}
