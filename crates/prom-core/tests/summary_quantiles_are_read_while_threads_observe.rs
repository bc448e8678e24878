//! Threads observing one quantile summary while another reads it: every
//! reading is plausible (count never goes back, each quantile one of the
//! observed values or NaN before the first), and once the observers stop,
//! nothing is lost and the quantiles are within their rank error.

use std::sync::atomic::{AtomicBool, Ordering};

use prom_core::{Collector, ManualClock, MetricValue, Opts, Summary};

const PER_THREAD: u64 = 100_000;

#[test]
fn readings_during_observations_are_plausible_and_the_end_is_exact() {
    let s = Summary::with_opts(
        Opts::new("s", "")
            .objectives([(0.5, 0.05), (0.9, 0.01)])
            .clock(ManualClock::new()),
    )
    .unwrap();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let observers: Vec<_> = (0..2u64)
            .map(|t| {
                let s = &s;
                scope.spawn(move || {
                    // Thread t observes t*PER_THREAD .. (t+1)*PER_THREAD - 1,
                    // shuffled by a multiplicative step.
                    for i in 0..PER_THREAD {
                        let v = t * PER_THREAD + (i * 7_919) % PER_THREAD;
                        s.observe(v as f64);
                    }
                })
            })
            .collect();
        let reader = scope.spawn(|| {
            let mut last = 0;
            let mut readings = 0;
            while !done.load(Ordering::Relaxed) {
                // Through the scrape path, as an encoder reads it.
                let fams = prom_core::collect(&s).unwrap();
                let MetricValue::Summary(v) = &fams[0].metrics[0].value else {
                    panic!("a summary reads as a summary");
                };
                assert!(
                    v.count >= last,
                    "count went back from {last} to {}",
                    v.count
                );
                last = v.count;
                for q in &v.quantiles {
                    let ok = (q.value.is_nan() && v.count < 2 * PER_THREAD)
                        || (q.value >= 0.0
                            && q.value < 2.0 * PER_THREAD as f64
                            && q.value.fract() == 0.0);
                    assert!(ok, "quantile {} read as {}", q.quantile, q.value);
                }
                readings += 1;
            }
            readings
        });
        for o in observers {
            o.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let end = s.get();
    let n = 2 * PER_THREAD;
    assert_eq!(end.count, n);
    assert_eq!(end.sum, (n * (n - 1) / 2) as f64);
    // Values are 0..n, so a value is its own rank.
    for (q, bound) in end.quantiles.iter().zip([0.05, 0.01]) {
        let error = (q.value - q.quantile * n as f64).abs() / n as f64;
        assert!(
            error <= bound,
            "quantile {}: {} (rank error {error})",
            q.quantile,
            q.value
        );
    }
    assert_eq!(s.describe().len(), 1);
}
