//! One half of the double buffer: sum, zero count, NaN count and buckets,
//! with its own schema and zero threshold.

use super::*;

/// One half of the double buffer, with its own schema and zero threshold
/// (equal to the other half's except while the bucket limit changes them).
#[derive(Debug)]
pub(super) struct Shard {
    pub(super) sum: AtomicF64,
    pub(super) zero: AtomicU64,
    /// NaN observations: in the count and the sum, in no bucket.
    pub(super) nan: AtomicU64,
    pub(super) schema: AtomicU64,
    pub(super) zero_threshold: AtomicF64,
    /// Buckets created, positive and negative.
    pub(super) buckets: AtomicU64,
    pub(super) positive: Buckets,
    pub(super) negative: Buckets,
}

impl Shard {
    pub(super) fn new(schema: i32, zero_threshold: f64) -> Self {
        Self {
            sum: AtomicF64::new(0.0),
            zero: AtomicU64::new(0),
            nan: AtomicU64::new(0),
            schema: AtomicU64::new(u64::from(schema as u32)),
            zero_threshold: AtomicF64::new(zero_threshold),
            buckets: AtomicU64::new(0),
            positive: Buckets::new(),
            negative: Buckets::new(),
        }
    }

    pub(super) fn schema(&self) -> i32 {
        self.schema.load(Ordering::Relaxed) as u32 as i32
    }

    /// Records `v`; returns whether it created a bucket.
    #[inline]
    pub(super) fn observe(&self, v: f64) -> bool {
        self.sum.add(v, Ordering::Relaxed);
        // Every branch ends with the one Release increment that completes
        // the observation.
        if v.is_nan() {
            self.nan.fetch_add(1, Ordering::Release);
            return false;
        }
        let threshold = self.zero_threshold.get();
        if v > threshold {
            self.positive
                .add(bucket_key(v, self.schema()), 1, &self.buckets)
        } else if v < -threshold {
            self.negative
                .add(bucket_key(-v, self.schema()), 1, &self.buckets)
        } else {
            self.zero.fetch_add(1, Ordering::Release);
            false
        }
    }

    /// Completed observations.
    pub(super) fn completed(&self) -> u64 {
        self.zero
            .load(Ordering::Acquire)
            .wrapping_add(self.nan.load(Ordering::Acquire))
            .wrapping_add(self.positive.total())
            .wrapping_add(self.negative.total())
    }

    /// Empties the shard and gives it `schema` and `zero_threshold`. Only
    /// with no writer in the shard.
    pub(super) fn clear(&self, schema: i32, zero_threshold: f64) {
        self.sum.set(0.0);
        self.zero.store(0, Ordering::Relaxed);
        self.nan.store(0, Ordering::Relaxed);
        self.schema
            .store(u64::from(schema as u32), Ordering::Relaxed);
        self.zero_threshold.set(zero_threshold);
        self.buckets.store(0, Ordering::Relaxed);
        self.positive.clear();
        self.negative.clear();
    }

    /// Adds everything in `from` (whose schema may be finer and zero
    /// threshold narrower) into this shard, and zeroes `from`'s counts. The
    /// caller is the only one touching `from`; this shard may take writers.
    pub(super) fn absorb(&self, from: &Shard) {
        let sum = from.sum.get();
        if sum.to_bits() != 0 {
            self.sum.add(sum, Ordering::Relaxed);
            from.sum.set(0.0);
        }
        let (to_schema, from_schema) = (self.schema(), from.schema());
        let threshold = self.zero_threshold.get();
        let mut zero = from.zero.swap(0, Ordering::Relaxed);
        let nan = from.nan.swap(0, Ordering::Relaxed);
        for (src, dst) in [
            (&from.positive, &self.positive),
            (&from.negative, &self.negative),
        ] {
            src.for_each(|slot, key, n| {
                slot.count.store(0, Ordering::Relaxed);
                let key = coarser_key(key, from_schema, to_schema);
                if upper_bound(key, to_schema) <= threshold {
                    zero += n;
                } else {
                    dst.add(key, n, &self.buckets);
                }
            });
        }
        if zero != 0 {
            self.zero.fetch_add(zero, Ordering::Release);
        }
        if nan != 0 {
            self.nan.fetch_add(nan, Ordering::Release);
        }
    }

    /// The shard's content as a value of `count` observations.
    pub(super) fn value(&self, count: u64) -> NativeHistogramValue {
        let entries = |b: &Buckets| {
            let mut v = Vec::new();
            b.for_each(|_, key, n| v.push((key, n)));
            v.sort_unstable();
            v
        };
        NativeHistogramValue {
            schema: self.schema(),
            zero_threshold: self.zero_threshold.get(),
            zero_count: self.zero.load(Ordering::Relaxed),
            count,
            sum: self.sum.get(),
            positive: entries(&self.positive),
            negative: entries(&self.negative),
        }
    }
}

pub(super) const HOT_BIT: u64 = 1 << 63;
pub(super) const COUNT_MASK: u64 = HOT_BIT - 1;
