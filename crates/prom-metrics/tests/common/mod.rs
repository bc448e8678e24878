//! Fixtures shared by the bridge's tests.

// Each test binary uses only part of the fixture.
#![allow(dead_code)]

use prom_codec::Encoder;
use prom_core::Collector;

/// What a scrape in text format 0.0.4 gets, written straight from the live
/// series (the streaming path encoders take).
pub fn text(source: &(impl Collector + ?Sized)) -> String {
    encode(Encoder::text(), source)
}

/// What a scrape in OpenMetrics 1.0.0 gets.
pub fn openmetrics(source: &(impl Collector + ?Sized)) -> String {
    encode(Encoder::openmetrics(), source)
}

fn encode(encoder: Encoder, source: &(impl Collector + ?Sized)) -> String {
    let mut out = Vec::new();
    encoder
        .encode(source, &[], &mut out)
        .unwrap_or_else(|e| panic!("the bridge's exposition cannot be encoded: {e}"));
    String::from_utf8(out).expect("expositions are UTF-8")
}

/// Checks that `text` reads back with the text-format parser (what
/// Prometheus accepts), and returns it.
pub fn parses(text: &str) -> &str {
    if let Err(e) = prom_codec::parse_text(text) {
        panic!("the exposition does not parse: {e}\n{text}");
    }
    text
}
