//! Property tests over arbitrary UTF-8 names: every escaping scheme gives a
//! legacy-valid name, `values` decodes back to the name, and a family
//! written with `escaping=allow-utf-8` parses back (text and OpenMetrics)
//! with its metric and label names unchanged.

use prom_codec::escape::{escape_label_name, escape_metric_name, unescape_name, Escaping};
use prom_codec::{parse_openmetrics, parse_text, Encoder};
use prom_core::{
    is_legacy_label_name, is_legacy_metric_name, LabelSet, MetricFamily, MetricType, MetricValue,
};
use proptest::prelude::*;

/// Names of any characters but the three the parsers do not read in
/// quoted names (`\`, `"`, newline), not starting with the reserved `__`.
fn name() -> impl Strategy<Value = String> {
    "[^\\\\\"\n]{1,12}".prop_filter("not reserved", |n| !n.starts_with("__"))
}

proptest! {
    #[test]
    fn escaping_gives_legacy_names_and_values_decode(n in "\\PC{1,16}") {
        for scheme in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
            prop_assert!(is_legacy_metric_name(&escape_metric_name(&n, scheme)));
            prop_assert!(is_legacy_label_name(&escape_label_name(&n, scheme)));
        }
        if !is_legacy_metric_name(&n) {
            let escaped = escape_metric_name(&n, Escaping::Values);
            prop_assert_eq!(unescape_name(&escaped, Escaping::Values), n.as_str());
        }
    }

    #[test]
    fn utf8_names_round_trip_through_both_parsers(
        metric in name(),
        label in name(),
        value in "\\PC{0,8}",
    ) {
        // A state set or counter would rename: a gauge keeps the name as given.
        prop_assume!(label != metric);
        let mut fam = MetricFamily::new(&metric, "", MetricType::Gauge).unwrap();
        fam.push(LabelSet::from_pairs([(label.as_str(), value.as_str())]).unwrap(), MetricValue::Gauge(1.0)).unwrap();
        let fams = [fam];
        for (encoder, om) in [(Encoder::text(), false), (Encoder::openmetrics(), true)] {
            let out = encoder.with_escaping(Escaping::AllowUtf8).encode_to_string(&fams).unwrap();
            let parsed = if om { parse_openmetrics(&out) } else { parse_text(&out) };
            let parsed = parsed.map_err(|e| TestCaseError::fail(format!("{e}\n{out}")))?;
            prop_assert_eq!(parsed.len(), 1, "{}", out);
            prop_assert_eq!(&*parsed[0].name, metric.as_str());
            prop_assert_eq!(parsed[0].metrics[0].labels.get(&label), Some(value.as_str()));
        }
    }
}
