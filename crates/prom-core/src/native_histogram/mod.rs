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
//!
//! # Stripes
//! All of the above is one [`stripe::Stripe`]. The first time two writers
//! collide on the sum, the histogram grows one stripe per core and each
//! thread observes into the stripe of its slot from then on, so that
//! threads stop sharing cache lines. A reading reads every stripe (each
//! consistently) and adds them up at the coarsest schema and widest zero
//! bucket among them ([`merge`]), halving the total's resolution if it
//! has more buckets than the limit. Widening and halving are a stripe's
//! own; a reset forgets every stripe's observations.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::clock::{Clock, SystemClock};
use crate::histogram::validate_buckets;
use crate::owned::{stripe_count, thread_slot};
use crate::series::{metric_handle, timed_handle, SeriesArc, SeriesState};
use crate::sync::{lock, yield_now, AtomicF64, AtomicU64, Mutex, Ordering};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, MetricType, Opts};

mod buckets;
mod key;
mod merge;
pub(crate) mod opts;
mod shard;
mod stripe;
pub(crate) mod value;

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;

use buckets::*;
use key::*;
use merge::{fit, merge};
use shard::*;
use stripe::Stripe;

use opts::NativeHistogramOpts;
use value::NativeHistogramValue;

/// The bucket limit's bookkeeping, for the whole histogram.
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

/// The state of one native histogram series: a double buffer, per-core
/// stripes once writers contend, the bucket limit's bookkeeping and the
/// options. Public in name only, like the other metric types' states.
#[derive(Debug)]
pub struct NativeHistogramState {
    main: Stripe,
    /// Grown the first time two writers of `main` collide; then each
    /// thread observes into the stripe of its slot.
    stripes: OnceLock<Box<[CachePadded<Stripe>]>>,
    /// Serialises the bucket limit's strategies across stripes.
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
    inner: SeriesArc<NativeHistogramState>,
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
        Self {
            main: Stripe::new(&opts, config.classic.len()),
            stripes: OnceLock::new(),
            control: Mutex::new(Control {
                last_reset: opts.clock.elapsed(),
            }),
            opts,
            classic: Arc::clone(&config.classic),
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
        let stripe = match self.stripes.get() {
            // `stripe_count` is a power of two.
            Some(stripes) => &stripes[thread_slot() & (stripes.len() - 1)],
            None => &self.main,
        };
        let observed = stripe.observe(v, &self.classic, self.opts.max_buckets);
        if observed.over_limit {
            self.limit_buckets(stripe, v);
        }
        // The loom models check one stripe's protocol (every stripe runs
        // the same); stripes handed out through the standard library's
        // `OnceLock` are outside what loom can see.
        if observed.contended && !cfg!(loom) && self.stripes.get().is_none() {
            self.grow();
        }
    }

    /// Gives every thread a stripe of its own from now on (as many as
    /// cores, shared beyond that): the first collision of two writers is
    /// taken as a sign of more.
    #[cold]
    #[inline(never)]
    fn grow(&self) {
        self.stripes.get_or_init(|| {
            (0..stripe_count())
                .map(|_| CachePadded::new(Stripe::new(&self.opts, self.classic.len())))
                .collect()
        });
    }

    /// `main`, then the stripes grown.
    fn every_stripe(&self) -> impl Iterator<Item = &Stripe> {
        std::iter::once(&self.main).chain(
            self.stripes
                .get()
                .into_iter()
                .flat_map(|stripes| stripes.iter().map(|s| &**s)),
        )
    }

    /// A reading of everything observed, into `out` (whose vectors are
    /// reused): each stripe's reading is consistent (its count is its
    /// zero count plus its buckets), and so is their total, at the
    /// coarsest schema and widest zero bucket among them.
    fn read_into(&self, out: &mut NativeHistogramValue) {
        self.main.read_into(&self.classic, out);
        let Some(stripes) = self.stripes.get() else {
            return;
        };
        let mut part = NativeHistogramValue::default();
        for stripe in stripes.iter() {
            stripe.read_into(&self.classic, &mut part);
            merge(out, &part);
        }
        if self.opts.max_buckets != 0 {
            fit(out, self.opts.max_buckets);
        }
    }

    /// The bucket limit's strategies, in client_golang's order, for a
    /// stripe that has too many buckets: a reset (of every stripe: the
    /// histogram forgets everything but `v`) once the minimum reset
    /// duration has passed, else the stripe's own widening or halving.
    #[cold]
    #[inline(never)]
    fn limit_buckets(&self, stripe: &Stripe, v: f64) {
        let mut control = lock(&self.control);
        let now = self.opts.clock.elapsed();
        let may_reset = !self.opts.min_reset_duration.is_zero()
            && now.saturating_sub(control.last_reset) >= self.opts.min_reset_duration;
        if stripe.limit(&self.opts, may_reset) {
            for s in self.every_stripe() {
                let mine = std::ptr::eq(s, stripe);
                s.reset(mine.then_some(v), &self.opts, &self.classic);
            }
            control.last_reset = now;
        }
    }
}
