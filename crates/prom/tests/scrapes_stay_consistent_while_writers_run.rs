//! Stress: two writer threads update counters, gauges and histograms while a
//! third scrapes over HTTP 1,000 times, alternating text and OpenMetrics.
//! Every scrape parses; counters never go backwards; every histogram is
//! consistent (count = `+Inf` bucket = last cumulative bucket, buckets
//! non-decreasing, sum within what the observed values allow). Bounded in
//! count, and the writers stop when the scrapes are done.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use prom::codec::{parse_openmetrics, parse_text};
use prom::{CounterVec, GaugeVec, HistogramVec, MetricValue, Opts, Registry};

const SCRAPES: usize = 1_000;

/// Stops the writers when the scraping side ends, by success or by a failed
/// assertion (which would otherwise leave the scope waiting for them).
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn every_scrape_is_consistent() {
    let registry = Arc::new(Registry::new());
    let requests = CounterVec::new(Opts::new("stress_requests", "R.").labels(["worker"])).unwrap();
    let level = GaugeVec::new(Opts::new("stress_level", "L.").labels(["worker"])).unwrap();
    let latency = HistogramVec::new(
        Opts::new("stress_latency", "H.")
            .labels(["op"])
            .buckets([1.0, 2.0, 3.0]),
    )
    .unwrap();
    registry.register(requests.clone()).unwrap();
    registry.register(level.clone()).unwrap();
    registry.register(latency.clone()).unwrap();
    let server = prom::http::start_http_server("127.0.0.1:0", registry).unwrap();
    let url = format!("http://{}/metrics", server.local_addr());

    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for w in 0..2u64 {
            let (requests, level, latency, stop) = (&requests, &level, &latency, &stop);
            s.spawn(move || {
                let name = w.to_string();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    requests.with(&[&name], |c| c.inc()).unwrap();
                    // Both writers hit the same histogram series as well as
                    // their own, so striping under contention is exercised.
                    latency
                        .with(&["shared"], |h| h.observe((i % 4) as f64))
                        .unwrap();
                    latency
                        .with(&[&name], |h| h.observe((i % 3 + 1) as f64))
                        .unwrap();
                    level.with(&[&name], |g| g.set(i as f64)).unwrap();
                    i += 1;
                }
            });
        }

        let _stop_writers = StopOnDrop(&stop);
        let mut last: HashMap<String, f64> = HashMap::new();
        for n in 0..SCRAPES {
            let openmetrics = n % 2 == 1;
            let accept = if openmetrics {
                "application/openmetrics-text"
            } else {
                "text/plain"
            };
            let res = ureq::get(&url).set("Accept", accept).call().unwrap();
            let mut body = String::new();
            res.into_reader().read_to_string(&mut body).unwrap();
            let families = if openmetrics {
                parse_openmetrics(&body)
            } else {
                parse_text(&body)
            }
            .unwrap_or_else(|e| panic!("scrape {n} does not parse: {e}\n{body}"));
            for fam in &families {
                for m in &fam.metrics {
                    let key = format!("{}{:?}", fam.name, m.labels.iter().collect::<Vec<_>>());
                    match &m.value {
                        MetricValue::Counter(v) => {
                            let prev = last.insert(key.clone(), *v).unwrap_or(0.0);
                            assert!(*v >= prev, "scrape {n}: {key} went from {prev} to {v}");
                        }
                        MetricValue::Histogram(h) => {
                            let inf = h.buckets.last().expect("+Inf bucket");
                            assert_eq!(inf.upper_bound, f64::INFINITY);
                            assert_eq!(h.count, inf.cumulative_count, "scrape {n}: {key}");
                            assert!(
                                h.buckets
                                    .windows(2)
                                    .all(|w| w[0].cumulative_count <= w[1].cumulative_count),
                                "scrape {n}: {key} buckets decrease"
                            );
                            // Observations are 0, 1, 2 or 3.
                            let sum = h.sum.expect("non-negative buckets keep the sum");
                            assert!(
                                sum >= 0.0 && sum <= 3.0 * h.count as f64,
                                "scrape {n}: {key} sum {sum} for {} observations",
                                h.count
                            );
                            let prev = last.insert(key.clone(), h.count as f64).unwrap_or(0.0);
                            assert!(h.count as f64 >= prev, "scrape {n}: {key} count went back");
                        }
                        _ => {}
                    }
                }
            }
        }
    });
    server.shutdown();
}
