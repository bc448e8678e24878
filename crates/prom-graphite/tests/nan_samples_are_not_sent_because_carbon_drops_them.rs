//! carbon-cache silently drops a `nan` datapoint, so the bridge does not send NaN samples at
//! all; infinities are sent and stored.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{Many, CARBON_TIMEOUT};
use prom_core::Gauge;
use prom_graphite::GraphiteBridge;
use prom_testkit::Carbon;

#[test]
#[ignore = "needs carbon: run cargo xtask test"]
fn carbon_drops_nan_lines_it_receives() {
    let carbon = Carbon::start().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut conn = TcpStream::connect(carbon.line_addr()).unwrap();
    // Lines are handled in order: once the marker is stored, the NaN line has been processed.
    write!(conn, "raw.nan nan {now}\nraw.marker 1.0 {now}\n").unwrap();
    drop(conn);

    assert_eq!(
        carbon.wait_for_value("raw.marker", CARBON_TIMEOUT).unwrap(),
        1.0
    );
    assert!(
        !carbon.whisper_path("raw.nan").exists(),
        "carbon stored a NaN series: {:?}",
        carbon.whisper_files()
    );
}

#[test]
#[ignore = "needs carbon: run cargo xtask test"]
fn the_bridge_skips_nan_and_sends_infinities() {
    let carbon = Carbon::start().unwrap();
    let nan = Gauge::new("not_a_number", "").unwrap();
    nan.set(f64::NAN);
    let inf = Gauge::new("infinite", "").unwrap();
    inf.set(f64::INFINITY);
    let bridge = GraphiteBridge::new(carbon.line_addr().to_string());
    let all = Many(vec![Box::new(nan), Box::new(inf)]);

    let lines = bridge.render(&prom_core::collect(&all).unwrap(), SystemTime::now());
    assert!(lines.starts_with("infinite inf "), "{lines:?}");
    assert_eq!(lines.lines().count(), 1, "{lines:?}");

    bridge.push(&all).unwrap();
    assert_eq!(
        carbon.wait_for_value("infinite", CARBON_TIMEOUT).unwrap(),
        f64::INFINITY
    );
    assert_eq!(carbon.whisper_files(), ["infinite.wsp"]);
}
