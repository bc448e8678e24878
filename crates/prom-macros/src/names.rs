//! prom-core's rules for metric names, label names and buckets, applied to
//! the literals of `static_metrics!` when compiling: the macro calls the
//! runtime's own checks, so a name compiles exactly when the constructor
//! would take it, and the message is the constructor's.

use prom_core::{validate_label_names, validate_metric_name, Histogram, MetricType, Opts};

/// What a static's type says about its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
}

impl Kind {
    fn metric_type(self) -> MetricType {
        match self {
            Kind::Counter => MetricType::Counter,
            Kind::Gauge => MetricType::Gauge,
            Kind::Histogram => MetricType::Histogram,
            Kind::Summary => MetricType::Summary,
        }
    }
}

/// Checks a metric name as the constructors do for `kind`: a counter's
/// trailing `_total` is dropped first, and what is left must be a name too.
pub(crate) fn check_metric_name(name: &str, kind: Kind) -> Result<(), String> {
    validate_metric_name(name).map_err(|e| e.to_string())?;
    validate_metric_name(kind.metric_type().family_name(name)).map_err(|e| e.to_string())
}

/// Checks label name `names[i]`, the others before it having passed: valid,
/// not reserved for `kind`, not given before.
pub(crate) fn check_label_name(names: &[String], i: usize, kind: Kind) -> Result<(), String> {
    validate_label_names(&names[..=i], kind.metric_type()).map_err(|e| e.to_string())
}

/// Checks histogram bounds as the constructors do.
pub(crate) fn check_buckets(bounds: &[f64]) -> Result<(), String> {
    Histogram::with_opts(Opts::new("buckets", "").buckets(bounds.to_vec()))
        .map(drop)
        .map_err(|e| e.to_string())
}
