//! Property: for generated families of every type — odd names, help texts
//! and label values with escapes and any UTF-8, special floats (`-0.0`
//! included), timestamps, created times, units, exemplars, empty families —
//! `parse_openmetrics` reads back exactly what the OpenMetrics encoder
//! wrote, and `parse_text` reads back what the text encoder wrote less what
//! text 0.0.4 cannot carry (the text property leaves out the types text
//! 0.0.4 has no TYPE for: info, state set, gauge histogram).
//!
//! What the text round trip normalises, and why:
//! - `created` times and units: text 0.0.4 has neither.
//! - leading blanks and tabs of help texts: Prometheus' text parser skips
//!   the blanks between the metric name and the help text, so they are
//!   indistinguishable from separators.
//!
//! `parse_protobuf` reads back what the protobuf encoder wrote for the same
//! types (and native histograms of every schema, zero threshold and value,
//! empty ones included) less units (the protobuf exposition Prometheus 2.42 reads has no
//! unit); created times, timestamps, `-0.0`, NaN and help texts survive.
//!
//! NaN is compared through `Debug`, where it equals itself (and `-0.0` differs
//! from `0.0`).
//! The generated models are valid OpenMetrics (counters and sums not
//! negative, no `_sum` with negative buckets, cumulative buckets ending in
//! `+Inf`, distinct label sets, names that do not clash), and timestamps are
//! milliseconds within ±10^13, which OpenMetrics' float seconds carry
//! exactly.

use std::collections::HashSet;

use prom_codec::{parse_openmetrics, parse_protobuf, parse_text, Encoder};
use prom_core::{
    Exemplar, HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue, Quantile,
    State, SummaryValue,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Help texts and label values: what needs escaping, and anything at all.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("([\"\\\\\n{}=,# \t]|\\PC|\\p{Cc}|[😀ü]){0,12}")
        .expect("valid regex")
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -1e6..1e6f64,
        (-1000i64..1000).prop_map(|v| v as f64),
        Just(-0.0),
    ]
}

/// Not negative, not NaN: what OpenMetrics allows for totals and sums.
fn counter_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..1e20f64,
        Just(f64::INFINITY),
        (0u64..1 << 53).prop_map(|v| v as f64),
        proptest::num::f64::POSITIVE | proptest::num::f64::ZERO,
    ]
}

fn timestamp() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(-10_000_000_000_000i64..10_000_000_000_000)
}

/// Created times to the millisecond, as the encoder writes them.
fn created() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of((0u64..4_000_000_000_000).prop_map(|ms| ms as f64 / 1000.0))
}

fn label_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("reserved", |n| {
        !n.starts_with("__") && n != "le" && n != "quantile"
    })
}

fn label_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    vec((label_name(), text()), 0..4).prop_map(|mut pairs| {
        let mut seen = HashSet::new();
        pairs.retain(|(n, _)| seen.insert(n.clone()));
        pairs
    })
}

fn histogram() -> impl Strategy<Value = (MetricValue, bool)> {
    (
        vec(
            prop_oneof![
                proptest::num::f64::NORMAL,
                Just(0.0),
                Just(-1.0),
                Just(0.005),
                Just(1e6)
            ],
            0..6,
        ),
        vec(0u64..1_000_000, 7),
        any::<u64>(),
        proptest::option::of(0.0..1e9f64),
    )
        .prop_map(|(mut bounds, per, big, sum)| {
            bounds.sort_by(f64::total_cmp);
            bounds.dedup();
            bounds.push(f64::INFINITY);
            let negative = bounds.iter().any(|b| *b < 0.0);
            let sum = if negative { None } else { sum };
            let mut h = HistogramValue::from_counts(&bounds, &per[..bounds.len()], sum);
            // Now and then a count near the top of the range, which only an
            // exact integer path keeps.
            if big > u64::MAX / 2 {
                if let Some(last) = h.buckets.last_mut() {
                    last.cumulative_count = big;
                    h.count = big;
                }
            }
            let value = MetricValue::Histogram(h);
            (value, negative)
        })
}

fn summary() -> impl Strategy<Value = MetricValue> {
    (
        vec(
            (
                prop_oneof![0.0..=1.0f64, Just(0.5), Just(0.99), Just(1.0)],
                prop_oneof![Just(f64::NAN), 0.0..1e9f64],
            ),
            0..4,
        ),
        any::<u64>(),
        counter_value(),
    )
        .prop_map(|(qs, count, sum)| {
            let mut seen = HashSet::new();
            let quantiles = qs
                .into_iter()
                .filter(|(q, _)| seen.insert(q.to_bits()))
                .map(|(quantile, value)| Quantile { quantile, value })
                .collect();
            MetricValue::Summary(SummaryValue {
                count,
                sum,
                quantiles,
            })
        })
}

/// The types of both formats; with `openmetrics`, also those only
/// OpenMetrics has.
fn metric_type(openmetrics: bool) -> BoxedStrategy<MetricType> {
    let both = prop_oneof![
        Just(MetricType::Counter),
        Just(MetricType::Gauge),
        Just(MetricType::Unknown),
        Just(MetricType::Histogram),
        Just(MetricType::Summary),
    ];
    if openmetrics {
        prop_oneof![
            5 => both,
            1 => Just(MetricType::Info),
            1 => Just(MetricType::StateSet),
            1 => Just(MetricType::GaugeHistogram),
        ]
        .boxed()
    } else {
        both.boxed()
    }
}

/// A state set's states: distinct names, each on or off.
fn states() -> impl Strategy<Value = MetricValue> {
    vec(("[a-z\\\"]{1,4}", any::<bool>()), 1..4).prop_map(|states| {
        let mut seen = HashSet::new();
        MetricValue::StateSet(
            states
                .into_iter()
                .filter(|(name, _)| seen.insert(name.clone()))
                .map(|(name, enabled)| State {
                    name: name.into(),
                    enabled,
                })
                .collect(),
        )
    })
}

fn value(t: MetricType) -> BoxedStrategy<MetricValue> {
    match t {
        MetricType::Counter => counter_value().prop_map(MetricValue::Counter).boxed(),
        MetricType::Gauge => any_value().prop_map(MetricValue::Gauge).boxed(),
        MetricType::Histogram => histogram().prop_map(|(v, _)| v).boxed(),
        MetricType::Summary => summary().boxed(),
        // A parsed info's labels are all the series' own (the exposition
        // cannot tell them apart), so the info's own set is empty.
        MetricType::Info => Just(MetricValue::Info(LabelSet::empty())).boxed(),
        MetricType::StateSet => states().boxed(),
        MetricType::GaugeHistogram => histogram()
            .prop_map(|(v, _)| match v {
                MetricValue::Histogram(h) => MetricValue::GaugeHistogram(h),
                other => other,
            })
            .boxed(),
        _ => any_value().prop_map(MetricValue::Unknown).boxed(),
    }
}

/// An exemplar: labels of at most 128 characters, any value, maybe a time.
fn exemplar() -> impl Strategy<Value = Exemplar> {
    (
        label_pairs(),
        any_value(),
        proptest::option::of((0u64..4_000_000_000_000).prop_map(|ms| ms as f64 / 1000.0)),
    )
        .prop_map(|(mut pairs, value, ts)| {
            while pairs
                .iter()
                .map(|(n, v)| n.chars().count() + v.chars().count())
                .sum::<usize>()
                > Exemplar::MAX_LABEL_CHARS
            {
                pairs.pop();
            }
            let e = Exemplar::new(LabelSet::from_pairs(pairs).unwrap(), value);
            match ts {
                Some(ts) => e.with_timestamp(ts),
                None => e,
            }
        })
}

/// Exemplars for `value` in OpenMetrics: maybe one on a counter, maybe one
/// on each bucket of a histogram or gauge histogram, in bucket order, with
/// a value no greater than its bucket's bound.
fn exemplars_for(value: &MetricValue, picks: &[Option<Exemplar>]) -> Vec<Exemplar> {
    match value {
        MetricValue::Counter(_) => picks.first().cloned().flatten().into_iter().collect(),
        MetricValue::Histogram(h) | MetricValue::GaugeHistogram(h) => h
            .buckets
            .iter()
            .zip(picks)
            .filter_map(|(b, e)| {
                // OpenMetrics: an exemplar's value is at most its bucket's bound.
                e.clone().map(|mut e| {
                    if e.value.is_nan() || e.value > b.upper_bound {
                        e.value = b.upper_bound;
                    }
                    e.in_bucket(b.upper_bound)
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn family(i: usize, openmetrics: bool) -> impl Strategy<Value = MetricFamily> {
    (
        metric_type(openmetrics),
        "[a-zA-Z0-9_:]{0,8}",
        proptest::option::of("[a-zA-Z0-9_]{1,6}"),
        text(),
    )
        .prop_flat_map(move |(t, part, unit, help)| {
            let picks = if openmetrics {
                vec(proptest::option::weighted(0.3, exemplar()), 7).boxed()
            } else {
                Just(Vec::new()).boxed()
            };
            let metric = (label_pairs(), value(t), timestamp(), created(), picks);
            (
                Just(t),
                Just(part),
                Just(unit),
                Just(help),
                vec(metric, 0..4),
            )
        })
        .prop_map(move |(t, part, unit, help, metrics)| {
            // Infos and state sets take no unit.
            let unit = unit.filter(|_| t.allows_unit());
            // A state set's name is also a label name: no `:`.
            let part = if t == MetricType::StateSet {
                part.replace(':', "_")
            } else {
                part
            };
            // A prefix unique to the family keeps any family's sample names
            // from clashing with another's.
            let mut name = format!("f{i}_{part}");
            if let Some(unit) = &unit {
                name.push('_');
                name.push_str(unit);
            }
            let mut fam = MetricFamily::new(&name, &help, t).unwrap();
            // `new` drops a counter's `_total`; keep the name as generated.
            fam.name = name.as_str().into();
            if let Some(unit) = &unit {
                fam = fam.with_unit(unit).unwrap();
            }
            let mut label_sets = HashSet::new();
            for (mut pairs, value, ts, created, picks) in metrics {
                // A state set labels its states with the family name.
                if t == MetricType::StateSet {
                    pairs.retain(|(n, _)| *n != name);
                }
                let mut key: Vec<_> = pairs.clone();
                key.sort();
                if !label_sets.insert(key) {
                    continue;
                }
                let exemplars = exemplars_for(&value, &picks);
                let mut m = Metric::new(LabelSet::from_pairs(pairs).unwrap(), value);
                m.exemplars = exemplars;
                m.timestamp_ms = ts;
                if matches!(
                    t,
                    MetricType::Counter | MetricType::Histogram | MetricType::Summary
                ) {
                    m.created = created;
                }
                fam.push_metric(m).unwrap();
            }
            fam
        })
}

fn families(openmetrics: bool) -> impl Strategy<Value = Vec<MetricFamily>> {
    (0usize..6).prop_flat_map(move |n| (0..n).map(|i| family(i, openmetrics)).collect::<Vec<_>>())
}

/// `Debug` prints NaN as `NaN` on both sides, where `PartialEq` fails.
fn shown(families: &[MetricFamily]) -> String {
    format!("{families:#?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn openmetrics_reads_back_exactly(families in families(true)) {
        let text = Encoder::openmetrics().encode_to_string(&families).unwrap();
        let parsed = parse_openmetrics(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- input ---\n{text}")))?;
        prop_assert_eq!(shown(&parsed), shown(&families), "input:\n{}", text);
    }

    #[test]
    fn text_reads_back_less_units_created_times_and_leading_help_blanks(families in families(false)) {
        let text = Encoder::text().encode_to_string(&families).unwrap();
        let parsed = parse_text(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- input ---\n{text}")))?;
        let mut want = families;
        for family in &mut want {
            family.unit = None;
            family.help = family.help.trim_start_matches([' ', '\t']).into();
            for metric in &mut family.metrics {
                metric.created = None;
            }
        }
        prop_assert_eq!(shown(&parsed), shown(&want), "input:\n{}", text);
    }

    #[test]
    fn protobuf_reads_back_less_units(families in families(false)) {
        let mut bytes = Vec::new();
        Encoder::protobuf().encode_families(&families, &mut bytes).unwrap();
        let parsed = parse_protobuf(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- model ---\n{}", shown(&families))))?;
        let mut want = families;
        for family in &mut want {
            family.unit = None;
        }
        prop_assert_eq!(shown(&parsed), shown(&want));
    }

    #[test]
    fn native_histograms_read_back_from_protobuf(
        schema in -4i32..=8,
        zero in prop_oneof![Just(0.0), Just(2f64.powi(-128)), 1e-3..1.0f64],
        values in vec(
            prop_oneof![
                -1e6..1e6f64,
                -1.0..1.0f64,
                Just(0.0),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(f64::NAN),
            ],
            0..60,
        ),
        ts in timestamp(),
        created in created(),
    ) {
        let opts = prom_core::NativeHistogramOpts::new()
            .schema(schema)
            .unwrap()
            .zero_threshold(zero)
            .unwrap();
        let h = prom_core::NativeHistogram::with_name("h", "", opts)
.expect("a valid name");
        for v in values {
            h.observe(v);
        }
        let mut fam = MetricFamily::new("h", "Native.", MetricType::Histogram).unwrap();
        let mut m = Metric::new(LabelSet::default(), MetricValue::NativeHistogram(h.get()));
        m.timestamp_ms = ts;
        m.created = created;
        fam.push_metric(m).unwrap();
        let families = vec![fam];
        let mut bytes = Vec::new();
        Encoder::protobuf().encode_families(&families, &mut bytes).unwrap();
        let parsed = parse_protobuf(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- model ---\n{}", shown(&families))))?;
        prop_assert_eq!(shown(&parsed), shown(&families));
    }
}
