//! Finding the series of a `metrics` key: a per-thread cache first, then
//! the bridge's shared index.
//!
//! `counter!(…)` calls the recorder on every evaluation, so this lookup is
//! the hot path. A `metrics::Key` arrives with its hash already computed
//! (the macros compute it, or hold it in a static), so the cache needs no
//! hashing of its own: the hash picks a set of four slots, and a slot
//! matches when its bridge, hash, name and labels are the ones asked for.
//! Strings are compared by address first: keys written with literals (or
//! any `&'static str`) point at the same bytes every time, so a hit usually
//! compares no bytes at all. A hit takes no lock and does no atomic
//! read-modify-write beyond cloning the thread's own handle.
//!
//! Each slot holds a handle (`Arc`) of its own thread, so threads updating
//! one series do not contend on one reference count; they meet only in the
//! series' own state, which prom-core stripes under contention.
//!
//! A thread's cache is bounded (1,024 series per kind) and keeps the handles
//! it holds alive until they are evicted or the thread ends, even past the
//! bridge's own end; a dropped bridge's slots are never matched again, since
//! bridge ids are never reused.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};
use std::thread::LocalKey;

use metrics::Key;

/// 256 sets of 4 ways: 1,024 series per thread and metric kind.
const SETS: usize = 256;
const WAYS: usize = 4;

/// What a key resolved to, once, on its first registration anywhere.
#[derive(Debug)]
pub(crate) struct Entry<C> {
    /// The key, kept to compare with (owned strings are copied once).
    pub(crate) key: Key,
    /// The series' handler, or `None` when the key is refused (a conflict):
    /// its handles do nothing.
    pub(crate) cell: Option<C>,
    /// The conflict this key is counted under, on every registration.
    pub(crate) conflict: Option<prom_core::Counter>,
}

impl<C: Clone> Entry<C> {
    /// Counts a registration through this entry if it is a conflicting one,
    /// and returns a handler of this thread's own (a clone of the series'
    /// handle, which shares its value).
    fn registered_here(&self) -> Option<Arc<C>> {
        self.count();
        self.cell.as_ref().map(|c| Arc::new(c.clone()))
    }
}

impl<C> Entry<C> {
    #[inline]
    fn count(&self) {
        if let Some(conflict) = &self.conflict {
            conflict.inc();
        }
    }
}

/// One cached key of one bridge on one thread.
#[derive(Debug)]
pub(crate) struct Slot<C> {
    bridge: u64,
    hash: u64,
    entry: Arc<Entry<C>>,
    /// This thread's handler of the series (`None` for a refused key).
    local: Option<Arc<C>>,
}

/// One thread's cache for one metric kind.
pub(crate) type Cache<C> = RefCell<Vec<Option<Slot<C>>>>;

#[inline]
fn set(hash: u64) -> usize {
    // The hash is rapidhash without its final mix; fold the halves so both
    // reach the set bits.
    WAYS * ((hash ^ (hash >> 32)) as usize & (SETS - 1))
}

#[inline]
fn same_str(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.as_ptr() == b.as_ptr() || a == b)
}

/// The same name and the same labels in the same order. (`metrics` also
/// equates keys whose labels differ in order only; those get an entry each,
/// resolving to the same series.)
#[inline]
pub(crate) fn same_key(a: &Key, b: &Key) -> bool {
    a.get_hash() == b.get_hash()
        && same_str(a.name(), b.name())
        && a.labels().len() == b.labels().len()
        && a.labels()
            .zip(b.labels())
            .all(|(x, y)| same_str(x.key(), y.key()) && same_str(x.value(), y.value()))
}

/// The handler this thread keeps for `key` of `bridge`, counting the
/// registration if it is a conflicting one: `Some(None)` for a refused key,
/// `None` on a miss.
#[inline]
pub(crate) fn cached<C>(
    cache: &'static LocalKey<Cache<C>>,
    bridge: u64,
    key: &Key,
) -> Option<Option<Arc<C>>> {
    let hash = key.get_hash();
    // `try_with`: the thread may be shutting down; `try_borrow`: a fill may
    // be under way (never, in fact: fills call out to nothing). Either way,
    // a miss.
    cache
        .try_with(|c| {
            let slots = c.try_borrow().ok()?;
            let i = set(hash);
            let slot =
                slots.get(i..i + WAYS)?.iter().flatten().find(|s| {
                    s.bridge == bridge && s.hash == hash && same_key(&s.entry.key, key)
                })?;
            slot.entry.count();
            Some(slot.local.clone())
        })
        .ok()
        .flatten()
}

/// Registers through `entry` on this thread: counts a conflicting
/// registration, remembers the entry with a handler of this thread's own,
/// and returns that handler.
pub(crate) fn fill<C: Clone>(
    cache: &'static LocalKey<Cache<C>>,
    bridge: u64,
    entry: &Arc<Entry<C>>,
) -> Option<Arc<C>> {
    let local = entry.registered_here();
    let _ = cache.try_with(|c| {
        let Ok(mut slots) = c.try_borrow_mut() else {
            return;
        };
        if slots.is_empty() {
            slots.resize_with(WAYS * SETS, || None);
        }
        let hash = entry.key.get_hash();
        let i = set(hash);
        // Most recently filled in the first way; the others move over and
        // the oldest falls out.
        slots[i..i + WAYS].rotate_right(1);
        slots[i] = Some(Slot {
            bridge,
            hash,
            entry: Arc::clone(entry),
            local: local.clone(),
        });
    });
    local
}

/// Hashes a `Key` by its precomputed hash, which is all `Key`'s `Hash`
/// writes; `u64` hashes (the index's own keys) pass through too.
#[derive(Debug, Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `u64` keys; kept correct for any other.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The entries of one hash: nearly always one.
#[derive(Debug)]
enum Bucket<C> {
    One(Arc<Entry<C>>),
    Many(Vec<Arc<Entry<C>>>),
}

impl<C> Bucket<C> {
    fn find(&self, key: &Key) -> Option<&Arc<Entry<C>>> {
        match self {
            Bucket::One(e) => Some(e).filter(|e| same_key(&e.key, key)),
            Bucket::Many(v) => v.iter().find(|e| same_key(&e.key, key)),
        }
    }
}

/// Every key a bridge has resolved for one metric kind, by hash: what a
/// thread consults when its cache misses.
#[derive(Debug)]
pub(crate) struct Index<C> {
    map: RwLock<HashMap<u64, Bucket<C>, BuildHasherDefault<PassThrough>>>,
}

impl<C> Default for Index<C> {
    fn default() -> Self {
        Self {
            map: RwLock::new(HashMap::default()),
        }
    }
}

impl<C> Index<C> {
    /// The entry of `key`, if it was resolved before.
    pub(crate) fn find(&self, key: &Key) -> Option<Arc<Entry<C>>> {
        // No code path panics while holding the lock with the map half-updated.
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&key.get_hash())?.find(key).cloned()
    }

    /// Adds `entry`, or returns the one another thread added for its key
    /// in the meantime.
    pub(crate) fn insert(&self, entry: Entry<C>) -> Arc<Entry<C>> {
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hash = entry.key.get_hash();
        let Some(bucket) = map.get_mut(&hash) else {
            let entry = Arc::new(entry);
            map.insert(hash, Bucket::One(Arc::clone(&entry)));
            return entry;
        };
        if let Some(existing) = bucket.find(&entry.key) {
            return Arc::clone(existing);
        }
        let entry = Arc::new(entry);
        match bucket {
            Bucket::Many(v) => v.push(Arc::clone(&entry)),
            Bucket::One(first) => {
                *bucket = Bucket::Many(vec![Arc::clone(first), Arc::clone(&entry)]);
            }
        }
        entry
    }
}
