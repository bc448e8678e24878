//! Exposition encoders for **prom**: Prometheus text format 0.0.4,
//! OpenMetrics 1.0.0 and the protobuf exposition, written byte-exact to
//! the specifications.
//!
//! [`Encoder::encode`] writes what a [`Collector`] exposes straight from its
//! live values, with no allocation per series, appending to a `Vec<u8>`
//! (the fastest) or writing into any [`std::io::Write`] ([`Output::writer`])
//! 32 KiB at a time (no `BufWriter` needed). Snapshots ([`MetricFamily`]s)
//! go through [`Encoder::encode_families`] or [`Encoder::encode_to_string`].
//!
//! ```
//! use prom_codec::Encoder;
//! use prom_core::{Counter, Opts};
//!
//! let c = Counter::with_opts(Opts::new("requests", "Requests served.")).unwrap();
//! c.inc();
//! let families = prom_core::collect(&c).unwrap();
//! assert_eq!(
//!     Encoder::text().encode_to_string(&families).unwrap(),
//!     "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total 1\n"
//! );
//! let om = Encoder::openmetrics().encode_to_string(&families).unwrap();
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
//! - Protobuf ([`Encoder::protobuf`]): length-delimited
//!   `io.prometheus.client.MetricFamily` messages, what Prometheus asks for
//!   first with native histograms on; the [`protobuf`] module says how each
//!   type is written, and [`parse_protobuf`] reads it back.
//!
//! - Names outside the legacy character set (`my.metric`): in the quoted
//!   syntax (`{"my.metric_total","label.x"="v"} 1`) for a scraper that
//!   asks for `escaping=allow-utf-8`, else escaped with the scheme it asks
//!   for ([`escape`]; `underscores` by default), in all three formats.
//!   Legacy names are written as they are, whatever the scheme.
//!
//! Both text formats: label values escape `\`, `"` and newline; `le` and `quantile` are
//! written canonically (`1.0`, `0.005`, `1e+06`, `+Inf`); other values as
//! integers when integral and below 1e15, else shortest round-trip.
//!
//! # Parsing
//! [`parse_text`], [`parse_openmetrics`] and [`parse_openmetrics_lenient`]
//! read both formats back into the same model, for testing exporters,
//! reading a Pushgateway, node_exporter or any service's page, or
//! relabelling: text 0.0.4 as leniently as Prometheus reads it, OpenMetrics
//! as strictly as its specification (agreeing with its parser test suite)
//! or as Prometheus reads it. Errors name the line, column, what was expected and
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

pub mod accept;
mod compare;
mod encode;
pub mod escape;
pub mod lint;
mod number;
pub mod parse;
pub mod protobuf;
mod sink;

use std::fmt;
use std::io;

use prom_core::{
    CollectError, Collector, FamilyRef, MetricFamily, SeriesRef, VisitError, VisitFailure, Visitor,
};

pub use compare::{Comparison, Mismatch};
pub use encode::NameClash;
use encode::{Format, Writer};
use escape::Escaping;
pub use number::{canonical_float, CanonicalFloat};
pub use parse::{parse_openmetrics, parse_openmetrics_lenient, parse_text, ParseError};
pub use protobuf::{parse_protobuf, ProtobufError};
pub use sink::Output;
use sink::{Dest, IoSink, Sink};

/// The `Content-Type` of text format 0.0.4.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The `Content-Type` of OpenMetrics 1.0.0.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format, and how it writes names outside the legacy
/// character set ([`Escaping`]). New formats can be added without breaking
/// callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoder {
    format: Kind,
    escaping: Escaping,
    /// Whether the `Content-Type` names the escaping: when it was asked
    /// for, or set, and always for text 1.0.0, as client_golang does.
    named: bool,
}

/// The formats: a line format of the text writer (text 0.0.4 or 1.0.0,
/// which differ only in their `Content-Type`), or protobuf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Lines(Format),
    Text1,
    Protobuf,
}

/// The `Content-Type`s of each format, by escaping scheme (in the order of
/// [`escaping_index`]).
const TEXT_ESCAPED: [&str; 4] = [
    "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8",
    "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
    "text/plain; version=0.0.4; charset=utf-8; escaping=dots",
    "text/plain; version=0.0.4; charset=utf-8; escaping=values",
];
const TEXT1: [&str; 4] = [
    "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
    "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
    "text/plain; version=1.0.0; charset=utf-8; escaping=dots",
    "text/plain; version=1.0.0; charset=utf-8; escaping=values",
];
const OPENMETRICS_ESCAPED: [&str; 4] = [
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots",
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values",
];
const PROTOBUF_ESCAPED: [&str; 4] = [
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=allow-utf-8",
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores",
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=dots",
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=values",
];

const fn escaping_index(e: Escaping) -> usize {
    match e {
        Escaping::AllowUtf8 => 0,
        Escaping::Underscores => 1,
        Escaping::Dots => 2,
        Escaping::Values => 3,
    }
}

impl Encoder {
    /// Prometheus text format 0.0.4.
    pub const fn text() -> Self {
        Self {
            format: Kind::Lines(Format::Text),
            escaping: Escaping::Underscores,
            named: false,
        }
    }

    /// Text format 1.0.0: text 0.0.4 with UTF-8 names (quoted when
    /// [`Escaping::AllowUtf8`]); its `Content-Type` names the escaping.
    ///
    /// ```
    /// use prom_codec::{escape::Escaping, Encoder};
    /// let e = Encoder::text_1_0_0().with_escaping(Escaping::AllowUtf8);
    /// assert_eq!(e.content_type(), "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8");
    /// assert_eq!(Encoder::text_1_0_0().content_type(), "text/plain; version=1.0.0; charset=utf-8; escaping=underscores");
    /// ```
    pub const fn text_1_0_0() -> Self {
        Self {
            format: Kind::Text1,
            escaping: Escaping::Underscores,
            named: true,
        }
    }

    /// This format writing names outside the legacy character set with
    /// `escaping` (the default is [`Escaping::Underscores`]); the
    /// `Content-Type` then names it.
    ///
    /// ```
    /// use prom_codec::{escape::Escaping, Encoder};
    /// use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
    /// let mut fam = MetricFamily::new("my.metric", "", MetricType::Counter).unwrap();
    /// fam.push(LabelSet::from_pairs([("label.x", "v")]).unwrap(), MetricValue::Counter(1.0)).unwrap();
    /// let fams = [fam];
    /// let utf8 = Encoder::text().with_escaping(Escaping::AllowUtf8);
    /// assert_eq!(
    ///     utf8.encode_to_string(&fams).unwrap(),
    ///     "# TYPE \"my.metric_total\" counter\n{\"my.metric_total\",\"label.x\"=\"v\"} 1\n"
    /// );
    /// assert_eq!(
    ///     Encoder::text().encode_to_string(&fams).unwrap(),
    ///     "# TYPE my_metric_total counter\nmy_metric_total{label_x=\"v\"} 1\n"
    /// );
    /// let dots = Encoder::openmetrics().with_escaping(Escaping::Dots);
    /// assert!(dots.encode_to_string(&fams).unwrap().starts_with(
    ///     "# TYPE my_dot_metric counter\nmy_dot_metric_total{label_dot_x=\"v\"} 1\n"
    /// ));
    /// assert_eq!(dots.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots");
    /// ```
    #[must_use]
    pub const fn with_escaping(self, escaping: Escaping) -> Self {
        Self {
            format: self.format,
            escaping,
            named: true,
        }
    }

    /// How this encoder writes names outside the legacy character set.
    ///
    /// ```
    /// use prom_codec::{escape::Escaping, Encoder};
    /// assert_eq!(Encoder::text().escaping(), Escaping::Underscores);
    /// let asked = Encoder::negotiate(Some("text/plain;version=1.0.0;escaping=allow-utf-8"));
    /// assert_eq!(asked.escaping(), Escaping::AllowUtf8);
    /// ```
    pub const fn escaping(self) -> Escaping {
        self.escaping
    }

    /// The line format of the text writer, if this is one.
    const fn lines(self) -> Option<Format> {
        match self.format {
            Kind::Lines(f) => Some(f),
            Kind::Text1 => Some(Format::Text),
            Kind::Protobuf => None,
        }
    }

    /// OpenMetrics 1.0.0.
    pub const fn openmetrics() -> Self {
        Self {
            format: Kind::Lines(Format::OpenMetrics),
            escaping: Escaping::Underscores,
            named: false,
        }
    }

    /// The protobuf exposition: length-delimited
    /// `io.prometheus.client.MetricFamily` messages, which Prometheus asks
    /// for first when its native histograms are on. The [`protobuf`]
    /// module says how each type is written.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// let g = prom_core::Gauge::new("up", "").unwrap();
    /// g.set(1.0);
    /// let mut body = Vec::new();
    /// Encoder::protobuf().encode(&g, &[], &mut body).unwrap();
    /// // Length 21; name "up" (field 1), help "" (2), type GAUGE (3), one
    /// // metric (4) holding a gauge (2) of value 1.0 (field 1, a double).
    /// assert_eq!(body, [
    ///     21, 0x0a, 2, b'u', b'p', 0x12, 0, 0x18, 1,
    ///     0x22, 11, 0x12, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
    /// ]);
    /// assert_eq!(Encoder::protobuf().content_type(), prom_codec::protobuf::CONTENT_TYPE);
    /// ```
    pub const fn protobuf() -> Self {
        Self {
            format: Kind::Protobuf,
            escaping: Escaping::Underscores,
            named: false,
        }
    }

    /// Picks the format an HTTP `Accept` header asks for, by its `q`
    /// values: protobuf (`application/vnd.google.protobuf` with the
    /// parameters `proto=io.prometheus.client.MetricFamily` and
    /// `encoding=delimited`, else it is not the stream this writes),
    /// OpenMetrics (`application/openmetrics-text`) or text
    /// (`text/plain`), the highest `q` winning and a tie going to the first
    /// of these; text when the header names none of them (a wildcard, or no
    /// header). See [`accept::best`].
    ///
    /// The chosen entry's parameters say the rest: `version=1.0.0` on
    /// `text/plain` picks [`Encoder::text_1_0_0`]; `escaping=` picks how
    /// names outside the legacy character set are written
    /// ([`Encoder::escaping`]; [`Escaping::Underscores`] when absent or
    /// unknown), and then [`Encoder::content_type`] names it.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// // Prometheus 2.42, and with --enable-feature=native-histograms.
    /// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=1,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Encoder::negotiate(Some(prometheus)), Encoder::openmetrics());
    /// assert_eq!(Encoder::negotiate(Some(native)), Encoder::protobuf());
    /// // Protobuf without the delimited MetricFamily parameters is not ours.
    /// assert_eq!(Encoder::negotiate(Some("application/vnd.google.protobuf,text/plain;q=0.5")), Encoder::text());
    /// assert_eq!(Encoder::negotiate(Some("text/plain")), Encoder::text());
    /// assert_eq!(Encoder::negotiate(None), Encoder::text());
    /// // Prometheus 3 reads UTF-8 names.
    /// let utf8 = Encoder::negotiate(Some("text/plain;version=1.0.0;escaping=allow-utf-8"));
    /// assert_eq!(utf8, Encoder::text_1_0_0().with_escaping(prom_codec::escape::Escaping::AllowUtf8));
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Self {
        let offers = [
            (protobuf::best(accept), Self::protobuf()),
            (
                accept::best(accept, "application/openmetrics-text"),
                Self::openmetrics(),
            ),
            (accept::best(accept, "text/plain"), Self::text()),
        ];
        let mut best: Option<(accept::Entry<'_>, Self)> = None;
        for (entry, encoder) in offers {
            if let Some(entry) = entry {
                if best.as_ref().is_none_or(|(b, _)| entry.q > b.q) {
                    best = Some((entry, encoder));
                }
            }
        }
        let Some((entry, mut encoder)) = best else {
            return Self::text();
        };
        if encoder == Self::text() && entry.param("version") == Some("1.0.0") {
            encoder = Self::text_1_0_0();
        }
        // An unknown scheme is answered with the default, named, as
        // client_golang does.
        match entry.param("escaping") {
            Some(scheme) => encoder.with_escaping(Escaping::from_param(scheme).unwrap_or_default()),
            None => encoder,
        }
    }

    /// The HTTP `Content-Type` of this format.
    /// It names the escaping scheme when one was asked for (or set with
    /// [`Encoder::with_escaping`]), and always for text 1.0.0.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// assert_eq!(Encoder::text().content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// let asked = Encoder::negotiate(Some("application/openmetrics-text;version=1.0.0;escaping=underscores"));
    /// assert_eq!(asked.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores");
    /// ```
    pub const fn content_type(self) -> &'static str {
        let i = escaping_index(self.escaping);
        match (self.format, self.named) {
            (Kind::Text1, _) => TEXT1[i],
            (Kind::Lines(Format::Text), false) => TEXT_CONTENT_TYPE,
            (Kind::Lines(Format::Text), true) => TEXT_ESCAPED[i],
            (Kind::Lines(Format::OpenMetrics), false) => OPENMETRICS_CONTENT_TYPE,
            (Kind::Lines(Format::OpenMetrics), true) => OPENMETRICS_ESCAPED[i],
            (Kind::Protobuf, false) => protobuf::CONTENT_TYPE,
            (Kind::Protobuf, true) => PROTOBUF_ESCAPED[i],
        }
    }

    /// Whether this is OpenMetrics.
    pub const fn is_openmetrics(self) -> bool {
        matches!(self.format, Kind::Lines(Format::OpenMetrics))
    }

    /// Whether this is a text format (0.0.4 or 1.0.0).
    pub const fn is_text(self) -> bool {
        matches!(self.format, Kind::Lines(Format::Text) | Kind::Text1)
    }

    /// Whether this is the protobuf exposition (binary: not for a
    /// `String`).
    pub const fn is_protobuf(self) -> bool {
        matches!(self.format, Kind::Protobuf)
    }

    /// Writes what `source` exposes into `out`, streaming from its live
    /// values: no snapshot is built, nothing is allocated per series. This
    /// is what the exporters use.
    ///
    /// `names` keeps only the families that expose one of them (a family
    /// name or a sample name such as `x_total`: the `name[]` filter of the
    /// HTTP exporter); an empty `names` keeps everything.
    ///
    /// `out` is a `&mut Vec<u8>`, appended to directly (the fastest way to
    /// encode, with no intermediate buffer), or any [`io::Write`] through
    /// [`Output::writer`], handed 32 KiB at a time (no `BufWriter` needed).
    ///
    /// ```
    /// use prom_codec::{Encoder, Output};
    /// let g = prom_core::Gauge::new("queue_depth", "Items waiting.").unwrap();
    /// g.set(3.0);
    /// let c = prom_core::Counter::new("jobs", "").unwrap();
    ///
    /// let mut out = b"already here\n".to_vec();
    /// Encoder::text().encode(&g, &[], &mut out).unwrap();
    /// assert_eq!(out, b"already here\n# HELP queue_depth Items waiting.\n# TYPE queue_depth gauge\nqueue_depth 3\n");
    ///
    /// // Any writer, here keeping only the family that exposes `jobs_total`.
    /// let both: [&dyn prom_core::Collector; 2] = [&g, &c];
    /// let mut file = std::io::Cursor::new(Vec::new());
    /// for source in both {
    ///     Encoder::text().encode(source, &["jobs_total"], Output::writer(&mut file)).unwrap();
    /// }
    /// assert_eq!(file.into_inner(), b"# TYPE jobs_total counter\njobs_total 0\n");
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::Collect`] when the collector fails (what was written
    /// so far should be discarded), [`EncodeError::Io`] when the writer
    /// does; never [`EncodeError::Io`] for a `Vec<u8>`.
    pub fn encode<'o>(
        self,
        source: &(impl Collector + ?Sized),
        names: &[&str],
        out: impl Into<Output<'o>>,
    ) -> Result<(), EncodeError> {
        let collect = |e| match e {
            VisitFailure::Collect(e) => EncodeError::Collect(e),
            // The writers' other errors are the sink's, taken from it below.
            other => match encode::clash(other) {
                Some(clash) => EncodeError::NameClash(clash),
                None => EncodeError::Io(io::Error::other("the writer failed")),
            },
        };
        match out.into().0 {
            Dest::Vec(out) => self.visit_into(source, names, out).map_err(collect),
            Dest::Write(w) => {
                let mut sink = IoSink::new(w);
                match self.visit_into(source, names, &mut sink) {
                    Ok(()) => sink.finish().map_err(EncodeError::Io),
                    Err(e) => Err(sink
                        .take_error()
                        .map_or_else(|| collect(e), EncodeError::Io)),
                }
            }
        }
    }

    /// Writes snapshot `families` into `out` (a `&mut Vec<u8>` or
    /// [`Output::writer`]), whole and in the order given; series keep their
    /// label order. [`Encoder::encode`] writes the same bytes straight from
    /// the live metrics.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
    /// let mut fam = MetricFamily::new("temperature", "", MetricType::Gauge).unwrap();
    /// fam.push(LabelSet::from_pairs([("room", "attic")]).unwrap(), MetricValue::Gauge(21.5)).unwrap();
    /// let mut out = Vec::new();
    /// Encoder::openmetrics().encode_families(&[fam], &mut out).unwrap();
    /// assert_eq!(out, b"# TYPE temperature gauge\ntemperature{room=\"attic\"} 21.5\n# EOF\n");
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::NameClash`] when two families would write one name
    /// (what was written so far should be discarded); [`EncodeError::Io`]
    /// when the writer fails, never for a `Vec<u8>`.
    ///
    /// ```
    /// use prom_codec::{EncodeError, Encoder};
    /// use prom_core::{MetricFamily, MetricType};
    /// let counter = MetricFamily::new("jobs", "", MetricType::Counter).unwrap();
    /// let gauge = MetricFamily::new("jobs_total", "", MetricType::Gauge).unwrap();
    /// let err = Encoder::text().encode_families(&[counter, gauge], &mut Vec::new()).unwrap_err();
    /// let EncodeError::NameClash(clash) = &err else { panic!("{err}") };
    /// assert_eq!(clash.name, "jobs_total");
    /// assert_eq!(err.to_string(), "cannot encode metrics: metric families \"jobs\" and \"jobs_total\" would both write the name \"jobs_total\"");
    /// ```
    pub fn encode_families<'o>(
        self,
        families: &[MetricFamily],
        out: impl Into<Output<'o>>,
    ) -> Result<(), EncodeError> {
        match out.into().0 {
            Dest::Vec(out) => self
                .encode_snapshot(families, out)
                .map_err(EncodeError::NameClash),
            Dest::Write(w) => {
                let mut sink = IoSink::new(w);
                self.encode_snapshot(families, &mut sink)
                    .map_err(EncodeError::NameClash)?;
                sink.finish().map_err(EncodeError::Io)
            }
        }
    }

    fn encode_snapshot<K: Sink + ?Sized>(
        self,
        families: &[MetricFamily],
        sink: &mut K,
    ) -> Result<(), NameClash> {
        match self.lines() {
            Some(format) => encode::encode(format, self.escaping, families, sink),
            None => protobuf::encode(families, self.escaping, sink),
        }
    }

    /// Encodes snapshot `families` into a new string; see
    /// [`Encoder::encode_families`]. `.into_bytes()` gives the bytes
    /// without a copy.
    ///
    /// ```
    /// use prom_codec::Encoder;
    /// let c = prom_core::Counter::new("jobs", "Jobs run.").unwrap();
    /// c.inc_by(2.0);
    /// let families = prom_core::collect(&c).unwrap();
    /// assert_eq!(
    ///     Encoder::text().encode_to_string(&families).unwrap(),
    ///     "# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 2\n",
    /// );
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::NameClash`] when two families would write one name.
    ///
    /// # Panics
    /// For [`Encoder::protobuf`], which is binary: use
    /// [`Encoder::encode_families`] into a `Vec<u8>`.
    pub fn encode_to_string(self, families: &[MetricFamily]) -> Result<String, EncodeError> {
        let Some(format) = self.lines() else {
            panic!("the protobuf exposition is binary: encode it into a Vec<u8>");
        };
        let mut out = Vec::new();
        encode::encode(format, self.escaping, families, &mut out)
            .map_err(EncodeError::NameClash)?;
        Ok(String::from_utf8(out).expect("the exposition is built from &str and ASCII only"))
    }

    /// Visits `source` (the families exposing one of `names`, or all) with
    /// a writer into `sink`, ending with `# EOF` for OpenMetrics.
    fn visit_into<K: Sink + ?Sized>(
        self,
        source: &(impl Collector + ?Sized),
        names: &[&str],
        sink: &mut K,
    ) -> Result<(), VisitFailure> {
        match self.lines() {
            Some(format) => {
                let mut writer = Writer::new(sink, format, self.escaping);
                visit_filtered(source, names, &mut writer)?;
                writer.finish();
            }
            None => {
                let mut writer = protobuf::ProtoWriter::new(sink, self.escaping);
                visit_filtered(source, names, &mut writer)?;
                writer.finish();
            }
        }
        Ok(())
    }
}

/// Visits `source` with `v`, keeping the families that expose one of
/// `names` (all when `names` is empty).
fn visit_filtered<V: Visitor>(
    source: &(impl Collector + ?Sized),
    names: &[&str],
    v: &mut V,
) -> Result<(), VisitFailure> {
    if names.is_empty() {
        source.visit(v)
    } else {
        source.visit(&mut Filter { inner: v, names })
    }
}

/// Passes on only the families that expose one of `names`.
struct Filter<'a, V> {
    inner: &'a mut V,
    names: &'a [&'a str],
}

impl<V: Visitor> Visitor for Filter<'_, V> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        if self.names.iter().any(|n| family.exposes(n)) {
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
    /// Two families would write one name: the output could not be read
    /// back. The registry refuses such collectors when they describe their
    /// families; this catches the others, and snapshots.
    NameClash(NameClash),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Collect(e) => write!(f, "cannot encode metrics: {e}"),
            EncodeError::Io(e) => write!(f, "cannot write metrics: {e}"),
            EncodeError::NameClash(e) => write!(f, "cannot encode metrics: {e}"),
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EncodeError::Collect(e) => Some(e),
            EncodeError::Io(e) => Some(e),
            EncodeError::NameClash(e) => Some(e),
        }
    }
}
