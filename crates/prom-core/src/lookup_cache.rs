//! A per-thread cache of labelled lookups.
//!
//! Looking a child up in a family's locked map costs two atomic
//! read-modify-writes for the lock, however uncontended; this cache answers
//! repeated lookups from the same thread with plain loads. Each metric type
//! has its own thread-local table (no boxing, no downcasting), four-way set
//! associative, filled on a miss with a clone of the child's handle.
//!
//! An entry is valid for one family (a process-unique id) at one
//! generation: removing or clearing children bumps the family's generation,
//! so entries for removed children are never used again. Values are always
//! compared, never just hashes.
//!
//! A thread whose lookups keep missing (it visits many more children than
//! the cache holds) pays for probing and refilling the cache without
//! gaining from it; such a thread rests its cache for a while, looking
//! children up in the family directly (see [`Cache`]).

use std::cell::{Cell, RefCell};
use std::thread::LocalKey;

use crate::hashing::{short_words, word8};
use crate::labels::PackedRef;

/// What the cache needs of a child: its label values, to compare. Public in
/// name only, like [`Slot`].
pub trait Cached: Clone {
    /// The child's label values.
    fn cached_values(&self) -> PackedRef<'_>;
}

/// 256 sets of 4 ways: 1,024 children per thread and metric type.
const SETS: usize = 256;
const WAYS: usize = 4;

/// One cached child. Public in name only: it appears in the signature of a
/// method of the metric types' private plumbing trait.
#[derive(Debug)]
pub struct Slot<M> {
    family: u64,
    generation: u64,
    sketch: u64,
    /// Compared through its label values, which it holds inline, next to
    /// the state the caller's closure then updates.
    child: M,
}

/// One thread's cache for one metric type. Public in name only, like
/// [`Slot`].
///
/// It counts its hits and its misses into full sets; every [`CHECK_EVERY`]
/// such misses it compares them, and when fewer than one lookup in five
/// hit, it rests: it empties itself and refills nothing for the next
/// [`REST`] misses, so that each lookup misses at once (an empty table has
/// no set to probe) and goes to the family. Lookups over 10,000 children in
/// a scattered order, which the cache cannot follow, then cost what they
/// cost without it. A hit costs one more count; all else is on the miss
/// path.
#[derive(Debug)]
pub struct Cache<M> {
    slots: RefCell<Vec<Option<Slot<M>>>>,
    hits: Cell<u32>,
    misses: Cell<u32>,
    /// Misses left before the cache is refilled again.
    resting: Cell<u32>,
}

impl<M> Cache<M> {
    /// An empty cache; its slots are allocated by the first fill.
    pub const fn new() -> Self {
        Self {
            slots: RefCell::new(Vec::new()),
            hits: Cell::new(0),
            misses: Cell::new(0),
            resting: Cell::new(0),
        }
    }
}

impl<M> Default for Cache<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// How many misses into full sets pass between two looks at the hit rate.
const CHECK_EVERY: u32 = 256;

/// How many misses a cache that hit too rarely sits out: long enough that
/// the misses counted before the next look cost little next to them.
const REST: u32 = 16_384;

/// Where a family and a lookup are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) family: u64,
    pub(crate) generation: u64,
    pub(crate) sketch: u64,
}

impl<M: Cached> Slot<M> {
    #[inline]
    fn matches<S: AsRef<str>>(&self, key: Key, values: &[S]) -> bool {
        // The sketch first: the ways of a set differ mostly there.
        self.sketch == key.sketch
            && self.family == key.family
            && self.generation == key.generation
            && self.child.cached_values().values_eq(values)
    }
}

fn set(sketch: u64) -> usize {
    // The top bits: the multiply that ends the sketch mixes every input
    // bit into them.
    WAYS * ((sketch >> (64 - SETS.trailing_zeros())) as usize)
}

/// A cheap fingerprint of label values that picks a cache set: each value's
/// length and up to 16 of its bytes (the first and last 8, which cover
/// values up to 16 bytes entirely), mixed by one multiply at the end. Much
/// cheaper than the family's full hash, which only a miss computes. Values
/// that differ only outside the sampled bytes share a set; they are told
/// apart by comparing values like any other entries, at worst missing more.
///
/// The sketch heads the chain of dependent loads of a cached lookup (set,
/// slot, child, cell), so it is built for latency: each value is folded
/// into a word on its own, and the words meet in one XOR each, rotated by
/// the value's position so that order counts. (Sampling the middle 8 bytes
/// too, and mixing the values in sequence, cost 1.3 ns of a 15 ns lookup.)
#[inline]
pub(crate) fn sketch<S: AsRef<str>>(values: &[S]) -> u64 {
    let mut h = values.len() as u64;
    let mut turn = 0u32;
    for v in values {
        let s = v.as_ref().as_bytes();
        let n = s.len();
        let (x, y) = if n >= 8 {
            (word8(s, 0), word8(s, n - 8))
        } else {
            short_words(s)
        };
        let word = (x ^ (n as u64).wrapping_mul(LENGTH_MIX)) ^ y.rotate_left(29);
        h ^= word.rotate_left(turn);
        turn = (turn + 23) & 63;
    }
    h.wrapping_mul(LENGTH_MIX)
}

/// An odd constant (from the digits of pi) that spreads lengths, and mixes
/// the sketch's words.
const LENGTH_MIX: u64 = 0x243f_6a88_85a3_08d3;

/// Runs `f` on the cached child for `values`, if this thread has it.
/// Returns `Err(f)` on a miss so the caller can take the slow path.
#[inline]
pub(crate) fn with_cached<M, S, R, F>(
    cache: &'static LocalKey<Cache<M>>,
    key: Key,
    values: &[S],
    f: F,
) -> Result<R, F>
where
    M: Cached,
    S: AsRef<str>,
    F: FnOnce(&M) -> R,
{
    // `try_with`: the thread may be shutting down; `try_borrow`: a fill may
    // be under way (never, in fact: fills do not call out). Either way, miss.
    // `f` runs under the shared borrow, so no handle is cloned; lookups
    // nested in `f` still hit, and fills nested in `f` are skipped.
    let mut f = Some(f);
    let hit = cache.try_with(|c| {
        let slots = c.slots.try_borrow().ok()?;
        let i = set(key.sketch);
        let ways = slots.get(i..i + WAYS)?;
        let slot = ways.iter().flatten().find(|s| s.matches(key, values))?;
        let f = f.take()?;
        let r = f(&slot.child);
        // Counted after `f`: a store ahead of the atomic update `f` may
        // make (a handle's clone) would have to drain before it.
        c.hits.set(c.hits.get().wrapping_add(1));
        Some(r)
    });
    match (hit, f) {
        (Ok(Some(r)), _) => Ok(r),
        (_, Some(f)) => Err(f),
        // `f` is taken only on a hit, which returned above.
        (_, None) => unreachable!("the closure was consumed without a result"),
    }
}

/// Remembers `child` for `key` on this thread: always into a free way, but
/// into a full set only on one miss in [`REPLACE_EVERY`]. A thread that
/// keeps missing is looking up more children than the cache holds, in an
/// order the cache cannot follow; replacing on every miss would then cost a
/// handle clone and the drop of the evicted one (two atomic updates on
/// cache lines of other children) for nothing. A working set that fits
/// settles in as before, its sets filling their free ways first.
///
/// A miss while the cache rests fills nothing. Misses into a full set are
/// counted (those into free ways are the cache warming up); the one that
/// completes [`CHECK_EVERY`] of them may start a rest instead of filling.
pub(crate) fn fill<M: Cached>(cache: &'static LocalKey<Cache<M>>, key: Key, child: &M) {
    let _ = cache.try_with(|c| {
        let resting = c.resting.get();
        if resting != 0 {
            c.resting.set(resting - 1);
            return;
        }
        let Ok(mut slots) = c.slots.try_borrow_mut() else {
            return;
        };
        if slots.is_empty() {
            slots.resize_with(WAYS * SETS, || None);
        }
        let i = set(key.sketch);
        if slots[i + WAYS - 1].is_some() {
            if starts_rest(c) {
                // Emptied, the cache answers every probe with a miss at
                // once, and holds no handles while it rests.
                slots.clear();
                return;
            }
            if !replace_now() {
                return;
            }
        }
        // Most recently filled in the first way; the others move over and
        // the oldest falls out.
        slots[i..i + WAYS].rotate_right(1);
        slots[i] = Some(Slot {
            family: key.family,
            generation: key.generation,
            sketch: key.sketch,
            child: child.clone(),
        });
    });
}

/// Counts a miss into a full set; at every [`CHECK_EVERY`]th, whether the
/// hits since the last look were under a quarter of these misses (a hit
/// rate under 20%), in which case the cache rests.
fn starts_rest<M>(c: &Cache<M>) -> bool {
    let misses = c.misses.get() + 1;
    if misses < CHECK_EVERY {
        c.misses.set(misses);
        return false;
    }
    let rest = c.hits.get() < CHECK_EVERY / 4;
    c.misses.set(0);
    c.hits.set(0);
    if rest {
        c.resting.set(REST);
    }
    rest
}

/// Of the misses that find their set full, one in this many replaces an
/// entry.
const REPLACE_EVERY: u32 = 16;

/// Whether this miss, into a full set, replaces an entry: every
/// [`REPLACE_EVERY`]th such miss on this thread.
fn replace_now() -> bool {
    std::thread_local! {
        static FULL_MISSES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    FULL_MISSES
        .try_with(|n| {
            let next = n.get().wrapping_add(1);
            n.set(next);
            next % REPLACE_EVERY == 0
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::PackedValues;
    use std::sync::Arc;

    /// A child as the cache sees one: its packed label values.
    #[derive(Clone)]
    struct Child(Arc<[u8]>);

    impl Cached for Child {
        fn cached_values(&self) -> PackedRef<'_> {
            PackedRef::new(&self.0)
        }
    }

    thread_local! {
        static CHILDREN: Cache<Child> = const { Cache::new() };
    }

    /// Looks `values` up as a family does: from the cache, or filling it
    /// with `child`. Whether it hit.
    fn look_up(values: &[&str; 2], child: &Child) -> bool {
        let key = Key {
            family: 1,
            generation: 0,
            sketch: sketch(values),
        };
        match with_cached(&CHILDREN, key, values, |_| ()) {
            Ok(()) => true,
            Err(_) => {
                fill(&CHILDREN, key, child);
                false
            }
        }
    }

    fn children(n: usize) -> Vec<([&'static str; 2], Child)> {
        (0..n)
            .map(|i| {
                let path: &'static str = format!("/api/v1/resource/{i}").leak();
                let values = ["GET", path];
                (values, Child(PackedValues::pack(&values).into()))
            })
            .collect()
    }

    fn resting() -> u32 {
        CHILDREN.with(|c| c.resting.get())
    }

    #[test]
    fn a_thread_whose_lookups_keep_missing_rests_its_cache_and_then_uses_it_again() {
        // Ten times the children the cache holds, visited in turn: once
        // the cache is full, every lookup misses into a full set, and the
        // first look at the hit rate starts a rest.
        let many = children(10 * SETS * WAYS);
        let warm_and_check = SETS * WAYS + CHECK_EVERY as usize * REPLACE_EVERY as usize;
        let until_rest = many.iter().position(|(values, child)| {
            look_up(values, child);
            resting() > 0
        });
        assert!(
            until_rest.is_some_and(|n| n < warm_and_check),
            "rested after {until_rest:?} lookups"
        );
        // While it rests, even a child looked up over and over misses...
        let (hot, child) = many.last().expect("children");
        assert!((0..100).all(|_| !look_up(hot, child)));
        // ...and once the rest is over, the cache, emptied when the rest
        // began, takes it in on its next miss and serves it again.
        while resting() > 0 {
            look_up(hot, child);
        }
        assert!(!look_up(hot, child), "the emptied cache misses once");
        assert!((0..1000).all(|_| look_up(hot, child)));
        assert_eq!(resting(), 0);
    }

    #[test]
    fn a_thread_whose_lookups_mostly_hit_never_rests_its_cache() {
        // Half the cache's room, visited in turn again and again; then a
        // scattered visit of four times as many, interleaved with the first
        // (hit rate about 50%): no rest either way.
        let few = children(SETS * WAYS / 2);
        for _ in 0..20 {
            for (values, child) in &few {
                look_up(values, child);
            }
        }
        let many = children(4 * SETS * WAYS);
        for (i, (values, child)) in many.iter().enumerate() {
            look_up(values, child);
            let (values, child) = &few[i % few.len()];
            look_up(values, child);
        }
        assert_eq!(resting(), 0);
    }

    #[test]
    fn sketches_spread_over_the_sets() {
        // About 39 per set expected; a weak mix (high input bits never
        // reaching the set bits) put them all in a handful.
        let mut sets = vec![0u32; SETS];
        for i in 0..10_000 {
            let path = format!("/api/v1/resource/{i}");
            let method = ["GET", "POST", "PUT", "DELETE"][i % 4];
            sets[set(sketch(&[method, path.as_str()])) / WAYS] += 1;
        }
        let max = sets.iter().copied().max().unwrap_or(0);
        assert!(max < 80, "a set holds {max} of 10,000 (about 39 expected)");
    }

    #[test]
    fn sketches_tell_order_lengths_and_sampled_bytes_apart() {
        let pairs: [(&[&str], &[&str]); 5] = [
            (&["a", "b"], &["b", "a"]),
            (&["ab", "c"], &["a", "bc"]),
            (&["", ""], &[""]),
            (&["/api/v1/resource/1"], &["/api/v1/resource/2"]),
            (&["GET"], &["PUT"]),
        ];
        for (a, b) in pairs {
            assert_ne!(sketch(a), sketch(b), "{a:?} vs {b:?}");
        }
    }
}
