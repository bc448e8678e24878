//! The index both parsers find a family's series (label sets) by: keyed
//! hashes to entry numbers, colliding entries chained, no allocation per
//! entry beyond one `usize`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Passes on a `u64` that is already a keyed hash.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in rather than panic.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Entries numbered 0, 1, … in the order they are pushed, found by a keyed
/// hash: the map holds the newest entry of each hash, and `next` links each
/// entry to the one it displaced. Entries with one hash are told apart by
/// the caller, who keeps the entries themselves.
#[derive(Debug, Default)]
pub(crate) struct ChainedIndex {
    newest: HashMap<u64, usize, BuildHasherDefault<PreHashed>>,
    next: Vec<Option<usize>>,
}

impl ChainedIndex {
    /// Adds the next entry under `key`; returns its number.
    pub(crate) fn push(&mut self, key: u64) -> usize {
        let i = self.next.len();
        self.next.push(self.newest.insert(key, i));
        i
    }

    /// The numbers of the entries pushed under `key` (and of any that
    /// collide with it), newest first.
    pub(crate) fn get(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.newest.get(&key).copied(), |&i| {
            self.next.get(i).copied().flatten()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ChainedIndex;

    #[test]
    fn entries_under_one_key_come_back_newest_first() {
        let mut index = ChainedIndex::default();
        assert_eq!(index.push(7), 0);
        assert_eq!(index.push(9), 1);
        assert_eq!(index.push(7), 2);
        assert_eq!(index.get(7).collect::<Vec<_>>(), [2, 0]);
        assert_eq!(index.get(9).collect::<Vec<_>>(), [1]);
        assert_eq!(index.get(8).count(), 0);
    }
}
