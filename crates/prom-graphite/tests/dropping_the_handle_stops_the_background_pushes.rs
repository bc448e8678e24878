//! The background pusher pushes at its interval over a new connection each time, and dropping
//! or stopping its handle ends the thread at once, even in the middle of a long interval: no
//! connection arrives afterwards.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{eventually, FakeGraphite};
use prom_core::Gauge;
use prom_graphite::GraphiteBridge;

#[test]
fn no_connection_arrives_after_the_handle_is_dropped() {
    let graphite = FakeGraphite::start();
    let gauge = Gauge::new("heartbeat", "").unwrap();
    gauge.set(4.0);
    let bridge = GraphiteBridge::builder(graphite.addr().to_string())
        .prefix("fake")
        .unwrap()
        .build();

    let handle = bridge.start(Arc::new(gauge), Duration::from_millis(50));
    assert!(
        eventually(Duration::from_secs(30), || graphite.connections().len()
            >= 3),
        "the pusher did not push repeatedly: {:?}",
        graphite.connections()
    );
    drop(handle);
    // Any push in flight finished before drop returned (drop joins the thread); give the
    // fake's accept loop time to record it, then take the count.
    std::thread::sleep(Duration::from_millis(200));
    let after_drop = graphite.connections().len();

    // Ten intervals without a push.
    std::thread::sleep(Duration::from_millis(500));
    let connections = graphite.connections();
    assert_eq!(connections.len(), after_drop, "pushes went on after drop");
    for c in &connections {
        // One line per push, on its own connection, stamped in whole seconds.
        let fields: Vec<&str> = c.trim_end_matches('\n').split(' ').collect();
        assert_eq!(fields[..2], ["fake.heartbeat", "4.0"], "{c:?}");
        assert!(fields[2].parse::<u64>().is_ok(), "{c:?}");
        assert_eq!(c.matches('\n').count(), 1, "{c:?}");
    }
}

#[test]
fn stop_returns_promptly_in_the_middle_of_a_long_interval() {
    let graphite = FakeGraphite::start();
    let gauge = Gauge::new("slow", "").unwrap();
    let handle = GraphiteBridge::new(graphite.addr().to_string())
        .start(Arc::new(gauge), Duration::from_secs(3600));
    // The first push is immediate; after it the thread waits for an hour.
    assert!(eventually(Duration::from_secs(30), || graphite
        .connections()
        .len()
        == 1));

    let asked = Instant::now();
    handle.stop();
    // Generous: a thread sleeping out its interval would take an hour.
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "stop took {:?}",
        asked.elapsed()
    );
    assert_eq!(graphite.connections().len(), 1);
}
