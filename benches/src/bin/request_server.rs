//! The request workload of `cargo xtask bench`: the cost of request metrics
//! on a served axum app.
//!
//! `request_server <layer> <port>` serves `GET /hello/{name}` on
//! `http://127.0.0.1:<port>/` with `<layer>` one of `none` (the bare app),
//! `prom` (prom-tower's `RequestMetricsLayer`) or `axum-prometheus`
//! (`PrometheusMetricLayer`), on a tokio runtime of one worker thread. It
//! prints `ready` once it accepts connections and runs until killed.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::ExitCode;

use axum::extract::Path;
use axum::routing::get;
use axum::Router;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("request_server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn hello(Path(name): Path<String>) -> String {
    format!("Hello, {name}!\n")
}

fn run() -> Result<(), String> {
    let usage = "usage: request_server <none|prom|axum-prometheus> <port>";
    let mut args = std::env::args().skip(1);
    let layer = args.next().ok_or(usage)?;
    let port: u16 = args
        .next()
        .ok_or(usage)?
        .parse()
        .map_err(|e| format!("port: {e}; {usage}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    runtime.block_on(async {
        let app = Router::new().route("/hello/{name}", get(hello));
        let app = match layer.as_str() {
            "none" => app,
            "prom" => app.layer(prom_tower::RequestMetricsLayer::new()),
            "axum-prometheus" => {
                let (layer, _handle) = axum_prometheus::PrometheusMetricLayer::pair();
                app.layer(layer)
            }
            other => return Err(format!("unknown layer {other:?}; {usage}")),
        };
        let addr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot bind {addr}: {e}"))?;
        println!("ready");
        let _ = std::io::stdout().flush();
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("serving failed: {e}"))
    })
}
