prom::static_metrics! {
    static TIME: HistogramVec = ("ui_args_seconds", "", labels = ["method"]);
    static BUSY: Gauge = ("ui_args_busy", "");
}

#[prom::time]
fn no_metric() {}

#[prom::time()]
fn empty_parentheses() {}

#[prom::time(labels = ["GET"])]
fn option_first() {}

#[prom::time(TIME, buckets = [0.1, 1.0])]
fn unknown_option() {}

#[prom::track_inprogress(BUSY, matches = Err(_))]
fn matches_without_count_errors() {}

#[prom::time(TIME, labels = "GET")]
fn labels_without_brackets() {}

#[prom::time(TIME, labels = [])]
fn no_label_values() {}

#[prom::time(TIME, labels = ["GET"], labels = ["POST"])]
fn labels_twice() {}

fn main() {}
