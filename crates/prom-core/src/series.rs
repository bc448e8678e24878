//! What every metric handle shares: the series' descriptor, labels and
//! creation time next to its type-specific state, and the plumbing that
//! families, collectors and the lookup cache reach every metric type through.
//!
//! A metric type is a handle (a reference-counted [`Series`] of its state)
//! plus an implementation of [`SeriesState`]: how to make the state and how
//! to read it. [`metric_handle!`] writes the rest once for every type.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::labels::PackedRef;
use crate::lookup_cache::Cached;
use crate::snapshot::Snapshot;
use crate::visit::{Scratch, SeriesRef, ValueRef, ValueScratch, VisitError, Visitor};
use crate::{CollectError, Descriptor, Error, Exemplar, LabelSet, Opts};

/// Seconds since the Unix epoch, as OpenMetrics timestamps are written.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Names that must be public to appear in the signatures of public traits,
/// but that no user can name: the private supertrait of [`MetricKind`] and
/// what its methods take.
mod plumbing {
    use std::fmt;
    use std::sync::Arc;
    use std::thread::LocalKey;

    use super::unix_now;
    use crate::labels::PackedRef;
    use crate::lookup_cache::Cache;
    use crate::visit::{ValueRef, ValueScratch};
    use crate::{Descriptor, Error, Exemplar, LabelSet, LabelsRef, MetricType, Opts};

    /// One series: its type-specific state, the family's descriptor and
    /// its creation time. Its label values follow it in the same
    /// allocation ([`SeriesArc`]).
    #[derive(Debug)]
    pub struct Series<S> {
        pub(crate) state: S,
        pub(crate) desc: Arc<Descriptor>,
        pub(crate) created: f64,
    }

    impl<S> Series<S> {
        pub(crate) fn new(state: S, desc: Arc<Descriptor>) -> Self {
            Self {
                state,
                desc,
                created: unix_now(),
            }
        }
    }

    /// A handle's reference-counted series with its packed label values
    /// inline, right after it: one allocation per series, and the values a
    /// lookup compares sit next to the state it then updates. Derefs to
    /// the [`Series`].
    pub struct SeriesArc<S>(triomphe::ThinArc<Series<S>, u8>);

    impl<S> SeriesArc<S> {
        /// `series` with the label values `packed` (laid out by
        /// `PackedValues::pack`).
        pub(crate) fn new(series: Series<S>, packed: &[u8]) -> Self {
            Self(triomphe::ThinArc::from_header_and_slice(series, packed))
        }

        /// The label values.
        #[inline]
        pub(crate) fn values(&self) -> PackedRef<'_> {
            PackedRef::new(&self.0.slice)
        }

        /// The family's label names with these values.
        pub(crate) fn labels_ref(&self) -> LabelsRef<'_> {
            LabelsRef::from_packed(self.desc.shared_label_names(), self.values())
        }

        pub(crate) fn label_set(&self) -> LabelSet {
            self.labels_ref().to_label_set()
        }
    }

    impl<S> std::ops::Deref for SeriesArc<S> {
        type Target = Series<S>;

        #[inline]
        fn deref(&self) -> &Series<S> {
            &self.0.header.header
        }
    }

    impl<S> Clone for SeriesArc<S> {
        #[inline]
        fn clone(&self) -> Self {
            Self(self.0.clone())
        }
    }

    impl<S: fmt::Debug> fmt::Debug for SeriesArc<S> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SeriesArc")
                .field("series", &**self)
                .field("labels", &self.labels_ref())
                .finish()
        }
    }

    /// What a metric type keeps per series, and the one way its value is
    /// read: snapshots, encoders and the handles' getters all go through
    /// [`SeriesState::read`].
    pub trait SeriesState: Send + Sync + Sized + 'static {
        /// The family type.
        const TYPE: MetricType;
        /// Whether the series exposes a `_created` time.
        const CREATED: bool;
        /// What every series of a family is made from (a histogram's bounds).
        type Config: Send + Sync + fmt::Debug;
        /// Validates the type's own options.
        fn config(opts: &Opts) -> Result<Self::Config, Error>;
        /// A fresh state.
        fn new(config: &Self::Config) -> Self;
        /// The current value, borrowing `scratch` for per-bucket readings.
        fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a>;
        /// Whether the series may have exemplars (a cheap check, made for
        /// every series of a scrape); none by default.
        #[inline]
        fn keeps_exemplars(&self) -> bool {
            false
        }
        /// Appends the series' exemplars to `out` (a counter's latest, a
        /// histogram's latest per bucket in bucket order).
        fn exemplars(&self, out: &mut Vec<Exemplar>) {
            let _ = out;
        }
    }

    /// The plumbing of a metric handle; see [`MetricKind`](super::MetricKind).
    pub trait Handle: Clone + Send + Sync + 'static {
        /// The per-series state.
        type State: SeriesState;
        /// Wraps a new series.
        fn from_series(series: SeriesArc<Self::State>) -> Self;
        /// The series behind the handle.
        fn series(&self) -> &SeriesArc<Self::State>;
        /// This type's per-thread lookup cache.
        fn lookup_cache() -> &'static LocalKey<Cache<Self>>;
    }
}

pub(crate) use plumbing::{Handle, Series, SeriesArc, SeriesState};

/// The metric types a [`Family`](crate::Family) can hold: [`Counter`](crate::Counter),
/// [`Gauge`](crate::Gauge), [`Histogram`](crate::Histogram) and [`Summary`](crate::Summary).
///
/// Sealed: its plumbing lives on a supertrait that other crates cannot name.
pub trait MetricKind: Handle {}

impl<M: Handle> Cached for M {
    #[inline]
    fn cached_values(&self) -> PackedRef<'_> {
        self.series().values()
    }
}

/// A new series of `M` in the family described by `desc`, with the label
/// values `packed` (laid out by `PackedValues::pack`).
pub(crate) fn create<M: MetricKind>(
    desc: Arc<Descriptor>,
    packed: &[u8],
    config: &<M::State as SeriesState>::Config,
) -> M {
    M::from_series(SeriesArc::new(
        Series::new(M::State::new(config), desc),
        packed,
    ))
}

/// Builds an unlabelled metric from options.
pub(crate) fn standalone<M: MetricKind>(opts: &Opts) -> Result<M, Error> {
    let config = M::State::config(opts)?;
    let desc = opts.descriptor(M::State::TYPE)?;
    if !desc.label_names().is_empty() {
        return Err(Error::LabelCount {
            metric: desc.name().to_owned(),
            expected: desc.label_names().len(),
            got: 0,
        });
    }
    Ok(create(Arc::new(desc), &[], &config))
}

/// Hands one series to `v`: the only place a series becomes a [`SeriesRef`].
///
/// `created` is whether the family exposes `_created`, looked up once per
/// family by the caller ([`Descriptor::created`]).
pub(crate) fn visit_series<M: MetricKind>(
    m: &M,
    v: &mut dyn Visitor,
    scratch: &mut Scratch,
    created: bool,
) -> Result<(), VisitError> {
    let series = m.series();
    let Scratch { values, exemplars } = scratch;
    let exemplars: &[Exemplar] = if series.state.keeps_exemplars() {
        exemplars.clear();
        series.state.exemplars(exemplars);
        exemplars
    } else {
        &[]
    };
    v.series(&SeriesRef {
        labels: series.labels_ref(),
        value: series.state.read(values),
        timestamp_ms: None,
        created: (M::State::CREATED && created).then_some(series.created),
        exemplars,
    })
}

/// Reads a series' value once, into an owned value, through the same
/// reading as every scrape.
pub(crate) fn read_value<S: SeriesState, R>(state: &S, f: impl FnOnce(ValueRef<'_>) -> R) -> R {
    let mut scratch = ValueScratch::default();
    f(state.read(&mut scratch))
}

/// Collects any visitable source through the one generic snapshot visitor.
pub(crate) fn collect_visited(
    out: &mut Vec<crate::MetricFamily>,
    visit: impl FnOnce(&mut dyn Visitor) -> Result<(), crate::VisitFailure>,
) -> Result<(), CollectError> {
    let mut snapshot = Snapshot::new(out);
    match visit(&mut snapshot) {
        Ok(()) => Ok(()),
        Err(crate::VisitFailure::Collect(e)) => Err(e),
        // The snapshot visitor itself never fails.
        Err(crate::VisitFailure::Visit(e)) => Err(CollectError::new("snapshot", e)),
    }
}

/// The label set of a handle's series (the names are the family's).
pub(crate) fn labels_of<M: MetricKind>(m: &M) -> LabelSet {
    m.series().label_set()
}

/// Writes, once for every metric type, what a handle `$handle` over a
/// [`Series`] of `$state` has besides its own methods: `new`, `with_opts`,
/// `labels`, the plumbing, and [`Collector`](crate::Collector).
macro_rules! metric_handle {
    ($handle:ident, $state:ty, $what:literal, $family:ident) => {
        impl $handle {
            #[doc = concat!("An unlabelled ", $what, " with default options.")]
            ///
            /// # Errors
            /// An invalid name, naming it.
            pub fn new(name: &str, help: &str) -> Result<Self, $crate::Error> {
                Self::with_opts($crate::Opts::new(name, help))
            }

            #[doc = concat!(
                        "An unlabelled ", $what, " from options (use [`", stringify!($family),
                        "`](crate::", stringify!($family), ") for labels)."
                    )]
            ///
            /// # Errors
            /// An invalid name, unit or option, or label names given.
            pub fn with_opts(opts: $crate::Opts) -> Result<Self, $crate::Error> {
                $crate::series::standalone(&opts)
            }

            /// This series' labels.
            pub fn labels(&self) -> $crate::LabelSet {
                $crate::series::labels_of(self)
            }
        }

        impl $crate::series::Handle for $handle {
            type State = $state;

            fn from_series(series: $crate::series::SeriesArc<$state>) -> Self {
                Self { inner: series }
            }

            #[inline]
            fn series(&self) -> &$crate::series::SeriesArc<$state> {
                &self.inner
            }

            fn lookup_cache() -> &'static ::std::thread::LocalKey<$crate::lookup_cache::Cache<Self>>
            {
                thread_local! {
                    static CACHE: $crate::lookup_cache::Cache<$handle> =
                        const { $crate::lookup_cache::Cache::new() };
                }
                &CACHE
            }
        }

        impl $crate::MetricKind for $handle {}

        impl $crate::Collector for $handle {
            fn collect(
                &self,
                out: &mut Vec<$crate::MetricFamily>,
            ) -> Result<(), $crate::CollectError> {
                $crate::series::collect_visited(out, |v| self.visit(v))
            }

            fn describe(&self) -> Vec<$crate::Descriptor> {
                vec![(*self.inner.desc).clone()]
            }

            fn visit(&self, v: &mut dyn $crate::Visitor) -> Result<(), $crate::VisitFailure> {
                if v.family(self.inner.desc.family_ref())? {
                    let mut scratch = $crate::Scratch::default();
                    let created = self.inner.desc.created();
                    $crate::series::visit_series(self, v, &mut scratch, created)?;
                }
                Ok(())
            }
        }
    };
}
pub(crate) use metric_handle;

/// Writes `start_timer`, `time` and the duration report for a handle whose
/// timer `$reports` ("observes", "sets the gauge to") the elapsed seconds.
macro_rules! timed_handle {
    ($handle:ident, $reports:literal, |$metric:ident, $seconds:ident| $report:expr) => {
        impl $crate::timer::Report for $handle {
            fn report_seconds(&self, $seconds: f64) {
                let $metric = self;
                $report
            }
        }

        impl $crate::ObserveDuration for $handle {}

        impl $handle {
            #[doc = concat!("A timer that ", $reports, " the elapsed seconds when dropped.")]
            pub fn start_timer(&self) -> $crate::Timer<'_, Self> {
                $crate::Timer::new(self)
            }

            #[doc = concat!("Runs `f` and ", $reports, " how long it took, in seconds;")]
            /// the duration is reported even if `f` panics.
            pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
                let _timer = self.start_timer();
                f()
            }
        }
    };
}
pub(crate) use timed_handle;
