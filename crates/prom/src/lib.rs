//! **prom**: Prometheus instrumentation for Rust in three lines.
//!
//! ```no_run
//! let requests = prom::counter("requests", "Requests served.")?;
//! let _server = prom::start_http_server("127.0.0.1:8000")?;
//! requests.inc();
//! # Ok::<(), prom::Error>(())
//! ```
//!
//! The functions at the top level ([`counter`], [`gauge_vec`],
//! [`histogram`], …) create a metric and register it in the
//! [`default_registry`], which on Linux also carries the process metrics
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, …);
//! [`start_http_server`] serves that registry. Everything is also available
//! piecewise: build metrics with [`Opts`], register them in your own
//! [`Registry`], and serve any [`Collector`] with [`http`].
//!
//! ```
//! use prom::{CounterVec, Opts, Registry};
//!
//! let registry = Registry::new();
//! let requests = CounterVec::new(Opts::new("requests", "Requests.").labels(["method"]))?;
//! registry.register(requests.clone())?;
//! requests.with_label_values(&["GET"])?.inc();
//! let text = prom::codec::Encoder::text().encode_to_string(&registry.gather()?)?;
//! assert_eq!(text, "# HELP requests_total Requests.\n# TYPE requests_total counter\nrequests_total{method=\"GET\"} 1\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crates
//! | crate | role |
//! |---|---|
//! | `prom-core` | metric types, labels, data model, [`Collector`] |
//! | `prom-codec` | text 0.0.4 and OpenMetrics encoders ([`codec`]) |
//! | `prom-registry` | [`Registry`] and the default registry |
//! | `prom-http` | HTTP exporter ([`http`]) |
//! | `prom-process` | process metrics ([`process`]) |
//! | `prom-textfile` | node_exporter textfiles (`textfile`, feature `textfile`) |
//! | `prom-pushgateway` | Pushgateway client (`pushgateway`, feature `pushgateway`) |
//! | `prom-graphite` | Graphite bridge (`graphite`, feature `graphite`) |
//! | `prom-tokio` | tokio runtime metrics (`tokio`, feature `tokio`) |
//! | `prom-tower` | request metrics for tower and axum services (`tower`, feature `tower`) |
//! | `prom-metrics` | the `metrics` facade's recorder (`metrics_bridge`, feature `metrics`) |
//! | `prom-macros` | [`time`], [`count_errors`], [`track_inprogress`] and [`static_metrics!`] (feature `macros`) |
//!
//! # Instrumenting functions
//! As client_python's decorators: a metric declared at module level, its
//! name checked when compiling, and an attribute on the function.
//!
//! ```
//! prom::static_metrics! {
//!     static REQUEST_TIME: Summary = ("request_processing_seconds", "Time spent processing request");
//! }
//!
//! #[prom::time(REQUEST_TIME)]
//! fn process_request(t: std::time::Duration) {
//!     std::thread::sleep(t);
//! }
//!
//! process_request(std::time::Duration::from_millis(1));
//! assert_eq!(REQUEST_TIME.get_count(), 1);
//! assert!(REQUEST_TIME.get_sum() >= 0.001);
//! ```
//!
//! [`instrument`] holds what the attributes expand to.
//!
//! # Crate feature flags
//! - `registry` (default): [`Registry`], [`default_registry`] and the
//!   registering constructors.
//! - `http` (default): [`start_http_server`] and the [`http`] module.
//! - `process` (default): the [`process`] module, and process metrics in
//!   the default registry.
//! - `macros` (default): the attributes [`time`], [`count_errors`] and
//!   [`track_inprogress`], and [`static_metrics!`] (which also needs
//!   `registry`).
//! - `textfile`, `pushgateway`, `graphite` (off by default): the exporters
//!   for batch jobs and other systems, as modules of the same names.
//! - `tokio` (off by default): the `tokio` module, a collector of tokio
//!   runtime metrics.
//! - `tower` (off by default): the `tower` module, a tower layer recording
//!   request metrics; with `http` too, its route label comes from axum's
//!   `MatchedPath`.
//! - `metrics` (off by default): the `metrics_bridge` module, a recorder
//!   for the `metrics` facade whose series this crate's registry exposes.
//!
//! The [`codec`] module (encoders and parsers) is there with any features,
//! none included.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

// The README's examples are compiled and run as doc tests; they use every
// exporter, so they need every feature (`cargo xtask test` enables them all).
#[cfg(all(
    doctest,
    feature = "textfile",
    feature = "pushgateway",
    feature = "graphite",
    feature = "metrics",
    feature = "tower"
))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

use std::fmt;

/// Errors of metric construction and use (bad names, label counts, increments).
pub use prom_core::Error as MetricError;
pub use prom_core::{
    collect, exponential_buckets, linear_buckets, name_validation, set_name_validation, Bucket,
    Clock, CollectError, Collector, Counter, CounterVec, Descriptor, Enum, EnumVec, Exemplar,
    Family, FnCollector, Gauge, GaugeVec, Histogram, HistogramValue, HistogramVec, InProgress,
    Info, InfoVec, LabelSet, ManualClock, Metric, MetricFamily, MetricKind, MetricType,
    MetricValue, NameValidation, NativeHistogram, NativeHistogramOpts, NativeHistogramValue,
    NativeHistogramVec, ObserveDuration, Opts, PanicCounter, Quantile, State, Summary,
    SummaryValue, SummaryVec, SystemClock, Timer, DEFAULT_BUCKETS,
};

#[cfg(feature = "registry")]
pub use prom_registry::{CollectorId, Registry, RegistryError};

pub mod instrument;

mod build_info;
pub use build_info::{BuildInfo, RUSTC_VERSION, TARGET};
#[cfg(feature = "registry")]
mod static_metric;
#[cfg(feature = "registry")]
pub use static_metric::{Declarable, StaticMetric, StaticMetricError};

#[cfg(all(feature = "macros", feature = "registry"))]
pub use prom_macros::static_metrics;
#[cfg(feature = "macros")]
pub use prom_macros::{count_errors, time, track_inprogress};

/// Exposition encoders and parsers (text 0.0.4 and OpenMetrics 1.0.0),
/// whatever the features: every exporter writes through them, and a batch
/// job or a test reads expositions back with them.
pub mod codec {
    pub use prom_codec::*;
}

/// The HTTP exporter: a mountable axum router and a standalone server.
#[cfg(feature = "http")]
pub mod http {
    pub use prom_http::*;
}

/// Process metrics (CPU, memory, file descriptors, start time).
#[cfg(feature = "process")]
pub mod process {
    pub use prom_process::*;
}

/// Atomic textfiles for node_exporter's textfile collector.
#[cfg(feature = "textfile")]
pub mod textfile {
    pub use prom_textfile::*;
}

/// The Pushgateway client (blocking and async).
#[cfg(feature = "pushgateway")]
pub mod pushgateway {
    pub use prom_pushgateway::*;
}

/// The Graphite bridge.
#[cfg(feature = "graphite")]
pub mod graphite {
    pub use prom_graphite::*;
}

/// Tokio runtime metrics: register a [`RuntimeCollector`](prom_tokio::RuntimeCollector).
#[cfg(feature = "tokio")]
pub mod tokio {
    pub use prom_tokio::*;
}

/// Request metrics for tower HTTP services (axum, tonic, hyper): a
/// [`RequestMetricsLayer`](prom_tower::RequestMetricsLayer) recording
/// `http_requests_total`, `http_request_duration_seconds` and
/// `http_requests_in_flight` by method, route and status.
#[cfg(feature = "tower")]
pub mod tower {
    pub use prom_tower::*;
}

/// The `metrics` facade: a [`Bridge`](prom_metrics::Bridge) that is both the
/// `metrics` recorder and a collector for your registry, so `counter!`,
/// `gauge!` and `histogram!` calls of any crate are served with your prom
/// metrics.
#[cfg(feature = "metrics")]
pub mod metrics_bridge {
    pub use prom_metrics::*;
}

/// Anything the facade's one-call helpers can fail with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The metric could not be built (bad name, labels, buckets…).
    Metric(prom_core::Error),
    /// The metric could not be registered (its name is taken).
    #[cfg(feature = "registry")]
    Registry(RegistryError),
    /// The HTTP server could not start.
    #[cfg(feature = "http")]
    Http(prom_http::HttpError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Metric(e) => e.fmt(f),
            #[cfg(feature = "registry")]
            Error::Registry(e) => e.fmt(f),
            #[cfg(feature = "http")]
            Error::Http(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Metric(e) => Some(e),
            #[cfg(feature = "registry")]
            Error::Registry(e) => Some(e),
            #[cfg(feature = "http")]
            Error::Http(e) => Some(e),
        }
    }
}

impl From<prom_core::Error> for Error {
    fn from(e: prom_core::Error) -> Self {
        Error::Metric(e)
    }
}

#[cfg(feature = "registry")]
impl From<RegistryError> for Error {
    fn from(e: RegistryError) -> Self {
        Error::Registry(e)
    }
}

#[cfg(feature = "http")]
impl From<prom_http::HttpError> for Error {
    fn from(e: prom_http::HttpError) -> Self {
        Error::Http(e)
    }
}

#[cfg(feature = "registry")]
mod default {
    use std::sync::Once;

    use super::{Collector, Error, Registry};

    /// The process-wide default registry. On first use it is given the
    /// process collector (feature `process`; exports on Linux only).
    pub fn default_registry() -> &'static Registry {
        static PROCESS: Once = Once::new();
        let registry = prom_registry::default_registry();
        PROCESS.call_once(|| {
            #[cfg(feature = "process")]
            {
                // Only fails if the user registered process_* names first;
                // theirs win then.
                let _ = registry.register(prom_process::ProcessCollector::new());
            }
        });
        registry
    }

    /// Registers `collector` in the default registry.
    ///
    /// # Errors
    /// [`Error::Registry`] when one of its names is taken.
    pub fn register<C: Collector + 'static>(collector: C) -> Result<super::CollectorId, Error> {
        Ok(default_registry().register(collector)?)
    }

    fn registered<C: Collector + Clone + 'static>(c: C) -> Result<C, Error> {
        register(c.clone())?;
        Ok(c)
    }

    macro_rules! constructors {
        ($(($one:ident, $vec:ident, $t:ident, $tv:ident, $what:literal)),* $(,)?) => {$(
            #[doc = concat!("Creates ", $what, " and registers it in the default registry.")]
            ///
            /// # Errors
            /// An invalid name or a name already registered, naming it.
            pub fn $one(name: &str, help: &str) -> Result<super::$t, Error> {
                registered(super::$t::new(name, help)?)
            }

            #[doc = concat!("Creates labelled ", $what, " and registers it in the default registry.")]
            ///
            /// # Errors
            /// An invalid name or label name, or a name already registered, naming it.
            pub fn $vec(name: &str, help: &str, labels: &[&str]) -> Result<super::$tv, Error> {
                registered(super::$tv::new(super::Opts::new(name, help).labels(labels.iter().copied()))?)
            }
        )*};
    }

    constructors!(
        (counter, counter_vec, Counter, CounterVec, "a counter"),
        (gauge, gauge_vec, Gauge, GaugeVec, "a gauge"),
        (
            histogram,
            histogram_vec,
            Histogram,
            HistogramVec,
            "a histogram (default buckets)"
        ),
        (summary, summary_vec, Summary, SummaryVec, "a summary"),
        (
            native_histogram,
            native_histogram_vec,
            NativeHistogram,
            NativeHistogramVec,
            "a native histogram (default native options: schema 3)"
        ),
    );

    /// Creates an info and registers it in the default registry.
    ///
    /// # Errors
    /// An invalid name or a name already registered, naming it.
    pub fn info(name: &str, help: &str) -> Result<super::Info, Error> {
        registered(super::Info::new(name, help)?)
    }

    /// Creates labelled infos and registers them in the default registry.
    ///
    /// # Errors
    /// An invalid name or label name, or a name already registered, naming it.
    pub fn info_vec(name: &str, help: &str, labels: &[&str]) -> Result<super::InfoVec, Error> {
        registered(super::InfoVec::new(
            super::Opts::new(name, help).labels(labels.iter().copied()),
        )?)
    }

    /// Creates an enum with these states (the first the default) and
    /// registers it in the default registry (client_python's `Enum`).
    ///
    /// # Errors
    /// An invalid name, no states or a state twice, or a name already
    /// registered, naming it.
    pub fn enumeration(name: &str, help: &str, states: &[&str]) -> Result<super::Enum, Error> {
        registered(super::Enum::with_opts(
            super::Opts::new(name, help).states(states.iter().copied()),
        )?)
    }

    /// Creates labelled enums with these states and registers them in the
    /// default registry.
    ///
    /// # Errors
    /// As [`enumeration`], and an invalid label name or one named like the
    /// enum itself.
    pub fn enumeration_vec(
        name: &str,
        help: &str,
        labels: &[&str],
        states: &[&str],
    ) -> Result<super::EnumVec, Error> {
        registered(super::EnumVec::new(
            super::Opts::new(name, help)
                .labels(labels.iter().copied())
                .states(states.iter().copied()),
        )?)
    }

    /// Creates a histogram with the given bucket bounds and registers it in
    /// the default registry.
    ///
    /// # Errors
    /// An invalid name or buckets, or a name already registered.
    pub fn histogram_with_buckets(
        name: &str,
        help: &str,
        buckets: &[f64],
    ) -> Result<super::Histogram, Error> {
        registered(super::Histogram::with_opts(
            super::Opts::new(name, help).buckets(buckets),
        )?)
    }
}

#[cfg(feature = "registry")]
pub use default::{
    counter, counter_vec, default_registry, enumeration, enumeration_vec, gauge, gauge_vec,
    histogram, histogram_vec, histogram_with_buckets, info, info_vec, native_histogram,
    native_histogram_vec, register, summary, summary_vec,
};

/// Serves the [`default_registry`] on `addr` (`/` and `/metrics`) from a
/// background thread; see [`http::start_http_server`]. Keep the returned
/// handle: dropping it stops the server (or call
/// [`detach`](http::MetricsServer::detach)).
///
/// # Errors
/// [`Error::Http`] when the address cannot be resolved or bound.
#[cfg(feature = "http")]
pub fn start_http_server(
    addr: impl std::net::ToSocketAddrs + std::fmt::Debug,
) -> Result<http::MetricsServer, Error> {
    let registry: &'static Registry = default_registry();
    Ok(prom_http::start_http_server(
        addr,
        std::sync::Arc::new(registry),
    )?)
}
