//! One scrape, independent of the HTTP stack: negotiate, collect, encode, compress.

use std::io::Write;

use prom_codec::Encoder;
use prom_core::Collector;

/// One scrape, independent of the HTTP stack: the request's relevant headers
/// and query, in; status, headers and body, out. The axum handler is a thin
/// shell over [`scrape`]; use it to serve metrics from another server.
#[derive(Debug, Clone, Default)]
pub struct ScrapeRequest<'a> {
    /// The `Accept` header.
    pub accept: Option<&'a str>,
    /// The `Accept-Encoding` header.
    pub accept_encoding: Option<&'a str>,
    /// The raw query string (without `?`), for `name[]` filters.
    pub query: Option<&'a str>,
}

/// The answer to a [`ScrapeRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeResponse {
    /// 200, or 500 when a collector failed.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// `Some("gzip")` when the body is compressed.
    pub content_encoding: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
}

/// Whether `Accept-Encoding` asks for gzip (with a non-zero `q`).
fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    prom_codec::accept::accepts(accept_encoding, "gzip")
}

/// The `name[]` values of a query string.
fn requested_names(query: Option<&str>) -> Vec<String> {
    query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "name[]")
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Collects `source` and encodes it as `request` asks, streaming from the
/// live metrics.
pub fn scrape(source: &dyn Collector, request: &ScrapeRequest<'_>) -> ScrapeResponse {
    let names = requested_names(request.query);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let encoder = Encoder::negotiate(request.accept);
    let mut body = Vec::new();
    if let Err(err) = encoder.encode(source, &names, &mut body) {
        return ScrapeResponse {
            status: 500,
            content_type: "text/plain; charset=utf-8",
            content_encoding: None,
            body: format!("error collecting metrics: {err}\n").into_bytes(),
        };
    }
    let gzip = accepts_gzip(request.accept_encoding);
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        body = gz
            .write_all(&body)
            .and_then(|()| gz.finish())
            .expect("compressing into memory cannot fail");
    }
    ScrapeResponse {
        status: 200,
        content_type: encoder.content_type(),
        content_encoding: gzip.then_some("gzip"),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("deflate, GZIP;q=0.5")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(Some("br")));
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn name_filters_are_decoded() {
        assert_eq!(
            requested_names(Some("name[]=a&x=1&name%5B%5D=b_total")),
            ["a", "b_total"]
        );
        assert!(requested_names(None).is_empty());
    }
}
