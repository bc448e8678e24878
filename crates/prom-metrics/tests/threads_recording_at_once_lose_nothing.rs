//! Several threads recording through one bridge at once — into shared and
//! own series, creating new ones, with more series than a thread's cache
//! holds — lose no update and create each series once, while scrapes run.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use prom_metrics::Bridge;

const THREADS: usize = 4;
const ROUNDS: usize = 2_000;

#[test]
fn every_update_from_every_thread_is_counted_once() {
    let bridge = Bridge::builder().buckets(&[0.5]).unwrap().build();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        // A scraper all along: every exposition it sees encodes and parses.
        let scraper = s.spawn(|| {
            let mut scrapes = 0;
            while !done.load(Ordering::Relaxed) {
                common::parses(&common::text(&bridge));
                scrapes += 1;
            }
            scrapes
        });
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let bridge = &bridge;
                s.spawn(move || {
                    metrics::with_local_recorder(bridge, || {
                        let own = t.to_string();
                        for i in 0..ROUNDS {
                            let shared = (i % 50).to_string();
                            metrics::counter!("shared", "i" => shared.clone()).increment(1);
                            metrics::counter!("own", "t" => own.clone()).increment(2);
                            metrics::gauge!("level", "i" => shared.clone()).increment(1.0);
                            metrics::gauge!("level", "i" => shared).decrement(1.0);
                            metrics::histogram!("h").record(if i % 2 == 0 { 0.25 } else { 1.0 });
                        }
                    });
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert!(scraper.join().unwrap() > 0);
    });

    let families = prom_core::collect(&bridge).unwrap();
    let family = |name: &str| families.iter().find(|f| &*f.name == name).unwrap();
    let shared = family("shared");
    assert_eq!(shared.metrics.len(), 50, "each series created once");
    for i in 0..50 {
        let expected = (THREADS * ROUNDS / 50) as f64;
        let i = i.to_string();
        assert_eq!(
            shared.sample_value("shared_total", &[("i", &i)]),
            Some(expected)
        );
    }
    for t in 0..THREADS {
        let t = t.to_string();
        assert_eq!(
            family("own").sample_value("own_total", &[("t", &t)]),
            Some(2.0 * ROUNDS as f64)
        );
    }
    assert!(family("level")
        .metrics
        .iter()
        .all(|m| m.value == prom_core::MetricValue::Gauge(0.0)));
    let h = family("h");
    let total = (THREADS * ROUNDS) as f64;
    assert_eq!(h.sample_value("h_count", &[]), Some(total));
    assert_eq!(
        h.sample_value("h_bucket", &[("le", "0.5")]),
        Some(total / 2.0)
    );
    assert_eq!(h.sample_value("h_sum", &[]), Some(total / 2.0 * 1.25));
}

#[test]
fn more_series_than_a_thread_caches_are_still_counted_exactly() {
    // 3,000 series on one thread, over 1,024 cache slots: most lookups
    // miss the cache and go to the shared index.
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || {
        for round in 0..3 {
            for i in 0..3_000 {
                metrics::counter!("many", "i" => i.to_string()).increment(round + 1);
            }
        }
    });
    let families = prom_core::collect(&bridge).unwrap();
    assert_eq!(families[0].metrics.len(), 3_000);
    assert!(families[0]
        .metrics
        .iter()
        .all(|m| m.value == prom_core::MetricValue::Counter(6.0)));
}

#[test]
fn two_bridges_on_one_thread_keep_their_series_apart() {
    let a = Bridge::new();
    let b = Bridge::new();
    for _ in 0..3 {
        metrics::with_local_recorder(&a, || metrics::counter!("c", "k" => "v").increment(1));
        metrics::with_local_recorder(&b, || metrics::counter!("c", "k" => "v").increment(10));
    }
    assert_eq!(
        common::text(&a),
        "# TYPE c_total counter\nc_total{k=\"v\"} 3\n"
    );
    assert_eq!(
        common::text(&b),
        "# TYPE c_total counter\nc_total{k=\"v\"} 30\n"
    );
}
