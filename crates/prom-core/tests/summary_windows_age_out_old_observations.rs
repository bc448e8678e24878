//! A summary's quantiles cover the last `max_age` only: with a manual clock,
//! observations stop counting once they are older than the window, the
//! window moves on in `max_age / age_buckets` steps, and values that sat in
//! a buffer while time passed age out as if they had been merged at once.

use std::time::Duration;

use prom_core::{ManualClock, Opts, Summary};

fn summary(clock: &ManualClock) -> Summary {
    Summary::with_opts(
        Opts::new("s", "")
            .objectives([(0.5, 0.05)])
            .max_age(Duration::from_secs(100))
            .age_buckets(5)
            .clock(clock.clone()),
    )
    .unwrap()
}

fn median(s: &Summary) -> f64 {
    s.get().quantiles[0].value
}

#[test]
fn an_empty_window_reports_nan_and_count_and_sum_never_age() {
    let clock = ManualClock::new();
    let s = summary(&clock);
    assert!(median(&s).is_nan());
    s.observe(3.0);
    assert_eq!(median(&s), 3.0);
    clock.advance(Duration::from_secs(101));
    assert!(median(&s).is_nan());
    assert_eq!((s.get_count(), s.get_sum()), (1, 3.0));
}

#[test]
fn observations_older_than_max_age_stop_counting_step_by_step() {
    // Steps of 20 s; the lowest decile shows whether 1.0 still counts.
    let clock = ManualClock::new();
    let s = Summary::with_opts(
        Opts::new("s", "")
            .objectives([(0.1, 0.01)])
            .max_age(Duration::from_secs(100))
            .age_buckets(5)
            .clock(clock.clone()),
    )
    .unwrap();
    let lowest = |s: &Summary| s.get().quantiles[0].value;
    s.observe(1.0); // at 0 s, in step 0
    clock.advance(Duration::from_secs(30));
    s.observe(2.0); // at 30 s, in step 1
    assert_eq!(lowest(&s), 1.0);
    // The stream answering queries until 100 s was reset in step 0 and has
    // seen both.
    clock.advance(Duration::from_secs(69));
    assert_eq!(lowest(&s), 1.0);
    // At 100 s (step 5) the oldest stream is the one reset in step 1:
    // 1.0 is max_age old and gone, 2.0 still counts ...
    clock.advance(Duration::from_secs(1));
    assert_eq!(lowest(&s), 2.0);
    clock.advance(Duration::from_secs(19));
    assert_eq!(lowest(&s), 2.0);
    // ... until step 6, when the stream reset in step 2 answers.
    clock.advance(Duration::from_secs(1));
    assert!(lowest(&s).is_nan());
    assert_eq!(s.get_count(), 2);
}

#[test]
fn values_buffered_while_time_passed_age_out_on_time() {
    let clock = ManualClock::new();
    let s = summary(&clock);
    // Observed at 0 s, never read until 150 s: they are older than the
    // window and must not count, though they reach the streams only now.
    for _ in 0..5 {
        s.observe(7.0);
    }
    clock.advance(Duration::from_secs(150));
    s.observe(9.0);
    assert_eq!(median(&s), 9.0);
    assert_eq!(s.get_count(), 6);
}

#[test]
fn a_long_silence_resets_every_stream() {
    let clock = ManualClock::new();
    let s = summary(&clock);
    s.observe(1.0);
    assert_eq!(median(&s), 1.0);
    clock.advance(Duration::from_secs(10_000));
    assert!(median(&s).is_nan());
    s.observe(5.0);
    assert_eq!(median(&s), 5.0);
    // Step by step again from there.
    clock.advance(Duration::from_secs(99));
    assert_eq!(median(&s), 5.0);
    clock.advance(Duration::from_secs(2));
    assert!(median(&s).is_nan());
}
