//! The TLS tests' fixtures: prom-testkit's throwaway CA and HTTPS client,
//! temporary directories named after this crate, and a server under TLS
//! options.

// Each test binary uses only part of the fixture, re-exports included.
#![allow(dead_code, unused_imports)]

use std::sync::Arc;

pub use prom_testkit::pki::{client, get, write_leaf, Answer, Ca, Leaf};
pub use prom_testkit::TempDir;

/// A fresh temporary directory for the test `name`.
pub fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("prom-http-{name}")).unwrap()
}

/// A server with `options` serving the metrics of
/// [`crate::common::EXPECTED_TEXT`] on a free loopback port.
pub fn serve(options: prom_http::ServerOptions) -> prom_http::MetricsServer {
    use prom_core::{Collector, CounterVec, Gauge, Opts};
    let requests =
        CounterVec::new(Opts::new("requests", "Requests served.").labels(["path"])).unwrap();
    requests.with_label_values(&["/a"]).unwrap().inc();
    let temp = Gauge::new("temperature_celsius", "Room temperature.").unwrap();
    temp.set(21.5);
    let source = prom_core::FnCollector::new(move |out| {
        requests.collect(out)?;
        temp.collect(out)
    });
    prom_http::start_http_server_with("127.0.0.1:0", Arc::new(source), options).unwrap()
}
