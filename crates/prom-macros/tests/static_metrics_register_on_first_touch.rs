//! `static_metrics!` declares statics that register in the default registry
//! on first touch, once however many threads touch them; a name another
//! collector exposes makes that first touch panic, naming both, and
//! `StaticMetric::try_force` returns the same error as a value.

mod common;

use prom::codec::Encoder;
use prom::StaticMetric;

mod metrics {
    prom::static_metrics! {
        /// Requests served, by method and status.
        pub static REQUESTS: CounterVec = (
            "static_requests_total",
            "Requests served.",
            labels = ["method", "status"],
        );
        pub(crate) static QUEUE: Gauge = ("static_queue_depth", "Items waiting.");
        pub static SIZES: Histogram = ("static_payload_bytes", "Payload size.", buckets = [-1, 0.5, 64, 1e3]);
        pub static LATENCY: SummaryVec = ("static_latency_seconds", "Latency.", labels = ["op"]);
        pub static UNTOUCHED: Counter = ("static_untouched_total", "Never touched.");
        pub static RACED: GaugeVec = ("static_raced", "Touched by many threads at once.", labels = ["thread"]);
        pub static TEMPERATURE: HistogramVec = ("static_temperature_celsius", "", labels = ["room"]);
        pub static DONE: Summary = ("static_done_seconds", "");
    }
}

prom::static_metrics! {
    static FIRST: Counter = ("static_clash", "The first.");
    static SECOND: Gauge = ("static_clash_total", "The second, clashing with the first's sample name.");
    static AFTER_RUNTIME: Counter = ("static_registered_at_run_time", "");
}

/// The line of this file that declares a static.
fn line_of(declaration: &str) -> usize {
    include_str!("static_metrics_register_on_first_touch.rs")
        .lines()
        .position(|l| l.trim_start().starts_with(declaration))
        .expect("the declaration is in this file")
        + 1
}

fn exposition(names: &[&str]) -> String {
    let families = prom::default_registry()
        .gather_names(names)
        .expect("no collector fails");
    Encoder::text()
        .encode_to_string(&families)
        .expect("encodes")
}

#[test]
fn a_static_metric_is_exposed_from_its_first_touch() {
    assert_eq!(exposition(&["static_requests_total"]), "");
    metrics::REQUESTS.child(["GET", "200"]).inc();
    assert_eq!(
        exposition(&["static_requests_total"]),
        "# HELP static_requests_total Requests served.\n# TYPE static_requests_total counter\nstatic_requests_total{method=\"GET\",status=\"200\"} 1\n"
    );
    metrics::QUEUE.set(3.0);
    assert_eq!(
        exposition(&["static_queue_depth"]),
        "# HELP static_queue_depth Items waiting.\n# TYPE static_queue_depth gauge\nstatic_queue_depth 3\n"
    );
    assert_eq!(exposition(&["static_untouched_total"]), "");
}

#[test]
fn buckets_and_labels_are_as_declared() {
    metrics::SIZES.observe(0.2);
    metrics::SIZES.observe(100.0);
    assert_eq!(
        exposition(&["static_payload_bytes"]),
        "# HELP static_payload_bytes Payload size.\n# TYPE static_payload_bytes histogram\n\
         static_payload_bytes_bucket{le=\"-1.0\"} 0\nstatic_payload_bytes_bucket{le=\"0.5\"} 1\n\
         static_payload_bytes_bucket{le=\"64.0\"} 1\nstatic_payload_bytes_bucket{le=\"1000.0\"} 2\n\
         static_payload_bytes_bucket{le=\"+Inf\"} 2\nstatic_payload_bytes_count 2\n"
    );
    metrics::LATENCY.child(["read"]).observe(0.5);
    metrics::TEMPERATURE.child(["kitchen"]).observe(21.0);
    metrics::DONE.observe(1.0);
    assert_eq!(metrics::LATENCY.child(["read"]).get_count(), 1);
    assert_eq!(metrics::TEMPERATURE.child(["kitchen"]).get_count(), 1);
    assert_eq!(metrics::DONE.get_count(), 1);
    assert_eq!(
        metrics::LATENCY.descriptor().label_names(),
        [Box::<str>::from("op")]
    );
}

#[test]
fn many_threads_touching_a_static_at_once_register_it_once() {
    std::thread::scope(|s| {
        for t in 0..8 {
            s.spawn(move || metrics::RACED.child([&t.to_string()]).inc());
        }
    });
    assert!(StaticMetric::try_force(&metrics::RACED).is_ok());
    assert_eq!(metrics::RACED.len(), 8);
    let text = exposition(&["static_raced"]);
    assert_eq!(text.matches("# TYPE static_raced gauge").count(), 1);
}

#[test]
fn a_clash_panics_on_first_touch_naming_both_statics() {
    FIRST.inc();
    let expected = format!(
        "static metric {module}::SECOND ({file}:{second}) cannot be registered in the default registry: \
         duplicated time series \"static_clash_total\": another registered collector already exposes it: \
         the static metric {module}::FIRST ({file}:{first})",
        module = module_path!(),
        file = file!(),
        first = line_of("static FIRST:"),
        second = line_of("static SECOND:"),
    );
    let err = StaticMetric::try_force(&SECOND).expect_err("the name is taken");
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.path(), concat!(module_path!(), "::SECOND"));
    let source = std::error::Error::source(err).expect("the registry's error");
    assert!(source.is::<prom::RegistryError>());
    // Every touch panics alike, not only the first.
    assert_eq!(common::panic_message(|| SECOND.set(1.0)), expected);
    assert_eq!(common::panic_message(|| SECOND.set(2.0)), expected);
    assert_eq!(FIRST.get(), 1.0, "the first one works on");
}

#[test]
fn a_clash_with_a_metric_registered_at_run_time_says_so() {
    prom::counter("static_registered_at_run_time", "").expect("a free name");
    let err = StaticMetric::try_force(&AFTER_RUNTIME).expect_err("the name is taken");
    assert!(
        err.to_string().ends_with(
            "duplicated time series \"static_registered_at_run_time\": another registered collector already exposes it (a collector registered without static_metrics!)"
        ),
        "{err}"
    );
}

#[test]
fn a_static_metric_has_its_declared_name_and_a_debug_form() {
    assert_eq!(
        StaticMetric::name(&metrics::UNTOUCHED),
        "static_untouched_total"
    );
    let debug = format!("{:?}", metrics::UNTOUCHED);
    assert!(debug.starts_with("StaticMetric { path: \""), "{debug}");
    assert!(
        debug.contains("metric: None"),
        "not touched by Debug: {debug}"
    );
}
