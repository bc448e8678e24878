//! Every address `start_http_server` cannot serve on gets exactly the error
//! `docs/errors.md` shows (rows `http.*`). OS messages are Linux's.

mod common;

use std::net::TcpListener;
use std::sync::Arc;

use common::{err, Check};
use prom::Registry;

/// A port some other socket holds, and the message with it replaced by `<port>`.
fn in_use(start: impl FnOnce(&str) -> String) -> String {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = taken.local_addr().expect("bound").to_string();
    let port = addr.rsplit(':').next().expect("a port").to_owned();
    start(&addr).replace(&port, "<port>")
}

fn serve(addr: &str) -> String {
    err(prom::http::start_http_server(
        addr,
        Arc::new(Registry::new()),
    ))
}

const CHECKS: &[(&str, Check)] = &[
    ("http.port-in-use", || in_use(serve)),
    ("http.facade-port-in-use", || {
        in_use(|addr| err(prom::start_http_server(addr)))
    }),
    ("http.no-port", || serve("127.0.0.1")),
    ("http.port-out-of-range", || serve("127.0.0.1:70000")),
    ("http.not-an-address", || serve("")),
    ("http.non-local-address", || serve("192.0.2.1:0")),
];

#[test]
fn every_http_row_has_its_error() {
    common::check_area("http", CHECKS);
}
