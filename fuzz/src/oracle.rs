//! The oracles the fuzz targets share (also run by prom-codec's tests over
//! its conformance cases, which include this file): encode a model, parse it back, and
//! compare the two models up to what the format documents it does not carry.

use prom_codec::{parse_openmetrics, parse_text, EncodeError, Encoder};
use prom_core::{MetricFamily, MetricValue};

/// The two exposition formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.0.
    OpenMetrics,
}

impl Format {
    /// Encodes `families` in this format.
    pub fn encode(self, families: &[MetricFamily]) -> Result<String, EncodeError> {
        match self {
            Format::Text => Encoder::text().encode_to_string(families),
            Format::OpenMetrics => Encoder::openmetrics().encode_to_string(families),
        }
    }

    /// Parses `input` in this format.
    pub fn parse(self, input: &str) -> Result<Vec<MetricFamily>, prom_codec::ParseError> {
        match self {
            Format::Text => parse_text(input),
            Format::OpenMetrics => parse_openmetrics(input),
        }
    }
}

/// The encoders write a `_created` of `-0.0` as `0` (a time, to the
/// millisecond); every other `-0.0` keeps its sign.
fn zero(v: &mut f64) {
    if *v == 0.0 {
        *v = 0.0;
    }
}

/// `families` as the format carries them, printed through `Debug`, where NaN
/// equals itself and every other float prints exactly.
///
/// What is normalised, and why:
/// - a `_created` of `-0.0` becomes `0.0` (written as a time);
/// - exemplars are dropped in text 0.0.4, which has none;
/// - text 0.0.4 has no created times and no units, and its parser skips the
///   blanks before a help text (they cannot be told from separators);
/// - OpenMetrics created times are written to the millisecond;
/// - OpenMetrics has no negative or NaN `_sum`, and none beside negative
///   buckets: the encoder leaves it out, so a histogram reads back without a
///   sum and a summary with a sum of 0; nor
///   a NaN `_gsum`, or a negative one without a negative bucket.
pub fn canonical(families: &[MetricFamily], format: Format) -> String {
    let mut families = families.to_vec();
    for family in &mut families {
        if format == Format::Text {
            family.unit = None;
            let help = family.help.trim_start_matches([' ', '\t']);
            if help.len() != family.help.len() {
                family.help = help.into();
            }
        }
        for metric in &mut family.metrics {
            if format == Format::Text {
                metric.exemplars.clear();
            }
            metric.created = match format {
                Format::Text => None,
                Format::OpenMetrics => metric.created.map(|c| (c * 1000.0).round() / 1000.0),
            };
            if let Some(c) = &mut metric.created {
                zero(c);
            }
            match &mut metric.value {
                MetricValue::Histogram(h) => {
                    let negative_buckets = h.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
                    if format == Format::OpenMetrics
                        && h.sum
                            .is_some_and(|s| s < 0.0 || s.is_nan() || negative_buckets)
                    {
                        h.sum = None;
                    }
                }
                MetricValue::GaugeHistogram(h) => {
                    let negative_buckets = h.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
                    if format == Format::OpenMetrics
                        && h.sum
                            .is_some_and(|s| s.is_nan() || s < 0.0 && !negative_buckets)
                    {
                        h.sum = None;
                    }
                }
                MetricValue::Summary(s)
                    if format == Format::OpenMetrics && (s.sum < 0.0 || s.sum.is_nan()) =>
                {
                    s.sum = 0.0;
                }
                _ => {}
            }
        }
    }
    format!("{families:#?}")
}

/// Encodes `families` in `format`, parses the output back, and panics unless
/// the parser accepts it and returns the same model (see [`canonical`]).
pub fn assert_round_trip(families: &[MetricFamily], format: Format) {
    // What a parser accepts, or constructors build, never has two families
    // writing one name.
    let encoded = match format.encode(families) {
        Ok(encoded) => encoded,
        Err(e) => panic!("{format:?} encoder refused the model: {e}\n{families:#?}"),
    };
    let parsed = match format.parse(&encoded) {
        Ok(parsed) => parsed,
        Err(e) => {
            panic!("{format:?} parser refused the {format:?} encoder's output: {e}\n{encoded}")
        }
    };
    let (want, got) = (canonical(families, format), canonical(&parsed, format));
    assert!(
        want == got,
        "{format:?} round trip changed the model\nencoded:\n{encoded}\nbefore:\n{want}\nafter:\n{got}"
    );
}

/// The parse targets' oracle: `input` must not panic the parser, and if it
/// parses, the model must survive an encode and a parse in the same format.
pub fn parse_target(data: &[u8], format: Format) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(families) = format.parse(input) {
        assert_round_trip(&families, format);
    }
}
