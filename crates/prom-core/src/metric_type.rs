//! The types a metric family can have.

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
}
