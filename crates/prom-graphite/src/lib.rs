//! Pushes **prom** metrics to Graphite over carbon's plaintext protocol: the Rust counterpart of
//! client_python's `GraphiteBridge`, with one-shot pushes and a background pusher.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use prom_core::Counter;
//! use prom_graphite::GraphiteBridge;
//!
//! let jobs = Counter::new("jobs_done", "Jobs completed.")?;
//! let bridge = GraphiteBridge::builder("graphite.example.com:2003")
//!     .prefix("myapp")?
//!     .build();
//!
//! // Once, e.g. at the end of a batch job:
//! jobs.inc();
//! bridge.push(&jobs)?; // sends "myapp.jobs_done_total 1.0 <now>\n"
//!
//! // Or every minute from a background thread, until the handle is dropped:
//! let handle = bridge.start(Arc::new(jobs.clone()), Duration::from_secs(60));
//! # drop(handle);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is sent
//!
//! Every push collects the [`Collector`](prom_core::Collector) and sends one line per sample,
//! `path value timestamp\n`, over a new TCP connection that is closed afterwards, as
//! client_python does. The timestamp is the push time in whole Unix seconds (a series that
//! carries its own timestamp keeps it, floored to seconds). [`GraphiteBridge::render`] returns
//! the exact lines, for tests and for other transports.
//!
//! Paths follow client_python: `prefix.name` then, with [`LabelStyle::Path`] (the default),
//! `.label.value` for every label sorted by name, every character outside `[a-zA-Z0-9_-]` in
//! the sample name and label values replaced by `_` (so `/api` becomes `_api`). Sample names by
//! type:
//!
//! | type | samples |
//! | --- | --- |
//! | counter | `x_total` (no `_created`) |
//! | gauge, unknown | `x` |
//! | histogram | `x_bucket` with label `le`, `x_count`, `x_sum` (absent when the histogram has none) |
//! | summary | `x` with label `quantile`, `x_count`, `x_sum` |
//!
//! `le` and `quantile` values are written as the exposition formats write them
//! ([`prom_codec::canonical_float`], client_python's `floatToGoString`: `0.1`, `1.0`, `1e+06`,
//! `+Inf`) before sanitising, so a bucket path reads `x_bucket.le.0_1`, `x_bucket.le.1_0` or
//! `x_bucket.le._Inf`. Values use the shortest representation that reads back exactly, like
//! Python's float repr (`7.0`, `0.25`, `1e300`, `inf`).
//!
//! Two deliberate differences from client_python:
//! - **NaN samples are not sent.** carbon 1.1 parses `nan` but drops the datapoint on receipt
//!   (its receiver filters `value != value`), so such a line only costs bytes. Infinities are
//!   sent (`inf`, `-inf`) and stored by carbon.
//! - **A label with an empty value is left out**, as Prometheus treats it as absent; written
//!   out it would give an empty path segment (`x.k..y`, or a whisper file named `.wsp`) or a tag
//!   carbon rejects.
//!
//! # Graphite tags
//!
//! With [`LabelStyle::Tags`] labels become Graphite 1.1 tags: `prefix.name;label=value;…`,
//! sorted by label name. carbon's tag parser (`carbon.util.TaggedSeries`, 1.1.7) requires tag
//! names to be non-empty and free of `;`, `!`, `^` and `=` — always true of Prometheus label
//! names — and tag values to be non-empty, free of `;`, and not to start with `~`. The plaintext
//! protocol further splits lines on whitespace. So tag values keep everything else (dots, `=`,
//! `!`, `^`, `/`, non-ASCII letters) and only `;`, whitespace, control characters and a leading
//! `~` become `_`; unlike client_python, which sanitises tag values like path segments, `le=0.1`
//! stays readable. Graphite reserves the tag `name` for the series name, so a label `name` is
//! sent as `exported_name` (Prometheus' own convention for clashing labels). Sample names are
//! sanitised as in path mode.
//!
//! carbon stores a tagged series under `_tagged/` by the hash of its normalised name; graphite-web
//! finds it with `seriesByTag('name=x_total', 'label=value')` once carbon's tag database is
//! enabled.
//!
//! # Errors and the background pusher
//!
//! [`GraphiteBridge::push`] returns every failure as a [`GraphiteError`] naming the address:
//! collector errors, unresolvable addresses, refused or timed-out connections, write errors.
//! [`GraphiteBridge::start`] pushes at a fixed rate from a thread that never gives up: each push
//! opens a fresh connection, so pushing resumes by itself when Graphite comes back, and each
//! failure goes to the [error callback](GraphiteBridgeBuilder::on_error) or, without one, to the
//! `log` facade. Dropping the [`BridgeHandle`] stops the thread and joins it without waiting for
//! the rest of the interval.
//!
//! # Crate feature flags
//!
//! - `log` (default): errors of background pushes are logged with `log::warn!` (target
//!   `prom_graphite`) when no error callback is set. Without it such errors are dropped, so set
//!   a callback.
//!
//! The crate needs only `std` networking and threads: no async runtime, no HTTP stack.
//!
//! # Minimum supported Rust version
//!
//! 1.85.

#![forbid(unsafe_code)]

mod bridge;
mod error;
mod render;

pub use bridge::{BridgeHandle, GraphiteBridge, GraphiteBridgeBuilder};
pub use error::GraphiteError;
pub use render::LabelStyle;
