//! prom's labelled family against a `DashMap`-backed one
//! (`prom_benches::dash_family`, whose children are bare atomic cells): the
//! labelled workload's lookup and increment of an existing child, and two
//! threads creating 100,000 new children at once.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use prom_benches::dash_family::DashFamily;
use prom_benches::{contended, series_path, METHODS};

const CHILDREN: usize = 100;

/// Series created per round of the creation benchmark, half by each thread.
const NEW_SERIES: usize = 100_000;

/// The 100 (method, path) pairs of `labelled.rs`, leaked as there.
fn keys() -> Vec<[&'static str; 2]> {
    (0..CHILDREN)
        .map(|i| {
            let method: &'static str = METHODS[i % 4];
            let path: &'static str = Box::leak(format!("/api/v1/resource/{i}").into_boxed_str());
            [method, path]
        })
        .collect()
}

fn prom_family() -> prom_core::CounterVec {
    prom_core::CounterVec::new(prom_core::Opts::new("c", "").labels(["method", "path"])).unwrap()
}

fn lookup(c: &mut Criterion) {
    let keys = keys();
    let mut g = c.benchmark_group("dashmap_lookup_inc_2_labels_100_children");

    let ours = prom_family();
    for k in &keys {
        ours.with_label_values(k).unwrap();
    }
    let mut i = 0;
    g.bench_function("prom with(values, |c| c.inc())", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            ours.with(black_box(&keys[i]), |c| c.inc()).unwrap();
        })
    });
    let mut i = 0;
    g.bench_function("prom with_label_values().inc()", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            ours.with_label_values(black_box(&keys[i])).unwrap().inc();
        })
    });

    let dash = DashFamily::new("c", &["method", "path"]);
    for k in &keys {
        dash.with(k, |c| c.inc());
    }
    let mut i = 0;
    g.bench_function("dashmap with(values, |c| c.inc())", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            dash.with(black_box(&keys[i]), |c| c.inc());
        })
    });
    let mut i = 0;
    g.bench_function("dashmap with_label_values().inc()", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            dash.with_label_values(black_box(&keys[i])).inc();
        })
    });
    g.finish();
}

/// Times rounds in which two threads create `NEW_SERIES` children of a
/// fresh family, thread `t` the series `i` with `i % 2 == t` (so every
/// series is new, and the threads share the family but no series), and
/// returns the wall time per series created times `iters`. `make` builds
/// the family, `create(family, values)` creates one child and increments
/// it; the family is dropped outside the timing.
fn creation<F: Sync>(
    iters: u64,
    paths: &[String],
    make: impl Fn() -> F,
    create: impl Fn(&F, &[&str; 2]) + Sync,
) -> Duration {
    let per_round = NEW_SERIES as u64;
    let rounds = iters.div_ceil(per_round);
    let mut wall = Duration::ZERO;
    for _ in 0..rounds {
        let family = make();
        // `contended` returns the longest thread's time divided by 2: half
        // the wall time of the round.
        wall += 2 * contended(2, per_round / 2, |t, j| {
            let i = 2 * j as usize + t;
            create(&family, &[METHODS[i % 4], paths[i].as_str()]);
        });
        drop(family);
    }
    wall.mul_f64(iters as f64 / (rounds * per_round) as f64)
}

fn create_two_threads(c: &mut Criterion) {
    let paths: Vec<String> = (0..NEW_SERIES)
        .map(|i| {
            let mut path = String::new();
            series_path(&mut path, i);
            path
        })
        .collect();
    let mut g = c.benchmark_group("dashmap_create_2_threads_100000_series");
    // A round takes milliseconds: few samples, each as many whole rounds
    // as the measurement time allows.
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.bench_function("prom with(values, |c| c.inc())", |b| {
        b.iter_custom(|iters| {
            creation(iters, &paths, prom_family, |f, values| {
                f.with(values, |c| c.inc()).unwrap();
            })
        })
    });
    g.bench_function("dashmap with(values, |c| c.inc())", |b| {
        b.iter_custom(|iters| {
            creation(
                iters,
                &paths,
                || DashFamily::new("c", &["method", "path"]),
                |f, values| f.with(values, |c| c.inc()),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, lookup, create_two_threads);
criterion_main!(benches);
