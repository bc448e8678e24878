//! The bridge: a `metrics` recorder whose series are prom series, and a
//! prom collector exposing them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use metrics::{Key, KeyName, Metadata, Recorder, SharedString, Unit};
use prom_core::{
    CollectError, Collector, CounterVec, Descriptor, MetricFamily, MetricType, Opts, VisitFailure,
    Visitor,
};

use crate::cache::{cached, fill, Resolved};
use crate::exposition::{Group, Groups};
use crate::kind::{Counters, Gauges, Histograms, Indexes, Kind};
use crate::matcher::Buckets;
use crate::names::{label_name_for, metric_name, unit_suffix};

/// Process-unique bridge ids, for the per-thread caches.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The self-metric's name (exposed with `_total`).
const CONFLICTS: &str = "prom_metrics_bridge_conflicts";

/// Why a registration was not recorded as given: the `reason` label of the
/// self-metric.
mod reason {
    /// The name is already a series of another type (a gauge `x` after a
    /// counter `x`): refused.
    pub(super) const TYPE: &str = "type";
    /// The name would write a sample name another family writes (a gauge
    /// `x_total` next to a counter `x`, a gauge `h_count` next to a
    /// histogram `h`): refused.
    pub(super) const NAME_CLASH: &str = "name_clash";
    /// Even mapped, the name is no valid Prometheus name (a counter named
    /// `_total`, which is `""` without its suffix): refused.
    pub(super) const INVALID_NAME: &str = "invalid_name";
    /// Two labels of the key map to one Prometheus label name: the first is
    /// kept, the others dropped, the value recorded.
    pub(super) const DUPLICATE_LABEL: &str = "duplicate_label";
    /// A unit described after the name's first series: the series keep the
    /// name they were exposed under, without the unit.
    pub(super) const LATE_UNIT: &str = "late_unit";
}

/// A description given by `describe_counter!` and co.
#[derive(Debug, Clone)]
struct Description {
    help: Arc<str>,
    unit: Option<&'static str>,
}

struct Inner {
    id: u64,
    buckets: Buckets,
    indexes: Indexes,
    groups: RwLock<Groups>,
    /// By kind and by the name's family name without a unit.
    descriptions: RwLock<HashMap<(&'static str, String), Description>>,
    conflicts: CounterVec,
}

/// A [`metrics::Recorder`] that records into prom series, and the
/// [`Collector`] that exposes them: register it in your registry and
/// install it as the `metrics` recorder, and every `counter!`, `gauge!` and
/// `histogram!` of the process (libraries included) is served by the same
/// endpoint as your prom metrics.
///
/// A cheap `Clone` handle: clones share the series.
///
/// ```
/// use prom_codec::Encoder;
/// let bridge = prom_metrics::Bridge::new();
/// metrics::with_local_recorder(&bridge, || {
///     metrics::describe_counter!("jobs.done", "Jobs completed.");
///     metrics::counter!("jobs.done", "queue" => "mail").increment(3);
///     metrics::gauge!("queue-depth").set(7.0);
/// });
/// let mut out = Vec::new();
/// Encoder::text().encode(&bridge, &[], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), concat!(
///     "# HELP jobs_done_total Jobs completed.\n",
///     "# TYPE jobs_done_total counter\n",
///     "jobs_done_total{queue=\"mail\"} 3\n",
///     "# TYPE queue_depth gauge\n",
///     "queue_depth 7\n",
/// ));
/// ```
///
/// # Installing
/// - **For the whole process**: [`metrics::set_global_recorder`] with a
///   clone (or [`BridgeBuilder::install`](crate::BridgeBuilder::install),
///   which does both), once, early in `main`. It serves every thread and
///   every crate. `metrics` allows one global recorder per process, set
///   once; calls made before it is set go to `metrics`' no-op recorder, and
///   handles obtained then stay no-ops.
/// - **For a scope**: [`metrics::with_local_recorder`] (or
///   [`metrics::set_default_local_recorder`]) makes the bridge the recorder
///   of the current thread while the closure runs (or the guard lives):
///   what tests want. Handles obtained in the scope keep recording into the
///   bridge after it.
///
/// ```no_run
/// let registry = prom_registry::Registry::new();
/// let bridge = prom_metrics::Bridge::new();
/// registry.register(bridge.clone())?; // then serve `registry` (prom-http)
/// metrics::set_global_recorder(bridge)?;
/// metrics::counter!("started").increment(1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Bridge {
    inner: Arc<Inner>,
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge")
            .field("id", &self.inner.id)
            .field("families", &self.groups().list.len())
            .finish_non_exhaustive()
    }
}

impl Default for Bridge {
    fn default() -> Self {
        Self::new()
    }
}

/// The family name prom-core gives `name` of type `t` with `unit`.
fn family_name(name: &str, t: MetricType, unit: Option<&str>) -> Option<String> {
    let no_labels: [&str; 0] = [];
    Descriptor::new(name, "", t, unit, &no_labels)
        .ok()
        .map(|d| d.name().to_owned())
}

impl Bridge {
    /// A bridge with prom's default histogram buckets (client_python's,
    /// [`prom_core::DEFAULT_BUCKETS`]); [`Bridge::builder`] sets others.
    pub fn new() -> Self {
        Self::with_buckets(Buckets::default())
    }

    pub(crate) fn with_buckets(buckets: Buckets) -> Self {
        let conflicts = CounterVec::new(
            Opts::new(
                CONFLICTS,
                "metrics facade calls the prom bridge could not record as given, by name and reason.",
            )
            .labels(["name", "reason"]),
        )
        .expect("a valid name and label names");
        let mut groups = Groups::default();
        groups
            .claimed
            .extend(prom_core::sample_names(CONFLICTS, MetricType::Counter));
        Self {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                buckets,
                indexes: Indexes::default(),
                groups: RwLock::new(groups),
                descriptions: RwLock::new(HashMap::new()),
                conflicts,
            }),
        }
    }

    fn groups(&self) -> RwLockReadGuard<'_, Groups> {
        // No code path panics while holding the lock with the groups half-updated.
        self.inner
            .groups
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn groups_mut(&self) -> RwLockWriteGuard<'_, Groups> {
        self.inner
            .groups
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The handle of `key`'s series: from this thread's cache, or resolved
    /// once and cached.
    #[inline]
    fn register<K: Kind>(&self, key: &Key) -> K::Handle {
        match cached(K::cache(), self.inner.id, key) {
            Some(cell) => K::handle(cell),
            None => self.register_missed::<K>(key),
        }
    }

    #[cold]
    #[inline(never)]
    fn register_missed<K: Kind>(&self, key: &Key) -> K::Handle {
        let index = K::index(&self.inner.indexes);
        let resolved = match index.find(key) {
            Some(resolved) => resolved,
            None => index.insert(key, self.resolve::<K>(key)),
        };
        K::handle(fill(K::cache(), self.inner.id, key, resolved))
    }

    /// The child of `key`'s name and labels, created if new, or the
    /// conflict that refuses it.
    fn resolve<K: Kind>(&self, key: &Key) -> Resolved<K::Cell> {
        let written = key.name();
        let refused = |reason| Resolved {
            cell: None,
            conflict: Some(self.conflict(written, reason)),
        };
        let base = metric_name(written);
        let group = match self.group::<K>(&base) {
            Ok(group) => group,
            Err(reason) => return refused(reason),
        };
        let mut labels: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(key.labels().len());
        let mut duplicate = false;
        for label in key.labels() {
            // For Prometheus an empty label is no label.
            if label.value().is_empty() {
                continue;
            }
            let name = label_name_for(label.key(), K::TYPE);
            if labels.iter().any(|(n, _)| *n == name) {
                duplicate = true;
                continue;
            }
            labels.push((name, label.value()));
        }
        labels.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let names: Vec<&str> = labels.iter().map(|(n, _)| &**n).collect();
        let values: Vec<&str> = labels.iter().map(|(_, v)| *v).collect();
        let family = group.shape(&names, || {
            let mut opts = Opts::new(&*base, "").labels(names.iter().copied());
            if let Some(unit) = group.unit {
                opts = opts.unit(unit);
            }
            if K::TYPE == MetricType::Histogram {
                opts = opts.buckets(&group.buckets[..]);
            }
            K::family(opts)
        });
        // Mapped names, deduplicated label names and validated buckets leave
        // prom-core nothing to refuse; were it to, the key is refused, counted.
        let Some(cell) = family.ok().and_then(|f| K::child(&f, &values)) else {
            return refused(reason::INVALID_NAME);
        };
        Resolved {
            cell: Some(cell),
            conflict: duplicate.then(|| self.conflict(written, reason::DUPLICATE_LABEL)),
        }
    }

    /// The group of the mapped name `base` for kind `K`, created if new.
    fn group<K: Kind>(&self, base: &str) -> Result<Arc<Group>, &'static str> {
        let plain = family_name(base, K::TYPE, None).ok_or(reason::INVALID_NAME)?;
        let by = (K::NAME, plain);
        if let Some(group) = self.groups().by_key.get(&by) {
            return Ok(Arc::clone(group));
        }
        let mut groups = self.groups_mut();
        if let Some(group) = groups.by_key.get(&by) {
            return Ok(Arc::clone(group));
        }
        // Read under the groups' lock: a description stored meanwhile is
        // either seen here or finds the group (`describe` looks for it after
        // storing the description).
        let description = self
            .inner
            .descriptions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&by)
            .cloned();
        let (help, unit) = description.map_or((Arc::from(""), None), |d| (d.help, d.unit));
        let name = family_name(base, K::TYPE, unit).ok_or(reason::INVALID_NAME)?;
        // Another spelling may have made this family already (a counter
        // described in bytes, and one named `x_bytes`): the same series.
        if let Some(group) = groups.by_name.get(&*name) {
            if group.metric_type != K::TYPE {
                return Err(reason::TYPE);
            }
            let group = Arc::clone(group);
            groups.by_key.insert(by, Arc::clone(&group));
            return Ok(group);
        }
        let samples: Vec<String> = prom_core::sample_names(&name, K::TYPE).collect();
        if samples.iter().any(|s| groups.claimed.contains(s)) {
            return Err(reason::NAME_CLASH);
        }
        let buckets = if K::TYPE == MetricType::Histogram {
            self.inner.buckets.for_name(base).to_vec()
        } else {
            Vec::new()
        };
        let group = Arc::new(Group::new(&name, K::TYPE, unit, help, buckets));
        groups.claimed.extend(samples);
        groups.list.push(Arc::clone(&group));
        groups.by_name.insert(name.into(), Arc::clone(&group));
        groups.by_key.insert(by, Arc::clone(&group));
        Ok(group)
    }

    /// The conflicts counter of `name` and `reason`.
    fn conflict(&self, name: &str, reason: &str) -> prom_core::Counter {
        self.inner
            .conflicts
            .with_label_values(&[name, reason])
            .expect("two values for two label names")
    }

    fn describe<K: Kind>(&self, name: &KeyName, unit: Option<Unit>, help: &SharedString) {
        let base = metric_name(name.as_str());
        let Some(plain) = family_name(&base, K::TYPE, None) else {
            return;
        };
        let by = (K::NAME, plain);
        let help: Arc<str> = Arc::from(&**help);
        let unit = unit.and_then(unit_suffix);
        self.inner
            .descriptions
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                by.clone(),
                Description {
                    help: Arc::clone(&help),
                    unit,
                },
            );
        let group = self.groups().by_key.get(&by).cloned();
        if let Some(group) = group {
            group.set_help(help);
            if unit.is_some() && unit != group.unit {
                self.conflict(name.as_str(), reason::LATE_UNIT).inc();
            }
        }
    }
}

impl Recorder for Bridge {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe::<Counters>(&key, unit, &description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe::<Gauges>(&key, unit, &description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe::<Histograms>(&key, unit, &description);
    }

    #[inline]
    fn register_counter(&self, key: &Key, _metadata: &Metadata<'_>) -> metrics::Counter {
        self.register::<Counters>(key)
    }

    #[inline]
    fn register_gauge(&self, key: &Key, _metadata: &Metadata<'_>) -> metrics::Gauge {
        self.register::<Gauges>(key)
    }

    #[inline]
    fn register_histogram(&self, key: &Key, _metadata: &Metadata<'_>) -> metrics::Histogram {
        self.register::<Histograms>(key)
    }
}

impl Collector for Bridge {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        let list = self.groups().list.clone();
        for group in list {
            group.collect(out)?;
        }
        if !self.inner.conflicts.is_empty() {
            self.inner.conflicts.collect(out)?;
        }
        Ok(())
    }

    /// Nothing: the families are not known in advance (`metrics` calls
    /// create them), and an empty list is what tells a registry to run this
    /// collector for any name asked for (`name[]` filters) and to leave it
    /// out of its duplicate check. Register one bridge per registry: a name
    /// two collectors expose shows at scrape time, as the encoder's
    /// name-clash error.
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn visit(&self, v: &mut dyn Visitor) -> Result<(), VisitFailure> {
        // A copy of the list, so that new names are not held up by a slow
        // reader (a scrape writing to a socket).
        let list = self.groups().list.clone();
        for group in list {
            group.visit(v)?;
        }
        if !self.inner.conflicts.is_empty() {
            self.inner.conflicts.visit(v)?;
        }
        Ok(())
    }
}
