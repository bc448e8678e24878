//! The per-call path of the bridge — a `metrics` key to its prom series,
//! then the update — allocates nothing for a series that exists, on a
//! thread that has used it before (the first use on a thread fills that
//! thread's cache). A counting global allocator proves it.

use metrics::{Key, Label, Level, Metadata, Recorder};
use prom_metrics::Bridge;
use prom_testkit::{allocations_in, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

#[test]
fn the_counter_shim_sees_allocations() {
    // Without this, a broken shim would make every other test pass vacuously.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) >= 1);
}

#[test]
fn registering_and_updating_existing_series_does_not_allocate() {
    let bridge = Bridge::new();
    // Keys as `counter!` builds them from non-literal values: owned labels.
    let keys: Vec<Key> = (0..100)
        .map(|i| {
            Key::from_parts(
                "requests",
                vec![
                    Label::new("method", ["GET", "POST"][i % 2]),
                    Label::new("path", format!("/api/{i}")),
                ],
            )
        })
        .collect();
    let warm = || {
        for key in &keys {
            bridge.register_counter(key, &METADATA).increment(1);
            bridge.register_gauge(key, &METADATA).set(1.0);
            bridge.register_histogram(key, &METADATA).record(0.5);
        }
    };
    warm(); // creates the series and fills this thread's cache
    let n = allocations_in(|| {
        for _ in 0..10 {
            warm();
        }
    });
    assert_eq!(n, 0, "registering existing series allocated {n} times");
    // Equal keys made apart (other addresses, same bytes) find them too.
    let again: Vec<Key> = keys
        .iter()
        .map(|k| {
            let labels: Vec<Label> = k
                .labels()
                .map(|l| Label::new(l.key().to_owned(), l.value().to_owned()))
                .collect();
            Key::from_parts(k.name().to_owned(), labels)
        })
        .collect();
    let n = allocations_in(|| {
        for key in &again {
            bridge.register_counter(key, &METADATA).increment(1);
        }
    });
    assert_eq!(n, 0, "registering by equal keys allocated {n} times");

    // Through the macros, with literal labels: `metrics` keeps such keys in
    // statics, so the whole call allocates nothing.
    metrics::with_local_recorder(&bridge, || {
        let call = || {
            metrics::counter!("jobs", "queue" => "mail").increment(1);
            metrics::gauge!("depth", "queue" => "mail").increment(1.0);
            metrics::histogram!("latency").record(0.1);
        };
        call();
        let n = allocations_in(|| {
            for _ in 0..1000 {
                call();
            }
        });
        assert_eq!(n, 0, "macro calls allocated {n} times");
    });
    let families = prom_core::collect(&bridge).unwrap();
    let jobs = families.iter().find(|f| &*f.name == "jobs").unwrap();
    assert_eq!(
        jobs.sample_value("jobs_total", &[("queue", "mail")]),
        Some(1001.0)
    );
    let requests = families.iter().find(|f| &*f.name == "requests").unwrap();
    assert_eq!(
        requests.sample_value("requests_total", &[("method", "GET"), ("path", "/api/0")]),
        Some(12.0)
    );
}
