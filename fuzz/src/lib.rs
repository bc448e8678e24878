//! The oracles the fuzz targets share: encode a model, parse it back, and
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
/// - OpenMetrics has no negative or NaN `_sum`: the encoder leaves it out, so
///   a histogram reads back without a sum and a summary with a sum of 0.
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
                    if format == Format::OpenMetrics && h.sum.is_some_and(|s| s < 0.0 || s.is_nan())
                    {
                        h.sum = None;
                    }
                }
                MetricValue::Summary(s) => {
                    if format == Format::OpenMetrics && (s.sum < 0.0 || s.sum.is_nan()) {
                        s.sum = 0.0;
                    }
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

/// Builds families through the public constructors from arbitrary input.
pub mod generate {
    use arbitrary::{Arbitrary, Unstructured};
    use prom_core::{collect, CounterVec, GaugeVec, HistogramVec, Opts, SummaryVec};

    /// A name: mostly drawn from the characters valid names use, so the
    /// constructors accept some; sometimes any string, so they refuse some.
    #[derive(Debug)]
    pub struct Name(pub String);

    impl<'a> Arbitrary<'a> for Name {
        fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
            const CHARS: &[u8] = b"abcxyz_:019ABZ";
            if u.ratio(1, 8)? {
                return Ok(Name(String::arbitrary(u)?));
            }
            let len = u.int_in_range(0..=12)?;
            let mut name = String::with_capacity(len);
            for _ in 0..len {
                name.push(char::from(*u.choose(CHARS)?));
            }
            // Suffixes the encoders and parsers treat specially.
            const SUFFIXES: &[&str] = &[
                "", "", "", "_total", "_bucket", "_count", "_sum", "_created", "_info",
            ];
            name.push_str(u.choose(SUFFIXES)?);
            Ok(Name(name))
        }
    }

    /// A float: often one of the values formats spell specially.
    #[derive(Debug, Clone, Copy)]
    pub struct Value(pub f64);

    impl<'a> Arbitrary<'a> for Value {
        fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
            const SPECIAL: &[f64] = &[
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                1e-300,
                1e300,
                f64::MIN_POSITIVE,
                f64::MAX,
                f64::MIN,
                f64::EPSILON,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NAN,
                9007199254740993.0,
                0.1,
            ];
            Ok(Value(if u.ratio(1, 2)? {
                *u.choose(SPECIAL)?
            } else {
                f64::arbitrary(u)?
            }))
        }
    }

    /// The metric type to build.
    #[derive(Debug, Arbitrary)]
    pub enum Kind {
        /// `CounterVec`.
        Counter,
        /// `GaugeVec`.
        Gauge,
        /// `HistogramVec`.
        Histogram,
        /// `SummaryVec`.
        Summary,
    }

    /// Everything the constructors and updates of one family get.
    #[derive(Debug, Arbitrary)]
    pub struct Input {
        pub kind: Kind,
        pub name: Name,
        pub namespace: Option<Name>,
        pub help: String,
        pub unit: Option<Name>,
        pub label_names: Vec<Name>,
        pub buckets: Option<Vec<Value>>,
        /// Each series: its label values and the updates applied to it.
        pub series: Vec<(Vec<String>, Vec<Value>)>,
    }

    fn opts(input: &Input) -> Opts {
        let mut opts = Opts::new(input.name.0.clone(), input.help.clone())
            .labels(input.label_names.iter().map(|n| n.0.clone()));
        if let Some(ns) = &input.namespace {
            opts = opts.namespace(ns.0.clone());
        }
        if let Some(unit) = &input.unit {
            opts = opts.unit(unit.0.clone());
        }
        if let Some(buckets) = &input.buckets {
            opts = opts.buckets(buckets.iter().map(|b| b.0).collect::<Vec<_>>());
        }
        opts
    }

    /// The families the constructors build from `input`, or `None` where they
    /// refuse it.
    pub fn families(input: &Input) -> Option<Vec<prom_core::MetricFamily>> {
        let opts = opts(input);
        // Each arm: build the family, create and update its series; a refused
        // constructor or label set ends the case, refused updates are skipped.
        macro_rules! build {
            ($vec:ty, |$m:ident, $v:ident| $update:expr) => {{
                let family = <$vec>::new(opts).ok()?;
                for (values, updates) in &input.series {
                    let $m = family.with_label_values(values).ok()?;
                    for $v in updates.iter().map(|v| v.0) {
                        let _ = $update;
                    }
                }
                collect(&family).ok()
            }};
        }
        match input.kind {
            Kind::Counter => build!(CounterVec, |m, v| m.inc_by(v)),
            Kind::Gauge => build!(GaugeVec, |m, v| m.set(v)),
            Kind::Histogram => build!(HistogramVec, |m, v| m.observe(v)),
            Kind::Summary => build!(SummaryVec, |m, v| m.observe(v)),
        }
    }
}
