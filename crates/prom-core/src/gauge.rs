use std::fmt;
use std::sync::{Arc, Mutex};

use crate::series::{impl_collector_for_series, standalone, unix_now, MetricKind, Sealed, Series};
use crate::sync::{AtomicF64, Ordering};
use crate::timer::{time, ObserveDuration, Timer};
use crate::visit::{Scratch, SeriesRef, ValueRef, VisitError, Visitor};
use crate::{Descriptor, Error, LabelSet, Metric, MetricType, MetricValue, Opts, PackedValues};

type Callback = Arc<dyn Fn() -> f64 + Send + Sync>;

pub(crate) struct GaugeCore {
    value: AtomicF64,
    // Only scrapes and `set_function` touch this lock; `set`/`inc` never do.
    callback: Mutex<Option<Callback>>,
}

impl fmt::Debug for GaugeCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GaugeCore")
            .field("value", &self.value.get())
            .finish_non_exhaustive()
    }
}

/// A value that can go up and down: in-flight requests, queue depth,
/// temperatures, the time of the last success.
///
/// ```
/// use prom_core::Gauge;
/// let g = Gauge::new("in_flight", "Requests in flight").unwrap();
/// g.inc();
/// g.inc_by(4.0);
/// g.dec();
/// assert_eq!(g.get(), 4.0);
/// g.set(-2.5);
/// assert_eq!(g.get(), -2.5);
/// ```
#[derive(Debug, Clone)]
pub struct Gauge {
    inner: triomphe::Arc<Series<GaugeCore>>,
}

impl Gauge {
    /// An unlabelled gauge.
    ///
    /// # Errors
    /// An invalid name, naming it.
    pub fn new(name: &str, help: &str) -> Result<Self, Error> {
        Self::with_opts(Opts::new(name, help))
    }

    /// An unlabelled gauge from options (use [`GaugeVec`](crate::GaugeVec) for labels).
    ///
    /// # Errors
    /// An invalid name or unit, or label names given.
    pub fn with_opts(opts: Opts) -> Result<Self, Error> {
        standalone(&opts)
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1.0);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.inc_by(-1.0);
    }

    /// Adds `v` (which may be negative).
    #[inline]
    pub fn inc_by(&self, v: f64) {
        self.inner.core.value.add(v, Ordering::Relaxed);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn dec_by(&self, v: f64) {
        self.inc_by(-v);
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.inner.core.value.set(v);
    }

    /// Sets the value to the current Unix time in seconds.
    pub fn set_to_current_time(&self) {
        self.set(unix_now());
    }

    /// The current value: the callback's if one is set, else the stored one.
    pub fn get(&self) -> f64 {
        let cb = self
            .inner
            .core
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match cb {
            Some(f) => f(),
            None => self.inner.core.value.get(),
        }
    }

    /// Computes the value at scrape time with `f` from now on
    /// (client_python's `set_function`).
    ///
    /// ```
    /// let g = prom_core::Gauge::new("answer", "").unwrap();
    /// g.set_function(|| 42.0);
    /// assert_eq!(g.get(), 42.0);
    /// ```
    pub fn set_function(&self, f: impl Fn() -> f64 + Send + Sync + 'static) {
        *self
            .inner
            .core
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(f));
    }

    /// Removes a callback set by [`Gauge::set_function`]; the stored value is
    /// exposed again.
    pub fn clear_function(&self) {
        *self
            .inner
            .core
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Adds one now and subtracts it when the guard drops: counts work in
    /// progress (client_python's `track_inprogress`).
    ///
    /// ```
    /// let g = prom_core::Gauge::new("busy", "").unwrap();
    /// {
    ///     let _busy = g.track_inprogress();
    ///     assert_eq!(g.get(), 1.0);
    /// }
    /// assert_eq!(g.get(), 0.0);
    /// ```
    pub fn track_inprogress(&self) -> InProgress<'_> {
        self.inc();
        InProgress { gauge: self }
    }

    /// Runs `f` counted as in progress.
    pub fn track_inprogress_fn<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.track_inprogress();
        f()
    }

    /// A timer that sets the gauge to the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<'_, Self> {
        Timer::new(self)
    }

    /// Runs `f` and sets the gauge to how long it took.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        time(self, f)
    }

    /// This series' labels.
    pub fn labels(&self) -> LabelSet {
        self.inner.label_set()
    }
}

/// Decrements its gauge when dropped; see [`Gauge::track_inprogress`].
#[derive(Debug)]
#[must_use = "the work is counted as in progress only while the guard lives"]
pub struct InProgress<'a> {
    gauge: &'a Gauge,
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

impl ObserveDuration for Gauge {
    fn observe_seconds(&self, seconds: f64) {
        self.set(seconds);
    }
}

impl Sealed for Gauge {}

impl MetricKind for Gauge {
    const TYPE: MetricType = MetricType::Gauge;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn create(desc: Arc<Descriptor>, values: PackedValues, _: &()) -> Self {
        let core = GaugeCore {
            value: AtomicF64::new(0.0),
            callback: Mutex::new(None),
        };
        Self {
            inner: triomphe::Arc::new(Series::new(core, desc, values)),
        }
    }

    fn snapshot(&self) -> Metric {
        Metric::new(self.inner.label_set(), MetricValue::Gauge(self.get()))
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
            static CACHE: crate::lookup_cache::Cache<Gauge> = const { std::cell::RefCell::new(Vec::new()) };
        }
        &CACHE
    }

    fn visit_series(&self, v: &mut dyn Visitor, scratch: &mut Scratch) -> Result<(), VisitError> {
        let _ = scratch;
        let value = ValueRef::Gauge(self.get());
        v.series(&SeriesRef {
            labels: self.inner.labels_ref(),
            value,
            timestamp_ms: None,
            created: None,
        })
    }
}

impl_collector_for_series!(Gauge);

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn inc_dec_set() {
        let g = Gauge::new("g", "").unwrap();
        g.inc_by(2.5);
        g.dec_by(0.5);
        assert_eq!(g.get(), 2.0);
        g.set_to_current_time();
        assert!(g.get() > 1.6e9);
    }

    #[test]
    fn timer_sets_duration_and_inprogress_fn_returns() {
        let g = Gauge::new("g", "").unwrap();
        let v = g.track_inprogress_fn(|| {
            assert_eq!(g.get(), 1.0);
            7
        });
        assert_eq!(v, 7);
        assert_eq!(g.get(), 0.0);
        g.set(-1.0);
        g.time(|| std::thread::sleep(std::time::Duration::from_millis(2)));
        assert!(g.get() >= 0.002);
    }

    #[test]
    fn function_overrides_and_clears() {
        let g = Gauge::new("g", "").unwrap();
        g.set(1.0);
        g.set_function(|| 5.0);
        assert_eq!(g.get(), 5.0);
        g.clear_function();
        assert_eq!(g.get(), 1.0);
    }
}
