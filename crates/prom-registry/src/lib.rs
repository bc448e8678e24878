//! The collector registry of **prom**, and the process-wide default registry.
//!
//! A [`Registry`] holds collectors (metrics, families, custom collectors),
//! refuses two that would expose the same time series, and gathers their
//! families for an exporter. It is itself a [`Collector`], which is how
//! exporters (that do not depend on this crate) consume it.
//!
//! ```
//! use prom_core::Counter;
//! use prom_registry::Registry;
//!
//! let registry = Registry::new();
//! let c = Counter::new("requests", "Requests served").unwrap();
//! registry.register(c.clone()).unwrap();
//! // The same name again is refused, naming it:
//! let err = registry.register(Counter::new("requests_total", "again").unwrap()).unwrap_err();
//! assert!(err.to_string().contains("requests"));
//! c.inc();
//! assert_eq!(registry.gather().unwrap().len(), 1);
//! ```
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use prom_core::{
    CollectError, Collector, Descriptor, FamilyRef, MetricFamily, SeriesRef, VisitError,
    VisitFailure, Visitor,
};

/// Why a registry refused a collector.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// A time series name the collector exposes is already exposed by
    /// another registered collector.
    Duplicate {
        /// The sample name both would expose (e.g. `requests_total`).
        name: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Duplicate { name } => write!(
                f,
                "duplicated time series {name:?}: another registered collector already exposes it"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}

/// Identifies a registered collector, for [`Registry::unregister`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CollectorId(u64);

struct Entry {
    collector: Arc<dyn Collector>,
    names: Vec<String>,
    /// How errors name this collector: its type when known, and the
    /// families it declares.
    label: Arc<str>,
}

/// A registered collector with its name, as a gather runs it.
#[derive(Clone)]
struct Member {
    collector: Arc<dyn Collector>,
    label: Arc<str>,
}

impl Member {
    /// Runs `f` on the collector; a panic becomes a [`CollectError`]
    /// naming the collector, so one broken collector fails the scrape
    /// instead of the thread serving it.
    fn guarded<T, E>(&self, f: impl FnOnce(&dyn Collector) -> Result<T, E>) -> Result<T, E>
    where
        E: From<CollectError>,
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&*self.collector)))
            .unwrap_or_else(|payload| Err(CollectError::from_panic(&*self.label, payload).into()))
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.guarded(|c| c.collect(out))
    }
}

/// How errors name a collector: `type (families a, b)`, either part left
/// out when unknown.
fn label(type_name: Option<&str>, descriptors: &[Descriptor], id: u64) -> Arc<str> {
    let families: Vec<&str> = descriptors.iter().map(|d| d.name()).collect();
    let families = families.join(", ");
    match (type_name, families.is_empty()) {
        (Some(t), false) => format!("{t} ({families})"),
        (Some(t), true) => t.to_owned(),
        (None, false) => families,
        (None, true) => format!("collector #{id}"),
    }
    .into()
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    // Ordered by id, so gathering follows registration order.
    collectors: BTreeMap<u64, Entry>,
    names: HashMap<String, u64>,
}

/// A set of collectors gathered together.
///
/// Registration and unregistration take a write lock; gathering takes a read
/// lock only to copy the collector list, then collects without it.
#[derive(Default)]
pub struct Registry {
    inner: RwLock<Inner>,
    /// Set by [`Registry::disable_created`].
    without_created: AtomicBool,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.read();
        f.debug_struct("Registry")
            .field("collectors", &inner.collectors.len())
            .field("names", &inner.names.len())
            .finish()
    }
}

impl Entry {
    fn member(&self) -> Member {
        Member {
            collector: Arc::clone(&self.collector),
            label: Arc::clone(&self.label),
        }
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // Every write below completes before it could panic; the data stays consistent.
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers `collector` (a metric handle, a family, a registry, a custom
    /// collector). The names its [`Collector::describe`] declares, with every
    /// sample suffix (`_total`, `_bucket`, …), must be new to this registry.
    ///
    /// # Errors
    /// [`RegistryError::Duplicate`] naming the first clashing series; nothing
    /// is registered then.
    pub fn register(
        &self,
        collector: impl Collector + 'static,
    ) -> Result<CollectorId, RegistryError> {
        let type_name = std::any::type_name_of_val(&collector);
        // A boxed or shared trait object's type says nothing about it; a
        // generic one is named without its parameters (a closure's type
        // is noise).
        let type_name = (!type_name.contains("<dyn "))
            .then(|| type_name.split('<').next().unwrap_or(type_name));
        self.add(Arc::new(collector), type_name)
    }

    /// Registers a shared collector; see [`Registry::register`].
    ///
    /// # Errors
    /// As [`Registry::register`].
    pub fn register_arc(
        &self,
        collector: Arc<dyn Collector>,
    ) -> Result<CollectorId, RegistryError> {
        self.add(collector, None)
    }

    fn add(
        &self,
        collector: Arc<dyn Collector>,
        type_name: Option<&str>,
    ) -> Result<CollectorId, RegistryError> {
        let descriptors = collector.describe();
        let names: Vec<String> = descriptors
            .iter()
            .flat_map(Descriptor::sample_names)
            .collect();
        let mut inner = self.write();
        for (i, name) in names.iter().enumerate() {
            // A collector may declare a name twice (two families with
            // overlapping suffixes): that is a clash within itself.
            if inner.names.contains_key(name) || names[..i].contains(name) {
                return Err(RegistryError::Duplicate { name: name.clone() });
            }
        }
        let id = inner.next_id;
        inner.next_id += 1;
        for name in &names {
            inner.names.insert(name.clone(), id);
        }
        let label = label(type_name, &descriptors, id);
        inner.collectors.insert(
            id,
            Entry {
                collector,
                names,
                label,
            },
        );
        Ok(CollectorId(id))
    }

    /// Removes a collector; returns whether it was registered. Its names
    /// become free again.
    pub fn unregister(&self, id: CollectorId) -> bool {
        let mut inner = self.write();
        match inner.collectors.remove(&id.0) {
            Some(entry) => {
                for name in &entry.names {
                    inner.names.remove(name);
                }
                true
            }
            None => false,
        }
    }

    /// The number of registered collectors.
    pub fn len(&self) -> usize {
        self.read().collectors.len()
    }

    /// Whether no collector is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn snapshot(&self) -> Vec<Member> {
        self.read().collectors.values().map(Entry::member).collect()
    }

    /// Collects every registered collector, in registration order.
    ///
    /// # Errors
    /// The first collector failure; the families of the others are dropped,
    /// as a partial scrape would be misread as metrics disappearing.
    pub fn gather(&self) -> Result<Vec<MetricFamily>, CollectError> {
        let mut out = Vec::new();
        self.collect(&mut out)?;
        Ok(out)
    }

    /// Collects only the families exposing one of `names`, a family name or
    /// one of its sample names (`requests_total`, `latency_bucket`); the
    /// `name[]` filter of client_python's HTTP handler. Unknown names select
    /// nothing.
    ///
    /// Collectors whose declared names are all outside `names` are not run.
    ///
    /// # Errors
    /// As [`Registry::gather`].
    pub fn gather_names<S: AsRef<str>>(
        &self,
        names: &[S],
    ) -> Result<Vec<MetricFamily>, CollectError> {
        let collectors: Vec<Member> = {
            let inner = self.read();
            inner
                .collectors
                .values()
                .filter(|e| {
                    e.names.is_empty()
                        || names
                            .iter()
                            .any(|n| e.names.iter().any(|x| x == n.as_ref()))
                })
                .map(Entry::member)
                .collect()
        };
        let mut out = Vec::new();
        for c in collectors {
            c.collect(&mut out)?;
        }
        self.strip_created(&mut out);
        out.retain(|f| names.iter().any(|n| f.exposes(n.as_ref())));
        Ok(out)
    }

    /// The value of one sample as this registry exposes it — its name with
    /// its suffix (`requests_total`, `latency_seconds_bucket`), and exactly
    /// its labels, `le` or `quantile` included — or `None` when there is no
    /// such sample (client_python's `get_sample_value`, for tests). Only the
    /// collectors that may expose it run.
    ///
    /// ```
    /// use prom_registry::Registry;
    /// use prom_core::{CounterVec, Opts};
    /// let registry = Registry::new();
    /// let requests = CounterVec::new(Opts::new("requests", "").labels(["method"])).unwrap();
    /// registry.register(Box::new(requests.clone())).unwrap();
    /// requests.with_label_values(&["GET"]).unwrap().inc_by(3.0).unwrap();
    /// assert_eq!(registry.get_sample_value("requests_total", &[("method", "GET")])?, Some(3.0));
    /// assert_eq!(registry.get_sample_value("requests_total", &[("method", "PUT")])?, None);
    /// assert_eq!(registry.get_sample_value("requests_total", &[])?, None);
    /// # Ok::<(), prom_core::CollectError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::gather`], for the collectors run.
    pub fn get_sample_value(
        &self,
        sample: &str,
        labels: &[(&str, &str)],
    ) -> Result<Option<f64>, CollectError> {
        Ok(self
            .gather_names(&[sample])?
            .iter()
            .find_map(|f| f.sample_value(sample, labels)))
    }
}

impl Registry {
    /// Leaves out every `_created` sample this registry exposes from now on
    /// (client_python's `disable_created_metrics`; one metric can leave its
    /// own out with `Opts::without_created`). The default registry starts
    /// this way when the environment variable
    /// `PROMETHEUS_DISABLE_CREATED_SERIES` is `true`, `1` or `t` (any case),
    /// as client_python's does.
    ///
    /// ```
    /// use prom_core::{Collector, Counter};
    /// let r = prom_registry::Registry::new();
    /// r.register(Counter::new("jobs", "").unwrap()).unwrap();
    /// assert!(r.gather().unwrap()[0].metrics[0].created.is_some());
    /// r.disable_created();
    /// assert!(r.gather().unwrap()[0].metrics[0].created.is_none());
    /// ```
    pub fn disable_created(&self) {
        self.without_created.store(true, Ordering::Relaxed);
    }

    /// Exposes `_created` samples again after [`Registry::disable_created`].
    pub fn enable_created(&self) {
        self.without_created.store(false, Ordering::Relaxed);
    }

    fn created_disabled(&self) -> bool {
        self.without_created.load(Ordering::Relaxed)
    }

    /// Takes the created times out of `families` if they are disabled.
    fn strip_created(&self, families: &mut [MetricFamily]) {
        if self.created_disabled() {
            for metric in families.iter_mut().flat_map(|f| &mut f.metrics) {
                metric.created = None;
            }
        }
    }
}

/// Hands series on without their created time.
struct WithoutCreated<'v>(&'v mut dyn Visitor);

impl Visitor for WithoutCreated<'_> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.0.family(family)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.0.series(&SeriesRef {
            created: None,
            ..*series
        })
    }
}

impl Collector for Registry {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        let start = out.len();
        for member in self.snapshot() {
            member.collect(out)?;
        }
        self.strip_created(&mut out[start..]);
        Ok(())
    }

    fn describe(&self) -> Vec<Descriptor> {
        self.snapshot()
            .iter()
            .flat_map(|m| m.collector.describe())
            .collect()
    }

    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        let mut without = WithoutCreated(visitor);
        let visitor: &mut dyn Visitor = if self.created_disabled() {
            &mut without
        } else {
            without.0
        };
        for member in self.snapshot() {
            member.guarded(|c| c.visit(&mut *visitor))?;
        }
        Ok(())
    }
}

/// The process-wide default registry, created on first use. The facade
/// crate's constructors register here, as client_python's module-level
/// metrics do.
pub fn default_registry() -> &'static Registry {
    static DEFAULT: OnceLock<Registry> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        let registry = Registry::new();
        let disabled = std::env::var("PROMETHEUS_DISABLE_CREATED_SERIES")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "t"));
        if disabled {
            registry.disable_created();
        }
        registry
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prom_core::{Counter, CounterVec, FnCollector, Gauge, Histogram, Opts};

    #[test]
    fn duplicates_across_suffixes_are_refused() {
        let r = Registry::new();
        r.register(Histogram::new("latency", "").unwrap()).unwrap();
        // A gauge named like a histogram sample clashes.
        assert_eq!(
            r.register(Gauge::new("latency_bucket", "").unwrap()),
            Err(RegistryError::Duplicate {
                name: "latency_bucket".into()
            })
        );
        r.register(Counter::new("x_total", "").unwrap()).unwrap();
        assert!(r.register(Gauge::new("x_created", "").unwrap()).is_err());
        assert!(r.register(Gauge::new("x", "").unwrap()).is_err());
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn unregister_frees_names() {
        let r = Registry::new();
        let id = r.register(Counter::new("c", "").unwrap()).unwrap();
        assert!(r.unregister(id));
        assert!(!r.unregister(id));
        r.register(Counter::new("c", "").unwrap()).unwrap();
    }

    #[test]
    fn gather_names_filters_by_family_and_sample_name() {
        let r = Registry::new();
        let a = CounterVec::new(Opts::new("a", "").labels(["x"])).unwrap();
        a.with_label_values(&["1"]).unwrap().inc();
        r.register(a).unwrap();
        r.register(Gauge::new("b", "").unwrap()).unwrap();
        r.register(FnCollector::new(|_| Ok(()))).unwrap();
        let names =
            |fams: Vec<MetricFamily>| fams.iter().map(|f| f.name.to_string()).collect::<Vec<_>>();
        assert_eq!(names(r.gather_names(&["a_total"]).unwrap()), ["a"]);
        assert_eq!(names(r.gather_names(&["b", "a"]).unwrap()), ["a", "b"]);
        assert!(r.gather_names(&["nope"]).unwrap().is_empty());
        assert_eq!(names(r.gather().unwrap()), ["a", "b"]);
    }

    #[test]
    fn a_failing_collector_fails_the_gather() {
        let r = Registry::new();
        r.register(FnCollector::new(|_| {
            Err(CollectError::new("broken", "disk on fire"))
        }))
        .unwrap();
        let err = r.gather().unwrap_err();
        assert!(err.to_string().contains("broken"), "{err}");
    }

    struct Exploding;

    impl Collector for Exploding {
        fn collect(&self, _: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
            panic!("sensor bus reset");
        }

        fn describe(&self) -> Vec<Descriptor> {
            let labels: [&str; 0] = [];
            vec![Descriptor::new(
                "sensor_celsius",
                "",
                prom_core::MetricType::Gauge,
                None,
                &labels,
            )
            .unwrap()]
        }
    }

    #[test]
    fn a_panicking_collector_fails_the_gather_naming_it_and_the_next_gather_runs() {
        let r = Registry::new();
        r.register(prom_core::Gauge::new("up", "").unwrap())
            .unwrap();
        let id = r.register(Exploding).unwrap();
        for err in [
            r.gather().unwrap_err(),
            prom_core::collect(&r).unwrap_err(),
            r.gather_names(&["sensor_celsius"]).unwrap_err(),
        ] {
            assert_eq!(
                err.collector(),
                "prom_registry::tests::Exploding (sensor_celsius)"
            );
            assert!(
                err.to_string().contains("panicked: sensor bus reset"),
                "{err}"
            );
        }
        struct Ignore;
        impl Visitor for Ignore {
            fn family(&mut self, _: FamilyRef<'_>) -> Result<bool, VisitError> {
                Ok(true)
            }
            fn series(&mut self, _: &SeriesRef<'_>) -> Result<(), VisitError> {
                Ok(())
            }
        }
        let failure = r.visit(&mut Ignore).unwrap_err();
        assert!(failure.to_string().contains("Exploding"), "{failure}");
        r.unregister(id);
        assert_eq!(r.gather().unwrap().len(), 1);
    }

    #[test]
    fn default_registry_is_shared() {
        assert!(std::ptr::eq(default_registry(), default_registry()));
    }
}
