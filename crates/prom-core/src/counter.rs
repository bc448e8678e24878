use std::sync::{Arc, OnceLock};

use crossbeam_utils::CachePadded;

use crate::owned::{claim, stripe_count, thread_slot, StripeSet};
use crate::series::unix_now;
use crate::series::{metric_handle, Series, SeriesState};
use crate::sync::{AtomicBool, AtomicF64, AtomicU64, Ordering};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, Exemplar, MetricType, Opts};

/// Integral increments go to an integer cell; only fractional (or huge) ones
/// pay for a compare-and-swap on the float cell.
///
/// The integer cell belongs to the first thread that adds to it: its top 16
/// bits hold that thread's [`thread_slot`], its low 48 bits the count. The
/// claim is a compare-and-swap; from then on only the owner writes the
/// cell, so it adds with a plain load and store — no atomic
/// read-modify-write, no lock prefix, cheaper than the `fetch_add` of an
/// ordinary atomic counter. The claim is never given back (a slot is never
/// reused), so no other thread writes the cell again.
///
/// Other threads add to the float cell with a compare-and-swap (exact for
/// integers up to 2^53), and a failed swap is how contention shows itself:
/// on the first failure the counter grows cache-line-padded stripes, one
/// per core, and from then on each thread adds to a stripe of its own, with
/// the same plain load and store (see [`crate::owned`]). A counter used by
/// one thread, or by several without contention, never allocates them.
#[derive(Debug)]
pub struct CounterState {
    /// Owner slot (top [`OWNER_BITS`]) and count (the rest).
    int: AtomicU64,
    float: AtomicF64,
    /// Behind a thin pointer, to keep the series small; shared with the
    /// claim lists of the threads that own stripes.
    stripes: OnceLock<Arc<Stripes>>,
}

/// What a counter grows on contention, or on its first exemplar: stripes,
/// and the latest exemplar (kept here so that a counter without either
/// stays small).
#[derive(Debug)]
struct Stripes {
    cells: Box<[CachePadded<Stripe>]>,
    /// What threads add whose stripe another thread owns.
    shared: AtomicU64,
    /// Set with the first exemplar: until then a scrape takes no lock.
    has_exemplar: AtomicBool,
    exemplar: std::sync::Mutex<Option<Exemplar>>,
}

/// One cell of a striped counter, alone on its cache line (`CachePadded`
/// knows each architecture's line size, prefetched pairs included).
#[derive(Debug, Default)]
struct Stripe {
    /// The owning thread's [`thread_slot`], or 0 while free.
    owner: AtomicU64,
    /// Written only by the owner.
    value: AtomicU64,
}

impl StripeSet for Stripes {
    fn owner(&self, i: usize) -> Option<&AtomicU64> {
        self.cells.get(i).map(|s| &s.owner)
    }
}

/// Integral amounts below this go to the integer cell; larger ones (and
/// fractional ones) go to the float cell, which holds them as exactly as an
/// `f64` can.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// The bits of the integer cell that name its owner.
const OWNER_BITS: u32 = 16;
/// The bits of the integer cell that hold the count.
const COUNT_MASK: u64 = u64::MAX >> OWNER_BITS;

impl CounterState {
    fn new() -> Self {
        Self {
            int: AtomicU64::new(0),
            float: AtomicF64::new(0.0),
            stripes: OnceLock::new(),
        }
    }

    #[inline]
    fn add_int(&self, n: u64) {
        self.add_int_as(thread_slot(), n);
    }

    /// Adds `n` as the thread with slot `me` (the loom model chooses its
    /// threads' slots itself).
    #[inline]
    fn add_int_as(&self, me: usize, n: u64) {
        let cell = self.int.load(Ordering::Relaxed);
        // Only the owner writes an owned cell; a slot too large to be
        // stored never matches.
        if cell >> (64 - OWNER_BITS) == me as u64 && n <= COUNT_MASK - (cell & COUNT_MASK) {
            self.int.store(cell + n, Ordering::Relaxed);
        } else {
            self.add_int_slow(me, cell, n);
        }
    }

    /// The cell is not this thread's: claim it if it has no owner, else
    /// add to a stripe or the float cell.
    #[inline(never)]
    fn add_int_slow(&self, me: usize, cell: u64, n: u64) {
        if let Some(stripes) = self.stripes.get() {
            return self.add_striped(stripes, me, n);
        }
        let owner = cell >> (64 - OWNER_BITS);
        let me_bits = me as u64;
        if owner == 0 && me_bits >> OWNER_BITS == 0 && n <= COUNT_MASK - cell {
            let claimed = me_bits << (64 - OWNER_BITS) | (cell + n);
            match self
                .int
                .compare_exchange(cell, claimed, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return,
                // Another thread claimed it or added first: contention.
                Err(_) => return self.contended(me, n),
            }
        }
        // Integers below 2^53 add exactly to the float cell.
        if self
            .float
            .add_detecting_contention(n as f64, Ordering::Relaxed)
        {
            self.grow();
        }
    }

    /// Adds `n` as the thread with slot `me`, once stripes exist.
    #[inline]
    fn add_striped(&self, stripes: &Arc<Stripes>, me: usize, n: u64) {
        let cells = &stripes.cells;
        // The length is a power of two.
        let stripe = &cells[me & (cells.len() - 1)];
        if stripe.owner.load(Ordering::Relaxed) == me as u64 {
            // Only this thread writes this stripe.
            let v = stripe.value.load(Ordering::Relaxed);
            stripe.value.store(v.wrapping_add(n), Ordering::Relaxed);
        } else {
            self.add_unowned(stripes, me, n);
        }
    }

    /// Another thread changed the cell between our load and our swap: give
    /// each core a stripe from now on, and count `n` on this thread's.
    #[cold]
    #[inline(never)]
    fn contended(&self, me: usize, n: u64) {
        let stripes = Arc::clone(self.grow());
        self.add_striped(&stripes, me, n);
    }

    /// The stripes, made on first need.
    fn grow(&self) -> &Arc<Stripes> {
        self.stripes.get_or_init(|| {
            Arc::new(Stripes {
                cells: (0..stripe_count())
                    .map(|_| CachePadded::new(Stripe::default()))
                    .collect(),
                shared: AtomicU64::new(0),
                has_exemplar: AtomicBool::new(false),
                exemplar: std::sync::Mutex::new(None),
            })
        })
    }

    /// Keeps `exemplar` as the latest.
    fn set_exemplar(&self, exemplar: Exemplar) {
        let stripes = self.grow();
        *stripes
            .exemplar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(exemplar);
        // Relaxed: the flag only lets a scrape look; the lock orders the
        // exemplar itself.
        stripes.has_exemplar.store(true, Ordering::Relaxed);
    }

    /// This thread's stripe is not its own: claim it if it is free,
    /// else add to the stripes' shared cell.
    #[cold]
    #[inline(never)]
    fn add_unowned(&self, stripes: &Arc<Stripes>, me: usize, n: u64) {
        let i = me & (stripes.cells.len() - 1);
        let stripe = &stripes.cells[i];
        if claim(stripes, i, me as u64) {
            let v = stripe.value.load(Ordering::Relaxed);
            stripe.value.store(v.wrapping_add(n), Ordering::Relaxed);
        } else {
            stripes.shared.fetch_add(n, Ordering::Relaxed);
        }
    }

    #[inline]
    fn inc(&self) {
        self.add_int(1);
    }

    #[inline]
    fn add(&self, v: f64) -> bool {
        // `v >= 0.0` is false for negatives and NaN alike.
        if v >= 0.0 {
            if v < TWO_POW_52 {
                // Adding 2^52 rounds `v` to an integer (the spacing of f64s
                // in [2^52, 2^53) is exactly 1), and the mantissa of the sum
                // is that integer. Two float additions and a compare decide
                // integral or fractional; a float-to-integer conversion and
                // back would put twice the latency in front of the atomic.
                let shifted = v + TWO_POW_52;
                if shifted - TWO_POW_52 == v {
                    self.add_int(shifted.to_bits() - TWO_POW_52.to_bits());
                    return true;
                }
            }
            self.float.add(v, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    fn get(&self) -> f64 {
        let striped = self.stripes.get().map_or(0, |s| {
            s.cells
                .iter()
                .map(|c| c.value.load(Ordering::Relaxed))
                .fold(s.shared.load(Ordering::Relaxed), u64::wrapping_add)
        });
        let owned = self.int.load(Ordering::Relaxed) & COUNT_MASK;
        owned.wrapping_add(striped) as f64 + self.float.get()
    }
}

/// A monotonically increasing total (`_total` in the exposition).
///
/// A cheap handle: clones share the same value. `inc` is a single atomic
/// compare-and-swap with no lock and no allocation; under contention the
/// counter stripes itself across cores so that threads stop fighting over
/// one cache line. A trailing `_total` in the name given is dropped from the
/// family name and added back on the sample.
///
/// ```
/// use prom_core::Counter;
/// let c = Counter::new("jobs_done", "Jobs completed").unwrap();
/// c.inc();
/// c.inc_by(2.5).unwrap();
/// assert!(c.inc_by(-1.0).is_err()); // counters only go up
/// assert_eq!(c.get(), 3.5);
/// ```
#[derive(Debug, Clone)]
pub struct Counter {
    inner: triomphe::Arc<Series<CounterState>>,
}

metric_handle!(Counter, CounterState, "counter", CounterVec);

impl Counter {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inner.state.inc();
    }

    /// Adds `amount`.
    ///
    /// # Errors
    /// [`Error::InvalidIncrement`] for a negative or NaN amount; the value is
    /// left unchanged.
    #[inline]
    pub fn inc_by(&self, amount: f64) -> Result<(), Error> {
        if self.inner.state.add(amount) {
            Ok(())
        } else {
            Err(self.rejected(amount))
        }
    }

    /// Adds one and keeps an exemplar for it: the observation this
    /// increment stands for, typically a trace (`[("trace_id", "4bf92f")]`),
    /// with the value 1 and the current time. OpenMetrics exposes the
    /// latest exemplar on the `_total` sample; text 0.0.4 has none. The
    /// plain [`Counter::inc`] is not slowed by counters that keep exemplars.
    ///
    /// ```
    /// let c = prom_core::Counter::new("requests", "").unwrap();
    /// c.inc_with_exemplar(&[("trace_id", "4bf92f")]).unwrap();
    /// let fams = prom_core::collect(&c).unwrap();
    /// let e = &fams[0].metrics[0].exemplars[0];
    /// assert_eq!((e.labels.get("trace_id"), e.value), (Some("4bf92f"), 1.0));
    /// assert!(prom_core::Counter::new("x", "").unwrap().inc_with_exemplar(&[("a", &"b".repeat(200))]).is_err());
    /// ```
    ///
    /// # Errors
    /// An invalid label name, or labels longer than OpenMetrics allows
    /// (128 characters of names and values together); nothing is counted.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) -> Result<(), Error> {
        self.inc_by_with_exemplar(1.0, labels)
    }

    /// Adds `amount` and keeps an exemplar for it, as
    /// [`Counter::inc_with_exemplar`] does (the exemplar's value is `amount`).
    ///
    /// # Errors
    /// As [`Counter::inc_by`] and [`Counter::inc_with_exemplar`]; nothing is
    /// counted.
    pub fn inc_by_with_exemplar(&self, amount: f64, labels: &[(&str, &str)]) -> Result<(), Error> {
        let exemplar = Exemplar::new(Exemplar::labels(labels)?, amount).with_timestamp(unix_now());
        self.inc_by(amount)?;
        self.inner.state.set_exemplar(exemplar);
        Ok(())
    }

    /// The error for a rejected amount, out of line so that `inc_by`'s
    /// accepted path stays a handful of instructions.
    #[cold]
    #[inline(never)]
    fn rejected(&self, amount: f64) -> Error {
        Error::InvalidIncrement {
            metric: self.inner.desc.name().to_owned(),
            amount,
        }
    }

    /// The current total.
    pub fn get(&self) -> f64 {
        self.inner.state.get()
    }

    /// Runs `f` and counts one if it returns `Err` (client_python's
    /// `count_exceptions`). The result is passed through.
    ///
    /// ```
    /// let failures = prom_core::Counter::new("failures", "").unwrap();
    /// let r: Result<(), &str> = failures.count_errors(|| Err("boom"));
    /// assert!(r.is_err());
    /// assert_eq!(failures.get(), 1.0);
    /// ```
    pub fn count_errors<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        self.count_errors_if(|_| true, f)
    }

    /// Runs `f` and counts one if it returns an `Err` for which `pred` holds.
    pub fn count_errors_if<T, E>(
        &self,
        pred: impl FnOnce(&E) -> bool,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let r = f();
        if let Err(e) = &r {
            if pred(e) {
                self.inc();
            }
        }
        r
    }

    /// A guard that counts one if it is dropped while the thread unwinds
    /// from a panic.
    ///
    /// ```
    /// let panics = prom_core::Counter::new("panics", "").unwrap();
    /// let p = panics.clone();
    /// let _ = std::thread::spawn(move || {
    ///     let _guard = p.count_panics();
    ///     panic!("oops");
    /// })
    /// .join();
    /// assert_eq!(panics.get(), 1.0);
    /// ```
    pub fn count_panics(&self) -> PanicCounter<'_> {
        PanicCounter { counter: self }
    }
}

/// Counts a panic unwinding through it; see [`Counter::count_panics`].
#[derive(Debug)]
#[must_use = "the guard counts panics only while it is alive"]
pub struct PanicCounter<'a> {
    counter: &'a Counter,
}

impl Drop for PanicCounter<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.counter.inc();
        }
    }
}

impl SeriesState for CounterState {
    const TYPE: MetricType = MetricType::Counter;
    const CREATED: bool = true;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn new((): &()) -> Self {
        Self::new()
    }

    fn read<'a>(&'a self, _: &'a mut ValueScratch) -> ValueRef<'a> {
        ValueRef::Counter(self.get())
    }

    #[inline]
    fn keeps_exemplars(&self) -> bool {
        self.stripes
            .get()
            .is_some_and(|s| s.has_exemplar.load(Ordering::Relaxed))
    }

    fn exemplars(&self, out: &mut Vec<Exemplar>) {
        if let Some(stripes) = self.stripes.get() {
            let latest = stripes
                .exemplar
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            out.extend(latest.iter().cloned());
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn integral_and_fractional_increments_add_up() {
        let c = Counter::new("c_total", "h").unwrap();
        assert_eq!(c.inner.desc.name(), "c");
        c.inc();
        c.inc_by(2.0).unwrap();
        c.inc_by(0.25).unwrap();
        c.inc_by(1e300).unwrap();
        assert_eq!(c.get(), 3.25 + 1e300);
    }

    #[test]
    fn contention_grows_stripes_and_loses_nothing() {
        let c = Counter::new("c", "h").unwrap();
        let mut expected = 0.0;
        // Threads that really run at once collide quickly; on a loaded
        // machine they may take a few rounds to overlap.
        for _round in 0..50 {
            let barrier = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        barrier.wait();
                        for _ in 0..100_000 {
                            c.inc();
                            c.inc_by(2.0).unwrap();
                        }
                    });
                }
            });
            expected += 1_200_000.0;
            assert_eq!(c.get(), expected);
            if c.inner.state.stripes.get().is_some() {
                return;
            }
        }
        panic!("four threads never collided on one counter in 50 rounds");
    }

    #[test]
    fn stripes_are_owned_one_thread_at_a_time_and_given_back_at_exit() {
        let state = CounterState::new();
        let stripes = Arc::clone(state.grow());
        // Rounds of short-lived threads, more of them than stripes: every
        // increment counts, and no stripe stays owned by a thread that has
        // exited.
        let threads = 2 * stripes.cells.len() + 1;
        for round in 0..20u64 {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        s.spawn(|| {
                            for _ in 0..10_000 {
                                state.inc();
                            }
                            state.add(3.0);
                        })
                    })
                    .collect();
                // An explicit join waits for the thread's exit, thread-local
                // destructors included; the scope's own wait does not.
                for h in handles {
                    h.join().unwrap();
                }
            });
            let want = (round + 1) * threads as u64 * 10_003;
            assert_eq!(state.get(), want as f64, "round {round}");
            for (i, stripe) in stripes.cells.iter().enumerate() {
                assert_eq!(
                    stripe.owner.load(Ordering::Relaxed),
                    0,
                    "stripe {i} after round {round}"
                );
            }
        }
        // The stripes were used, not just the shared cell.
        let striped: u64 = stripes
            .cells
            .iter()
            .map(|s| s.value.load(Ordering::Relaxed))
            .sum();
        assert!(striped > 0);
    }

    #[test]
    fn a_thread_owns_its_stripe_while_it_runs() {
        let state = CounterState::new();
        let me = thread_slot();
        state.contended(me, 1);
        let stripes = state.stripes.get().unwrap();
        let mine = &stripes.cells[me & (stripes.cells.len() - 1)];
        assert_eq!(mine.owner.load(Ordering::Relaxed), me as u64);
        assert_eq!(mine.value.load(Ordering::Relaxed), 1);
        // Once stripes exist, an unowned integer cell stays unowned.
        state.inc();
        assert_eq!(mine.value.load(Ordering::Relaxed), 2);
        assert_eq!(state.int.load(Ordering::Relaxed), 0);
        assert_eq!(state.get(), 2.0);
    }

    #[test]
    fn a_scrape_looks_for_exemplars_only_once_one_was_kept() {
        let c = Counter::new("c", "").unwrap();
        c.inner.state.contended(thread_slot(), 1);
        assert!(c.inner.state.stripes.get().is_some());
        assert!(!c.inner.state.keeps_exemplars());
        c.inc_with_exemplar(&[("trace_id", "1")]).unwrap();
        assert!(c.inner.state.keeps_exemplars());
        let mut out = Vec::new();
        c.inner.state.exemplars(&mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn the_contended_path_stripes_and_keeps_the_total() {
        let state = CounterState::new();
        state.inc();
        state.contended(thread_slot(), 2);
        assert!(state.stripes.get().is_some());
        state.inc();
        assert!(state.add(0.5));
        assert_eq!(state.get(), 4.5);
        // The first thread kept its cell: two of the increments are there.
        assert_eq!(state.int.load(Ordering::Relaxed) & COUNT_MASK, 2);
    }

    #[test]
    fn the_first_thread_owns_the_integer_cell_and_others_add_beside_it() {
        let state = CounterState::new();
        let me = thread_slot();
        state.inc();
        state.inc();
        let cell = state.int.load(Ordering::Relaxed);
        assert_eq!(
            (cell >> (64 - OWNER_BITS), cell & COUNT_MASK),
            (me as u64, 2)
        );
        // Another thread (slot me + 1) cannot write the cell: its additions
        // go to the float cell, and no stripes grow without contention.
        state.add_int_as(me + 1, 5);
        assert_eq!(state.int.load(Ordering::Relaxed), cell);
        assert_eq!(state.float.get(), 5.0);
        assert!(state.stripes.get().is_none());
        // A slot too large for the owner bits never owns the cell.
        let fresh = CounterState::new();
        fresh.add_int_as(1 << OWNER_BITS, 3);
        assert_eq!(fresh.int.load(Ordering::Relaxed), 0);
        assert_eq!(fresh.get(), 3.0);
        // The owner's cell full: the rest goes to the float cell.
        let full = CounterState::new();
        full.add_int_as(me, COUNT_MASK - 1);
        full.add_int_as(me, 3);
        assert_eq!(
            full.int.load(Ordering::Relaxed) & COUNT_MASK,
            COUNT_MASK - 1
        );
        assert_eq!(full.get(), (COUNT_MASK + 2) as f64);
        assert_eq!(state.get(), 7.0);
    }

    #[test]
    fn amounts_split_between_the_cells_exactly() {
        // Integral amounts that fit the owned cell's 48 bits go there,
        // everything else to the float cell; each row checks the cell and
        // the total.
        let cases: [(f64, u64, f64); 10] = [
            (0.0, 0, 0.0),
            (-0.0, 0, 0.0),
            (1.0, 1, 0.0),
            (1.5, 0, 1.5),
            (0.1, 0, 0.1),
            (281_474_976_710_655.0, 281_474_976_710_655, 0.0),
            (4_503_599_627_370_495.0, 0, 4_503_599_627_370_495.0),
            (TWO_POW_52, 0, TWO_POW_52),
            (4_503_599_627_370_495.5, 0, 4_503_599_627_370_495.5),
            (f64::INFINITY, 0, f64::INFINITY),
        ];
        for (amount, int, float) in cases {
            let state = CounterState::new();
            assert!(state.add(amount), "{amount}");
            let cell = state.int.load(Ordering::Relaxed);
            assert_eq!(cell & COUNT_MASK, int, "{amount}");
            assert_eq!(state.float.get(), float, "{amount}");
            assert_eq!(state.get(), amount.abs(), "{amount}");
        }
        let state = CounterState::new();
        for _ in 0..1_000 {
            state.add(3.0);
            state.add(0.25);
        }
        assert_eq!(state.get(), 3_250.0);
    }

    #[test]
    fn bad_increments_leave_value_unchanged() {
        let c = Counter::new("c", "h").unwrap();
        c.inc();
        for bad in [-1.0, f64::NAN, f64::NEG_INFINITY, -0.5] {
            let err = c.inc_by(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidIncrement { .. }));
            assert!(err.to_string().contains("\"c\""), "{err}");
        }
        assert_eq!(c.get(), 1.0);
    }

    #[test]
    fn count_errors_if_filters() {
        let c = Counter::new("c", "h").unwrap();
        let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(2));
        let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(1));
        let _ = c.count_errors(|| Ok::<_, ()>(()));
        assert_eq!(c.get(), 1.0);
    }
}

/// Model check of the stripes' hand-off: a thread owns a stripe, adds to it
/// with plain loads and stores, and gives it back when it exits; the next
/// thread to claim it continues from the last value. Every interleaving
/// (up to loom's preemption bound) keeps every increment, which needs the
/// release at thread exit to be Release and the claim to be Acquire: with
/// either weakened to Relaxed, loom finds an increment lost.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicBool;

    #[test]
    fn loom_a_stripe_handed_to_the_next_thread_keeps_every_increment() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let state = Arc::new(CounterState::new());
            let stripes = Arc::clone(state.grow());
            // Slots 1 and 1 + n map to the same stripe.
            let (first, second) = (1, 1 + stripes.cells.len());
            let started = Arc::new(AtomicBool::new(false));
            let owner = {
                let (state, stripes, started) = (
                    Arc::clone(&state),
                    Arc::clone(&stripes),
                    Arc::clone(&started),
                );
                loom::thread::spawn(move || {
                    state.add_striped(&stripes, first, 1);
                    state.add_striped(&stripes, first, 1);
                    // Relaxed: this flag must not order anything itself.
                    started.store(true, Ordering::Relaxed);
                    // The thread's claims are given back as it exits.
                })
            };
            let next = {
                let (state, stripes, started) = (
                    Arc::clone(&state),
                    Arc::clone(&stripes),
                    Arc::clone(&started),
                );
                loom::thread::spawn(move || {
                    while !started.load(Ordering::Relaxed) {
                        loom::thread::yield_now();
                    }
                    // Claims the stripe if the first thread has exited, else
                    // adds to the shared cell: both must count.
                    state.add_striped(&stripes, second, 1);
                })
            };
            owner.join().expect("the owner does not panic");
            next.join().expect("the next thread does not panic");
            assert_eq!(state.get(), 3.0);
        });
    }

    /// Two threads race to own the integer cell and keep adding: whoever
    /// wins adds with plain loads and stores, the other to the float cell
    /// or (after a lost race) a stripe, and no increment is lost.
    #[test]
    fn loom_the_integer_cell_has_one_owner_and_keeps_every_increment() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let state = Arc::new(CounterState::new());
            let threads: Vec<_> = [1, 2]
                .into_iter()
                .map(|slot| {
                    let state = Arc::clone(&state);
                    loom::thread::spawn(move || {
                        state.add_int_as(slot, 1);
                        state.add_int_as(slot, 1);
                    })
                })
                .collect();
            for t in threads {
                t.join().expect("adders do not panic");
            }
            assert_eq!(state.get(), 4.0);
        });
    }
}
