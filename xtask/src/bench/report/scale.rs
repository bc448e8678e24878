//! The scale section of docs/benchmarks.md.

use std::fmt::Write as _;

use super::*;
use crate::bench::scale;

/// One table of the scale workload: its title, the measure, and whether it is a time (else a
/// size in bytes).
type ScaleMeasure = (&'static str, fn(&scale::Point) -> f64, bool);

/// The scale workload: one table per measure, each implementation's value at every size and
/// its growth from the smallest size to the largest.
pub(super) fn render(w: &mut String, rows: &[scale::Row]) {
    let sizes: Vec<String> = scale::SIZES.iter().map(|&n| thousands(n as u64)).collect();
    let (first, last) = (
        sizes.first().cloned().unwrap_or_default(),
        sizes.last().cloned().unwrap_or_default(),
    );
    let _ = writeln!(
        w,
        "## Scale: costs per series from {first} to {last} series\n\n\
         One counter family with the labels of the memory workload and N children, each \
         incremented once, created in a process of its own per implementation and size \
         (`series_scale <impl> --series N`), one run. Memory is the growth of the live heap \
         and of the resident set over the creation of the N children (the empty family and \
         its registry made beforehand), divided by N. Encode is the median time of one \
         encode of the whole family into a reused buffer (repeated for about 0.5 s, at least \
         3 times, after an untimed one whose output is checked), divided by N. Lookup is one \
         lookup and increment of an existing child by borrowed label values, the children \
         visited in a scattered order (a stride of 7,919), the median of 5 slices of 60 ms. The \
         last column divides the value at {last} by the value at {first}: 1× is a cost per \
         series that does not grow.\n\n\
         prom's encode time and memory per series should stay flat (total cost linear in the \
         series) and its lookup time flat, up to what a larger working set costs in cache \
         misses."
    );
    if let Some(prom) = rows.iter().find(|r| r.name.starts_with("prom ")) {
        let growth = |f: fn(&scale::Point) -> f64| match (prom.points.first(), prom.points.last()) {
            (Some(a), Some(b)) if f(a) > 0.0 && prom.points.len() == scale::SIZES.len() => {
                format!("{:.2}×", f(b) / f(a))
            }
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            w,
            "\nIn this run prom's growth from {first} to {last} series is {} in encode time per \
             series, {} in live heap per series and {} in lookup time.",
            growth(|p| p.encode_ns_per_series),
            growth(|p| p.heap_bytes_per_series),
            growth(|p| p.lookup_ns),
        );
    }
    let _ = writeln!(w);
    let measures: [ScaleMeasure; 4] = [
        ("Encode time per series", |p| p.encode_ns_per_series, true),
        ("Live heap per series", |p| p.heap_bytes_per_series, false),
        ("RSS per series", |p| p.rss_bytes_per_series, false),
        ("Lookup and increment", |p| p.lookup_ns, true),
    ];
    for (title, value, is_time) in measures {
        let _ = writeln!(w, "### {title}\n");
        let _ = writeln!(
            w,
            "| implementation | {} | {last} / {first} |",
            sizes.join(" | ")
        );
        let _ = writeln!(w, "|---|{}---:|", "---:|".repeat(sizes.len()));
        for row in rows {
            let cells: Vec<String> = row
                .points
                .iter()
                .map(|p| {
                    let v = value(p);
                    if is_time {
                        time_in_unit(v, v)
                    } else {
                        format!("{} B", number(v))
                    }
                })
                .collect();
            let growth = match (row.points.first(), row.points.last()) {
                (Some(a), Some(b)) if value(a) > 0.0 && row.points.len() == sizes.len() => {
                    format!("{:.2}×", value(b) / value(a))
                }
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                w,
                "| {} | {} | {growth} |",
                cell(&row.name),
                cells.join(" | ")
            );
        }
        let _ = writeln!(w);
    }
}
