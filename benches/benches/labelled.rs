//! Labelled lookup: look up one of 100 existing children of a counter family with
//! two labels by borrowed `&str` values, and increment it; prom's also in a
//! family with a ceiling on series and idle expiry.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prometheus_client::metrics::counter::Counter as PcCounter;
use prometheus_client::metrics::family::Family as PcFamily;

const CHILDREN: usize = 100;

/// 100 (method, path) pairs, leaked so every crate can borrow them as `'static`.
fn keys() -> Vec<[&'static str; 2]> {
    (0..CHILDREN)
        .map(|i| {
            let method: &'static str = ["GET", "POST", "PUT", "DELETE"][i % 4];
            let path: &'static str = Box::leak(format!("/api/v1/resource/{i}").into_boxed_str());
            [method, path]
        })
        .collect()
}

fn lookup(c: &mut Criterion) {
    let keys = keys();
    let mut g = c.benchmark_group("labelled_lookup_inc_2_labels_100_children");

    let ours = prom_core::CounterVec::new(prom_core::Opts::new("c", "").labels(["method", "path"]))
        .unwrap();
    for k in &keys {
        ours.with_label_values(k).unwrap();
    }
    let mut i = 0;
    g.bench_function("prom with_label_values().inc()", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            ours.with_label_values(black_box(&keys[i])).unwrap().inc();
        })
    });
    let mut i = 0;
    g.bench_function("prom with(values, |c| c.inc())", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            ours.with(black_box(&keys[i]), |c| c.inc()).unwrap();
        })
    });

    // The same lookups in a family with the series lifecycle on: a ceiling
    // with an overflow series, and idle expiry (checked on scrape only).
    let bounded = prom_core::CounterVec::new(
        prom_core::Opts::new("c", "")
            .labels(["method", "path"])
            .max_series(10_000)
            .overflow_series(["other", "other"])
            .expire_after(std::time::Duration::from_secs(3600)),
    )
    .unwrap();
    for k in &keys {
        bounded.with_label_values(k).unwrap();
    }
    let mut i = 0;
    g.bench_function(
        "prom with(values, |c| c.inc()), ceiling and expiry on",
        |b| {
            b.iter(|| {
                i = (i + 1) % CHILDREN;
                bounded.with(black_box(&keys[i]), |c| c.inc()).unwrap();
            })
        },
    );
    let mut i = 0;
    g.bench_function(
        "prom with_label_values().inc(), ceiling and expiry on",
        |b| {
            b.iter(|| {
                i = (i + 1) % CHILDREN;
                bounded
                    .with_label_values(black_box(&keys[i]))
                    .unwrap()
                    .inc();
            })
        },
    );

    let tikv = prometheus::IntCounterVec::new(prometheus::Opts::new("c", "h"), &["method", "path"])
        .unwrap();
    for k in &keys {
        tikv.with_label_values(k);
    }
    let mut i = 0;
    g.bench_function("prometheus with_label_values().inc()", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            tikv.with_label_values(black_box(&keys[i])).inc();
        })
    });

    let pc: PcFamily<[(&'static str, &'static str); 2], PcCounter> = PcFamily::default();
    let pc_keys: Vec<[(&'static str, &'static str); 2]> = keys
        .iter()
        .map(|k| [("method", k[0]), ("path", k[1])])
        .collect();
    for k in &pc_keys {
        drop(pc.get_or_create(k));
    }
    let mut i = 0;
    g.bench_function("prometheus-client get_or_create().inc()", |b| {
        b.iter(|| {
            i = (i + 1) % CHILDREN;
            pc.get_or_create(black_box(&pc_keys[i])).inc();
        })
    });

    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&recorder, || {
        let mut i = 0;
        g.bench_function("metrics counter!(labels).increment(1)", |b| {
            b.iter(|| {
                i = (i + 1) % CHILDREN;
                let k = black_box(&keys[i]);
                metrics::counter!("c", "method" => k[0], "path" => k[1]).increment(1);
            })
        });
    });
    g.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
