//! The monotonic time a summary's sliding window ages its observations by,
//! injectable so that tests (yours and ours) move time without sleeping.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source of monotonic time for a summary's sliding window
/// ([`Opts::max_age`](crate::Opts::max_age)).
///
/// ```
/// use std::time::Duration;
/// use prom_core::{ManualClock, Opts, Summary};
///
/// let clock = ManualClock::new();
/// let s = Summary::with_opts(
///     Opts::new("latency_seconds", "")
///         .objectives([(0.5, 0.05)])
///         .max_age(Duration::from_secs(60))
///         .clock(clock.clone()),
/// )
/// .unwrap();
/// s.observe(0.25);
/// assert_eq!(s.get().quantiles[0].value, 0.25);
/// clock.advance(Duration::from_secs(61));
/// assert!(s.get().quantiles[0].value.is_nan()); // aged out of the window
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time elapsed since some fixed point of this clock; never decreases.
    fn elapsed(&self) -> Duration;
}

/// The process's monotonic clock ([`Instant`]), the default.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock counting from now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when told to; clones share one time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(by, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}
