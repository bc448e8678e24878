//! End to end: a real Prometheus scrapes an endpoint configured by an
//! exporter-toolkit web configuration (TLS with client-certificate
//! verification, basic auth) with `scheme: https`, `tls_config` and
//! `basic_auth`, and stores the values.

#[path = "common/secure.rs"]
mod secure;

use std::sync::Arc;
use std::time::Duration;

use prom::http::{ServerOptions, WebConfig};
use prom::{CounterVec, Gauge, Opts, Registry};
use prom_testkit::{Prometheus, QuerySample, ScrapeConfig};
use secure::{Secrets, PASSWORD, USER};

fn value(samples: &[QuerySample]) -> f64 {
    samples.first().map_or(f64::NAN, |s| s.value)
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_scrapes_over_mtls_with_basic_auth_and_stores_the_values() {
    let secrets = Secrets::new("real-prometheus-tls", "RequireAndVerifyClientCert");
    let registry = Registry::new();
    let requests =
        CounterVec::new(Opts::new("requests", "Requests served.").labels(["path"])).unwrap();
    registry.register(requests.clone()).unwrap();
    let temperature = Gauge::new("temperature_celsius", "Room temperature.").unwrap();
    registry.register(temperature.clone()).unwrap();
    requests
        .with_label_values(&["/a"])
        .unwrap()
        .inc_by(3.0)
        .unwrap();
    temperature.set(21.5);

    let config = WebConfig::from_file(secrets.path("web-config.yml")).unwrap();
    let server = prom::http::start_http_server_with(
        "127.0.0.1:0",
        Arc::new(registry),
        ServerOptions::default().web_config(config),
    )
    .unwrap();

    let scrape = ScrapeConfig::https(secrets.path("ca.crt"))
        .client_cert(secrets.path("client.crt"), secrets.path("client.key"))
        .basic_auth(USER, PASSWORD);
    let prometheus = Prometheus::start_configured(&[server.local_addr()], &scrape, &[]).unwrap();
    let timeout = Duration::from_secs(60);
    prometheus
        .wait_for("up", timeout, |s| value(s) == 1.0)
        .unwrap();
    let stored = prometheus
        .wait_for("requests_total", timeout, |s| value(s) == 3.0)
        .unwrap();
    assert_eq!(stored[0].labels["path"], "/a");
    prometheus
        .wait_for("temperature_celsius", timeout, |s| value(s) == 21.5)
        .unwrap();
    // A later scrape sees a change.
    requests.with_label_values(&["/a"]).unwrap().inc();
    prometheus
        .wait_for("requests_total", timeout, |s| value(s) == 4.0)
        .unwrap();
    let targets = prometheus.targets().unwrap();
    let url = targets["data"]["activeTargets"][0]["scrapeUrl"]
        .as_str()
        .unwrap();
    assert!(url.starts_with("https://"), "{url}");
}

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn prometheus_with_a_wrong_password_gets_no_values() {
    let secrets = Secrets::new("real-prometheus-tls-wrong", "NoClientCert");
    let registry = Registry::new();
    let up = Gauge::new("secret_value", "Only for the right password.").unwrap();
    registry.register(up.clone()).unwrap();
    up.set(42.0);
    let config = WebConfig::from_file(secrets.path("web-config.yml")).unwrap();
    let server = prom::http::start_http_server_with(
        "127.0.0.1:0",
        Arc::new(registry),
        ServerOptions::default().web_config(config),
    )
    .unwrap();
    let scrape = ScrapeConfig::https(secrets.path("ca.crt")).basic_auth(USER, "wrong");
    let prometheus = Prometheus::start_configured(&[server.local_addr()], &scrape, &[]).unwrap();
    // The target is scraped and found down: the 401 is seen, nothing stored.
    prometheus
        .wait_for("up", Duration::from_secs(60), |s| value(s) == 0.0)
        .unwrap();
    assert!(prometheus.query("secret_value").unwrap().is_empty());
    let targets = prometheus.targets().unwrap();
    let error = targets["data"]["activeTargets"][0]["lastError"]
        .as_str()
        .unwrap_or("");
    assert!(error.contains("401"), "{error}");
}
