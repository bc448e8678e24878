//! The memory workload of `cargo xtask bench`: memory per labelled counter series.
//!
//! `series_memory <impl> [--series N]` creates, in this process alone, one
//! counter family with the labels `method` (4 values) and `path`
//! (`/api/v1/resource/<i>`) and `N` children (100,000 by default),
//! increments each once, and prints one JSON line with the growth of the
//! resident set (`/proc/self/statm`) and of the live heap (a counting global
//! allocator), in total and per series.
//!
//! `<impl>` is `prom`, `prometheus`, `prometheus-client`, `metrics` (with
//! `metrics-exporter-prometheus`'s recorder), `prom-metrics` (the same
//! `counter!` calls through prom's `metrics` bridge), `dashmap`, prom's counters in
//! a `DashMap` ([`prom_benches::dash_family`]), or `hashmap`, a naive
//! `HashMap<(String, String), AtomicU64>` baseline.
//!
//! The live heap counts the bytes asked of the allocator; the resident set
//! also holds the allocator's per-block overhead and free space, and is what
//! a process pays.

use std::any::Any;
use std::collections::HashMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use prom_benches::dash_family::DashFamily;
use prom_benches::memory::{live_bytes, rss_bytes};
use prom_benches::{series_path, METHODS};

#[global_allocator]
static GLOBAL: prom_benches::memory::Counting = prom_benches::memory::Counting;

const IMPLS: &str =
    "prom, prom-summary-quantiles, prometheus, prometheus-client, metrics, prom-metrics, dashmap, hashmap";

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("series_memory: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let name = args.next().ok_or(format!(
        "usage: series_memory <impl> [--series N]; impl is one of {IMPLS}"
    ))?;
    let mut series = 100_000;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--series", Some(n)) => {
                series = n
                    .parse()
                    .map_err(|e| format!("--series {n:?}: not a count: {e}"))?;
            }
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    // The label values are written into this one buffer, allocated before
    // the first measurement, so the input never shows up as growth.
    let mut path = String::with_capacity(64);

    let rss_before = rss_bytes()?;
    let heap_before = live_bytes();
    let start = Instant::now();
    let store = fill(&name, series, &mut path)?;
    let seconds = start.elapsed().as_secs_f64();
    let heap_after = live_bytes();
    let rss_after = rss_bytes()?;
    black_box(&store);

    // Only now, with both measurements taken: check that every series exists.
    let found = count_series(&name, &*store)?;
    if found != series {
        return Err(format!("{name}: {found} series after creating {series}"));
    }
    let per = |before: f64, after: f64| (after - before) / series as f64;
    let line = format!(
        "{{\"impl\":\"{name}\",\"series\":{series},\"rss_before_bytes\":{rss_before},\
         \"rss_after_bytes\":{rss_after},\"heap_before_bytes\":{heap_before},\
         \"heap_after_bytes\":{heap_after},\"rss_bytes_per_series\":{:.1},\
         \"heap_bytes_per_series\":{:.1},\"create_seconds\":{seconds:.3}}}",
        per(rss_before as f64, rss_after as f64),
        per(heap_before as f64, heap_after as f64),
    );
    // Dropping 100,000 series would only cost time; the process ends here.
    std::mem::forget(store);
    Ok(line)
}

/// The labels of a `prometheus-client` family, as its documentation shows.
#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct PcLabels {
    method: String,
    path: String,
}

/// Creates the family and its `series` children, each incremented once, and
/// returns whatever owns them.
fn fill(name: &str, series: usize, path: &mut String) -> Result<Box<dyn Any>, String> {
    let help = "Requests served.";
    Ok(match name {
        "prom" => {
            let family = prom_core::CounterVec::new(
                prom_core::Opts::new("http_requests", help).labels(["method", "path"]),
            )
            .map_err(|e| e.to_string())?;
            for i in 0..series {
                series_path(path, i);
                family
                    .with(&[METHODS[i % 4], path.as_str()], |c| c.inc())
                    .map_err(|e| e.to_string())?;
            }
            Box::new(family)
        }
        "prom-summary-quantiles" => {
            // A summary per series with client_golang's suggested objectives,
            // each observing 20 values, then read once (as a scrape does),
            // which merges the buffers into the window's streams.
            let family = prom_core::SummaryVec::new(
                prom_core::Opts::new("http_request_seconds", help)
                    .labels(["method", "path"])
                    .objectives([(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)]),
            )
            .map_err(|e| e.to_string())?;
            for i in 0..series {
                series_path(path, i);
                family
                    .with(&[METHODS[i % 4], path.as_str()], |s| {
                        for v in 0..20 {
                            s.observe(f64::from(v) / 100.0);
                        }
                        black_box(s.get());
                    })
                    .map_err(|e| e.to_string())?;
            }
            Box::new(family)
        }
        "prometheus" => {
            let family = prometheus::CounterVec::new(
                prometheus::Opts::new("http_requests_total", help),
                &["method", "path"],
            )
            .map_err(|e| e.to_string())?;
            for i in 0..series {
                series_path(path, i);
                family
                    .with_label_values(&[METHODS[i % 4], path.as_str()])
                    .inc();
            }
            Box::new(family)
        }
        "prometheus-client" => {
            use prometheus_client::metrics::counter::Counter;
            use prometheus_client::metrics::family::Family;
            let family = Family::<PcLabels, Counter>::default();
            let mut registry = prometheus_client::registry::Registry::default();
            registry.register("http_requests", help, family.clone());
            for i in 0..series {
                series_path(path, i);
                // The family clones the key it is given when it inserts;
                // this one is dropped at the end of the iteration.
                let key = PcLabels {
                    method: METHODS[i % 4].to_owned(),
                    path: path.clone(),
                };
                family.get_or_create(&key).inc();
            }
            Box::new((family, registry))
        }
        "metrics" => {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            metrics::with_local_recorder(&recorder, || {
                for i in 0..series {
                    series_path(path, i);
                    metrics::counter!(
                        "http_requests_total",
                        "method" => METHODS[i % 4],
                        "path" => path.clone()
                    )
                    .increment(1);
                }
            });
            Box::new(recorder)
        }
        "prom-metrics" => {
            let bridge = prom_metrics::Bridge::new();
            metrics::with_local_recorder(&bridge, || {
                for i in 0..series {
                    series_path(path, i);
                    metrics::counter!(
                        "http_requests_total",
                        "method" => METHODS[i % 4],
                        "path" => path.clone()
                    )
                    .increment(1);
                }
            });
            Box::new(bridge)
        }
        "dashmap" => {
            let family = DashFamily::new("http_requests", &["method", "path"]);
            for i in 0..series {
                series_path(path, i);
                family.with(&[METHODS[i % 4], path.as_str()], |c| c.inc());
            }
            Box::new(family)
        }
        "hashmap" => {
            let mut map: HashMap<(String, String), AtomicU64> = HashMap::new();
            for i in 0..series {
                series_path(path, i);
                map.entry((METHODS[i % 4].to_owned(), path.clone()))
                    .or_default()
                    .fetch_add(1, Ordering::Relaxed);
            }
            Box::new(map)
        }
        other => return Err(format!("unknown impl {other:?}; expected one of {IMPLS}")),
    })
}

/// How many series `store` (from [`fill`]) exposes, each with the value 1.
fn count_series(name: &str, store: &dyn Any) -> Result<usize, String> {
    let wrong = || format!("{name}: unexpected store type");
    Ok(match name {
        "prom" => store
            .downcast_ref::<prom_core::CounterVec>()
            .ok_or_else(wrong)?
            .len(),
        "prom-summary-quantiles" => store
            .downcast_ref::<prom_core::SummaryVec>()
            .ok_or_else(wrong)?
            .len(),
        "prometheus" => {
            use prometheus::core::Collector;
            let family = store
                .downcast_ref::<prometheus::CounterVec>()
                .ok_or_else(wrong)?;
            family.collect()[0].get_metric().len()
        }
        "prometheus-client" => {
            let (_, registry) = store
                .downcast_ref::<(
                    prometheus_client::metrics::family::Family<
                        PcLabels,
                        prometheus_client::metrics::counter::Counter,
                    >,
                    prometheus_client::registry::Registry,
                )>()
                .ok_or_else(wrong)?;
            let mut text = String::new();
            prometheus_client::encoding::text::encode(&mut text, registry)
                .map_err(|e| e.to_string())?;
            count_sample_lines(&text)
        }
        "metrics" => {
            let recorder = store
                .downcast_ref::<metrics_exporter_prometheus::PrometheusRecorder>()
                .ok_or_else(wrong)?;
            count_sample_lines(&recorder.handle().render())
        }
        "prom-metrics" => {
            let bridge = store
                .downcast_ref::<prom_metrics::Bridge>()
                .ok_or_else(wrong)?;
            let families = prom_core::collect(bridge).map_err(|e| e.to_string())?;
            families
                .iter()
                .filter(|f| &*f.name == "http_requests")
                .flat_map(|f| &f.metrics)
                .filter(|m| m.value == prom_core::MetricValue::Counter(1.0))
                .count()
        }
        "dashmap" => store.downcast_ref::<DashFamily>().ok_or_else(wrong)?.len(),
        "hashmap" => store
            .downcast_ref::<HashMap<(String, String), AtomicU64>>()
            .ok_or_else(wrong)?
            .len(),
        other => return Err(format!("unknown impl {other:?}")),
    })
}

/// Sample lines of `http_requests_total` with the value 1 in exposition text.
fn count_sample_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with("http_requests_total{") && l.ends_with(" 1"))
        .count()
}
