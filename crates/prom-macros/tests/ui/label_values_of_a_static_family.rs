prom::static_metrics! {
    static LATENCY: HistogramVec = ("ui_latency_seconds", "", labels = ["method"]);
    static TIME: Summary = ("ui_time_seconds", "");
}

#[prom::time(LATENCY, labels = ["GET", "/users"])]
fn too_many_values() {}

#[prom::time(TIME, labels = ["GET"])]
fn labels_on_an_unlabelled_metric() {}

fn main() {
    LATENCY.child(["GET", "/users"]);
}
