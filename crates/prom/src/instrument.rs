//! The runtime side of the instrumenting attributes: [`#[prom::time]`](crate::time),
//! [`#[prom::count_errors]`](crate::count_errors) and
//! [`#[prom::track_inprogress]`](crate::track_inprogress) expand to calls of
//! these functions, so the timing and counting logic lives (and is tested)
//! here rather than in generated code.
//!
//! The attributes take the metric as an expression; the traits below say
//! which expressions fit: a handle ([`Summary`], [`Histogram`], [`Gauge`],
//! [`Counter`] or a [`Family`] of them), or a reference, [`Arc`], [`Box`],
//! [`LazyLock`] or static metric ([`StaticMetric`](crate::StaticMetric))
//! holding one. Nothing here allocates: the guards borrow the metric.
//!
//! What `#[prom::time(REQUEST_TIME)]` writes at the start of a function's
//! body, and what one can write by hand:
//!
//! ```
//! use std::sync::LazyLock;
//! static REQUEST_TIME: LazyLock<prom::Summary> =
//!     LazyLock::new(|| prom::Summary::new("request_seconds", "Time per request.").unwrap());
//!
//! fn process_request() {
//!     let _timer = prom::instrument::start_timer(&REQUEST_TIME);
//!     // ... the work ...
//! }
//!
//! process_request();
//! assert_eq!(REQUEST_TIME.get_count(), 1);
//! ```

use std::sync::{Arc, LazyLock};

use prom_core::{
    Counter, Family, Gauge, Histogram, InProgress, MetricKind, ObserveDuration, PanicCounter,
    Summary, Timer,
};

/// A metric handle of type `M`, or something holding one: the handle itself,
/// a reference, an [`Arc`], a [`Box`], a [`LazyLock`], or a static metric
/// declared with [`static_metrics!`](crate::static_metrics).
///
/// ```
/// use prom::instrument::AsMetric;
/// let c = prom::Counter::new("jobs", "").unwrap();
/// let shared = std::sync::Arc::new(c.clone());
/// let by_ref: &prom::Counter = AsMetric::<prom::Counter>::as_metric(&shared);
/// by_ref.inc();
/// assert_eq!(c.get(), 1.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `{M}`, nor a reference, `Arc`, `Box`, `LazyLock` or static metric holding one",
    label = "expected a `{M}` here"
)]
pub trait AsMetric<M: ?Sized> {
    /// The handle.
    fn as_metric(&self) -> &M;
}

macro_rules! handles {
    ($($t:ty),*) => {$(
        impl AsMetric<$t> for $t {
            #[inline]
            fn as_metric(&self) -> &$t {
                self
            }
        }
    )*};
}
handles!(Counter, Gauge, Histogram, Summary);

impl<M: MetricKind> AsMetric<Family<M>> for Family<M> {
    #[inline]
    fn as_metric(&self) -> &Family<M> {
        self
    }
}

impl<M: ?Sized, T: AsMetric<M> + ?Sized> AsMetric<M> for &T {
    #[inline]
    fn as_metric(&self) -> &M {
        (**self).as_metric()
    }
}

impl<M: ?Sized, T: AsMetric<M> + ?Sized> AsMetric<M> for Arc<T> {
    #[inline]
    fn as_metric(&self) -> &M {
        (**self).as_metric()
    }
}

impl<M: ?Sized, T: AsMetric<M> + ?Sized> AsMetric<M> for Box<T> {
    #[inline]
    fn as_metric(&self) -> &M {
        (**self).as_metric()
    }
}

impl<M: ?Sized, T: AsMetric<M>, F: FnOnce() -> T> AsMetric<M> for LazyLock<T, F> {
    #[inline]
    fn as_metric(&self) -> &M {
        LazyLock::force(self).as_metric()
    }
}

/// The metrics that can time a call: a [`Summary`] or [`Histogram`] observes
/// the duration in seconds, a [`Gauge`] is set to it (as client_python's
/// `Gauge.time()`).
///
/// ```
/// use prom::instrument::Timeable;
/// let h = prom::Histogram::new("op_seconds", "").unwrap();
/// drop(h.timer());
/// assert_eq!(h.get_count(), 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot time a call: `#[prom::time]` takes a `Summary`, a `Histogram` or a `Gauge`",
    label = "not a `Summary`, `Histogram` or `Gauge`",
    note = "a labelled family (`HistogramVec`, …) needs `labels = [...]` to pick the child that times the call"
)]
pub trait Timeable: ObserveDuration + Sized {
    /// A timer reporting to this metric when dropped.
    fn timer(&self) -> Timer<'_, Self>;
}

macro_rules! timeable {
    ($($t:ty),*) => {$(
        impl Timeable for $t {
            #[inline]
            fn timer(&self) -> Timer<'_, Self> {
                self.start_timer()
            }
        }
    )*};
}
timeable!(Summary, Histogram, Gauge);

/// Starts a timer that reports the elapsed seconds to `metric` when dropped:
/// at the end of the call, on an early return, on a panic, and when an
/// `async fn`'s future is dropped unfinished.
///
/// ```
/// let last = prom::Gauge::new("last_run_seconds", "").unwrap();
/// drop(prom::instrument::start_timer(&last)); // a gauge is set to the duration
/// assert!(last.get() >= 0.0);
/// ```
#[inline]
pub fn start_timer<M: Timeable, T: AsMetric<M> + ?Sized>(metric: &T) -> Timer<'_, M> {
    metric.as_metric().timer()
}

/// Adds one to `gauge` now and subtracts it when the returned guard drops.
///
/// ```
/// let busy = std::sync::Arc::new(prom::Gauge::new("busy", "").unwrap());
/// let guard = prom::instrument::track_inprogress(&busy);
/// assert_eq!(busy.get(), 1.0);
/// drop(guard);
/// assert_eq!(busy.get(), 0.0);
/// ```
#[inline]
pub fn track_inprogress<T: AsMetric<Gauge> + ?Sized>(gauge: &T) -> InProgress<'_> {
    gauge.as_metric().track_inprogress()
}

/// The counter `counter` holds (`#[prom::count_errors]` resolves its
/// argument with it).
///
/// ```
/// let boxed = Box::new(prom::Counter::new("jobs", "").unwrap());
/// prom::instrument::counter(&boxed).inc();
/// assert_eq!(boxed.get(), 1.0);
/// ```
#[inline]
pub fn counter<T: AsMetric<Counter> + ?Sized>(counter: &T) -> &Counter {
    counter.as_metric()
}

/// A guard that counts one on `counter` if it is dropped while the thread
/// unwinds from a panic; `None` (no counter, see [`child`]) counts nothing.
///
/// An `async fn`'s guard lives in its future: a panic while the future is
/// polled counts, and so would the drop of an unfinished future by code that
/// is itself unwinding from a panic elsewhere.
///
/// ```
/// let panics = prom::Counter::new("panics", "").unwrap();
/// let result = std::panic::catch_unwind(|| {
///     let _guard = prom::instrument::count_panics(Some(&panics));
///     panic!("boom");
/// });
/// assert!(result.is_err());
/// assert_eq!(panics.get(), 1.0);
/// ```
#[inline]
pub fn count_panics(counter: Option<&Counter>) -> Option<PanicCounter<'_>> {
    counter.map(Counter::count_panics)
}

/// Counts one on `counter` if `result` is an error for which `counts` holds,
/// and hands `result` back.
///
/// ```
/// let failures = prom::Counter::new("failures", "").unwrap();
/// let r: Result<(), &str> = prom::instrument::count_error(Some(&failures), Err("boom"), |_| true);
/// assert_eq!(r, Err("boom"));
/// assert_eq!(failures.get(), 1.0);
/// ```
#[inline]
pub fn count_error<R: Outcome>(
    counter: Option<&Counter>,
    result: R,
    counts: impl FnOnce(&R::Error) -> bool,
) -> R {
    if let (Some(counter), Some(error)) = (counter, result.error()) {
        if counts(error) {
            counter.inc();
        }
    }
    result
}

/// Runs `f` and counts one on `counter` if it returns an error for which
/// `counts` holds: what `#[prom::count_errors]` makes of a function's body
/// (an `async fn`'s is awaited and given to [`count_error`]).
///
/// ```
/// let failures = prom::Counter::new("failures", "").unwrap();
/// let r = prom::instrument::count_error_in(Some(&failures), || "x".parse::<u32>(), |_| true);
/// assert!(r.is_err());
/// assert_eq!(failures.get(), 1.0);
/// ```
#[inline]
pub fn count_error_in<R: Outcome>(
    counter: Option<&Counter>,
    f: impl FnOnce() -> R,
    counts: impl FnOnce(&R::Error) -> bool,
) -> R {
    count_error(counter, f(), counts)
}

/// What a function returns that `#[prom::count_errors]` can look into: a
/// [`Result`].
///
/// ```
/// use prom::instrument::Outcome;
/// assert_eq!(Err::<(), _>("boom").error(), Some(&"boom"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`#[prom::count_errors]` counts the `Err`s a function returns, but this function returns `{Self}`",
    label = "this function does not return a `Result`",
    note = "give the function a `Result` return type (to count panics alone, keep `let _guard = COUNTER.count_panics();` in its body)"
)]
pub trait Outcome {
    /// The error type.
    type Error;
    /// The error, if this is one.
    fn error(&self) -> Option<&Self::Error>;
}

impl<T, E> Outcome for Result<T, E> {
    type Error = E;

    #[inline]
    fn error(&self) -> Option<&E> {
        self.as_ref().err()
    }
}

/// A labelled family whose child of `N` label values can be looked up: a
/// [`Family`] (the number of values is checked when called), or a static
/// metric declared with `N` label names (checked when compiling), or a
/// reference, [`Arc`], [`Box`] or [`LazyLock`] holding either.
///
/// ```
/// use prom::instrument::Children;
/// let hits = prom::CounterVec::new(prom::Opts::new("hits", "").labels(["cache"])).unwrap();
/// Children::<prom::Counter, 1>::child(&hits, ["users"]).unwrap().inc();
/// assert_eq!(hits.with_label_values(&["users"]).unwrap().get(), 1.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a labelled family of the type these label values need",
    label = "expected a family (`HistogramVec`, …) of the metric type the attribute takes",
    note = "an unlabelled metric takes no `labels = [...]`"
)]
pub trait Children<M, const N: usize> {
    /// The child of these label values; `None` when the family refuses a new
    /// series (it is at its series limit).
    ///
    /// # Panics
    /// When the family has another number of label names than `N`: the
    /// label list of an attribute is fixed in the source, so this is a
    /// mistake in the program, reported on its first call.
    fn child(&self, values: [&str; N]) -> Option<M>;
}

impl<M: MetricKind, const N: usize> Children<M, N> for Family<M> {
    #[track_caller]
    fn child(&self, values: [&str; N]) -> Option<M> {
        match self.with_label_values(&values) {
            Ok(child) => Some(child),
            Err(e @ prom_core::Error::LabelCount { .. }) => {
                panic!("the `labels = [...]` of a prom attribute do not fit the family: {e}")
            }
            // A family at its series limit refuses new label values (and
            // counts the refusal); the call then runs unmeasured.
            Err(_) => None,
        }
    }
}

impl<M, T: Children<M, N> + ?Sized, const N: usize> Children<M, N> for &T {
    #[track_caller]
    fn child(&self, values: [&str; N]) -> Option<M> {
        (**self).child(values)
    }
}

impl<M, T: Children<M, N> + ?Sized, const N: usize> Children<M, N> for Arc<T> {
    #[track_caller]
    fn child(&self, values: [&str; N]) -> Option<M> {
        (**self).child(values)
    }
}

impl<M, T: Children<M, N> + ?Sized, const N: usize> Children<M, N> for Box<T> {
    #[track_caller]
    fn child(&self, values: [&str; N]) -> Option<M> {
        (**self).child(values)
    }
}

impl<M, T: Children<M, N>, F: FnOnce() -> T, const N: usize> Children<M, N> for LazyLock<T, F> {
    #[track_caller]
    fn child(&self, values: [&str; N]) -> Option<M> {
        LazyLock::force(self).child(values)
    }
}

/// The child of `family` for these label values (see [`Children`]): what
/// `labels = [...]` in an attribute looks up at the start of each call.
///
/// ```
/// let requests = prom::CounterVec::new(prom::Opts::new("requests", "").labels(["method"])).unwrap();
/// prom::instrument::child(&requests, ["GET"]).unwrap().inc();
/// assert_eq!(requests.with_label_values(&["GET"]).unwrap().get(), 1.0);
/// ```
///
/// # Panics
/// When the family has another number of label names than `N`.
#[inline]
#[track_caller]
pub fn child<M, T: Children<M, N> + ?Sized, const N: usize>(
    family: &T,
    values: [&str; N],
) -> Option<M> {
    family.child(values)
}

#[cfg(feature = "registry")]
mod statics {
    use prom_core::{Family, MetricKind};

    use super::{AsMetric, Children};
    use crate::{Declarable, StaticMetric};

    impl<M: ?Sized, T: AsMetric<M> + Declarable, const N: usize> AsMetric<M> for StaticMetric<T, N> {
        #[inline]
        fn as_metric(&self) -> &M {
            StaticMetric::force(self).as_metric()
        }
    }

    /// Only the number of label values the static was declared with: a
    /// mismatch does not compile.
    impl<M: MetricKind, const N: usize> Children<M, N> for StaticMetric<Family<M>, N>
    where
        Family<M>: Declarable,
    {
        #[inline]
        fn child(&self, values: [&str; N]) -> Option<M> {
            Some(StaticMetric::child(self, values))
        }
    }
}
