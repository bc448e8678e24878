//! Running one of the workspace's examples as its own process, for
//! end-to-end tests: the binary `cargo test` built next to the test, started
//! on an address and killed when the test ends.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, http_get, ChildGuard, HarnessError};

/// An example program serving `/metrics` on [`Example::addr`]; killed and
/// reaped on drop.
#[derive(Debug)]
pub struct Example {
    addr: SocketAddr,
    child: ChildGuard,
}

impl Example {
    /// Starts example `name` (built by `cargo test` in the test's own target
    /// directory) with a free loopback address as its only argument, and
    /// waits up to 20 s until it answers `GET /metrics`.
    ///
    /// # Errors
    /// The binary is missing (plain `cargo test` builds examples;
    /// `--all-targets` builds test harnesses instead), cannot start, or
    /// never answers.
    pub fn start(name: &str) -> Result<Example, HarnessError> {
        let binary = binary(name)?;
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let child = Command::new(&binary)
            .arg(addr.to_string())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| HarnessError::new(format!("cannot start {}: {e}", binary.display())))?;
        let child = ChildGuard::new(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(&format!("http://{addr}/metrics"), &[]).is_err() {
            if Instant::now() > deadline {
                return Err(HarnessError::new(format!(
                    "example {name} never served on {addr}"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Example { addr, child })
    }

    /// Where the example serves.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The example's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The example's binary next to the running test:
/// `target/<profile>/deps/<test>` → `target/<profile>/examples/<name>`.
fn binary(name: &str) -> Result<PathBuf, HarnessError> {
    let exe = std::env::current_exe()
        .map_err(|e| HarnessError::new(format!("no test binary path: {e}")))?;
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .ok_or_else(|| HarnessError::new("no target profile directory"))?;
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(HarnessError::new(format!(
            "{} is missing: plain `cargo test` builds it (`--all-targets` builds a test harness instead); run `cargo xtask test`",
            path.display()
        )))
    }
}
