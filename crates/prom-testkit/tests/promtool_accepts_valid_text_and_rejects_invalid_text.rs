//! `promtool check metrics` is the reference for the text format 0.0.4.

use prom_testkit::promtool_check_metrics;

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn a_valid_exposition_is_accepted() {
    let text = "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total{code=\"200\"} 3\n";
    promtool_check_metrics(text).unwrap();
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn lint_warnings_alone_are_not_an_error() {
    // A counter without the `_total` suffix and without HELP only draws lint warnings (exit 3).
    let output = promtool_check_metrics("# TYPE requests counter\nrequests 3\n").unwrap();
    assert!(!output.is_empty(), "promtool printed no warning");
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn an_invalid_exposition_is_rejected_with_the_input_in_the_message() {
    let text = "# TYPE broken gauge\nbroken{label=unquoted} 1\n";
    let err = promtool_check_metrics(text).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("promtool check metrics rejected"),
        "{message}"
    );
    assert!(
        message.contains(text),
        "the input is missing from: {message}"
    );
}
