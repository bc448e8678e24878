//! The requests section of docs/benchmarks.md.

use std::fmt::Write as _;

use super::*;
use crate::bench::{requests, scrape};

pub(super) fn render(w: &mut String, options: &Options, rows: &[requests::Row]) {
    let _ = writeln!(
        w,
        "## Requests through request-metrics layers\n\n\
         One axum app with one route (`GET /hello/{{name}}`, a short text body) served by \
         `request_server <layer> <port>` on a tokio runtime of one worker thread: bare, with \
         prom-tower's `RequestMetricsLayer`, and with axum-prometheus's \
         `PrometheusMetricLayer`, each started fresh for every run. The load: `wrk -t 1 -c \
         {connections} -d {}s --timeout 10s --latency http://127.0.0.1:<port>/hello/world` on \
         the same machine. {} per layer, interleaved. The overhead is what a layer adds to \
         each request: the time per request ({connections} connections at once) with the \
         layer, less the time without it.\n",
        options.scrape_secs,
        rounds_text(options.rounds),
        connections = scrape::WRK_CONNECTIONS,
    );
    let bare = rows.first().map(|r| r.requests_per_sec.median);
    let ours = rows
        .iter()
        .find(|r| r.name.starts_with("prom"))
        .map(|r| r.requests_per_sec.median);
    let _ = writeln!(
        w,
        "| layer | requests/s | min–max | overhead per request | ratio to prom's overhead | p99 latency | min–max | requests, all runs | errors |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, row) in rows.iter().enumerate() {
        let (rps, p99) = (row.requests_per_sec, row.p99_ms);
        let overhead = bare
            .filter(|_| i > 0)
            .map(|b| requests::overhead_us(rps.median, b));
        let ours_overhead = bare.zip(ours).map(|(b, o)| requests::overhead_us(o, b));
        let _ = writeln!(
            w,
            "| {} | {} | {}–{} | {} | {} | {} ms | {}–{} ms | {} | {} |",
            cell(&row.name),
            number(rps.median),
            number(rps.min),
            number(rps.max),
            overhead.map_or_else(|| "—".to_owned(), |o| format!("{} µs", number(o))),
            match (overhead, ours_overhead) {
                (Some(o), Some(p)) if p > 0.0 => format!("{:.2}×", o / p),
                _ => "—".to_owned(),
            },
            number(p99.median),
            number(p99.min),
            number(p99.max),
            thousands(row.requests),
            thousands(row.errors),
        );
    }
    let _ = writeln!(
        w,
        "\nA ratio above 1 means more overhead per request than prom-tower's. Errors are \
         wrk's socket errors and non-2xx responses, over all runs.\n"
    );
}
