//! Property: any UTF-8 label value and help text — quotes, backslashes,
//! newlines, control characters, astral planes — encodes to output that the
//! Python reference parsers (and promtool, for text) read back unchanged.
//!
//! The strings come from proptest's generator with a fixed seed; they are
//! batched into one exposition so the parsers run once per format.

use prom_codec::Encoder;
use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
use prom_testkit::{promtool_check_metrics, python_parse, PyFormat};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn strings(n: usize) -> Vec<String> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    // Mostly the characters that need escaping, plus anything at all.
    let strategy = proptest::string::string_regex("([\"\\\\\n{}=,#]|\\PC|\\p{Cc}|[😀ü]){0,24}")
        .expect("valid regex");
    let mut out: Vec<String> = (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect();
    out.extend(
        [
            "", "\\", "\"", "\n", "\\n", "\\\"", "\r", "a\r\nb", "\t", "\u{0}",
        ]
        .map(String::from),
    );
    out.sort();
    out.dedup();
    out
}

#[test]
#[ignore = "needs the python prometheus_client and promtool: run cargo xtask test"]
fn label_values_survive_both_formats() {
    let values = strings(300);
    let mut fam = MetricFamily::new(
        "odd_labels",
        "Label values from a generator.",
        MetricType::Gauge,
    )
    .unwrap();
    for (i, v) in values.iter().enumerate() {
        let labels =
            LabelSet::from_pairs([("i", i.to_string().as_str()), ("v", v.as_str())]).unwrap();
        fam.push(labels, MetricValue::Gauge(i as f64)).unwrap();
    }
    let families = [fam];
    for (format, encoder) in [
        (PyFormat::Text, Encoder::text()),
        (PyFormat::OpenMetrics, Encoder::openmetrics()),
    ] {
        let text = encoder.encode_to_string(&families).unwrap();
        let json = python_parse(&text, format).unwrap();
        let samples = json[0]["samples"].as_array().unwrap();
        assert_eq!(samples.len(), values.len());
        for s in samples {
            let i: usize = s["labels"]["i"].as_str().unwrap().parse().unwrap();
            assert_eq!(
                s["labels"]["v"].as_str().unwrap(),
                values[i],
                "sample {i} in {format:?}"
            );
        }
    }
    promtool_check_metrics(&Encoder::text().encode_to_string(&families).unwrap()).unwrap();
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn help_texts_survive_both_formats() {
    let helps = strings(60);
    let families: Vec<MetricFamily> = helps
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut f = MetricFamily::new(&format!("help_{i}"), h, MetricType::Gauge).unwrap();
            f.push(LabelSet::empty(), MetricValue::Gauge(1.0)).unwrap();
            f
        })
        .collect();
    for (format, encoder) in [
        (PyFormat::Text, Encoder::text()),
        (PyFormat::OpenMetrics, Encoder::openmetrics()),
    ] {
        let json = python_parse(&encoder.encode_to_string(&families).unwrap(), format).unwrap();
        for (i, fam) in json.as_array().unwrap().iter().enumerate() {
            // The encoders leave out an empty HELP line; Python then reports "".
            let got = fam["documentation"].as_str().unwrap();
            let (got, want) = match format {
                // Text 0.0.4 separates HELP fields by whitespace and has no
                // escape for it, so the parser cannot keep whitespace at the
                // ends of the text; everything inside survives.
                PyFormat::Text => (got.trim(), helps[i].trim()),
                _ => (got, helps[i].as_str()),
            };
            assert_eq!(got, want, "family {i} in {format:?}");
        }
    }
}
