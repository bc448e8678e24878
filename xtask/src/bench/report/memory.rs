//! The memory section of docs/benchmarks.md.

use std::fmt::Write as _;

use super::*;
use crate::bench::memory;

pub(super) fn render(w: &mut String, options: &Options, rows: &[memory::Row]) {
    let _ = writeln!(
        w,
        "## Memory per labelled counter series\n\n\
         One counter family with the labels `method` (4 values) and `path` \
         (`/api/v1/resource/<i>`) and {series} children, each incremented once, \
         created in a process of its own per implementation (`series_memory <impl>`). \
         RSS is the growth of the resident set (`/proc/self/statm`) over the creation; \
         the live heap is the growth of the bytes asked of the allocator (a counting \
         global allocator), so it leaves out the allocator's own overhead that RSS \
         includes. Both divided by {series}. {} per implementation, interleaved. \
         The quantile summary row is not a counter: it is the same family shape as a \
         `SummaryVec` with client_golang's suggested objectives, for the cost of a \
         quantile summary series next to a counter's.\n",
        rounds_text(options.rounds),
        series = thousands(memory::SERIES as u64),
    );
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let (reference, _) = reference(names.iter().copied());
    let rss_ref = reference.map(|i| rows[i].rss.median);
    let heap_ref = reference.map(|i| rows[i].heap.median);
    let _ = writeln!(
        w,
        "| implementation | RSS per series | min–max | ratio to prom | live heap per series | min–max | ratio to prom |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let _ = writeln!(
            w,
            "| {} | {} B | {}–{} B | {} | {} B | {}–{} B | {} |",
            cell(&row.name),
            number(row.rss.median),
            number(row.rss.min),
            number(row.rss.max),
            ratio(row.rss.median, rss_ref),
            number(row.heap.median),
            number(row.heap.min),
            number(row.heap.max),
            ratio(row.heap.median, heap_ref),
        );
    }
    let _ = writeln!(w, "\n{}\n", reference_note(&names));
}
