//! Exemplars: the plain `inc()` and `observe()` of metrics that have kept
//! exemplars (the feature must cost them nothing), and keeping one with
//! every update, next to prometheus-client's metrics with exemplars. A file
//! of its own: in the counter and histogram files, the mere presence of
//! these closures moved the code of the plain rows and cost the fractional
//! `inc_by` a nanosecond.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prom_benches::contended;

/// Observed values cycle over a spread that hits every bucket.
fn value(i: u64) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][(i % 9) as usize]
}

/// A counter that has kept an exemplar: its plain `inc` must not pay for
/// the feature, and keeping one costs what it costs.
fn counter(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_exemplar_1_thread");
    let ours = prom_core::Counter::new("c", "").unwrap();
    g.bench_function("prom inc()", |b| b.iter(|| black_box(&ours).inc()));
    let kept = prom_core::Counter::new("c", "").unwrap();
    let trace = [("trace_id", "4bf92f3577b34da6")];
    kept.inc_with_exemplar(&trace).unwrap();
    g.bench_function("prom inc(), counter keeping an exemplar", |b| {
        b.iter(|| black_box(&kept).inc())
    });
    g.bench_function("prom inc_with_exemplar()", |b| {
        b.iter(|| {
            let _ = black_box(&kept).inc_with_exemplar(black_box(&trace));
        })
    });
    let pce: prometheus_client::metrics::exemplar::CounterWithExemplar<Vec<(String, String)>> =
        Default::default();
    g.bench_function(
        "prometheus-client CounterWithExemplar inc_by(1, exemplar, now)",
        |b| {
            b.iter(|| {
                let labels = vec![("trace_id".to_owned(), "4bf92f3577b34da6".to_owned())];
                // With the time, as prom's exemplars carry it.
                let now = std::time::SystemTime::now();
                black_box(&pce).inc_by(1, Some(black_box(labels)), Some(now));
            })
        },
    );

    g.finish();
}

/// A histogram keeping exemplars: its plain `observe` must not pay for the
/// feature, and keeping one costs what it costs.
fn histogram(c: &mut Criterion) {
    let ours = prom_core::Histogram::new("h", "").unwrap();
    let kept = prom_core::Histogram::new("h", "").unwrap();
    let trace = [("trace_id", "4bf92f3577b34da6")];
    kept.observe_with_exemplar(0.2, &trace).unwrap();
    let pce =
        prometheus_client::metrics::exemplar::HistogramWithExemplars::<Vec<(String, String)>>::new(
            prom_core::DEFAULT_BUCKETS.into_iter(),
        );
    for threads in [1usize, 2] {
        let mut g = c.benchmark_group(format!(
            "histogram_exemplar_{threads}_thread{}",
            if threads > 1 { "s" } else { "" }
        ));
        g.bench_function("prom observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| ours.observe(black_box(value(i)))))
        });
        g.bench_function("prom observe(), histogram keeping exemplars", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| kept.observe(black_box(value(i)))))
        });
        g.bench_function("prom observe_with_exemplar()", |b| {
            b.iter_custom(|n| {
                contended(threads, n, |_, i| {
                    let _ = kept.observe_with_exemplar(black_box(value(i)), black_box(&trace));
                })
            })
        });
        g.bench_function(
            "prometheus-client HistogramWithExemplars observe(v, exemplar, now)",
            |b| {
                b.iter_custom(|n| {
                    contended(threads, n, |_, i| {
                        let labels = vec![("trace_id".to_owned(), "4bf92f3577b34da6".to_owned())];
                        // With the time, as prom's exemplars carry it.
                        let now = std::time::SystemTime::now();
                        pce.observe(black_box(value(i)), Some(labels), Some(now));
                    })
                })
            },
        );
        g.finish();
    }
}

criterion_group!(benches, counter, histogram);
criterion_main!(benches);
