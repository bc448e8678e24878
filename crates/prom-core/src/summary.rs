use crate::hotcold::Observations;
use crate::series::{metric_handle, read_value, timed_handle, SeriesArc, SeriesState};
use crate::snapshot::to_value;
use crate::visit::{ValueRef, ValueScratch};
use crate::window::{Window, WindowConfig};
use crate::{Error, MetricType, MetricValue, Opts, SummaryValue};

/// A summary's state: count and sum in the histogram's double buffer with
/// one bucket, and the quantile window if objectives were given.
#[derive(Debug)]
pub struct SummaryState {
    observations: Observations,
    window: Option<Box<Window>>,
}

impl SummaryState {
    #[inline]
    fn observe(&self, v: f64) {
        self.observations.observe(v, 0);
        if let Some(window) = &self.window {
            Self::observe_quantiles(window, v);
        }
    }

    /// The quantile window's part of an observation, out of line: inlined,
    /// it made `Summary::observe` too large to inline into callers, which
    /// cost a count-and-sum summary a call per observation (15.6 → 16.9 ns).
    #[inline(never)]
    fn observe_quantiles(window: &Window, v: f64) {
        window.observe(v);
    }
}

impl SeriesState for SummaryState {
    const TYPE: MetricType = MetricType::Summary;
    const CREATED: bool = true;
    type Config = Option<WindowConfig>;

    fn config(opts: &Opts) -> Result<Option<WindowConfig>, Error> {
        opts.window()
    }

    fn new(config: &Option<WindowConfig>) -> Self {
        Self {
            observations: Observations::new(1),
            window: config.as_ref().map(|c| Box::new(Window::new(c))),
        }
    }

    fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a> {
        let (count, sum) = self.observations.read_into(&mut scratch.counts);
        match &self.window {
            Some(window) => window.read_into(&mut scratch.quantiles),
            None => scratch.quantiles.clear(),
        }
        ValueRef::Summary {
            count,
            sum,
            quantiles: &scratch.quantiles,
        }
    }
}

/// Tracks the count and sum of observations (request durations, payload
/// sizes); rates of both give an average. Given objectives
/// ([`Opts::objectives`]), it also computes quantiles over a sliding window.
///
/// Count and sum use the histogram's lock-free double buffer with one
/// bucket, so they always describe the same observations.
///
/// ```
/// let s = prom_core::Summary::new("request_seconds", "").unwrap();
/// s.observe(0.25);
/// let answer = s.time(|| 6 * 7);
/// assert_eq!(answer, 42);
/// assert_eq!(s.get_count(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Summary {
    inner: SeriesArc<SummaryState>,
}

metric_handle!(Summary, SummaryState, "summary", SummaryVec);
timed_handle!(Summary, "observes", |summary, seconds| summary
    .observe(seconds));

impl Summary {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.inner.state.observe(v);
    }

    /// The number of observations so far.
    pub fn get_count(&self) -> u64 {
        self.get().count
    }

    /// The sum of observations so far.
    pub fn get_sum(&self) -> f64 {
        self.get().sum
    }

    /// A consistent reading of count and sum.
    pub fn get(&self) -> SummaryValue {
        read_value(&self.inner.state, |v| match to_value(v) {
            MetricValue::Summary(s) => s,
            // `SummaryState::read` gives nothing else.
            _ => unreachable!("a summary reads as a summary"),
        })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Counter, Histogram};

    #[test]
    fn bad_quantile_options_are_refused_naming_the_problem() {
        let cases: [(Opts, &str); 7] = [
            (
                Opts::new("s", "").objectives([(1.0, 0.01)]),
                "quantile 1 is not between 0 and 1",
            ),
            (
                Opts::new("s", "").objectives([(0.5, 0.0)]),
                "rank error 0 of quantile 0.5",
            ),
            (
                Opts::new("s", "").objectives([(f64::NAN, 0.1)]),
                "quantile NaN",
            ),
            (
                Opts::new("s", "").objectives([(0.5, 0.1), (0.5, 0.01)]),
                "quantile 0.5 is given twice",
            ),
            (
                Opts::new("s", "").objectives([]),
                "an empty list of objectives",
            ),
            (
                Opts::new("s", "")
                    .objectives([(0.5, 0.1)])
                    .max_age(Duration::ZERO),
                "a max age of zero",
            ),
            (
                Opts::new("s", "").max_age(Duration::from_secs(1)),
                "without objectives",
            ),
        ];
        for (opts, want) in cases {
            let err = Summary::with_opts(opts).unwrap_err();
            assert!(matches!(err, Error::InvalidSummary { .. }), "{err}");
            assert!(err.to_string().contains(want), "{err} lacks {want:?}");
            assert!(err.to_string().contains("\"s\""), "{err} names no metric");
        }
        let err = Counter::with_opts(Opts::new("c", "").objectives([(0.5, 0.1)])).unwrap_err();
        assert!(err.to_string().contains("only summaries"), "{err}");
        let err = Histogram::with_opts(Opts::new("h", "").age_buckets(3)).unwrap_err();
        assert!(err.to_string().contains("only summaries"), "{err}");
    }

    #[test]
    fn a_summary_without_objectives_has_no_quantiles() {
        let s = Summary::new("s", "").unwrap();
        s.observe(1.0);
        assert!(s.get().quantiles.is_empty());
    }

    #[test]
    fn nan_counts_but_has_no_rank() {
        let s = Summary::with_opts(Opts::new("s", "").objectives([(0.5, 0.05)])).unwrap();
        s.observe(f64::NAN);
        assert_eq!(s.get_count(), 1);
        assert!(s.get().quantiles[0].value.is_nan());
        s.observe(2.0);
        assert_eq!(s.get().quantiles[0].value, 2.0);
    }
}
