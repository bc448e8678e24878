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
//!
//! The shared index keeps no copy of the keys of its series: the prom
//! series already holds the label values, so a series is kept by the key's
//! hash with just its handle and the position of its name, and a candidate
//! is confirmed by comparing the key with the series' own labels. Only keys
//! that resolved with a conflict, rare, are kept whole.

use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, PoisonError, RwLock};
use std::thread::LocalKey;

use metrics::Key;
use prom_core::{LabelSet, MetricType};

use crate::handles::Cell;
use crate::names::label_name_for;

/// 256 sets of 4 ways: 1,024 series per thread and metric kind.
const SETS: usize = 256;
const WAYS: usize = 4;

/// What a key resolves to.
#[derive(Debug, Clone)]
pub(crate) struct Resolved<C> {
    /// The series' handler, or `None` when the key is refused (a conflict):
    /// its handles do nothing.
    pub(crate) cell: Option<C>,
    /// The conflict this key is counted under, on every registration.
    pub(crate) conflict: Option<prom_core::Counter>,
}

impl<C> Resolved<C> {
    #[inline]
    fn count(conflict: Option<&prom_core::Counter>) {
        if let Some(conflict) = conflict {
            conflict.inc();
        }
    }
}

/// One cached key of one bridge on one thread.
#[derive(Debug)]
pub(crate) struct Slot<C> {
    bridge: u64,
    hash: u64,
    /// Boxed, so that an empty slot costs three words.
    held: Box<Held<C>>,
}

/// What a slot holds: the key, the conflict it is counted under, and this
/// thread's handler of the series (`None` for a refused key).
#[derive(Debug)]
struct Held<C> {
    key: Key,
    conflict: Option<prom_core::Counter>,
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
/// equates keys whose labels differ in order only; the cache gives those a
/// slot each, and the index finds the one series they resolve to.)
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
            let slot = slots
                .get(i..i + WAYS)?
                .iter()
                .flatten()
                .find(|s| s.bridge == bridge && s.hash == hash && same_key(&s.held.key, key))?;
            Resolved::<C>::count(slot.held.conflict.as_ref());
            Some(slot.held.local.clone())
        })
        .ok()
        .flatten()
}

/// Registers `key`, resolved to `resolved`, on this thread: counts a
/// conflicting registration, remembers the key with a handler of this
/// thread's own (a clone of the series' handle, which shares its value), and
/// returns that handler.
pub(crate) fn fill<C: Clone>(
    cache: &'static LocalKey<Cache<C>>,
    bridge: u64,
    key: &Key,
    resolved: Resolved<C>,
) -> Option<Arc<C>> {
    Resolved::<C>::count(resolved.conflict.as_ref());
    let local = resolved.cell.map(Arc::new);
    let _ = cache.try_with(|c| {
        let Ok(mut slots) = c.try_borrow_mut() else {
            return;
        };
        if slots.is_empty() {
            slots.resize_with(WAYS * SETS, || None);
        }
        let hash = key.get_hash();
        let i = set(hash);
        // Most recently filled in the first way; the others move over and
        // the oldest falls out.
        slots[i..i + WAYS].rotate_right(1);
        slots[i] = Some(Slot {
            bridge,
            hash,
            held: Box::new(Held {
                key: key.clone(),
                conflict: resolved.conflict,
                local: local.clone(),
            }),
        });
    });
    local
}

/// Hashes a `u64` key (a `metrics::Key`'s precomputed hash) as itself.
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

type ByHash<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// A key that resolved to a series without a conflict: the series, and the
/// position of the key's name in [`Keys::names`]. The label names and values
/// are the series' own.
#[derive(Debug)]
struct Series<C> {
    name: u32,
    cell: C,
}

/// A key that resolved with a conflict, kept whole: it has no series, or one
/// that does not show all its labels.
#[derive(Debug)]
struct Conflicted<C> {
    key: Key,
    cell: Option<C>,
    conflict: prom_core::Counter,
}

#[derive(Debug)]
struct Keys<C> {
    /// Each name met, once.
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
    /// One series per hash: all there is, short of a 64-bit collision (keys
    /// that differ in label order only have one hash and one series).
    series: ByHash<Series<C>>,
    /// The further series of a hash `series` already holds.
    collided: ByHash<Vec<Series<C>>>,
    conflicted: ByHash<Vec<Conflicted<C>>>,
}

impl<C> Default for Keys<C> {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            ids: HashMap::new(),
            series: ByHash::default(),
            collided: ByHash::default(),
            conflicted: ByHash::default(),
        }
    }
}

/// Whether the series of `labels` is the one `key`'s labels resolve to, and
/// without a conflict: every non-empty label of `key` mapped to a name of
/// `labels` with its value, no two to the same name, and every name met.
fn shows(key: &Key, labels: &LabelSet, metric_type: MetricType) -> bool {
    let names = labels.names();
    let mut met = 0;
    for (i, label) in key.labels().enumerate() {
        // For Prometheus an empty label is no label.
        if label.value().is_empty() {
            continue;
        }
        let name = label_name_for(label.key(), metric_type);
        let Ok(j) = names.binary_search_by(|n| (**n).cmp(&*name)) else {
            return false;
        };
        if labels.value(j) != Some(label.value()) {
            return false;
        }
        // A label mapped to a name an earlier label has: a duplicate, which
        // is a conflict.
        if key
            .labels()
            .take(i)
            .any(|e| !e.value().is_empty() && label_name_for(e.key(), metric_type) == name)
        {
            return false;
        }
        met += 1;
    }
    met == names.len()
}

impl<C: Cell> Keys<C> {
    fn is(&self, series: &Series<C>, key: &Key) -> bool {
        self.names
            .get(series.name as usize)
            .is_some_and(|n| **n == *key.name())
            && shows(key, &series.cell.labels(), C::TYPE)
    }

    fn find(&self, key: &Key) -> Option<Resolved<C>> {
        let hash = key.get_hash();
        let found = self
            .series
            .get(&hash)
            .filter(|s| self.is(s, key))
            .or_else(|| self.collided.get(&hash)?.iter().find(|s| self.is(s, key)));
        if let Some(series) = found {
            return Some(Resolved {
                cell: Some(series.cell.clone()),
                conflict: None,
            });
        }
        let conflicted = self
            .conflicted
            .get(&hash)?
            .iter()
            .find(|c| same_key(&c.key, key))?;
        Some(Resolved {
            cell: conflicted.cell.clone(),
            conflict: Some(conflicted.conflict.clone()),
        })
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        // More than 4 billion names would exhaust memory first.
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 names");
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }
}

/// Every key a bridge has resolved for one metric kind, by hash: what a
/// thread consults when its cache misses.
#[derive(Debug)]
pub(crate) struct Index<C> {
    keys: RwLock<Keys<C>>,
}

impl<C> Default for Index<C> {
    fn default() -> Self {
        Self {
            keys: RwLock::new(Keys::default()),
        }
    }
}

impl<C: Cell> Index<C> {
    /// What `key` resolved to, if it was resolved before.
    pub(crate) fn find(&self, key: &Key) -> Option<Resolved<C>> {
        // No code path panics while holding the lock with the index half-updated.
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .find(key)
    }

    /// Adds what `key` resolved to, or returns what another thread added for
    /// it in the meantime.
    pub(crate) fn insert(&self, key: &Key, resolved: Resolved<C>) -> Resolved<C> {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(existing) = keys.find(key) {
            return existing;
        }
        let hash = key.get_hash();
        match (&resolved.cell, &resolved.conflict) {
            (Some(cell), None) => {
                let series = Series {
                    name: keys.name_id(key.name()),
                    cell: cell.clone(),
                };
                let keys = &mut *keys;
                match keys.series.entry(hash) {
                    Entry::Vacant(free) => {
                        free.insert(series);
                    }
                    Entry::Occupied(_) => keys.collided.entry(hash).or_default().push(series),
                }
            }
            (cell, Some(conflict)) => keys.conflicted.entry(hash).or_default().push(Conflicted {
                key: key.to_retained(),
                cell: cell.clone(),
                conflict: conflict.clone(),
            }),
            // `resolve` gives a refused key its conflict; without one there
            // is nothing to keep, and the key would just be resolved again.
            (None, None) => {}
        }
        resolved
    }
}

#[cfg(test)]
mod tests {
    use metrics::Label;
    use prom_core::{CounterVec, HistogramVec, Opts};

    use super::*;
    use crate::handles::CounterCell;

    fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
        let labels: Vec<Label> = labels.iter().map(|&(k, v)| Label::new(k, v)).collect();
        Key::from_parts(name, labels)
    }

    fn counter(names: &[&str], values: &[&str]) -> CounterCell {
        let family = CounterVec::new(Opts::new("x", "").labels(names.iter().copied())).unwrap();
        CounterCell(family.with_label_values(values).unwrap())
    }

    #[test]
    fn a_series_shows_the_keys_that_resolve_to_it_and_no_others() {
        let labels = counter(&["a_b", "code"], &["1", "200"]).labels();
        let shows =
            |l: &[(&'static str, &'static str)]| shows(&key("x", l), &labels, MetricType::Counter);
        assert!(shows(&[("a_b", "1"), ("code", "200")]));
        assert!(shows(&[("code", "200"), ("a_b", "1")]), "another order");
        assert!(shows(&[("a.b", "1"), ("code", "200")]), "a mapped name");
        assert!(
            shows(&[("a_b", "1"), ("e", ""), ("code", "200")]),
            "an empty label"
        );

        assert!(!shows(&[("a_b", "1")]), "a label missing");
        assert!(
            !shows(&[("a_b", "1"), ("code", "200"), ("e", "v")]),
            "a label more"
        );
        assert!(!shows(&[("a_b", "2"), ("code", "200")]), "another value");
        assert!(!shows(&[("a_c", "1"), ("code", "200")]), "another name");
        // Resolved with a conflict: such keys are kept whole, not found here.
        assert!(
            !shows(&[("a_b", "1"), ("a.b", "1"), ("code", "200")]),
            "a duplicate"
        );
        assert!(
            !shows(&[("a_b", "1"), ("a_b", "1")]),
            "a duplicate in place of a label"
        );
    }

    #[test]
    fn histograms_compare_le_as_exported_le() {
        let family = HistogramVec::new(Opts::new("h", "").labels(["exported_le"])).unwrap();
        let labels = family.with_label_values(&["5"]).unwrap().labels();
        assert!(shows(
            &key("h", &[("le", "5")]),
            &labels,
            MetricType::Histogram
        ));
        assert!(!shows(
            &key("h", &[("le", "6")]),
            &labels,
            MetricType::Histogram
        ));
    }

    #[test]
    fn the_index_finds_a_series_by_equal_keys_and_keeps_conflicted_keys_whole() {
        let index = Index::<CounterCell>::default();
        let cell = counter(&["code", "method"], &["200", "GET"]);
        let written = key("x", &[("method", "GET"), ("code", "200")]);
        assert!(index.find(&written).is_none());
        let clean = Resolved {
            cell: Some(cell.clone()),
            conflict: None,
        };
        index.insert(&written, clean.clone());
        let found = |k: &Key| {
            index
                .find(k)
                .map(|r| (r.cell.is_some(), r.conflict.is_some()))
        };
        assert_eq!(found(&written), Some((true, false)));
        // Other addresses, other order: one hash, one series.
        let again = Key::from_parts(
            String::from("x"),
            vec![
                Label::new("code", String::from("200")),
                Label::new("method", String::from("GET")),
            ],
        );
        assert_eq!(found(&again), Some((true, false)));
        assert_eq!(
            found(&key("y", &[("method", "GET"), ("code", "200")])),
            None
        );
        assert_eq!(
            found(&key("x", &[("method", "PUT"), ("code", "200")])),
            None
        );
        // Inserting again (a thread that resolved meanwhile) adds nothing.
        index.insert(&again, clean);
        let keys = index.keys.read().unwrap();
        assert_eq!((keys.series.len(), keys.collided.len()), (1, 0));
        drop(keys);

        let conflict = CounterVec::new(Opts::new("c", "").labels(["r"]))
            .unwrap()
            .with_label_values(&["duplicate_label"])
            .unwrap();
        let duplicated = key(
            "x",
            &[("method", "GET"), ("method", "PUT"), ("code", "200")],
        );
        index.insert(
            &duplicated,
            Resolved {
                cell: Some(cell),
                conflict: Some(conflict),
            },
        );
        assert_eq!(found(&duplicated), Some((true, true)));
        assert_eq!(found(&written), Some((true, false)));
    }
}
