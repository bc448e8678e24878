//! The fixture common to the `bad_input_*` tests: reads the table of
//! `docs/errors.md` and checks every row against a check keyed by the same
//! id, so the document and the tests cannot drift apart.

// Each test binary uses only part of the fixture.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Display;

/// Every id prefix the table may use, one per test file.
pub const AREAS: [&str; 9] = [
    "core", "registry", "http", "process", "textfile", "push", "graphite", "metrics", "parse",
];

/// One check: runs the bad input and returns what the table's last column
/// shows (an error's `Display` text, or the documented outcome).
pub type Check = fn() -> String;

/// A row of the table: its id and its expected outcome.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub expected: String,
}

/// The table rows of `docs/errors.md`, in document order.
pub fn rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md is readable");
    doc.lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells = line
                .strip_suffix(" |")
                .unwrap_or_else(|| panic!("table row does not end in \" |\": {line}"));
            let id = cells
                .strip_prefix("| `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(id, _)| id.to_owned())
                .unwrap_or_else(|| panic!("table row without an id: {line}"));
            let last = cells
                .rsplit_once(" | ")
                .map(|(_, last)| last)
                .unwrap_or_else(|| panic!("table row without cells: {line}"));
            Row {
                id,
                expected: unquote(last)
                    .unwrap_or_else(|| panic!("last cell is not a code span: {line}"))
                    .to_owned(),
            }
        })
        .collect()
}

/// The content of a Markdown code span: `` `x` ``, or ``` `` x `` ``` when
/// `x` itself holds backticks.
fn unquote(cell: &str) -> Option<&str> {
    if let Some(inner) = cell.strip_prefix("`` ") {
        inner.strip_suffix(" ``")
    } else {
        cell.strip_prefix('`')?.strip_suffix('`')
    }
}

/// Runs every check of `area` against the table rows whose ids start with
/// `area.`: every row must have a check, every check a row, and each check
/// must return exactly the row's text. All mismatches are reported at once.
pub fn check_area(area: &str, checks: &[(&str, Check)]) {
    assert!(AREAS.contains(&area), "unknown area {area:?}");
    let prefix = format!("{area}.");
    let mut by_id: BTreeMap<&str, Check> = BTreeMap::new();
    for (id, check) in checks {
        assert!(
            id.starts_with(&prefix),
            "check {id:?} is not in area {area:?}"
        );
        assert!(by_id.insert(id, *check).is_none(), "two checks for {id:?}");
    }
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.id.starts_with(&prefix))
        .collect();
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for row in &rows {
        if seen.insert(row.id.as_str(), ()).is_some() {
            problems.push(format!("{}: two rows with this id", row.id));
            continue;
        }
        let Some(check) = by_id.get(row.id.as_str()) else {
            problems.push(format!("{}: the row has no check", row.id));
            continue;
        };
        let actual = check();
        if actual != row.expected {
            problems.push(format!(
                "{}:\n  documented: {}\n  actual:     {}",
                row.id, row.expected, actual
            ));
        }
    }
    for id in by_id.keys() {
        if !seen.contains_key(id) {
            problems.push(format!("{id}: the check has no row in docs/errors.md"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/errors.md and the checks disagree:\n{}",
        problems.join("\n")
    );
}

/// The `Display` text of the error `result` must be.
pub fn err<T, E: Display>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("the bad input was accepted"),
        Err(e) => e.to_string(),
    }
}
