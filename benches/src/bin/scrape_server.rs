//! The scrape workload of `cargo xtask bench`: a metrics endpoint under load.
//!
//! `scrape_server <impl> <port> [--series N]` serves one counter family with
//! the labels `method` and `path` and `N` children (10,000 by default) on
//! `http://127.0.0.1:<port>/metrics`, while two threads increment the
//! children round-robin as fast as they can. It prints `ready` once the
//! endpoint accepts connections and then runs until it is killed.
//!
//! `<impl>` is `prom` (`prom_http::start_http_server` over a
//! `prom_registry::Registry`), `prom-tls` (the same over HTTPS:
//! `prom_http::start_http_server_with` and `ServerOptions::tls`, with a
//! self-signed certificate for `127.0.0.1` made at start and written, with
//! its key, into the directory `--tls-dir DIR`, as `cert.pem` and `key.pem`)
//! or `metrics` (`metrics-exporter-prometheus`'s HTTP listener).
//! `benches/scripts/scrape_server.py` and `benches/go/scrape_server` are the
//! same program for the Python client and client_golang.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prom_benches::{series_path, METHODS};

/// Threads incrementing the counters while the endpoint is scraped.
const UPDATERS: usize = 2;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("scrape_server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let usage = "usage: scrape_server <prom|prom-tls|metrics> <port> [--series N] [--tls-dir DIR]";
    let mut args = std::env::args().skip(1);
    let name = args.next().ok_or(usage)?;
    let port: u16 = args
        .next()
        .ok_or(usage)?
        .parse()
        .map_err(|e| format!("port: {e}; {usage}"))?;
    let mut series = 10_000;
    let mut tls_dir = None;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--series", Some(n)) => {
                series = n
                    .parse()
                    .map_err(|e| format!("--series {n:?}: not a count: {e}"))?;
            }
            ("--tls-dir", Some(dir)) => tls_dir = Some(PathBuf::from(dir)),
            _ => return Err(usage.into()),
        }
    }
    if series < UPDATERS {
        return Err(format!("--series must be at least {UPDATERS}"));
    }
    let addr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    let help = "Requests served.";
    let mut path = String::new();

    let updaters = match name.as_str() {
        "prom" | "prom-tls" => {
            let family = prom_core::CounterVec::new(
                prom_core::Opts::new("http_requests", help).labels(["method", "path"]),
            )
            .map_err(|e| e.to_string())?;
            let registry = prom_registry::Registry::new();
            registry
                .register(family.clone())
                .map_err(|e| e.to_string())?;
            let mut handles = Vec::with_capacity(series);
            for i in 0..series {
                series_path(&mut path, i);
                let child = family
                    .with_label_values(&[METHODS[i % 4], path.as_str()])
                    .map_err(|e| e.to_string())?;
                child.inc();
                handles.push(child);
            }
            let server = if name == "prom" {
                prom_http::start_http_server(addr, Arc::new(registry))
            } else {
                let dir = tls_dir.ok_or("prom-tls needs --tls-dir DIR")?;
                let options = prom_http::ServerOptions::default().tls(throwaway_tls(&dir)?);
                prom_http::start_http_server_with(addr, Arc::new(registry), options)
            };
            // The server lives as long as the process, which is killed.
            server.map_err(|e| e.to_string())?.detach();
            start_updaters(handles, prom_core::Counter::inc)
        }
        "metrics" => {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .with_http_listener(addr)
                .install()
                .map_err(|e| e.to_string())?;
            let mut handles = Vec::with_capacity(series);
            for i in 0..series {
                series_path(&mut path, i);
                let child = metrics::counter!(
                    "http_requests_total",
                    "method" => METHODS[i % 4],
                    "path" => path.clone()
                );
                child.increment(1);
                handles.push(child);
            }
            start_updaters(handles, |c| c.increment(1))
        }
        other => return Err(format!("unknown impl {other:?}; {usage}")),
    };

    wait_until_accepting(addr)?;
    let mut out = std::io::stdout();
    writeln!(out, "ready")
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    for updater in updaters {
        // The updaters loop forever; a join returns only if one panicked.
        if updater.join().is_err() {
            return Err("an updater thread panicked".into());
        }
    }
    Ok(())
}

/// A self-signed certificate for `127.0.0.1` and `localhost`, written with
/// its key into `dir` (created if missing), loaded as the server's.
fn throwaway_tls(dir: &std::path::Path) -> Result<prom_http::TlsConfig, String> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&cert, certified.cert.pem()))
        .and_then(|()| std::fs::write(&key, certified.signing_key.serialize_pem()))
        .map_err(|e| format!("cannot write the certificate into {}: {e}", dir.display()))?;
    prom_http::TlsConfig::from_pem_files(&cert, &key).map_err(|e| e.to_string())
}

/// Starts [`UPDATERS`] threads that apply `inc` to the handles round-robin,
/// forever, each starting at its own offset.
fn start_updaters<C: Send + Sync + 'static>(
    handles: Vec<C>,
    inc: fn(&C),
) -> Vec<std::thread::JoinHandle<()>> {
    let handles = Arc::new(handles);
    (0..UPDATERS)
        .map(|t| {
            let handles = Arc::clone(&handles);
            std::thread::spawn(move || {
                let n = handles.len();
                let mut i = t * n / UPDATERS;
                loop {
                    inc(&handles[i]);
                    i += 1;
                    if i == n {
                        i = 0;
                    }
                }
            })
        })
        .collect()
}

/// Waits until `addr` accepts a connection: some listeners bind on a
/// background thread.
fn wait_until_accepting(addr: SocketAddr) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                return Err(format!(
                    "{addr} does not accept connections after 30 s: {e}"
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}
