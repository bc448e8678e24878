//! One double buffer of a native histogram: two shards, the count of
//! started observations whose top bit names the hot shard, and the lock
//! that serialises flips. A histogram has one, and grows one per core
//! when writers get in each other's way.

use super::*;

/// One double buffer (see the module docs for the protocol).
#[derive(Debug)]
pub(super) struct Stripe {
    started: AtomicU64,
    shards: [Shard; 2],
    /// Held by readings and by the bucket limit's strategies: one flip at
    /// a time.
    flips: Mutex<()>,
}

/// What an observation found.
pub(super) struct Observed {
    /// It made the hot shard's buckets more than the limit.
    pub(super) over_limit: bool,
    /// Another writer changed the sum at the same time.
    pub(super) contended: bool,
}

impl Stripe {
    pub(super) fn new(opts: &NativeHistogramOpts, classic: usize) -> Self {
        let shard = || Shard::new(opts.schema, opts.zero_threshold, classic);
        Self {
            started: AtomicU64::new(0),
            shards: [shard(), shard()],
            flips: Mutex::new(()),
        }
    }

    /// Records `v`, and in the classic bucket of the bounds `classic` it
    /// falls in.
    #[inline]
    pub(super) fn observe(&self, v: f64, classic: &[f64], max_buckets: u32) -> Observed {
        // Acquire pairs with a flip, so the shard's parameters and zeroed
        // counts set before it are seen.
        let n = self.started.fetch_add(1, Ordering::Acquire);
        let shard = &self.shards[(n >> 63) as usize];
        let (created, contended) = shard.observe(v, classic);
        Observed {
            over_limit: created
                && max_buckets != 0
                && shard.buckets.load(Ordering::Relaxed) > u64::from(max_buckets),
            contended,
        }
    }

    /// A consistent reading of everything observed in this stripe, with
    /// the cumulative counts of the classic `bounds`, into `out` (whose
    /// vectors are reused).
    pub(super) fn read_into(&self, bounds: &[f64], out: &mut NativeHistogramValue) {
        let _flips = lock(&self.flips);
        let n = self.started.fetch_add(HOT_BIT, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        let cold = &self.shards[(n >> 63) as usize];
        let hot = &self.shards[((n >> 63) ^ 1) as usize];
        // Every observation started before the flip went to `cold`; wait
        // for the stragglers, which are a few instructions from done.
        while cold.completed() != count {
            yield_now();
        }
        cold.value_into(count, bounds, out);
        // The hot shard takes the whole history back, leaving the cold one
        // empty for the next flip.
        hot.absorb(cold);
    }

    /// Applies the bucket limit's strategies that keep the observations,
    /// in client_golang's order, if the hot shard still has more than
    /// `opts.max_buckets` buckets: widening the zero bucket up to
    /// `opts.max_zero_threshold`, else halving the resolution. Returns
    /// `true`, changing nothing, when it has too many buckets and
    /// `may_reset` says a reset comes first.
    pub(super) fn limit(&self, opts: &NativeHistogramOpts, may_reset: bool) -> bool {
        let _flips = lock(&self.flips);
        let n = self.started.load(Ordering::Relaxed);
        let hot = &self.shards[(n >> 63) as usize];
        // Another thread may have dealt with it already.
        if hot.buckets.load(Ordering::Relaxed) <= u64::from(opts.max_buckets) {
            return false;
        }
        if may_reset {
            return true;
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
            if threshold < opts.max_zero_threshold && wider <= opts.max_zero_threshold {
                self.rebuild(schema, wider);
                return false;
            }
        }
        if schema > MIN_SCHEMA {
            self.rebuild(schema - 1, threshold);
        }
        false
    }

    /// Makes the idle cold shard hot with `schema` and `zero_threshold`,
    /// moves the former hot one into it and clears that. Under the flips
    /// lock.
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

    /// Forgets everything but `v` (the observation that made one bucket
    /// too many, if it was this stripe's) and goes back to the configured
    /// schema and zero threshold.
    pub(super) fn reset(&self, v: Option<f64>, opts: &NativeHistogramOpts, classic: &[f64]) {
        let _flips = lock(&self.flips);
        let (schema, threshold) = (opts.schema, opts.zero_threshold);
        let n = self.started.load(Ordering::Relaxed);
        let hot_index = n >> 63;
        let hot = &self.shards[hot_index as usize];
        let cold = &self.shards[(hot_index ^ 1) as usize];
        cold.clear(schema, threshold);
        if let Some(v) = v {
            cold.observe(v, classic);
        }
        // The cold shard becomes hot with `v` alone, or nothing.
        let n = self.started.swap(
            ((hot_index ^ 1) << 63) | u64::from(v.is_some()),
            Ordering::AcqRel,
        );
        let count = n & COUNT_MASK;
        while hot.completed() != count {
            yield_now();
        }
        hot.clear(schema, threshold);
    }
}
