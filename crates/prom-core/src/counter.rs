use std::sync::Arc;

use crate::series::{impl_collector_for_series, standalone, MetricKind, Sealed, Series};
use crate::sync::{AtomicF64, AtomicU64, Ordering};
use crate::{Descriptor, Error, LabelSet, Metric, MetricType, MetricValue, Opts};

/// Integral increments go to an integer cell with one `fetch_add`; only
/// fractional (or huge) ones pay for a compare-and-swap on the float cell.
#[derive(Debug)]
pub(crate) struct CounterCore {
    int: AtomicU64,
    float: AtomicF64,
}

/// Largest amount added to the integer cell: beyond 2^53 an `f64` no longer
/// holds every integer, so such amounts go to the float cell.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

impl CounterCore {
    fn new() -> Self {
        Self {
            int: AtomicU64::new(0),
            float: AtomicF64::new(0.0),
        }
    }

    #[inline]
    fn inc(&self) {
        self.int.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn add(&self, v: f64) -> bool {
        // Rejects negatives and NaN alike.
        if v.is_nan() || v < 0.0 {
            return false;
        }
        if v.fract() == 0.0 && v <= MAX_EXACT {
            // Exact: v is a non-negative integer below 2^53.
            self.int.fetch_add(v as u64, Ordering::Relaxed);
        } else {
            self.float.add(v, Ordering::Relaxed);
        }
        true
    }

    fn get(&self) -> f64 {
        self.int.load(Ordering::Relaxed) as f64 + self.float.get()
    }
}

/// A monotonically increasing total (`_total` in the exposition).
///
/// A cheap handle: clones share the same value. `inc` is a single atomic
/// add with no lock and no allocation.
///
/// ```
/// use prom_core::Counter;
/// let c = Counter::new("jobs_done", "Jobs completed").unwrap();
/// c.inc();
/// c.inc_by(2.5).unwrap();
/// assert!(c.inc_by(-1.0).is_err()); // counters only go up
/// assert_eq!(c.get(), 3.5);
/// ```
#[derive(Debug, Clone)]
pub struct Counter {
    inner: Arc<Series<CounterCore>>,
}

impl Counter {
    /// An unlabelled counter. A trailing `_total` in `name` is dropped from
    /// the family name and added back on the sample.
    ///
    /// # Errors
    /// An invalid name, naming it.
    pub fn new(name: &str, help: &str) -> Result<Self, Error> {
        Self::with_opts(Opts::new(name, help))
    }

    /// An unlabelled counter from options (use [`CounterVec`](crate::CounterVec) for labels).
    ///
    /// # Errors
    /// An invalid name or unit, or label names given.
    pub fn with_opts(opts: Opts) -> Result<Self, Error> {
        standalone(&opts)
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inner.core.inc();
    }

    /// Adds `amount`.
    ///
    /// # Errors
    /// [`Error::InvalidIncrement`] for a negative or NaN amount; the value is
    /// left unchanged.
    #[inline]
    pub fn inc_by(&self, amount: f64) -> Result<(), Error> {
        if self.inner.core.add(amount) {
            Ok(())
        } else {
            Err(Error::InvalidIncrement {
                metric: self.inner.desc.name().to_owned(),
                amount,
            })
        }
    }

    /// The current total.
    pub fn get(&self) -> f64 {
        self.inner.core.get()
    }

    /// This series' labels.
    pub fn labels(&self) -> &LabelSet {
        &self.inner.labels
    }

    /// Runs `f` and counts one if it returns `Err` (client_python's
    /// `count_exceptions`). The result is passed through.
    ///
    /// ```
    /// let failures = prom_core::Counter::new("failures", "").unwrap();
    /// let r: Result<(), &str> = failures.count_errors(|| Err("boom"));
    /// assert!(r.is_err());
    /// assert_eq!(failures.get(), 1.0);
    /// ```
    pub fn count_errors<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        self.count_errors_if(|_| true, f)
    }

    /// Runs `f` and counts one if it returns an `Err` for which `pred` holds.
    pub fn count_errors_if<T, E>(
        &self,
        pred: impl FnOnce(&E) -> bool,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let r = f();
        if let Err(e) = &r {
            if pred(e) {
                self.inc();
            }
        }
        r
    }

    /// A guard that counts one if it is dropped while the thread unwinds
    /// from a panic.
    ///
    /// ```
    /// let panics = prom_core::Counter::new("panics", "").unwrap();
    /// let p = panics.clone();
    /// let _ = std::thread::spawn(move || {
    ///     let _guard = p.count_panics();
    ///     panic!("oops");
    /// })
    /// .join();
    /// assert_eq!(panics.get(), 1.0);
    /// ```
    pub fn count_panics(&self) -> PanicCounter<'_> {
        PanicCounter { counter: self }
    }
}

/// Counts a panic unwinding through it; see [`Counter::count_panics`].
#[derive(Debug)]
#[must_use = "the guard counts panics only while it is alive"]
pub struct PanicCounter<'a> {
    counter: &'a Counter,
}

impl Drop for PanicCounter<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.counter.inc();
        }
    }
}

impl Sealed for Counter {}

impl MetricKind for Counter {
    const TYPE: MetricType = MetricType::Counter;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn create(desc: Arc<Descriptor>, labels: LabelSet, _: &()) -> Self {
        Self {
            inner: Arc::new(Series::new(CounterCore::new(), desc, labels)),
        }
    }

    fn snapshot(&self) -> Metric {
        Metric::new(
            self.inner.labels.clone(),
            MetricValue::Counter(self.inner.core.get()),
        )
        .with_created(self.inner.created)
    }

    fn series_descriptor(&self) -> &Arc<Descriptor> {
        &self.inner.desc
    }
}

impl_collector_for_series!(Counter);

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn integral_and_fractional_increments_add_up() {
        let c = Counter::new("c_total", "h").unwrap();
        assert_eq!(c.series_descriptor().name(), "c");
        c.inc();
        c.inc_by(2.0).unwrap();
        c.inc_by(0.25).unwrap();
        c.inc_by(1e300).unwrap();
        assert_eq!(c.get(), 3.25 + 1e300);
    }

    #[test]
    fn bad_increments_leave_value_unchanged() {
        let c = Counter::new("c", "h").unwrap();
        c.inc();
        for bad in [-1.0, f64::NAN, f64::NEG_INFINITY, -0.5] {
            let err = c.inc_by(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidIncrement { .. }));
            assert!(err.to_string().contains("\"c\""), "{err}");
        }
        assert_eq!(c.get(), 1.0);
    }

    #[test]
    fn count_errors_if_filters() {
        let c = Counter::new("c", "h").unwrap();
        let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(2));
        let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(1));
        let _ = c.count_errors(|| Ok::<_, ()>(()));
        assert_eq!(c.get(), 1.0);
    }
}
