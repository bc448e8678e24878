//! A family's children: its series in creation order, indexed by a hash
//! of their label values.

use hashbrown::HashTable;

use crate::hashing::ValuesHasher;
use crate::lifecycle::Seen;
use crate::series::MetricKind;

/// A family's children in creation order, indexed by a hash of their label
/// values. The index holds positions, not keys: each child's values live
/// once, in the child, and lookups compare them (a hash match alone is never
/// trusted).
pub(crate) struct Children<M> {
    pub(crate) entries: Vec<M>,
    pub(crate) index: HashTable<u32>,
    pub(crate) hasher: ValuesHasher,
    /// What scrapes saw of each child, beside `entries`, when the family
    /// expires idle children (empty otherwise).
    pub(crate) seen: Vec<Seen>,
    pub(crate) expires: bool,
}

impl<M: MetricKind> Children<M> {
    pub(crate) fn new(hasher: ValuesHasher, expires: bool) -> Self {
        Self {
            entries: Vec::new(),
            index: HashTable::new(),
            hasher,
            seen: Vec::new(),
            expires,
        }
    }

    pub(crate) fn hash<S: AsRef<str>>(&self, values: &[S]) -> u64 {
        self.hasher.hash(values)
    }

    fn hash_of(hasher: &ValuesHasher, m: &M) -> u64 {
        m.series().values().hash_with(hasher)
    }

    fn position<S: AsRef<str>>(&self, values: &[S]) -> Option<usize> {
        self.position_hashed(values, self.hash(values))
    }

    pub(crate) fn position_hashed<S: AsRef<str>>(&self, values: &[S], hash: u64) -> Option<usize> {
        self.index
            .find(hash, |&i| {
                self.entries[i as usize].series().values().values_eq(values)
            })
            .map(|&i| i as usize)
    }

    pub(crate) fn get_hashed<S: AsRef<str>>(&self, values: &[S], hash: u64) -> Option<&M> {
        self.position_hashed(values, hash).map(|i| &self.entries[i])
    }

    pub(crate) fn insert(&mut self, child: M) -> &M {
        let i = self.entries.len();
        let hash = Self::hash_of(&self.hasher, &child);
        self.entries.push(child);
        if self.expires {
            self.seen.push(Seen::new());
        }
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.insert_unique(hash, i as u32, |&j| {
            Self::hash_of(hasher, &entries[j as usize])
        });
        &self.entries[i]
    }

    pub(crate) fn remove<S: AsRef<str>>(&mut self, values: &[S]) -> bool {
        let Some(i) = self.position(values) else {
            return false;
        };
        self.remove_where(|j, _| j == i) == 1
    }

    /// Removes the children `doomed` picks (by position and child); returns
    /// how many. Keeps creation order; positions shift, so the index is
    /// rebuilt. Removal is rare next to lookups.
    pub(crate) fn remove_where(&mut self, mut doomed: impl FnMut(usize, &M) -> bool) -> usize {
        let before = self.entries.len();
        let keep: Vec<bool> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, m)| !doomed(i, m))
            .collect();
        let mut flags = keep.iter();
        self.entries
            .retain(|_| flags.next().copied().unwrap_or(true));
        if self.expires {
            let mut flags = keep.iter();
            self.seen.retain(|_| flags.next().copied().unwrap_or(true));
        }
        let removed = before - self.entries.len();
        if removed > 0 {
            self.index.clear();
            let (entries, hasher) = (&self.entries, &self.hasher);
            for (j, m) in entries.iter().enumerate() {
                self.index
                    .insert_unique(Self::hash_of(hasher, m), j as u32, |&k| {
                        Self::hash_of(hasher, &entries[k as usize])
                    });
            }
        }
        removed
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.seen.clear();
    }
}
