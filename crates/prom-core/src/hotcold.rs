//! Lock-free observations with consistent readings, for histograms and
//! summaries: client_golang's hot/cold double buffer, with three atomic
//! operations per observation and per-core stripes grown on contention.

use std::sync::{Arc, OnceLock};

use crossbeam_utils::CachePadded;

use crate::owned::{claim, stripe_count, thread_slot, StripeSet};

use crate::sync::{lock, yield_now, AtomicBool, AtomicF64, AtomicU64, Mutex, Ordering};
use crate::Exemplar;

/// One of the two halves of a [`HotCold`] double buffer.
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

/// A consistent reading: `count` equals the total of `buckets`. The tests'
/// view; the metrics read through [`Observations::read_into`].
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub(crate) count: u64,
    pub(crate) sum: f64,
    /// Per-bucket (not cumulative) counts.
    pub(crate) buckets: Vec<u64>,
}

impl HotCold {
    /// A double buffer with `buckets` buckets (at least one: summaries count
    /// in one).
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
        reading(self.shards[0].buckets.len(), |b| self.read_add(b))
    }
}

/// A whole reading from a `read_add` of `buckets` buckets, for the models.
#[cfg(all(test, loom))]
fn reading(buckets: usize, read_add: impl FnOnce(&mut [u64]) -> (u64, f64)) -> Reading {
    let mut counts = vec![0; buckets];
    let (count, sum) = read_add(&mut counts);
    Reading {
        count,
        sum,
        buckets: counts,
    }
}

/// A stripe of a contended series: the hot/cold double buffer again, but
/// written by one thread only, its owner (see [`crate::owned`]).
///
/// With one writer, the writer needs a single atomic read-modify-write per
/// observation (`started`, which readings flip); the sum and the bucket are
/// a plain load and store each, the bucket's store with Release. For that,
/// readings never write the hot shard: instead of folding the cold shard
/// into the hot one, a reading folds it into `base`, its own running total
/// under the reading lock, and the reading is `base`. The cold shard is
/// zeroed while no writer can touch it, and the next flip publishes the
/// zeros to the writer.
#[derive(Debug)]
pub(crate) struct OwnedStripe {
    owner: AtomicU64,
    started: AtomicU64,
    shards: [Shard; 2],
    base: Mutex<Base>,
}

/// Everything the readings of an [`OwnedStripe`] have taken out of its cold
/// shards: per-bucket (not cumulative) counts, their total and the sum.
#[derive(Debug)]
struct Base {
    count: u64,
    sum: f64,
    buckets: Box<[u64]>,
}

impl OwnedStripe {
    fn new(buckets: usize) -> Self {
        let buckets = buckets.max(1);
        Self {
            owner: AtomicU64::new(0),
            started: AtomicU64::new(0),
            shards: [Shard::new(buckets), Shard::new(buckets)],
            base: Mutex::new(Base {
                count: 0,
                sum: 0.0,
                buckets: vec![0; buckets].into_boxed_slice(),
            }),
        }
    }

    /// Records `v` into bucket `bucket`. Only the owner may call this.
    #[inline]
    fn observe_owned(&self, v: f64, bucket: usize) {
        // Acquire pairs with a reading's flip, so a shard zeroed before the
        // flip is seen zeroed here.
        let n = self.started.fetch_add(1, Ordering::Acquire);
        let shard = &self.shards[(n >> 63) as usize];
        // Nobody else writes the hot shard.
        shard.sum.set(shard.sum.get() + v);
        let b = shard
            .buckets
            .get(bucket)
            .unwrap_or(&shard.buckets[shard.buckets.len() - 1]);
        // Release publishes the sum to the reading that sees this count.
        b.store(b.load(Ordering::Relaxed).wrapping_add(1), Ordering::Release);
    }

    /// Adds a consistent reading's per-bucket counts into `acc` and returns
    /// its count and sum.
    fn read_add(&self, acc: &mut [u64]) -> (u64, f64) {
        let mut base = lock(&self.base);
        let n = self.started.fetch_add(HOT_BIT, Ordering::AcqRel);
        let count = n & COUNT_MASK;
        let cold = &self.shards[(n >> 63) as usize];
        // Observations started before the flip and not yet in `base` went
        // to `cold`; wait for the stragglers.
        let pending = count.wrapping_sub(base.count);
        while cold.completed() != pending {
            yield_now();
        }
        let sum = cold.sum.get();
        if sum.to_bits() != 0 {
            base.sum += sum;
            cold.sum.set(0.0);
        }
        base.count = count;
        for ((c, b), a) in cold.buckets.iter().zip(base.buckets.iter_mut()).zip(acc) {
            let n = c.load(Ordering::Relaxed);
            if n != 0 {
                c.store(0, Ordering::Relaxed);
                *b += n;
            }
            *a += *b;
        }
        (count, base.sum)
    }

    #[cfg(all(test, loom))]
    fn read(&self) -> Reading {
        reading(self.shards[0].buckets.len(), |b| self.read_add(b))
    }
}

/// What a series grows on contention, or on its first exemplar: the
/// stripes, and the latest exemplar of each bucket (kept here so that a
/// series without either stays small).
#[derive(Debug)]
struct OwnedStripes {
    cells: Box<[CachePadded<OwnedStripe>]>,
    exemplars: Box<[std::sync::Mutex<Option<Exemplar>>]>,
    /// Set with the first exemplar: until then a scrape takes none of the
    /// exemplar locks.
    has_exemplars: AtomicBool,
}

impl StripeSet for OwnedStripes {
    fn owner(&self, i: usize) -> Option<&AtomicU64> {
        self.cells.get(i).map(|c| &c.owner)
    }
}

/// Observations of one histogram or summary series: one shared [`HotCold`]
/// double buffer while writers do not collide, plus one [`OwnedStripe`] per
/// CPU core once they do; each thread then writes to the stripe it owns, or
/// to the shared buffer when another thread owns its stripe. A reading adds
/// up consistent readings of every buffer, so it is consistent too.
#[derive(Debug)]
pub(crate) struct Observations {
    primary: HotCold,
    stripes: OnceLock<Arc<OwnedStripes>>,
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
            let me = thread_slot();
            // The length is a power of two.
            let stripe = &stripes.cells[me & (stripes.cells.len() - 1)];
            if stripe.owner.load(Ordering::Relaxed) == me as u64 {
                stripe.observe_owned(v, bucket);
            } else {
                self.observe_unowned(stripes, me, v, bucket);
            }
        } else if self.primary.observe(v, bucket) {
            self.grow();
        }
    }

    /// This thread's stripe is not its own: claim it if it is free, else
    /// record in the shared buffer.
    #[cold]
    #[inline(never)]
    fn observe_unowned(&self, stripes: &Arc<OwnedStripes>, me: usize, v: f64, bucket: usize) {
        let i = me & (stripes.cells.len() - 1);
        if claim(stripes, i, me as u64) {
            stripes.cells[i].observe_owned(v, bucket);
        } else {
            self.primary.observe(v, bucket);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&self) {
        let buckets = self.primary.shards[0].buckets.len();
        self.stripes.get_or_init(|| {
            Arc::new(OwnedStripes {
                cells: (0..stripe_count())
                    .map(|_| CachePadded::new(OwnedStripe::new(buckets)))
                    .collect(),
                exemplars: (0..buckets).map(|_| std::sync::Mutex::new(None)).collect(),
                has_exemplars: AtomicBool::new(false),
            })
        });
    }

    /// Records `v` into `bucket` and keeps `exemplar` as that bucket's latest.
    pub(crate) fn observe_with_exemplar(&self, v: f64, bucket: usize, exemplar: Exemplar) {
        self.observe(v, bucket);
        self.grow();
        if let Some(stripes) = self.stripes.get() {
            if let Some(slot) = stripes.exemplars.get(bucket) {
                *slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(exemplar);
                // Relaxed: the flag only lets a scrape look; the lock orders
                // the exemplar itself.
                stripes.has_exemplars.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Whether the series has kept an exemplar (contention alone grows
    /// stripes, but no exemplar to read).
    #[inline]
    pub(crate) fn keeps_exemplars(&self) -> bool {
        self.stripes
            .get()
            .is_some_and(|s| s.has_exemplars.load(Ordering::Relaxed))
    }

    /// Appends the latest exemplar of each bucket that has one, in bucket
    /// order.
    pub(crate) fn exemplars(&self, out: &mut Vec<Exemplar>) {
        if let Some(stripes) = self.stripes.get() {
            for slot in stripes.exemplars.iter() {
                let latest = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                out.extend(latest.iter().cloned());
            }
        }
    }

    /// Reads per-bucket counts into `buckets` (resized to the bucket count)
    /// and returns the count and sum, all of the same observations.
    pub(crate) fn read_into(&self, buckets: &mut Vec<u64>) -> (u64, f64) {
        buckets.clear();
        buckets.resize(self.primary.shards[0].buckets.len(), 0);
        let (mut count, mut sum) = self.primary.read_add(buckets);
        if let Some(stripes) = self.stripes.get() {
            for s in stripes.cells.iter() {
                let (c, x) = s.read_add(buckets);
                count += c;
                sum += x;
            }
        }
        (count, sum)
    }

    #[cfg(all(test, not(loom)))]
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

    /// One writer observes twice while a scraper thread and the main
    /// thread read: every reading is consistent, none sees more than was
    /// observed, and a final reading sees both. Returns the final reading.
    fn two_observations_and_two_scrapes<C: Send + Sync + 'static>(
        buffer: C,
        observe: fn(&C),
        read: fn(&C) -> super::Reading,
    ) -> (Arc<C>, super::Reading) {
        let buffer = Arc::new(buffer);
        let writer = {
            let buffer = Arc::clone(&buffer);
            loom::thread::spawn(move || {
                observe(&buffer);
                observe(&buffer);
            })
        };
        let scraper = {
            let buffer = Arc::clone(&buffer);
            loom::thread::spawn(move || {
                let r = read(&buffer);
                assert_consistent(&r);
                r.count
            })
        };
        let first = read(&buffer);
        assert_consistent(&first);
        writer.join().expect("writer thread");
        let seen = scraper.join().expect("scraper thread");
        let last = read(&buffer);
        assert_consistent(&last);
        assert_eq!(last.count, 2);
        assert!(seen <= 2 && first.count <= 2);
        (buffer, last)
    }

    #[test]
    fn loom_owned_stripe_readings_are_consistent_and_lose_nothing() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            // The writer is the owner: the only thread that observes.
            let (buffer, last) = two_observations_and_two_scrapes(
                super::OwnedStripe::new(1),
                |c| c.observe_owned(1.0, 0),
                super::OwnedStripe::read,
            );
            // Readings are totals, not deltas: a reading after the last one
            // gives the same.
            assert_eq!(buffer.read(), last);
        });
    }

    #[test]
    fn loom_two_scrapes_and_a_writer_never_lose_counts() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            two_observations_and_two_scrapes(
                HotCold::new(1),
                |c| {
                    c.observe(1.0, 0);
                },
                HotCold::read,
            );
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn owned_stripes_count_everything_consistently_through_thread_churn() {
        let obs = Observations::new(4);
        obs.grow();
        let stripes = Arc::clone(obs.stripes.get().unwrap());
        let threads = 2 * stripes.cells.len() + 1;
        let stop = AtomicBool::new(false);
        let per_thread = 5_000u64;
        std::thread::scope(|s| {
            // A reader all along: every reading is consistent and no
            // reading goes back.
            let reader = s.spawn(|| {
                let mut last = 0;
                let mut readings = 0;
                while !stop.load(Ordering::Relaxed) || readings == 0 {
                    let r = obs.read();
                    assert_eq!(r.buckets.iter().sum::<u64>(), r.count);
                    assert_eq!(r.sum, r.count as f64);
                    assert!(r.count >= last);
                    last = r.count;
                    readings += 1;
                }
                readings
            });
            for round in 0..10u64 {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let obs = &obs;
                        s.spawn(move || {
                            for i in 0..per_thread {
                                obs.observe(1.0, ((i + t as u64) % 4) as usize);
                            }
                        })
                    })
                    .collect();
                // An explicit join waits for thread-local destructors, which
                // give the stripes back.
                for h in handles {
                    h.join().unwrap();
                }
                let r = obs.read();
                assert_eq!(r.count, (round + 1) * threads as u64 * per_thread);
                for (i, buffer) in stripes.cells.iter().enumerate() {
                    assert_eq!(
                        buffer.owner.load(Ordering::Relaxed),
                        0,
                        "stripe {i}, round {round}"
                    );
                }
            }
            stop.store(true, Ordering::Relaxed);
            assert!(reader.join().unwrap() > 0);
        });
        let r = obs.read();
        assert_eq!(r.buckets, vec![r.count / 4; 4]);
        // The owned stripes took observations (and the shared buffer those
        // of threads whose stripe was taken at the time, if any).
        let owned: u64 = stripes.cells.iter().map(|c| lock(&c.base).count).sum();
        assert!(owned > 0 && owned <= r.count, "{owned} of {}", r.count);
    }
}
