//! One counter: an unlabelled counter incremented by one thread (`inc()` and
//! a fractional `inc_by(1.5)`), and by two threads at once.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion};
use prom_benches::{contended, CachePadded};

fn f64_add(cell: &AtomicU64, v: f64) {
    let mut cur = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(cur) + v).to_bits();
        match cell.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => cur = actual,
        }
    }
}

fn one_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_inc_1_thread");
    let raw = AtomicU64::new(0);
    g.bench_function("raw AtomicU64 fetch_add", |b| {
        b.iter(|| black_box(&raw).fetch_add(1, Ordering::Relaxed))
    });
    let raw_f = AtomicU64::new(0);
    g.bench_function("raw f64 CAS add", |b| {
        b.iter(|| f64_add(black_box(&raw_f), 1.0))
    });

    let ours = prom_core::Counter::new("c", "").unwrap();
    g.bench_function("prom inc()", |b| b.iter(|| black_box(&ours).inc()));
    // Each closure below discards what the increment returns (our `Result`,
    // prometheus-client's previous value): handing it to criterion would
    // store it to memory after the atomic, which a caller branching on it
    // with `?` never does, and the store alone costs about a nanosecond.
    g.bench_function("prom inc_by(1.5)", |b| {
        b.iter(|| {
            let _ = black_box(&ours).inc_by(black_box(1.5));
        })
    });

    let tikv_int = prometheus::IntCounter::new("c", "h").unwrap();
    g.bench_function("prometheus IntCounter inc()", |b| {
        b.iter(|| black_box(&tikv_int).inc())
    });
    let tikv = prometheus::Counter::new("c", "h").unwrap();
    g.bench_function("prometheus Counter inc_by(1.5)", |b| {
        b.iter(|| black_box(&tikv).inc_by(black_box(1.5)))
    });

    let pc: prometheus_client::metrics::counter::Counter = Default::default();
    g.bench_function("prometheus-client Counter<u64> inc()", |b| {
        b.iter(|| {
            black_box(&pc).inc();
        })
    });
    let pcf: prometheus_client::metrics::counter::Counter<f64, AtomicU64> = Default::default();
    g.bench_function("prometheus-client Counter<f64> inc_by(1.5)", |b| {
        b.iter(|| {
            black_box(&pcf).inc_by(black_box(1.5));
        })
    });

    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let m = metrics::with_local_recorder(&recorder, || metrics::counter!("c"));
    g.bench_function("metrics counter increment(1)", |b| {
        b.iter(|| black_box(&m).increment(1))
    });
    g.finish();
}

fn two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_inc_2_threads");
    let raw = AtomicU64::new(0);
    g.bench_function("raw shared fetch_add", |b| {
        b.iter_custom(|n| {
            contended(2, n, |_, _| {
                black_box(&raw).fetch_add(1, Ordering::Relaxed);
            })
        })
    });
    let cells = [
        CachePadded::new(AtomicU64::new(0)),
        CachePadded::new(AtomicU64::new(0)),
    ];
    g.bench_function("raw per-thread padded cells", |b| {
        b.iter_custom(|n| {
            contended(2, n, |t, _| {
                black_box(&cells[t]).fetch_add(1, Ordering::Relaxed);
            })
        })
    });
    let ours = prom_core::Counter::new("c", "").unwrap();
    g.bench_function("prom inc()", |b| {
        b.iter_custom(|n| contended(2, n, |_, _| black_box(&ours).inc()))
    });
    let tikv = prometheus::IntCounter::new("c", "h").unwrap();
    g.bench_function("prometheus IntCounter inc()", |b| {
        b.iter_custom(|n| contended(2, n, |_, _| black_box(&tikv).inc()))
    });
    let pc: prometheus_client::metrics::counter::Counter = Default::default();
    g.bench_function("prometheus-client Counter<u64> inc()", |b| {
        b.iter_custom(|n| {
            contended(2, n, |_, _| {
                black_box(&pc).inc();
            })
        })
    });
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let m = metrics::with_local_recorder(&recorder, || metrics::counter!("c"));
    g.bench_function("metrics counter increment(1)", |b| {
        b.iter_custom(|n| contended(2, n, |_, _| black_box(&m).increment(1)))
    });
    g.finish();
}

criterion_group!(benches, one_thread, two_threads);
criterion_main!(benches);
