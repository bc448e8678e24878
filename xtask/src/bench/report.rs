//! The document: `docs/benchmarks.md` rendered from one run's [`Report`], with every table's
//! ratios to this project's reference row.

use std::fmt::Write as _;

use super::criterion::Group;
use super::machine::Machine;
use super::{shell_word, Options, Report};

mod memory;
mod requests;
mod scale;
mod scrape;

/// The reference row of a table: the first whose name starts with `prom `.
fn reference<'a>(names: impl IntoIterator<Item = &'a str>) -> (Option<usize>, usize) {
    let prom: Vec<usize> = names
        .into_iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("prom "))
        .map(|(i, _)| i)
        .collect();
    (prom.first().copied(), prom.len())
}

/// `value / reference` as `1.23×`, or `–` without a reference.
fn ratio(value: f64, reference: Option<f64>) -> String {
    match reference {
        Some(r) if r > 0.0 => {
            let x = value / r;
            if x >= 100.0 {
                format!("{x:.0}×")
            } else if x >= 10.0 {
                format!("{x:.1}×")
            } else if x >= 0.1 {
                format!("{x:.2}×")
            } else {
                // Three significant digits, so a small ratio keeps its size.
                let digits = (2 - x.log10().floor() as i32).clamp(2, 12) as usize;
                format!("{x:.digits$}×")
            }
        }
        _ => "–".into(),
    }
}

/// A time in nanoseconds, in the unit that suits `scale_of`.
fn time_in_unit(ns: f64, scale_of: f64) -> String {
    let (div, unit) = if scale_of < 1e3 {
        (1.0, "ns")
    } else if scale_of < 1e6 {
        (1e3, "µs")
    } else if scale_of < 1e9 {
        (1e6, "ms")
    } else {
        (1e9, "s")
    };
    let v = ns / div;
    let digits = if v < 10.0 {
        2
    } else if v < 100.0 {
        1
    } else {
        0
    };
    format!("{v:.digits$} {unit}")
}

/// A number with 3 significant digits or more, without exponent.
fn number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A count with thousands separated: `100,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A benchmark name as a table cell: code, with `|` escaped.
fn cell(name: &str) -> String {
    format!("`{}`", name.replace('|', r"\|"))
}

fn reference_note(names: &[&str]) -> String {
    match reference(names.iter().copied()) {
        (None, _) => "No row of this project here, so no ratios.".into(),
        (Some(i), 1) => format!("Ratios are to {}.", cell(names[i])),
        (Some(i), n) => format!(
            "Ratios are to {}, the first of the {n} rows of this project.",
            cell(names[i])
        ),
    }
}

/// What each criterion group measures, by group id prefix, in the order the
/// document shows them.
const KNOWN_GROUPS: &[(&str, &str)] = &[
    (
        "counter_inc_1_thread",
        "One counter, one thread: an unlabelled counter incremented by one thread. Every closure \
             discards what the increment returns (prom's `Result`, prometheus-client's \
             previous value), as a caller that branches on it does; handing it to criterion \
             would store it to memory after the atomic.",
    ),
    (
        "counter_inc_2_threads",
        "One counter, two threads: one counter incremented by two threads at once; time per increment \
             (each thread's own time, the longest, divided by the number of threads).",
    ),
    (
        "counter_exemplar_1_thread",
        "Exemplars on a counter: the plain `inc()` of a counter that has kept an exemplar \
             (the feature must cost it nothing), and keeping one with every increment, next to \
             prometheus-client's counter with exemplars given the same labels and the time.",
    ),
    (
        "labelled_",
        "Labelled lookup: look up an existing child of a two-label family by borrowed `&str` \
             values and increment it; prom's also in a family with the series lifecycle on (a \
             ceiling with an overflow series, and idle expiry), which must cost the lookup \
             nothing.",
    ),
    (
        "metrics_bridge_",
        "The `metrics` facade: one `counter!(\"c\", \"method\" => k[0], \"path\" => k[1]).increment(1)` \
             (or `histogram!(…).record(v)`) over 100 existing series, through prom's bridge \
             (`prom-metrics`) and through `metrics-exporter-prometheus`'s recorder, each the \
             local recorder, next to prom's own `Family::with` on the same values with no facade \
             (the baseline). The macro rows include what every `metrics` call pays whatever the \
             recorder (the labels' `Vec`, the key's hash); the \"Key built once\" rows call the \
             recorder with a prepared key, its own part. The exporter's histogram observations \
             queue until an upkeep, run untimed after each sample as a scrape would.",
    ),
    (
        "histogram_exemplar_",
        "Exemplars on a histogram: the plain `observe()` of a histogram that has kept \
             exemplars, and keeping one with every observation, next to prometheus-client's \
             histogram with exemplars given the same labels and the time.",
    ),
    (
        "histogram_",
        "Histogram: observe with the default buckets.",
    ),
    (
        "native_histogram_",
        "Native histograms: observe into a native histogram of schema 3 (buckets 9% wide) \
             the histogram workload's nine values, next to prom's classic histogram with the \
             default buckets and prometheus-client's native histogram of the same schema.",
    ),
    (
        "summary_",
        "Summary: observe into a summary with client_golang's suggested objectives (0.5, 0.9, \
             0.99 with rank errors 0.05, 0.01, 0.001; a 10-minute window of 5 age buckets), next \
             to the plain count-and-sum summary and the histogram; the peer is \
             `metrics-exporter-prometheus`, whose histograms are exposed as summaries with \
             quantiles by default; the baseline is a mutex-guarded buffer drained when full.",
    ),
    (
        "dashmap_",
        "DashMap, measured: prom's labelled family against one built on `DashMap` (its \
             children bare atomic cells): lookup and increment of one of 100 existing children, \
             and two threads creating 100,000 new children at once (time per series created).",
    ),
    (
        "encode_",
        "Encoding: encode the whole registry into a reused buffer (prom: \
             `Encoder::encode` into a `Vec<u8>`, straight from the live metrics; the others \
             through their own encoders; client_golang: `reg.Gather()` and an `expfmt` \
             encoder into a reused `bytes.Buffer`, the gather included, as a scrape pays it).",
    ),
    (
        "tower_layer_",
        "Request metrics: one request through an axum router with one route, called in \
             process (build the request, call, poll to the end, read the body to its end), \
             with no layer, with a layer that changes nothing (what axum charges any layer: \
             it boxes the layered service's clone, its future and its body), with prom-tower's \
             `RequestMetricsLayer` and with axum-prometheus' `PrometheusMetricLayer` (its \
             `metrics-exporter-prometheus` recorder). A layer's overhead is its row minus the \
             first.",
    ),
];

/// The position of a group among [`KNOWN_GROUPS`] (unknown ones last) and
/// its description.
fn describe_group(id: &str) -> (usize, Option<&'static str>) {
    KNOWN_GROUPS
        .iter()
        .position(|(prefix, _)| id.starts_with(prefix))
        .map_or((KNOWN_GROUPS.len(), None), |i| (i, Some(KNOWN_GROUPS[i].1)))
}

/// The whole document of one run.
pub(super) fn render(options: &Options, machine: &Machine, report: &Report) -> String {
    let mut doc = String::new();
    // Writing to a `String` cannot fail; the results are ignored throughout.
    let w = &mut doc;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Generated by `{}` from one run; do not edit by hand (run it again). \
         What the figures mean for the design is discussed in `docs/architecture.md`.\n",
        options.command
    );
    let _ = writeln!(w, "- Date: {}", machine.date);
    let _ = writeln!(
        w,
        "- Duration of the run: {:.1} min",
        report.elapsed.as_secs_f64() / 60.0
    );
    let _ = writeln!(
        w,
        "- Machine: {} CPUs (`nproc`), {}, {} memory, Linux {}",
        machine.nproc, machine.cpu, machine.memory, machine.kernel
    );
    let _ = writeln!(w, "- Compiler: {}", machine.rustc);
    let crates: Vec<String> = machine
        .crates
        .iter()
        .map(|(n, v)| format!("`{n}` {v}"))
        .collect();
    let _ = writeln!(w, "- Crates (from Cargo.lock): {}", crates.join(", "));
    if !report.tool_versions.is_empty() {
        let tools: Vec<String> = report
            .tool_versions
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(w, "- Scrape workload: {}", tools.join(", "));
    }
    if !report.go_versions.is_empty() {
        let go: Vec<String> = report
            .go_versions
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(w, "- The Go client: {}", go.join(", "));
    }
    let _ = writeln!(
        w,
        "\nMedians vary by 30–50% from run to run on a small, noisy machine such as a \
         2-core one (the contended and encode figures most): compare rows within one run, \
         through the ratios, rather than figures across runs. Each row gives the median with \
         the range (min–max) it came from. A ratio is the row's median divided by the \
         median of this project's reference row, named under each table; for times and \
         bytes, below 1 is less than prom.\n"
    );

    if let Some(groups) = &report.criterion {
        render_criterion(w, options, groups, report.gomaxprocs);
    }
    if let Some(rows) = &report.memory {
        memory::render(w, options, rows);
    }
    if let Some(rows) = &report.scale {
        scale::render(w, rows);
    }
    if let Some(rows) = &report.scrape {
        scrape::render(w, options, rows);
    }
    if let Some(rows) = &report.requests {
        requests::render(w, options, rows);
    }
    doc
}

fn render_criterion(w: &mut String, options: &Options, groups: &[Group], gomaxprocs: Option<u64>) {
    let _ = writeln!(
        w,
        "## Criterion benchmarks: counters, labelled lookups, histograms, encoding\n"
    );
    let _ = writeln!(
        w,
        "`cargo bench -p prom-benches --bench '*' -- --warm-up-time {} --measurement-time {}{}`. \
         A sample's time is criterion's measured time divided by its iteration count; the \
         median, minimum and maximum are over the samples of the benchmark (100 unless the \
         benchmark sets fewer).\n",
        options.warm_up_secs,
        options.measurement_secs,
        options
            .filter
            .as_deref()
            .map(|f| format!(" {}", shell_word(f)))
            .unwrap_or_default()
    );
    if let Some(procs) = gomaxprocs {
        let _ = writeln!(
            w,
            "Rows named `client_golang …` come from a Go program (`benches/go/microbench`) of \
             the same workloads, each timed by Go's `testing.Benchmark` 10 times, round-robin \
             over the benchmarks, for a tenth of the measurement time each; GOMAXPROCS {procs}. \
             Its 2-thread rows are 2 goroutines released together, and every row's time per \
             operation is the longest goroutine's time divided by the goroutines and the \
             iterations, as for the Rust rows. Its median and range are over those samples.\n"
        );
    }
    if groups.is_empty() {
        let _ = writeln!(w, "No criterion benchmark ran.\n");
    }
    // In the order of KNOWN_GROUPS; criterion runs the programs by name.
    let mut groups: Vec<&Group> = groups.iter().collect();
    groups.sort_by_key(|g| describe_group(&g.id).0);
    for group in groups {
        let _ = writeln!(w, "### `{}`\n", group.id);
        if let Some(text) = describe_group(&group.id).1 {
            let _ = writeln!(w, "{text}\n");
        }
        let names: Vec<&str> = group.rows.iter().map(|r| r.name.as_str()).collect();
        let (reference, _) = reference(names.iter().copied());
        let reference = reference.map(|i| group.rows[i].stats.median);
        let _ = writeln!(w, "| implementation | median | min–max | ratio to prom |");
        let _ = writeln!(w, "|---|---:|---:|---:|");
        for row in &group.rows {
            let s = row.stats;
            let _ = writeln!(
                w,
                "| {} | {} | {}–{} | {} |",
                cell(&row.name),
                time_in_unit(s.median, s.median),
                time_in_unit(s.min, s.median)
                    .split(' ')
                    .next()
                    .unwrap_or_default(),
                time_in_unit(s.max, s.median),
                ratio(s.median, reference)
            );
        }
        let _ = writeln!(w, "\n{}\n", reference_note(&names));
    }
}

fn rounds_text(rounds: usize) -> String {
    if rounds == 1 {
        "One run".into()
    } else {
        format!("{rounds} runs")
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::time::Duration;

    use super::super::criterion::Row;
    use super::super::Stats;
    use super::*;
    use crate::project_root;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn ratios_refer_to_the_first_prom_row() {
        let names = ["raw", "prometheus x", "prom inc()", "prom inc_by(1.5)"];
        assert_eq!(reference(names), (Some(2), 2));
        assert!(reference_note(&names).contains("the first of the 2 rows"));
        assert_eq!(reference(["prometheus", "metrics"]), (None, 0));
        assert_eq!(ratio(5.0, Some(2.0)), "2.50×");
        assert_eq!(ratio(50.0, Some(2.0)), "25.0×");
        assert_eq!(ratio(500.0, Some(2.0)), "250×");
        assert_eq!(ratio(1.0, None), "–");
        assert_eq!(ratio(6.93, Some(674.0)), "0.0103×");
        assert_eq!(ratio(0.5, Some(1000.0)), "0.000500×");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn times_are_formatted() {
        assert_eq!(time_in_unit(2.712, 2.712), "2.71 ns");
        assert_eq!(time_in_unit(5_123_000.0, 5_123_000.0), "5.12 ms");
        assert_eq!(time_in_unit(4_900_000.0, 5_123_000.0), "4.90 ms");
        assert_eq!(time_in_unit(16_500.0, 16_500.0), "16.5 µs");
    }

    #[test]
    fn the_document_has_one_table_per_group_and_workload() {
        let options = Options::parse(&args(&["--quick"])).unwrap();
        let stats = |m: f64| Stats {
            median: m,
            min: m * 0.9,
            max: m * 1.5,
            count: 3,
        };
        let report = Report {
            criterion: Some(vec![
                Group {
                    id: "encode_all".into(),
                    rows: vec![Row {
                        name: "prom text".into(),
                        stats: stats(1e6),
                    }],
                },
                Group {
                    id: "counter_inc_1_thread".into(),
                    rows: vec![
                        Row {
                            name: "raw | x".into(),
                            stats: stats(2.0),
                        },
                        Row {
                            name: "prom inc()".into(),
                            stats: stats(4.0),
                        },
                    ],
                },
            ]),
            memory: Some(vec![crate::bench::memory::Row {
                name: "prom CounterVec".into(),
                rss: stats(100.0),
                heap: stats(80.0),
            }]),
            gomaxprocs: Some(2),
            scale: Some(vec![crate::bench::scale::Row {
                name: "prom CounterVec, text 0.0.4".into(),
                points: [50.0, 55.0, 60.0, 100.0]
                    .iter()
                    .map(|&e| crate::bench::scale::Point {
                        heap_bytes_per_series: 150.0,
                        rss_bytes_per_series: 160.0,
                        lookup_ns: 20.0,
                        encode_ns_per_series: e,
                    })
                    .collect(),
            }]),
            go_versions: vec![("Go".into(), "go1.19.8".into())],
            scrape: Some(vec![crate::bench::scrape::Row {
                name: "prom prom_http::start_http_server".into(),
                server: crate::bench::scrape::Server::Prom,
                style: crate::bench::scrape::Style::Plain,
                format: "text 0.0.4".into(),
                requests_per_sec: stats(900.0),
                p99_ms: stats(3.0),
                body_bytes: 700_000,
                errors: 0,
                requests: 2700,
            }]),
            requests: Some(vec![
                crate::bench::requests::Row {
                    name: "axum app, no layer".into(),
                    requests_per_sec: stats(20_000.0),
                    p99_ms: stats(0.5),
                    errors: 0,
                    requests: 60_000,
                },
                crate::bench::requests::Row {
                    name: "prom-tower RequestMetricsLayer".into(),
                    requests_per_sec: stats(10_000.0),
                    p99_ms: stats(0.6),
                    errors: 0,
                    requests: 30_000,
                },
            ]),
            tool_versions: vec![("wrk".into(), "4.1.0".into())],
            elapsed: Duration::from_secs(90),
        };
        let doc = render(&options, &Machine::default(), &report);
        assert!(doc.contains("`cargo xtask bench -- --quick`"), "{doc}");
        assert!(
            doc.contains("| `raw \\| x` | 2.00 ns | 1.80–3.00 ns | 0.50× |"),
            "{doc}"
        );
        assert!(
            doc.contains("| `prom inc()` | 4.00 ns | 3.60–6.00 ns | 1.00× |"),
            "{doc}"
        );
        assert!(
            doc.contains("| `prom CounterVec` | 100 B | 90.0–150 B | 1.00× | 80.0 B |"),
            "{doc}"
        );
        assert!(
            doc.contains(
                "| 900 | 810–1350 | 1.00× | 3.00 ms | 2.70–4.50 ms | 1.00× | 684 KiB | text 0.0.4 | 2,700 | 0 |"
            ),
            "{doc}"
        );
        // 2 connections: 100 µs per request against 200.
        assert!(
            doc.contains(
                "| `prom-tower RequestMetricsLayer` | 10000 | 9000–15000 | 100 µs | 1.00× |"
            ),
            "{doc}"
        );
        assert!(doc.contains("Duration of the run: 1.5 min"), "{doc}");
        assert!(doc.contains("- The Go client: Go go1.19.8"), "{doc}");
        assert!(doc.contains("GOMAXPROCS 2"), "{doc}");
        assert!(
            doc.contains(
                "| `prom CounterVec, text 0.0.4` | 50.0 ns | 55.0 ns | 60.0 ns | 100 ns | 2.00× |"
            ),
            "{doc}"
        );
        assert!(
            doc.contains("| prom / client_golang, both plain | – | ≥ 5× | not measured |"),
            "{doc}"
        );
        assert!(
            doc.contains("growth from 1,000 to 1,000,000 series is 2.00× in encode"),
            "{doc}"
        );
        let counter = doc.find("### `counter_inc_1_thread`").unwrap();
        let encode = doc.find("### `encode_all`").unwrap();
        assert!(counter < encode, "groups in workload order: {doc}");
        assert!(
            doc.contains("| `prom text` | 1.00 ms | 0.90–1.50 ms | 1.00× |"),
            "{doc}"
        );
        for heading in [
            "## Criterion benchmarks: counters, labelled lookups, histograms, encoding",
            "## Memory per labelled counter series",
            "## Scrapes over HTTP on loopback",
            "## Scale: costs per series from 1,000 to 1,000,000 series",
        ] {
            assert!(doc.contains(heading), "{heading}: {doc}");
        }
        assert!(!doc.contains("Workload"), "workloads are named: {doc}");
        let root = project_root();
        assert!(
            !doc.contains(&*root.to_string_lossy()),
            "no machine paths: {doc}"
        );
    }
}
