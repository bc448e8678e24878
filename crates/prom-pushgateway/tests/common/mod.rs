//! Fixtures shared by the integration tests: reading the gateway's exposition, a recording
//! HTTP server, and a collector of several metrics.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use prom_core::{CollectError, Collector, MetricFamily};

/// One sample line of a text exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample line of a text-format 0.0.4 exposition, with label values unescaped.
pub fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| parse_line(l).unwrap_or_else(|| panic!("cannot parse sample line {l:?}")))
        .collect()
}

/// The samples named `name`.
pub fn named(text: &str, name: &str) -> Vec<Sample> {
    samples(text)
        .into_iter()
        .filter(|s| s.name == name)
        .collect()
}

/// The samples named `name` whose `job` label is `job`.
pub fn of_job(text: &str, name: &str, job: &str) -> Vec<Sample> {
    named(text, name)
        .into_iter()
        .filter(|s| s.labels.get("job").map(String::as_str) == Some(job))
        .collect()
}

/// A label map from pairs, for comparisons.
pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn parse_line(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_string();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(mut s) = rest.strip_prefix('{') {
        loop {
            s = s.trim_start_matches(',');
            if let Some(after) = s.strip_prefix('}') {
                rest = after;
                break;
            }
            // A label name cannot contain `=`, so the first `="` ends it; the value is quoted
            // with `\\`, `\"` and `\n` escapes.
            let (label, quoted) = s.split_once("=\"")?;
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                let (i, c) = chars.next()?;
                match c {
                    '"' => break i + 1,
                    '\\' => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        other => value.push(other),
                    },
                    other => value.push(other),
                }
            };
            labels.insert(label.to_string(), value);
            s = &quoted[end..];
        }
    }
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// Several collectors pushed as one.
pub struct All(pub Vec<Arc<dyn Collector>>);

impl Collector for All {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.0.iter().try_for_each(|c| c.collect(out))
    }
}

/// One request as received: the raw head (request line and headers) and the body.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub head: String,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The request line, e.g. `PUT /metrics/job/a HTTP/1.1`.
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// The values of every header named `name` (case-insensitive), in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// A std-only HTTP server on 127.0.0.1 that records each request and answers with a fixed
/// status and body. Requests arrive on [`RecordingServer::next`].
pub struct RecordingServer {
    addr: SocketAddr,
    requests: Receiver<Recorded>,
    thread: Option<JoinHandle<()>>,
}

impl RecordingServer {
    pub fn start(status: u16, body: &'static str) -> RecordingServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(recorded) = read_request(&mut stream) else {
                    // The drop's wake-up connection sends nothing.
                    break;
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                if tx.send(recorded).is_err() {
                    break;
                }
            }
        });
        RecordingServer {
            addr,
            requests: rx,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next recorded request, waiting up to 10 s.
    pub fn next(&self) -> Recorded {
        self.requests
            .recv_timeout(Duration::from_secs(10))
            .expect("the server received a request")
    }

    /// Whether a request arrives within 300 ms: long enough for one already sent, since the
    /// server records it right after answering.
    pub fn received_any(&self) -> bool {
        self.requests
            .recv_timeout(Duration::from_millis(300))
            .is_ok()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        // Wake the accept loop with an empty connection, which ends it.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut recorded = Recorded {
        head,
        body: Vec::new(),
    };
    let length: usize = recorded
        .headers("content-length")
        .first()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    recorded.body = body;
    Some(recorded)
}
