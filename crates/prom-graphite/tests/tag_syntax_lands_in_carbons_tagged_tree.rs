//! With `LabelStyle::Tags` the series reach a real carbon-cache as Graphite tags: stored under
//! `_tagged/` by the hash of carbon's normalised name, holding the pushed value, with no plain
//! path created.

mod common;

use common::{Many, CARBON_TIMEOUT};
use prom_core::{GaugeVec, Histogram, Opts};
use prom_graphite::{GraphiteBridge, LabelStyle};
use prom_testkit::Carbon;

#[test]
#[ignore = "needs carbon: run cargo xtask test"]
fn tagged_series_hold_their_values() {
    let carbon = Carbon::start().unwrap();

    let temp =
        GaugeVec::new(Opts::new("temp_celsius", "Temperature.").labels(["room", "name", "zone"]))
            .unwrap();
    temp.with_label_values(&["hall way", "sensor=a!^", "~eu.west"])
        .unwrap()
        .set(19.25);
    let latency =
        Histogram::with_opts(Opts::new("latency_seconds", "Latency.").buckets([0.5])).unwrap();
    latency.observe(0.25);

    let bridge = GraphiteBridge::builder(carbon.line_addr().to_string())
        .prefix("ci")
        .unwrap()
        .label_style(LabelStyle::Tags)
        .build();
    bridge
        .push(&Many(vec![Box::new(temp), Box::new(latency)]))
        .unwrap();

    // The harness derives each file from carbon's own normalisation and hashing, so finding the
    // value there shows that carbon parsed the tags as written.
    let expected = [
        (
            "ci.temp_celsius;exported_name=sensor=a!^;room=hall_way;zone=_eu.west",
            19.25,
        ),
        ("ci.latency_seconds_bucket;le=0.5", 1.0),
        ("ci.latency_seconds_bucket;le=+Inf", 1.0),
        ("ci.latency_seconds_count", 1.0),
        ("ci.latency_seconds_sum", 0.25),
    ];
    for (series, value) in expected {
        let stored = carbon.wait_for_value(series, CARBON_TIMEOUT).unwrap();
        assert_eq!(stored, value, "{series}");
    }
    let files = carbon.whisper_files();
    let tagged = files.iter().filter(|f| f.starts_with("_tagged/")).count();
    assert_eq!(tagged, 3, "{files:#?}");
    assert!(
        !files.iter().any(|f| f.starts_with("ci/temp_celsius")),
        "labels must not become path segments in tag mode: {files:#?}"
    );
    // A label-less sample is an ordinary path.
    assert!(
        files.contains(&"ci/latency_seconds_count.wsp".to_owned()),
        "{files:#?}"
    );
}
