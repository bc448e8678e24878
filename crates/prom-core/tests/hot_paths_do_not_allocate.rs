//! The hot paths — `inc`, `inc_by`, `set`, `observe`, timers, and looking up
//! an existing labelled child by borrowed `&str` values — allocate nothing
//! in steady state (the one-time allocations are named in the test). A
//! counting global allocator proves it.

use prom_core::{CounterVec, Gauge, Histogram, HistogramVec, Opts, Summary};
use prom_testkit::{allocations_in, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn the_counter_shim_sees_allocations() {
    // Without this, a broken shim would make every other test pass vacuously.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) >= 1);
}

#[test]
fn updates_do_not_allocate() {
    let families = CounterVec::new(Opts::new("req", "").labels(["method", "code"])).unwrap();
    for i in 0..100 {
        families
            .with_label_values(&["GET", &i.to_string()])
            .unwrap();
    }
    let counter = families.with_label_values(&["GET", "200"]).unwrap();
    let gauge = Gauge::new("g", "").unwrap();
    let histogram = Histogram::new("h", "").unwrap();
    let many = HistogramVec::new(
        Opts::new("hv", "")
            .labels(["x"])
            .buckets(prom_core::linear_buckets(1.0, 1.0, 40).unwrap()),
    )
    .unwrap();
    let many = many.with_label_values(&["a"]).unwrap();
    let summary = Summary::new("s", "").unwrap();
    // A one-time allocation, outside the measured loop: the first cached
    // lookup on a thread allocates that thread's cache.
    families.with_label_values(&["GET", "42"]).unwrap();
    let n = allocations_in(|| {
        for i in 0..1000 {
            counter.inc();
            counter.inc_by(2.0).unwrap();
            counter.inc_by(0.5).unwrap();
            gauge.set(i as f64);
            gauge.inc();
            gauge.dec_by(0.25);
            histogram.observe(i as f64 / 100.0);
            many.observe(i as f64 / 10.0);
            summary.observe(1.5);
            drop(histogram.start_timer());
            // Existing children looked up by borrowed values, cached or not.
            families.with_label_values(&["GET", "42"]).unwrap().inc();
            families.with(&["GET", "7"], |c| c.inc()).unwrap();
        }
    });
    assert_eq!(n, 0, "hot paths allocated {n} times");
    assert_eq!(counter.get(), 3500.0);
}
