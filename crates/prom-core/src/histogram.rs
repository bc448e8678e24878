use std::sync::Arc;

use crate::hotcold::Observations;
use crate::model::accumulate;
use crate::series::unix_now;
use crate::series::{metric_handle, read_value, timed_handle, SeriesArc, SeriesState};
use crate::snapshot::to_value;
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, Exemplar, HistogramValue, LabelSet, MetricType, MetricValue, Opts};

/// client_python's default buckets (`+Inf` is added on construction).
pub const DEFAULT_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// `count` bounds starting at `start`, each `width` above the previous.
///
/// # Errors
/// [`Error::InvalidBuckets`] when `count` is 0 or `width` is not positive and finite.
///
/// ```
/// assert_eq!(prom_core::linear_buckets(1.0, 0.5, 3).unwrap(), vec![1.0, 1.5, 2.0]);
/// ```
pub fn linear_buckets(start: f64, width: f64, count: usize) -> Result<Vec<f64>, Error> {
    if count == 0 || width.is_nan() || width <= 0.0 || !width.is_finite() || !start.is_finite() {
        return Err(Error::InvalidBuckets {
            reason: format!(
                "linear buckets need count >= 1 and a finite width > 0 (start {start}, width {width}, count {count})"
            ),
        });
    }
    Ok((0..count).map(|i| start + width * i as f64).collect())
}

/// `count` bounds starting at `start`, each `factor` times the previous.
///
/// # Errors
/// [`Error::InvalidBuckets`] when `count` is 0, `start <= 0` or `factor <= 1`.
///
/// ```
/// assert_eq!(prom_core::exponential_buckets(1.0, 10.0, 3).unwrap(), vec![1.0, 10.0, 100.0]);
/// ```
pub fn exponential_buckets(start: f64, factor: f64, count: usize) -> Result<Vec<f64>, Error> {
    if count == 0
        || start.is_nan()
        || start <= 0.0
        || factor.is_nan()
        || factor <= 1.0
        || !start.is_finite()
        || !factor.is_finite()
    {
        return Err(Error::InvalidBuckets {
            reason: format!(
                "exponential buckets need count >= 1, start > 0 and factor > 1 (start {start}, factor {factor}, count {count})"
            ),
        });
    }
    Ok((0..count)
        .scan(start, |b, _| {
            let cur = *b;
            *b *= factor;
            Some(cur)
        })
        .collect())
}

/// Validates bucket bounds and appends `+Inf` if absent.
pub(crate) fn validate_buckets(bounds: &[f64]) -> Result<Arc<[f64]>, Error> {
    if let Some(i) = bounds.iter().position(|b| b.is_nan()) {
        return Err(Error::InvalidBuckets {
            reason: format!("bound #{i} is NaN"),
        });
    }
    if let Some(w) = bounds.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Error::InvalidBuckets {
            reason: format!(
                "bounds must be strictly increasing, but {} is followed by {}",
                w[0], w[1]
            ),
        });
    }
    let mut v = bounds.to_vec();
    if v.last() != Some(&f64::INFINITY) {
        v.push(f64::INFINITY);
    }
    if v.len() < 2 {
        return Err(Error::InvalidBuckets {
            reason: "at least one finite bound is needed besides +Inf".into(),
        });
    }
    Ok(v.into())
}

#[derive(Debug)]
pub struct HistogramState {
    bounds: Arc<[f64]>,
    obs: Observations,
}

impl HistogramState {
    #[inline]
    fn bucket_index(&self, v: f64) -> usize {
        let b = &self.bounds;
        if v.is_nan() {
            // NaN is not <= any bound; it lands in +Inf so that the +Inf
            // bucket always equals the count.
            return b.len() - 1;
        }
        if b.len() <= 16 {
            // The last bound is +Inf, so this always finds one.
            b.iter().position(|&u| v <= u).unwrap_or(b.len() - 1)
        } else {
            b.partition_point(|&u| u < v)
        }
    }

    #[inline]
    fn observe(&self, v: f64) {
        self.obs.observe(v, self.bucket_index(v));
    }

    fn observe_with_exemplar(&self, v: f64, labels: LabelSet) {
        let bucket = self.bucket_index(v);
        let exemplar = Exemplar::new(labels, v)
            .with_timestamp(unix_now())
            .in_bucket(self.bounds[bucket]);
        self.obs.observe_with_exemplar(v, bucket, exemplar);
    }

    /// OpenMetrics: no `_sum` when observations may be negative.
    fn negative(&self) -> bool {
        self.bounds.first().is_some_and(|&b| b < 0.0)
    }

    fn value(&self) -> HistogramValue {
        read_value(self, |v| match to_value(v) {
            MetricValue::Histogram(h) => h,
            // `read` below gives nothing else.
            _ => unreachable!("a histogram reads as a histogram"),
        })
    }
}

impl SeriesState for HistogramState {
    const TYPE: MetricType = MetricType::Histogram;
    const CREATED: bool = true;
    type Config = Arc<[f64]>;

    fn config(opts: &Opts) -> Result<Arc<[f64]>, Error> {
        if opts.native.is_some() {
            return Err(Error::InvalidNativeHistogram {
                reason: format!(
                    "native histogram options were given for {:?}, a classic histogram; \
                     make a NativeHistogram (or NativeHistogramVec) instead",
                    opts.full_name()
                ),
            });
        }
        validate_buckets(opts.buckets.as_deref().unwrap_or(&DEFAULT_BUCKETS))
    }

    fn new(bounds: &Arc<[f64]>) -> Self {
        Self {
            obs: Observations::new(bounds.len()),
            bounds: Arc::clone(bounds),
        }
    }

    #[inline]
    fn keeps_exemplars(&self) -> bool {
        self.obs.keeps_exemplars()
    }

    fn exemplars(&self, out: &mut Vec<Exemplar>) {
        self.obs.exemplars(out);
    }

    fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a> {
        let (count, sum) = self.obs.read_into(&mut scratch.counts);
        accumulate(&mut scratch.counts);
        ValueRef::Histogram {
            bounds: &self.bounds,
            cumulative: &scratch.counts,
            count,
            sum: (!self.negative()).then_some(sum),
        }
    }
}

/// Counts observations into cumulative buckets, with their count and sum;
/// [`DEFAULT_BUCKETS`] unless [`Opts::buckets`] says otherwise.
///
/// `observe` takes no lock and allocates nothing; a scrape reads a
/// consistent state (count = `+Inf` bucket = sum of buckets) while
/// observations continue.
///
/// ```
/// use prom_core::{Histogram, Opts};
/// let h = Histogram::with_opts(Opts::new("size_bytes", "").buckets([100.0, 1000.0])).unwrap();
/// h.observe(50.0);
/// h.observe(500.0);
/// h.observe(5000.0);
/// assert_eq!(h.get_count(), 3);
/// assert_eq!(h.get_sum(), Some(5550.0));
/// ```
#[derive(Debug, Clone)]
pub struct Histogram {
    inner: SeriesArc<HistogramState>,
}

metric_handle!(Histogram, HistogramState, "histogram", HistogramVec);
timed_handle!(Histogram, "observes", |histogram, seconds| histogram
    .observe(seconds));

impl Histogram {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.inner.state.observe(v);
    }

    /// Records one observation and keeps an exemplar for it in its bucket:
    /// the request it came from, typically a trace (`[("trace_id",
    /// "4bf92f")]`), with the observed value and the current time.
    /// OpenMetrics exposes each bucket's latest exemplar on the bucket's
    /// line; text 0.0.4 has none. The plain [`Histogram::observe`] is not
    /// slowed by histograms that keep exemplars.
    ///
    /// ```
    /// use prom_core::{Histogram, Opts};
    /// let h = Histogram::with_opts(Opts::new("latency_seconds", "").buckets([0.1, 1.0])).unwrap();
    /// h.observe_with_exemplar(0.25, &[("trace_id", "4bf92f")]).unwrap();
    /// let fams = prom_core::collect(&h).unwrap();
    /// let e = &fams[0].metrics[0].exemplars[0];
    /// assert_eq!((e.value, e.bucket), (0.25, Some(1.0))); // within its bucket
    /// ```
    ///
    /// # Errors
    /// An invalid label name, or labels longer than OpenMetrics allows
    /// (128 characters of names and values together); nothing is observed.
    pub fn observe_with_exemplar(&self, v: f64, labels: &[(&str, &str)]) -> Result<(), Error> {
        let labels = Exemplar::labels(labels)?;
        self.inner.state.observe_with_exemplar(v, labels);
        Ok(())
    }

    /// The number of observations so far.
    pub fn get_count(&self) -> u64 {
        self.inner.state.value().count
    }

    /// The sum of observations so far (`None` with a negative bucket bound).
    pub fn get_sum(&self) -> Option<f64> {
        self.inner.state.value().sum
    }

    /// A consistent reading of buckets, count and sum.
    pub fn get(&self) -> HistogramValue {
        self.inner.state.value()
    }

    /// The bucket upper bounds, ending with `+Inf`.
    pub fn bounds(&self) -> &[f64] {
        &self.inner.state.bounds
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_match_client_python() {
        let h = Histogram::new("h", "").unwrap();
        assert_eq!(h.bounds().len(), 15);
        assert_eq!(h.bounds()[14], f64::INFINITY);
    }

    #[test]
    fn bucket_validation() {
        for bad in [
            vec![1.0, 1.0],
            vec![2.0, 1.0],
            vec![f64::NAN],
            vec![],
            vec![f64::INFINITY],
        ] {
            let err = Histogram::with_opts(Opts::new("h", "").buckets(bad.clone())).unwrap_err();
            assert!(matches!(err, Error::InvalidBuckets { .. }), "{bad:?}");
        }
        let h = Histogram::with_opts(Opts::new("h", "").buckets([1.0, f64::INFINITY])).unwrap();
        assert_eq!(h.bounds(), &[1.0, f64::INFINITY]);
        assert!(linear_buckets(0.0, 0.0, 3).is_err());
        assert!(exponential_buckets(0.0, 2.0, 3).is_err());
        assert!(exponential_buckets(1.0, 1.0, 3).is_err());
    }

    #[test]
    fn observations_land_in_the_right_buckets() {
        let h = Histogram::with_opts(Opts::new("h", "").buckets([1.0, 2.0])).unwrap();
        for v in [0.5, 1.0, 1.5, 3.0, f64::NAN] {
            h.observe(v);
        }
        let v = h.get();
        let cum: Vec<u64> = v.buckets.iter().map(|b| b.cumulative_count).collect();
        assert_eq!(cum, vec![2, 3, 5]);
        assert_eq!(v.count, 5);
        // Reading twice gives the same answer: the fold does not double count.
        assert_eq!(h.get().buckets, v.buckets);
        assert!(v.sum.unwrap().is_nan());
        h.observe(0.1);
        assert_eq!(h.get().buckets[0].cumulative_count, 3);
    }

    #[test]
    fn many_buckets_use_binary_search() {
        let bounds = linear_buckets(1.0, 1.0, 40).unwrap();
        let h = Histogram::with_opts(Opts::new("h", "").buckets(bounds)).unwrap();
        h.observe(10.5);
        h.observe(41.0);
        let v = h.get();
        assert_eq!(v.buckets[9].cumulative_count, 0);
        assert_eq!(v.buckets[10].cumulative_count, 1);
        assert_eq!(v.buckets[39].cumulative_count, 1);
        assert_eq!(v.buckets[40].cumulative_count, 2);
    }

    #[test]
    fn negative_bounds_drop_the_sum() {
        let h = Histogram::with_opts(Opts::new("h", "").buckets([-1.0, 1.0])).unwrap();
        h.observe(-3.0);
        assert_eq!(h.get_sum(), None);
        assert_eq!(h.get_count(), 1);
    }

    #[test]
    fn scrapes_are_consistent_under_concurrent_writers() {
        let h = Histogram::with_opts(Opts::new("h", "").buckets([1.0, 2.0, 3.0])).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for t in 0..2 {
                let h = h.clone();
                let stop = &stop;
                s.spawn(move || {
                    let mut i = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        h.observe(((i + t) % 4) as f64);
                        i += 1;
                    }
                });
            }
            let mut last = 0;
            for _ in 0..2000 {
                let v = h.get();
                let inf = v.buckets.last().unwrap().cumulative_count;
                assert_eq!(v.count, inf);
                // Every observation is an integer 0..=3, so the sum is exact.
                assert!(v.sum.unwrap() >= 0.0 && v.sum.unwrap() <= 3.0 * v.count as f64);
                assert!(v.count >= last);
                last = v.count;
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
}
