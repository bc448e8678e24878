//! Parsers for both exposition formats, into the data model the encoders
//! write from: [`parse_text`] for text format 0.0.4 and
//! [`parse_openmetrics`] for OpenMetrics 1.0.0.
//!
//! Both read the whole input as a `&str`, borrow names, label values and
//! numbers from it while scanning, and allocate only for the model (one
//! label-name list per family and label layout, one packed value buffer
//! per series). Time and memory are linear in the input; hashes are keyed
//! per parse, so no input can force collisions. Neither parser panics, on
//! any input.
//!
//! # What both produce
//! Families in the order they first appear, each with its series in input
//! order. A family's `help` is `""` without a HELP line. The samples of one
//! series — a histogram's `_bucket`, `_count`, `_sum` and `_created`, a
//! summary's quantiles, `_count`, `_sum` and `_created`, a counter's
//! `_total` and `_created` — become one [`Metric`].
//! Label order is kept as written; label sets are told apart regardless of
//! order. Families with metadata and no samples are kept (the encoders
//! write them). The model holds histogram and summary counts in a `u64`:
//! OpenMetrics counts must be non-negative integers (`17`, `17.0`, `1e3`);
//! text 0.0.4 counts may be any float, converted as Prometheus' parser
//! converts them (toward zero; NaN and negatives 0).
//!
//! # UTF-8 names
//! Both parsers read the quoted syntax of names outside the legacy
//! character set, as text 1.0.0 and Prometheus 3 write it: the metric name
//! as the first quoted string inside the braces (`{"my.metric","label.x"="v"} 1`,
//! `{"my.metric"} 1`), quoted label names (`foo{"label.x"="v"} 1`, in
//! exemplars too) and quoted names in HELP, TYPE and UNIT lines
//! (`# TYPE "my.metric" counter`); suffixes are inside the quotes
//! (`{"my.metric_total"} 1`). A quoted name may hold any character, with
//! `\\`, `\"` and `\n` escaped as in label values (any other escape is an
//! error). An empty quoted
//! name, a missing closing quote, or a quoted label name where the metric
//! name should be are errors naming the line and the column.
//!
//! # Text format 0.0.4
//! Read as Prometheus' own text parser (the one in promtool, the
//! Pushgateway and node_exporter) reads it:
//! - blank lines and `#` comments other than `# HELP` and `# TYPE` are
//!   ignored; HELP and TYPE are optional; tokens may be separated by any
//!   blanks and tabs; a label set may end in a comma; every line, the last
//!   included, ends in a newline; nothing (not even a blank) follows the
//!   last token of a sample.
//! - `# TYPE` is `counter`, `gauge`, `histogram`, `summary` or `untyped`
//!   (any case); it must come before the family's first sample, and HELP
//!   and TYPE at most once per name.
//! - label values unescape `\\`, `\"` and `\n`, HELP texts `\\` and `\n`;
//!   any other escape is an error. Leading blanks of a HELP text are
//!   skipped. `__name__` is not a label name.
//! - values are Go floats (`1`, `-1.5e-3`, `.5`, `+Inf`, `-inf`, `NaN`, no
//!   hexadecimal, no `_`); timestamps are integer milliseconds.
//! - a sample belongs to the family of exactly its name, else to the
//!   histogram or summary it is the `_bucket`/`_count`/`_sum` of, else to the
//!   counter it is the `_total` of (`# TYPE x counter`, then `x_total`,
//!   as Prometheus files it), else to a new untyped family of its own name
//!   ([`MetricType::Unknown`](prom_core::MetricType)); the names of HELP
//!   and TYPE lines resolve the same way. A counter's model name drops one
//!   `_total`. A counter with no samples whose `x_total` samples came
//!   before its TYPE line (a family of their own) is dropped, as
//!   Prometheus drops every family without samples.
//! - a histogram or summary TYPE line for `x` after a sample made
//!   `x_bucket`, `x_count` or `x_sum` a family of its own is an error:
//!   Prometheus accepts it, but `x` could then never have those samples,
//!   and the model's `_sum` and `_count` would be written back under the
//!   other family.
//! - **Interleaving**: the format's description asks for a family's lines
//!   to be grouped, but Prometheus' parser does not enforce it: it files a
//!   sample under its family wherever it appears (promtool 2.42 accepts
//!   `a 1`, `b 1`, `a{x="y"} 2`). This parser does the same, so anything
//!   Prometheus reads, it reads. A series written twice (same name, labels
//!   and timestamp) is kept twice, in order, as Prometheus' parser keeps
//!   it; of two `_count` or `_sum` samples of one histogram or summary
//!   series, the first is kept (as Prometheus' storage keeps the first of
//!   two samples of one series).
//! - histogram buckets may come in any order and are sorted (of two with
//!   one bound, the first written is kept, and so of two quantiles of one
//!   summary series); `_count` defaults to the `+Inf`
//!   bucket, else 0; a missing `_sum` is `None`; a missing summary `_count`
//!   or `_sum` reads as 0 (Prometheus stores 0 too). Cumulativeness and the
//!   `+Inf` bucket are not checked. A bucket without `le` and a quantile
//!   without `quantile` (or with NaN there) are dropped, as Prometheus'
//!   parser drops them; their series is kept.
//! - text 0.0.4 has no units, `_created` samples (a `x_created` sample is
//!   a family of its own) or exemplars.
//!
//! # OpenMetrics 1.0.0
//! Strict, as its specification and the Python reference parser
//! (`prometheus_client.openmetrics.parser`) are:
//! - every line follows the ABNF: single spaces, no blank lines, no
//!   comments, no trailing comma in label sets; `# EOF` ends the input,
//!   followed by at most one newline.
//! - label values and HELP texts unescape `\\`, `\"` and `\n`; another
//!   backslash sequence is kept as written, as the ABNF allows. Label names
//!   starting with `__` are reserved.
//! - `# TYPE` is `counter`, `gauge`, `histogram`, `gaugehistogram`,
//!   `summary`, `info`, `stateset` or `unknown`. HELP, TYPE and UNIT at
//!   most once per family and before its samples. A UNIT must be the name's
//!   suffix (after `_`), and info and state sets have none; an empty UNIT is
//!   none.
//! - families must not be interleaved and no sample name may clash with
//!   another family's (a gauge `x_created` after a counter `x`); within a
//!   family, the samples of one label set are contiguous and no label set
//!   comes back. Several MetricPoints of one label set become several
//!   `Metric`s with the same labels: their timestamps must not go
//!   backwards, and a sample at the same timestamp that the point already
//!   has (a second value, `_count`, bucket…) begins the next point, as the
//!   specification's own test suite reads it.
//! - counters need the `_total` suffix; totals, buckets, counts and sums are
//!   neither negative nor NaN.
//! - histograms: a `+Inf` bucket (spelled `+Inf`); `le` strictly
//!   increasing, counts cumulative; `_count` if and only if `_sum`, equal to
//!   the `+Inf` bucket; no `_sum` with a negative bucket. A gauge
//!   histogram's `_gsum` may be negative only beside a negative bucket. Other `le` and
//!   `quantile` spellings (`1`, `1e-4`) are accepted: the specification
//!   says parsers must not reject non-canonical numbers.
//! - summaries: `quantile` within `[0, 1]`, quantile values not negative
//!   (NaN allowed); missing `_count`/`_sum` read as 0.
//! - timestamps are seconds (any real number), stored as the nearest
//!   millisecond (clamped to the `i64` range of milliseconds, ±292 million
//!   years); `_created` goes to [`Metric::created`](prom_core::Metric);
//!   timestamps are on all samples of a label set or none, and never go
//!   backwards.
//! - exemplars (`# {labels} value [timestamp]`, labels at most 128
//!   characters together) on a counter's `_total` or a histogram's
//!   `_bucket` go to [`Metric::exemplars`](prom_core::Metric); elsewhere
//!   they are an error.

mod error;
mod help;
mod index;
mod lex;
mod number;
mod openmetrics;
mod series;
mod text;

use prom_core::{Metric, MetricFamily, MetricType};

pub use error::ParseError;

/// Parses a text format 0.0.4 exposition (what Prometheus scrapes as
/// `text/plain; version=0.0.4`), following the rules in the
/// [module documentation](self).
///
/// ```
/// use prom_core::{MetricType, MetricValue};
///
/// let families = prom_codec::parse_text(concat!(
///     "# HELP http_requests_total Requests served.\n",
///     "# TYPE http_requests_total counter\n",
///     "http_requests_total{method=\"GET\"} 1027 1700000000000\n",
///     "\n",
///     "# a comment\n",
///     "temperature{room=\"kitchen\"} 21.5\n",
/// ))?;
/// assert_eq!(families.len(), 2);
/// assert_eq!(&*families[0].name, "http_requests");
/// assert_eq!(families[0].metric_type, MetricType::Counter);
/// assert_eq!(families[0].metrics[0].labels.get("method"), Some("GET"));
/// assert_eq!(families[0].metrics[0].value, MetricValue::Counter(1027.0));
/// assert_eq!(families[0].metrics[0].timestamp_ms, Some(1_700_000_000_000));
/// // No TYPE line: an untyped family.
/// assert_eq!(families[1].metric_type, MetricType::Unknown);
/// # Ok::<(), prom_codec::ParseError>(())
/// ```
///
/// It reads back what [`Encoder::text`](crate::Encoder::text) writes, less
/// what text 0.0.4 cannot carry (created times, units) and with the leading
/// blanks of help texts dropped:
///
/// ```
/// use prom_codec::{parse_text, Encoder};
/// let g = prom_core::Gauge::new("queue_depth", "Items waiting.").unwrap();
/// g.set(3.0);
/// let families = prom_core::collect(&g).unwrap();
/// let text = Encoder::text().encode_to_string(&families).unwrap();
/// assert_eq!(parse_text(&text)?, families);
/// # Ok::<(), prom_codec::ParseError>(())
/// ```
///
/// # Errors
/// A [`ParseError`] for the first line that breaks the format, naming the
/// line, the column, what was expected and what was found.
///
/// ```
/// let err = prom_codec::parse_text("a 1\n# TYPE a gauge\n").unwrap_err();
/// assert_eq!(err.line(), 2);
/// assert_eq!(err.to_string(), "line 2: expected the TYPE line for \"a\" before its first sample, found a TYPE line after samples: \"# TYPE a gauge\"");
/// ```
pub fn parse_text(input: &str) -> Result<Vec<MetricFamily>, ParseError> {
    text::parse(input)
}

/// Parses an OpenMetrics 1.0.0 exposition (`application/openmetrics-text;
/// version=1.0.0`), strictly, following the rules in the
/// [module documentation](self).
///
/// ```
/// use prom_core::{MetricType, MetricValue};
///
/// let families = prom_codec::parse_openmetrics(concat!(
///     "# TYPE request_seconds histogram\n",
///     "# UNIT request_seconds seconds\n",
///     "request_seconds_bucket{le=\"0.5\"} 3 # {trace_id=\"4bf92f\"} 0.27 1700000000.5\n",
///     "request_seconds_bucket{le=\"+Inf\"} 4\n",
///     "request_seconds_count 4\n",
///     "request_seconds_sum 2.5\n",
///     "request_seconds_created 1700000000\n",
///     "# EOF\n",
/// ))?;
/// let family = &families[0];
/// assert_eq!(family.metric_type, MetricType::Histogram);
/// assert_eq!(family.unit.as_deref(), Some("seconds"));
/// let series = &family.metrics[0];
/// let MetricValue::Histogram(h) = &series.value else { unreachable!() };
/// assert_eq!((h.buckets.len(), h.count, h.sum), (2, 4, Some(2.5)));
/// assert_eq!(series.created, Some(1_700_000_000.0));
/// assert_eq!(series.exemplars[0].labels.get("trace_id"), Some("4bf92f"));
/// assert_eq!(series.exemplars[0].bucket, Some(0.5));
/// assert_eq!(series.exemplars[0].timestamp, Some(1_700_000_000.5));
/// # Ok::<(), prom_codec::ParseError>(())
/// ```
///
/// It reads back exactly what [`Encoder::openmetrics`](crate::Encoder::openmetrics)
/// writes:
///
/// ```
/// use prom_codec::{parse_openmetrics, Encoder};
/// let h = prom_core::Histogram::new("latency_seconds", "Latency.").unwrap();
/// h.observe(0.3);
/// let mut families = prom_core::collect(&h).unwrap();
/// // The encoder writes created times to the millisecond.
/// for m in &mut families[0].metrics {
///     m.created = m.created.map(|c| (c * 1000.0).round() / 1000.0);
/// }
/// let text = Encoder::openmetrics().encode_to_string(&families).unwrap();
/// assert_eq!(parse_openmetrics(&text)?, families);
/// # Ok::<(), prom_codec::ParseError>(())
/// ```
///
/// # Errors
/// A [`ParseError`] for the first line that breaks the format or its rules,
/// including a missing `# EOF`:
///
/// ```
/// let err = prom_codec::parse_openmetrics("# TYPE build info\nbuild_info{version=\"1.2\"} 2\n# EOF\n")
///     .unwrap_err();
/// assert_eq!(err.line(), 2);
/// assert_eq!(err.found(), "2");
/// ```
pub fn parse_openmetrics(input: &str) -> Result<Vec<MetricFamily>, ParseError> {
    openmetrics::parse(input, false)
}

/// Parses an OpenMetrics exposition as Prometheus reads it: the syntax of
/// [`parse_openmetrics`], without the checks of values and histogram shape
/// that the specification makes and real exposers break. Use it to read
/// another program's `/metrics` (client_golang, for one, writes a `_sum`
/// beside negative buckets); use [`parse_openmetrics`] to check an
/// exposition.
///
/// What it accepts beyond [`parse_openmetrics`]:
/// - counter totals and histogram sums that are negative or NaN, and a
///   counter's value under its bare name (`x` as well as `x_total`);
/// - histograms with a `_sum` beside negative buckets, without a `+Inf`
///   bucket (one is added, holding the count), with buckets that are not cumulative or not in order of `le`
///   (sorted, as text 0.0.4's are), with `_count` and `_sum` apart or a
///   `_count` other than the `+Inf` bucket (the model's count is the
///   `+Inf` bucket's when there is one, else `_count`'s, else 0); gauge-histogram
///   sums of any sign;
/// - quantiles outside `[0, 1]` and negative quantile values;
/// - exemplars on any sample: those the model has no place for (on a
///   `_count`, `_sum`, gauge or quantile) are dropped.
///
/// Everything else — the line syntax, `# EOF`, metadata placement, families
/// not interleaved, name clashes, timestamps — is checked as strictly.
///
/// ```
/// use prom_core::MetricValue;
/// // A histogram over negative values, with its sum, as client_golang writes it.
/// let page = concat!(
///     "# TYPE temperature_celsius histogram\n",
///     "temperature_celsius_bucket{le=\"-10\"} 1\n",
///     "temperature_celsius_bucket{le=\"+Inf\"} 3\n",
///     "temperature_celsius_count 3\n",
///     "temperature_celsius_sum 7.5\n",
///     "# EOF\n",
/// );
/// assert!(prom_codec::parse_openmetrics(page).is_err());
/// let families = prom_codec::parse_openmetrics_lenient(page)?;
/// let MetricValue::Histogram(h) = &families[0].metrics[0].value else { unreachable!() };
/// assert_eq!((h.count, h.sum), (3, Some(7.5)));
/// # Ok::<(), prom_codec::ParseError>(())
/// ```
///
/// # Errors
/// A [`ParseError`] for the first line that breaks the syntax or the rules
/// kept.
pub fn parse_openmetrics_lenient(input: &str) -> Result<Vec<MetricFamily>, ParseError> {
    openmetrics::parse(input, true)
}

/// The model family of these parts, as parsed: names and units as read
/// (the formats allow some the constructors refuse, as Prometheus does).
fn family(
    line: &lex::Line<'_>,
    name: &str,
    help: &str,
    unit: Option<&str>,
    metric_type: MetricType,
    metrics: Vec<Metric>,
) -> Result<MetricFamily, ParseError> {
    // The scanners have checked that every series has the family's type:
    // an error here is a parser bug, reported rather than panicked on.
    MetricFamily::from_parts(name, help, unit, metric_type, metrics)
        .map_err(|e| line.err_line("a family the model takes", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{parse_openmetrics, parse_text};

    #[test]
    fn names_and_units_the_model_refuses_are_read_as_exposed() {
        let families = parse_text("__a 1\n# TYPE _total counter\n_total 2\n").unwrap();
        assert_eq!(&*families[0].name, "__a");
        assert_eq!(&*families[1].name, "");
        let families =
            parse_openmetrics("# TYPE a_b:c gauge\n# UNIT a_b:c b:c\na_b:c 1\n# EOF\n").unwrap();
        assert_eq!(&*families[0].name, "a_b:c");
        assert_eq!(families[0].unit.as_deref(), Some("b:c"));
    }
}
