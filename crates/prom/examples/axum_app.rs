//! An axum application instrumented with prom: request metrics from the
//! tower layer (`prom::tower`), the tokio runtime's metrics
//! (`prom::tokio`), a library's `metrics` facade calls (`prom::metrics_bridge`),
//! and `/metrics` serving them with the process metrics from the default
//! registry.
//!
//! `cargo run -p prom --example axum_app -- [ADDR]` (default
//! `127.0.0.1:3000`), then `curl localhost:3000/hello/a`,
//! `curl localhost:3000/hello/b` and `curl localhost:3000/metrics`: one
//! series `http_requests_total{method="GET",route="/hello/{name}",status="200"} 2`,
//! and the library's `greetings_total 2`.

use std::sync::Arc;

use axum::extract::Path;
use axum::routing::get;
use axum::Router;

/// Stands for a library that reports through the `metrics` facade, not prom.
mod greeter {
    pub fn greet(name: &str) -> String {
        metrics::counter!("greetings", "language" => "en").increment(1);
        format!("Hello, {name}!\n")
    }
}

async fn hello(Path(name): Path<String>) -> String {
    greeter::greet(&name)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());

    // Everything goes into the default registry, which already carries the
    // process metrics; `/metrics` serves it.
    let registry = prom::default_registry();
    let requests = prom::tower::RequestMetricsLayer::new();
    registry.register(requests.collector())?;
    let runtime = prom::tokio::RuntimeCollector::current("main")
        .expect("main runs inside the runtime #[tokio::main] built");
    registry.register(runtime)?;
    // The `metrics` recorder of the process: every crate's `counter!` and co.
    // end up in the same registry.
    let bridge = prom::metrics_bridge::Bridge::builder().install()?;
    registry.register(bridge)?;

    let app = Router::new()
        .route("/hello/{name}", get(hello))
        // After the routes it measures: `/hello/a` and `/hello/b` are both
        // counted under the route `/hello/{name}`.
        .layer(requests)
        // Added after the layer, so scrapes are not counted as requests.
        .route("/metrics", prom::http::metrics_handler(Arc::new(registry)));

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "serving on http://{}/hello/{{name}} and /metrics",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
