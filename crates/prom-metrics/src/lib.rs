//! The `metrics` facade on **prom**: a [`metrics::Recorder`] whose
//! `counter!`, `gauge!` and `histogram!` series are prom series, exposed by
//! the same registry and endpoint as your prom metrics — one dependency and
//! one endpoint instead of prom next to `metrics-exporter-prometheus`.
//!
//! The [`Bridge`] is both the recorder and a [`prom_core::Collector`]:
//! install it as the `metrics` recorder and register it in your registry.
//!
//! ```
//! use prom_codec::Encoder;
//! let registry = prom_registry::Registry::new();
//! let bridge = prom_metrics::Bridge::new();
//! registry.register(bridge.clone())?;
//!
//! // In a program: `metrics::set_global_recorder(bridge)?` (or
//! // `Bridge::builder().install()?`), once, and every library's
//! // `metrics` calls land in prom. Here, for this scope and thread only:
//! metrics::with_local_recorder(&bridge, || {
//!     metrics::describe_histogram!("http.latency", metrics::Unit::Seconds, "Request latency.");
//!     metrics::counter!("http.requests", "method" => "GET").increment(1);
//!     metrics::histogram!("http.latency").record(0.02);
//! });
//!
//! let text = Encoder::text().encode_to_string(&registry.gather()?)?;
//! assert!(text.contains("http_requests_total{method=\"GET\"} 1\n"));
//! assert!(text.contains("# HELP http_latency_seconds Request latency.\n"));
//! assert!(text.contains("http_latency_seconds_bucket{le=\"0.025\"} 1\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How `metrics` calls become Prometheus series
//! - **Names**: [`metric_name`] maps any `metrics` name to a valid
//!   Prometheus one: characters outside `[a-zA-Z0-9_:]` become `_`
//!   (`http.requests` → `http_requests`), a leading digit gets a `_` in
//!   front (`9lives` → `_9lives`), a leading run of underscores is cut to
//!   one (`__x` → `_x`). Counters are exposed with `_total`, whether or not
//!   the name has it (`jobs` and `jobs_total` are one counter).
//! - **Label names**: [`label_name`], the same rule without `:`. `le` on a
//!   histogram becomes `exported_le`. Label values are kept as they are;
//!   a label with an empty value is left out, as Prometheus does.
//! - **Units**: a unit given by `describe_*!` before the name's first series
//!   is appended to the name and sent as OpenMetrics' `# UNIT` (see
//!   [`unit_suffix`]: `seconds`, `bytes`, … as `metrics` spells them; none
//!   for `Count`); values are not converted.
//! - **Descriptions** become `# HELP`, whenever they come.
//! - **Label sets**: `metrics` lets the calls of one name carry different
//!   label names. Each such series keeps exactly its labels, and all of
//!   them are exposed as one family under one `# HELP` and `# TYPE`: for
//!   Prometheus that is the family whose label names are the union of all,
//!   with missing values empty (an empty label is no label). Nothing is
//!   lost and nothing is counted as a conflict.
//! - **Histograms** are Prometheus histograms with prom's default buckets,
//!   or those [`BridgeBuilder::buckets`] and [`BridgeBuilder::buckets_for`]
//!   (by [`Matcher`]) set.
//!
//! # Conflicts: refused or changed, never silently
//! Some calls cannot be recorded as given. Nothing panics and nothing is
//! lost without a trace: each registration of such a key (each evaluation
//! of the `counter!` …, or each `register_*` call) counts one in
//! `prom_metrics_bridge_conflicts_total{name="<name as given>",reason="…"}`,
//! exposed by the bridge once there is one:
//!
//! | reason | what happened | what the call gets |
//! |---|---|---|
//! | `type` | the name is already another type (a gauge `x` after a counter `x`) | a handle that does nothing |
//! | `name_clash` | the name would write a sample another family writes (a gauge `x_total` beside a counter `x`, a gauge `h_count` beside a histogram `h`) | a handle that does nothing |
//! | `invalid_name` | even mapped, no valid name (a counter named `_total`) | a handle that does nothing |
//! | `duplicate_label` | two labels map to one name (`a.b` and `a_b`, or a label given twice) | the series with the first of them; the value is recorded |
//! | `late_unit` | a unit described after the name's first series (counted once per description) | the series keep their name, without the unit |
//!
//! # Performance
//! `counter!(…)` asks the recorder for its series on every evaluation
//! unless the handle is kept. The bridge answers from a per-thread cache
//! keyed by the hash `metrics::Key` carries: no lock, no hashing, no
//! allocation for an existing series (the first call on a thread fills
//! that thread's cache) — see `benches/benches/metrics_bridge.rs` for the
//! comparison with `metrics-exporter-prometheus`. A kept handle skips even
//! that, and updates the prom series directly.
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85, unchecked: the workspace is built with the latest stable only.

#![forbid(unsafe_code)]

mod bridge;
mod builder;
mod cache;
mod error;
mod exposition;
mod handles;
mod kind;
mod matcher;
mod names;

pub use bridge::Bridge;
pub use builder::BridgeBuilder;
pub use error::Error;
pub use matcher::Matcher;
pub use names::{label_name, metric_name, unit_suffix};
