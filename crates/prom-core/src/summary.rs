use std::sync::Arc;

use crate::hotcold::Observations;
use crate::series::{impl_collector_for_series, standalone, MetricKind, Sealed, Series};
use crate::timer::{time, ObserveDuration, Timer};
use crate::visit::{Scratch, SeriesRef, ValueRef, VisitError, Visitor};
use crate::{
    Descriptor, Error, LabelSet, Metric, MetricType, MetricValue, Opts, PackedValues, SummaryValue,
};

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
    inner: triomphe::Arc<Series<Observations>>,
}

impl Summary {
    /// An unlabelled summary.
    ///
    /// # Errors
    /// An invalid name, naming it.
    pub fn new(name: &str, help: &str) -> Result<Self, Error> {
        Self::with_opts(Opts::new(name, help))
    }

    /// An unlabelled summary from options (use [`SummaryVec`](crate::SummaryVec) for labels).
    ///
    /// # Errors
    /// An invalid name or unit, or label names given.
    pub fn with_opts(opts: Opts) -> Result<Self, Error> {
        standalone(&opts)
    }

    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.inner.core.observe(v, 0);
    }

    /// A timer that observes the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<'_, Self> {
        Timer::new(self)
    }

    /// Runs `f` and observes how long it took, in seconds.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        time(self, f)
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
        let r = self.inner.core.read();
        SummaryValue {
            count: r.count,
            sum: r.sum,
            quantiles: Vec::new(),
        }
    }

    /// This series' labels.
    pub fn labels(&self) -> LabelSet {
        self.inner.label_set()
    }
}

impl ObserveDuration for Summary {
    fn observe_seconds(&self, seconds: f64) {
        self.observe(seconds);
    }
}

impl Sealed for Summary {}

impl MetricKind for Summary {
    const TYPE: MetricType = MetricType::Summary;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn create(desc: Arc<Descriptor>, values: PackedValues, _: &()) -> Self {
        Self {
            inner: triomphe::Arc::new(Series::new(Observations::new(1), desc, values)),
        }
    }

    fn snapshot(&self) -> Metric {
        Metric::new(self.inner.label_set(), MetricValue::Summary(self.get()))
            .with_created(self.inner.created)
    }

    fn series_descriptor(&self) -> &Arc<Descriptor> {
        &self.inner.desc
    }

    fn series_values(&self) -> &PackedValues {
        &self.inner.values
    }

    #[allow(private_interfaces)]
    fn lookup_cache() -> &'static std::thread::LocalKey<crate::lookup_cache::Cache<Self>> {
        thread_local! {
            static CACHE: crate::lookup_cache::Cache<Summary> = const { std::cell::RefCell::new(Vec::new()) };
        }
        &CACHE
    }

    fn visit_series(&self, v: &mut dyn Visitor, scratch: &mut Scratch) -> Result<(), VisitError> {
        let (count, sum) = self.inner.core.read_into(&mut scratch.counts);
        let value = ValueRef::Summary {
            count,
            sum,
            quantiles: &[],
        };
        v.series(&SeriesRef {
            labels: self.inner.labels_ref(),
            value,
            timestamp_ms: None,
            created: Some(self.inner.created),
        })
    }
}

impl_collector_for_series!(Summary);
