//! A per-thread cache of labelled lookups.
//!
//! Looking a child up in a family's locked map costs two atomic
//! read-modify-writes for the lock, however uncontended; this cache answers
//! repeated lookups from the same thread with plain loads. Each metric type
//! has its own thread-local table (no boxing, no downcasting), two-way set
//! associative, filled on a miss with a clone of the child's handle.
//!
//! An entry is valid for one family (a process-unique id) at one
//! generation: removing or clearing children bumps the family's generation,
//! so entries for removed children are never used again. Values are always
//! compared, never just hashes.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::series::MetricKind;

const SETS: usize = 512;

#[derive(Debug)]
pub(crate) struct Slot<M> {
    family: u64,
    generation: u64,
    hash: u64,
    child: M,
}

/// One thread's cache for one metric type.
pub(crate) type Cache<M> = RefCell<Vec<Option<Slot<M>>>>;

/// Where a family and a lookup are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) family: u64,
    pub(crate) generation: u64,
    pub(crate) hash: u64,
}

impl<M: MetricKind> Slot<M> {
    #[inline]
    fn matches<S: AsRef<str>>(&self, key: Key, values: &[S]) -> bool {
        self.family == key.family
            && self.generation == key.generation
            && self.hash == key.hash
            && self.child.series_values().values_eq(values)
    }
}

fn set(hash: u64) -> usize {
    // The low bits pick the family index's bucket; use others.
    2 * ((hash >> 32) as usize & (SETS - 1))
}

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
    M: MetricKind,
    S: AsRef<str>,
    F: FnOnce(&M) -> R,
{
    // `try_with`: the thread may be shutting down; `try_borrow`: a fill may
    // be under way (never, in fact: fills do not call out). Either way, miss.
    // `f` runs under the shared borrow, so no handle is cloned; lookups
    // nested in `f` still hit, and fills nested in `f` are skipped.
    let mut f = Some(f);
    let hit = cache.try_with(|c| {
        let slots = c.try_borrow().ok()?;
        let i = set(key.hash);
        let way = slots.get(i..i + 2)?;
        let slot = way.iter().flatten().find(|s| s.matches(key, values))?;
        let f = f.take()?;
        Some(f(&slot.child))
    });
    match (hit, f) {
        (Ok(Some(r)), _) => Ok(r),
        (_, Some(f)) => Err(f),
        // `f` is taken only on a hit, which returned above.
        (_, None) => unreachable!("the closure was consumed without a result"),
    }
}

/// Remembers `child` for `key` on this thread.
pub(crate) fn fill<M: MetricKind>(cache: &'static LocalKey<Cache<M>>, key: Key, child: &M) {
    let _ = cache.try_with(|c| {
        let Ok(mut slots) = c.try_borrow_mut() else {
            return;
        };
        if slots.is_empty() {
            slots.resize_with(2 * SETS, || None);
        }
        let i = set(key.hash);
        // Most recently filled in the first way; the older one moves over.
        slots.swap(i, i + 1);
        slots[i] = Some(Slot {
            family: key.family,
            generation: key.generation,
            hash: key.hash,
            child: child.clone(),
        });
    });
}
