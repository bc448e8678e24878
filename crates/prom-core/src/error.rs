use std::any::Any;
use std::fmt;

/// Everything that can go wrong when building, labelling or updating a metric.
///
/// Every message names the offending input, so a log line is enough to find
/// the call that caused it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A metric name is empty, uses the reserved `__` prefix or, with
    /// [`NameValidation::Legacy`](crate::NameValidation), does not match
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    InvalidMetricName {
        /// The rejected name.
        name: String,
    },
    /// A label name is empty or, with
    /// [`NameValidation::Legacy`](crate::NameValidation), does not match
    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    InvalidLabelName {
        /// The rejected label name.
        name: String,
    },
    /// A label name is reserved: `__` prefixed, `le` on histograms, `quantile` on summaries.
    ReservedLabelName {
        /// The rejected label name.
        name: String,
        /// Why it is reserved.
        reason: &'static str,
    },
    /// The same label name appears twice.
    DuplicateLabelName {
        /// The repeated label name.
        name: String,
    },
    /// A unit is not made of `[a-zA-Z0-9_]`.
    InvalidUnit {
        /// The rejected unit.
        unit: String,
    },
    /// A family was given a unit its name does not end in (`_<unit>`).
    UnitNotInName {
        /// The family name.
        metric: String,
        /// The unit given.
        unit: String,
    },
    /// A unit was given to a type that has none (info and state set).
    UnitNotAllowed {
        /// The family name.
        metric: String,
        /// Its type.
        metric_type: crate::MetricType,
    },
    /// The number of label values does not match the number of label names.
    LabelCount {
        /// The metric family.
        metric: String,
        /// How many label names the family has.
        expected: usize,
        /// How many values were given.
        got: usize,
    },
    /// A family at its [ceiling](crate::Opts::max_series) was asked for a
    /// new series.
    TooManySeries {
        /// The metric family.
        metric: String,
        /// Its maximum number of series.
        max: usize,
        /// The label values refused.
        values: Vec<String>,
    },
    /// A family's lifecycle options ([`crate::Opts::max_series`],
    /// [`crate::Opts::overflow_series`], [`crate::Opts::expire_after`]) do
    /// not fit together.
    InvalidLifecycle {
        /// The metric family.
        metric: String,
        /// What is wrong.
        reason: String,
    },
    /// A label name given by name is not one of the family's.
    UnknownLabel {
        /// The metric family.
        metric: String,
        /// The unknown label name.
        name: String,
    },
    /// A label of the family was not given a value.
    MissingLabel {
        /// The metric family.
        metric: String,
        /// The label without a value.
        name: String,
    },
    /// Histogram bucket bounds are not strictly increasing, contain NaN or are empty.
    InvalidBuckets {
        /// What is wrong with them.
        reason: String,
    },
    /// Native histogram options are out of range: a schema outside
    /// -4..=8, a bucket factor not above 1, a negative or non-finite zero
    /// threshold.
    InvalidNativeHistogram {
        /// What is wrong with them.
        reason: String,
    },
    /// Summary objectives or window options are out of range, or given to
    /// another metric type.
    InvalidSummary {
        /// What is wrong with them.
        reason: String,
    },
    /// An enum's list of states is empty or repeats a state, or states were
    /// given to another metric type.
    InvalidStates {
        /// What is wrong with them.
        reason: String,
    },
    /// An enum was asked to switch to a state it does not have.
    UnknownState {
        /// The enum.
        metric: String,
        /// The state asked for.
        state: String,
        /// The states it has.
        states: Vec<String>,
    },
    /// An exemplar's label names and values are longer than OpenMetrics
    /// allows.
    ExemplarTooLong {
        /// How many characters they have together.
        chars: usize,
        /// How many OpenMetrics allows.
        max: usize,
    },
    /// A counter was asked to go down, or by NaN.
    InvalidIncrement {
        /// The counter.
        metric: String,
        /// The rejected amount.
        amount: f64,
    },
    /// A series' value is not of its family's type.
    TypeMismatch {
        /// The family.
        metric: String,
        /// The family's type.
        expected: crate::MetricType,
        /// The type of the value given.
        got: crate::MetricType,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Only an empty name fails under UTF-8 validation; the others
            // failed the legacy character set (or the reserved prefix).
            Error::InvalidMetricName { name } if name.is_empty() => {
                write!(f, "invalid metric name \"\": must not be empty")
            }
            Error::InvalidMetricName { name } => write!(
                f,
                "invalid metric name {name:?}: must match [a-zA-Z_:][a-zA-Z0-9_:]* and not start with \"__\""
            ),
            Error::InvalidLabelName { name } if name.is_empty() => {
                write!(f, "invalid label name \"\": must not be empty")
            }
            Error::InvalidLabelName { name } => {
                write!(f, "invalid label name {name:?}: must match [a-zA-Z_][a-zA-Z0-9_]*")
            }
            Error::ReservedLabelName { name, reason } => {
                write!(f, "reserved label name {name:?}: {reason}")
            }
            Error::DuplicateLabelName { name } => write!(f, "duplicate label name {name:?}"),
            Error::InvalidUnit { unit } => write!(
                f,
                "invalid unit {unit:?}: must match [a-zA-Z0-9_]+"
            ),
            Error::UnitNotAllowed {
                metric,
                metric_type,
            } => write!(
                f,
                "metric family {metric:?} cannot have a unit: {} families have none",
                metric_type.as_str()
            ),
            Error::UnitNotInName { metric, unit } => write!(
                f,
                "metric family {metric:?} cannot have unit {unit:?}: its name does not end in \"_{unit}\""
            ),
            // A label set built on its own belongs to no metric yet.
            Error::LabelCount {
                metric,
                expected,
                got,
            } if metric.is_empty() => write!(
                f,
                "label set has {expected} label name(s) but {got} label value(s) were given"
            ),
            Error::LabelCount {
                metric,
                expected,
                got,
            } => write!(
                f,
                "metric {metric:?} has {expected} label name(s) but {got} label value(s) were given"
            ),
            Error::TooManySeries {
                metric,
                max,
                values,
            } => write!(
                f,
                "metric {metric:?} already has {max} series, its maximum: no new series for label values {values:?}"
            ),
            Error::InvalidLifecycle { metric, reason } => {
                write!(f, "invalid series options for metric {metric:?}: {reason}")
            }
            Error::UnknownLabel { metric, name } => {
                write!(f, "metric {metric:?} has no label named {name:?}")
            }
            Error::MissingLabel { metric, name } => {
                write!(f, "metric {metric:?}: no value given for label {name:?}")
            }
            Error::InvalidBuckets { reason } => write!(f, "invalid histogram buckets: {reason}"),
            Error::InvalidSummary { reason } => write!(f, "invalid summary options: {reason}"),
            Error::InvalidNativeHistogram { reason } => {
                write!(f, "invalid native histogram options: {reason}")
            }
            Error::InvalidStates { reason } => write!(f, "invalid enum states: {reason}"),
            Error::ExemplarTooLong { chars, max } => write!(
                f,
                "exemplar labels have {chars} characters; OpenMetrics allows {max} for names and values together"
            ),
            Error::UnknownState {
                metric,
                state,
                states,
            } => {
                write!(f, "enum {metric:?} has no state {state:?} (its states: ")?;
                for (i, s) in states.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{s:?}")?;
                }
                f.write_str(")")
            }
            Error::InvalidIncrement { metric, amount } => write!(
                f,
                "counter {metric:?} can only increase: increment {amount} rejected (must be >= 0 and not NaN)"
            ),
            Error::TypeMismatch {
                metric,
                expected,
                got,
            } => write!(
                f,
                "metric family {metric:?} is a {} but was given a {} value",
                expected.as_str(),
                got.as_str()
            ),
        }
    }
}

impl std::error::Error for Error {}

/// A collector failed to produce its metric families.
///
/// Wraps the collector's own error; exporters turn it into a failed scrape
/// (HTTP 500) without stopping.
#[derive(Debug)]
pub struct CollectError {
    collector: String,
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl CollectError {
    /// Creates an error for the collector named `collector`, caused by `source`.
    pub fn new(
        collector: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            collector: collector.into(),
            source: source.into(),
        }
    }

    /// The name of the collector that failed.
    pub fn collector(&self) -> &str {
        &self.collector
    }

    /// The error for a collector that panicked, from the payload
    /// [`std::panic::catch_unwind`] returned: the panic's message when it
    /// was a string, as the default panic hook prints it.
    ///
    /// ```
    /// let payload = std::panic::catch_unwind(|| panic!("sensor {} unplugged", 3)).unwrap_err();
    /// let err = prom_core::CollectError::from_panic("sensors", payload);
    /// assert_eq!(err.to_string(), r#"collector "sensors" failed: panicked: sensor 3 unplugged"#);
    /// ```
    pub fn from_panic(collector: impl Into<String>, payload: Box<dyn Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
        Self::new(collector, format!("panicked: {message}"))
    }
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "collector {:?} failed: {}", self.collector, self.source)
    }
}

impl std::error::Error for CollectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
