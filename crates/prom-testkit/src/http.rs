//! A minimal HTTP/1.1 client for loopback peers: one GET per connection, `Connection: close`.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::HarnessError;

/// How long one request may take to connect, and to wait between bytes.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The answer to an [`http_get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, e.g. 200.
    pub status: u16,
    /// The response headers in the order received, names as sent by the server.
    pub headers: Vec<(String, String)>,
    /// The body, with chunked transfer coding already removed.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of the first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The value of the first of `headers` named `name` (compared case-insensitively).
pub(crate) fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Sends `GET url` with the given extra request headers and reads the whole response.
///
/// Only `http://` URLs whose host resolves to a loopback address are accepted: the harness talks
/// to peers it started on this machine and nothing else. The request carries `Host` and
/// `Connection: close`; the body is delimited by `Content-Length`, chunked transfer coding, or
/// the end of the connection.
///
/// # Errors
///
/// If the URL is not a loopback `http://` URL, the connection fails or times out (30 s), or the
/// response is not well-formed HTTP/1.x.
pub fn http_get(url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse, HarnessError> {
    http_request("GET", url, headers)
}

/// Sends a request without a body, `method url`, as [`http_get`] sends a GET; a method whose
/// request may have a body (`PUT`, `POST`) wants `Content-Length: 0` among the `headers`.
///
/// # Errors
///
/// As for [`http_get`].
pub(crate) fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<HttpResponse, HarnessError> {
    let err = |what: String| HarnessError::new(format!("{method} {url}: {what}"));
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| err("only http:// URLs are supported".into()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host_port = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<_> = host_port
        .to_socket_addrs()
        .map_err(|e| err(format!("cannot resolve {authority}: {e}")))?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback()) {
        return Err(err(format!(
            "{authority} is not a loopback address; the harness only talks to peers on this machine"
        )));
    }

    let mut stream = connect(&addrs).map_err(|e| err(format!("cannot connect: {e}")))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| err(format!("cannot set timeouts: {e}")))?;

    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| err(format!("cannot send the request: {e}")))?;

    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| err(format!("cannot read the response: {e}")))?;
    parse_response(&raw).map_err(err)
}

fn connect(addrs: &[std::net::SocketAddr]) -> std::io::Result<TcpStream> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no address")))
}

/// Parses a complete HTTP/1.x response read up to the end of the connection.
fn parse_response(raw: &[u8]) -> Result<HttpResponse, String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("the response has no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end])
        .map_err(|_| "the response headers are not UTF-8".to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(format!("bad status line {status_line:?}"));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let response = HttpResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let rest = &raw[head_end + 4..];
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = response.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| format!("bad Content-Length {len:?}"))?;
        if rest.len() < len {
            return Err(format!(
                "the body ended after {} of {len} bytes (Content-Length)",
                rest.len()
            ));
        }
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(HttpResponse { body, ..response })
}

/// Removes chunked transfer coding (RFC 9112 §7.1); trailers are read and dropped.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or("a chunk size line has no end")?;
        let line = std::str::from_utf8(&rest[..line_end])
            .map_err(|_| "a chunk size line is not UTF-8".to_string())?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {line:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 || &rest[size..size + 2] != b"\r\n" {
            return Err(format!("a chunk of {size} bytes is truncated"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a query parameter value.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_limits_the_body() {
        let r =
            parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nhixx").unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-a"), Some("b"));
        assert_eq!(r.body, b"hi");
    }

    #[test]
    fn chunked_bodies_are_joined() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\na\r\n0123456789\r\n0\r\nT: 1\r\n\r\n";
        assert_eq!(parse_response(raw).unwrap().body, b"abc0123456789");
    }

    #[test]
    fn truncated_bodies_are_errors() {
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhi")
                .is_err()
        );
    }

    #[test]
    fn non_loopback_urls_are_refused() {
        let e = http_get("http://192.0.2.1:80/", &[]).unwrap_err();
        assert!(e.message().contains("not a loopback"), "{e}");
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(
            percent_encode("up{job=\"a b\"}~_.-"),
            "up%7Bjob%3D%22a%20b%22%7D~_.-"
        );
    }
}
