//! Hashing and comparing label values: the seeded hash a family's index
//! finds children by, and the inline byte comparisons that confirm them.

/// Byte equality for the short strings label values usually are: up to 32
/// bytes with two overlapping word loads from each side, inline, instead of
/// a call to `memcmp` (which costs more than such a comparison itself).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 16 {
        if n > 32 {
            return a == b;
        }
        word16(a, 0) == word16(b, 0) && word16(a, n - 16) == word16(b, n - 16)
    } else if n >= 8 {
        word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8)
    } else if n >= 4 {
        word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4)
    } else {
        // 0 to 3 bytes: first, middle and last cover them all.
        n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
    }
}

/// A value shorter than 8 bytes as two words that, given its length, hold
/// every byte: two overlapping 4-byte words from 4 to 7 bytes; the first,
/// middle and last byte in one word from 1 to 3.
#[inline]
pub(crate) fn short_words(s: &[u8]) -> (u64, u64) {
    let n = s.len();
    if n >= 4 {
        (u64::from(word4(s, 0)), u64::from(word4(s, n - 4)))
    } else if n > 0 {
        (
            u64::from(s[0]) | (u64::from(s[n / 2]) << 8) | (u64::from(s[n - 1]) << 16),
            0,
        )
    } else {
        (0, 0)
    }
}

#[inline]
fn word16(s: &[u8], at: usize) -> u128 {
    s.get(at..at + 16)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u128::from_le_bytes)
}

#[inline]
pub(crate) fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

#[inline]
pub(crate) fn word4(s: &[u8], at: usize) -> u32 {
    s.get(at..at + 4)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// A seeded hash of a tuple of label values, one per family: what the
/// family's index and the per-thread lookup cache find children by.
///
/// Each value costs one 64×64→128-bit multiply folded to 64 bits (two words
/// of the value, overlapping for short ones, against the running hash and
/// the seed), plus one per further 16 bytes; the value's length goes into
/// the multiply, so `["ab", "c"]` and `["a", "bc"]` differ. The seeds come
/// from the process's random source, so colliding tuples cannot be chosen
/// in advance. Children are always confirmed by comparing values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValuesHasher {
    k0: u64,
    k1: u64,
}

/// An odd constant (from the digits of pi) that spreads lengths.
const LENGTH_MIX: u64 = 0x243f_6a88_85a3_08d3;

#[inline]
fn folded_mul(x: u64, y: u64) -> u64 {
    let r = u128::from(x) * u128::from(y);
    (r as u64) ^ ((r >> 64) as u64)
}

impl ValuesHasher {
    /// A hasher with fresh random seeds.
    pub(crate) fn new() -> Self {
        use std::hash::BuildHasher;
        // The standard library's per-process random keys.
        let random = std::collections::hash_map::RandomState::new();
        Self {
            k0: random.hash_one(0x1319_8a2e_0370_7344u64),
            k1: random.hash_one(0xa409_3822_299f_31d0u64),
        }
    }

    #[inline]
    fn value(&self, mut h: u64, s: &[u8]) -> u64 {
        let n = s.len();
        let (a, b) = if n > 16 {
            let mut i = 0;
            while i + 16 < n {
                h = folded_mul(word8(s, i) ^ h, word8(s, i + 8) ^ self.k1);
                i += 16;
            }
            (word8(s, n - 16), word8(s, n - 8))
        } else if n >= 8 {
            (word8(s, 0), word8(s, n - 8))
        } else {
            short_words(s)
        };
        folded_mul(a ^ h, b ^ self.k1 ^ (n as u64).wrapping_mul(LENGTH_MIX))
    }

    /// The hash of borrowed values.
    #[inline]
    pub(crate) fn hash<S: AsRef<str>>(&self, values: &[S]) -> u64 {
        self.finish(
            values
                .iter()
                .fold(self.k0, |h, v| self.value(h, v.as_ref().as_bytes())),
        )
    }

    /// The hash of values given as bytes, equal to [`ValuesHasher::hash`]
    /// of the same values (for values packed in a series).
    pub(crate) fn hash_bytes<'a>(&self, values: impl Iterator<Item = &'a [u8]>) -> u64 {
        self.finish(values.fold(self.k0, |h, v| self.value(h, v)))
    }

    /// One more multiply, so that every bit of the last value reaches the
    /// low bits (the index's bucket) and the top bits (its tag) alike.
    #[inline]
    fn finish(&self, h: u64) -> u64 {
        folded_mul(h ^ self.k1, LENGTH_MIX ^ self.k0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_eq_sees_every_differing_byte() {
        let base: Vec<u8> = (0..50u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=50 {
            let a = &base[..n];
            assert!(bytes_eq(a, &base[..n]), "length {n}");
            for pos in 0..n {
                let mut b = a.to_vec();
                b[pos] ^= 0x20;
                assert!(!bytes_eq(a, &b), "length {n}, byte {pos}");
            }
            if n > 0 {
                assert!(!bytes_eq(a, &base[..n - 1]), "length {n} vs {}", n - 1);
            }
        }
    }

    #[test]
    fn values_hashes_spread_over_the_low_and_high_bits() {
        // 10,000 paths differing only in a few middle digits fill the
        // buckets of a 1,024-entry table (low bits) and a tag (top bits)
        // about evenly: about 10 per bucket, the fullest near 21.
        for _seed in 0..5 {
            let h = ValuesHasher::new();
            let mut low = vec![0u32; 1024];
            let mut high = vec![0u32; 1024];
            for i in 0..10_000 {
                let path = format!("/api/v1/users/{i:05}/details");
                let hash = h.hash(&["GET", path.as_str()]);
                low[(hash & 1023) as usize] += 1;
                high[(hash >> 54) as usize] += 1;
            }
            for counts in [low, high] {
                let max = counts.iter().copied().max().unwrap_or(0);
                assert!(
                    max < 35,
                    "a bucket holds {max} of 10,000 (about 10 expected)"
                );
            }
        }
    }
}
