//! The scrape section of docs/benchmarks.md.

use std::fmt::Write as _;

use super::*;
use crate::bench::scrape;

pub(super) fn render(w: &mut String, options: &Options, rows: &[scrape::Row]) {
    let _ = writeln!(
        w,
        "## Scrapes over HTTP on loopback\n\n\
         {series} counter series (the labels of the memory workload) served on 127.0.0.1 \
         while 2 threads of the serving process increment them round-robin without pause \
         (2 Python threads for the Python client, which also shares the interpreter lock \
         with its server; 2 goroutines for client_golang), by `scrape_server prom` \
         (`prom_http::start_http_server` over a `prom_registry::Registry`), `scrape_server \
         prom-tls` (the same over HTTPS: `prom_http::start_http_server_with` with \
         `ServerOptions::tls`, rustls, a self-signed certificate made at start; wrk keeps its \
         connections alive, so a run pays one handshake per connection), `scrape_server \
         metrics` (`metrics-exporter-prometheus` installed with its HTTP listener), \
         `benches/scripts/scrape_server.py` (`prometheus_client.start_http_server` with a \
         registry of its own, `_created` series off) and `benches/go/scrape_server` \
         (client_golang's `promhttp.HandlerFor(reg, promhttp.HandlerOpts{{EnableOpenMetrics: \
         true}})` over a registry of its own, without the Go collectors), each started fresh \
         for every run and stopped after it, one at a time. The load: `wrk -t 1 -c \
         {connections} -d {}s --timeout 10s --latency http://127.0.0.1:<port>/metrics` on \
         the same machine, so load generator, server and updaters share its CPUs: once with \
         no `Accept` and no `Accept-Encoding` (text 0.0.4, uncompressed), and once with \
         Prometheus 2.42's own scrape headers (the rows \"Prometheus 2.42's headers\": \
         `-H 'Accept: {accept}' -H 'Accept-Encoding: gzip'`), against the same server \
         process. {} per server, interleaved; one scrape is checked for all {series} series \
         before the load, and one with each style's headers gives the format and size of \
         the response. A ratio above 1 means more scrapes per second, or a longer p99 \
         latency, than prom.\n",
        options.scrape_secs,
        rounds_text(options.rounds),
        series = thousands(scrape::SERIES as u64),
        connections = scrape::WRK_CONNECTIONS,
        accept = scrape::PROMETHEUS_HEADERS[0].1,
    );
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let (reference, _) = reference(names.iter().copied());
    let rps_ref = reference.map(|i| rows[i].requests_per_sec.median);
    let p99_ref = reference.map(|i| rows[i].p99_ms.median);
    let _ = writeln!(
        w,
        "| server | scrapes/s | min–max | ratio to prom | p99 latency | min–max | ratio to prom | response | format | scrapes, all runs | errors |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for row in rows {
        let (rps, p99) = (row.requests_per_sec, row.p99_ms);
        let _ = writeln!(
            w,
            "| {} | {} | {}–{} | {} | {} ms | {}–{} ms | {} | {:.0} KiB | {} | {} | {} |",
            cell(&row.name),
            number(rps.median),
            number(rps.min),
            number(rps.max),
            ratio(rps.median, rps_ref),
            number(p99.median),
            number(p99.min),
            number(p99.max),
            ratio(p99.median, p99_ref),
            row.body_bytes as f64 / 1024.0,
            row.format,
            thousands(row.requests),
            thousands(row.errors),
        );
    }
    let _ = writeln!(
        w,
        "\n{} Errors are wrk's socket errors (timeouts included) and non-2xx responses, \
         over all runs.\n",
        reference_note(&names)
    );
    render_targets(w, rows);
}

/// The scrape targets of issue 13, each a ratio of two rows' median scrapes per second.
fn render_targets(w: &mut String, rows: &[scrape::Row]) {
    use scrape::{Server, Style};
    let rate = |server: Server, style: Style| {
        rows.iter()
            .find(|r| r.server == server && r.style == style)
            .map(|r| r.requests_per_sec.median)
    };
    let targets = [
        (
            "prom with Prometheus 2.42's headers / prom plain",
            rate(Server::Prom, Style::Prometheus),
            rate(Server::Prom, Style::Plain),
            0.7,
        ),
        (
            "prom / client_golang, both with Prometheus 2.42's headers",
            rate(Server::Prom, Style::Prometheus),
            rate(Server::Golang, Style::Prometheus),
            5.0,
        ),
        (
            "prom / client_golang, both plain",
            rate(Server::Prom, Style::Plain),
            rate(Server::Golang, Style::Plain),
            5.0,
        ),
        (
            "prom over TLS / prom plain, connections kept alive",
            rate(Server::PromTls, Style::Plain),
            rate(Server::Prom, Style::Plain),
            0.8,
        ),
    ];
    let _ = writeln!(
        w,
        "The targets of the production-endpoint issue (#13), as ratios of the median \
         scrapes per second above: a scrape as Prometheus makes it (OpenMetrics, gzip) at \
         least 0.7× the plain one, prom at least 5× client_golang both with Prometheus' \
         headers and plainly, and a scrape over TLS at least 0.8× the plain one over a \
         kept-alive connection.\n"
    );
    let _ = writeln!(w, "| ratio of scrapes/s | this run | target | met |");
    let _ = writeln!(w, "|---|---:|---:|---|");
    for (what, numerator, denominator, target) in targets {
        let (value, met) = match (numerator, denominator) {
            (Some(n), Some(d)) if d > 0.0 => {
                let x = n / d;
                (format!("{x:.2}×"), if x >= target { "yes" } else { "no" })
            }
            _ => ("–".to_owned(), "not measured"),
        };
        let _ = writeln!(w, "| {what} | {value} | ≥ {target}× | {met} |");
    }
    let _ = writeln!(w);
}
