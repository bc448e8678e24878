//! What a `metrics` handle holds: a prom series, behind the `metrics`
//! handler traits.

use std::sync::Mutex;

use metrics::{CounterFn, GaugeFn, HistogramFn};
use prom_core::{LabelSet, MetricType};

/// What the bridge keeps per series of one kind: a prom series handle.
pub(crate) trait Cell: Clone {
    /// The Prometheus type of the series.
    const TYPE: MetricType;
    /// The series' label names (sorted, as the bridge makes its families)
    /// and values.
    fn labels(&self) -> LabelSet;
}

/// Serialises [`CounterFn::absolute`] across all bridged counters, so that
/// two threads raising one counter to the same external total do not both
/// add the difference. Raising is rare (syncing with a counter kept
/// elsewhere); increments never take it.
static ABSOLUTE: Mutex<()> = Mutex::new(());

/// A bridged counter: a prom counter series.
#[derive(Debug, Clone)]
pub(crate) struct CounterCell(pub(crate) prom_core::Counter);

impl Cell for CounterCell {
    const TYPE: MetricType = MetricType::Counter;

    fn labels(&self) -> LabelSet {
        self.0.labels()
    }
}

impl CounterFn for CounterCell {
    #[inline]
    fn increment(&self, value: u64) {
        if value == 1 {
            self.0.inc();
        } else {
            // A u64 is never negative or NaN: the amount is always accepted.
            let _ = self.0.inc_by(value as f64);
        }
    }

    /// Raises the counter to at least `value`. Counters only go up: a
    /// smaller value changes nothing. An increment racing with the raise may
    /// land on top of it (the total is then above `value`, as "at least"
    /// allows).
    fn absolute(&self, value: u64) {
        // Nothing panics while the guard is held, but a poisoned lock
        // still serialises.
        let _guard = ABSOLUTE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let missing = value as f64 - self.0.get();
        if missing > 0.0 {
            let _ = self.0.inc_by(missing);
        }
    }
}

/// A bridged gauge: a prom gauge series.
#[derive(Debug, Clone)]
pub(crate) struct GaugeCell(pub(crate) prom_core::Gauge);

impl Cell for GaugeCell {
    const TYPE: MetricType = MetricType::Gauge;

    fn labels(&self) -> LabelSet {
        self.0.labels()
    }
}

impl GaugeFn for GaugeCell {
    #[inline]
    fn increment(&self, value: f64) {
        self.0.inc_by(value);
    }

    #[inline]
    fn decrement(&self, value: f64) {
        self.0.dec_by(value);
    }

    #[inline]
    fn set(&self, value: f64) {
        self.0.set(value);
    }
}

/// A bridged histogram: a prom histogram series.
#[derive(Debug, Clone)]
pub(crate) struct HistogramCell(pub(crate) prom_core::Histogram);

impl Cell for HistogramCell {
    const TYPE: MetricType = MetricType::Histogram;

    fn labels(&self) -> LabelSet {
        self.0.labels()
    }
}

impl HistogramFn for HistogramCell {
    #[inline]
    fn record(&self, value: f64) {
        self.0.observe(value);
    }

    fn record_many(&self, value: f64, count: usize) {
        for _ in 0..count {
            self.0.observe(value);
        }
    }
}
