//! Installed as the global `metrics` recorder (once per process: this test
//! binary is its own process), the bridge records the calls of every
//! thread and of code that knows nothing of prom, as a library does; a
//! second installation is refused with an error, not a panic.

mod common;

use prom_metrics::{Bridge, Error};

/// Stands for a library instrumented with `metrics` only.
mod library {
    pub fn handle(route: &'static str) {
        metrics::counter!("lib.requests", "route" => route).increment(1);
        metrics::histogram!("lib.latency").record(0.01);
    }
}

#[test]
fn one_installation_serves_every_thread_and_a_second_is_refused() {
    let bridge = Bridge::builder()
        .install()
        .expect("the first recorder of the process");
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..100 {
                    library::handle("/");
                }
            });
        }
    });
    library::handle("/admin");
    let families = prom_core::collect(&bridge).unwrap();
    let requests = families
        .iter()
        .find(|f| &*f.name == "lib_requests")
        .unwrap();
    assert_eq!(
        requests.sample_value("lib_requests_total", &[("route", "/")]),
        Some(300.0)
    );
    assert_eq!(
        requests.sample_value("lib_requests_total", &[("route", "/admin")]),
        Some(1.0)
    );
    let latency = families.iter().find(|f| &*f.name == "lib_latency").unwrap();
    assert_eq!(latency.sample_value("lib_latency_count", &[]), Some(301.0));

    let err = Bridge::builder().install().unwrap_err();
    assert!(matches!(err, Error::GlobalRecorderSet { .. }));
    assert_eq!(
        err.to_string(),
        "cannot install the bridge as the global metrics recorder: one is already installed"
    );
    // `metrics::set_global_recorder` itself says the same.
    assert!(metrics::set_global_recorder(Bridge::new()).is_err());
    common::parses(&common::text(&bridge));
}
