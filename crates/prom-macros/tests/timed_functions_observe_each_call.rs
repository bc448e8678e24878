//! `#[prom::time]` on plain functions: each call is observed once, however
//! it ends, into a summary, a histogram or a gauge given as a static metric,
//! a `LazyLock` or a reference.

mod common;

use std::sync::LazyLock;
use std::time::Duration;

use prom::{Gauge, Histogram};

prom::static_metrics! {
    static REQUEST_TIME: Summary = ("sync_request_processing_seconds", "Time spent processing request");
    static STACKED_TIME: Summary = ("sync_stacked_seconds", "");
    static STACKED_BUSY: Gauge = ("sync_stacked_busy", "");
    static STACKED_FAILURES: Counter = ("sync_stacked_failures_total", "");
}

static LATENCY: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new("sync_latency_seconds", "").expect("a valid name"));
static PANICKING: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new("sync_panicking_seconds", "").expect("a valid name"));

#[prom::time(REQUEST_TIME)]
fn process_request(t: Duration) {
    std::thread::sleep(t);
}

#[test]
fn each_call_is_observed_with_its_duration() {
    process_request(Duration::from_millis(20));
    process_request(Duration::ZERO);
    assert_eq!(REQUEST_TIME.get_count(), 2);
    let sum = REQUEST_TIME.get_sum();
    assert!((0.02..1.0).contains(&sum), "{sum}");
}

#[prom::time(LATENCY)]
fn half(n: u32) -> Result<u32, String> {
    if n == 0 {
        return Err("zero".into());
    }
    let even = if n % 2 == 0 {
        Ok(n)
    } else {
        Err(format!("{n} is odd"))
    };
    Ok(even? / 2)
}

#[test]
fn early_returns_and_question_marks_are_observed_too() {
    assert_eq!(half(4), Ok(2));
    assert!(half(0).is_err());
    assert!(half(3).is_err());
    assert_eq!(LATENCY.get_count(), 3);
}

#[prom::time(PANICKING)]
fn explode() {
    panic!("boom");
}

#[test]
fn a_call_that_panics_is_observed() {
    assert_eq!(common::panic_message(explode), "boom");
    assert_eq!(PANICKING.get_count(), 1);
}

#[test]
fn a_gauge_is_set_to_the_duration_of_the_last_call() {
    let gauge = Gauge::new("sync_last_duration_seconds", "").expect("a valid name");
    let by_ref = &gauge;

    // The metric is an argument here.
    #[prom::time(by_ref)]
    fn nap(by_ref: &Gauge, t: Duration) {
        std::thread::sleep(t);
    }

    nap(by_ref, Duration::from_millis(15));
    let first = gauge.get();
    assert!((0.015..1.0).contains(&first), "{first}");
    nap(by_ref, Duration::ZERO);
    assert!(gauge.get() < first, "the gauge holds the last duration");
}

/// All three attributes on one function, in the order they apply.
#[prom::time(STACKED_TIME)]
#[prom::track_inprogress(STACKED_BUSY)]
#[prom::count_errors(STACKED_FAILURES)]
fn stacked(fail: bool) -> Result<f64, String> {
    let busy = STACKED_BUSY.get();
    if fail {
        Err("failed".into())
    } else {
        Ok(busy)
    }
}

#[test]
fn the_attributes_stack() {
    assert_eq!(stacked(false), Ok(1.0));
    assert!(stacked(true).is_err());
    assert_eq!(STACKED_TIME.get_count(), 2);
    assert_eq!(STACKED_BUSY.get(), 0.0);
    assert_eq!(STACKED_FAILURES.get(), 1.0);
}
