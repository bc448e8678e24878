//! Fixtures shared by the integration tests.

// Each test file compiles this module and uses only part of it.
#![allow(dead_code)]

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prom_core::{CollectError, Collector, MetricFamily};

/// Generous bound for anything carbon does asynchronously (it usually takes about a second).
pub const CARBON_TIMEOUT: Duration = Duration::from_secs(60);

/// Several collectors pushed as one.
pub struct Many(pub Vec<Box<dyn Collector>>);

impl Collector for Many {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        self.0.iter().try_for_each(|c| c.collect(out))
    }
}

/// Polls `cond` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub fn eventually(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A std-only stand-in for carbon's line receiver that records each connection's bytes.
pub struct FakeGraphite {
    addr: SocketAddr,
    connections: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGraphite {
    pub fn start() -> FakeGraphite {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let connections = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_connections, thread_stop) = (Arc::clone(&connections), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut text = String::new();
                // The bridge closes the connection after its lines, ending the read.
                let _ = stream.read_to_string(&mut text);
                thread_connections.lock().unwrap().push(text);
            }
        });
        FakeGraphite {
            addr,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bytes received on each connection so far, in order of arrival.
    pub fn connections(&self) -> Vec<String> {
        self.connections.lock().unwrap().clone()
    }
}

impl Drop for FakeGraphite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag and ends.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
