//! `parse_openmetrics` accepts exactly the conformance cases the
//! OpenMetrics specification accepts: this repository's cases, written from
//! the specification, and the OpenMetrics project's own parser suite when
//! `PROM_OPENMETRICS_SUITE` names a copy of its `tests/testdata/parsers`.

mod cases;

use prom_codec::parse_openmetrics;

#[test]
fn the_strict_reader_agrees_with_every_case() {
    let mut all = cases::own("openmetrics");
    all.extend(cases::upstream_openmetrics());
    let wrong: Vec<String> = all
        .iter()
        .filter_map(|case| {
            let got = case.text().map(parse_openmetrics);
            match (case.should_parse, got) {
                (true, Some(Ok(_))) | (false, None | Some(Err(_))) => None,
                (true, None) => Some(format!("{}: not UTF-8", case.name)),
                (true, Some(Err(e))) => Some(format!("{}: refused: {e}", case.name)),
                (false, Some(Ok(_))) => Some(format!("{}: accepted", case.name)),
            }
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases disagree:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_lenient_reader_accepts_every_valid_case() {
    let mut all = cases::own("openmetrics");
    all.extend(cases::upstream_openmetrics());
    let refused: Vec<String> = all
        .iter()
        .filter(|case| case.should_parse)
        .filter_map(|case| {
            let e = prom_codec::parse_openmetrics_lenient(case.text()?).err()?;
            Some(format!("{}: {e}", case.name))
        })
        .collect();
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
}
