//! An instrumented call costs what its metric updates cost: once the statics
//! are registered and the children exist, calls allocate nothing — timed,
//! counted, tracked, labelled, sync or async. A counting global allocator
//! proves it.

mod common;

use prom_testkit::{allocations_in, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

prom::static_metrics! {
    static TIME: Summary = ("alloc_seconds", "");
    static LATENCY: HistogramVec = ("alloc_latency_seconds", "", labels = ["method"]);
    static BUSY: Gauge = ("alloc_busy", "");
    static FAILURES: CounterVec = ("alloc_failures_total", "", labels = ["method"]);
}

#[prom::time(TIME)]
#[prom::track_inprogress(BUSY)]
fn plain(n: u64) -> u64 {
    n + 1
}

#[prom::time(LATENCY, labels = [method])]
#[prom::count_errors(FAILURES, labels = [method])]
fn labelled(method: &str, fail: bool) -> Result<(), u32> {
    if fail {
        Err(1)
    } else {
        Ok(())
    }
}

#[prom::time(TIME)]
#[prom::count_errors(FAILURES, labels = ["async"])]
async fn later(fail: bool) -> Result<(), u32> {
    common::yield_now().await;
    if fail {
        Err(2)
    } else {
        Ok(())
    }
}

#[test]
fn the_counter_shim_sees_allocations() {
    // Without this, a broken shim would make the other test pass vacuously.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) >= 1);
}

#[test]
fn instrumented_calls_allocate_nothing_once_warm() {
    // One-time allocations, outside the measured loop: registering the
    // statics, creating the children, this thread's lookup cache.
    plain(0);
    let _ = labelled("GET", true);
    let _ = common::block_on(later(true));
    let n = allocations_in(|| {
        for i in 0..1000 {
            std::hint::black_box(plain(i));
            let _ = std::hint::black_box(labelled("GET", i % 2 == 0));
            let _ = std::hint::black_box(common::block_on(later(i % 3 == 0)));
        }
    });
    assert_eq!(n, 0, "instrumented calls allocated {n} times");
    assert_eq!(TIME.get_count(), 2002);
    assert_eq!(FAILURES.child(["GET"]).get(), 501.0);
}
