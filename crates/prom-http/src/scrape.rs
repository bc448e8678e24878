//! One scrape, independent of the HTTP stack: negotiate, collect, encode, compress.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;

use prom_codec::Encoder;
use prom_core::{CollectError, Collector};

use crate::compression::Compression;

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
    /// 200, 500 when a collector failed or panicked, 503 when the scrape was
    /// refused for load or timed out (see [`HandlerOptions`](crate::HandlerOptions)).
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// `Some("gzip")` or `Some("zstd")` when the body is compressed.
    pub content_encoding: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
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

/// What a request asks for, once negotiated: two requests with equal plans
/// get equal answers from the same collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Plan {
    encoder: Encoder,
    /// The `name[]` filter, sorted and without repeats.
    names: Vec<String>,
    compression: Compression,
}

impl Plan {
    pub(crate) fn new(request: &ScrapeRequest<'_>) -> Self {
        let mut names = requested_names(request.query);
        names.sort_unstable();
        names.dedup();
        Plan {
            encoder: Encoder::negotiate(request.accept),
            names,
            compression: Compression::negotiate(request.accept_encoding),
        }
    }

    /// Collects `source` and encodes it as planned; `size_hint` is the
    /// expected size of the uncompressed exposition (the last one's), so the
    /// buffer is allocated once.
    pub(crate) fn render(&self, source: &dyn Collector, size_hint: usize) -> ScrapeResponse {
        let encoder = self.encoder;
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let encode = |body: &mut Vec<u8>| {
            let encoded = std::panic::catch_unwind(AssertUnwindSafe(|| {
                encoder.encode(source, &names, &mut *body)
            }));
            match encoded {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(err.to_string()),
                // A registry names the collector that panicked itself; a
                // collector served directly is named by its role.
                Err(payload) => {
                    Err(CollectError::from_panic("the served collector", payload).to_string())
                }
            }
        };
        let (encoded, body) = match self.compression {
            Compression::Identity => {
                let mut body = Vec::with_capacity(size_hint);
                (encode(&mut body), body)
            }
            coding => SCRATCH.with_borrow_mut(|scratch| {
                scratch.clear();
                let encoded = encode(scratch);
                let body = if encoded.is_ok() {
                    coding.apply(scratch)
                } else {
                    Vec::new()
                };
                (encoded, body)
            }),
        };
        match encoded {
            Ok(()) => ScrapeResponse {
                status: 200,
                content_type: self.encoder.content_type(),
                content_encoding: self.compression.content_encoding(),
                body,
            },
            Err(message) => ScrapeResponse {
                status: 500,
                content_type: "text/plain; charset=utf-8",
                content_encoding: None,
                body: format!("error collecting metrics: {message}\n").into_bytes(),
            },
        }
    }
}

thread_local! {
    /// The uncompressed exposition of a compressed scrape: kept per thread
    /// so its capacity is reused by the next scrape on the thread.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Collects `source` and encodes it as `request` asks, streaming from the
/// live metrics: OpenMetrics or text 0.0.4 by `Accept`, zstd, gzip or
/// nothing by `Accept-Encoding`. A collector that fails or panics gives a
/// 500 whose body names it.
///
/// ```
/// use prom_http::{scrape, ScrapeRequest};
/// let up = prom_core::Gauge::new("up", "").unwrap();
/// let answer = scrape(&up, &ScrapeRequest::default());
/// assert_eq!((answer.status, answer.body.as_slice()), (200, &b"# TYPE up gauge\nup 0\n"[..]));
/// ```
pub fn scrape(source: &dyn Collector, request: &ScrapeRequest<'_>) -> ScrapeResponse {
    Plan::new(request).render(source, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filters_are_decoded() {
        assert_eq!(
            requested_names(Some("name[]=a&x=1&name%5B%5D=b_total")),
            ["a", "b_total"]
        );
        assert!(requested_names(None).is_empty());
    }
}
