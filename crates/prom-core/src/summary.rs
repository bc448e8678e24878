use crate::hotcold::Observations;
use crate::series::{metric_handle, read_value, timed_handle, Series, SeriesState};
use crate::snapshot::to_value;
use crate::visit::{Scratch, ValueRef};
use crate::{Error, MetricType, MetricValue, Opts, SummaryValue};

/// A summary's state: the histogram's double buffer with one bucket.
#[derive(Debug)]
pub struct SummaryState(Observations);

impl SeriesState for SummaryState {
    const TYPE: MetricType = MetricType::Summary;
    const CREATED: bool = true;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn new((): &()) -> Self {
        Self(Observations::new(1))
    }

    fn read<'a>(&'a self, scratch: &'a mut Scratch) -> ValueRef<'a> {
        let (count, sum) = self.0.read_into(&mut scratch.counts);
        ValueRef::Summary {
            count,
            sum,
            quantiles: &[],
        }
    }
}

/// Tracks the count and sum of observations (request durations, payload
/// sizes); rates of both give an average. Quantiles are not computed yet.
///
/// Uses the histogram's lock-free double buffer with no buckets, so count and
/// sum always describe the same observations.
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
    inner: triomphe::Arc<Series<SummaryState>>,
}

metric_handle!(Summary, SummaryState, "summary", SummaryVec);
timed_handle!(Summary, "observes", |summary, seconds| summary
    .observe(seconds));

impl Summary {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.inner.state.0.observe(v, 0);
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
