use std::time::Instant;

mod report {
    /// How a metric takes a duration; the private supertrait of
    /// [`ObserveDuration`](super::ObserveDuration).
    pub trait Report {
        /// Reports `seconds`.
        fn report_seconds(&self, seconds: f64);
    }
}
pub(crate) use report::Report;

/// Metrics a [`Timer`] can report a duration to: histograms and summaries
/// observe it, gauges are set to it. Sealed.
pub trait ObserveDuration: Report {}

/// Measures from its creation until it is dropped (or
/// [`observe_duration`](Timer::observe_duration) is called) and reports the
/// elapsed seconds to its metric. Uses the monotonic clock.
///
/// ```
/// let h = prom_core::Histogram::new("op_seconds", "").unwrap();
/// {
///     let _t = h.start_timer();
///     // ... the timed work ...
/// }
/// assert_eq!(h.get_count(), 1);
/// ```
#[derive(Debug)]
#[must_use = "a timer reports when dropped; dropping it at once measures nothing"]
pub struct Timer<'a, M: ObserveDuration> {
    metric: &'a M,
    start: Instant,
    armed: bool,
}

impl<'a, M: ObserveDuration> Timer<'a, M> {
    pub(crate) fn new(metric: &'a M) -> Self {
        Self {
            metric,
            start: Instant::now(),
            armed: true,
        }
    }

    /// Reports the elapsed time now and returns it in seconds.
    pub fn observe_duration(mut self) -> f64 {
        self.armed = false;
        let secs = self.start.elapsed().as_secs_f64();
        self.metric.report_seconds(secs);
        secs
    }

    /// Stops without reporting anything; returns the elapsed seconds.
    pub fn stop_and_discard(mut self) -> f64 {
        self.armed = false;
        self.start.elapsed().as_secs_f64()
    }
}

impl<M: ObserveDuration> Drop for Timer<'_, M> {
    fn drop(&mut self) {
        if self.armed {
            self.metric
                .report_seconds(self.start.elapsed().as_secs_f64());
        }
    }
}
