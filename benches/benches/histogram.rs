//! Histogram: observe into a histogram with the default buckets, from one
//! thread and from two threads at once.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion};
use prom_benches::contended;

/// The lock-free baseline: find the bucket, add to it, to the sum and to the
/// count, with no consistency protocol.
struct RawHistogram {
    bounds: Vec<f64>,
    buckets: Vec<AtomicU64>,
    sum: AtomicU64,
    count: AtomicU64,
}

impl RawHistogram {
    fn new() -> Self {
        let mut bounds = prom_core::DEFAULT_BUCKETS.to_vec();
        bounds.push(f64::INFINITY);
        let buckets = bounds.iter().map(|_| AtomicU64::new(0)).collect();
        Self {
            bounds,
            buckets,
            sum: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    #[inline]
    fn observe(&self, v: f64) {
        let i = self
            .bounds
            .iter()
            .position(|&b| v <= b)
            .unwrap_or(self.bounds.len() - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        let mut cur = self.sum.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(cur) + v).to_bits();
            match self
                .sum
                .compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(a) => cur = a,
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// Observed values cycle over a spread that hits every bucket.
fn value(i: u64) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][(i % 9) as usize]
}

fn observe(c: &mut Criterion) {
    let raw = RawHistogram::new();
    let ours = prom_core::Histogram::new("h", "").unwrap();
    let tikv = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("h", "h").buckets(prom_core::DEFAULT_BUCKETS.to_vec()),
    )
    .unwrap();
    let pc = prometheus_client::metrics::histogram::Histogram::new(prom_core::DEFAULT_BUCKETS);
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&prom_core::DEFAULT_BUCKETS)
        .unwrap()
        .build_recorder();
    let m = metrics::with_local_recorder(&recorder, || metrics::histogram!("h"));

    for threads in [1usize, 2] {
        let mut g = c.benchmark_group(format!(
            "histogram_observe_default_buckets_{threads}_thread{}",
            if threads > 1 { "s" } else { "" }
        ));
        g.bench_function("raw lock-free buckets", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| raw.observe(black_box(value(i)))))
        });
        g.bench_function("prom observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| ours.observe(black_box(value(i)))))
        });
        g.bench_function("prometheus observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| tikv.observe(black_box(value(i)))))
        });
        g.bench_function("prometheus-client observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| pc.observe(black_box(value(i)))))
        });
        g.bench_function("metrics histogram record()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| m.record(black_box(value(i)))))
        });
        g.finish();
    }
}

criterion_group!(benches, observe);
criterion_main!(benches);
