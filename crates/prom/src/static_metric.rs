//! Metrics declared at module level with [`static_metrics!`](crate::static_metrics):
//! checked when compiling, registered in the default registry when first
//! touched.

use std::fmt;
use std::ops::Deref;
use std::sync::{Mutex, OnceLock, PoisonError};

use prom_core::{Collector, Counter, Family, Gauge, Histogram, MetricKind, Opts, Summary};
use prom_registry::RegistryError;

mod sealed {
    pub trait Sealed {}
}

/// The metric types a static metric can hold: [`Counter`], [`Gauge`],
/// [`Histogram`], [`Summary`] and their labelled families
/// ([`CounterVec`](crate::CounterVec), …). Sealed.
pub trait Declarable: sealed::Sealed + Collector + Clone + Send + Sync + 'static {
    /// Builds the metric; the macro has checked the options when compiling.
    #[doc(hidden)]
    fn build(opts: Opts) -> Result<Self, prom_core::Error>;
}

macro_rules! declarable {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Declarable for $t {
            fn build(opts: Opts) -> Result<Self, prom_core::Error> {
                <$t>::with_opts(opts)
            }
        }
    )*};
}
declarable!(Counter, Gauge, Histogram, Summary);

impl<M: MetricKind> sealed::Sealed for Family<M> {}
impl<M: MetricKind> Declarable for Family<M>
where
    Family<M>: Collector,
{
    fn build(opts: Opts) -> Result<Self, prom_core::Error> {
        Family::new(opts)
    }
}

/// A metric declared with [`static_metrics!`](crate::static_metrics): a
/// `static` whose name, label names and buckets were checked when compiling,
/// and which registers in the [default registry](crate::default_registry)
/// the first time it is touched. It dereferences to the metric, `M`; `N` is
/// its number of label names, so that a labelled lookup with another number
/// of values does not compile.
///
/// ```
/// prom::static_metrics! {
///     /// Jobs done, by queue.
///     static JOBS: CounterVec = ("jobs_done_total", "Jobs done.", labels = ["queue"]);
/// }
///
/// JOBS.child(["mail"]).inc(); // registers now, in the default registry
/// let text = prom::codec::Encoder::text().encode_to_string(&prom::default_registry().gather_names(&["jobs_done_total"])?)?;
/// assert_eq!(text, "# HELP jobs_done_total Jobs done.\n# TYPE jobs_done_total counter\njobs_done_total{queue=\"mail\"} 1\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Duplicate names
/// Registration can still fail when the program runs: another collector
/// may already expose one of the metric's names (two statics named alike in
/// different modules, or a metric registered by other code). That is a
/// mistake in the program, fixed in the program, so it is not left to be
/// discovered in a dashboard: the first touch **panics** with a message
/// naming this static, the clashing series and, when it is a static metric
/// too, the other static — and so does every later touch. To check at
/// startup instead, or to handle the error, call [`StaticMetric::try_force`]
/// early, which returns the same error as a value.
pub struct StaticMetric<M, const N: usize = 0> {
    declared: Declared<N>,
    metric: OnceLock<Result<M, StaticMetricError>>,
}

/// What the macro wrote down about the static.
struct Declared<const N: usize> {
    path: &'static str,
    file: &'static str,
    line: u32,
    name: &'static str,
    help: &'static str,
    labels: [&'static str; N],
    buckets: &'static [f64],
}

impl<M, const N: usize> StaticMetric<M, N> {
    /// What [`static_metrics!`](crate::static_metrics) expands to; not
    /// meant to be called by hand, since it checks nothing.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __declare(
        path: &'static str,
        file: &'static str,
        line: u32,
        name: &'static str,
        help: &'static str,
        labels: [&'static str; N],
        buckets: &'static [f64],
    ) -> Self {
        Self {
            declared: Declared {
                path,
                file,
                line,
                name,
                help,
                labels,
                buckets,
            },
            metric: OnceLock::new(),
        }
    }

    /// The metric name as declared (a counter's `_total` included), without
    /// touching the metric.
    ///
    /// ```
    /// prom::static_metrics! { static JOBS: Counter = ("jobs_done_total", ""); }
    /// assert_eq!(prom::StaticMetric::name(&JOBS), "jobs_done_total");
    /// ```
    pub fn name(this: &Self) -> &'static str {
        this.declared.name
    }
}

impl<M: Declarable, const N: usize> StaticMetric<M, N> {
    /// The metric, registering it first if this is the first touch; the
    /// registration error otherwise (the same on every call).
    ///
    /// ```
    /// prom::static_metrics! {
    ///     static A: Counter = ("try_force_jobs", "");
    ///     static B: Gauge = ("try_force_jobs_total", "");
    /// }
    /// assert!(prom::StaticMetric::try_force(&A).is_ok());
    /// let err = prom::StaticMetric::try_force(&B).unwrap_err();
    /// assert!(err.to_string().contains("duplicated time series \"try_force_jobs_total\""));
    /// ```
    ///
    /// # Errors
    /// The [`StaticMetricError`] of the first touch: a name another collector
    /// of the default registry already exposes.
    pub fn try_force(this: &Self) -> Result<&M, &StaticMetricError> {
        this.metric.get_or_init(|| this.register()).as_ref()
    }

    /// The metric, registering it first if this is the first touch (what
    /// dereferencing does).
    ///
    /// ```
    /// prom::static_metrics! { static UP: Gauge = ("force_up", ""); }
    /// let up: &prom::Gauge = prom::StaticMetric::force(&UP);
    /// up.set(1.0);
    /// assert_eq!(UP.get(), 1.0);
    /// ```
    ///
    /// # Panics
    /// When the metric could not be registered, with the message of
    /// [`StaticMetric::try_force`]'s error.
    #[track_caller]
    pub fn force(this: &Self) -> &M {
        match Self::try_force(this) {
            Ok(metric) => metric,
            Err(e) => panic!("{e}"),
        }
    }

    fn register(&self) -> Result<M, StaticMetricError> {
        let d = &self.declared;
        let failed = |cause| StaticMetricError {
            path: d.path,
            file: d.file,
            line: d.line,
            cause,
        };
        let mut opts = Opts::new(d.name, d.help).labels(d.labels);
        if !d.buckets.is_empty() {
            opts = opts.buckets(d.buckets);
        }
        // The macro checked the options as prom-core does, so this fails
        // only if the two disagree.
        let metric = M::build(opts).map_err(|e| failed(Cause::Invalid(e)))?;
        // Held across the registration, so that a clash always finds the
        // static it clashes with already listed.
        let mut registered = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
        match crate::default_registry().register(metric.clone()) {
            Ok(_) => {
                registered.push(Registered {
                    path: d.path,
                    file: d.file,
                    line: d.line,
                    names: sample_names(&metric),
                });
                Ok(metric)
            }
            Err(e) => {
                let other = match &e {
                    RegistryError::Duplicate { name } => registered
                        .iter()
                        .find(|r| r.names.contains(name))
                        .map(|r| (r.path, r.file, r.line)),
                    _ => None,
                };
                Err(failed(Cause::Registry(e, other)))
            }
        }
    }
}

impl<M: MetricKind, const N: usize> StaticMetric<Family<M>, N>
where
    Family<M>: Declarable,
{
    /// The child of these label values, created on first use. The number
    /// of values is checked when compiling, so there is no error to handle.
    ///
    /// ```
    /// prom::static_metrics! {
    ///     static HITS: CounterVec = ("cache_hits", "", labels = ["cache", "tier"]);
    /// }
    /// HITS.child(["users", "l1"]).inc();
    /// assert_eq!(HITS.child(["users", "l1"]).get(), 1.0);
    /// ```
    ///
    /// ```compile_fail
    /// prom::static_metrics! {
    ///     static HITS: CounterVec = ("cache_hits", "", labels = ["cache", "tier"]);
    /// }
    /// HITS.child(["users"]); // two label names, one value
    /// ```
    ///
    /// # Panics
    /// As dereferencing: when the family could not be registered.
    #[track_caller]
    pub fn child(&self, values: [&str; N]) -> M {
        match Self::force(self).with_label_values(&values) {
            Ok(child) => child,
            // The count is right by type, and a static family has no
            // series limit; nothing else fails.
            Err(e) => panic!("static metric {}: {e}", self.declared.path),
        }
    }
}

impl<M: Declarable, const N: usize> Deref for StaticMetric<M, N> {
    type Target = M;

    /// Registers the metric on first touch.
    ///
    /// # Panics
    /// See [`StaticMetric::force`].
    #[track_caller]
    fn deref(&self) -> &M {
        Self::force(self)
    }
}

impl<M: fmt::Debug, const N: usize> fmt::Debug for StaticMetric<M, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticMetric")
            .field("path", &self.declared.path)
            .field("name", &self.declared.name)
            .field("labels", &self.declared.labels)
            .field("metric", &self.metric.get())
            .finish()
    }
}

/// The statics registered so far, with the sample names each exposes, so
/// that a clash can name the other static.
static REGISTERED: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

struct Registered {
    path: &'static str,
    file: &'static str,
    line: u32,
    names: Vec<String>,
}

fn sample_names(metric: &impl Collector) -> Vec<String> {
    metric
        .describe()
        .iter()
        .flat_map(|d| prom_core::sample_names(d.name(), d.metric_type()).collect::<Vec<_>>())
        .collect()
}

/// Why a static metric could not be registered: another collector of the
/// default registry already exposes one of its names.
///
/// Its message names the static (its module path, and the file and line of
/// its declaration), the clashing series, and the other static when the
/// clash is with one.
#[derive(Debug)]
pub struct StaticMetricError {
    path: &'static str,
    file: &'static str,
    line: u32,
    cause: Cause,
}

#[derive(Debug)]
enum Cause {
    /// Refused by the registry; the other static, if the clash is with one.
    Registry(RegistryError, Option<(&'static str, &'static str, u32)>),
    /// Refused by prom-core, where the macro's checks passed.
    Invalid(prom_core::Error),
}

impl StaticMetricError {
    /// The module path of the static (`my_crate::metrics::REQUESTS`).
    ///
    /// ```
    /// prom::static_metrics! {
    ///     static A: Counter = ("path_jobs", "");
    ///     static B: Counter = ("path_jobs", "");
    /// }
    /// A.inc();
    /// let err = prom::StaticMetric::try_force(&B).unwrap_err();
    /// assert!(err.path().ends_with("::B"));
    /// ```
    pub fn path(&self) -> &'static str {
        self.path
    }
}

impl fmt::Display for StaticMetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            path, file, line, ..
        } = self;
        match &self.cause {
            Cause::Registry(e, other) => {
                write!(f, "static metric {path} ({file}:{line}) cannot be registered in the default registry: {e}")?;
                match other {
                    Some((path, file, line)) => {
                        write!(f, ": the static metric {path} ({file}:{line})")
                    }
                    None => f.write_str(" (a collector registered without static_metrics!)"),
                }
            }
            Cause::Invalid(e) => write!(f, "static metric {path} ({file}:{line}) is invalid: {e}"),
        }
    }
}

impl std::error::Error for StaticMetricError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Registry(e, _) => Some(e),
            Cause::Invalid(e) => Some(e),
        }
    }
}
