//! Fixtures shared by the HTTP exporter's tests.
#![allow(dead_code)]

use std::io::Read;
use std::sync::Arc;

use prom_core::{Collector, CounterVec, Gauge, Opts};
use prom_http::{start_http_server, MetricsServer};

/// A server on a free loopback port serving a counter family and a gauge.
pub fn server() -> (MetricsServer, CounterVec, Gauge) {
    let requests =
        CounterVec::new(Opts::new("requests", "Requests served.").labels(["path"])).unwrap();
    requests.with_label_values(&["/a"]).unwrap().inc();
    let temp = Gauge::new("temperature_celsius", "Room temperature.").unwrap();
    temp.set(21.5);
    let (r, t) = (requests.clone(), temp.clone());
    let source = prom_core::FnCollector::new(move |out| {
        r.collect(out)?;
        t.collect(out)
    });
    let server = start_http_server("127.0.0.1:0", Arc::new(source)).unwrap();
    (server, requests, temp)
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub content_encoding: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

pub fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = ureq::request(method, url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let res = match req.call() {
        Ok(res) => res,
        Err(ureq::Error::Status(_, res)) => res,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = res.status();
    let content_type = res.header("content-type").unwrap_or("").to_owned();
    let content_encoding = res.header("content-encoding").map(str::to_owned);
    let mut body = Vec::new();
    res.into_reader().read_to_end(&mut body).unwrap();
    Reply {
        status,
        content_type,
        content_encoding,
        body,
    }
}

pub fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", url, headers)
}
