//! Harness for tests against the real peers of a Prometheus client: the `prometheus` server,
//! `promtool`, the Python reference parser (`prometheus_client`) and a Go service instrumented
//! with client_golang.
//!
//! Every peer is a real program started by the test, on 127.0.0.1 only, with its data in a fresh
//! temporary directory that is removed afterwards. A missing peer is a [`HarnessError`] whose
//! message says exactly how to install it; tests are never skipped silently.
//!
//! A test that needs a peer is marked `#[ignore = "needs <peer>: run cargo xtask test"]`, so a
//! plain `cargo test` passes on a machine without the peers and lists it as ignored.
//! `cargo xtask test` installs every peer (Debian packages and a Python virtual environment under
//! `target/peers/venv`), then runs the tests with `--include-ignored`.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//!
//! let report = prom_testkit::promtool_check_metrics("# TYPE up gauge\nup 1\n")?;
//! # let _ = report;
//! let prometheus = prom_testkit::Prometheus::start(&["127.0.0.1:9100".parse().unwrap()])?;
//! let samples = prometheus.wait_for("up", Duration::from_secs(30), |s| !s.is_empty())?;
//! assert_eq!(samples[0].labels["job"], "prom-test");
//! # Ok::<(), prom_testkit::HarnessError>(())
//! ```
//!
//! # Crate feature flags
//!
//! - `tls` (off by default): the `pki` module, a throwaway certificate authority made with rcgen
//!   and an HTTPS client (ureq on rustls) that trusts it, for tests of TLS endpoints. Off, the
//!   harness builds none of rcgen, rustls or ureq.
//!
//! # Minimum supported Rust version
//!
//! The workspace's `rust-version`, 1.85.
// Unsafe code only in `alloc`, the counting allocator shim.
#![deny(unsafe_code)]

mod alloc;
mod carbon;
mod error;
mod example;
mod golang;
mod http;
mod node_exporter;
#[cfg(feature = "tls")]
pub mod pki;
mod process;
mod prometheus;
mod pushgateway;
mod python;
mod tempdir;
mod tools;

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};

pub use crate::alloc::{allocations_in, CountingAllocator};
pub use crate::carbon::Carbon;
pub use crate::error::HarnessError;
pub use crate::example::Example;
pub use crate::golang::ClientGolangExporter;
pub use crate::http::{http_get, HttpResponse};
pub use crate::node_exporter::NodeExporter;
pub use crate::process::ChildGuard;
pub use crate::prometheus::{Prometheus, QuerySample, ScrapeConfig, JOB};
pub use crate::pushgateway::Pushgateway;
pub use crate::python::{python, python_parse, PyFormat};
pub use crate::tempdir::TempDir;
pub use crate::tools::{find_binary, is_root, promtool_check_metrics, require_binary};

/// The root of the workspace: the directory holding the virtual `Cargo.toml`.
///
/// Derived from this crate's `CARGO_MANIFEST_DIR` (`crates/prom-testkit`), so it does not depend
/// on the directory a test runs in.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        // The crate always sits at `crates/prom-testkit`, two levels below the root.
        .expect("prom-testkit lives two directories below the workspace root")
        .to_path_buf()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is found by binding `127.0.0.1:0` and dropping the listener, so another process may
/// take it before the caller binds it; callers that start servers retry with a new port when the
/// bind fails.
///
/// # Panics
///
/// If the loopback interface cannot be bound at all, which no test could recover from.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .expect("binding 127.0.0.1:0 must work on any machine that runs these tests");
    listener
        .local_addr()
        .expect("a bound listener has a local address")
        .port()
}
