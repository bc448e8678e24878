prom::static_metrics! {
    static UNKNOWN: Meter = ("requests_total", "");
}

prom::static_metrics! {
    static NO_LABELS: CounterVec = ("requests_total", "");
}

prom::static_metrics! {
    static UNLABELLED: Counter = ("requests_total", "", labels = ["method"]);
}

prom::static_metrics! {
    static GAUGE_BUCKETS: Gauge = ("queue", "", buckets = [1, 2]);
}

prom::static_metrics! {
    static UNSORTED: Histogram = ("latency_seconds", "", buckets = [0.5, 0.1]);
}

prom::static_metrics! {
    static UNIT: Histogram = ("latency", "", unit = "seconds");
}

prom::static_metrics! {
    static mut MUTABLE: Counter = ("requests_total", "");
}

prom::static_metrics! {
    static NOT_A_STRING: Counter = (requests_total, "");
}

prom::static_metrics! {
    static NO_HELP: Counter = ("requests_total");
}

prom::static_metrics! {}

fn main() {}
