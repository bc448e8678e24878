//! Attributes that instrument a function the way client_python's decorators
//! do, and compile-time checked static metrics, for **prom**. Use them
//! through the facade: `#[prom::time]`, `#[prom::count_errors]`,
//! `#[prom::track_inprogress]` and `prom::static_metrics!` (feature
//! `macros`, on by default).
//!
//! ```
//! prom::static_metrics! {
//!     // Create a metric to track time spent and requests made.
//!     static REQUEST_TIME: Summary = ("request_processing_seconds", "Time spent processing request");
//! }
//!
//! // Decorate function with metric.
//! #[prom::time(REQUEST_TIME)]
//! fn process_request(t: f64) {
//!     std::thread::sleep(std::time::Duration::from_secs_f64(t));
//! }
//!
//! process_request(0.001);
//! assert_eq!(REQUEST_TIME.get_count(), 1);
//! ```
//!
//! The attributes only rewrite the body: they put a guard at its start
//! (a call of a function of `prom::instrument`), which reports when the
//! call ends — by returning, by `?`, by a panic, or, for an `async fn`, when
//! its future completes or is dropped unfinished. The signature stays as
//! written, so they work on methods, generic functions, functions returning
//! `impl Trait`, and stack with each other in any order. Nothing is
//! allocated per call.
//!
//! # The metric argument
//! Any expression for the metric: a static from `static_metrics!`, a
//! `std::sync::LazyLock`, a reference, an `Arc` or a `Box` of one, or a
//! field (`self.latency`). A labelled family takes its label values with
//! `labels = [...]`, any expressions of type `&str`, evaluated at the start
//! of each call (they may use the arguments).
//!
//! The expansions call `::prom::instrument` and name `::prom::StaticMetric`:
//! the facade must be a dependency named `prom`.
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85, unchecked: the workspace is built with the latest stable only.

#![forbid(unsafe_code)]

mod args;
mod expand;
mod names;
mod statics;

use proc_macro::TokenStream;

use args::{Args, Role};

fn attribute(role: Role, args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse::Parser::parse(
        |input: syn::parse::ParseStream<'_>| Args::parse(role, input),
        args,
    );
    let expanded = parsed.and_then(|args| expand::expand(role, args, item.clone().into()));
    match expanded {
        Ok(tokens) => tokens.into(),
        // The function is kept as written next to the error, so that its
        // callers are not reported as well.
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(proc_macro2::TokenStream::from(item));
            out.into()
        }
    }
}

/// Times each call of the function into a `Summary` or `Histogram`
/// (observes the seconds it took) or a `Gauge` (set to them, as
/// client_python's `Gauge.time()`).
///
/// ```
/// prom::static_metrics! {
///     static LATENCY: HistogramVec = ("rpc_seconds", "RPC latency.", labels = ["method"]);
/// }
///
/// #[prom::time(LATENCY, labels = [method])]
/// fn call(method: &str) -> usize {
///     method.len()
/// }
///
/// assert_eq!(call("get"), 3);
/// assert_eq!(LATENCY.child(["get"]).get_count(), 1);
/// ```
///
/// An `async fn` is timed from its first poll until its future completes,
/// awaits included, or is dropped unfinished (a cancelled call is observed
/// once, with the time it ran). So is a function whose body ends in an
/// `async` block (or `Box::pin(async ...)`, as `#[async_trait]` writes); any
/// other function returning a future or an iterator is timed while it builds
/// it.
///
/// Options: `labels = [value, ...]`, the label values of a family's child.
#[proc_macro_attribute]
pub fn time(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Role::Time, args, item)
}

/// Counts on a `Counter` the calls that return an `Err`, and those that
/// panic (unwinding through the function), as client_python's
/// `count_exceptions()`.
///
/// ```
/// prom::static_metrics! {
///     static FAILURES: Counter = ("parse_failures_total", "Inputs that did not parse.");
/// }
///
/// #[prom::count_errors(FAILURES)]
/// fn parse(input: &str) -> Result<u32, std::num::ParseIntError> {
///     let n = input.trim().parse()?;
///     Ok(n)
/// }
///
/// assert!(parse("42").is_ok());
/// assert!(parse("x").is_err());
/// assert_eq!(FAILURES.get(), 1.0);
/// ```
///
/// With `matches = PATTERN`, only the errors matching the pattern count (as
/// `count_exceptions(ValueError)`), and panics do not:
///
/// ```
/// #[derive(Debug)]
/// enum FetchError { Timeout { after_ms: u64 }, NotFound }
///
/// prom::static_metrics! {
///     static TIMEOUTS: CounterVec = ("fetch_timeouts_total", "Fetches that timed out.", labels = ["host"]);
/// }
///
/// #[prom::count_errors(TIMEOUTS, labels = [host], matches = FetchError::Timeout { .. })]
/// fn fetch(host: &str, fail: Option<FetchError>) -> Result<(), FetchError> {
///     fail.map_or(Ok(()), Err)
/// }
///
/// let _ = fetch("a", Some(FetchError::Timeout { after_ms: 500 }));
/// let _ = fetch("a", Some(FetchError::NotFound));
/// let _ = fetch("a", None);
/// assert_eq!(TIMEOUTS.child(["a"]).get(), 1.0);
/// ```
///
/// The function must return a `Result` (a path type: `Result<T, E>`,
/// `io::Result<T>` or an alias); anything else does not compile.
///
/// Options: `labels = [value, ...]` and `matches = PATTERN`.
#[proc_macro_attribute]
pub fn count_errors(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Role::CountErrors, args, item)
}

/// Adds one to a `Gauge` for the duration of each call (client_python's
/// `track_inprogress()`): incremented at the start, decremented when the
/// call ends, however it ends (an `async fn`'s future dropped unfinished
/// included).
///
/// ```
/// prom::static_metrics! {
///     static BUSY: Gauge = ("workers_busy", "Calls in progress.");
/// }
///
/// #[prom::track_inprogress(BUSY)]
/// fn work() -> f64 {
///     BUSY.get() // one call in progress: this one
/// }
///
/// assert_eq!(work(), 1.0);
/// assert_eq!(BUSY.get(), 0.0);
/// ```
///
/// Options: `labels = [value, ...]`.
#[proc_macro_attribute]
pub fn track_inprogress(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Role::TrackInprogress, args, item)
}

/// Declares metrics as `static`s, checked when compiling and registered in
/// the default registry the first time they are touched: no `LazyLock`, no
/// `unwrap`.
///
/// ```
/// prom::static_metrics! {
///     /// Requests served, by method.
///     pub static REQUESTS: CounterVec = ("http_requests_total", "Requests served.", labels = ["method"]);
///     static QUEUE: Gauge = ("queue_depth", "Items waiting.");
///     static SIZES: Histogram = ("payload_bytes", "Payload size.", buckets = [64, 256, 1024]);
/// }
///
/// REQUESTS.child(["GET"]).inc();
/// QUEUE.set(3.0);
/// SIZES.observe(100.0);
/// let text = prom::codec::Encoder::text()
///     .encode_to_string(&prom::default_registry().gather_names(&["http_requests_total"])?)?;
/// assert_eq!(text, "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\"} 1\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Each declaration is `static NAME: TYPE = ("metric_name", "help", options);`
/// with attributes (doc comments) and a visibility as for any static. The
/// type is one of `Counter`, `Gauge`, `Histogram`, `Summary` and their
/// families `CounterVec`, `GaugeVec`, `HistogramVec`, `SummaryVec`; the
/// static becomes a `prom::StaticMetric<prom::TYPE, N>`, which dereferences
/// to the metric and whose `child([...; N])` takes exactly as many label
/// values as it has label names. Options: `labels = ["name", ...]`
/// (families: required) and `buckets = [bound, ...]` (histograms).
///
/// Checked when compiling, with prom-core's rules and messages: the metric
/// name, the label names (valid, none twice, `le` not on a histogram,
/// `quantile` not on a summary) and the buckets (strictly increasing).
/// Names are checked as UTF-8 names, the default; a program that sets
/// `prom::set_name_validation(NameValidation::Legacy)` has its statics'
/// names checked again, against the legacy set, at their first touch.
///
/// ```compile_fail
/// prom::static_metrics! {
///     static BAD: Counter = ("", ""); // invalid metric name "": must not be empty
/// }
/// ```
///
/// The first touch registers the metric in `prom::default_registry()`. If
/// another collector there already exposes one of its names, that first
/// touch panics, naming both (see `prom::StaticMetric`); call
/// `prom::StaticMetric::try_force(&NAME)` at startup to get that error as a
/// value instead.
#[proc_macro]
pub fn static_metrics(input: TokenStream) -> TokenStream {
    match syn::parse::<statics::Declarations>(input) {
        Ok(declarations) => declarations.expand().into(),
        Err(e) => e.to_compile_error().into(),
    }
}
