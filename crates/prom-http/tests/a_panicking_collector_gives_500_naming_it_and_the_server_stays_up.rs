//! A collector that panics fails the scrape with a 500 whose body names it,
//! in the standalone server and in the axum route alike; the next scrape
//! works.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use prom_core::{CollectError, Collector, Descriptor, Gauge, MetricFamily, MetricType};
use prom_registry::Registry;

mod common;

/// Panics while `armed`, else serves `reactor_temperature_celsius 300`.
struct Reactor {
    armed: Arc<AtomicBool>,
}

impl Collector for Reactor {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        if self.armed.load(Ordering::SeqCst) {
            panic!("thermocouple read failed");
        }
        let g = Gauge::new("reactor_temperature_celsius", "").unwrap();
        g.set(300.0);
        g.collect(out)
    }

    fn describe(&self) -> Vec<Descriptor> {
        let no_labels: [&str; 0] = [];
        vec![Descriptor::new(
            "reactor_temperature_celsius",
            "",
            MetricType::Gauge,
            None,
            &no_labels,
        )
        .unwrap()]
    }
}

fn registry() -> (Arc<Registry>, Arc<AtomicBool>) {
    let armed = Arc::new(AtomicBool::new(true));
    let registry = Registry::new();
    registry
        .register(Reactor {
            armed: Arc::clone(&armed),
        })
        .unwrap();
    (Arc::new(registry), armed)
}

fn check(url: &str, armed: &AtomicBool) {
    for _ in 0..2 {
        let r = common::get(url, &[("Accept-Encoding", "gzip")]);
        assert_eq!(r.status, 500);
        assert_eq!(r.content_encoding, None);
        assert_eq!(
            r.text(),
            "error collecting metrics: cannot encode metrics: collector \"a_panicking_collector_gives_500_naming_it_and_the_server_stays_up::Reactor (reactor_temperature_celsius)\" failed: panicked: thermocouple read failed\n"
        );
    }
    armed.store(false, Ordering::SeqCst);
    let r = common::get(url, &[]);
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("reactor_temperature_celsius 300"),
        "{}",
        r.text()
    );
}

#[test]
fn the_standalone_server_answers_500_naming_the_collector() {
    let (registry, armed) = registry();
    let server = prom_http::start_http_server("127.0.0.1:0", registry).unwrap();
    check(&format!("http://{}/metrics", server.local_addr()), &armed);
}

#[test]
fn the_axum_route_answers_500_naming_the_collector() {
    let (registry, armed) = registry();
    let app: axum::Router =
        axum::Router::new().route("/internal/metrics", prom_http::metrics_handler(registry));
    let (_runtime, base) = common::serve_axum(app);
    check(&format!("{base}/internal/metrics"), &armed);
}

#[test]
fn a_collector_served_directly_is_named_by_its_role() {
    let source = prom_core::FnCollector::new(|_| panic!("no registry around me"));
    let answer = prom_http::scrape(&source, &prom_http::ScrapeRequest::default());
    assert_eq!(answer.status, 500);
    assert_eq!(
        String::from_utf8(answer.body).unwrap(),
        "error collecting metrics: collector \"the served collector\" failed: panicked: no registry around me\n"
    );
}
