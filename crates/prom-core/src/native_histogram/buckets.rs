//! A shard's sparse buckets: levels of open-addressed tables of atomic
//! `(key, count)` slots.

use super::*;

pub(super) const EMPTY: u64 = 0;
/// Each level has 8 times the slots of the one before: few levels to look
/// through before a key's.
pub(super) const LEVELS: usize = 7;
pub(super) const GROWTH_BITS: usize = 3;
/// Small under loom, so that its models stay small.
pub(super) const FIRST_LEVEL: usize = if cfg!(loom) { 4 } else { 16 };
pub(super) const PROBES: usize = 8;

/// A key as stored in a slot: never [`EMPTY`].
pub(super) fn tag(key: i32) -> u64 {
    u64::from(key as u32) | 1 << 32
}

pub(super) fn untag(tagged: u64) -> i32 {
    tagged as u32 as i32
}

#[derive(Debug)]
pub(super) struct Slot {
    pub(super) key: AtomicU64,
    pub(super) count: AtomicU64,
}

pub(super) fn table(len: usize) -> Box<[Slot]> {
    (0..len)
        .map(|_| Slot {
            key: AtomicU64::new(EMPTY),
            count: AtomicU64::new(0),
        })
        .collect()
}

/// One sign's sparse buckets in one shard.
#[derive(Debug)]
pub(super) struct Buckets {
    pub(super) first: Box<[Slot]>,
    /// Level `i + 1` has `FIRST_LEVEL << (GROWTH_BITS * (i + 1))` slots.
    /// The last has 2^22, more than the keys schema 8 can produce (about
    /// 2^19), and is probed whole, so no key is ever left without a slot.
    /// (Under loom it is smaller, but its models use a few keys.)
    pub(super) more: [OnceLock<Box<[Slot]>>; LEVELS - 1],
}

impl Buckets {
    pub(super) fn new() -> Self {
        Self {
            first: table(FIRST_LEVEL),
            more: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// Adds `n` to bucket `key`; returns whether this created the bucket,
    /// which it then counts in `created`.
    #[inline]
    pub(super) fn add(&self, key: i32, n: u64, created: &AtomicU64) -> bool {
        if let Some(new) = probe(&self.first, key, n, PROBES, created) {
            return new;
        }
        self.add_in_more(key, n, created)
    }

    #[cold]
    #[inline(never)]
    pub(super) fn add_in_more(&self, key: i32, n: u64, created: &AtomicU64) -> bool {
        for (i, level) in self.more.iter().enumerate() {
            let slots = level.get_or_init(|| table(FIRST_LEVEL << (GROWTH_BITS * (i + 1))));
            let probes = if i + 2 == LEVELS { slots.len() } else { PROBES };
            if let Some(new) = probe(slots, key, n, probes, created) {
                return new;
            }
        }
        unreachable!("the last level has a slot for every key, and is probed whole")
    }

    pub(super) fn levels(&self) -> impl Iterator<Item = &[Slot]> {
        std::iter::once(&*self.first).chain(
            self.more
                .iter()
                .map_while(|level| level.get().map(|slots| &**slots)),
        )
    }

    /// The total of the counts, each read with Acquire so that the writes
    /// made before them (the sum, the slot's key) are visible.
    pub(super) fn total(&self) -> u64 {
        self.levels()
            .flat_map(|l| l.iter())
            .map(|s| s.count.load(Ordering::Acquire))
            .fold(0, u64::wrapping_add)
    }

    /// Calls `f` with every bucket's slot, key and non-zero count.
    pub(super) fn for_each(&self, mut f: impl FnMut(&Slot, i32, u64)) {
        for slot in self.levels().flat_map(|l| l.iter()) {
            // The count first: its Acquire makes the claim of the key
            // visible.
            let n = slot.count.load(Ordering::Acquire);
            if n != 0 {
                f(slot, untag(slot.key.load(Ordering::Relaxed)), n);
            }
        }
    }

    /// Empties every slot. Only with no writer in the shard.
    pub(super) fn clear(&self) {
        for slot in self.levels().flat_map(|l| l.iter()) {
            slot.key.store(EMPTY, Ordering::Relaxed);
            slot.count.store(0, Ordering::Relaxed);
        }
    }
}

/// Looks for `key` in `probes` slots from its home; adds `n` to its count,
/// claiming an empty slot for it if it has none. `None` when all the
/// probed slots hold other keys. Returns whether it claimed a slot, and
/// then counts the claim in `claims` first: once the count is added, the
/// observation is complete and the shard may be cleared under it.
#[inline]
pub(super) fn probe(
    slots: &[Slot],
    key: i32,
    n: u64,
    probes: usize,
    claims: &AtomicU64,
) -> Option<bool> {
    let tagged = tag(key);
    // The length is a power of two.
    let mask = slots.len() - 1;
    let mut i = key as u32 as usize & mask;
    for _ in 0..probes {
        let slot = &slots[i];
        let k = slot.key.load(Ordering::Relaxed);
        let created = if k == tagged {
            Some(false)
        } else if k == EMPTY {
            match slot
                .key
                .compare_exchange(EMPTY, tagged, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    claims.fetch_add(1, Ordering::Relaxed);
                    Some(true)
                }
                Err(other) if other == tagged => Some(false),
                Err(_) => None,
            }
        } else {
            None
        };
        if let Some(created) = created {
            // Release publishes the sum (and the claim) to the reading
            // that sees this count.
            slot.count.fetch_add(n, Ordering::Release);
            return Some(created);
        }
        i = (i + 1) & mask;
    }
    None
}
