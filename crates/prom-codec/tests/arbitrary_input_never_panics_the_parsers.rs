//! Property: whatever the input — random text, exposition-shaped token
//! soup, or the golden files with characters inserted, deleted and
//! replaced — both parsers return `Ok` or `Err` and never panic. When they
//! fail, the error's line is within the input (or just past its end).

mod common;

use prom_codec::{parse_openmetrics, parse_text, Encoder, ParseError};
use proptest::prelude::*;

/// Pieces of both formats, glued at random.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("# TYPE "),
        Just("# HELP "),
        Just("# UNIT "),
        Just("# EOF"),
        Just("\n"),
        Just(" "),
        Just("\t"),
        Just("{"),
        Just("}"),
        Just("\""),
        Just("\\"),
        Just(","),
        Just("="),
        Just("#"),
        Just("a"),
        Just("_total"),
        Just("_bucket"),
        Just("_count"),
        Just("_sum"),
        Just("_created"),
        Just("le"),
        Just("quantile"),
        Just("counter"),
        Just("histogram"),
        Just("summary"),
        Just("gauge"),
        Just("info"),
        Just("1"),
        Just("-1.5e3"),
        Just("+Inf"),
        Just("NaN"),
        Just("1e400"),
        Just("ü😀"),
        Just("\r"),
        Just("\u{0}"),
    ];
    proptest::collection::vec(token, 0..80).prop_map(|t| t.concat())
}

/// Edits at character positions, so the result stays a `&str`.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let c = prop_oneof![
        Just('"'),
        Just('\\'),
        Just('\n'),
        Just(' '),
        Just('{'),
        Just('}'),
        Just('#'),
        Just(','),
        Just('0'),
        any::<char>()
    ];
    let edit = prop_oneof![
        (any::<usize>(), c.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), c).prop_map(|(i, c)| Edit::Replace(i, c)),
    ];
    proptest::collection::vec(edit, 1..6)
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % n] = c,
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn check(input: &str, result: Result<Vec<prom_core::MetricFamily>, ParseError>) {
    if let Err(e) = result {
        let lines = input.split_terminator('\n').count();
        assert!(
            (1..=lines + 1).contains(&e.line()),
            "line {} of {lines}: {e}",
            e.line()
        );
        // Display must not panic either.
        let _ = e.to_string();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_text(input in "\\PC{0,200}|(.|\n){0,200}") {
        check(&input, parse_text(&input));
        check(&input, parse_openmetrics(&input));
    }

    #[test]
    fn token_soup_of_both_formats(input in token_soup()) {
        check(&input, parse_text(&input));
        check(&input, parse_openmetrics(&input));
    }

    #[test]
    fn edited_golden_output(edits in edits(), om in any::<bool>()) {
        let encoder = if om { Encoder::openmetrics() } else { Encoder::text() };
        let input = apply(&encoder.encode_to_string(&common::families()).unwrap(), &edits);
        check(&input, parse_text(&input));
        check(&input, parse_openmetrics(&input));
    }
}
