//! The one table of sample-name suffixes: which samples a family of each
//! type writes, as the encoders name them and the parsers resolve them.

use crate::MetricType;

/// A sample-name suffix: what a sample is to its family.
///
/// ```
/// use prom_core::{MetricType, Suffix};
/// assert_eq!(Suffix::Bucket.as_str(), "_bucket");
/// assert_eq!(
///     MetricType::Histogram.sample_suffix("latency", "latency_bucket"),
///     Some(Suffix::Bucket),
/// );
/// assert_eq!(MetricType::Gauge.sample_suffix("latency", "latency_bucket"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Suffix {
    /// The bare family name: a gauge's or unknown's value, and the name
    /// clients reserve for every type.
    Bare,
    /// `_total`: a counter's value.
    Total,
    /// `_bucket`: a histogram's cumulative bucket.
    Bucket,
    /// `_count`: the number of observations.
    Count,
    /// `_sum`: the sum of observations.
    Sum,
    /// `_created`: when the series was created (OpenMetrics).
    Created,
    /// `_info`: an info family's one sample.
    Info,
    /// `_gcount`: a gauge histogram's current count.
    GCount,
    /// `_gsum`: a gauge histogram's current sum.
    GSum,
}

impl Suffix {
    /// Every suffix, in the order of [`Suffix::index`].
    pub const ALL: [Suffix; 9] = [
        Suffix::Bare,
        Suffix::Total,
        Suffix::Bucket,
        Suffix::Count,
        Suffix::Sum,
        Suffix::Created,
        Suffix::Info,
        Suffix::GCount,
        Suffix::GSum,
    ];

    /// The text appended to the family name (`""` for [`Suffix::Bare`]).
    pub const fn as_str(self) -> &'static str {
        match self {
            Suffix::Bare => "",
            Suffix::Total => "_total",
            Suffix::Bucket => "_bucket",
            Suffix::Count => "_count",
            Suffix::Sum => "_sum",
            Suffix::Created => "_created",
            Suffix::Info => "_info",
            Suffix::GCount => "_gcount",
            Suffix::GSum => "_gsum",
        }
    }

    /// A small index, for tables with one entry per suffix (for example an
    /// encoder's pre-rendered sample names): the position in [`Suffix::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl MetricType {
    /// The sample-name suffixes a family of this type exposes across both
    /// formats, [`Suffix::Bare`] included: what two collectors must not
    /// both expose, and what `name[]` filters match.
    pub const fn suffixes(self) -> &'static [Suffix] {
        use Suffix::{Bare, Bucket, Count, Created, GCount, GSum, Info, Sum, Total};
        match self {
            MetricType::Counter => &[Bare, Total, Created],
            MetricType::Gauge | MetricType::Unknown | MetricType::StateSet => &[Bare],
            MetricType::Histogram => &[Bare, Bucket, Count, Sum, Created],
            MetricType::Summary => &[Bare, Count, Sum, Created],
            MetricType::Info => &[Bare, Info],
            MetricType::GaugeHistogram => &[Bare, Bucket, GCount, GSum],
        }
    }

    /// What `sample` is to a family named `family` of this type, if it is
    /// one of the family's sample names.
    pub fn sample_suffix(self, family: &str, sample: &str) -> Option<Suffix> {
        let rest = sample.strip_prefix(family)?;
        self.suffixes().iter().copied().find(|s| s.as_str() == rest)
    }
}

impl MetricType {
    /// The family name for a metric given as `name`: a counter drops a
    /// trailing `_total` and an info a trailing `_info`, which the encoders
    /// add back on the sample.
    ///
    /// ```
    /// use prom_core::MetricType;
    /// assert_eq!(MetricType::Counter.family_name("jobs_total"), "jobs");
    /// assert_eq!(MetricType::Info.family_name("build_info"), "build");
    /// assert_eq!(MetricType::Gauge.family_name("jobs_total"), "jobs_total");
    /// ```
    pub fn family_name(self, name: &str) -> &str {
        let own = match self {
            MetricType::Counter => Suffix::Total,
            MetricType::Info => Suffix::Info,
            _ => return name,
        };
        name.strip_suffix(own.as_str()).unwrap_or(name)
    }

    /// Whether a family of this type may have a unit (OpenMetrics allows
    /// none on info and state set families).
    pub fn allows_unit(self) -> bool {
        !matches!(self, MetricType::Info | MetricType::StateSet)
    }
}

/// Every sample name a family named `name` of type `metric_type` can expose,
/// e.g. `x`, `x_total` and `x_created` for counter `x`.
pub fn sample_names(name: &str, metric_type: MetricType) -> impl Iterator<Item = String> + '_ {
    metric_type
        .suffixes()
        .iter()
        .map(move |suffix| format!("{name}{}", suffix.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_the_position_in_all() {
        for (i, s) in Suffix::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }

    #[test]
    fn every_type_reserves_its_bare_name_and_resolves_its_own_suffixes_only() {
        for t in MetricType::ALL {
            assert_eq!(t.suffixes()[0], Suffix::Bare);
            for s in Suffix::ALL {
                let sample = format!("x{}", s.as_str());
                let found = t.sample_suffix("x", &sample);
                assert_eq!(found.is_some(), t.suffixes().contains(&s), "{t:?} {s:?}");
            }
            assert_eq!(t.sample_suffix("x", "y_total"), None);
        }
    }
}
