//! `#[prom::count_errors]`: calls returning `Err` count, however the error
//! leaves the body (`?`, `return`, the tail); so do panics that unwind;
//! with `matches = PATTERN` only the matching errors count.

mod common;

use std::io;

prom::static_metrics! {
    static PARSE_FAILURES: Counter = ("parse_failures_total", "");
    static IO_FAILURES: Counter = ("io_failures_total", "");
    static PANICS: Counter = ("panicking_calls_total", "");
    static TIMEOUTS: Counter = ("timeouts_total", "");
    static TIMEOUT_PANICS: Counter = ("timeout_panics_total", "");
    static ALIASED: Counter = ("aliased_failures_total", "");
}

#[prom::count_errors(PARSE_FAILURES)]
fn parse_sum(a: &str, b: &str) -> Result<i64, std::num::ParseIntError> {
    if a.is_empty() {
        // An early return of an error counts as any other.
        return "".parse();
    }
    let a: i64 = a.parse()?;
    let b: i64 = b.parse()?;
    Ok(a + b)
}

#[test]
fn each_call_returning_an_error_counts_once() {
    assert_eq!(parse_sum("1", "2"), Ok(3));
    assert!(parse_sum("x", "2").is_err()); // `?`
    assert!(parse_sum("1", "y").is_err()); // `?`
    assert!(parse_sum("", "2").is_err()); // `return`
    assert_eq!(PARSE_FAILURES.get(), 3.0);
}

#[prom::count_errors(IO_FAILURES)]
fn read(path: &str) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[test]
fn a_result_alias_like_io_result_works() {
    assert!(read("/nonexistent/prom-macros").is_err());
    assert_eq!(IO_FAILURES.get(), 1.0);
}

type Outcome<T> = Result<T, String>;

#[prom::count_errors(ALIASED)]
fn aliased(ok: bool) -> Outcome<()> {
    if ok {
        Ok(())
    } else {
        Err("no".into())
    }
}

#[test]
fn a_result_behind_a_type_alias_works() {
    let _ = aliased(true);
    let _ = aliased(false);
    assert_eq!(ALIASED.get(), 1.0);
}

#[prom::count_errors(PANICS)]
fn checked_div(a: u32, b: u32) -> Result<u32, String> {
    if b == 0 {
        panic!("division by zero");
    }
    Ok(a / b)
}

#[test]
fn a_panic_that_unwinds_through_the_function_counts() {
    assert_eq!(checked_div(6, 3), Ok(2));
    assert_eq!(
        common::panic_message(|| drop(checked_div(1, 0))),
        "division by zero"
    );
    assert_eq!(PANICS.get(), 1.0);
}

#[derive(Debug, PartialEq)]
enum FetchError {
    Timeout { after_ms: u64 },
    NotFound(String),
}

#[prom::count_errors(TIMEOUTS, matches = FetchError::Timeout { .. })]
fn fetch(outcome: Result<(), FetchError>) -> Result<(), FetchError> {
    outcome
}

#[test]
fn with_a_pattern_only_matching_errors_count() {
    let _ = fetch(Err(FetchError::Timeout { after_ms: 100 }));
    let _ = fetch(Err(FetchError::NotFound("a".into())));
    let _ = fetch(Ok(()));
    let _ = fetch(Err(FetchError::Timeout { after_ms: 5 }));
    assert_eq!(TIMEOUTS.get(), 2.0);
}

#[prom::count_errors(TIMEOUT_PANICS, matches = FetchError::Timeout { after_ms: 0..=10 } | FetchError::NotFound(_))]
fn fetch_or_panic(outcome: Option<Result<(), FetchError>>) -> Result<(), FetchError> {
    outcome.expect("an outcome")
}

#[test]
fn with_a_pattern_panics_do_not_count_and_alternatives_work() {
    let _ = fetch_or_panic(Some(Err(FetchError::Timeout { after_ms: 5 })));
    let _ = fetch_or_panic(Some(Err(FetchError::Timeout { after_ms: 500 })));
    let _ = fetch_or_panic(Some(Err(FetchError::NotFound("b".into()))));
    assert_eq!(
        common::panic_message(|| drop(fetch_or_panic(None))),
        "an outcome"
    );
    assert_eq!(TIMEOUT_PANICS.get(), 2.0);
}
