//! Every bad gateway address, job, grouping key, header or certificate given
//! to the Pushgateway client gets exactly the error `docs/errors.md` shows
//! (rows `push.*`). Nothing listening on port 1 is assumed.

mod common;

use common::{err, Check};
use prom::pushgateway::blocking::{push_to_gateway, Pushgateway};
use prom::pushgateway::{Group, Options};
use prom::Gauge;

fn gateway(addr: &str) -> String {
    err(Pushgateway::new(addr))
}

fn path(group: Group) -> String {
    err(group.path())
}

fn up() -> Gauge {
    Gauge::new("up", "").expect("valid name")
}

const CHECKS: &[(&str, Check)] = &[
    ("push.gateway-scheme", || gateway("ftp://gw:9091")),
    ("push.gateway-query", || gateway("http://gw:9091/?x=1")),
    ("push.gateway-fragment", || gateway("http://gw:9091/#top")),
    ("push.gateway-no-host", || gateway("http://")),
    ("push.gateway-port", || gateway("gw:99999")),
    ("push.gateway-space", || gateway("http://g w:9091")),
    ("push.job-empty", || path(Group::new(""))),
    ("push.push-job-empty", || {
        err(push_to_gateway("127.0.0.1:1", &Group::new(""), &up()))
    }),
    ("push.key-invalid", || {
        path(Group::new("backup").label("a-b", "1"))
    }),
    ("push.key-reserved", || {
        path(Group::new("backup").label("__x", "1"))
    }),
    ("push.key-job", || {
        path(Group::new("backup").label("job", "other"))
    }),
    ("push.key-duplicate", || {
        path(Group::new("backup").label("shard", "1").label("shard", "2"))
    }),
    ("push.header-name", || {
        err(Options::new().header("bad name", "v"))
    }),
    ("push.header-value", || {
        err(Options::new().header("X-Scope-OrgID", "a\nb"))
    }),
    ("push.certificate", || {
        err(Options::new().add_root_certificate_pem(b"not a certificate"))
    }),
    ("push.connection-refused", || {
        err(push_to_gateway("127.0.0.1:1", &Group::new("backup"), &up()))
    }),
];

#[test]
fn every_pushgateway_row_has_its_error() {
    common::check_area("push", CHECKS);
}
