//! Property: for generated families of every type — odd names, help texts
//! and label values with escapes and any UTF-8, special floats, timestamps,
//! created times, units, empty families — `parse_openmetrics` reads back
//! exactly what the OpenMetrics encoder wrote, and `parse_text` reads back
//! what the text encoder wrote less what text 0.0.4 cannot carry.
//!
//! What the text round trip normalises, and why:
//! - `created` times and units: text 0.0.4 has neither.
//! - leading blanks and tabs of help texts: Prometheus' text parser skips
//!   the blanks between the metric name and the help text, so they are
//!   indistinguishable from separators.
//!
//! Both encoders write `-0.0` as `0`, so the generators produce `+0.0` only
//! for sample values. NaN is compared through `Debug`, where it equals itself.
//! The generated models are valid OpenMetrics (counters and sums not
//! negative, no `_sum` with negative buckets, cumulative buckets ending in
//! `+Inf`, distinct label sets, names that do not clash), and timestamps are
//! milliseconds within ±10^13, which OpenMetrics' float seconds carry
//! exactly.

use std::collections::HashSet;

use prom_codec::{parse_openmetrics, parse_text, Encoder};
use prom_core::{
    HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue, Quantile, SummaryValue,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Help texts and label values: what needs escaping, and anything at all.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("([\"\\\\\n{}=,# \t]|\\PC|\\p{Cc}|[😀ü]){0,12}")
        .expect("valid regex")
}

/// No `-0.0`: the encoders write it as `0`.
fn plus_zero(v: f64) -> f64 {
    if v == 0.0 {
        0.0
    } else {
        v
    }
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -1e6..1e6f64,
        (-1000i64..1000).prop_map(|v| v as f64),
    ]
    .prop_map(plus_zero)
}

/// Not negative, not NaN: what OpenMetrics allows for totals and sums.
fn counter_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..1e20f64,
        Just(f64::INFINITY),
        (0u64..1 << 53).prop_map(|v| v as f64),
        proptest::num::f64::POSITIVE | proptest::num::f64::ZERO,
    ]
    .prop_map(plus_zero)
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
            let sum = if negative { None } else { sum.map(plus_zero) };
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
                .map(|(quantile, value)| Quantile {
                    quantile,
                    value: plus_zero(value),
                })
                .collect();
            MetricValue::Summary(SummaryValue {
                count,
                sum,
                quantiles,
            })
        })
}

fn metric_type() -> impl Strategy<Value = MetricType> {
    prop_oneof![
        Just(MetricType::Counter),
        Just(MetricType::Gauge),
        Just(MetricType::Unknown),
        Just(MetricType::Histogram),
        Just(MetricType::Summary),
    ]
}

fn value(t: MetricType) -> BoxedStrategy<MetricValue> {
    match t {
        MetricType::Counter => counter_value().prop_map(MetricValue::Counter).boxed(),
        MetricType::Gauge => any_value().prop_map(MetricValue::Gauge).boxed(),
        MetricType::Histogram => histogram().prop_map(|(v, _)| v).boxed(),
        MetricType::Summary => summary().boxed(),
        _ => any_value().prop_map(MetricValue::Unknown).boxed(),
    }
}

fn family(i: usize) -> impl Strategy<Value = MetricFamily> {
    (
        metric_type(),
        "[a-zA-Z0-9_:]{0,8}",
        proptest::option::of("[a-zA-Z0-9_]{1,6}"),
        text(),
    )
        .prop_flat_map(move |(t, part, unit, help)| {
            let metric = (label_pairs(), value(t), timestamp(), created());
            (
                Just(t),
                Just(part),
                Just(unit),
                Just(help),
                vec(metric, 0..4),
            )
        })
        .prop_map(move |(t, part, unit, help, metrics)| {
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
            for (pairs, value, ts, created) in metrics {
                let mut key: Vec<_> = pairs.clone();
                key.sort();
                if !label_sets.insert(key) {
                    continue;
                }
                let mut m = Metric::new(LabelSet::from_pairs(pairs).unwrap(), value);
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

fn families() -> impl Strategy<Value = Vec<MetricFamily>> {
    (0usize..6).prop_flat_map(|n| (0..n).map(family).collect::<Vec<_>>())
}

/// `Debug` prints NaN as `NaN` on both sides, where `PartialEq` fails.
fn shown(families: &[MetricFamily]) -> String {
    format!("{families:#?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn openmetrics_reads_back_exactly(families in families()) {
        let text = Encoder::openmetrics().encode_to_string(&families);
        let parsed = parse_openmetrics(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- input ---\n{text}")))?;
        prop_assert_eq!(shown(&parsed), shown(&families), "input:\n{}", text);
    }

    #[test]
    fn text_reads_back_less_units_created_times_and_leading_help_blanks(families in families()) {
        let text = Encoder::text().encode_to_string(&families);
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
}
