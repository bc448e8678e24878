//! The `metrics` facade: the cost of one `counter!(…).increment(1)` and one
//! `histogram!(…).record(v)` with two labels, over 100 existing series,
//! through prom's bridge (`prom-metrics`) and through
//! `metrics-exporter-prometheus`'s recorder, each installed as the local
//! recorder; and the same updates through prom's own families
//! (`Family::with`), the baseline, with no facade in between.
//!
//! The macro rows pay what every `metrics` call pays whatever the recorder:
//! the labels' `Vec`, the key's hash, the recorder's thread-local. The
//! "Key built once" rows call the recorder with a key made beforehand, so
//! they show the recorders' own part.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics::{Key, Label, Level, Metadata, Recorder};

const SERIES: usize = 100;

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

/// 100 (method, path) pairs, leaked so every crate can borrow them as `'static`.
fn keys() -> Vec<[&'static str; 2]> {
    (0..SERIES)
        .map(|i| {
            let method: &'static str = ["GET", "POST", "PUT", "DELETE"][i % 4];
            let path: &'static str = Box::leak(format!("/api/v1/resource/{i}").into_boxed_str());
            [method, path]
        })
        .collect()
}

/// The keys `counter!("c", "method" => k[0], "path" => k[1])` builds.
fn metrics_keys(name: &'static str, keys: &[[&'static str; 2]]) -> Vec<Key> {
    keys.iter()
        .map(|k| {
            Key::from_parts(
                name,
                vec![Label::new("method", k[0]), Label::new("path", k[1])],
            )
        })
        .collect()
}

/// Observed values cycle over a spread that hits every default bucket.
fn value(i: usize) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][i % 9]
}

fn counter(c: &mut Criterion) {
    let keys = keys();
    let prebuilt = metrics_keys("c", &keys);
    let mut g = c.benchmark_group("metrics_bridge_counter_2_labels_100_series");

    let bridge = prom_metrics::Bridge::new();
    let exporter = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    // Every series exists before the measurement, in both recorders.
    for recorder in [&bridge as &dyn Recorder, &exporter] {
        metrics::with_local_recorder(recorder, || {
            for k in &keys {
                metrics::counter!("c", "method" => k[0], "path" => k[1]).increment(1);
            }
        });
    }

    metrics::with_local_recorder(&bridge, || {
        let mut i = 0;
        g.bench_function("prom bridge counter!(labels).increment(1)", |b| {
            b.iter(|| {
                i = (i + 1) % SERIES;
                let k = black_box(&keys[i]);
                metrics::counter!("c", "method" => k[0], "path" => k[1]).increment(1);
            })
        });
    });
    metrics::with_local_recorder(&exporter, || {
        let mut i = 0;
        g.bench_function(
            "metrics-exporter-prometheus counter!(labels).increment(1)",
            |b| {
                b.iter(|| {
                    i = (i + 1) % SERIES;
                    let k = black_box(&keys[i]);
                    metrics::counter!("c", "method" => k[0], "path" => k[1]).increment(1);
                })
            },
        );
    });

    let family =
        prom_core::CounterVec::new(prom_core::Opts::new("c", "").labels(["method", "path"]))
            .unwrap();
    for k in &keys {
        family.with_label_values(k).unwrap();
    }
    let mut i = 0;
    g.bench_function(
        "baseline: prom CounterVec::with(values, |c| c.inc()), no facade",
        |b| {
            b.iter(|| {
                i = (i + 1) % SERIES;
                family.with(black_box(&keys[i]), |c| c.inc()).unwrap();
            })
        },
    );

    let mut i = 0;
    g.bench_function(
        "prom bridge register_counter(&key).increment(1), Key built once",
        |b| {
            b.iter(|| {
                i = (i + 1) % SERIES;
                bridge
                    .register_counter(black_box(&prebuilt[i]), &METADATA)
                    .increment(1);
            })
        },
    );
    let mut i = 0;
    g.bench_function(
        "metrics-exporter-prometheus register_counter(&key).increment(1), Key built once",
        |b| {
            b.iter(|| {
                i = (i + 1) % SERIES;
                exporter
                    .register_counter(black_box(&prebuilt[i]), &METADATA)
                    .increment(1);
            })
        },
    );
    g.finish();
}

fn histogram(c: &mut Criterion) {
    let keys = keys();
    let mut g = c.benchmark_group("metrics_bridge_histogram_2_labels_100_series");

    let bridge = prom_metrics::Bridge::new();
    // Real histograms with prom's default buckets, as the bridge makes them.
    let exporter = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&prom_core::DEFAULT_BUCKETS)
        .unwrap()
        .build_recorder();
    let handle = exporter.handle();
    for recorder in [&bridge as &dyn Recorder, &exporter] {
        metrics::with_local_recorder(recorder, || {
            for k in &keys {
                metrics::histogram!("h", "method" => k[0], "path" => k[1]).record(0.1);
            }
        });
    }

    metrics::with_local_recorder(&bridge, || {
        g.bench_function("prom bridge histogram!(labels).record(v)", |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                for j in 0..n as usize {
                    let k = black_box(&keys[j % SERIES]);
                    metrics::histogram!("h", "method" => k[0], "path" => k[1])
                        .record(black_box(value(j)));
                }
                start.elapsed()
            })
        });
    });
    metrics::with_local_recorder(&exporter, || {
        g.bench_function(
            "metrics-exporter-prometheus histogram!(labels).record(v)",
            |b| {
                b.iter_custom(|n| {
                    let start = Instant::now();
                    for j in 0..n as usize {
                        let k = black_box(&keys[j % SERIES]);
                        metrics::histogram!("h", "method" => k[0], "path" => k[1])
                            .record(black_box(value(j)));
                    }
                    let elapsed = start.elapsed();
                    // Its observations wait in a queue per series until the
                    // next upkeep or scrape folds them into the buckets;
                    // done here, untimed, as a scrape would, so the queues
                    // do not grow over the whole run.
                    handle.run_upkeep();
                    elapsed
                })
            },
        );
    });

    let family =
        prom_core::HistogramVec::new(prom_core::Opts::new("h", "").labels(["method", "path"]))
            .unwrap();
    for k in &keys {
        family.with_label_values(k).unwrap();
    }
    g.bench_function(
        "baseline: prom HistogramVec::with(values, |h| h.observe(v)), no facade",
        |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                for j in 0..n as usize {
                    family
                        .with(black_box(&keys[j % SERIES]), |h| {
                            h.observe(black_box(value(j)))
                        })
                        .unwrap();
                }
                start.elapsed()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, counter, histogram);
criterion_main!(benches);
