//! Criterion benchmarks comparing prom with the other Rust Prometheus clients
//! live in `benches/`; this library holds their shared fixtures.
