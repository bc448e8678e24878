//! A real Pushgateway's `/metrics` page, after a push of families this
//! crate encoded, parses: the pushed families come back with the grouping
//! labels the gateway adds and their values intact, next to the gateway's
//! own `push_time_seconds` and Go-client families.

use std::io::{Read, Write};
use std::net::TcpStream;

use prom_codec::{parse_text, Encoder};
use prom_core::{Bucket, HistogramValue, LabelSet, MetricFamily, MetricType, MetricValue};
use prom_testkit::Pushgateway;

fn family<'f>(families: &'f [MetricFamily], name: &str) -> &'f MetricFamily {
    families
        .iter()
        .find(|f| &*f.name == name)
        .unwrap_or_else(|| panic!("no family {name:?}"))
}

/// `PUT`s `body` to `path` on the gateway; returns the status code.
fn put(gateway: &Pushgateway, path: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(gateway.addr()).unwrap();
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain; version=0.0.4\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        gateway.addr(),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad response {response:?}"))
}

fn pushed() -> Vec<MetricFamily> {
    let mut done = MetricFamily::new(
        "batch_last_success_seconds",
        "When the batch last succeeded.",
        MetricType::Gauge,
    )
    .unwrap();
    done.push(
        LabelSet::from_pairs([("stage", "load \"all\"\\\n")]).unwrap(),
        MetricValue::Gauge(1_700_000_000.5),
    )
    .unwrap();
    let mut rows =
        MetricFamily::new("batch_rows", "Rows per batch.", MetricType::Histogram).unwrap();
    rows.push(
        LabelSet::from_pairs([("stage", "load")]).unwrap(),
        MetricValue::Histogram(HistogramValue {
            buckets: [(100.0, 2), (1e6, 5), (f64::INFINITY, 5)]
                .map(|(upper_bound, cumulative_count)| Bucket {
                    upper_bound,
                    cumulative_count,
                })
                .to_vec(),
            count: 5,
            sum: Some(123_456.0),
        }),
    )
    .unwrap();
    vec![done, rows]
}

#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_gateway_page_parses_with_the_pushed_families() {
    let gateway = Pushgateway::start().unwrap();
    let body = Encoder::text().encode_to_string(&pushed()).unwrap();
    assert_eq!(
        put(&gateway, "/metrics/job/parse-test/instance/box-1", &body),
        200
    );
    let page = gateway.metrics_text().unwrap();
    let families = parse_text(&page).unwrap_or_else(|e| panic!("{e}\n--- page ---\n{page}"));

    let done = family(&families, "batch_last_success_seconds");
    let m = &done.metrics[0];
    assert_eq!(m.labels.get("job"), Some("parse-test"));
    assert_eq!(m.labels.get("instance"), Some("box-1"));
    assert_eq!(m.labels.get("stage"), Some("load \"all\"\\\n"));
    assert_eq!(m.value, MetricValue::Gauge(1_700_000_000.5));

    let rows = family(&families, "batch_rows");
    assert_eq!(rows.metric_type, MetricType::Histogram);
    assert_eq!(rows.metrics[0].labels.get("job"), Some("parse-test"));
    let MetricValue::Histogram(h) = &rows.metrics[0].value else {
        panic!("not a histogram: {rows:?}")
    };
    assert_eq!(
        h,
        match &pushed()[1].metrics[0].value {
            MetricValue::Histogram(h) => h,
            _ => unreachable!(),
        }
    );

    let pushed_at = family(&families, "push_time_seconds");
    assert_eq!(pushed_at.metric_type, MetricType::Gauge);
    assert!(matches!(pushed_at.metrics[0].value, MetricValue::Gauge(t) if t > 1e9));
    assert_eq!(pushed_at.metrics[0].labels.get("job"), Some("parse-test"));
    assert_eq!(
        family(&families, "go_goroutines").metric_type,
        MetricType::Gauge
    );
}
