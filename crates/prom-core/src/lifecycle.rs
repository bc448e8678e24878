//! A family's series lifecycle: the ceiling on its children (with the
//! overflow series and the counter of refused lookups) and idle expiry.
//!
//! Nothing here is on the update path: the ceiling is checked only when a
//! child is created, and expiry compares what scrapes read.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::opts::LifecycleOpts;
use crate::visit::{FamilyRef, SeriesRef, ValueRef, VisitError, Visitor};
use crate::Counter;

/// The lifecycle options of one family (see [`crate::Opts::max_series`],
/// [`crate::Opts::overflow_series`] and [`crate::Opts::expire_after`]).
#[derive(Debug)]
pub(crate) struct Lifecycle {
    /// The most children the family creates (the overflow series aside).
    pub(crate) max: Option<usize>,
    /// The label values of the overflow series.
    pub(crate) overflow: Option<Vec<String>>,
    /// `<family>_series_refused_total`: lookups past the ceiling.
    pub(crate) refused: Option<Counter>,
    pub(crate) expiry: Option<Expiry>,
}

impl Lifecycle {
    /// The lifecycle of the family `opts` were validated for.
    pub(crate) fn new(opts: LifecycleOpts) -> Self {
        let LifecycleOpts {
            metric,
            max,
            overflow,
            idle,
            clock,
        } = opts;
        // The name extends a valid one with valid characters: it cannot fail.
        let refused = max.and_then(|max| {
            Counter::new(
                &format!("{metric}_series_refused"),
                &format!(
                    "Lookups of new label values of {metric} past its {max} series: refused, \
                     or counted in its overflow series."
                ),
            )
            .ok()
        });
        Self {
            max,
            overflow,
            refused,
            expiry: idle.map(|idle| Expiry {
                idle,
                clock: clock.unwrap_or_else(|| Arc::new(SystemClock::new())),
            }),
        }
    }
}

/// When children are idle.
#[derive(Debug)]
pub(crate) struct Expiry {
    idle: Duration,
    clock: Arc<dyn Clock>,
}

/// No scrape has seen the child yet.
const NEVER: u64 = u64::MAX;

/// What scrapes saw of one child: a fingerprint of its value, and when (by
/// the expiry's clock, in nanoseconds) a scrape first saw that value.
#[derive(Debug)]
pub(crate) struct Seen {
    fingerprint: AtomicU64,
    since: AtomicU64,
}

impl Seen {
    pub(crate) fn new() -> Self {
        Self {
            fingerprint: AtomicU64::new(0),
            since: AtomicU64::new(NEVER),
        }
    }
}

impl Expiry {
    /// Now, by the expiry's clock, in nanoseconds.
    pub(crate) fn now(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_nanos()).unwrap_or(NEVER - 1)
    }

    /// Records that a scrape at `now` read `value` for the child of `seen`;
    /// whether the child has been idle for the idle time.
    fn idle(&self, seen: &Seen, value: &ValueRef<'_>, now: u64) -> bool {
        let fingerprint = fingerprint(value);
        // Races between concurrent scrapes are benign: both store what they
        // saw; the worst outcome is a child kept one scrape longer.
        let since = seen.since.load(Ordering::Relaxed);
        if since == NEVER || seen.fingerprint.load(Ordering::Relaxed) != fingerprint {
            seen.fingerprint.store(fingerprint, Ordering::Relaxed);
            seen.since.store(now, Ordering::Relaxed);
            return false;
        }
        let idle = u64::try_from(self.idle.as_nanos()).unwrap_or(NEVER - 1);
        now.saturating_sub(since) >= idle
    }
}

/// What identifies a value for expiry: whatever an update changes (the
/// quantiles of a summary move with their window, not with updates, and are
/// left out).
fn fingerprint(value: &ValueRef<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    match value {
        ValueRef::Counter(v) | ValueRef::Gauge(v) | ValueRef::Unknown(v) => {
            v.to_bits().hash(&mut h)
        }
        ValueRef::Histogram {
            cumulative,
            count,
            sum,
            ..
        }
        | ValueRef::GaugeHistogram {
            cumulative,
            count,
            sum,
            ..
        } => {
            cumulative.hash(&mut h);
            count.hash(&mut h);
            sum.map(f64::to_bits).hash(&mut h);
        }
        ValueRef::Summary { count, sum, .. } => {
            count.hash(&mut h);
            sum.to_bits().hash(&mut h);
        }
        ValueRef::Info(labels) => {
            for pair in labels.iter() {
                pair.hash(&mut h);
            }
        }
        ValueRef::StateSet { enabled, .. } => enabled.hash(&mut h),
        // Every observation adds to the count; a reset changes the schema
        // or the zero threshold, or empties the buckets.
        ValueRef::NativeHistogram(n) => {
            n.count.hash(&mut h);
            n.sum.to_bits().hash(&mut h);
            n.schema.hash(&mut h);
            n.zero_threshold.to_bits().hash(&mut h);
        }
    }
    h.finish()
}

/// Passes a family's series on to `inner`, except those [`Expiry`] finds
/// idle: their positions are added to `expired`.
pub(crate) struct Expiring<'a> {
    pub(crate) inner: &'a mut dyn Visitor,
    pub(crate) expiry: &'a Expiry,
    pub(crate) now: u64,
    /// The child being visited: its position and what scrapes saw of it.
    pub(crate) current: (usize, Option<&'a Seen>),
    pub(crate) expired: Vec<usize>,
}

impl Visitor for Expiring<'_> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.inner.family(family)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        let (i, seen) = self.current;
        if seen.is_some_and(|seen| self.expiry.idle(seen, &series.value, self.now)) {
            self.expired.push(i);
            return Ok(());
        }
        self.inner.series(series)
    }
}

/// A visitor that keeps nothing: expiry without a scrape.
pub(crate) struct Discard;

impl Visitor for Discard {
    fn family(&mut self, _: FamilyRef<'_>) -> Result<bool, VisitError> {
        Ok(true)
    }

    fn series(&mut self, _: &SeriesRef<'_>) -> Result<(), VisitError> {
        Ok(())
    }
}
