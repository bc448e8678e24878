//! With the `log` feature and no error callback, a background push that fails is reported with
//! `log::warn!` under the target `prom_graphite`, naming the address.
#![cfg(feature = "log")]

mod common;

use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::eventually;
use prom_core::Gauge;
use prom_graphite::GraphiteBridge;

/// Keeps every record logged in this test binary.
struct Capture(Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        self.0.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn failed_background_pushes_are_logged_as_warnings() {
    log::set_logger(&CAPTURE).expect("this binary's only test installs the logger");
    log::set_max_level(log::LevelFilter::Trace);
    let addr = {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.local_addr().unwrap().to_string()
    };

    let handle = GraphiteBridge::new(addr.clone()).start(
        Arc::new(Gauge::new("g", "").unwrap()),
        Duration::from_millis(50),
    );
    let logged = eventually(Duration::from_secs(30), || {
        CAPTURE
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|(level, target, message)| {
                *level == log::Level::Warn
                    && target == "prom_graphite"
                    && message.starts_with(&format!("cannot connect to Graphite at {addr}: "))
            })
    });
    handle.stop();
    assert!(logged, "{:?}", CAPTURE.0.lock().unwrap());
}
