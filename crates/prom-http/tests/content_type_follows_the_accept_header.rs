//! The exporter answers text 0.0.4 by default and OpenMetrics when the Accept header asks for it.

mod common;

const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#[test]
fn text_by_default_and_openmetrics_when_asked() {
    let (server, _, _) = common::server();
    let base = format!("http://{}", server.local_addr());
    for path in ["/", "/metrics"] {
        let r = common::get(&format!("{base}{path}"), &[]);
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
        assert_eq!(
            r.text(),
            "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total{path=\"/a\"} 1\n\
             # HELP temperature_celsius Room temperature.\n# TYPE temperature_celsius gauge\ntemperature_celsius 21.5\n"
        );
    }
    let r = common::get(&format!("{base}/metrics"), &[("Accept", PROMETHEUS_ACCEPT)]);
    assert_eq!(
        r.content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = r.text();
    assert!(text.starts_with("# HELP requests Requests served.\n# TYPE requests counter\nrequests_total{path=\"/a\"} 1\nrequests_created{path=\"/a\"} "), "{text}");
    assert!(
        text.ends_with("temperature_celsius 21.5\n# EOF\n"),
        "{text}"
    );
    // Unknown media types fall back to text.
    let r = common::get(
        &format!("{base}/metrics"),
        &[("Accept", "application/x-nonsense")],
    );
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/plain"));
}
