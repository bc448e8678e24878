//! Serves the default registry with the TLS, client-certificate and
//! basic-auth settings of an exporter-toolkit web configuration file, the
//! file an exporter written in Go reads with `--web.config.file`.
//!
//! `cargo run -p prom --example secure_server -- --web-config FILE [ADDR]`
//! (default address `127.0.0.1:8000`). It prints where it listens and runs
//! until killed; bad arguments or a bad file print the error and exit with
//! status 2 or 1.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: secure_server --web-config FILE [ADDR]";

fn main() -> ExitCode {
    let (config, addr) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("secure_server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&config, &addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("secure_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The web configuration file and the address.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(String, String), String> {
    let mut config = None;
    let mut addr = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--web-config" => {
                config = Some(args.next().ok_or("--web-config needs a file")?);
            }
            _ if arg.starts_with("--web-config=") => {
                config = Some(arg["--web-config=".len()..].to_owned());
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ if addr.is_none() => addr = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let config = config.ok_or("--web-config FILE is required")?;
    Ok((config, addr.unwrap_or_else(|| "127.0.0.1:8000".into())))
}

fn serve(config: &str, addr: &str) -> Result<(), prom::Error> {
    // Something that changes between scrapes.
    let uptime = prom::counter("secure_server_uptime_seconds", "Seconds since start.")?;

    let config = prom::http::WebConfig::from_file(config)?;
    let scheme = if config.tls().is_some() {
        "https"
    } else {
        "http"
    };
    let options = prom::http::ServerOptions::default().web_config(config);
    let registry: &'static prom::Registry = prom::default_registry();
    let server = prom::http::start_http_server_with(addr, Arc::new(registry), options)?;
    println!(
        "serving metrics on {scheme}://{}/metrics",
        server.local_addr()
    );
    loop {
        std::thread::sleep(Duration::from_secs(1));
        uptime.inc();
    }
}
