//! A native histogram next to classic metrics, for a Prometheus started
//! with `--enable-feature=native-histograms` (which asks for the protobuf
//! exposition that carries its buckets).
//!
//! ```text
//! cargo run -p prom --example native_histogram -- 127.0.0.1:8000
//! ```
//!
//! It observes the values 0.001, 0.002, …, 1.000 over and over (a uniform
//! distribution with median 0.5005), a thousand a tenth of a second, until
//! killed; `histogram_quantile(0.5, rate(request_size_ratio[1m]))` is then
//! within the schema's relative error (schema 3: 2^(1/8) − 1, about 9%) of
//! the median.

use std::time::Duration;

use prom::{NativeHistogram, NativeHistogramOpts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());

    let sizes = NativeHistogram::with_name(
        "request_size_ratio",
        "Observed values 0.001 to 1, uniformly.",
        NativeHistogramOpts::new().schema(3)?,
    )?;
    prom::register(sizes.clone())?;
    let rounds = prom::counter("observation_rounds", "Rounds of a thousand observations.")?;
    let classic = prom::histogram("request_size_classic", "The same values, classic buckets.")?;

    let server = prom::start_http_server(addr.as_str())?;
    println!("serving metrics on http://{}/metrics", server.local_addr());

    loop {
        for i in 1..=1000u32 {
            let v = f64::from(i) / 1000.0;
            sizes.observe(v);
            classic.observe(v);
        }
        rounds.inc();
        std::thread::sleep(Duration::from_millis(100));
    }
}
