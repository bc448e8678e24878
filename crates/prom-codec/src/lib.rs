//! Exposition encoders for **prom**: Prometheus text format 0.0.4 and
//! OpenMetrics 1.0.0, written byte-exact to the specifications.
//!
//! Encoders write into any [`std::io::Write`] with no allocation per sample,
//! handing it 32 KiB at a time (no `BufWriter` needed), or append straight
//! to a `Vec<u8>` ([`Encoder::encode_collector_to_vec`], the fastest).
//!
//! ```
//! use prom_codec::Encoder;
//! use prom_core::{Counter, Opts};
//!
//! let c = Counter::with_opts(Opts::new("requests", "Requests served.")).unwrap();
//! c.inc();
//! let families = prom_core::collect(&c).unwrap();
//! assert_eq!(
//!     Encoder::text().encode_to_string(&families),
//!     "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total 1\n"
//! );
//! let om = Encoder::openmetrics().encode_to_string(&families);
//! assert!(om.starts_with("# HELP requests Requests served.\n# TYPE requests counter\nrequests_total 1\nrequests_created "));
//! assert!(om.ends_with("\n# EOF\n"));
//! ```
//!
//! # Formats
//! - Text 0.0.4: `# HELP` (escaping `\` and newline), `# TYPE` (`untyped`
//!   for unknown), counters named `<name>_total`, no `_created`.
//! - OpenMetrics 1.0.0: `# HELP` (escaping `"` too), `# TYPE`, `# UNIT`,
//!   `_total` and `_created` samples, timestamps in seconds, `# EOF`; a
//!   histogram without `_sum` (negative buckets) has no `_count` either.
//!
//! Both: label values escape `\`, `"` and newline; `le` and `quantile` are
//! written canonically (`1.0`, `0.005`, `1e+06`, `+Inf`); other values as
//! integers when integral and below 1e15, else shortest round-trip.
//!
//! # Parsing
//! [`parse_text`] and [`parse_openmetrics`] read both formats back into the
//! same model, for testing exporters, reading a Pushgateway or
//! node_exporter, or relabelling: text 0.0.4 as leniently as Prometheus
//! reads it, OpenMetrics as strictly as its specification and the Python
//! reference parser. Errors name the line, column, what was expected and
//! what was found. The [`parse`] module documents every rule.
//!
//! ```
//! let families = prom_codec::parse_openmetrics(
//!     "# TYPE jobs counter\njobs_total{queue=\"mail\"} 3 # {trace_id=\"ab12\"} 1\n# EOF\n",
//! )?;
//! assert_eq!(&*families[0].name, "jobs");
//! assert_eq!(families[0].metrics[0].value, prom_core::MetricValue::Counter(3.0));
//! assert_eq!(families[0].metrics[0].exemplars[0].labels.get("trace_id"), Some("ab12"));
//!
//! let err = prom_codec::parse_openmetrics("# TYPE jobs counter\njobs_total 3\n").unwrap_err();
//! assert_eq!((err.line(), err.expected()), (3, "'# EOF' ending the exposition"));
//! # Ok::<(), prom_codec::ParseError>(())
//! ```
//!
//! # Crate feature flags
//! None.
//!
//! # Minimum supported Rust version
//! 1.85.

#![forbid(unsafe_code)]

mod encode;
mod number;
pub mod parse;
mod sink;

use std::fmt;
use std::io;

use prom_core::{
    CollectError, Collector, FamilyRef, MetricFamily, SeriesRef, VisitError, VisitFailure, Visitor,
};

use encode::{Format, Writer};
pub use number::{canonical_float, CanonicalFloat};
pub use parse::{parse_openmetrics, parse_text, ParseError};
use sink::{IoSink, Sink};

/// The `Content-Type` of text format 0.0.4.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The `Content-Type` of OpenMetrics 1.0.0.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format. New formats can be added without breaking callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoder {
    format: Format,
}

impl Encoder {
    /// Prometheus text format 0.0.4.
    pub const fn text() -> Self {
        Self {
            format: Format::Text,
        }
    }

    /// OpenMetrics 1.0.0.
    pub const fn openmetrics() -> Self {
        Self {
            format: Format::OpenMetrics,
        }
    }

    /// Picks the format an HTTP `Accept` header asks for: OpenMetrics when it
    /// lists `application/openmetrics-text` (with a non-zero `q`), else text.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// let prometheus = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Encoder::negotiate(Some(prometheus)), Encoder::openmetrics());
    /// assert_eq!(Encoder::negotiate(Some("text/plain")), Encoder::text());
    /// assert_eq!(Encoder::negotiate(None), Encoder::text());
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Self {
        let wants_om = accept.is_some_and(|accept| {
            accept.split(',').any(|range| {
                let mut parts = range.split(';');
                let media = parts.next().unwrap_or("").trim();
                media.eq_ignore_ascii_case("application/openmetrics-text")
                    && !parts.any(|p| {
                        let p = p.trim();
                        p.strip_prefix("q=")
                            .and_then(|q| q.trim().parse::<f64>().ok())
                            .is_some_and(|q| q <= 0.0)
                    })
            })
        });
        if wants_om {
            Self::openmetrics()
        } else {
            Self::text()
        }
    }

    /// The HTTP `Content-Type` of this format.
    pub const fn content_type(self) -> &'static str {
        match self.format {
            Format::Text => TEXT_CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }

    /// Whether this is OpenMetrics.
    pub const fn is_openmetrics(self) -> bool {
        matches!(self.format, Format::OpenMetrics)
    }

    /// Writes `families` in this format. Families are written whole and in
    /// the order given; series keep their label order.
    ///
    /// # Errors
    /// Whatever the writer returns.
    pub fn encode<W: io::Write + ?Sized>(
        self,
        families: &[MetricFamily],
        w: &mut W,
    ) -> io::Result<()> {
        encode::encode(self.format, families, w)
    }

    /// Encodes into a new byte vector.
    pub fn encode_to_vec(self, families: &[MetricFamily]) -> Vec<u8> {
        let mut out = Vec::new();
        encode::encode_to_vec(self.format, families, &mut out);
        out
    }

    /// Encodes into a new string.
    pub fn encode_to_string(self, families: &[MetricFamily]) -> String {
        String::from_utf8(self.encode_to_vec(families))
            .expect("the exposition is built from &str and ASCII only")
    }
}

impl Encoder {
    /// Writes what `source` exposes, streaming from its live values: no
    /// snapshot is built, nothing is allocated per series. This is what the
    /// exporters use.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// let g = prom_core::Gauge::new("queue_depth", "Items waiting.").unwrap();
    /// g.set(3.0);
    /// let mut out = Vec::new();
    /// Encoder::text().encode_collector(&g, &mut out).unwrap();
    /// assert_eq!(out, b"# HELP queue_depth Items waiting.\n# TYPE queue_depth gauge\nqueue_depth 3\n");
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::Collect`] when the collector fails (what was written
    /// so far should be discarded), [`EncodeError::Io`] when the writer does.
    pub fn encode_collector<W: io::Write + ?Sized>(
        self,
        source: &(impl Collector + ?Sized),
        w: &mut W,
    ) -> Result<(), EncodeError> {
        self.encode_collector_names::<W, &str>(source, &[], w)
    }

    /// As [`Encoder::encode_collector`], keeping only the families that
    /// expose one of `names` (a family name or a sample name such as
    /// `x_total`); an empty `names` keeps everything. The `name[]` filter of
    /// the HTTP exporter.
    ///
    /// # Errors
    /// As [`Encoder::encode_collector`].
    pub fn encode_collector_names<W: io::Write + ?Sized, S: AsRef<str>>(
        self,
        source: &(impl Collector + ?Sized),
        names: &[S],
        w: &mut W,
    ) -> Result<(), EncodeError> {
        let mut sink = IoSink::new(w);
        match self.visit_into(source, names, &mut sink) {
            Ok(()) => sink.finish().map_err(EncodeError::Io),
            Err(VisitFailure::Collect(e)) => Err(EncodeError::Collect(e)),
            Err(other) => Err(EncodeError::Io(
                sink.take_error()
                    .unwrap_or_else(|| io::Error::other(other.to_string())),
            )),
        }
    }

    /// As [`Encoder::encode_collector`], appending to `out`: the fastest
    /// way to encode, with no intermediate buffer (the HTTP exporter's).
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// let c = prom_core::Counter::new("jobs", "").unwrap();
    /// let mut out = b"already here\n".to_vec();
    /// Encoder::text().encode_collector_to_vec(&c, &mut out).unwrap();
    /// assert_eq!(out, b"already here\n# TYPE jobs_total counter\njobs_total 0\n");
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::Collect`] when the collector fails (what was appended
    /// so far should be discarded); never [`EncodeError::Io`].
    pub fn encode_collector_to_vec(
        self,
        source: &(impl Collector + ?Sized),
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        self.encode_collector_names_to_vec::<&str>(source, &[], out)
    }

    /// As [`Encoder::encode_collector_names`], appending to `out`.
    ///
    /// # Errors
    /// As [`Encoder::encode_collector_to_vec`].
    pub fn encode_collector_names_to_vec<S: AsRef<str>>(
        self,
        source: &(impl Collector + ?Sized),
        names: &[S],
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        match self.visit_into(source, names, out) {
            Ok(()) => Ok(()),
            Err(VisitFailure::Collect(e)) => Err(EncodeError::Collect(e)),
            // A Vec cannot fail; a visitor error has no other source.
            Err(other) => Err(EncodeError::Io(io::Error::other(other.to_string()))),
        }
    }

    /// Visits `source` (the families exposing one of `names`, or all) with
    /// a writer into `sink`, ending with `# EOF` for OpenMetrics.
    fn visit_into<S: AsRef<str>, K: Sink + ?Sized>(
        self,
        source: &(impl Collector + ?Sized),
        names: &[S],
        sink: &mut K,
    ) -> Result<(), VisitFailure> {
        let mut writer = Writer::new(sink, self.format);
        if names.is_empty() {
            source.visit(&mut writer)?;
        } else {
            source.visit(&mut Filter {
                inner: &mut writer,
                names,
            })?;
        }
        writer.finish();
        Ok(())
    }
}

/// Passes on only the families that expose one of `names`.
struct Filter<'a, V, S> {
    inner: &'a mut V,
    names: &'a [S],
}

impl<V: Visitor, S: AsRef<str>> Visitor for Filter<'_, V, S> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        if self.names.iter().any(|n| family.exposes(n.as_ref())) {
            self.inner.family(family)
        } else {
            Ok(false)
        }
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.inner.series(series)
    }
}

/// Encoding from a collector failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum EncodeError {
    /// The collector could not produce its values.
    Collect(CollectError),
    /// The writer failed.
    Io(io::Error),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Collect(e) => write!(f, "cannot encode metrics: {e}"),
            EncodeError::Io(e) => write!(f, "cannot write metrics: {e}"),
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EncodeError::Collect(e) => Some(e),
            EncodeError::Io(e) => Some(e),
        }
    }
}

/// Writes `families` in text format 0.0.4; see [`Encoder::encode`].
///
/// # Errors
/// Whatever the writer returns.
pub fn encode_text<W: io::Write + ?Sized>(families: &[MetricFamily], w: &mut W) -> io::Result<()> {
    Encoder::text().encode(families, w)
}

/// Writes `families` in OpenMetrics 1.0.0; see [`Encoder::encode`].
///
/// # Errors
/// Whatever the writer returns.
pub fn encode_openmetrics<W: io::Write + ?Sized>(
    families: &[MetricFamily],
    w: &mut W,
) -> io::Result<()> {
    Encoder::openmetrics().encode(families, w)
}
