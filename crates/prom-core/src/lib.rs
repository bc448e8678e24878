//! The metric core of **prom**, a Prometheus client library: lock-free metric
//! types, label handling, and the snapshot data model that exposition
//! encoders write from.
//!
//! No I/O and no async live here: exporters and the registry build on top.
//!
//! ```
//! use prom_core::{Collector, Counter, MetricValue};
//! let c = Counter::new("requests_total", "Requests served").unwrap();
//! c.inc();
//! let families = prom_core::collect(&c).unwrap();
//! assert_eq!(&*families[0].name, "requests"); // `_total` is added back on exposition
//! assert_eq!(families[0].metrics[0].value, MetricValue::Counter(1.0));
//! ```
//!
//! # Metric types
//! - [`Counter`]: `inc`, `inc_by`, error and panic counting.
//! - [`Gauge`]: `inc`, `dec`, `set`, in-progress tracking, timing, callbacks.
//! - [`Histogram`]: `observe`, timing; buckets from [`DEFAULT_BUCKETS`],
//!   [`linear_buckets`] or [`exponential_buckets`].
//! - [`NativeHistogram`]: `observe` into sparse exponential buckets
//!   (client_golang's native histograms), read as a [`NativeHistogramValue`].
//! - [`Summary`]: `observe`, timing; count and sum, and quantiles over a
//!   sliding window when given objectives.
//! - [`Info`]: labels describing the target; [`Enum`]: one of a fixed list
//!   of states (an OpenMetrics state set).
//!
//! Each has a labelled form ([`CounterVec`] and co., all [`Family`]) and
//! implements [`Collector`], the trait registries and exporters consume.
//!
//! # Crate feature flags
//! None. Building with `RUSTFLAGS="--cfg loom"` swaps the atomics and
//! thread-locals for loom's to model-check the histogram's double buffer and
//! the stripes' hand-off between threads
//! (`RUSTFLAGS="--cfg loom" cargo test -p prom-core --lib --release loom`;
//! `cargo xtask test` runs it).
//!
//! # Minimum supported Rust version
//! 1.85, unchecked: the workspace is built with the latest stable only.

#![forbid(unsafe_code)]

mod children;
mod clock;
mod collector;
mod counter;
mod descriptor;
mod error;
mod family;
mod gauge;
mod hashing;
mod histogram;
mod hotcold;
mod info;
mod labels;
mod lifecycle;
mod lookup_cache;
mod metric_type;
mod model;
mod name;
mod native_histogram;
mod opts;
mod owned;
mod quantile;
mod sample;
mod series;
mod snapshot;
mod state_set;
mod suffix;
mod summary;
mod sync;
mod timer;
mod visit;
mod window;

pub use clock::{Clock, ManualClock, SystemClock};
pub use collector::{collect, Collector, FnCollector};
pub use counter::{Counter, PanicCounter};
pub use descriptor::Descriptor;
pub use error::{CollectError, Error};
pub use family::{
    CounterVec, EnumVec, Family, GaugeVec, HistogramVec, InfoVec, NativeHistogramVec, SummaryVec,
};
pub use gauge::{Gauge, InProgress};
pub use histogram::{exponential_buckets, linear_buckets, Histogram, DEFAULT_BUCKETS};
pub use info::Info;
pub use labels::{LabelSet, LabelsRef, PackedValues};
pub use metric_type::MetricType;
pub use model::{
    Bucket, Exemplar, HistogramValue, Metric, MetricFamily, MetricValue, Quantile, State,
    SummaryValue,
};
pub use name::{
    is_legacy_label_name, is_legacy_metric_name, name_validation, set_name_validation,
    validate_label_name, validate_label_names, validate_metric_name, validate_unit, NameValidation,
};
pub use native_histogram::opts::{NativeHistogramOpts, DEFAULT_NATIVE_ZERO_THRESHOLD};
pub use native_histogram::value::{spans_and_deltas, BucketSpan, NativeHistogramValue};
pub use native_histogram::NativeHistogram;
pub use opts::Opts;
pub use series::MetricKind;
pub use state_set::Enum;
pub use suffix::{sample_names, Suffix};
pub use summary::Summary;
pub use timer::{ObserveDuration, Timer};
pub use visit::{
    visit_families, FamilyRef, Scratch, SeriesRef, ValueRef, VisitError, VisitFailure, Visitor,
};
