//! On an `async fn` the guards live in its future: the timer spans the awaits,
//! and a future dropped unfinished (a cancelled call) is observed once, with
//! in-progress back to zero. Bodies ending in an `async` block, as
//! `#[async_trait]` writes them, are measured the same way.

mod common;

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::Duration;

use common::{block_on, poll_once, yield_now};

prom::static_metrics! {
    static FETCH_TIME: Histogram = ("async_fetch_seconds", "");
    static CANCELLED_TIME: Summary = ("async_cancelled_seconds", "");
    static CANCELLED_BUSY: Gauge = ("async_cancelled_in_progress", "");
    static CANCELLED_ERRORS: Counter = ("async_cancelled_errors_total", "");
    static UNPOLLED_TIME: Summary = ("async_unpolled_seconds", "");
    static ASYNC_ERRORS: Counter = ("async_errors_total", "");
    static ASYNC_PANICS: Counter = ("async_panics_total", "");
    static TAIL_TIME: Summary = ("async_tail_seconds", "");
    static BOXED_TIME: Summary = ("async_boxed_seconds", "");
    static BOXED_ERRORS: Counter = ("async_boxed_errors_total", "");
}

#[prom::time(FETCH_TIME)]
async fn fetch(n: u32) -> u32 {
    yield_now().await;
    n + 1
}

#[test]
fn an_async_fn_is_observed_once_it_completes() {
    assert_eq!(block_on(fetch(1)), 2);
    assert_eq!(FETCH_TIME.get_count(), 1);
}

#[prom::time(CANCELLED_TIME)]
#[prom::track_inprogress(CANCELLED_BUSY)]
#[prom::count_errors(CANCELLED_ERRORS)]
async fn slow() -> Result<(), String> {
    yield_now().await;
    yield_now().await;
    Ok(())
}

#[test]
fn the_timer_spans_the_awaits_and_records_once_when_the_future_is_dropped() {
    let mut call = Box::pin(slow());
    assert!(poll_once(call.as_mut()).is_pending());
    assert_eq!(CANCELLED_BUSY.get(), 1.0, "in progress while pending");
    assert_eq!(CANCELLED_TIME.get_count(), 0, "nothing observed yet");
    std::thread::sleep(Duration::from_millis(20));
    assert!(poll_once(call.as_mut()).is_pending());
    drop(call); // cancelled mid-await
    assert_eq!(CANCELLED_TIME.get_count(), 1, "observed once, on drop");
    let sum = CANCELLED_TIME.get_sum();
    assert!(sum >= 0.02, "the time between polls counts: {sum}");
    assert_eq!(CANCELLED_BUSY.get(), 0.0, "in progress back to zero");
    assert_eq!(CANCELLED_ERRORS.get(), 0.0, "a cancelled call is no error");
}

#[prom::time(UNPOLLED_TIME)]
async fn never_polled() {}

#[test]
fn a_future_dropped_before_its_first_poll_records_nothing() {
    drop(never_polled());
    assert_eq!(UNPOLLED_TIME.get_count(), 0);
}

#[prom::count_errors(ASYNC_ERRORS)]
async fn parse_later(input: &str) -> Result<u32, std::num::ParseIntError> {
    yield_now().await;
    let n: u32 = input.parse()?;
    Ok(n * 2)
}

#[test]
fn errors_returned_by_an_async_fn_are_counted() {
    assert_eq!(block_on(parse_later("21")), Ok(42));
    assert!(block_on(parse_later("x")).is_err());
    assert_eq!(ASYNC_ERRORS.get(), 1.0);
}

#[prom::count_errors(ASYNC_PANICS)]
async fn panic_later() -> Result<(), String> {
    yield_now().await;
    panic!("async boom");
}

#[test]
fn a_panic_while_the_future_is_polled_is_counted() {
    let message = common::panic_message(|| block_on(panic_later()).expect("never returns"));
    assert_eq!(message, "async boom");
    assert_eq!(ASYNC_PANICS.get(), 1.0);
}

/// A body ending in an `async` block: measured while the block runs, not
/// while the function builds it.
#[prom::time(TAIL_TIME)]
fn tail(n: u32) -> impl Future<Output = u32> {
    let doubled = n * 2;
    async move {
        yield_now().await;
        doubled
    }
}

#[test]
fn a_body_ending_in_an_async_block_is_measured_across_its_awaits() {
    let mut call = pin!(tail(2));
    assert_eq!(
        TAIL_TIME.get_count(),
        0,
        "building the future is not the call"
    );
    assert!(poll_once(call.as_mut()).is_pending());
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(poll_once(call.as_mut()), Poll::Ready(4));
    assert_eq!(TAIL_TIME.get_count(), 1);
    let sum = TAIL_TIME.get_sum();
    assert!(
        (0.02..1.0).contains(&sum),
        "the time between polls counts: {sum}"
    );
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What `#[async_trait]` makes of an `async fn` in a trait.
trait Store {
    fn load(&self, key: u32) -> BoxFuture<Result<u32, String>>;
}

struct Memory;

impl Store for Memory {
    #[prom::time(BOXED_TIME)]
    #[prom::count_errors(BOXED_ERRORS)]
    fn load(&self, key: u32) -> BoxFuture<Result<u32, String>> {
        Box::pin(async move {
            yield_now().await;
            if key == 0 {
                return Err("no key 0".into());
            }
            Ok(key)
        })
    }
}

#[test]
fn a_boxed_async_block_as_async_trait_writes_it_is_measured() {
    let store: &dyn Store = &Memory;
    let pending = store.load(0);
    assert_eq!(BOXED_TIME.get_count(), 0);
    assert!(block_on(pending).is_err());
    assert_eq!(block_on(store.load(7)), Ok(7));
    assert_eq!(BOXED_TIME.get_count(), 2);
    assert_eq!(BOXED_ERRORS.get(), 1.0);
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn instrumented_futures_stay_send() {
    let call = slow();
    assert_send(&call);
    let parse = parse_later("1");
    assert_send(&parse);
}
