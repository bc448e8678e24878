//! Arbitrary names, help texts, units, label names and values, bucket bounds
//! and updates into the public constructors: whatever they accept must
//! encode, in both formats, to output the parsers accept and read back as
//! the same families.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use prom_core::{collect, CounterVec, GaugeVec, HistogramVec, Opts, SummaryVec};
use prom_fuzz::{assert_round_trip, Format};

/// A name: mostly drawn from the characters valid names use, so the
/// constructors accept some; sometimes any string, so they refuse some.
#[derive(Debug)]
struct Name(String);

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
struct Value(f64);

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

#[derive(Debug, Arbitrary)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
}

#[derive(Debug, Arbitrary)]
struct Input {
    kind: Kind,
    name: Name,
    namespace: Option<Name>,
    help: String,
    unit: Option<Name>,
    label_names: Vec<Name>,
    buckets: Option<Vec<Value>>,
    /// Each series: its label values and the updates applied to it.
    series: Vec<(Vec<String>, Vec<Value>)>,
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

fn families(input: &Input) -> Option<Vec<prom_core::MetricFamily>> {
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

fuzz_target!(|input: Input| {
    if let Some(families) = families(&input) {
        assert_round_trip(&families, Format::Text);
        assert_round_trip(&families, Format::OpenMetrics);
    }
});
