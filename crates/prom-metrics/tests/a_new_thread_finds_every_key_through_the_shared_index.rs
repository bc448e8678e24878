//! A thread whose cache has never seen a key finds it in the bridge's shared
//! index, which keeps no copy of the key: it confirms a series by its own
//! labels. Whatever the key's spelling, order or conflicts, a second thread
//! records into the same series and counts the same conflicts as the first.

mod common;

use metrics::{Key, Label, Level, Metadata, Recorder};
use prom_metrics::Bridge;

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

fn key(name: &str, labels: &[(&str, &str)]) -> Key {
    let labels: Vec<Label> = labels
        .iter()
        .map(|&(k, v)| Label::new(k.to_owned(), v.to_owned()))
        .collect();
    Key::from_parts(name.to_owned(), labels)
}

fn keys() -> Vec<Key> {
    vec![
        key("requests", &[("method", "GET"), ("code", "200")]),
        key("requests", &[("code", "200"), ("method", "GET")]),
        key(
            "requests",
            &[("method", "GET"), ("code", "200"), ("empty", "")],
        ),
        key(
            "requests",
            &[("http.method", "GET"), ("http_method", "PUT")],
        ),
        key("requests", &[("method", "GET")]),
        key("requests", &[]),
        key("requests_total", &[("method", "GET")]),
        key("requests.total", &[("method", "GET")]),
        key("_total", &[]),
    ]
}

#[test]
fn every_key_resolved_on_one_thread_is_found_alike_on_another() {
    let bridge = Bridge::new();
    let record = || {
        for key in keys() {
            bridge.register_counter(&key, &METADATA).increment(1);
        }
    };
    record();
    let first = common::text(&bridge);
    // Fresh threads: empty caches, so every key goes through the index.
    for _ in 0..2 {
        std::thread::scope(|s| {
            s.spawn(record);
        });
    }
    assert_eq!(
        common::parses(&common::text(&bridge)),
        tripled(&first),
        "the first thread's exposition:\n{first}"
    );
}

/// `text` with every sample's value three times what it is.
fn tripled(text: &str) -> String {
    text.lines()
        .map(|line| match line.rsplit_once(' ') {
            Some((series, value)) if !line.starts_with('#') => {
                let value: f64 = value.parse().expect("a sample value");
                format!("{series} {}\n", value * 3.0)
            }
            _ => format!("{line}\n"),
        })
        .collect()
}
