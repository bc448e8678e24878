//! Native (sparse, exponential) histograms: client_golang's semantics, with
//! a lock-free observe and consistent readings.
//!
//! A native histogram's buckets are the powers of a base `2^(2^-schema)`:
//! bucket `k` holds the values in `(base^(k-1), base^k]`, mirrored for
//! negative values, plus a zero bucket for `[-zero_threshold,
//! zero_threshold]`. Only buckets that saw an observation exist.
//!
//! # The observe path
//! The double buffer of [`crate::hotcold`] again: `started` counts
//! observations and its top bit names the hot shard. A writer bumps
//! `started`, adds to the hot shard's sum, and increments exactly one count
//! last, with Release: the zero bucket, the NaN count or a bucket slot. A
//! reading flips the hot bit and waits until the cold shard's counts add up
//! to the observations started before the flip, so its sum, zero count and
//! buckets are all of the same observations.
//!
//! The sparse buckets of a shard are an open-addressed table of `(key,
//! count)` slots, in levels each eight times as large as the one before.
//! A key's home slot is its own value modulo the level's size, so a
//! histogram's contiguous run of keys fills a level without collisions. A
//! writer looks for its key a few slots from its home; finding it costs one
//! `fetch_add`, finding an empty slot one compare-and-swap to claim it
//! first. No slot is emptied while writers may use its shard, so a key
//! lives in one slot of one level: a writer goes to the next level only
//! when every slot it probed holds another key, and each later writer of
//! the same key finds the same. Only the first use of a level allocates.
//!
//! Changing the schema, widening the zero bucket or resetting (the bucket
//! limit's strategies) happen under the reading lock, on the idle cold
//! shard: it is cleared and given the new parameters, made hot, and the
//! former hot shard, once its last writer is done, is moved into it bucket
//! by bucket and cleared in turn.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::histogram::validate_buckets;
use crate::series::{metric_handle, timed_handle, Series, SeriesState};
use crate::sync::{lock, yield_now, AtomicF64, AtomicU64, Mutex, Ordering};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, MetricType, Opts};

mod buckets;
mod key;
mod opts;
mod shard;
mod value;

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;

use buckets::*;
use key::*;
use shard::*;

pub use opts::{NativeHistogramOpts, DEFAULT_NATIVE_ZERO_THRESHOLD};
pub use value::{spans_and_deltas, BucketSpan, NativeHistogramValue};

/// What the reading lock guards besides the flips.
#[derive(Debug)]
struct Control {
    last_reset: Duration,
}

/// What every series of a native histogram family is made from: the
/// native options and the classic bucket bounds (finite, increasing;
/// empty for a native-only histogram).
#[derive(Debug, Clone)]
pub struct NativeConfig {
    opts: NativeHistogramOpts,
    classic: Arc<[f64]>,
}

impl NativeConfig {
    /// The native options of `opts` (defaults if none were given) and the
    /// classic bounds of [`Opts::buckets`], if it was called: a native
    /// histogram keeps classic buckets only when asked, as in
    /// client_golang.
    pub(crate) fn from_opts(opts: &Opts) -> Result<Self, Error> {
        let classic: Arc<[f64]> = match &opts.buckets {
            Some(bounds) => {
                let bounds = validate_buckets(bounds)?;
                // `validate_buckets` ends them with `+Inf`, which is the
                // count here.
                bounds[..bounds.len() - 1].into()
            }
            None => Arc::from([]),
        };
        Ok(Self {
            opts: opts.native.clone().unwrap_or_default(),
            classic,
        })
    }
}

/// The state of one native histogram series: the double buffer, the
/// bucket limit's bookkeeping and the options. Public in name only, like
/// the other metric types' states.
#[derive(Debug)]
pub struct NativeHistogramState {
    started: AtomicU64,
    shards: [Shard; 2],
    control: Mutex<Control>,
    opts: NativeHistogramOpts,
    /// Classic bucket bounds, counted beside the native buckets (finite,
    /// increasing; often none).
    classic: Arc<[f64]>,
}

/// A native histogram: exponential buckets created as observations need
/// them, for the protobuf exposition, and optionally classic buckets too.
///
/// A cheap [`Clone`] handle to one series of a histogram family; labelled
/// ones come from a [`NativeHistogramVec`](crate::NativeHistogramVec).
/// Made from [`Opts`] whose [`Opts::native`] gives the resolution and the
/// bucket limit; [`Opts::buckets`] adds classic buckets, counted in the
/// same consistent readings (client_golang's histogram with both).
///
/// `observe` takes no lock (except to apply the bucket limit, when one is
/// set and an observation exceeds it) and allocates only when a bucket
/// table fills up; a reading is consistent while observations continue:
/// its count is its zero count plus its buckets (plus NaN observations).
///
/// ```
/// use prom_core::{NativeHistogram, NativeHistogramOpts, Opts};
/// let h = NativeHistogram::with_opts(
///     Opts::new("sizes", "Sizes.").native(NativeHistogramOpts::new().schema(0)?),
/// )?;
/// for v in [0.0, 1.0, 1.5, 3.0, 4.0, -2.0] {
///     h.observe(v);
/// }
/// let r = h.get();
/// assert_eq!((r.schema, r.count, r.sum, r.zero_count), (0, 6, 7.5, 1));
/// // (0.5, 1], (1, 2] and (2, 4] at schema 0; -2 in the negative (1, 2].
/// assert_eq!(r.positive, [(0, 1), (1, 1), (2, 2)]);
/// assert_eq!(r.negative, [(1, 1)]);
/// # Ok::<(), prom_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NativeHistogram {
    inner: triomphe::Arc<Series<NativeHistogramState>>,
}

metric_handle!(
    NativeHistogram,
    NativeHistogramState,
    "native histogram",
    NativeHistogramVec
);

timed_handle!(NativeHistogram, "observes", |histogram, seconds| histogram
    .observe(seconds));

impl NativeHistogram {
    /// An unlabelled native histogram of the family `name`, with `opts`:
    /// shorthand for [`NativeHistogram::with_opts`] with
    /// [`Opts::native`].
    ///
    /// ```
    /// use prom_core::{NativeHistogram, NativeHistogramOpts};
    /// let h = NativeHistogram::with_name("latency_seconds", "Latency.", NativeHistogramOpts::new())?;
    /// h.observe(0.25);
    /// assert_eq!(h.get().count, 1);
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// An invalid metric name, naming it.
    pub fn with_name(name: &str, help: &str, opts: NativeHistogramOpts) -> Result<Self, Error> {
        Self::with_opts(Opts::new(name, help).native(opts))
    }

    /// Records `v`: NaN counts and makes the sum NaN but falls in no
    /// bucket (but the classic `+Inf`); `±Inf` fall in the buckets above
    /// `±f64::MAX`'s.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.inner.state.observe(v);
    }

    /// A consistent reading of everything observed.
    pub fn get(&self) -> NativeHistogramValue {
        let mut value = NativeHistogramValue::default();
        self.inner.state.read_into(&mut value);
        value
    }
}

impl SeriesState for NativeHistogramState {
    const TYPE: MetricType = MetricType::Histogram;
    const CREATED: bool = true;
    type Config = NativeConfig;

    fn config(opts: &Opts) -> Result<NativeConfig, Error> {
        NativeConfig::from_opts(opts)
    }

    fn new(config: &NativeConfig) -> Self {
        let opts = config.opts.clone();
        let classic = Arc::clone(&config.classic);
        let shard = || Shard::new(opts.schema, opts.zero_threshold, classic.len());
        Self {
            started: AtomicU64::new(0),
            shards: [shard(), shard()],
            control: Mutex::new(Control {
                last_reset: opts.clock.elapsed(),
            }),
            opts,
            classic,
        }
    }

    fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a> {
        self.read_into(&mut scratch.native);
        ValueRef::NativeHistogram(&scratch.native)
    }
}

impl NativeHistogramState {
    #[inline]
    fn observe(&self, v: f64) {
        // Acquire pairs with a flip, so the shard's parameters and zeroed
        // counts set before it are seen.
        let n = self.started.fetch_add(1, Ordering::Acquire);
        let shard = &self.shards[(n >> 63) as usize];
        if shard.observe(v, &self.classic)
            && self.opts.max_buckets != 0
            && shard.buckets.load(Ordering::Relaxed) > u64::from(self.opts.max_buckets)
        {
            self.limit_buckets(v);
        }
    }

    /// A consistent reading of everything observed, into `out` (whose
    /// vectors are reused).
    fn read_into(&self, out: &mut NativeHistogramValue) {
        let _control = lock(&self.control);
        let n = self.started.fetch_add(HOT_BIT, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        let cold = &self.shards[(n >> 63) as usize];
        let hot = &self.shards[((n >> 63) ^ 1) as usize];
        // Every observation started before the flip went to `cold`; wait
        // for the stragglers, which are a few instructions from done.
        while cold.completed() != count {
            yield_now();
        }
        cold.value_into(count, &self.classic, out);
        // The hot shard takes the whole history back, leaving the cold one
        // empty for the next flip.
        hot.absorb(cold);
    }
    /// The bucket limit's strategies, in client_golang's order.
    #[cold]
    #[inline(never)]
    fn limit_buckets(&self, v: f64) {
        let mut control = lock(&self.control);
        let n = self.started.load(Ordering::Relaxed);
        let hot = &self.shards[(n >> 63) as usize];
        // Another thread may have dealt with it already.
        if hot.buckets.load(Ordering::Relaxed) <= u64::from(self.opts.max_buckets) {
            return;
        }
        let now = self.opts.clock.elapsed();
        if !self.opts.min_reset_duration.is_zero()
            && now.saturating_sub(control.last_reset) >= self.opts.min_reset_duration
        {
            self.reset(v);
            control.last_reset = now;
            return;
        }
        let schema = hot.schema();
        let threshold = hot.zero_threshold.get();
        // The bucket nearest zero, of either sign.
        let mut nearest = i32::MAX;
        for b in [&hot.positive, &hot.negative] {
            b.for_each(|_, key, _| nearest = nearest.min(key));
        }
        if nearest != i32::MAX {
            let wider = upper_bound(nearest, schema);
            if threshold < self.opts.max_zero_threshold && wider <= self.opts.max_zero_threshold {
                self.rebuild(schema, wider);
                return;
            }
        }
        if schema > MIN_SCHEMA {
            self.rebuild(schema - 1, threshold);
        }
    }

    /// Makes the idle cold shard hot with `schema` and `zero_threshold`,
    /// moves the former hot one into it and clears that. Under the lock.
    fn rebuild(&self, schema: i32, zero_threshold: f64) {
        let n = self.started.load(Ordering::Relaxed);
        let hot = &self.shards[(n >> 63) as usize];
        let cold = &self.shards[((n >> 63) ^ 1) as usize];
        // Readings leave the cold shard without counts, and no writer
        // enters it before the flip.
        cold.clear(schema, zero_threshold);
        let n = self.started.fetch_add(HOT_BIT, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        while hot.completed() != count {
            yield_now();
        }
        cold.absorb(hot);
        hot.clear(schema, zero_threshold);
    }

    /// Forgets everything but `v`, the observation that made one bucket
    /// too many, and goes back to the configured schema and zero
    /// threshold. Under the lock.
    fn reset(&self, v: f64) {
        let (schema, threshold) = (self.opts.schema, self.opts.zero_threshold);
        let n = self.started.load(Ordering::Relaxed);
        let hot_index = n >> 63;
        let hot = &self.shards[hot_index as usize];
        let cold = &self.shards[(hot_index ^ 1) as usize];
        cold.clear(schema, threshold);
        cold.observe(v, &self.classic);
        // The cold shard becomes hot with one observation, `v`.
        let n = self
            .started
            .swap(((hot_index ^ 1) << 63) | 1, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        while hot.completed() != count {
            yield_now();
        }
        hot.clear(schema, threshold);
    }
}
