//! Everything both clients share besides their [`Options`]: request preparation (URL, body,
//! headers, basic auth, hook) and the mapping of transport results to [`PushError`]. Only the
//! call that sends the request differs between the blocking and the async client.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prom_codec::Encoder;
use prom_core::Collector;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::BoxError;
use crate::{Group, Options, PushError};

const USER_AGENT: &str = concat!("prom-pushgateway/", env!("CARGO_PKG_VERSION"));

/// The HTTP method of a request, which decides what the Pushgateway does with the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `PUT`: replace every metric of the group ([`Pushgateway::push`](crate::Pushgateway::push)).
    Put,
    /// `POST`: replace the metrics of the group that have the same names as the pushed ones
    /// ([`Pushgateway::pushadd`](crate::Pushgateway::pushadd)).
    Post,
    /// `DELETE`: remove the group ([`Pushgateway::delete`](crate::Pushgateway::delete)).
    Delete,
}

impl Method {
    /// The method's name, e.g. `"PUT"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request about to be sent, as the [hook](Options::hook) sees it: method, URL and body are
/// fixed; headers may be changed, e.g. to add a signature computed over the others.
///
/// The transport adds `Host` and `Content-Length` after the hook ran. `Debug` hides the values
/// of `Authorization` and `Proxy-Authorization`.
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The full URL, e.g. `http://127.0.0.1:9091/metrics/job/backup`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body: the metrics in text format 0.0.4, gzip-compressed when
    /// [`Options::gzip`] is on (then `Content-Encoding: gzip` is among the headers); empty for
    /// `DELETE`.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The headers, in the order they will be sent.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The value of the first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets header `name` to `value`, replacing every header of that name.
    ///
    /// ```
    /// use prom_pushgateway::Options;
    ///
    /// let options = Options::new().hook(|request| {
    ///     let signature = format!("{}:{}", request.method(), request.body().len());
    ///     request.set_header("X-Signature", &signature)?;
    ///     Ok(())
    /// });
    /// # let _ = options;
    /// ```
    ///
    /// # Errors
    ///
    /// [`PushError::InvalidHeader`] if the name is not an HTTP token or the value contains
    /// control characters; the request is left unchanged.
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<(), PushError> {
        check_header(name, value)?;
        set_header(&mut self.headers, name, value);
        Ok(())
    }

    /// Adds header `name: value`, keeping any others of that name.
    ///
    /// # Errors
    ///
    /// As [`Request::set_header`].
    pub fn append_header(&mut self, name: &str, value: &str) -> Result<(), PushError> {
        check_header(name, value)?;
        self.headers.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Removes every header named `name` (compared case-insensitively).
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if is_secret(n) { "<hidden>" } else { v }))
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

pub(crate) fn is_secret(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization")
}

pub(crate) fn check_header(name: &str, value: &str) -> Result<(), PushError> {
    let invalid = |source: BoxError| PushError::InvalidHeader {
        name: name.to_owned(),
        source,
    };
    HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.into()))?;
    HeaderValue::from_str(value).map_err(|e| invalid(e.into()))?;
    Ok(())
}

pub(crate) fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.to_owned()));
}

/// What both clients hold besides their HTTP client: the gateway's base URL and the options.
pub(crate) struct Shared {
    /// `scheme://host[:port][/prefix]`, without a trailing `/`.
    gateway: String,
    options: Options,
}

/// A prepared request taken apart for the transport, with what is needed to name it in errors.
pub(crate) struct Outgoing {
    pub(crate) method: reqwest::Method,
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    what: Method,
    timeout: Duration,
}

impl Shared {
    /// Checks the gateway address; one without a scheme gets `http://`, as in client_python.
    pub(crate) fn new(gateway: &str, options: Options) -> Result<Self, PushError> {
        let invalid = |source: BoxError| PushError::InvalidGateway {
            gateway: gateway.to_owned(),
            source,
        };
        let with_scheme = if gateway.contains("://") {
            gateway.to_owned()
        } else {
            format!("http://{gateway}")
        };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| invalid(e.into()))?;
        match url.scheme() {
            "http" => {}
            "https" if cfg!(feature = "rustls") => {}
            "https" => {
                return Err(invalid(
                    "https:// needs the `rustls` feature of prom-pushgateway".into(),
                ))
            }
            other => {
                return Err(invalid(
                    format!("the scheme must be http or https, not {other:?}").into(),
                ))
            }
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "the address must not have a query or fragment".into(),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the address has no host".into()));
        }
        Ok(Self {
            gateway: url.as_str().trim_end_matches('/').to_owned(),
            options,
        })
    }

    pub(crate) fn gateway(&self) -> &str {
        &self.gateway
    }

    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// The text-format body of a push: nothing is sent when the collector fails.
    pub(crate) fn encode<C: Collector + ?Sized>(
        group: &Group,
        collector: &C,
    ) -> Result<Vec<u8>, PushError> {
        let families = prom_core::collect(collector).map_err(|source| PushError::Collect {
            job: group.job().to_owned(),
            source,
        })?;
        let mut body = Vec::new();
        Encoder::text()
            .encode_families(&families, &mut body)
            .map_err(|source| PushError::Encode {
                job: group.job().to_owned(),
                source,
            })?;
        Ok(body)
    }

    /// Builds the request (URL, default headers, basic auth, extra headers), runs the hook, and
    /// converts it for the transport.
    pub(crate) fn prepare(
        &self,
        method: Method,
        group: &Group,
        body: Vec<u8>,
    ) -> Result<Outgoing, PushError> {
        let url = format!("{}{}", self.gateway, group.path()?);
        let mut headers = vec![("User-Agent".to_owned(), USER_AGENT.to_owned())];
        let mut body = body;
        if method != Method::Delete {
            headers.push((
                "Content-Type".to_owned(),
                Encoder::text().content_type().to_owned(),
            ));
            if self.options.gzip {
                body = gzip(&body);
                headers.push(("Content-Encoding".to_owned(), "gzip".to_owned()));
            }
        }
        if let Some((user, password)) = &self.options.basic_auth {
            let credentials = STANDARD.encode(format!("{user}:{password}"));
            headers.push(("Authorization".to_owned(), format!("Basic {credentials}")));
        }
        for (name, value) in &self.options.headers {
            set_header(&mut headers, name, value);
        }
        let mut request = Request {
            method,
            url,
            headers,
            body,
        };
        if let Some(hook) = &self.options.hook {
            hook(&mut request).map_err(|source| PushError::Hook {
                method,
                url: request.url.clone(),
                source,
            })?;
        }

        let mut map = HeaderMap::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            // Every header went through `check_header`, so this only fails if that check and
            // the HTTP types disagree; it is still reported rather than assumed away.
            let invalid = |source: BoxError| PushError::InvalidHeader {
                name: name.clone(),
                source,
            };
            let header_name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.into()))?;
            let mut header_value = HeaderValue::from_str(value).map_err(|e| invalid(e.into()))?;
            header_value.set_sensitive(is_secret(name));
            map.append(header_name, header_value);
        }
        Ok(Outgoing {
            method: method.to_reqwest(),
            url: request.url,
            headers: map,
            body: request.body,
            what: method,
            timeout: self.options.timeout,
        })
    }
}

/// `body` compressed as one gzip member at flate2's default level (6): nearly the size of
/// level 9 (client_python's `gzip.compress`) in a fraction of the time.
fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to a `Vec` cannot fail: the only errors would be the sink's.
    encoder
        .write_all(body)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

impl Outgoing {
    /// Moves the headers and body out for the transport; the rest stays to name the request
    /// in errors.
    pub(crate) fn take_headers_and_body(&mut self) -> (HeaderMap, Vec<u8>) {
        (
            std::mem::take(&mut self.headers),
            std::mem::take(&mut self.body),
        )
    }

    /// The error for a request that got no response.
    pub(crate) fn send_error(&self, err: reqwest::Error) -> PushError {
        let method = self.what;
        let url = self.url.clone();
        if err.is_timeout() {
            PushError::Timeout {
                method,
                url,
                timeout: self.timeout,
                source: err.into(),
            }
        } else if err.is_connect() {
            PushError::Connect {
                method,
                url,
                source: err.into(),
            }
        } else {
            PushError::Transport {
                method,
                url,
                source: err.into(),
            }
        }
    }

    /// `Ok` for a 2xx status, else the error carrying the status and the body's text.
    pub(crate) fn check_status(
        &self,
        status: reqwest::StatusCode,
        body: String,
    ) -> Result<(), PushError> {
        if status.is_success() {
            Ok(())
        } else {
            Err(PushError::Status {
                method: self.what,
                url: self.url.clone(),
                status: status.as_u16(),
                body,
            })
        }
    }
}

/// Applies the options both client builders share. A macro because the blocking and async
/// builders are distinct types with the same methods.
macro_rules! configure_client {
    ($builder:expr, $options:expr) => {{
        let options: &$crate::Options = $options;
        #[allow(unused_mut)]
        let mut builder = $builder
            .timeout(options.configured_timeout())
            .connect_timeout(options.configured_timeout());
        #[cfg(feature = "rustls")]
        for certificate in options.root_certificates() {
            builder = builder.add_root_certificate(certificate.clone());
        }
        builder
    }};
}
pub(crate) use configure_client;

#[cfg(test)]
mod tests {
    use super::*;
    use prom_core::Counter;

    fn shared(gateway: &str, options: Options) -> Shared {
        Shared::new(gateway, options).unwrap()
    }

    #[test]
    fn gateway_addresses_are_normalised() {
        assert_eq!(
            shared("localhost:9091", Options::new()).gateway(),
            "http://localhost:9091"
        );
        assert_eq!(
            shared("http://gw:9091/", Options::new()).gateway(),
            "http://gw:9091"
        );
        assert_eq!(
            shared("http://gw/prefix/", Options::new()).gateway(),
            "http://gw/prefix"
        );
    }

    #[test]
    fn bad_gateway_addresses_are_named() {
        for (bad, why) in [
            ("ftp://gw", "the scheme must be http or https, not \"ftp\""),
            ("http://gw/?a=b", "query or fragment"),
            ("http://", "empty host"),
            ("http://gw:99999", "invalid port"),
        ] {
            let err = Shared::new(bad, Options::new())
                .err()
                .expect(bad)
                .to_string();
            assert!(
                err.starts_with(&format!("invalid Pushgateway address {bad:?}: "))
                    && err.contains(why),
                "{err}"
            );
        }
    }

    #[cfg(not(feature = "rustls"))]
    #[test]
    fn https_needs_the_rustls_feature() {
        let err = Shared::new("https://gw", Options::new()).err().unwrap();
        assert_eq!(
            err.to_string(),
            "invalid Pushgateway address \"https://gw\": https:// needs the `rustls` feature of prom-pushgateway"
        );
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn https_is_accepted_with_rustls() {
        assert_eq!(
            shared("https://gw:443/", Options::new()).gateway(),
            "https://gw"
        );
    }

    #[test]
    fn push_requests_carry_the_body_and_headers() {
        let c = Counter::new("jobs_total", "Jobs done.").unwrap();
        c.inc();
        let group = Group::new("batch").label("instance", "a b");
        let body = Shared::encode(&group, &c).unwrap();
        let options = Options::new()
            .basic_auth("user", "pa:ss")
            .header("X-Extra", "1")
            .unwrap();
        let out = shared("http://gw:9091", options)
            .prepare(Method::Put, &group, body)
            .unwrap();
        assert_eq!(out.url, "http://gw:9091/metrics/job/batch/instance/a%20b");
        assert_eq!(out.method, reqwest::Method::PUT);
        assert_eq!(
            out.body,
            b"# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 1\n"
        );
        assert_eq!(
            out.headers["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        // base64("user:pa:ss")
        assert_eq!(out.headers["authorization"], "Basic dXNlcjpwYTpzcw==");
        assert!(out.headers["authorization"].is_sensitive());
        assert_eq!(out.headers["x-extra"], "1");
        assert!(out.headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("prom-pushgateway/"));
    }

    #[test]
    fn delete_requests_have_no_body_or_content_type() {
        let out = shared("gw", Options::new())
            .prepare(Method::Delete, &Group::new("batch"), Vec::new())
            .unwrap();
        assert_eq!(out.method, reqwest::Method::DELETE);
        assert!(out.body.is_empty());
        assert!(!out.headers.contains_key("content-type"));
    }

    #[test]
    fn extra_headers_replace_defaults_and_the_hook_sees_everything() {
        let options = Options::new()
            .basic_auth("u", "p")
            .header("authorization", "Bearer t")
            .unwrap()
            .hook(|request| {
                assert_eq!(request.method(), Method::Post);
                assert_eq!(request.url(), "http://gw/metrics/job/j");
                assert_eq!(request.body(), b"x 1\n");
                assert_eq!(request.header("Authorization"), Some("Bearer t"));
                let debug = format!("{request:?}");
                assert!(!debug.contains("Bearer"), "{debug}");
                let auth = request.header("authorization").unwrap_or("").to_owned();
                request.set_header("X-Signed", &auth)?;
                request.remove_header("user-agent");
                request.append_header("X-Multi", "1")?;
                request.append_header("X-Multi", "2")?;
                Ok(())
            });
        let out = shared("gw", options)
            .prepare(Method::Post, &Group::new("j"), b"x 1\n".to_vec())
            .unwrap();
        assert_eq!(out.headers.get_all("authorization").iter().count(), 1);
        assert_eq!(out.headers["x-signed"], "Bearer t");
        assert!(!out.headers.contains_key("user-agent"));
        let multi: Vec<_> = out.headers.get_all("x-multi").iter().collect();
        assert_eq!(multi, ["1", "2"]);
    }

    #[test]
    fn hook_errors_abort_the_request() {
        let options = Options::new().hook(|_| Err("no signing key".into()));
        let err = shared("gw", options)
            .prepare(Method::Put, &Group::new("j"), Vec::new())
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "PUT http://gw/metrics/job/j: the request hook failed: no signing key"
        );
    }

    #[test]
    fn invalid_headers_are_named() {
        let err = Options::new().header("bad name", "v").err().unwrap();
        assert!(
            err.to_string()
                .starts_with("invalid request header \"bad name\": "),
            "{err}"
        );
        let err = Options::new().header("X-Ok", "line\nbreak").err().unwrap();
        assert!(
            err.to_string()
                .starts_with("invalid request header \"X-Ok\": "),
            "{err}"
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let debug = format!("{:?}", Options::new().basic_auth("user", "s3cret"));
        assert!(
            debug.contains("user") && !debug.contains("s3cret"),
            "{debug}"
        );
    }
}
