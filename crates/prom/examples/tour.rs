//! One family of every metric type prom supports, printed in OpenMetrics
//! (or, with `--text`, in text format 0.0.4): a counter with an exemplar, a
//! gauge, a histogram with an exemplar on a bucket, a summary with
//! quantiles, an info, a state set (an enum), and — through a custom
//! collector — a gauge histogram and an unknown.
//!
//! ```sh
//! cargo run -p prom --example tour            # OpenMetrics 1.0.0
//! cargo run -p prom --example tour -- --text  # text 0.0.4
//! ```

use prom::codec::Encoder;
use prom::{
    Counter, Enum, FnCollector, Gauge, Histogram, HistogramValue, Info, LabelSet, MetricFamily,
    MetricType, MetricValue, Opts, Registry, Summary,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--text") => true,
        Some(other) => return Err(format!("unknown argument {other:?}: only --text").into()),
    };
    let registry = Registry::new();

    let requests = Counter::new("requests", "Requests served.")?;
    requests.inc_by(41.0)?;
    requests.inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")])?;
    registry.register(requests)?;

    let queue = Gauge::new("queue_depth", "Jobs waiting.")?;
    queue.set(7.0);
    registry.register(queue)?;

    let latency = Histogram::with_opts(
        Opts::new("request_latency", "Time to answer a request.")
            .unit("seconds")
            .buckets([0.05, 0.1, 0.25, 0.5, 1.0]),
    )?;
    for v in [0.03, 0.08, 0.12, 0.3] {
        latency.observe(v);
    }
    latency.observe_with_exemplar(0.42, &[("trace_id", "00f067aa0ba902b7")])?;
    registry.register(latency)?;

    let size = Summary::with_opts(
        Opts::new("response_size", "Size of responses.")
            .unit("bytes")
            .objectives([(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)]),
    )?;
    for v in 1..=1000 {
        size.observe(f64::from(v));
    }
    registry.register(size)?;

    let build = Info::new("build", "What is running.")?;
    build.set([("version", env!("CARGO_PKG_VERSION")), ("language", "rust")])?;
    registry.register(build)?;

    let state = Enum::with_opts(
        Opts::new("task_state", "Where the task is.").states(["starting", "running", "stopped"]),
    )?;
    state.state("running")?;
    registry.register(state)?;

    // Types no handle holds come from a custom collector.
    registry.register(FnCollector::new(|out| {
        let fail = |e| prom::CollectError::new("tour", e);
        let mut pending = MetricFamily::new(
            "jobs_pending_age",
            "How long queued jobs have waited.",
            MetricType::GaugeHistogram,
        )
        .map_err(fail)?;
        pending
            .push(
                LabelSet::empty(),
                MetricValue::GaugeHistogram(HistogramValue::from_counts(
                    &[1.0, 10.0, f64::INFINITY],
                    &[3, 2, 1],
                    Some(24.5),
                )),
            )
            .map_err(fail)?;
        out.push(pending);
        let mut legacy = MetricFamily::new(
            "legacy_reading",
            "A value of no known type.",
            MetricType::Unknown,
        )
        .map_err(fail)?;
        legacy
            .push(LabelSet::empty(), MetricValue::Unknown(3.25))
            .map_err(fail)?;
        out.push(legacy);
        Ok(())
    }))?;

    let encoder = if text {
        Encoder::text()
    } else {
        Encoder::openmetrics()
    };
    let mut out = Vec::new();
    encoder.encode(&registry, &[], &mut out)?;
    print!("{}", String::from_utf8(out)?);
    Ok(())
}
