//! Representative malformed expositions get exactly the parse error
//! `docs/errors.md` shows (rows `parse.*`).

mod common;

use common::{err, Check};
use prom::codec::{parse_openmetrics, parse_text};

const CHECKS: &[(&str, Check)] = &[
    ("parse.compare-expected-bad", || {
        let up = prom::Gauge::new("up", "Up.").expect("valid");
        err(prom::codec::Comparison::new("up{ 1\n").check(&up))
    }),
    ("parse.compare-differs", || {
        let up = prom::Gauge::new("up", "Up.").expect("valid");
        err(prom::codec::Comparison::new("# HELP up Up.\n# TYPE up gauge\nup 1\n").check(&up))
            .replace('\n', "⏎")
    }),
    ("parse.encode-name-clash", || {
        use prom::{MetricFamily, MetricType};
        let counter = MetricFamily::new("jobs", "", MetricType::Counter).expect("valid");
        let gauge = MetricFamily::new("jobs_total", "", MetricType::Gauge).expect("valid");
        err(prom::codec::Encoder::text().encode_to_string(&[counter, gauge]))
    }),
    ("parse.text-unterminated-value", || {
        err(parse_text("# TYPE up gauge\nup{job=\"a} 1\n"))
    }),
    ("parse.text-bad-value", || err(parse_text("up abc\n"))),
    ("parse.text-bad-name", || err(parse_text("9up 1\n"))),
    ("parse.text-quoted-unterminated", || {
        err(parse_text("{\"my.metric} 1\n"))
    }),
    ("parse.text-quoted-escape", || {
        err(parse_text("{\"my\\qmetric\"} 1\n"))
    }),
    ("parse.text-quoted-label-first", || {
        err(parse_text("{\"label.x\"=\"v\"} 1\n"))
    }),
    ("parse.text-bad-type", || {
        err(parse_text("# TYPE up gauges\nup 1\n"))
    }),
    ("parse.text-duplicate-label", || {
        err(parse_text("up{a=\"1\",a=\"2\"} 1\n"))
    }),
    ("parse.text-bad-count", || {
        err(parse_text("# TYPE h histogram\nh_count many\n"))
    }),
    ("parse.text-empty", || {
        let families = parse_text("").expect("an empty page is valid text");
        assert!(families.is_empty());
        "no error: no families".into()
    }),
    ("parse.om-missing-eof", || {
        err(parse_openmetrics("# TYPE up gauge\nup 1\n"))
    }),
    ("parse.om-after-eof", || {
        err(parse_openmetrics("# EOF\nup 1\n"))
    }),
    ("parse.om-counter-without-total", || {
        err(parse_openmetrics("# TYPE c counter\nc 1\n# EOF\n"))
    }),
    ("parse.om-interleaved", || {
        err(parse_openmetrics(
            "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n# EOF\n",
        ))
    }),
    ("parse.protobuf-cut-short", || {
        // A MetricFamily of 5 bytes announced, 2 given.
        err(prom::codec::parse_protobuf(&[5, 0x0a, 1]))
    }),
    ("parse.protobuf-unknown-type", || {
        // name = "x" (field 1), type = 9 (field 3): no such MetricType.
        err(prom::codec::parse_protobuf(&[5, 0x0a, 1, b'x', 0x18, 9]))
    }),
];

#[test]
fn every_parse_row_has_its_error() {
    common::check_area("parse", CHECKS);
}
