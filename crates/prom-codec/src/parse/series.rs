//! Assembling samples into the model's series: label sets (sharing label
//! names within a family), order-independent label-set identity, and the
//! per-type checks that turn buckets, counts and sums into one value.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use prom_core::{
    Bucket, Exemplar, HistogramValue, LabelSet, Metric, MetricType, MetricValue, Quantile, State,
    SummaryValue,
};

use super::error::{quoted, ParseError};
use super::lex::{Line, RawLabel};
use super::number;

/// Hashes label sets independently of label order, with a per-parse random
/// key so that no input can force collisions.
#[derive(Debug, Default)]
pub(crate) struct Hashing {
    state: RandomState,
}

impl Hashing {
    /// The hash of `labels` without the label named `skip`, plus `extra`.
    pub(crate) fn labels(&self, labels: &[RawLabel<'_>], skip: Option<&str>, extra: u64) -> u64 {
        let mut sum = 0u64;
        let mut n = 0u64;
        for l in kept(labels, skip) {
            let mut h = self.state.build_hasher();
            l.name.hash(&mut h);
            l.value.as_ref().hash(&mut h);
            // Addition commutes: the same pairs in any order hash alike.
            sum = sum.wrapping_add(h.finish());
            n += 1;
        }
        let mut h = self.state.build_hasher();
        sum.hash(&mut h);
        n.hash(&mut h);
        extra.hash(&mut h);
        h.finish()
    }
}

/// The labels other than `skip` (the `le` of a bucket, the `quantile` of a
/// quantile sample).
pub(crate) fn kept<'l, 'a>(
    labels: &'l [RawLabel<'a>],
    skip: Option<&'l str>,
) -> impl Iterator<Item = &'l RawLabel<'a>> + Clone + 'l {
    labels.iter().filter(move |l| Some(l.name) != skip)
}

/// Whether `labels` without `skip` are exactly `set`, in any order. Names
/// are unique on both sides (the scanner refuses duplicates).
pub(crate) fn same_labels(labels: &[RawLabel<'_>], skip: Option<&str>, set: &LabelSet) -> bool {
    let raw = kept(labels, skip);
    if raw.clone().count() != set.len() {
        return false;
    }
    // Exposers write a series' labels in one order: check that first.
    if raw
        .clone()
        .zip(set.iter())
        .all(|(l, (n, v))| l.name == n && l.value == v)
    {
        return true;
    }
    if set.len() <= 16 {
        return raw
            .clone()
            .all(|l| set.get(l.name) == Some(l.value.as_ref()));
    }
    let mut a: Vec<(&str, &str)> = raw.map(|l| (l.name, l.value.as_ref())).collect();
    let mut b: Vec<(&str, &str)> = set.iter().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Builds label sets for one family, sharing the label-name list between
/// consecutive series with the same names (the usual case).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    names: Option<Arc<[Box<str>]>>,
}

impl Interner {
    pub(crate) fn label_set(&mut self, labels: &[RawLabel<'_>], skip: Option<&str>) -> LabelSet {
        let raw = kept(labels, skip);
        let n = raw.clone().count();
        if n == 0 {
            return LabelSet::empty();
        }
        let names = match &self.names {
            Some(names)
                if names.len() == n
                    && names.iter().zip(raw.clone()).all(|(a, l)| **a == *l.name) =>
            {
                Arc::clone(names)
            }
            _ => {
                let fresh: Arc<[Box<str>]> = raw.clone().map(|l| Box::from(l.name)).collect();
                self.names = Some(Arc::clone(&fresh));
                fresh
            }
        };
        let values: Vec<&str> = raw.map(|l| l.value.as_ref()).collect();
        // The lengths match by construction; `new` fails on nothing else.
        LabelSet::new(names, &values).unwrap_or_default()
    }

    /// A label set for an exemplar (not shared: exemplars are rare).
    pub(crate) fn exemplar_labels(labels: &[RawLabel<'_>]) -> LabelSet {
        if labels.is_empty() {
            return LabelSet::empty();
        }
        let names: Arc<[Box<str>]> = labels.iter().map(|l| Box::from(l.name)).collect();
        let values: Vec<&str> = labels.iter().map(|l| l.value.as_ref()).collect();
        LabelSet::new(names, &values).unwrap_or_default()
    }
}

/// One series (one MetricPoint, in OpenMetrics terms) being assembled.
#[derive(Debug)]
pub(crate) struct Series<'a> {
    pub(crate) labels: LabelSet,
    pub(crate) timestamp_ms: Option<i64>,
    /// The first line of the series.
    pub(crate) line: Line<'a>,
    pub(crate) value: Option<f64>,
    pub(crate) buckets: Vec<Bucket>,
    pub(crate) bucket_lines: Vec<Line<'a>>,
    /// Whether the buckets arrived out of order (text only).
    pub(crate) unsorted: bool,
    pub(crate) count: Option<(u64, Line<'a>)>,
    pub(crate) sum: Option<(f64, Line<'a>)>,
    pub(crate) quantiles: Vec<Quantile>,
    pub(crate) quantile_lines: Vec<Line<'a>>,
    pub(crate) created: Option<f64>,
    pub(crate) exemplars: Vec<Exemplar>,
    /// A state set's states, in order.
    pub(crate) states: Vec<State>,
}

impl<'a> Series<'a> {
    pub(crate) fn new(labels: LabelSet, timestamp_ms: Option<i64>, line: Line<'a>) -> Self {
        Self {
            labels,
            timestamp_ms,
            line,
            value: None,
            buckets: Vec::new(),
            bucket_lines: Vec::new(),
            unsorted: false,
            count: None,
            sum: None,
            quantiles: Vec::new(),
            quantile_lines: Vec::new(),
            created: None,
            exemplars: Vec::new(),
            states: Vec::new(),
        }
    }

    fn metric(self, value: MetricValue) -> Metric {
        let mut m = Metric::new(self.labels, value);
        m.timestamp_ms = self.timestamp_ms;
        m.created = self.created;
        m.exemplars = self.exemplars;
        m
    }

    /// A counter, gauge or unknown series.
    pub(crate) fn finish_simple(
        self,
        make: fn(f64) -> MetricValue,
        family: &str,
    ) -> Result<Metric, ParseError> {
        match self.value {
            Some(v) => Ok(self.metric(make(v))),
            // Only an OpenMetrics counter can get here: a `_created` alone.
            None => Err(self.line.err_line(
                format!("a {family}_total sample in each counter series"),
                format!("only {family}_created for this label set"),
            )),
        }
    }

    /// Sorts out-of-order buckets (text 0.0.4 allows any order); of two
    /// buckets with one bound, the first written is kept, as Prometheus'
    /// storage keeps the first of two samples of one series.
    fn sort_buckets(&mut self) {
        if !self.unsorted {
            return;
        }
        // A stable sort: buckets of one bound stay in the order written.
        // Bounds are never NaN; `total_cmp` keeps the sort total regardless.
        self.buckets
            .sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
        self.buckets
            .dedup_by(|later, first| later.upper_bound == first.upper_bound);
    }

    /// A text 0.0.4 histogram: buckets in any order, `_count` and `_sum`
    /// optional (a missing count is the `+Inf` bucket's, else 0), no
    /// cumulativeness or `+Inf` checks (Prometheus makes none).
    pub(crate) fn finish_text_histogram(self) -> Result<Metric, ParseError> {
        self.finish_lenient_histogram(false, false)
    }

    /// An OpenMetrics info: one sample of value 1. The model cannot tell the
    /// family's labels from the info's own in an exposition, so all of them
    /// are the series' labels and the info's own set is empty.
    pub(crate) fn finish_info(self, family: &str) -> Result<Metric, ParseError> {
        match self.value {
            Some(1.0) => Ok(self.metric(MetricValue::Info(LabelSet::empty()))),
            Some(v) => Err(self.line.err_line(
                format!("the value 1 on {family}_info (an info's only value)"),
                v.to_string(),
            )),
            None => Err(self
                .line
                .err_line(format!("a {family}_info sample"), "none".to_owned())),
        }
    }

    /// An OpenMetrics state set: its states in order.
    pub(crate) fn finish_state_set(mut self) -> Metric {
        let states = std::mem::take(&mut self.states);
        self.metric(MetricValue::StateSet(states))
    }

    /// An OpenMetrics histogram point (`gauge`: a gauge histogram, whose
    /// count and sum are `_gcount` and `_gsum` and whose sum may be
    /// negative), checked as the specification and the Python reference
    /// parser check it. Buckets arrive sorted and cumulative (checked as
    /// they are added).
    pub(crate) fn finish_om_histogram(
        mut self,
        family: &str,
        gauge: bool,
        lenient: bool,
    ) -> Result<Metric, ParseError> {
        if lenient {
            return self.finish_lenient_histogram(gauge, true);
        }
        let (count_name, sum_name) = if gauge {
            ("_gcount", "_gsum")
        } else {
            ("_count", "_sum")
        };
        let last = self.bucket_lines.last().copied().unwrap_or(self.line);
        let Some(inf) = self
            .buckets
            .last()
            .filter(|b| b.upper_bound == f64::INFINITY)
            .map(|b| b.cumulative_count)
        else {
            return Err(last.err_line(
                format!("a {family}_bucket{{le=\"+Inf\"}} sample ending each histogram series"),
                match self.buckets.last() {
                    Some(b) => format!("the last bucket is le=\"{}\"", b.upper_bound),
                    None => "no buckets".to_owned(),
                },
            ));
        };
        match (self.count, self.sum) {
            (Some((_, line)), None) => {
                return Err(line.err_line(
                    format!(
                    "{family}{sum_name} alongside {family}{count_name} (one without the other is not allowed)"
                ),
                    format!("{family}{count_name} without {family}{sum_name}"),
                ))
            }
            (None, Some((_, line))) => {
                return Err(line.err_line(
                    format!(
                    "{family}{count_name} alongside {family}{sum_name} (one without the other is not allowed)"
                ),
                    format!("{family}{sum_name} without {family}{count_name}"),
                ))
            }
            (Some((count, line)), Some(_)) if count != inf => {
                return Err(line.err_line(
                    format!("{family}{count_name} equal to the +Inf bucket ({inf})"),
                    count.to_string(),
                ))
            }
            _ => {}
        }
        let negative_buckets = self.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
        match (gauge, self.sum) {
            // A sum of observations that can be negative has no place
            // beside counter-like buckets: OpenMetrics drops it.
            (false, Some((_, line))) if negative_buckets => {
                return Err(line.err_line(
                    "no _sum on a histogram with negative buckets",
                    format!(
                        "{family}_sum with a bucket le=\"{}\"",
                        self.buckets.first().map_or(0.0, |b| b.upper_bound)
                    ),
                ))
            }
            // A gauge histogram's sum may be negative only if it has
            // negative buckets, and is never NaN.
            (true, Some((sum, line))) if sum.is_nan() || sum < 0.0 && !negative_buckets => {
                return Err(line.err_line(
                    format!("a {family}_gsum that is a number, not negative (no bucket is)"),
                    sum.to_string(),
                ))
            }
            _ => {}
        }
        let value = HistogramValue {
            buckets: std::mem::take(&mut self.buckets),
            count: inf,
            sum: self.sum.map(|(s, _)| s),
        };
        Ok(self.metric(if gauge {
            MetricValue::GaugeHistogram(value)
        } else {
            MetricValue::Histogram(value)
        }))
    }

    /// A histogram read as Prometheus reads OpenMetrics: buckets sorted (two
    /// with one bound refused), no `+Inf`, cumulativeness or `_count`/`_sum`
    /// checks; the count is `_count` if present, else the `+Inf` bucket's,
    /// else 0. With `add_inf` (OpenMetrics, where every histogram has a
    /// `+Inf` bucket) the count is that bucket's, else `_count`'s, else 0,
    /// and a missing `+Inf` bucket is added, holding it.
    fn finish_lenient_histogram(
        mut self,
        gauge: bool,
        add_inf: bool,
    ) -> Result<Metric, ParseError> {
        self.sort_buckets();
        let inf = self
            .buckets
            .last()
            .filter(|b| b.upper_bound == f64::INFINITY)
            .map(|b| b.cumulative_count);
        let written = self.count.map(|(c, _)| c);
        // OpenMetrics writes the count as the `+Inf` bucket (and `_count`
        // only beside `_sum`): that bucket is the count when there is one.
        let count = if add_inf {
            inf.or(written)
        } else {
            written.or(inf)
        }
        .unwrap_or(0);
        if add_inf && inf.is_none() {
            self.buckets.push(Bucket {
                upper_bound: f64::INFINITY,
                cumulative_count: count,
            });
        }
        let value = HistogramValue {
            buckets: std::mem::take(&mut self.buckets),
            count,
            sum: self.sum.map(|(s, _)| s),
        };
        Ok(self.metric(if gauge {
            MetricValue::GaugeHistogram(value)
        } else {
            MetricValue::Histogram(value)
        }))
    }

    /// A summary: quantiles kept in their order; a quantile written twice is
    /// an error, or (`keep_first`, text 0.0.4) the first is kept, as
    /// Prometheus' storage keeps the first of two samples of one series. A
    /// missing `_count` or `_sum` reads as 0 (the model holds both).
    pub(crate) fn finish_summary(mut self, keep_first: bool) -> Result<Metric, ParseError> {
        if keep_first && self.quantiles.len() > 1 {
            let mut seen: Vec<f64> = Vec::with_capacity(self.quantiles.len());
            self.quantiles.retain(|q| {
                let new = !seen.contains(&q.quantile);
                seen.push(q.quantile);
                new
            });
        }
        if self.quantiles.len() > 1 {
            let q = |i: usize| self.quantiles.get(i).map_or(f64::NAN, |q| q.quantile);
            let mut order: Vec<usize> = (0..self.quantiles.len()).collect();
            order.sort_by(|&i, &j| q(i).total_cmp(&q(j)).then(i.cmp(&j)));
            let dup = order
                .windows(2)
                .filter_map(|pair| match *pair {
                    [i, j] if q(i) == q(j) => Some(i.max(j)),
                    _ => None,
                })
                .min();
            if let Some(i) = dup {
                let line = self.quantile_lines.get(i).copied().unwrap_or(self.line);
                return Err(duplicate(&line, "quantile of the series"));
            }
        }
        let value = SummaryValue {
            count: self.count.map_or(0, |(c, _)| c),
            sum: self.sum.map_or(0.0, |(s, _)| s),
            quantiles: std::mem::take(&mut self.quantiles),
        };
        Ok(self.metric(MetricValue::Summary(value)))
    }
}

/// "A second sample for the same series."
pub(crate) fn duplicate(line: &Line<'_>, what: &str) -> ParseError {
    line.err_line(
        format!("one sample per {what}"),
        "a second sample for the same label set".to_owned(),
    )
}

/// Fills a per-series slot (`_count`, `_sum`, `_created`) that a series may
/// have only once; a second sample for it is a [`duplicate`].
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    line: &Line<'_>,
    what: &str,
) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(duplicate(line, what));
    }
    *slot = Some(value);
    Ok(())
}

/// Checks a sample's `le` or `quantile` label, which both parsers treat
/// alike. `reserved` is the label the family's type reserves (`le` for
/// histograms, `quantile` for summaries); `special` is the one this sample
/// must carry (`le` on a bucket, `quantile` on a quantile), if any. Returns
/// the special label's value and byte offset (`("", 0)` when there is none).
pub(crate) fn special_label<'l>(
    line: &Line<'_>,
    sample: &str,
    labels: &'l [RawLabel<'_>],
    reserved: Option<&'static str>,
    special: Option<&str>,
) -> Result<(&'l str, usize), ParseError> {
    let label = |name: &str| labels.iter().find(|l| l.name == name);
    // `le` and `quantile` belong to bucket and quantile samples only.
    if let Some(r) = reserved.filter(|r| special != Some(*r)) {
        if let Some(l) = label(r) {
            return Err(line.err(
                l.at,
                format!("no {r:?} label on {sample}"),
                quoted(&format!("{r}=\"{}\"", l.value)),
            ));
        }
    }
    match special.map(|n| (n, label(n))) {
        None => Ok(("", 0)),
        Some((_, Some(l))) => Ok((l.value.as_ref(), l.at)),
        Some((n, None)) => {
            Err(line.err_line(format!("a {n:?} label on {sample}"), "none".to_owned()))
        }
    }
}

/// The number in an `le` or `quantile` label (as [`special_label`] found
/// it), refused as not `expected` unless `ok` holds for it.
pub(crate) fn label_number(
    line: &Line<'_>,
    (value, at): (&str, usize),
    expected: &str,
    ok: impl Fn(f64) -> bool,
) -> Result<f64, ParseError> {
    number::float(value)
        .filter(|v| ok(*v))
        .ok_or_else(|| line.err(at, expected, quoted(value)))
}

/// A bucket's `le` bound: any number but NaN, in both formats.
pub(crate) fn le_bound(line: &Line<'_>, le: (&str, usize)) -> Result<f64, ParseError> {
    label_number(line, le, "an le label holding a number (not NaN)", |b| {
        !b.is_nan()
    })
}

/// The label a family's type reserves for some of its samples: `le` for a
/// histogram's buckets, `quantile` for a summary's quantiles.
pub(crate) fn reserved_label(metric_type: MetricType) -> Option<&'static str> {
    match metric_type {
        MetricType::Histogram | MetricType::GaugeHistogram => Some("le"),
        MetricType::Summary => Some("quantile"),
        _ => None,
    }
}
