//! Registered in a prom registry next to prom's own metrics, the bridge
//! makes one endpoint serve both, name filters (`name[]`) included.

mod common;

use prom_core::{CounterVec, Opts};
use prom_metrics::Bridge;
use prom_registry::Registry;

#[test]
fn prom_metrics_and_bridged_metrics_share_one_exposition() {
    let registry = Registry::new();
    let orders = CounterVec::new(Opts::new("orders", "Orders placed.").labels(["shop"])).unwrap();
    registry.register(orders.clone()).unwrap();
    let bridge = Bridge::new();
    registry.register(bridge.clone()).unwrap();

    orders.with_label_values(&["eu"]).unwrap().inc();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_counter!("cache.hits", "Cache hits.");
        metrics::counter!("cache.hits", "cache" => "users").increment(7);
    });

    assert_eq!(
        common::parses(&common::text(&registry)),
        concat!(
            "# HELP orders_total Orders placed.\n",
            "# TYPE orders_total counter\n",
            "orders_total{shop=\"eu\"} 1\n",
            "# HELP cache_hits_total Cache hits.\n",
            "# TYPE cache_hits_total counter\n",
            "cache_hits_total{cache=\"users\"} 7\n",
        )
    );
    assert_eq!(
        registry
            .get_sample_value("cache_hits_total", &[("cache", "users")])
            .unwrap(),
        Some(7.0)
    );
    let filtered = registry.gather_names(&["cache_hits_total"]).unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(&*filtered[0].name, "cache_hits");
}
