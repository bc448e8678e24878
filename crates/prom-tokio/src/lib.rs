//! Tokio runtime metrics for prom: a [`Collector`] that reads a runtime's
//! [`RuntimeMetrics`] at each scrape.
//!
//! ```
//! use prom_core::collect;
//! use prom_tokio::RuntimeCollector;
//!
//! let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build()?;
//! let collector = RuntimeCollector::new("main", runtime.handle());
//! let families = collect(&collector)?;
//! let workers = families.iter().find(|f| &*f.name == "tokio_workers").unwrap();
//! assert_eq!(workers.sample_value("tokio_workers", &[("runtime", "main")]), Some(2.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Families
//! Every family has a `runtime` label (the name given for the handle);
//! per-worker ones also have `worker` (its index). Read from tokio's stable
//! metrics:
//!
//! | family | type | tokio |
//! |---|---|---|
//! | `tokio_workers` | gauge | `num_workers` |
//! | `tokio_alive_tasks` | gauge | `num_alive_tasks` |
//! | `tokio_global_queue_depth` | gauge | `global_queue_depth` |
//! | `tokio_worker_busy_seconds_total` | counter | `worker_total_busy_duration` |
//! | `tokio_worker_parks_total` | counter | `worker_park_count` |
//! | `tokio_worker_park_unparks_total` | counter | `worker_park_unpark_count` |
//!
//! Built with `RUSTFLAGS="--cfg tokio_unstable"`, tokio's unstable metrics
//! are read too: `tokio_blocking_threads`, `tokio_idle_blocking_threads`,
//! `tokio_blocking_queue_depth` (gauges), `tokio_spawned_tasks_total`,
//! `tokio_remote_schedules_total`, `tokio_budget_forced_yields_total`
//! (counters), and per worker `tokio_worker_polls_total`,
//! `tokio_worker_steals_total`, `tokio_worker_noops_total`,
//! `tokio_worker_local_schedules_total`, `tokio_worker_overflows_total`
//! (counters) and `tokio_worker_local_queue_depth` (gauge).
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

use std::sync::{Arc, RwLock};

use prom_core::{
    CollectError, Collector, Descriptor, LabelSet, MetricFamily, MetricType, MetricValue,
};
use tokio::runtime::{Handle, RuntimeMetrics};

/// The collector's name in errors.
const COLLECTOR_NAME: &str = "tokio runtime";

/// One family: its name, help, type, and whether it is per worker.
struct Family {
    name: &'static str,
    help: &'static str,
    metric_type: MetricType,
    per_worker: bool,
    read: Read,
}

/// How a family's value is read.
enum Read {
    Runtime(fn(&RuntimeMetrics) -> f64),
    Worker(fn(&RuntimeMetrics, usize) -> f64),
}

/// usize → f64: exact below 2^53, far beyond any count tokio keeps.
#[allow(clippy::cast_precision_loss)]
fn float(n: usize) -> f64 {
    n as f64
}

/// u64 → f64, as above.
#[allow(clippy::cast_precision_loss)]
fn float64(n: u64) -> f64 {
    n as f64
}

fn runtime(
    name: &'static str,
    help: &'static str,
    metric_type: MetricType,
    read: fn(&RuntimeMetrics) -> f64,
) -> Family {
    Family {
        name,
        help,
        metric_type,
        per_worker: false,
        read: Read::Runtime(read),
    }
}

fn worker(
    name: &'static str,
    help: &'static str,
    metric_type: MetricType,
    read: fn(&RuntimeMetrics, usize) -> f64,
) -> Family {
    Family {
        name,
        help,
        metric_type,
        per_worker: true,
        read: Read::Worker(read),
    }
}

/// Every family this build reads.
fn families() -> Vec<Family> {
    let mut all = vec![
        runtime(
            "tokio_workers",
            "Worker threads of the runtime.",
            MetricType::Gauge,
            |m| float(m.num_workers()),
        ),
        runtime(
            "tokio_alive_tasks",
            "Tasks spawned on the runtime and not yet finished.",
            MetricType::Gauge,
            |m| float(m.num_alive_tasks()),
        ),
        runtime(
            "tokio_global_queue_depth",
            "Tasks waiting in the runtime's global queue.",
            MetricType::Gauge,
            |m| float(m.global_queue_depth()),
        ),
        worker(
            "tokio_worker_busy_seconds_total",
            "Time the worker spent running tasks.",
            MetricType::Counter,
            |m, w| m.worker_total_busy_duration(w).as_secs_f64(),
        ),
        worker(
            "tokio_worker_parks_total",
            "Times the worker parked (ran out of work and waited).",
            MetricType::Counter,
            |m, w| float64(m.worker_park_count(w)),
        ),
        worker(
            "tokio_worker_park_unparks_total",
            "Times the worker parked or unparked.",
            MetricType::Counter,
            |m, w| float64(m.worker_park_unpark_count(w)),
        ),
    ];
    all.extend(unstable::families());
    all
}

#[cfg(tokio_unstable)]
mod unstable {
    use super::{float, float64, runtime, worker, Family};
    use prom_core::MetricType::{Counter, Gauge};

    pub(super) fn families() -> Vec<Family> {
        vec![
            runtime(
                "tokio_blocking_threads",
                "Threads of the blocking pool.",
                Gauge,
                |m| float(m.num_blocking_threads()),
            ),
            runtime(
                "tokio_idle_blocking_threads",
                "Idle threads of the blocking pool.",
                Gauge,
                |m| float(m.num_idle_blocking_threads()),
            ),
            runtime(
                "tokio_blocking_queue_depth",
                "Tasks waiting for a thread of the blocking pool.",
                Gauge,
                |m| float(m.blocking_queue_depth()),
            ),
            runtime(
                "tokio_spawned_tasks_total",
                "Tasks spawned.",
                Counter,
                |m| float64(m.spawned_tasks_count()),
            ),
            runtime(
                "tokio_remote_schedules_total",
                "Tasks scheduled from outside the runtime.",
                Counter,
                |m| float64(m.remote_schedule_count()),
            ),
            runtime(
                "tokio_budget_forced_yields_total",
                "Times a task was made to yield after using up its budget.",
                Counter,
                |m| float64(m.budget_forced_yield_count()),
            ),
            worker(
                "tokio_worker_polls_total",
                "Tasks the worker polled.",
                Counter,
                |m, w| float64(m.worker_poll_count(w)),
            ),
            worker(
                "tokio_worker_steals_total",
                "Tasks the worker stole from another.",
                Counter,
                |m, w| float64(m.worker_steal_count(w)),
            ),
            worker(
                "tokio_worker_noops_total",
                "Times the worker unparked and found no work.",
                Counter,
                |m, w| float64(m.worker_noop_count(w)),
            ),
            worker(
                "tokio_worker_local_schedules_total",
                "Tasks scheduled onto the worker's local queue.",
                Counter,
                |m, w| float64(m.worker_local_schedule_count(w)),
            ),
            worker(
                "tokio_worker_overflows_total",
                "Times the worker's local queue overflowed.",
                Counter,
                |m, w| float64(m.worker_overflow_count(w)),
            ),
            worker(
                "tokio_worker_local_queue_depth",
                "Tasks in the worker's local queue.",
                Gauge,
                |m, w| float(m.worker_local_queue_depth(w)),
            ),
        ]
    }
}

#[cfg(not(tokio_unstable))]
mod unstable {
    pub(super) fn families() -> Vec<super::Family> {
        Vec::new()
    }
}

/// Reads the metrics of tokio runtimes at each scrape: the runtime a
/// server runs on, and any other the user adds, each told apart by its
/// `runtime` label. Families and their names are listed in the
/// [crate documentation](crate).
///
/// Cloning gives another handle to the same list of runtimes.
#[derive(Clone)]
pub struct RuntimeCollector {
    runtimes: Arc<RwLock<Vec<(String, Handle)>>>,
    families: Arc<[Family]>,
    descriptors: Arc<[Descriptor]>,
}

impl std::fmt::Debug for RuntimeCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.runtimes().into_iter().map(|(n, _)| n).collect();
        f.debug_struct("RuntimeCollector")
            .field("runtimes", &names)
            .finish_non_exhaustive()
    }
}

impl RuntimeCollector {
    /// A collector of the runtime of `handle`, labelled `runtime="<name>"`.
    pub fn new(name: impl Into<String>, handle: &Handle) -> Self {
        let families: Arc<[Family]> = families().into();
        let descriptors = families
            .iter()
            .filter_map(|f| {
                let labels: &[&str] = if f.per_worker {
                    &["runtime", "worker"]
                } else {
                    &["runtime"]
                };
                // Fixed, valid names: this cannot fail.
                Descriptor::new(f.name, f.help, f.metric_type, None, labels).ok()
            })
            .collect();
        Self {
            runtimes: Arc::new(RwLock::new(vec![(name.into(), handle.clone())])),
            families,
            descriptors,
        }
    }

    /// A collector of the runtime the caller runs on, labelled
    /// `runtime="<name>"`; `None` outside a tokio runtime.
    ///
    /// ```
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// let collector = runtime.block_on(async { prom_tokio::RuntimeCollector::current("main") });
    /// assert!(collector.is_some());
    /// assert!(prom_tokio::RuntimeCollector::current("main").is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn current(name: impl Into<String>) -> Option<Self> {
        Handle::try_current().ok().map(|h| Self::new(name, &h))
    }

    /// Adds another runtime, labelled `runtime="<name>"`; a name given
    /// before is replaced.
    pub fn add(&self, name: impl Into<String>, handle: &Handle) {
        let name = name.into();
        let mut runtimes = self
            .runtimes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        runtimes.retain(|(n, _)| *n != name);
        runtimes.push((name, handle.clone()));
    }

    fn runtimes(&self) -> Vec<(String, Handle)> {
        self.runtimes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Collector for RuntimeCollector {
    /// One family per metric, with a series per runtime (and worker).
    ///
    /// # Errors
    /// None in practice: names and labels are fixed and valid.
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        let runtimes = self.runtimes();
        let metrics: Vec<(&str, RuntimeMetrics)> = runtimes
            .iter()
            .map(|(n, h)| (n.as_str(), h.metrics()))
            .collect();
        for (family, descriptor) in self.families.iter().zip(self.descriptors.iter()) {
            let mut snapshot = descriptor.family(metrics.len());
            let value = |v: f64| match family.metric_type {
                MetricType::Counter => MetricValue::Counter(v),
                _ => MetricValue::Gauge(v),
            };
            let push = |snapshot: &mut MetricFamily, labels: LabelSet, v: f64| {
                snapshot
                    .push(labels, value(v))
                    .map(drop)
                    .map_err(|e| CollectError::new(COLLECTOR_NAME, e))
            };
            for (name, m) in &metrics {
                match family.read {
                    Read::Runtime(read) => {
                        let labels = LabelSet::from_pairs([("runtime", *name)])
                            .map_err(|e| CollectError::new(COLLECTOR_NAME, e))?;
                        push(&mut snapshot, labels, read(m))?;
                    }
                    Read::Worker(read) => {
                        for w in 0..m.num_workers() {
                            let index = w.to_string();
                            let labels = LabelSet::from_pairs([
                                ("runtime", *name),
                                ("worker", index.as_str()),
                            ])
                            .map_err(|e| CollectError::new(COLLECTOR_NAME, e))?;
                            push(&mut snapshot, labels, read(m, w))?;
                        }
                    }
                }
            }
            out.push(snapshot);
        }
        Ok(())
    }

    fn describe(&self) -> Vec<Descriptor> {
        self.descriptors.to_vec()
    }
}
