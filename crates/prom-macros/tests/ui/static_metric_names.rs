prom::static_metrics! {
    static EMPTY: Counter = ("", "");
}

prom::static_metrics! {
    static ONLY_TOTAL: Counter = ("_total", "");
}

prom::static_metrics! {
    static RESERVED: Gauge = ("__up", "");
}

prom::static_metrics! {
    static LABEL: CounterVec = ("requests_total", "", labels = ["method", ""]);
}

prom::static_metrics! {
    static LE: HistogramVec = ("latency_seconds", "", labels = ["le"]);
}

prom::static_metrics! {
    static QUANTILE: SummaryVec = ("latency_seconds", "", labels = ["quantile"]);
}

prom::static_metrics! {
    static TWICE: GaugeVec = ("temperature", "", labels = ["room", "floor", "room"]);
}

prom::static_metrics! {
    static UNDERSCORES: CounterVec = ("jobs_total", "", labels = ["__job"]);
}

fn main() {}
