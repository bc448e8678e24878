//! The collector reads each runtime's metrics at scrape time: workers,
//! alive tasks, busy time per worker; several runtimes side by side.

use std::time::Duration;

use prom_core::{collect, Collector, MetricFamily};
use prom_tokio::RuntimeCollector;

fn value(families: &[MetricFamily], sample: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families.iter().find_map(|f| f.sample_value(sample, labels))
}

#[test]
fn workers_tasks_and_busy_time_are_read_at_each_scrape() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let collector = RuntimeCollector::new("main", runtime.handle());
    // Three tasks that wait until told: alive until then.
    let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
    let waiting: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = stop.subscribe();
            runtime.spawn(async move {
                let _ = rx.recv().await;
            })
        })
        .collect();
    // Some busy work on the workers.
    runtime.block_on(async {
        let spin = tokio::spawn(async {
            let until = std::time::Instant::now() + Duration::from_millis(50);
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
        });
        spin.await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    });
    let families = collect(&collector).unwrap();
    let main = [("runtime", "main")];
    assert_eq!(value(&families, "tokio_workers", &main), Some(2.0));
    assert!(value(&families, "tokio_alive_tasks", &main).is_some_and(|n| n >= 3.0));
    assert!(value(&families, "tokio_global_queue_depth", &main).is_some());
    let busy: f64 = (0..2)
        .filter_map(|w| {
            let w = w.to_string();
            value(
                &families,
                "tokio_worker_busy_seconds_total",
                &[("runtime", "main"), ("worker", w.as_str())],
            )
        })
        .sum();
    assert!(busy >= 0.04, "busy {busy}");
    assert!(value(
        &families,
        "tokio_worker_parks_total",
        &[("runtime", "main"), ("worker", "0")]
    )
    .is_some());
    let _ = stop.send(());
    runtime.block_on(async {
        for task in waiting {
            task.await.unwrap();
        }
    });
    let families = collect(&collector).unwrap();
    assert_eq!(value(&families, "tokio_alive_tasks", &main), Some(0.0));
}

#[test]
fn several_runtimes_are_told_apart_by_their_label_and_a_name_is_replaced() {
    let a = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let b = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .build()
        .unwrap();
    let collector = RuntimeCollector::new("a", a.handle());
    collector.add("b", b.handle());
    let families = collect(&collector).unwrap();
    assert_eq!(
        value(&families, "tokio_workers", &[("runtime", "a")]),
        Some(1.0)
    );
    assert_eq!(
        value(&families, "tokio_workers", &[("runtime", "b")]),
        Some(3.0)
    );
    // Per-worker families have a series per worker of each runtime.
    let parks = families
        .iter()
        .find(|f| &*f.name == "tokio_worker_parks")
        .unwrap();
    assert_eq!(parks.metrics.len(), 4);
    collector.add("b", a.handle());
    let families = collect(&collector).unwrap();
    assert_eq!(
        value(&families, "tokio_workers", &[("runtime", "b")]),
        Some(1.0)
    );
}

#[test]
fn the_families_are_described_for_the_registrys_checks() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let collector = RuntimeCollector::new("main", rt.handle());
    let names: Vec<String> = collector
        .describe()
        .iter()
        .map(|d| d.name().to_owned())
        .collect();
    assert!(names.contains(&"tokio_workers".to_owned()));
    assert!(names.contains(&"tokio_worker_busy_seconds".to_owned()));
    // Every family collected is described.
    for f in collect(&collector).unwrap() {
        assert!(names.iter().any(|n| *n == *f.name), "{}", f.name);
    }
}
