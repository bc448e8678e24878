//! Builds families through the public constructors from arbitrary input.

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
