//! The timeout bounds the whole push, not each write: against a server that accepts and never
//! reads, or reads too slowly, a push far larger than the socket buffers fails soon after
//! the timeout with an error saying the server stopped reading, naming the address and the
//! timeout.

mod common;

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use prom_core::{CollectError, FnCollector, LabelSet, MetricFamily, MetricType, MetricValue};
use prom_graphite::{GraphiteBridge, GraphiteError};

/// Series in the push, each with a long label value: about 40 MB of lines, many times what the
/// loopback socket buffers hold (a few MB).
const SERIES: usize = 20_000;
const VALUE_LEN: usize = 2_000;

/// Accepts connections and holds them open until the test ends, reading at most `chunk` bytes
/// of each every 200 ms (nothing when `chunk` is zero).
fn start_server(chunk: usize) -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = vec![0; chunk.max(1)];
                loop {
                    std::thread::sleep(Duration::from_millis(200));
                    if chunk > 0 && matches!(stream.read(&mut buf), Ok(0) | Err(_)) {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn big(out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
    let mut family = MetricFamily::new("queue_depth", "Items waiting.", MetricType::Gauge)
        .map_err(|e| CollectError::new("big", e.to_string()))?;
    let padding = "x".repeat(VALUE_LEN);
    for i in 0..SERIES {
        let labels = LabelSet::from_pairs([("queue", format!("{i}{padding}"))])
            .map_err(|e| CollectError::new("big", e.to_string()))?;
        family
            .push(labels, MetricValue::Gauge(i as f64))
            .map_err(|e| CollectError::new("big", e.to_string()))?;
    }
    out.push(family);
    Ok(())
}

/// Pushes the big collector to the server at `addr` with a 1 s timeout and checks the error
/// and that the push gave up about 1 s after it started sending.
fn push_times_out(addr: &str) {
    let timeout = Duration::from_secs(1);
    let bridge = GraphiteBridge::builder(addr)
        .timeout(timeout)
        .unwrap()
        .build();
    let source = FnCollector::new(big);

    // Collecting and rendering happen before the timeout's clock starts and take a while in a
    // debug build: measure them alone, to tell the sending time from the push's.
    let started = Instant::now();
    let lines = bridge.render(&prom_core::collect(&source).unwrap(), SystemTime::now());
    let preparation = started.elapsed();
    assert!(lines.len() > 30_000_000, "{} bytes", lines.len());
    drop(lines);

    // On a thread, so a push that ignores its timeout fails the test instead of hanging it.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = bridge.push(&source);
        let _ = tx.send((result, started.elapsed()));
    });
    let (result, elapsed) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the push is still running after 60 s");
    let sending = elapsed.saturating_sub(preparation);
    eprintln!(
        "{addr}: preparation {preparation:?}, push {elapsed:?}, so sending about {sending:?}"
    );

    let err = result.unwrap_err();
    assert!(matches!(err, GraphiteError::Timeout { .. }), "{err:?}");
    assert_eq!(err.addr(), Some(addr));
    assert_eq!(
        err.to_string(),
        format!(
            "cannot send metrics to Graphite at {addr}: the server stopped reading, or read too \
             slowly, and the push did not finish within the timeout of 1s"
        )
    );
    // The time is up 1 s after sending starts; a loaded 2-core machine gets generous slack (the
    // preparation measured above varies from run to run too).
    assert!(elapsed >= timeout, "gave up early: {elapsed:?}");
    assert!(
        sending < Duration::from_secs(5),
        "sending took about {sending:?}"
    );
}

#[test]
fn a_server_that_never_reads_fails_the_push_after_about_the_timeout() {
    push_times_out(&start_server(0));
}

/// 1 MiB every 200 ms is too slow for 40 MB in 1 s, but every write makes progress, so a
/// timeout per write never expires: before the deadline, this push succeeded after about 8 s.
#[test]
fn a_server_that_reads_slowly_fails_the_push_after_about_the_timeout() {
    push_times_out(&start_server(1024 * 1024));
}
