prom::static_metrics! {
    static REQUESTS: Counter = ("ui_requests_total", "");
    static TIME: Summary = ("ui_time_seconds", "");
    static BUSY: Gauge = ("ui_busy", "");
    static LATENCY: HistogramVec = ("ui_latency_seconds", "", labels = ["method"]);
}

#[prom::time(REQUESTS)]
fn a_counter_cannot_time() {}

#[prom::track_inprogress(TIME)]
fn a_summary_cannot_track() {}

#[prom::count_errors(BUSY)]
fn a_gauge_cannot_count_errors() -> Result<(), ()> {
    Ok(())
}

#[prom::time(LATENCY)]
fn a_family_needs_labels() {}

#[prom::time(42)]
fn a_number_is_no_metric() {}

fn main() {}
