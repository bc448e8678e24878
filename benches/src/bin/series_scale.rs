//! The scale workload of `cargo xtask bench`: how the cost of a series grows with the number of
//! series.
//!
//! `series_scale <impl> --series N` creates, in this process alone, `N` children of one counter
//! family with the labels `method` and `path` (those of the memory workload), each incremented
//! once, and prints one JSON line with:
//! - the growth of the live heap (a counting global allocator) and of the resident set over the
//!   creation, per series, the empty family and its registry made beforehand;
//! - the time of one lookup and increment of an existing child by borrowed label values, the
//!   children visited in a scattered order (a stride coprime to `N`) so that a large family is
//!   not read from the cache in creation order: the median of 5 slices of 60 ms;
//! - the time to encode the whole family into a reused buffer, per series: the median of
//!   encodes repeated for about 0.5 s (at least 3), after one untimed encode that checks the
//!   output holds the `N` series.
//!
//! `<impl>` is `prom` (`CounterVec` in a `prom_registry::Registry`, text 0.0.4), `prometheus`
//! (`CounterVec`, `TextEncoder` over `gather()`), `prometheus-client` (`Family`, OpenMetrics,
//! its only format) or `metrics` (`counter!` with `metrics-exporter-prometheus`'s recorder,
//! `render()`).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use prom_benches::memory::{live_bytes, rss_bytes};
use prom_benches::{series_path, METHODS};

#[global_allocator]
static GLOBAL: prom_benches::memory::Counting = prom_benches::memory::Counting;

const IMPLS: &str = "prom, prometheus, prometheus-client, metrics";

/// How long the lookups are timed.
const LOOKUP_TIME: Duration = Duration::from_millis(300);

/// How long the encodes are repeated, at least [`MIN_ENCODES`] times.
const ENCODE_TIME: Duration = Duration::from_millis(500);
const MIN_ENCODES: usize = 3;

/// The lookups' time is cut in this many slices, timed one by one.
const LOOKUP_SLICES: u32 = 5;

/// Lookups between two readings of the clock.
const LOOKUP_BATCH: usize = 1_000;

/// The step between two children looked up: a prime, so coprime to any count of series that is
/// not one of its multiples.
const STRIDE: usize = 7_919;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("series_scale: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The labels of a `prometheus-client` family, as its documentation shows.
#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct PcLabels {
    method: String,
    path: String,
}

type PcFamily = prometheus_client::metrics::family::Family<
    PcLabels,
    prometheus_client::metrics::counter::Counter,
>;

/// One implementation's family, with what encodes it.
enum Store {
    Prom {
        family: prom_core::CounterVec,
        registry: prom_registry::Registry,
    },
    Prometheus {
        family: prometheus::CounterVec,
        registry: prometheus::Registry,
    },
    PrometheusClient {
        family: PcFamily,
        registry: prometheus_client::registry::Registry,
    },
    Metrics {
        recorder: metrics_exporter_prometheus::PrometheusRecorder,
    },
}

fn run() -> Result<String, String> {
    let usage = format!("usage: series_scale <impl> --series N; impl is one of {IMPLS}");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, series) = match args.as_slice() {
        [name, flag, n] if flag == "--series" => (
            name.as_str(),
            n.parse::<usize>()
                .map_err(|e| format!("--series {n:?}: not a count: {e}"))?,
        ),
        _ => return Err(usage),
    };
    if series == 0 || series % STRIDE == 0 {
        return Err(format!(
            "--series must be positive and not a multiple of {STRIDE}"
        ));
    }
    let help = "Requests served.";
    let mut store = match name {
        "prom" => {
            let family = prom_core::CounterVec::new(
                prom_core::Opts::new("http_requests", help).labels(["method", "path"]),
            )
            .map_err(|e| e.to_string())?;
            let registry = prom_registry::Registry::new();
            registry
                .register(family.clone())
                .map_err(|e| e.to_string())?;
            Store::Prom { family, registry }
        }
        "prometheus" => {
            let family = prometheus::CounterVec::new(
                prometheus::Opts::new("http_requests_total", help),
                &["method", "path"],
            )
            .map_err(|e| e.to_string())?;
            let registry = prometheus::Registry::new();
            registry
                .register(Box::new(family.clone()))
                .map_err(|e| e.to_string())?;
            Store::Prometheus { family, registry }
        }
        "prometheus-client" => {
            let family = PcFamily::default();
            let mut registry = prometheus_client::registry::Registry::default();
            registry.register("http_requests", help, family.clone());
            Store::PrometheusClient { family, registry }
        }
        "metrics" => Store::Metrics {
            recorder: metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder(),
        },
        other => return Err(format!("unknown impl {other:?}; expected one of {IMPLS}")),
    };

    // The label values are written into this one buffer, allocated before the first
    // measurement, so the input never shows up as growth.
    let mut path = String::with_capacity(64);
    let rss_before = rss_bytes()?;
    let heap_before = live_bytes();
    fill(&mut store, series, &mut path)?;
    let heap_after = live_bytes();
    let rss_after = rss_bytes()?;

    // Encodes first: their check wants every child at 1, as the lookups leave them higher.
    let (encode_ns, encodes) = time_encodes(&store, series)?;
    let lookup_ns = time_lookups(&store, series);

    let per = |before: f64, after: f64| (after - before) / series as f64;
    Ok(format!(
        "{{\"impl\":\"{name}\",\"series\":{series},\"heap_bytes_per_series\":{:.1},\
         \"rss_bytes_per_series\":{:.1},\"lookup_ns\":{lookup_ns:.2},\
         \"encode_ns_per_series\":{:.2},\"encodes\":{encodes}}}",
        per(heap_before as f64, heap_after as f64),
        per(rss_before as f64, rss_after as f64),
        encode_ns / series as f64,
    ))
}

/// Creates the `series` children, each incremented once.
fn fill(store: &mut Store, series: usize, path: &mut String) -> Result<(), String> {
    match store {
        Store::Prom { family, .. } => {
            for i in 0..series {
                series_path(path, i);
                family
                    .with(&[METHODS[i % 4], path.as_str()], |c| c.inc())
                    .map_err(|e| e.to_string())?;
            }
        }
        Store::Prometheus { family, .. } => {
            for i in 0..series {
                series_path(path, i);
                family
                    .with_label_values(&[METHODS[i % 4], path.as_str()])
                    .inc();
            }
        }
        Store::PrometheusClient { family, .. } => {
            for i in 0..series {
                series_path(path, i);
                // The family clones the key it is given when it inserts; this one is dropped at
                // the end of the iteration.
                let key = PcLabels {
                    method: METHODS[i % 4].to_owned(),
                    path: path.clone(),
                };
                family.get_or_create(&key).inc();
            }
        }
        Store::Metrics { recorder } => metrics::with_local_recorder(recorder, || {
            for i in 0..series {
                series_path(path, i);
                metrics::counter!(
                    "http_requests_total",
                    "method" => METHODS[i % 4],
                    "path" => path.clone()
                )
                .increment(1);
            }
        }),
    }
    Ok(())
}

/// Nanoseconds per lookup and increment of an existing child: the median of [`LOOKUP_SLICES`]
/// slices of [`LOOKUP_TIME`], after a warm-up a sixth as long.
fn time_lookups(store: &Store, series: usize) -> f64 {
    // Made after the memory measurement, so they are not counted in it; leaked, so every
    // implementation borrows them as `'static` (the process ends after the measurement).
    let keys: Vec<[&'static str; 2]> = (0..series)
        .map(|i| {
            let path: &'static str = Box::leak(format!("/api/v1/resource/{i}").into_boxed_str());
            [METHODS[i % 4], path]
        })
        .collect();
    let pc_keys: Vec<PcLabels> = match store {
        Store::PrometheusClient { .. } => keys
            .iter()
            .map(|k| PcLabels {
                method: k[0].to_owned(),
                path: k[1].to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut i = 0;
    let mut batch = || {
        for _ in 0..LOOKUP_BATCH {
            i += STRIDE;
            if i >= series {
                i %= series;
            }
            let k = black_box(&keys[i]);
            match store {
                Store::Prom { family, .. } => {
                    // Every key exists, so the lookup cannot fail.
                    let _ = family.with(k, |c| c.inc());
                }
                Store::Prometheus { family, .. } => family.with_label_values(k).inc(),
                Store::PrometheusClient { family, .. } => {
                    family.get_or_create(black_box(&pc_keys[i])).inc();
                }
                Store::Metrics { .. } => {
                    metrics::counter!("http_requests_total", "method" => k[0], "path" => k[1])
                        .increment(1);
                }
            }
        }
    };
    let mut timed = |budget: Duration| {
        let start = Instant::now();
        let mut batches = 0u64;
        while start.elapsed() < budget {
            batch();
            batches += 1;
        }
        start.elapsed().as_nanos() as f64 / (batches * LOOKUP_BATCH as u64) as f64
    };
    // The median of slices, so a moment of the machine's other work moves the figure less.
    let mut measure = || {
        timed(LOOKUP_TIME / 6);
        let mut slices: Vec<f64> = (0..LOOKUP_SLICES)
            .map(|_| timed(LOOKUP_TIME / LOOKUP_SLICES))
            .collect();
        slices.sort_by(f64::total_cmp);
        slices[slices.len() / 2]
    };
    match store {
        Store::Metrics { recorder } => metrics::with_local_recorder(recorder, measure),
        _ => measure(),
    }
}

/// The median time of one encode of the whole family, and how many encodes it came from.
fn time_encodes(store: &Store, series: usize) -> Result<(f64, usize), String> {
    let mut buf: Vec<u8> = Vec::new();
    let mut text = String::new();
    let mut encode = |buf: &mut Vec<u8>| -> Result<usize, String> {
        buf.clear();
        match store {
            Store::Prom { registry, .. } => prom_codec::Encoder::text()
                .encode(registry, &[], &mut *buf)
                .map_err(|e| e.to_string())?,
            Store::Prometheus { registry, .. } => {
                use prometheus::Encoder as _;
                prometheus::TextEncoder::new()
                    .encode(&registry.gather(), buf)
                    .map_err(|e| e.to_string())?;
            }
            Store::PrometheusClient { registry, .. } => {
                text.clear();
                prometheus_client::encoding::text::encode(&mut text, registry)
                    .map_err(|e| e.to_string())?;
                // Only the length is kept: a scrape would write `text` out as it is.
                return Ok(text.len());
            }
            Store::Metrics { recorder } => {
                let rendered = recorder.handle().render();
                buf.extend_from_slice(rendered.as_bytes());
            }
        }
        Ok(buf.len())
    };
    // The untimed first encode grows the buffers, and is checked.
    encode(&mut buf)?;
    let checked = match store {
        Store::PrometheusClient { registry, .. } => {
            let mut s = String::new();
            prometheus_client::encoding::text::encode(&mut s, registry)
                .map_err(|e| e.to_string())?;
            s
        }
        _ => String::from_utf8_lossy(&buf).into_owned(),
    };
    let found = checked
        .lines()
        .filter(|l| l.starts_with("http_requests_total{") && l.ends_with(" 1"))
        .count();
    if found != series {
        return Err(format!(
            "the encoding holds {found} series instead of {series}"
        ));
    }
    drop(checked);
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < MIN_ENCODES || start.elapsed() < ENCODE_TIME {
        let t = Instant::now();
        black_box(encode(&mut buf)?);
        times.push(t.elapsed().as_nanos() as f64);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times.len()))
}
