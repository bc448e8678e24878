//! `parse_text` reads text 0.0.4 as leniently as Prometheus: over every
//! conformance case (of both formats), the golden files and, when
//! `PROM_OPENMETRICS_SUITE` is set, the OpenMetrics project's suite, it
//! accepts exactly what `promtool check metrics` (Prometheus 2.42's text
//! parser) accepts; and over a fuzz corpus too when `PROM_FUZZ_CORPUS` names
//! one.

mod cases;

use prom_codec::parse_text;
use prom_testkit::{promtool_check_metrics, require_binary};

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn parse_text_and_promtool_give_every_input_the_same_verdict() {
    require_binary("promtool", "prometheus").unwrap();
    let mut all = cases::seeds();
    all.extend(cases::fuzz_corpus());
    let mut accepted = 0;
    let wrong: Vec<String> = all
        .iter()
        .filter_map(|case| {
            let text = case.text()?;
            let ours = parse_text(text);
            let theirs = promtool_check_metrics(text);
            accepted += usize::from(theirs.is_ok());
            match (ours, theirs) {
                (Ok(_), Ok(_)) | (Err(_), Err(_)) => None,
                (Err(e), Ok(_)) => Some(format!("{}: promtool accepts, we refuse: {e}", case.name)),
                (Ok(_), Err(e)) => Some(format!(
                    "{}: promtool refuses, we accept: {}",
                    case.name,
                    e.to_string().lines().next().unwrap_or("")
                )),
            }
        })
        .collect();
    assert!(accepted > 20, "promtool accepted only {accepted} inputs");
    assert!(
        wrong.is_empty(),
        "{} of {} inputs get another verdict:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

/// The verdicts promtool gave the text cases when they were written, kept
/// with them (`good/`, `bad/`), so this runs without promtool.
#[test]
fn parse_text_gives_the_text_cases_the_verdict_promtool_gave_them() {
    let wrong: Vec<String> = cases::own("text")
        .iter()
        .filter(|case| case.text().is_some_and(|t| parse_text(t).is_ok()) != case.should_parse)
        .map(|case| case.name.clone())
        .collect();
    assert!(wrong.is_empty(), "other verdicts: {wrong:?}");
}
