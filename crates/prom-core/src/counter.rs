use std::sync::{Arc, OnceLock};

use crossbeam_utils::CachePadded;

use crate::owned::{claim, stripe_count, thread_slot, StripeSet};
use crate::series::unix_now;
use crate::series::{metric_handle, SeriesArc, SeriesState};
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
        // Once a counter is contended, every thread adds to its stripe
        // (a plain store too, for its owner); the cell keeps its count.
        if let Some(stripes) = self.stripes.get() {
            return self.add_striped(stripes, me, n);
        }
        let cell = self.int.load(Ordering::Relaxed);
        // Only the owner writes an owned cell; a slot too large to be
        // stored never matches.
        if cell >> (64 - OWNER_BITS) == me as u64 && n <= COUNT_MASK - (cell & COUNT_MASK) {
            self.int.store(cell + n, Ordering::Relaxed);
        } else {
            self.add_int_slow(me, cell, n);
        }
    }

    /// The cell is not this thread's and there are no stripes: claim the
    /// cell if it has no owner, else add to the float cell.
    #[inline(never)]
    fn add_int_slow(&self, me: usize, cell: u64, n: u64) {
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
    inner: SeriesArc<CounterState>,
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
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;
