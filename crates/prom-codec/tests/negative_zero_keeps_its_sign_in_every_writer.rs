//! A gauge set to `-0.0` is written as `-0.0` in both formats (as
//! client_python writes it), and both parsers read the sign back.

use prom_codec::{parse_openmetrics, parse_text, Encoder, ParseError};
use prom_core::{Gauge, MetricFamily, MetricValue};

type Parse = fn(&str) -> Result<Vec<MetricFamily>, ParseError>;

#[test]
fn a_negative_zero_gauge_is_written_and_read_with_its_sign() {
    let g = Gauge::new("balance", "").unwrap();
    g.set(-0.0);
    for (encoder, parse) in [
        (Encoder::text(), parse_text as Parse),
        (Encoder::openmetrics(), parse_openmetrics as Parse),
    ] {
        let mut out = Vec::new();
        encoder.encode(&g, &[], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("balance -0.0\n"), "{text}");
        let families = parse(&text).unwrap();
        let MetricValue::Gauge(v) = families[0].metrics[0].value else {
            panic!("a gauge reads as a gauge");
        };
        assert!(v == 0.0 && v.is_sign_negative(), "{v} lost its sign");
    }
}
