//! A collector that panics during a background push is reported as a collect error, and the
//! thread goes on pushing at the next tick.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{eventually, FakeGraphite};
use prom_core::{FnCollector, LabelSet, MetricFamily, MetricType, MetricValue};
use prom_graphite::{GraphiteBridge, GraphiteError};

#[test]
fn the_push_after_a_panic_is_delivered() {
    let graphite = FakeGraphite::start();
    let calls = AtomicUsize::new(0);
    let flaky = FnCollector::new(move |out| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("first collect fails");
        }
        let mut f = MetricFamily::new("recovered", "", MetricType::Gauge).expect("valid name");
        f.push(LabelSet::empty(), MetricValue::Gauge(1.0))
            .expect("a gauge value in a gauge family");
        out.push(f);
        Ok(())
    });
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&errors);
    let handle = GraphiteBridge::builder(graphite.addr().to_string())
        .on_error(move |e| {
            assert!(matches!(e, GraphiteError::Collect { .. }), "{e:?}");
            sink.lock().unwrap().push(e.to_string());
        })
        .build()
        .start(Arc::new(flaky), Duration::from_millis(50));

    assert!(
        eventually(Duration::from_secs(30), || !graphite
            .connections()
            .is_empty()),
        "no push after the panic; errors: {:?}",
        errors.lock().unwrap()
    );
    handle.stop();
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("the collector panicked: first collect fails"),
        "{errors:?}"
    );
    assert!(
        graphite.connections()[0].starts_with("recovered 1.0 "),
        "{:?}",
        graphite.connections()
    );
}
