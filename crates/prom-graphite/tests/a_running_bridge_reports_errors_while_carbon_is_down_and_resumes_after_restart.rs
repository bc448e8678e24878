//! A bridge started with `start` survives its carbon-cache going away: while carbon is stopped
//! every push fails and reaches the error callback, naming the address, and once carbon is
//! restarted on the same port the thread delivers again, with no intervention.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{eventually, CARBON_TIMEOUT};
use prom_core::Gauge;
use prom_graphite::{GraphiteBridge, GraphiteError};
use prom_testkit::Carbon;

#[test]
#[ignore = "needs carbon: run cargo xtask test"]
fn errors_are_reported_while_down_and_pushes_resume_after_restart() {
    let mut carbon = Carbon::start().unwrap();
    let addr = carbon.line_addr().to_string();

    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&errors);
    let bridge = GraphiteBridge::builder(addr.clone())
        .prefix("ci")
        .unwrap()
        .on_error(move |e| {
            let refused = matches!(e, GraphiteError::Connect { .. });
            sink.lock()
                .unwrap()
                .push(format!("{}{e}", if refused { "connect: " } else { "" }));
        })
        .build();
    let state = Gauge::new("state", "Which phase of the test we are in.").unwrap();
    state.set(1.0);
    let handle = bridge.start(Arc::new(state.clone()), Duration::from_millis(200));

    assert_eq!(
        carbon.wait_for_value("ci.state", CARBON_TIMEOUT).unwrap(),
        1.0
    );
    assert!(
        errors.lock().unwrap().is_empty(),
        "{:?}",
        errors.lock().unwrap()
    );

    let old_pid = carbon.pid().expect("carbon is running");
    carbon.stop().unwrap();
    assert!(!Path::new(&format!("/proc/{old_pid}")).exists());

    // Several failed pushes in a row: the thread keeps going after each.
    let refused = |errors: &[String]| {
        errors
            .iter()
            .filter(|e| e.starts_with("connect: ") && e.contains(&addr))
            .count()
    };
    assert!(
        eventually(CARBON_TIMEOUT, || refused(&errors.lock().unwrap()) >= 3),
        "no connection errors reported while carbon was down: {:?}",
        errors.lock().unwrap()
    );
    let message = errors
        .lock()
        .unwrap()
        .iter()
        .find(|e| e.starts_with("connect: "))
        .cloned()
        .unwrap();
    assert!(
        message.contains(&format!("cannot connect to Graphite at {addr}")),
        "{message}"
    );

    carbon.restart().unwrap();
    assert_ne!(carbon.pid(), Some(old_pid));
    state.set(2.0);
    let after = carbon
        .wait_for_value_matching("ci.state", CARBON_TIMEOUT, |v| v == 2.0)
        .unwrap();
    assert_eq!(after, 2.0);

    handle.stop();
    let pid = carbon.pid().expect("carbon is running");
    drop(carbon);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "carbon-cache {pid} survived the harness"
    );
}
