//! A labelled counter family built on `dashmap`, as a user would assemble
//! one, measured against prom's own [`prom_core::CounterVec`] by the
//! `dashmap_family` bench and `series_memory dashmap`.
//!
//! The children are reference-counted atomic cells ([`Cell`]): what a user
//! assembling a family from a map keeps per series (prom's own counter
//! handles cannot be made without prom's family). To give the map its best
//! shot:
//!
//! - the key packs a series' label values into one allocation (the values'
//!   end offsets, then their bytes) rather than a `Box<[Box<str>]>`, which
//!   would cost one allocation per value more;
//! - lookups by borrowed `&[&str]` allocate nothing: both the owned key and
//!   a borrowed slice are seen as `dyn Values`, which the owned key
//!   implements [`Borrow`] for, so `DashMap::get` hashes and compares the
//!   borrowed values directly;
//! - the map hashes with foldhash, hashbrown's default hasher, not SipHash;
//! - a child is one 8-byte atomic behind an `Arc` (no descriptor, no copy
//!   of its values: the key holds them), lighter than prom's series.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;

/// A child: a count behind a reference count, so that a handle can be kept.
#[derive(Debug, Default)]
pub struct Cell(AtomicU64);

impl Cell {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A series' label values, in label-name order, as the map hashes and
/// compares them: the same for an owned key and for borrowed values.
pub trait Values {
    /// How many values.
    fn count(&self) -> usize;
    /// Value `i`'s bytes, for `i < count()` (bytes, so that an owned key
    /// needs no UTF-8 check to hand them out).
    fn value(&self, i: usize) -> &[u8];
}

impl Values for &[&str] {
    fn count(&self) -> usize {
        self.len()
    }

    fn value(&self, i: usize) -> &[u8] {
        self[i].as_bytes()
    }
}

impl Hash for dyn Values + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes: each value ends with a byte no UTF-8 text
        // holds, so ("ab", "c") and ("a", "bc") differ.
        for i in 0..self.count() {
            state.write(self.value(i));
            state.write_u8(0xff);
        }
    }
}

impl PartialEq for dyn Values + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.count() == other.count() && (0..self.count()).all(|i| self.value(i) == other.value(i))
    }
}

impl Eq for dyn Values + '_ {}

/// An owned key in one allocation: the number of values (one byte), their
/// `u32` end offsets, then their bytes.
#[derive(Debug)]
pub struct Key(Box<[u8]>);

impl Key {
    /// Packs `values`. Values longer in total than 4 GiB are not supported.
    pub fn new(values: &[&str]) -> Self {
        let text: usize = values.iter().map(|v| v.len()).sum();
        let mut buf = Vec::with_capacity(1 + 4 * values.len() + text);
        // A family has few labels; more than 255 is not a label set.
        buf.push(u8::try_from(values.len()).unwrap_or(u8::MAX));
        let mut end = 0usize;
        for v in values {
            end += v.len();
            buf.extend_from_slice(&u32::try_from(end).unwrap_or(u32::MAX).to_le_bytes());
        }
        for v in values {
            buf.extend_from_slice(v.as_bytes());
        }
        Self(buf.into_boxed_slice())
    }

    fn end(&self, i: usize) -> usize {
        let o = 1 + 4 * i;
        let w = &self.0[o..o + 4];
        u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize
    }
}

impl Values for Key {
    fn count(&self) -> usize {
        usize::from(self.0[0])
    }

    fn value(&self, i: usize) -> &[u8] {
        let text = 1 + 4 * self.count();
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        &self.0[text + start..text + self.end(i)]
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self as &dyn Values).hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Key {}

impl<'a> Borrow<dyn Values + 'a> for Key {
    fn borrow(&self) -> &(dyn Values + 'a) {
        self
    }
}

/// A counter family: `DashMap<Key, Arc<Cell>>` with foldhash.
pub struct DashFamily {
    label_count: usize,
    children: DashMap<Key, Arc<Cell>, foldhash::fast::RandomState>,
}

impl DashFamily {
    /// A family of counters named `name` with these label names.
    ///
    /// # Panics
    /// On an invalid name or label name (a benchmark fixture).
    pub fn new(name: &str, label_names: &[&str]) -> Self {
        assert!(
            prom_core::validate_metric_name(name).is_ok()
                && prom_core::validate_label_names(label_names, prom_core::MetricType::Counter)
                    .is_ok(),
            "a valid benchmark metric"
        );
        Self {
            label_count: label_names.len(),
            children: DashMap::with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    /// Runs `f` on the child for `values`, creating it on first use. An
    /// existing child is found without allocating; `f` runs under the
    /// shard's read lock, as with any `DashMap` reference.
    pub fn with<R>(&self, values: &[&str], f: impl FnOnce(&Cell) -> R) -> R {
        debug_assert_eq!(values.len(), self.label_count);
        let borrowed: &dyn Values = &values;
        if let Some(child) = self.children.get(borrowed) {
            return f(&child);
        }
        let child = self
            .children
            .entry(Key::new(values))
            .or_default()
            .downgrade();
        f(&child)
    }

    /// A handle on the child for `values`, creating it on first use.
    pub fn with_label_values(&self, values: &[&str]) -> Arc<Cell> {
        let borrowed: &dyn Values = &values;
        if let Some(child) = self.children.get(borrowed) {
            return Arc::clone(&child);
        }
        Arc::clone(&self.children.entry(Key::new(values)).or_default())
    }

    /// How many children.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// The hasher, so a test can check that owned and borrowed keys hash alike.
    pub fn hasher(&self) -> &impl BuildHasher {
        self.children.hasher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_borrowed_keys_hash_and_compare_alike() {
        let family = DashFamily::new("c", &["method", "path"]);
        let values: &[&str] = &["GET", "/api/v1/resource/7"];
        let key = Key::new(values);
        assert_eq!(key.count(), 2);
        assert_eq!(
            (key.value(0), key.value(1)),
            (&b"GET"[..], &b"/api/v1/resource/7"[..])
        );
        let h = family.hasher();
        assert_eq!(h.hash_one(&key), h.hash_one(&values as &dyn Values));
        assert!(*Borrow::<dyn Values>::borrow(&key) == *(&values as &dyn Values));
        let other: &[&str] = &["GE", "T/api/v1/resource/7"];
        assert!(*Borrow::<dyn Values>::borrow(&key) != *(&other as &dyn Values));
    }

    #[test]
    fn a_child_is_created_once_and_found_again() {
        let family = DashFamily::new("c", &["method", "path"]);
        family.with(&["GET", "/a"], |c| c.inc());
        family.with(&["GET", "/a"], |c| c.inc());
        family.with(&["GET", "/b"], |c| c.inc());
        assert_eq!(family.len(), 2);
        assert_eq!(family.with_label_values(&["GET", "/a"]).get(), 2);
        assert_eq!(family.with(&["", ""], |c| c.get()), 0);
        assert_eq!(family.len(), 3);
    }
}
