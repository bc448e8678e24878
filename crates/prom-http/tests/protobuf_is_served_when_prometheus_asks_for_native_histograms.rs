//! Prometheus 2.42 with `--enable-feature=native-histograms` asks for the
//! protobuf exposition first: the exporter answers it with the protobuf
//! Content-Type and a delimited stream of MetricFamily messages.

mod common;

use prom_codec::protobuf::{MetricFamily, MetricType};
use prost::Message;

const NATIVE_HISTOGRAMS_ACCEPT: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=1,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#[test]
fn protobuf_when_asked_first_and_never_without_its_parameters() {
    let (server, _, _) = common::server();
    let url = format!("http://{}/metrics", server.local_addr());
    let r = common::get(&url, &[("Accept", NATIVE_HISTOGRAMS_ACCEPT)]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type,
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
    );
    let mut body = &r.body[..];
    let mut families = Vec::new();
    while !body.is_empty() {
        families.push(MetricFamily::decode_length_delimited(&mut body).unwrap());
    }
    assert_eq!(families.len(), 2, "{families:?}");
    assert_eq!(families[0].name.as_deref(), Some("requests_total"));
    assert_eq!(families[0].r#type, Some(MetricType::Counter as i32));
    let counter = families[0].metric[0].counter.as_ref().unwrap();
    assert_eq!(counter.value, Some(1.0));
    assert!(counter.created_timestamp.is_some());
    assert_eq!(families[1].name.as_deref(), Some("temperature_celsius"));
    assert_eq!(
        families[1].metric[0].gauge.as_ref().unwrap().value,
        Some(21.5)
    );

    // Without `proto=` and `encoding=delimited` it is not this stream.
    let r = common::get(
        &url,
        &[("Accept", "application/vnd.google.protobuf,text/plain;q=0.5")],
    );
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
}
