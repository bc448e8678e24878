//! The Rust twin of client_python's README demo: a Summary timing a function
//! called in a loop, served with the process metrics on
//! http://localhost:8000/.
//!
//! `cargo run --example demo [ADDR]` (default `127.0.0.1:8000`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

prom::static_metrics! {
    // Create a metric to track time spent and requests made.
    static REQUEST_TIME: Summary = ("request_processing_seconds", "Time spent processing request");
}

// Decorate function with metric.
#[prom::time(REQUEST_TIME)]
fn process_request(seconds: f64) {
    // A dummy function that takes some time.
    std::thread::sleep(Duration::from_secs_f64(seconds));
}

fn main() -> Result<(), prom::Error> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());

    // Start up the server to expose the metrics.
    let server = prom::start_http_server(addr.as_str())?;
    println!("serving metrics on http://{}/metrics", server.local_addr());

    // Generate some requests, each taking a random time below a second.
    let mut random = Random::seeded();
    loop {
        process_request(random.next_f64());
    }
}

/// xorshift64*: enough randomness for a demo without a dependency.
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Self(u64::from(nanos) | 1)
    }

    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}
