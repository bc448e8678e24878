//! Targeted quantiles over a stream: the CKMS algorithm (Cormode, Korn,
//! Muthukrishnan, Srivastava, "Effective Computation of Biased Quantiles
//! over Data Streams", ICDE 2005), with the targeted invariant that
//! client_golang's summaries use.
//!
//! The stream keeps a sorted list of tuples `(v, g, Δ)`: `g` is the
//! difference between the lowest possible rank of `v` and that of the tuple
//! before it, `Δ` the spread between its lowest and highest possible rank.
//! The invariant `g + Δ ≤ f(r, n)` bounds every rank's uncertainty; with
//! the targeted `f`, it is tightest at the requested quantiles, so a query
//! for quantile `q` with allowed rank error `ε` returns a value whose rank
//! is within `(q ± ε)·n`. Observations arrive in sorted batches and are
//! merged in one pass, then the list is compressed in one pass from the
//! right, so a batch of `m` costs `O(m log m + s)` for `s` tuples.

/// One requested quantile and its allowed rank error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Objective {
    pub(crate) quantile: f64,
    pub(crate) error: f64,
}

/// One entry of a stream's sorted list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tuple {
    value: f64,
    /// Lowest rank of this value minus that of the previous tuple.
    g: f64,
    /// Highest rank minus lowest rank.
    delta: f64,
}

/// A CKMS stream targeted at a fixed set of objectives.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stream {
    tuples: Vec<Tuple>,
    n: f64,
}

/// The targeted invariant: the largest `g + Δ` allowed at rank `r` of `n`.
fn allowed(objectives: &[Objective], r: f64, n: f64) -> f64 {
    objectives.iter().fold(f64::MAX, |m, o| {
        let f = if o.quantile * n <= r {
            2.0 * o.error * r / o.quantile
        } else {
            2.0 * o.error * (n - r) / (1.0 - o.quantile)
        };
        m.min(f)
    })
}

impl Stream {
    /// Forgets every observation, keeping the allocations.
    pub(crate) fn clear(&mut self) {
        self.tuples.clear();
        self.n = 0.0;
    }

    /// The number of tuples held (the stream's memory, in 24-byte units).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn len(&self) -> usize {
        self.tuples.len()
    }

    /// Merges `sorted` (ascending, no NaN) into the stream; `spare` is
    /// space to merge into, swapped with the stream's list (so that streams
    /// sharing one spare allocate only as they grow).
    pub(crate) fn insert_sorted(
        &mut self,
        objectives: &[Objective],
        sorted: &[f64],
        spare: &mut Vec<Tuple>,
    ) {
        if sorted.is_empty() {
            return;
        }
        let n = self.n + sorted.len() as f64;
        let mut merged = std::mem::take(spare);
        merged.clear();
        merged.reserve(self.tuples.len() + sorted.len());
        let mut old = self.tuples.iter().peekable();
        // The lowest rank of the next tuple to be written.
        let mut r = 0.0;
        let mut below_all_old = true;
        for &v in sorted {
            while let Some(t) = old.next_if(|t| t.value <= v) {
                r += t.g;
                merged.push(*t);
                below_all_old = false;
            }
            // Below or above every earlier tuple, the rank is known exactly;
            // between two, the new tuple may sit anywhere their uncertainty
            // allows (a bound the invariant keeps under f).
            let delta = if below_all_old || old.peek().is_none() {
                0.0
            } else {
                (allowed(objectives, r, n).floor() - 1.0).max(0.0)
            };
            merged.push(Tuple {
                value: v,
                g: 1.0,
                delta,
            });
            r += 1.0;
        }
        merged.extend(old);
        *spare = std::mem::replace(&mut self.tuples, merged);
        self.n = n;
        self.compress(objectives);
    }

    /// Merges each tuple into its right neighbour where the invariant
    /// allows, in one pass from the right (the last tuple, the maximum, is
    /// never merged away).
    fn compress(&mut self, objectives: &[Objective]) {
        let len = self.tuples.len();
        if len < 3 {
            return;
        }
        let n = self.n;
        // The lowest rank of tuple i is the sum of g before it.
        let mut r: f64 = self.tuples[..len - 1].iter().map(|t| t.g).sum();
        let t = &mut self.tuples;
        // Walk i from len-2 down to 1 (the minimum, index 0, stays); the
        // kept tuples gather at the right end, from `write` on.
        let mut write = len - 1;
        let mut i = len - 1;
        while i > 1 {
            i -= 1;
            r -= t[i].g;
            let right = t[write];
            if t[i].g + right.g + right.delta <= allowed(objectives, r, n) {
                t[write].g += t[i].g;
            } else {
                write -= 1;
                t[write] = t[i];
            }
        }
        // Tuples 0 and write..len are the result.
        t.copy_within(write..len, 1);
        t.truncate(1 + len - write);
    }

    /// The value at quantile `q`, `None` when the stream is empty.
    pub(crate) fn query(&self, objectives: &[Objective], q: f64) -> Option<f64> {
        let first = self.tuples.first()?;
        let target = (q * self.n).ceil() + allowed(objectives, q * self.n, self.n) / 2.0;
        let mut r = 0.0;
        let mut previous = first;
        for t in &self.tuples[1..] {
            r += previous.g;
            if r + t.g + t.delta > target {
                return Some(previous.value);
            }
            previous = t;
        }
        Some(previous.value)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The objectives client_golang's documentation suggests.
    pub(crate) const OBJECTIVES: [Objective; 3] = [
        Objective {
            quantile: 0.5,
            error: 0.05,
        },
        Objective {
            quantile: 0.9,
            error: 0.01,
        },
        Objective {
            quantile: 0.99,
            error: 0.001,
        },
    ];

    #[test]
    fn an_empty_stream_has_no_quantiles_and_small_streams_are_exact() {
        let mut s = Stream::default();
        assert_eq!(s.query(&OBJECTIVES, 0.5), None);
        let mut spare = Vec::new();
        s.insert_sorted(&OBJECTIVES, &[1.0, 2.0, 3.0], &mut spare);
        assert_eq!(s.query(&OBJECTIVES, 0.5), Some(2.0));
        assert_eq!(s.query(&OBJECTIVES, 0.99), Some(3.0));
        s.insert_sorted(&OBJECTIVES, &[0.0], &mut spare);
        assert_eq!(s.query(&OBJECTIVES, 0.0), Some(0.0));
        s.clear();
        assert_eq!(s.query(&OBJECTIVES, 0.5), None);
    }

    #[test]
    fn ranks_stay_within_the_objectives_and_the_list_stays_small() {
        // A shuffled 0..n: the value at rank r is r, so rank errors read off.
        let n = 200_000usize;
        let mut values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in (1..n).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut s = Stream::default();
        let mut spare = Vec::new();
        for batch in values.chunks(500) {
            let mut b = batch.to_vec();
            b.sort_by(f64::total_cmp);
            s.insert_sorted(&OBJECTIVES, &b, &mut spare);
        }
        for o in OBJECTIVES {
            let got = s.query(&OBJECTIVES, o.quantile).unwrap();
            let err = (got - o.quantile * n as f64).abs() / n as f64;
            assert!(
                err <= o.error,
                "q {} got rank {got}, error {err}",
                o.quantile
            );
        }
        assert!(s.len() < 2_000, "{} tuples", s.len());
    }
}
