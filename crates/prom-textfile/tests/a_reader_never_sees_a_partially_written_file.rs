//! A reader polling the target in a tight loop while it is rewritten 500 times always reads one
//! complete version, never a truncated or mixed one.

mod common;

use std::collections::HashMap;
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use prom_codec::Encoder;
use prom_core::{LabelSet, MetricFamily, MetricType, MetricValue};
use prom_textfile::write_families_to_textfile;

const REWRITES: usize = 500;
/// Series per version: tens of kilobytes, far more than one `write` page.
const SERIES: usize = 400;
/// Bounds the test however slow the file system is.
const TIME_BUDGET: Duration = Duration::from_secs(120);

/// Version `v`: every sample has the value `v`, and lines differ in length between versions so
/// that a mixture of two versions cannot look like either.
fn version(v: usize) -> Vec<MetricFamily> {
    let mut series =
        MetricFamily::new("rewrite_series", "One version's series.", MetricType::Gauge)
            .expect("valid name");
    for i in 0..SERIES {
        let labels = LabelSet::from_pairs([("index", i.to_string()), ("pad", "x".repeat(v % 7))])
            .expect("valid label names");
        series
            .push(labels, MetricValue::Gauge(v as f64))
            .expect("a gauge value in a gauge family");
    }
    let mut marker = MetricFamily::new("rewrite_version", "The version.", MetricType::Gauge)
        .expect("valid name");
    marker
        .push(LabelSet::empty(), MetricValue::Gauge(v as f64))
        .expect("a gauge value in a gauge family");
    vec![series, marker]
}

#[test]
fn every_read_is_a_whole_version() {
    let dir = common::TempDir::new("reader");
    let path = dir.path().join("rewritten.prom");
    let versions: Vec<Vec<u8>> = (0..=REWRITES)
        .map(|v| {
            Encoder::text()
                .encode_to_string(&version(v))
                .unwrap()
                .into_bytes()
        })
        .collect();
    let by_content: HashMap<&[u8], usize> = versions
        .iter()
        .enumerate()
        .map(|(v, bytes)| (bytes.as_slice(), v))
        .collect();
    assert_eq!(by_content.len(), versions.len(), "versions must differ");

    write_families_to_textfile(&path, &version(0)).unwrap();
    let done = AtomicBool::new(false);
    let started = Instant::now();

    let (reads, distinct) = thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0usize;
            let mut seen = vec![false; versions.len()];
            let mut last = 0;
            // One more read after the writer finished, so the final version is always seen.
            let mut finished = false;
            while !finished {
                finished = done.load(Ordering::SeqCst);
                let bytes = fs::read(&path).expect("the target always exists");
                let Some(&v) = by_content.get(bytes.as_slice()) else {
                    let text = String::from_utf8_lossy(&bytes);
                    panic!(
                        "read {} saw no complete version ({} bytes, after version {last}):\n{}",
                        reads + 1,
                        bytes.len(),
                        &text[text.len().saturating_sub(300)..]
                    );
                };
                assert!(v >= last, "versions went backwards: {last} then {v}");
                last = v;
                seen[v] = true;
                reads += 1;
            }
            assert_eq!(last, REWRITES, "the last read is not the last version");
            (reads, seen.iter().filter(|&&s| s).count())
        });

        for v in 1..=REWRITES {
            assert!(
                started.elapsed() < TIME_BUDGET,
                "only {} of {REWRITES} rewrites within {TIME_BUDGET:?}",
                v - 1
            );
            write_families_to_textfile(&path, &version(v)).unwrap();
        }
        done.store(true, Ordering::SeqCst);
        reader.join().expect("the reader saw only whole versions")
    });

    // The reader must have raced the writer, not read before and after it.
    assert!(
        distinct >= 10,
        "the reader saw only {distinct} versions in {reads} reads"
    );
    assert_eq!(common::entries(dir.path()), ["rewritten.prom"]);
    println!(
        "{REWRITES} rewrites in {:?}; {reads} reads saw {distinct} distinct complete versions",
        started.elapsed()
    );
}
