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
    /// Labels describing the target, exposed as `<name>_info{…} 1` (a gauge
    /// in text format 0.0.4).
    Info,
    /// A set of named boolean states, one sample per state labelled with
    /// the family name (a gauge in text format 0.0.4).
    StateSet,
    /// Cumulative buckets of a current distribution, with `_gcount` and
    /// `_gsum` (a histogram in text format 0.0.4).
    GaugeHistogram,
}

impl MetricType {
    /// Every type.
    pub const ALL: [MetricType; 8] = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Unknown,
        MetricType::Info,
        MetricType::StateSet,
        MetricType::GaugeHistogram,
    ];

    /// The type's name in OpenMetrics (`unknown` for [`MetricType::Unknown`]).
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Unknown => "unknown",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::GaugeHistogram => "gaugehistogram",
        }
    }
}
