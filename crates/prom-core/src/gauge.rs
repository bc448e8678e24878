use std::fmt;
use std::sync::{Arc, Mutex};

use crate::series::{metric_handle, timed_handle, unix_now, SeriesArc, SeriesState};
use crate::sync::{AtomicF64, Ordering};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, MetricType, Opts};

type Callback = Arc<dyn Fn() -> f64 + Send + Sync>;

pub struct GaugeState {
    value: AtomicF64,
    // Only scrapes and `set_function` touch this lock; `set`/`inc` never do.
    callback: Mutex<Option<Callback>>,
}

impl fmt::Debug for GaugeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GaugeState")
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
    inner: SeriesArc<GaugeState>,
}

metric_handle!(Gauge, GaugeState, "gauge", GaugeVec);
timed_handle!(Gauge, "sets the gauge to", |gauge, seconds| gauge
    .set(seconds));

impl Gauge {
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
        self.inner.state.value.add(v, Ordering::Relaxed);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn dec_by(&self, v: f64) {
        self.inc_by(-v);
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.inner.state.value.set(v);
    }

    /// Sets the value to the current Unix time in seconds.
    pub fn set_to_current_time(&self) {
        self.set(unix_now());
    }

    /// The current value: the callback's if one is set, else the stored one.
    pub fn get(&self) -> f64 {
        let cb = self
            .inner
            .state
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match cb {
            Some(f) => f(),
            None => self.inner.state.value.get(),
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
            .state
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(f));
    }

    /// Removes a callback set by [`Gauge::set_function`]; the stored value is
    /// exposed again.
    pub fn clear_function(&self) {
        *self
            .inner
            .state
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

impl GaugeState {
    fn get(&self) -> f64 {
        // Cloned out so that the callback runs without the lock held.
        let callback = self
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match callback {
            Some(f) => f(),
            None => self.value.get(),
        }
    }
}

impl SeriesState for GaugeState {
    const TYPE: MetricType = MetricType::Gauge;
    const CREATED: bool = false;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn new((): &()) -> Self {
        Self {
            value: AtomicF64::new(0.0),
            callback: Mutex::new(None),
        }
    }

    fn read<'a>(&'a self, _: &'a mut ValueScratch) -> ValueRef<'a> {
        ValueRef::Gauge(self.get())
    }
}

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
