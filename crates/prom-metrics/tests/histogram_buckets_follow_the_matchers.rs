//! Histograms get the buckets of the matcher that picks their name (full
//! name, then prefix, then suffix), the default layout otherwise; bad
//! buckets are refused when the bridge is built.

use prom_core::MetricValue;
use prom_metrics::{Bridge, Error, Matcher};

fn bounds(bridge: &Bridge, name: &str) -> Vec<f64> {
    let families = prom_core::collect(bridge).unwrap();
    let family = families
        .iter()
        .find(|f| &*f.name == name)
        .unwrap_or_else(|| panic!("no family {name}"));
    let MetricValue::Histogram(h) = &family.metrics[0].value else {
        panic!("{name} is not a histogram");
    };
    h.buckets.iter().map(|b| b.upper_bound).collect()
}

#[test]
fn the_most_specific_matcher_gives_the_buckets() {
    let bridge = Bridge::builder()
        .buckets(&[100.0])
        .unwrap()
        .buckets_for(Matcher::Suffix("_bytes".into()), &[1.0])
        .unwrap()
        .buckets_for(Matcher::Prefix("http.".into()), &[2.0])
        .unwrap()
        .buckets_for(Matcher::Prefix("http.server".into()), &[3.0])
        .unwrap()
        .buckets_for(Matcher::Full("http.server.request_bytes".into()), &[4.0])
        .unwrap()
        .build();
    metrics::with_local_recorder(&bridge, || {
        for name in [
            "http.server.request_bytes",
            "http.server.duration",
            "http.client.response_bytes",
            "upload_bytes",
            "rpc",
        ] {
            metrics::histogram!(name).record(1.0);
        }
    });
    let inf = f64::INFINITY;
    assert_eq!(bounds(&bridge, "http_server_request_bytes"), [4.0, inf]);
    assert_eq!(bounds(&bridge, "http_server_duration"), [3.0, inf]);
    assert_eq!(bounds(&bridge, "http_client_response_bytes"), [2.0, inf]);
    assert_eq!(bounds(&bridge, "upload_bytes"), [1.0, inf]);
    assert_eq!(bounds(&bridge, "rpc"), [100.0, inf]);
}

#[test]
fn matchers_see_the_name_before_its_unit_suffix() {
    let bridge = Bridge::builder()
        .buckets_for(Matcher::Full("rpc_latency".into()), &[0.5])
        .unwrap()
        .build();
    metrics::with_local_recorder(&bridge, || {
        metrics::describe_histogram!("rpc.latency", metrics::Unit::Seconds, "RPC latency.");
        metrics::histogram!("rpc.latency").record(0.1);
    });
    assert_eq!(bounds(&bridge, "rpc_latency_seconds"), [0.5, f64::INFINITY]);
}

#[test]
fn without_matchers_histograms_get_prom_default_buckets() {
    let bridge = Bridge::new();
    metrics::with_local_recorder(&bridge, || metrics::histogram!("h").record(1.0));
    let mut expected = prom_core::DEFAULT_BUCKETS.to_vec();
    expected.push(f64::INFINITY);
    assert_eq!(bounds(&bridge, "h"), expected);
}

#[test]
fn bad_buckets_are_refused_naming_the_matcher() {
    let err = Bridge::builder().buckets(&[]).unwrap_err();
    assert!(matches!(err, Error::InvalidBuckets { matcher: None, .. }));
    assert!(
        err.to_string()
            .starts_with("invalid default buckets for bridged histograms: "),
        "{err}"
    );
    let err = Bridge::builder()
        .buckets_for(Matcher::Suffix("_seconds".into()), &[2.0, 1.0])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid buckets for bridged histograms with the suffix \"_seconds\": "),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
    assert!(Bridge::builder().buckets(&[f64::NAN]).is_err());
}
