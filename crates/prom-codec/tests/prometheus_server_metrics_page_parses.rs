//! A real Prometheus server's own `/metrics` page — hundreds of families of
//! every type the Go client writes — parses, and known families come back
//! with their types and consistent, plausible values.

use prom_codec::parse_text;
use prom_core::{MetricFamily, MetricType, MetricValue};
use prom_testkit::{http_get, Prometheus};

fn family<'f>(families: &'f [MetricFamily], name: &str) -> &'f MetricFamily {
    families
        .iter()
        .find(|f| &*f.name == name)
        .unwrap_or_else(|| panic!("no family {name:?}"))
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn the_server_page_parses_with_consistent_values() {
    let prometheus = Prometheus::start(&[]).unwrap();
    // Prometheus serves text 0.0.4 here even when OpenMetrics is offered.
    let response = http_get(&format!("{}/metrics", prometheus.url()), &[]).unwrap();
    assert_eq!(response.status, 200);
    let page = response.text();
    let families = parse_text(&page).unwrap_or_else(|e| panic!("{e}\n--- page ---\n{page}"));
    assert!(families.len() > 100, "{} families", families.len());

    let build = family(&families, "prometheus_build_info");
    assert_eq!(build.metric_type, MetricType::Gauge);
    assert!(build.metrics[0]
        .labels
        .get("version")
        .is_some_and(|v| v.starts_with("2.")));
    assert_eq!(build.metrics[0].value, MetricValue::Gauge(1.0));

    let requests = family(&families, "prometheus_http_requests");
    assert_eq!(requests.metric_type, MetricType::Counter);
    assert!(requests
        .metrics
        .iter()
        .all(|m| m.labels.get("handler").is_some()));

    let durations = family(&families, "prometheus_http_request_duration_seconds");
    assert_eq!(durations.metric_type, MetricType::Histogram);
    for m in &durations.metrics {
        let MetricValue::Histogram(h) = &m.value else {
            panic!("not a histogram: {m:?}")
        };
        let last = h.buckets.last().unwrap();
        assert_eq!(last.upper_bound, f64::INFINITY);
        assert_eq!(last.cumulative_count, h.count);
        assert!(h
            .buckets
            .windows(2)
            .all(|w| w[0].upper_bound < w[1].upper_bound
                && w[0].cumulative_count <= w[1].cumulative_count));
        assert!(h.sum.is_some_and(|s| s >= 0.0));
    }

    let gc = family(&families, "go_gc_duration_seconds");
    assert_eq!(gc.metric_type, MetricType::Summary);

    // Every type the page uses is one the model holds, and every counter
    // is a plausible counter.
    for f in &families {
        for m in &f.metrics {
            if let MetricValue::Counter(v) = m.value {
                assert!(v >= 0.0, "{}: {v}", f.name);
            }
        }
    }
    let histograms = families
        .iter()
        .filter(|f| f.metric_type == MetricType::Histogram)
        .count();
    assert!(histograms >= 3, "{histograms} histograms");
}
