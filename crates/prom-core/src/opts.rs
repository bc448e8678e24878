use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::quantile::Objective;
use crate::window::WindowConfig;
use crate::{Descriptor, Error, MetricType, NativeHistogramOpts};

/// client_golang's default window: quantiles over the last 10 minutes.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(600);
/// client_golang's default number of streams the window is staggered over.
const DEFAULT_AGE_BUCKETS: u32 = 5;

/// A clock in [`Opts`], compared by identity.
#[derive(Debug, Clone)]
struct SharedClock(Arc<dyn Clock>);

impl PartialEq for SharedClock {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A family's validated lifecycle options (see [`Opts::max_series`]).
pub(crate) struct LifecycleOpts {
    pub(crate) metric: String,
    pub(crate) max: Option<usize>,
    pub(crate) overflow: Option<Vec<String>>,
    pub(crate) idle: Option<Duration>,
    pub(crate) clock: Option<Arc<dyn Clock>>,
}

/// Options shared by every metric constructor: name, help, and optionally
/// namespace, subsystem, unit, label names, (histograms only) buckets and
/// (summaries only) quantile objectives and their window.
///
/// The full name is `namespace_subsystem_name`, leaving out empty parts.
///
/// ```
/// use prom_core::{CounterVec, Opts};
/// let requests = CounterVec::new(
///     Opts::new("requests", "Requests served").namespace("shop").labels(["method"]),
/// ).unwrap();
/// requests.with_label_values(&["GET"]).unwrap().inc();
/// assert_eq!(requests.descriptor().name(), "shop_requests");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Opts {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) namespace: String,
    pub(crate) subsystem: String,
    pub(crate) unit: Option<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) buckets: Option<Vec<f64>>,
    pub(crate) native: Option<NativeHistogramOpts>,
    objectives: Option<Vec<(f64, f64)>>,
    states: Option<Vec<String>>,
    max_age: Option<Duration>,
    age_buckets: Option<u32>,
    clock: Option<SharedClock>,
    created: bool,
    max_series: Option<usize>,
    overflow: Option<Vec<String>>,
    expire_after: Option<Duration>,
}

impl Opts {
    /// Options with a name and a help text.
    pub fn new(name: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            help: help.into(),
            namespace: String::new(),
            subsystem: String::new(),
            unit: None,
            labels: Vec::new(),
            buckets: None,
            native: None,
            objectives: None,
            states: None,
            max_age: None,
            age_buckets: None,
            clock: None,
            created: true,
            max_series: None,
            overflow: None,
            expire_after: None,
        }
    }

    /// Leaves out the `_created` sample of this metric's series in
    /// OpenMetrics (client_python's `disable_created_metrics`, for one
    /// metric; a registry can leave them all out).
    pub fn without_created(mut self) -> Self {
        self.created = false;
        self
    }

    /// Prefixes the name with `namespace_`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Prefixes the name (after the namespace) with `subsystem_`.
    pub fn subsystem(mut self, subsystem: impl Into<String>) -> Self {
        self.subsystem = subsystem.into();
        self
    }

    /// Sets the unit, exposed as `# UNIT` in OpenMetrics; `_<unit>` is
    /// appended to the name unless it already ends with it.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the label names of a labelled family (`CounterVec` and co.).
    pub fn labels<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets histogram bucket upper bounds (validated when the histogram is
    /// built; `+Inf` is added if absent). Other metric types refuse them.
    pub fn buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.buckets = Some(buckets.into());
        self
    }

    /// The resolution, zero bucket and bucket limit of a
    /// [`NativeHistogram`](crate::NativeHistogram) (or
    /// [`NativeHistogramVec`](crate::NativeHistogramVec)); other metric
    /// types, the classic [`Histogram`](crate::Histogram) included, refuse
    /// them. With [`Opts::buckets`] too, the native histogram also keeps
    /// those classic buckets, as client_golang's histogram with both.
    ///
    /// ```
    /// use prom_core::{NativeHistogramOpts, NativeHistogramVec, Opts};
    /// let latency = NativeHistogramVec::new(
    ///     Opts::new("latency_seconds", "Latency.")
    ///         .labels(["route"])
    ///         .native(NativeHistogramOpts::new().schema(3)?)
    ///         .buckets([0.1, 1.0]),
    /// )?;
    /// latency.with(&["/"], |h| h.observe(0.25))?;
    /// let reading = latency.with(&["/"], |h| h.get())?;
    /// assert_eq!((reading.count, reading.classic.as_slice()), (1, &[(0.1, 0), (1.0, 1)][..]));
    /// # Ok::<(), prom_core::Error>(())
    /// ```
    pub fn native(mut self, native: NativeHistogramOpts) -> Self {
        self.native = Some(native);
        self
    }

    /// Summary quantiles to compute, each with its allowed rank error: with
    /// `(0.99, 0.001)` the reported value's rank is between 0.989 and 0.991
    /// of the observations in the window (client_golang's `Objectives`).
    /// Without objectives a summary exposes only its count and sum, as
    /// client_python's does. Validated when the summary is built: each
    /// quantile and error strictly between 0 and 1, no quantile twice.
    ///
    /// ```
    /// use prom_core::{Opts, Summary};
    /// let s = Summary::with_opts(
    ///     Opts::new("rpc_seconds", "RPC latency.").objectives([(0.5, 0.05), (0.99, 0.001)]),
    /// )
    /// .unwrap();
    /// for v in 1..=100 {
    ///     s.observe(f64::from(v));
    /// }
    /// let q = s.get().quantiles;
    /// // Within 5 ranks of the 50th of 100, and exactly the 99th.
    /// assert_eq!(q[0].quantile, 0.5);
    /// assert!((45.0..=55.0).contains(&q[0].value));
    /// assert_eq!((q[1].quantile, q[1].value), (0.99, 99.0));
    /// ```
    pub fn objectives(mut self, objectives: impl IntoIterator<Item = (f64, f64)>) -> Self {
        self.objectives = Some(objectives.into_iter().collect());
        self
    }

    /// How long an observation counts toward a summary's quantiles (default
    /// 10 minutes, client_golang's `MaxAge`).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// How many streams the quantile window is staggered over (default 5,
    /// client_golang's `AgeBuckets`): the window moves on every
    /// `max_age / age_buckets`, and the quantiles cover the last `max_age`
    /// less at most one such step.
    pub fn age_buckets(mut self, age_buckets: u32) -> Self {
        self.age_buckets = Some(age_buckets);
        self
    }

    /// A family's ceiling on series: past `max` children, looking up new
    /// label values fails with [`Error::TooManySeries`] (or gets the
    /// [overflow series](Opts::overflow_series), if there is one), and the
    /// family's `<name>_series_refused_total` counts each such lookup;
    /// existing children keep working. Families only: one bad label value
    /// cannot eat the process's memory.
    ///
    /// ```
    /// use prom_core::{CounterVec, Opts};
    /// let hits = CounterVec::new(Opts::new("hits", "").labels(["user"]).max_series(2)).unwrap();
    /// hits.with_label_values(&["ann"]).unwrap().inc();
    /// hits.with_label_values(&["bob"]).unwrap().inc();
    /// let err = hits.with_label_values(&["cid"]).unwrap_err();
    /// assert_eq!(err.to_string(), "metric \"hits\" already has 2 series, its maximum: no new series for label values [\"cid\"]");
    /// hits.with_label_values(&["ann"]).unwrap().inc(); // existing children work
    /// ```
    pub fn max_series(mut self, max: usize) -> Self {
        self.max_series = Some(max);
        self
    }

    /// With [`Opts::max_series`]: lookups past the ceiling get the series of
    /// these label values (one per label, e.g. `["other"]`) instead of an
    /// error. It is created when first needed, beyond the ceiling.
    ///
    /// ```
    /// use prom_core::{CounterVec, Opts};
    /// let hits = CounterVec::new(
    ///     Opts::new("hits", "").labels(["user"]).max_series(1).overflow_series(["other"]),
    /// ).unwrap();
    /// hits.with_label_values(&["ann"]).unwrap().inc();
    /// hits.with_label_values(&["bob"]).unwrap().inc(); // counted under user="other"
    /// assert_eq!(hits.with_label_values(&["other"]).unwrap().get(), 1.0);
    /// ```
    pub fn overflow_series<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.overflow = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// Removes a family's children whose exposed value has not changed for
    /// `idle`: a counter not increased, a gauge not set to another value, a
    /// histogram or summary with no new observation, an info or enum not
    /// changed. Checked on each scrape of the family (and by
    /// [`Family::remove_idle`](crate::Family::remove_idle)): no thread of
    /// ours, nothing on the update path. A child is dropped on the first
    /// scrape that finds it idle for `idle` since a scrape saw it change (or
    /// saw it first), and is not exposed by that scrape. Families only.
    ///
    /// ```
    /// use std::time::Duration;
    /// use prom_core::{collect, GaugeVec, ManualClock, Opts};
    /// let clock = ManualClock::new();
    /// let queue = GaugeVec::new(
    ///     Opts::new("queue", "").labels(["name"]).expire_after(Duration::from_secs(60)).clock(clock.clone()),
    /// ).unwrap();
    /// queue.with_label_values(&["mail"]).unwrap().set(3.0);
    /// collect(&queue).unwrap(); // seen
    /// clock.advance(Duration::from_secs(61));
    /// assert!(collect(&queue).unwrap()[0].metrics.is_empty()); // idle: gone
    /// assert_eq!(queue.len(), 0);
    /// ```
    pub fn expire_after(mut self, idle: Duration) -> Self {
        self.expire_after = Some(idle);
        self
    }

    /// The family options, validated against the family's label names.
    pub(crate) fn lifecycle(&self, label_count: usize) -> Result<LifecycleOpts, Error> {
        let metric = || self.full_name();
        if let Some(values) = &self.overflow {
            if self.max_series.is_none() {
                return Err(Error::InvalidLifecycle {
                    metric: metric(),
                    reason: "an overflow series without a maximum number of series".into(),
                });
            }
            if values.len() != label_count {
                return Err(Error::LabelCount {
                    metric: metric(),
                    expected: label_count,
                    got: values.len(),
                });
            }
        }
        if self.expire_after.is_some_and(|d| d.is_zero()) {
            return Err(Error::InvalidLifecycle {
                metric: metric(),
                reason: "an idle time of zero".into(),
            });
        }
        Ok(LifecycleOpts {
            metric: metric(),
            max: self.max_series,
            overflow: self.overflow.clone(),
            idle: self.expire_after,
            clock: self.clock.as_ref().map(|c| Arc::clone(&c.0)),
        })
    }

    /// The clock a summary's window ages observations by, and a family's
    /// [idle expiry](Opts::expire_after) measures by (default the
    /// process's monotonic clock); [`ManualClock`](crate::ManualClock) moves
    /// only when told, for tests.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(SharedClock(Arc::new(clock)));
        self
    }

    /// An [`Enum`](crate::Enum)'s states, in order; the first is the
    /// default. Validated when the enum is built: at least one, none twice.
    pub fn states<I, S>(mut self, states: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.states = Some(states.into_iter().map(Into::into).collect());
        self
    }

    /// The validated states of an enum.
    pub(crate) fn enum_states(&self) -> Result<Arc<[Box<str>]>, Error> {
        let bad = |reason: String| Error::InvalidStates {
            reason: format!("{:?}: {reason}", self.full_name()),
        };
        let states = self.states.as_deref().unwrap_or_default();
        if states.is_empty() {
            return Err(bad("no states were given (Opts::states)".into()));
        }
        if let Some((_, s)) = states
            .iter()
            .enumerate()
            .find(|(i, s)| states[..*i].contains(s))
        {
            return Err(bad(format!("state {s:?} is given twice")));
        }
        Ok(states.iter().map(|s| Box::from(s.as_str())).collect())
    }

    /// The validated quantile window of a summary, `None` without objectives.
    pub(crate) fn window(&self) -> Result<Option<WindowConfig>, Error> {
        let bad = |reason: String| Error::InvalidSummary {
            reason: format!("{:?}: {reason}", self.full_name()),
        };
        let Some(given) = &self.objectives else {
            if self.max_age.is_some() || self.age_buckets.is_some() {
                return Err(bad("a max age or age buckets without objectives".into()));
            }
            return Ok(None);
        };
        let mut objectives = Vec::with_capacity(given.len());
        for &(quantile, error) in given {
            if !(quantile > 0.0 && quantile < 1.0) {
                return Err(bad(format!("quantile {quantile} is not between 0 and 1")));
            }
            if !(error > 0.0 && error < 1.0) {
                return Err(bad(format!(
                    "the rank error {error} of quantile {quantile} is not between 0 and 1"
                )));
            }
            objectives.push(Objective { quantile, error });
        }
        objectives.sort_by(|a, b| a.quantile.total_cmp(&b.quantile));
        if let Some(w) = objectives
            .windows(2)
            .find(|w| w[0].quantile == w[1].quantile)
        {
            return Err(bad(format!("quantile {} is given twice", w[0].quantile)));
        }
        if objectives.is_empty() {
            return Err(bad("an empty list of objectives".into()));
        }
        let max_age = self.max_age.unwrap_or(DEFAULT_MAX_AGE);
        if max_age.is_zero() {
            return Err(bad("a max age of zero".into()));
        }
        let age_buckets = self.age_buckets.unwrap_or(DEFAULT_AGE_BUCKETS);
        if age_buckets == 0 {
            return Err(bad("zero age buckets".into()));
        }
        let clock = match &self.clock {
            Some(c) => Arc::clone(&c.0),
            None => Arc::new(SystemClock::new()),
        };
        Ok(Some(WindowConfig {
            objectives: objectives.into(),
            max_age,
            age_buckets,
            clock,
        }))
    }

    /// The full name: `namespace_subsystem_name` without empty parts.
    pub fn full_name(&self) -> String {
        [&self.namespace, &self.subsystem, &self.name]
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("_")
    }

    pub(crate) fn descriptor(&self, metric_type: MetricType) -> Result<Descriptor, Error> {
        if self.buckets.is_some() && metric_type != MetricType::Histogram {
            return Err(Error::InvalidBuckets {
                reason: format!(
                    "buckets were given for {:?}, a {}; only histograms have buckets",
                    self.full_name(),
                    metric_type.as_str()
                ),
            });
        }
        if self.native.is_some() && metric_type != MetricType::Histogram {
            return Err(Error::InvalidNativeHistogram {
                reason: format!(
                    "native histogram options were given for {:?}, a {}; only native histograms have them",
                    self.full_name(),
                    metric_type.as_str()
                ),
            });
        }
        let summary_options = self.objectives.is_some()
            || self.max_age.is_some()
            || self.age_buckets.is_some()
            || self.clock.is_some() && self.expire_after.is_none();
        if summary_options && metric_type != MetricType::Summary {
            return Err(Error::InvalidSummary {
                reason: format!(
                    "quantile options were given for {:?}, a {}; only summaries have them",
                    self.full_name(),
                    metric_type.as_str()
                ),
            });
        }
        if self.states.is_some() && metric_type != MetricType::StateSet {
            return Err(Error::InvalidStates {
                reason: format!(
                    "states were given for {:?}, a {}; only enums have them",
                    self.full_name(),
                    metric_type.as_str()
                ),
            });
        }
        let desc = Descriptor::new(
            &self.full_name(),
            &self.help,
            metric_type,
            self.unit.as_deref(),
            &self.labels,
        )?;
        Ok(if self.created {
            desc
        } else {
            desc.without_created()
        })
    }
}
