//! Shared fixtures of the criterion benchmarks in `benches/`, which compare
//! prom with `prometheus`, `prometheus-client`, `metrics` and raw atomics in
//! the same run. `cargo xtask bench` runs them and writes
//! `docs/benchmarks.md`.

// Unsafe code only in `memory`, the counting allocator shim.
#![deny(unsafe_code)]

use std::sync::Barrier;
use std::time::{Duration, Instant};

pub use crossbeam_utils::CachePadded;

pub mod dash_family;
pub mod memory;

/// Runs `op(thread, i)` for `i in 0..iters` on `threads` threads released
/// together, and returns the longest thread's time divided by `threads`:
/// criterion then reports nanoseconds per operation across all threads.
///
/// Each thread times itself from its release to its last operation, so a
/// descheduled coordinating thread cannot shorten or stretch the figure.
pub fn contended<F>(threads: usize, iters: u64, op: F) -> Duration
where
    F: Fn(usize, u64) + Sync,
{
    let barrier = Barrier::new(threads);
    let op = &op;
    let barrier = &barrier;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        op(t, i);
                    }
                    start.elapsed()
                })
            })
            .collect();
        let longest = workers
            .into_iter()
            .map(|w| w.join().expect("benchmark thread"))
            .max()
            .unwrap_or_default();
        longest / threads as u32
    })
}

/// The `method` label values of the series that the `series_memory` and
/// `scrape_server` programs create: series `i` has `METHODS[i % 4]`.
pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

/// Writes series `i`'s `path` label value, `/api/v1/resource/<i>`, into
/// `buf`, replacing its contents: one reused buffer keeps the input of a
/// memory measurement off the heap being measured.
pub fn series_path(buf: &mut String, i: usize) {
    use std::fmt::Write;
    buf.clear();
    // Writing to a `String` cannot fail.
    let _ = write!(buf, "/api/v1/resource/{i}");
}
