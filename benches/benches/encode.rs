//! Encoding: encode a registry of 10,000 labelled counter series and 1,000
//! histogram series (default buckets) in text 0.0.4, OpenMetrics and
//! protobuf, into a reused buffer (prometheus-client's protobuf encoder
//! returns a new one).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prometheus_client::encoding::EncodeLabelSet;

const COUNTERS: usize = 10_000;
const HISTOGRAMS: usize = 1_000;

fn counter_labels(i: usize) -> (String, String) {
    (
        ["GET", "POST", "PUT", "DELETE"][i % 4].to_owned(),
        format!("/api/v1/resource/{}", i / 4),
    )
}

fn observe_value(i: usize) -> f64 {
    [0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0][i % 9]
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PcCounterLabels {
    method: String,
    path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PcHistogramLabels {
    handler: String,
}

fn encode(c: &mut Criterion) {
    // prom
    let registry = prom_registry::Registry::new();
    let requests = prom_core::CounterVec::new(
        prom_core::Opts::new("http_requests", "Requests.").labels(["method", "path"]),
    )
    .unwrap();
    let latency = prom_core::HistogramVec::new(
        prom_core::Opts::new("http_request_duration_seconds", "Latency.").labels(["handler"]),
    )
    .unwrap();
    registry.register(requests.clone()).unwrap();
    registry.register(latency.clone()).unwrap();
    // prometheus
    let tikv = prometheus::Registry::new();
    let tikv_requests = prometheus::CounterVec::new(
        prometheus::Opts::new("http_requests_total", "Requests."),
        &["method", "path"],
    )
    .unwrap();
    let tikv_latency = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("http_request_duration_seconds", "Latency.")
            .buckets(prom_core::DEFAULT_BUCKETS.to_vec()),
        &["handler"],
    )
    .unwrap();
    tikv.register(Box::new(tikv_requests.clone())).unwrap();
    tikv.register(Box::new(tikv_latency.clone())).unwrap();
    // prometheus-client
    let mut pc = prometheus_client::registry::Registry::default();
    let pc_requests = prometheus_client::metrics::family::Family::<
        PcCounterLabels,
        prometheus_client::metrics::counter::Counter<f64, std::sync::atomic::AtomicU64>,
    >::default();
    let pc_latency = prometheus_client::metrics::family::Family::<
        PcHistogramLabels,
        prometheus_client::metrics::histogram::Histogram,
    >::new_with_constructor(|| {
        prometheus_client::metrics::histogram::Histogram::new(prom_core::DEFAULT_BUCKETS)
    });
    pc.register("http_requests", "Requests.", pc_requests.clone());
    pc.register(
        "http_request_duration_seconds",
        "Latency.",
        pc_latency.clone(),
    );
    // metrics
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&prom_core::DEFAULT_BUCKETS)
        .unwrap()
        .build_recorder();
    let handle = recorder.handle();

    metrics::with_local_recorder(&recorder, || {
        for i in 0..COUNTERS {
            let (m, p) = counter_labels(i);
            requests
                .with_label_values(&[&m, &p])
                .unwrap()
                .inc_by((i % 97) as f64)
                .unwrap();
            tikv_requests
                .with_label_values(&[&m, &p])
                .inc_by((i % 97) as f64);
            pc_requests
                .get_or_create(&PcCounterLabels {
                    method: m.clone(),
                    path: p.clone(),
                })
                .inc_by((i % 97) as f64);
            metrics::counter!("http_requests_total", "method" => m, "path" => p)
                .increment((i % 97) as u64);
        }
        for i in 0..HISTOGRAMS {
            let h = format!("/handler/{i}");
            for k in 0..3 {
                let v = observe_value(i + k);
                latency.with_label_values(&[&h]).unwrap().observe(v);
                tikv_latency.with_label_values(&[&h]).observe(v);
                pc_latency
                    .get_or_create(&PcHistogramLabels { handler: h.clone() })
                    .observe(v);
                metrics::histogram!("http_request_duration_seconds", "handler" => h.clone())
                    .record(v);
            }
        }
    });

    let mut g = c.benchmark_group("encode_10k_counters_1k_histograms");
    g.sample_size(30);
    let mut buf = Vec::with_capacity(4 << 20);
    g.bench_function("prom text 0.0.4", |b| {
        b.iter(|| {
            buf.clear();
            prom_codec::Encoder::text()
                .encode(&registry, &[], &mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("prom OpenMetrics", |b| {
        b.iter(|| {
            buf.clear();
            prom_codec::Encoder::openmetrics()
                .encode(&registry, &[], &mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("prom protobuf", |b| {
        b.iter(|| {
            buf.clear();
            prom_codec::Encoder::protobuf()
                .encode(&registry, &[], &mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("prometheus text 0.0.4", |b| {
        use prometheus::Encoder as _;
        let enc = prometheus::TextEncoder::new();
        b.iter(|| {
            buf.clear();
            enc.encode(&tikv.gather(), &mut buf).unwrap();
            black_box(buf.len())
        })
    });
    let mut s = String::with_capacity(4 << 20);
    g.bench_function("prometheus-client OpenMetrics", |b| {
        b.iter(|| {
            s.clear();
            prometheus_client::encoding::text::encode(&mut s, &pc).unwrap();
            black_box(s.len())
        })
    });
    g.bench_function("prometheus-client protobuf", |b| {
        b.iter(|| {
            let body =
                prometheus_client::encoding::prometheus_protobuf::encode_to_vec(&pc).unwrap();
            black_box(body.len())
        })
    });
    g.bench_function("metrics-exporter-prometheus text 0.0.4", |b| {
        b.iter(|| black_box(handle.render().len()))
    });
    g.finish();

    // The sizes, so the document can say how much was written.
    let mut sizes = String::new();
    for (name, len) in [
        ("prom text", {
            buf.clear();
            prom_codec::Encoder::text()
                .encode_families(&registry.gather().unwrap(), &mut buf)
                .unwrap();
            buf.len()
        }),
        ("prom openmetrics", {
            buf.clear();
            prom_codec::Encoder::openmetrics()
                .encode_families(&registry.gather().unwrap(), &mut buf)
                .unwrap();
            buf.len()
        }),
    ] {
        let _ = writeln!(sizes, "{name}: {len} bytes");
    }
    eprint!("{sizes}");
}

criterion_group!(benches, encode);
criterion_main!(benches);
