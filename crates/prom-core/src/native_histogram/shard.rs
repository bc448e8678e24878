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
    /// Observations per classic bucket (not cumulative), for the
    /// histogram's classic bounds; the `+Inf` bucket is the count.
    pub(super) classic: Box<[AtomicU64]>,
}

impl Shard {
    pub(super) fn new(schema: i32, zero_threshold: f64, classic: usize) -> Self {
        Self {
            sum: AtomicF64::new(0.0),
            zero: AtomicU64::new(0),
            nan: AtomicU64::new(0),
            schema: AtomicU64::new(u64::from(schema as u32)),
            zero_threshold: AtomicF64::new(zero_threshold),
            buckets: AtomicU64::new(0),
            positive: Buckets::new(),
            negative: Buckets::new(),
            classic: (0..classic).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub(super) fn schema(&self) -> i32 {
        self.schema.load(Ordering::Relaxed) as u32 as i32
    }

    /// Records `v` (and in the classic bucket of `classic`, the bounds,
    /// it falls in); returns whether it created a bucket, and whether
    /// another writer changed the sum at the same time.
    #[inline]
    pub(super) fn observe(&self, v: f64, classic: &[f64]) -> (bool, bool) {
        let contended = self.sum.add_detecting_contention(v, Ordering::Relaxed);
        if !classic.is_empty() {
            // Before the Release increment below, which publishes it. NaN
            // and values above the last bound are in `+Inf` only.
            let i = classic.partition_point(|&bound| bound < v);
            if let (Some(count), false) = (self.classic.get(i), v.is_nan()) {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        // Every branch ends with the one Release increment that completes
        // the observation.
        if v.is_nan() {
            self.nan.fetch_add(1, Ordering::Release);
            return (false, contended);
        }
        let threshold = self.zero_threshold.get();
        let created = if v > threshold {
            self.positive
                .add(bucket_key(v, self.schema()), 1, &self.buckets)
        } else if v < -threshold {
            self.negative
                .add(bucket_key(-v, self.schema()), 1, &self.buckets)
        } else {
            self.zero.fetch_add(1, Ordering::Release);
            false
        };
        (created, contended)
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
        for count in self.classic.iter() {
            count.store(0, Ordering::Relaxed);
        }
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
        // Before the Release increments below, which publish them.
        for (to, from) in self.classic.iter().zip(from.classic.iter()) {
            let n = from.swap(0, Ordering::Relaxed);
            if n != 0 {
                to.fetch_add(n, Ordering::Relaxed);
            }
        }
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

    /// The shard's content as a value of `count` observations, with the
    /// cumulative counts of the classic `bounds`, into `out` (whose vectors
    /// are reused).
    pub(super) fn value_into(&self, count: u64, bounds: &[f64], out: &mut NativeHistogramValue) {
        let entries = |b: &Buckets, v: &mut Vec<(i32, u64)>| {
            v.clear();
            b.for_each(|_, key, n| v.push((key, n)));
            v.sort_unstable();
        };
        out.schema = self.schema();
        out.zero_threshold = self.zero_threshold.get();
        out.zero_count = self.zero.load(Ordering::Relaxed);
        out.count = count;
        out.sum = self.sum.get();
        entries(&self.positive, &mut out.positive);
        entries(&self.negative, &mut out.negative);
        out.classic.clear();
        let mut cumulative = 0;
        for (&bound, n) in bounds.iter().zip(self.classic.iter()) {
            cumulative += n.load(Ordering::Relaxed);
            out.classic.push((bound, cumulative));
        }
    }
}

pub(super) const HOT_BIT: u64 = 1 << 63;
pub(super) const COUNT_MASK: u64 = HOT_BIT - 1;
