//! Summaries: observe into a summary that computes quantiles over a sliding
//! window (client_golang's suggested objectives), next to prom's plain
//! count-and-sum summary, prom's histogram, the one Rust peer that reports
//! quantiles (`metrics-exporter-prometheus`, whose histograms are exposed
//! as summaries by default), and a raw baseline: a mutex-guarded buffer of
//! values, drained when full, which is the least a buffered quantile
//! summary does per observation.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Mutex;

use criterion::{criterion_group, criterion_main, Criterion};
use prom_benches::contended;

/// Values cycle over a spread of latencies.
fn value(i: u64) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][(i % 9) as usize]
}

/// The baseline: push into a locked buffer, drained every 256 values.
struct RawBuffer(Mutex<Vec<f64>>);

impl RawBuffer {
    #[inline]
    fn observe(&self, v: f64) {
        let mut values = self.0.lock().unwrap_or_else(|e| e.into_inner());
        values.push(v);
        if values.len() == 256 {
            black_box(&*values);
            values.clear();
        }
    }
}

fn observe(c: &mut Criterion) {
    let raw = RawBuffer(Mutex::new(Vec::with_capacity(256)));
    let plain = prom_core::Summary::new("s", "").unwrap();
    let quantiles = prom_core::Summary::with_opts(prom_core::Opts::new("s", "").objectives([
        (0.5, 0.05),
        (0.9, 0.01),
        (0.99, 0.001),
    ]))
    .unwrap();
    let histogram = prom_core::Histogram::new("h", "").unwrap();
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let m = metrics::with_local_recorder(&recorder, || metrics::histogram!("s"));

    for threads in [1usize, 2] {
        let mut g = c.benchmark_group(format!(
            "summary_observe_{threads}_thread{}",
            if threads > 1 { "s" } else { "" }
        ));
        g.bench_function("raw locked buffer", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| raw.observe(black_box(value(i)))))
        });
        g.bench_function("prom observe(), 3 objectives", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| quantiles.observe(black_box(value(i)))))
        });
        g.bench_function("prom observe(), count and sum", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| plain.observe(black_box(value(i)))))
        });
        g.bench_function("prom histogram observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| histogram.observe(black_box(value(i)))))
        });
        g.bench_function("metrics histogram record() (summary)", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| m.record(black_box(value(i)))))
        });
        g.finish();
        // Scrapes merge the buffers; without them the window only grows.
        let _ = quantiles.get();
    }
}

criterion_group!(benches, observe);
criterion_main!(benches);
