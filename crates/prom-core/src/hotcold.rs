//! Lock-free observations with consistent readings, for histograms and
//! summaries: client_golang's hot/cold double buffer, with three atomic
//! operations per observation and per-core stripes grown on contention.

use std::sync::OnceLock;

use crate::sync::{lock, yield_now, AtomicF64, AtomicU64, Mutex, Ordering};

/// One of the two halves of a [`HotCold`] core.
#[derive(Debug)]
struct Shard {
    sum: AtomicF64,
    /// Per-bucket counts; every observation increments exactly one, last,
    /// with Release, so their total is the number of completed observations.
    buckets: Box<[AtomicU64]>,
}

impl Shard {
    fn new(buckets: usize) -> Self {
        Self {
            sum: AtomicF64::new(0.0),
            buckets: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Completed observations: the total of the buckets, each read with
    /// Acquire so that the sum updates made before them are visible.
    fn completed(&self) -> u64 {
        self.buckets
            .iter()
            .map(|b| b.load(Ordering::Acquire))
            .fold(0, u64::wrapping_add)
    }
}

const HOT_BIT: u64 = 1 << 63;
const COUNT_MASK: u64 = HOT_BIT - 1;

/// The double buffer.
///
/// Writers bump `started` (whose top bit names the hot shard), add to the
/// hot shard's sum, and increment one of its buckets last. A reading flips
/// the hot bit, waits until the now-cold shard's buckets add up to the
/// number of observations started before the flip, reads it — sum and
/// buckets of the same set of observations — then folds it into the hot
/// shard and zeroes it. Writers never wait; only readings serialise, on
/// `scrape`.
#[derive(Debug)]
pub(crate) struct HotCold {
    started: AtomicU64,
    shards: [Shard; 2],
    scrape: Mutex<()>,
}

/// A consistent reading: `count` equals the total of `buckets`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub(crate) count: u64,
    pub(crate) sum: f64,
    /// Per-bucket (not cumulative) counts.
    pub(crate) buckets: Vec<u64>,
}

impl HotCold {
    /// A core with `buckets` buckets (at least one: summaries count in one).
    pub(crate) fn new(buckets: usize) -> Self {
        let buckets = buckets.max(1);
        Self {
            started: AtomicU64::new(0),
            shards: [Shard::new(buckets), Shard::new(buckets)],
            scrape: Mutex::new(()),
        }
    }

    /// Records `v` into bucket `bucket` (which must be in range). Returns
    /// whether another writer got in the way of the sum update, which is how
    /// contention is detected.
    #[inline]
    pub(crate) fn observe(&self, v: f64, bucket: usize) -> bool {
        // Acquire pairs with a reading's flip, so a shard zeroed before the
        // flip is seen zeroed here.
        let n = self.started.fetch_add(1, Ordering::Acquire);
        let shard = &self.shards[(n >> 63) as usize];
        let contended = shard.sum.add_detecting_contention(v, Ordering::Relaxed);
        // Release publishes the sum update to the reading that sees this
        // increment. An out-of-range bucket is a caller bug; count it in the
        // last bucket (+Inf) rather than lose it.
        let b = shard
            .buckets
            .get(bucket)
            .unwrap_or(&shard.buckets[shard.buckets.len() - 1]);
        b.fetch_add(1, Ordering::Release);
        contended
    }

    /// Adds a consistent reading's per-bucket counts into `acc` (as long as
    /// the buckets) and returns its count and sum.
    pub(crate) fn read_add(&self, acc: &mut [u64]) -> (u64, f64) {
        let _guard = lock(&self.scrape);
        let n = self.started.fetch_add(HOT_BIT, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        let cold = &self.shards[(n >> 63) as usize];
        let hot = &self.shards[((n >> 63) ^ 1) as usize];
        // Every observation started before the flip went to `cold`; wait for
        // the stragglers, which are a few instructions from done.
        while cold.completed() != count {
            yield_now();
        }
        let sum = cold.sum.get();
        // Fold the cold shard into the hot one so that the hot one holds the
        // whole history, and leave the cold one empty for the next flip.
        // Buckets that saw nothing since the last flip (most of them, on a
        // histogram scraped more often than each bucket is hit) cost a load
        // and no read-modify-write.
        if sum.to_bits() != 0 {
            hot.sum.add_detecting_contention(sum, Ordering::Relaxed);
            cold.sum.set(0.0);
        }
        for ((h, c), a) in hot.buckets.iter().zip(cold.buckets.iter()).zip(acc) {
            let n = c.load(Ordering::Relaxed);
            if n != 0 {
                *a += n;
                c.store(0, Ordering::Relaxed);
                h.fetch_add(n, Ordering::Release);
            }
        }
        (count, sum)
    }

    #[cfg(all(test, loom))]
    fn read(&self) -> Reading {
        let mut buckets = vec![0; self.shards[0].buckets.len()];
        let (count, sum) = self.read_add(&mut buckets);
        Reading {
            count,
            sum,
            buckets,
        }
    }
}

/// A [`HotCold`] alone on its cache lines.
#[derive(Debug)]
#[repr(align(128))]
struct Padded(HotCold);

/// Observations of one histogram or summary series: one [`HotCold`] core
/// while writers do not collide, plus one per core once they do (each
/// thread then writes to its own stripe). A reading adds up consistent
/// readings of every core, so it is consistent too.
#[derive(Debug)]
pub(crate) struct Observations {
    primary: HotCold,
    stripes: OnceLock<Box<[Padded]>>,
}

impl Observations {
    pub(crate) fn new(buckets: usize) -> Self {
        Self {
            primary: HotCold::new(buckets),
            stripes: OnceLock::new(),
        }
    }

    #[inline]
    pub(crate) fn observe(&self, v: f64, bucket: usize) {
        if let Some(stripes) = self.stripes.get() {
            // The length is a power of two.
            stripes[crate::counter::thread_slot() & (stripes.len() - 1)]
                .0
                .observe(v, bucket);
        } else if self.primary.observe(v, bucket) {
            self.grow();
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&self) {
        let buckets = self.primary.shards[0].buckets.len();
        self.stripes.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(4, usize::from);
            (0..cores.clamp(2, 64).next_power_of_two())
                .map(|_| Padded(HotCold::new(buckets)))
                .collect()
        });
    }

    /// Reads per-bucket counts into `buckets` (resized to the bucket count)
    /// and returns the count and sum, all of the same observations.
    pub(crate) fn read_into(&self, buckets: &mut Vec<u64>) -> (u64, f64) {
        buckets.clear();
        buckets.resize(self.primary.shards[0].buckets.len(), 0);
        let (mut count, mut sum) = self.primary.read_add(buckets);
        if let Some(stripes) = self.stripes.get() {
            for s in stripes.iter() {
                let (c, x) = s.0.read_add(buckets);
                count += c;
                sum += x;
            }
        }
        (count, sum)
    }

    pub(crate) fn read(&self) -> Reading {
        let mut buckets = Vec::new();
        let (count, sum) = self.read_into(&mut buckets);
        Reading {
            count,
            sum,
            buckets,
        }
    }
}

/// Model checks of the hot/cold protocol: every interleaving of writers and
/// readings (up to loom's preemption bound) gives a consistent reading.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::HotCold;
    use loom::sync::Arc;

    fn assert_consistent(r: &super::Reading) {
        // One bucket, every observation is 1.0: count = bucket = sum.
        assert_eq!(r.buckets[0], r.count);
        assert_eq!(r.sum, r.count as f64);
    }

    #[test]
    fn loom_scrape_during_observations_is_consistent() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let hc = Arc::new(HotCold::new(1));
            let writers: Vec<_> = (0..2)
                .map(|_| {
                    let hc = Arc::clone(&hc);
                    loom::thread::spawn(move || {
                        hc.observe(1.0, 0);
                    })
                })
                .collect();
            let during = hc.read();
            assert_consistent(&during);
            for w in writers {
                w.join().expect("writer thread");
            }
            let after = hc.read();
            assert_consistent(&after);
            assert_eq!(after.count, 2);
        });
    }

    #[test]
    fn loom_two_scrapes_and_a_writer_never_lose_counts() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let hc = Arc::new(HotCold::new(1));
            let writer = {
                let hc = Arc::clone(&hc);
                loom::thread::spawn(move || {
                    hc.observe(1.0, 0);
                    hc.observe(1.0, 0);
                })
            };
            let scraper = {
                let hc = Arc::clone(&hc);
                loom::thread::spawn(move || {
                    let r = hc.read();
                    assert_consistent(&r);
                    r.count
                })
            };
            let first = hc.read();
            assert_consistent(&first);
            writer.join().expect("writer thread");
            let seen = scraper.join().expect("scraper thread");
            let last = hc.read();
            assert_consistent(&last);
            assert_eq!(last.count, 2);
            assert!(seen <= 2 && first.count <= 2);
        });
    }
}
