//! One push to a real carbon-cache creates a whisper file per sample path, holding the pushed
//! value: counters as `x_total`, labelled gauges with sorted, sanitised label segments, and
//! histogram buckets with `le` as a label.

mod common;

use common::{Many, CARBON_TIMEOUT};
use prom_core::{Counter, GaugeVec, Histogram, Opts, Summary};
use prom_graphite::GraphiteBridge;
use prom_testkit::Carbon;

#[test]
#[ignore = "needs carbon: run cargo xtask test"]
fn every_sample_lands_in_its_whisper_file_with_its_value() {
    let carbon = Carbon::start().unwrap();

    let jobs = Counter::new("jobs_done", "Jobs completed.").unwrap();
    jobs.inc_by(3.0).unwrap();
    let temp =
        GaugeVec::new(Opts::new("temp_celsius", "Temperature.").labels(["room", "floor"])).unwrap();
    temp.with_label_values(&["hall way/2", "1"])
        .unwrap()
        .set(21.5);
    let latency =
        Histogram::with_opts(Opts::new("latency_seconds", "Latency.").buckets([0.1, 0.5])).unwrap();
    latency.observe(0.25);
    latency.observe(0.125);
    let sizes = Summary::new("sizes_bytes", "Sizes.").unwrap();
    sizes.observe(10.0);

    let bridge = GraphiteBridge::builder(carbon.line_addr().to_string())
        .prefix("ci.host1")
        .unwrap()
        .build();
    let all = Many(vec![
        Box::new(jobs),
        Box::new(temp),
        Box::new(latency),
        Box::new(sizes),
    ]);
    bridge.push(&all).unwrap();

    let expected = [
        ("ci.host1.jobs_done_total", 3.0),
        ("ci.host1.temp_celsius.floor.1.room.hall_way_2", 21.5),
        ("ci.host1.latency_seconds_bucket.le.0_1", 0.0),
        ("ci.host1.latency_seconds_bucket.le.0_5", 2.0),
        ("ci.host1.latency_seconds_bucket.le._Inf", 2.0),
        ("ci.host1.latency_seconds_count", 2.0),
        ("ci.host1.latency_seconds_sum", 0.375),
        ("ci.host1.sizes_bytes_count", 1.0),
        ("ci.host1.sizes_bytes_sum", 10.0),
    ];
    for (path, value) in expected {
        let stored = carbon.wait_for_value(path, CARBON_TIMEOUT).unwrap();
        assert_eq!(stored, value, "{path}");
        assert!(carbon.whisper_path(path).is_file(), "{path}");
    }
    // Nothing else was sent: no `_created`, no stray paths.
    let files = carbon.whisper_files();
    assert_eq!(files.len(), expected.len(), "{files:#?}");
    assert!(
        files.contains(&"ci/host1/latency_seconds_bucket/le/0_5.wsp".to_owned()),
        "{files:#?}"
    );
}
