//! Native histograms: observe into a native (sparse, exponential) histogram
//! of schema 3, from one thread and from two threads at once, next to the
//! classic histogram with the default buckets and prometheus-client's
//! native histogram of the same schema.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prom_benches::contended;

/// The histogram benchmark's spread: nine values, nine buckets.
fn value(i: u64) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][(i % 9) as usize]
}

/// The schema of both native histograms: buckets 9% wide.
const SCHEMA: i8 = 3;

fn observe(c: &mut Criterion) {
    let classic = prom_core::Histogram::new("h", "").unwrap();
    let native = prom_core::NativeHistogram::with_name(
        "h",
        "",
        prom_core::NativeHistogramOpts::new()
            .schema(i32::from(SCHEMA))
            .unwrap(),
    )
    .expect("a valid name");
    let pc = prometheus_client::metrics::histogram::Histogram::new_native(
        prometheus_client::metrics::histogram::NativeHistogramConfig::with_schema(SCHEMA),
    );

    for threads in [1usize, 2] {
        let mut g = c.benchmark_group(format!(
            "native_histogram_observe_schema_3_{threads}_thread{}",
            if threads > 1 { "s" } else { "" }
        ));
        g.bench_function("prom NativeHistogram observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| native.observe(black_box(value(i)))))
        });
        g.bench_function("prom Histogram observe(), default buckets (classic)", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| classic.observe(black_box(value(i)))))
        });
        g.bench_function("prometheus-client native observe()", |b| {
            b.iter_custom(|n| contended(threads, n, |_, i| pc.observe(black_box(value(i)))))
        });
        g.finish();
    }
}

criterion_group!(benches, observe);
criterion_main!(benches);
