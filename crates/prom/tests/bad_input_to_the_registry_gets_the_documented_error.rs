//! Every clash on registration, and every unknown name in a restricted
//! gather, gets exactly the outcome `docs/errors.md` shows (rows
//! `registry.*`).

mod common;

use common::{err, Check};
use prom::{
    CollectError, Counter, Descriptor, FnCollector, Gauge, Histogram, MetricType, Registry, Summary,
};

/// Registers `first`, then returns the error of registering `second`.
fn clash(first: impl prom::Collector + 'static, second: impl prom::Collector + 'static) -> String {
    let registry = Registry::new();
    registry.register(first).expect("the first name is new");
    err(registry.register(second))
}

fn counter(name: &str) -> Counter {
    Counter::new(name, "").expect("valid name")
}

fn gauge(name: &str) -> Gauge {
    Gauge::new(name, "").expect("valid name")
}

fn histogram(name: &str) -> Histogram {
    Histogram::new(name, "").expect("valid name")
}

fn summary(name: &str) -> Summary {
    Summary::new(name, "").expect("valid name")
}

fn failing(out: &mut Vec<prom::MetricFamily>) -> Result<(), CollectError> {
    let _ = out;
    Err(CollectError::new("queues", "broker unreachable"))
}

fn gathered_names(names: &[&str]) -> String {
    let registry = Registry::new();
    registry.register(counter("requests")).expect("new name");
    let families = registry.gather_names(names).expect("no collector fails");
    assert!(families.is_empty(), "{families:?}");
    "no error: an empty list of families".into()
}

const CHECKS: &[(&str, Check)] = &[
    ("registry.same-metric-twice", || {
        let c = counter("requests");
        clash(c.clone(), c)
    }),
    ("registry.counter-and-counter-total", || {
        clash(counter("requests"), counter("requests_total"))
    }),
    ("registry.counter-and-gauge-total", || {
        clash(counter("requests"), gauge("requests_total"))
    }),
    ("registry.counter-and-gauge-created", || {
        clash(counter("requests"), gauge("requests_created"))
    }),
    ("registry.counter-and-gauge-bare", || {
        clash(counter("requests"), gauge("requests"))
    }),
    ("registry.histogram-and-gauge-bucket", || {
        clash(histogram("latency"), gauge("latency_bucket"))
    }),
    ("registry.histogram-and-gauge-count", || {
        clash(histogram("latency"), gauge("latency_count"))
    }),
    ("registry.histogram-and-gauge-sum", || {
        clash(histogram("latency"), gauge("latency_sum"))
    }),
    ("registry.histogram-and-gauge-created", || {
        clash(histogram("latency"), gauge("latency_created"))
    }),
    ("registry.gauge-count-then-summary", || {
        clash(gauge("size_count"), summary("size"))
    }),
    ("registry.summary-and-gauge-sum", || {
        clash(summary("size"), gauge("size_sum"))
    }),
    ("registry.clash-within-one-collector", || {
        let descriptors = vec![
            Descriptor::new::<&str>("jobs", "", MetricType::Counter, None, &[])
                .expect("valid descriptor"),
            Descriptor::new::<&str>("jobs_total", "", MetricType::Gauge, None, &[])
                .expect("valid descriptor"),
        ];
        err(Registry::new().register(FnCollector::new(failing).with_descriptors(descriptors)))
    }),
    ("registry.gather-names-unknown", || {
        gathered_names(&["nope"])
    }),
    ("registry.gather-names-none", || gathered_names(&[])),
    ("registry.gather-failing-collector", || {
        let registry = Registry::new();
        registry
            .register(FnCollector::new(failing))
            .expect("declares no names");
        err(registry.gather())
    }),
    ("registry.unregister-twice", || {
        let registry = Registry::new();
        let id = registry.register(counter("requests")).expect("new name");
        assert!(registry.unregister(id));
        assert!(!registry.unregister(id));
        "no error: returns false".into()
    }),
    ("registry.facade-twice", || {
        prom::counter("facade_jobs", "").expect("new name");
        err(prom::counter("facade_jobs", ""))
    }),
    ("registry.facade-process-name", || {
        err(prom::gauge("process_open_fds", ""))
    }),
];

#[test]
fn every_registry_row_has_its_error() {
    common::check_area("registry", CHECKS);
}
