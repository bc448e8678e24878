//! Process metrics for **prom**: CPU time, memory, open file descriptors,
//! start time, threads and network traffic of a process, under the names
//! Prometheus' own clients use.
//!
//! [`ProcessCollector`] is the counterpart of client_python's
//! `ProcessCollector`. It exposes, for the current process or any process
//! whose pid a closure returns:
//!
//! | Family                          | Type    | Meaning                                          |
//! |---------------------------------|---------|--------------------------------------------------|
//! | `process_virtual_memory_bytes`  | gauge   | Virtual memory size in bytes.                    |
//! | `process_resident_memory_bytes` | gauge   | Resident memory size in bytes.                   |
//! | `process_start_time_seconds`    | gauge   | Start time of the process since unix epoch.      |
//! | `process_cpu_seconds_total`     | counter | Total user and system CPU time spent in seconds. |
//! | `process_open_fds`              | gauge   | Number of open file descriptors.                 |
//! | `process_max_fds`               | gauge   | Maximum number of open file descriptors.         |
//!
//! and, as client_golang's process collector does:
//!
//! | Family                                  | Type    | Meaning                                              |
//! |-----------------------------------------|---------|------------------------------------------------------|
//! | `process_virtual_memory_max_bytes`      | gauge   | Maximum amount of virtual memory available in bytes. |
//! | `process_threads`                       | gauge   | Number of OS threads in the process.                 |
//! | `process_network_receive_bytes_total`   | counter | Bytes received over the network (`/proc/<pid>/net/dev`, all interfaces). |
//! | `process_network_transmit_bytes_total`  | counter | Bytes sent over the network, likewise.               |
//!
//! The network figures are those of the process's network namespace (all
//! of its interfaces, loopback included), as client_golang reads them.
//!
//! The figures come from `/proc`, so they are only collected on Linux; on
//! other systems the collector builds, describes its families and exposes no
//! samples.
//!
//! ```
//! use prom_process::ProcessCollector;
//!
//! let collector = ProcessCollector::builder().namespace("myapp").build()?;
//! let families = prom_core::collect(&collector)?;
//! for family in &families {
//!     assert!(family.name.starts_with("myapp_process_"));
//! }
//! # #[cfg(target_os = "linux")]
//! assert!(families.iter().any(|f| &*f.name == "myapp_process_cpu_seconds"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A scrape never fails because of the watched process: if it has gone,
//! nothing is exposed, and a figure that cannot be read (the descriptor table
//! of another user's process, say) is left out on its own.
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

use std::fmt;
use std::io;

use prom_core::{
    CollectError, Collector, Descriptor, Error, LabelSet, MetricFamily, MetricType, MetricValue,
};

#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod sys;
#[cfg(not(target_os = "linux"))]
#[path = "other.rs"]
mod sys;

/// The name carried by the collector's [`CollectError`]s.
const COLLECTOR_NAME: &str = "process";

/// Name after `process_`, help, type and unit of each family: client_python's
/// six in its order, then what client_golang's process collector adds.
const FAMILIES: [(&str, &str, MetricType, Option<&str>); 10] = [
    (
        "virtual_memory_bytes",
        "Virtual memory size in bytes.",
        MetricType::Gauge,
        Some("bytes"),
    ),
    (
        "resident_memory_bytes",
        "Resident memory size in bytes.",
        MetricType::Gauge,
        Some("bytes"),
    ),
    (
        "start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        MetricType::Gauge,
        Some("seconds"),
    ),
    (
        "cpu_seconds_total",
        "Total user and system CPU time spent in seconds.",
        MetricType::Counter,
        Some("seconds"),
    ),
    (
        "open_fds",
        "Number of open file descriptors.",
        MetricType::Gauge,
        None,
    ),
    (
        "max_fds",
        "Maximum number of open file descriptors.",
        MetricType::Gauge,
        None,
    ),
    (
        "virtual_memory_max_bytes",
        "Maximum amount of virtual memory available in bytes.",
        MetricType::Gauge,
        Some("bytes"),
    ),
    (
        "threads",
        "Number of OS threads in the process.",
        MetricType::Gauge,
        None,
    ),
    (
        "network_receive_bytes_total",
        "Number of bytes received by the process over the network.",
        MetricType::Counter,
        Some("bytes"),
    ),
    (
        "network_transmit_bytes_total",
        "Number of bytes sent by the process over the network.",
        MetricType::Counter,
        Some("bytes"),
    ),
];

/// Which process to report on.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
enum Target {
    /// The process doing the collecting.
    Current,
    /// Whatever process the closure names at scrape time.
    Pid(Box<dyn Fn() -> io::Result<i32> + Send + Sync>),
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Current => f.write_str("Current"),
            Target::Pid(_) => f.write_str("Pid(<fn>)"),
        }
    }
}

/// One scrape's figures, each `None` when it could not be read.
#[derive(Debug, Default)]
struct Readings {
    virtual_memory_bytes: Option<f64>,
    resident_memory_bytes: Option<f64>,
    start_time_seconds: Option<f64>,
    cpu_seconds: Option<f64>,
    open_fds: Option<f64>,
    max_fds: Option<f64>,
    virtual_memory_max_bytes: Option<f64>,
    threads: Option<f64>,
    network_receive_bytes: Option<f64>,
    network_transmit_bytes: Option<f64>,
}

impl Readings {
    /// The values in the order of [`FAMILIES`].
    fn into_values(self) -> [Option<MetricValue>; FAMILIES.len()] {
        [
            self.virtual_memory_bytes.map(MetricValue::Gauge),
            self.resident_memory_bytes.map(MetricValue::Gauge),
            self.start_time_seconds.map(MetricValue::Gauge),
            self.cpu_seconds.map(MetricValue::Counter),
            self.open_fds.map(MetricValue::Gauge),
            self.max_fds.map(MetricValue::Gauge),
            self.virtual_memory_max_bytes.map(MetricValue::Gauge),
            self.threads.map(MetricValue::Gauge),
            self.network_receive_bytes.map(MetricValue::Counter),
            self.network_transmit_bytes.map(MetricValue::Counter),
        ]
    }
}

/// A [`Collector`] of a process's CPU time, memory, file descriptors and
/// start time, named and documented as in client_python.
///
/// Build one with [`ProcessCollector::new`] for the current process, or with
/// [`ProcessCollector::builder`] to add a namespace or watch another process.
/// Each family has a single unlabelled sample; a family whose figure cannot be
/// read is left out of the scrape, and `process_max_fds` and
/// `process_virtual_memory_max_bytes` are left out when their limit is
/// `unlimited`.
///
/// ```
/// use prom_core::Collector;
/// use prom_process::ProcessCollector;
///
/// let collector = ProcessCollector::new();
/// let names: Vec<String> = collector.describe().iter().map(|d| d.name().to_owned()).collect();
/// assert_eq!(
///     names,
///     [
///         "process_virtual_memory_bytes",
///         "process_resident_memory_bytes",
///         "process_start_time_seconds",
///         "process_cpu_seconds", // exposed as `process_cpu_seconds_total`
///         "process_open_fds",
///         "process_max_fds",
///         "process_virtual_memory_max_bytes",
///         "process_threads",
///         "process_network_receive_bytes", // `…_total`
///         "process_network_transmit_bytes", // `…_total`
///     ]
/// );
/// ```
#[derive(Debug)]
pub struct ProcessCollector {
    namespace: Option<String>,
    target: Target,
    descriptors: [Descriptor; FAMILIES.len()],
    state: sys::State,
}

impl ProcessCollector {
    /// A collector for the current process, without a namespace.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .expect("the names without a namespace are valid metric names")
    }

    /// A builder, to set a namespace or the process to watch.
    pub fn builder() -> ProcessCollectorBuilder {
        ProcessCollectorBuilder {
            namespace: None,
            target: Target::Current,
        }
    }

    /// The namespace prefixed to every family name, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

impl Default for ProcessCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector for ProcessCollector {
    /// Appends a family for every figure that could be read, none at all when
    /// the process cannot be found.
    ///
    /// # Errors
    /// None in practice: failures to read the process leave families out
    /// instead of failing the scrape.
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        let readings = sys::read(&self.target, &self.state);
        for (descriptor, value) in self.descriptors.iter().zip(readings.into_values()) {
            let Some(value) = value else { continue };
            let mut family = descriptor.family(1);
            family
                .push(LabelSet::empty(), value)
                .map_err(|e| CollectError::new(COLLECTOR_NAME, e))?;
            out.push(family);
        }
        Ok(())
    }

    /// The ten families, whether or not the current scrape would expose them.
    fn describe(&self) -> Vec<Descriptor> {
        self.descriptors.to_vec()
    }
}

/// Configures a [`ProcessCollector`]; made by [`ProcessCollector::builder`].
///
/// ```
/// use std::io;
/// use prom_process::ProcessCollector;
///
/// // Watch the process whose pid a daemon writes to a file, re-read at each
/// // scrape so that a restart is followed.
/// let collector = ProcessCollector::builder()
///     .namespace("nginx")
///     .pid(|| std::fs::read_to_string("nginx.pid")?.trim().parse().map_err(io::Error::other))
///     .build()?;
/// // No such file here: the scrape succeeds and is empty.
/// assert!(prom_core::collect(&collector)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ProcessCollectorBuilder {
    namespace: Option<String>,
    target: Target,
}

impl ProcessCollectorBuilder {
    /// Prefixes every family name with `namespace` and `_`, as in
    /// `myapp_process_cpu_seconds_total`. An empty namespace means none, as in
    /// client_python.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.namespace = (!namespace.is_empty()).then_some(namespace);
        self
    }

    /// Reports on the process whose pid `pid` returns, called at every
    /// scrape; by default the current process is reported on.
    ///
    /// When `pid` fails or names a process that does not exist, the scrape
    /// exposes nothing from this collector and does not fail.
    pub fn pid<F>(mut self, pid: F) -> Self
    where
        F: Fn() -> io::Result<i32> + Send + Sync + 'static,
    {
        self.target = Target::Pid(Box::new(pid));
        self
    }

    /// Builds the collector.
    ///
    /// # Errors
    /// [`Error::InvalidMetricName`] when the namespace makes an invalid
    /// metric name, naming that name (which starts with the namespace).
    ///
    /// ```
    /// // `_` makes names starting with the reserved `__`.
    /// let err = prom_process::ProcessCollector::builder().namespace("_").build().unwrap_err();
    /// assert!(err.to_string().contains("\"__process_"), "{err}");
    /// ```
    pub fn build(self) -> Result<ProcessCollector, Error> {
        let prefix = match &self.namespace {
            Some(namespace) => format!("{namespace}_process_"),
            None => "process_".to_owned(),
        };
        let mut descriptors = Vec::with_capacity(FAMILIES.len());
        for (name, help, metric_type, unit) in FAMILIES {
            let name = format!("{prefix}{name}");
            descriptors.push(Descriptor::new::<&str>(
                &name,
                help,
                metric_type,
                unit,
                &[],
            )?);
        }
        let descriptors = descriptors
            .try_into()
            .expect("one descriptor was made per entry of FAMILIES");
        Ok(ProcessCollector {
            namespace: self.namespace,
            target: self.target,
            descriptors,
            state: sys::State::new(),
        })
    }
}
