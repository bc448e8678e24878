//! End to end: `examples/secure_server`, run as its own process with a
//! web configuration file written here, serves the default registry over
//! TLS behind basic auth; bad arguments and a bad file end it with an error.

#[path = "common/secure.rs"]
mod secure;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prom_testkit::pki::{self, Answer};
use prom_testkit::{free_port, ChildGuard};
use secure::{Secrets, PASSWORD, USER};

/// The example's binary, built by `cargo test` next to this test's:
/// `target/<profile>/deps/<test>` → `target/<profile>/examples/secure_server`.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples")
        .join(format!("secure_server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: plain `cargo test` builds it (`--all-targets` builds a test harness instead)",
        path.display()
    );
    path
}

/// Starts the example on a free port and waits until its TLS endpoint answers.
fn start(secrets: &Secrets) -> (ChildGuard, SocketAddr) {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let child = Command::new(binary())
        .arg("--web-config")
        .arg(secrets.path("web-config.yml"))
        .arg(addr.to_string())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let child = ChildGuard::new(child);
    let url = format!("https://127.0.0.1:{}/metrics", addr.port());
    let agent = secrets.client(true);
    let deadline = Instant::now() + Duration::from_secs(20);
    while pki::get(&agent, &url, Some((USER, PASSWORD))).is_err() {
        assert!(
            Instant::now() < deadline,
            "the example never served on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

#[test]
fn the_example_serves_tls_with_basic_auth_from_the_file() {
    let secrets = Secrets::new("secure-example", "RequireAndVerifyClientCert");
    let (_child, addr) = start(&secrets);
    let url = format!("https://localhost:{}/metrics", addr.port());
    let agent = secrets.client(true);

    let Answer { status, body, .. } = pki::get(&agent, &url, Some((USER, PASSWORD))).unwrap();
    assert_eq!(status, 200);
    assert!(
        body.contains("# TYPE secure_server_uptime_seconds_total counter"),
        "{body}"
    );
    #[cfg(target_os = "linux")]
    assert!(body.contains("process_resident_memory_bytes"), "{body}");

    let Answer {
        status,
        www_authenticate: challenge,
        body,
        ..
    } = pki::get(&agent, &url, Some((USER, "wrong"))).unwrap();
    assert_eq!(
        (status, challenge.as_deref()),
        (401, Some(r#"Basic realm="metrics""#))
    );
    assert!(!body.contains("secure_server"), "{body}");
    let Answer { status, body, .. } = pki::get(&agent, &url, None).unwrap();
    assert_eq!(status, 401);
    assert!(!body.contains("secure_server"), "{body}");
    // Without a client certificate the handshake is refused.
    assert!(pki::get(&secrets.client(false), &url, Some((USER, PASSWORD))).is_err());
}

/// Runs the example to its end (it must end by itself within 20 s) and
/// returns its exit code and standard error.
fn run_to_end(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = Command::new(binary())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the example did not exit on bad input {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn bad_arguments_and_bad_files_end_the_example_with_the_error() {
    let (code, stderr) = run_to_end(&[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--web-config FILE is required") && stderr.contains("usage:"),
        "{stderr}"
    );
    let (code, stderr) = run_to_end(&["--verbose".as_ref()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown option --verbose"), "{stderr}");

    let secrets = Secrets::new("secure-example-bad", "NoClientCert");
    let bad = secrets.path("bad.yml");
    std::fs::write(
        &bad,
        "tls_server_config:\n  cert_file: server.crt\n  key_file: missing.key\n",
    )
    .unwrap();
    let (code, stderr) = run_to_end(&[
        "--web-config".as_ref(),
        bad.as_os_str(),
        "127.0.0.1:0".as_ref(),
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("tls_server_config.key_file: cannot read TLS private key file")
            && stderr.contains("missing.key"),
        "{stderr}"
    );
    let missing = secrets.path("nope.yml");
    let (code, stderr) = run_to_end(&["--web-config".as_ref(), missing.as_os_str()]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("cannot read web config") && stderr.contains("nope.yml"),
        "{stderr}"
    );
}
