//! Fixtures shared by the HTTP exporter's tests.
#![allow(dead_code)]

use std::io::Read;
use std::sync::Arc;

use prom_core::{Collector, CounterVec, Gauge, Opts};
use prom_http::{start_http_server, MetricsServer};

/// A server on a free loopback port serving a counter family and a gauge.
pub fn server() -> (MetricsServer, CounterVec, Gauge) {
    let requests =
        CounterVec::new(Opts::new("requests", "Requests served.").labels(["path"])).unwrap();
    requests.with_label_values(&["/a"]).unwrap().inc();
    let temp = Gauge::new("temperature_celsius", "Room temperature.").unwrap();
    temp.set(21.5);
    let (r, t) = (requests.clone(), temp.clone());
    let source = prom_core::FnCollector::new(move |out| {
        r.collect(out)?;
        t.collect(out)
    });
    let server = start_http_server("127.0.0.1:0", Arc::new(source)).unwrap();
    (server, requests, temp)
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub content_encoding: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

pub fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = ureq::request(method, url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let res = match req.call() {
        Ok(res) => res,
        Err(ureq::Error::Status(_, res)) => res,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = res.status();
    let content_type = res.header("content-type").unwrap_or("").to_owned();
    let content_encoding = res.header("content-encoding").map(str::to_owned);
    let mut body = Vec::new();
    res.into_reader().read_to_end(&mut body).unwrap();
    Reply {
        status,
        content_type,
        content_encoding,
        body,
    }
}

pub fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", url, headers)
}

/// The text exposition of [`server`]'s metrics before anything changes them.
pub const EXPECTED_TEXT: &str = "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total{path=\"/a\"} 1\n\
# HELP temperature_celsius Room temperature.\n# TYPE temperature_celsius gauge\ntemperature_celsius 21.5\n";

/// Scrapes `addr` as Prometheus would by default and checks the answer is
/// the full, uncompressed text exposition of [`server`]'s metrics.
pub fn assert_scrapes(addr: std::net::SocketAddr) {
    let r = get(&format!("http://{addr}/metrics"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(r.content_encoding, None);
    assert_eq!(r.text(), EXPECTED_TEXT);
}

/// How a raw exchange ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this status line's code.
    Status(u16),
    /// The server closed the connection without answering (EOF or reset).
    Closed,
}

/// A loopback connection to `addr` whose reads give up after `read_timeout`,
/// so no test can hang on a server that stops answering.
pub fn connect(
    addr: std::net::SocketAddr,
    read_timeout: std::time::Duration,
) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(read_timeout)).unwrap();
    stream
}

/// Sends `bytes` on a fresh connection and reads until the server closes
/// it (or 30 s pass, which fails the test): the status it answered with, or
/// `Closed`. Write errors are fine: the server may close before reading all
/// of a hostile request.
pub fn exchange(addr: std::net::SocketAddr, bytes: &[u8]) -> Outcome {
    use std::io::Write;
    let mut stream = connect(addr, std::time::Duration::from_secs(30));
    let _ = stream.write_all(bytes);
    let mut reply = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if is_closed(&e) => break,
            Err(e) => panic!("no answer and no close from the server: {e}"),
        }
    }
    status_of(&reply)
}

/// The status code of a raw HTTP/1.1 reply, `Closed` for an empty one.
pub fn status_of(reply: &[u8]) -> Outcome {
    if reply.is_empty() {
        return Outcome::Closed;
    }
    let text = String::from_utf8_lossy(reply);
    let code = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 reply: {text:?}"));
    Outcome::Status(code)
}

/// Whether a read or write error means the peer closed the connection.
pub fn is_closed(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
    )
}

/// Serves `app` with axum on a free loopback port, from a runtime of one
/// worker (kept alive by the returned handle); and the `http://host:port`
/// it listens on.
pub fn serve_axum(app: axum::Router) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await });
    (runtime, base)
}

/// A server with `options` serving a fresh [`Gate`], and its metrics URL.
pub fn gated_server(options: prom_http::ServerOptions) -> (MetricsServer, Gate, String) {
    let gate = Gate::default();
    let server =
        prom_http::start_http_server_with("127.0.0.1:0", Arc::new(gate.clone()), options).unwrap();
    let url = format!("http://{}/metrics", server.local_addr());
    (server, gate, url)
}

/// A collector that blocks every collection until [`Gate::open`], counting
/// the collections started; it serves the gauge `gated 1`.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<(std::sync::Mutex<(bool, usize)>, std::sync::Condvar)>,
}

impl Gate {
    /// Lets every waiting and future collection through.
    pub fn open(&self) {
        self.state.0.lock().unwrap().0 = true;
        self.state.1.notify_all();
    }

    /// How many collections have started.
    pub fn collections(&self) -> usize {
        self.state.0.lock().unwrap().1
    }

    /// Waits until `n` collections have started.
    pub fn wait_for_collections(&self, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.collections() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "{} collections, not {n}",
                self.collections()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

impl Collector for Gate {
    fn collect(
        &self,
        out: &mut Vec<prom_core::MetricFamily>,
    ) -> Result<(), prom_core::CollectError> {
        let (lock, cvar) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.1 += 1;
        while !state.0 {
            state = cvar.wait(state).unwrap();
        }
        drop(state);
        let g = Gauge::new("gated", "").unwrap();
        g.set(1.0);
        g.collect(out)
    }
}
