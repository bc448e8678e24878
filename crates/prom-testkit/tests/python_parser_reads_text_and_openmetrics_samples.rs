//! The Python reference client parses what we hand it, and says why when it cannot.

use prom_testkit::{python_parse, PyFormat};
use serde_json::json;

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn text_format_samples_are_parsed() {
    let text = "# HELP temp Temperature.\n# TYPE temp gauge\ntemp{room=\"a\"} 21.5\ntemp{room=\"b\"} NaN\ntemp{room=\"c\"} +Inf 1700000000000\n";
    let families = python_parse(text, PyFormat::Text).unwrap();
    assert_eq!(families[0]["name"], "temp");
    assert_eq!(families[0]["type"], "gauge");
    assert_eq!(families[0]["documentation"], "Temperature.");
    let samples = &families[0]["samples"];
    assert_eq!(samples[0]["labels"], json!({"room": "a"}));
    assert_eq!(samples[0]["value"], "21.5");
    assert_eq!(samples[0]["timestamp"], json!(null));
    assert_eq!(samples[1]["value"], "NaN");
    assert_eq!(samples[2]["value"], "+Inf");
    assert_eq!(samples[2]["timestamp"], "1700000000.0");
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn openmetrics_samples_units_and_exemplars_are_parsed() {
    let text = "# TYPE size_bytes counter\n# UNIT size_bytes bytes\n# HELP size_bytes Bytes read.\nsize_bytes_total 7 # {trace_id=\"abc\"} 1 1.5\n# EOF\n";
    let families = python_parse(text, PyFormat::OpenMetrics).unwrap();
    let family = &families[0];
    assert_eq!(family["name"], "size_bytes");
    assert_eq!(family["type"], "counter");
    assert_eq!(family["unit"], "bytes");
    let sample = &family["samples"][0];
    assert_eq!(sample["name"], "size_bytes_total");
    assert_eq!(sample["value"], "7.0");
    assert_eq!(
        sample["exemplar"],
        json!({"labels": {"trace_id": "abc"}, "value": "1.0", "timestamp": "1.500000000"})
    );
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn garbage_is_an_error_carrying_the_python_message_and_the_input() {
    let garbage = "this is { not an exposition\n";
    let message = python_parse(garbage, PyFormat::Text)
        .unwrap_err()
        .to_string();
    assert!(message.contains("ValueError"), "{message}");
    assert!(message.contains(garbage), "{message}");
}

#[test]
#[ignore = "needs the python prometheus_client: run cargo xtask test"]
fn openmetrics_without_eof_is_an_error() {
    let message = python_parse("x 1\n", PyFormat::OpenMetrics)
        .unwrap_err()
        .to_string();
    assert!(message.contains("EOF"), "{message}");
}
