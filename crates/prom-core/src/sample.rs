//! One sample of a family, as an exposition shows it: by its sample name
//! (with the suffix the table in [`crate::Suffix`] gives it) and its full
//! label set (`le`, `quantile` or a state set's label included). What tests
//! read back with `get_sample_value`, as client_python's.

use crate::{HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue, Suffix};

impl MetricFamily {
    /// The value of the sample named `sample` (as exposed, e.g.
    /// `requests_total`, `latency_seconds_bucket`) whose labels are exactly
    /// `labels`, in any order; `None` when the family has no such sample.
    /// A bucket's `le` and a quantile's `quantile` are given as numbers in
    /// any spelling (`"0.5"`, `".5"`, `"+Inf"`).
    ///
    /// ```
    /// use prom_core::{collect, HistogramVec, Opts};
    /// let latency = HistogramVec::new(
    ///     Opts::new("latency_seconds", "").labels(["route"]).buckets([0.1, 1.0]),
    /// ).unwrap();
    /// latency.with_label_values(&["/"]).unwrap().observe(0.5);
    /// let family = &collect(&latency).unwrap()[0];
    /// let value = |sample, labels| family.sample_value(sample, labels);
    /// assert_eq!(value("latency_seconds_bucket", &[("route", "/"), ("le", "1")]), Some(1.0));
    /// assert_eq!(value("latency_seconds_bucket", &[("le", "0.1"), ("route", "/")]), Some(0.0));
    /// assert_eq!(value("latency_seconds_count", &[("route", "/")]), Some(1.0));
    /// assert_eq!(value("latency_seconds_sum", &[("route", "/")]), Some(0.5));
    /// assert_eq!(value("latency_seconds_count", &[("route", "/other")]), None);
    /// ```
    pub fn sample_value(&self, sample: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let suffix = self.metric_type.sample_suffix(&self.name, sample)?;
        // The label a sample adds to its series' own: `le` on buckets,
        // `quantile` on a summary's bare samples, the family's own name on a
        // state set's.
        let special = match (self.metric_type, suffix) {
            (_, Suffix::Bucket) => Some("le"),
            (MetricType::Summary, Suffix::Bare) => Some("quantile"),
            (MetricType::StateSet, Suffix::Bare) => Some(&*self.name),
            _ => None,
        };
        let special_value = match special {
            Some(name) => Some(labels.iter().find(|(n, _)| *n == name)?.1),
            None => None,
        };
        let own: Vec<(&str, &str)> = labels
            .iter()
            .copied()
            .filter(|(n, _)| Some(*n) != special)
            .collect();
        self.metrics
            .iter()
            .filter(|m| {
                let info = match &m.value {
                    MetricValue::Info(info) => Some(info),
                    _ => None,
                };
                same_labels(&m.labels, info, &own)
            })
            .find_map(|m| value(m, suffix, special_value))
    }
}

/// Whether a series' labels (and an info's own) are exactly `want`.
fn same_labels(labels: &LabelSet, info: Option<&LabelSet>, want: &[(&str, &str)]) -> bool {
    let have = labels.len() + info.map_or(0, LabelSet::len);
    have == want.len()
        && want
            .iter()
            .all(|(n, v)| labels.get(n).or_else(|| info?.get(n)) == Some(*v))
}

fn number(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// A series' sample of `suffix` (with its `le`, `quantile` or state).
fn value(m: &Metric, suffix: Suffix, special: Option<&str>) -> Option<f64> {
    let bucket = |h: &HistogramValue| {
        let le = number(special?)?;
        h.buckets
            .iter()
            .find(|b| b.upper_bound == le)
            .map(|b| b.cumulative_count as f64)
    };
    match (&m.value, suffix) {
        (_, Suffix::Created) => m.created,
        (MetricValue::Counter(v), Suffix::Total)
        | (MetricValue::Gauge(v) | MetricValue::Unknown(v), Suffix::Bare) => Some(*v),
        (MetricValue::Histogram(h) | MetricValue::GaugeHistogram(h), Suffix::Bucket) => bucket(h),
        (MetricValue::Histogram(h), Suffix::Count)
        | (MetricValue::GaugeHistogram(h), Suffix::GCount) => Some(h.count as f64),
        (MetricValue::Histogram(h), Suffix::Sum)
        | (MetricValue::GaugeHistogram(h), Suffix::GSum) => h.sum,
        (MetricValue::NativeHistogram(h), Suffix::Count) => Some(h.count as f64),
        (MetricValue::NativeHistogram(h), Suffix::Sum) => Some(h.sum),
        (MetricValue::NativeHistogram(h), Suffix::Bucket) => {
            let le = number(special?)?;
            if le == f64::INFINITY {
                Some(h.count as f64)
            } else {
                h.classic
                    .iter()
                    .find(|(bound, _)| *bound == le)
                    .map(|&(_, n)| n as f64)
            }
        }
        (MetricValue::Summary(s), Suffix::Count) => Some(s.count as f64),
        (MetricValue::Summary(s), Suffix::Sum) => Some(s.sum),
        (MetricValue::Summary(s), Suffix::Bare) => {
            let q = number(special?)?;
            s.quantiles
                .iter()
                .find(|x| x.quantile == q)
                .map(|x| x.value)
        }
        (MetricValue::Info(_), Suffix::Info) => Some(1.0),
        (MetricValue::StateSet(states), Suffix::Bare) => states
            .iter()
            .find(|s| Some(&*s.name) == special)
            .map(|s| if s.enabled { 1.0 } else { 0.0 }),
        _ => None,
    }
}
