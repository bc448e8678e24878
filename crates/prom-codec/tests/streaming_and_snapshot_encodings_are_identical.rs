//! Encoding straight from live metrics (`encode`) writes exactly what
//! encoding their snapshot (`collect` then `encode_families`) writes, in both
//! formats, for every metric type, with and without `name[]` filters.

use prom_codec::{Encoder, Output};
use prom_core::{
    Collector, Counter, CounterVec, Gauge, GaugeVec, Histogram, HistogramVec, Opts, Summary,
    SummaryVec,
};

fn parts() -> Vec<Box<dyn Collector>> {
    let c = Counter::with_opts(Opts::new("jobs", "Jobs.").unit("jobs")).unwrap();
    c.inc_by(3.5).unwrap();
    let cv = CounterVec::new(Opts::new("requests", "Requests.").labels(["path", "code"])).unwrap();
    cv.with_label_values(&["/a\"b\\c\nd", "200"]).unwrap().inc();
    cv.with_label_values(&["/", "500"])
        .unwrap()
        .inc_by(2.0)
        .unwrap();
    let g = Gauge::new("temperature", "").unwrap();
    g.set(f64::NAN);
    let gv = GaugeVec::new(Opts::new("queue", "Queue.").labels(["q"])).unwrap();
    gv.with_label_values(&["mail"]).unwrap().set(-1.5);
    let h =
        Histogram::with_opts(Opts::new("latency_seconds", "L.").buckets([-1.0, 0.5, 1e6])).unwrap();
    h.observe(0.2);
    h.observe(-3.0);
    let hv = HistogramVec::new(Opts::new("size_bytes", "S.").labels(["op"])).unwrap();
    hv.with_label_values(&["read"]).unwrap().observe(0.3);
    let s = Summary::new("rpc_seconds", "R.").unwrap();
    s.observe(1.25);
    let sv = SummaryVec::new(Opts::new("db_seconds", "D.").labels(["table"])).unwrap();
    sv.with_label_values(&["users"]).unwrap().observe(0.5);
    vec![
        Box::new(c),
        Box::new(cv),
        Box::new(g),
        Box::new(gv),
        Box::new(h),
        Box::new(hv),
        Box::new(s),
        Box::new(sv),
    ]
}

/// Collects or visits every part in turn.
struct Streaming(Vec<Box<dyn Collector>>);

impl Collector for Streaming {
    fn collect(
        &self,
        out: &mut Vec<prom_core::MetricFamily>,
    ) -> Result<(), prom_core::CollectError> {
        self.0.iter().try_for_each(|p| p.collect(out))
    }
    fn visit(&self, v: &mut dyn prom_core::Visitor) -> Result<(), prom_core::VisitFailure> {
        self.0.iter().try_for_each(|p| p.visit(v))
    }
}

#[test]
fn every_type_unit_escape_and_special_value_agrees() {
    let live = Streaming(parts());
    let families = prom_core::collect(&live).unwrap();
    for encoder in [Encoder::text(), Encoder::openmetrics()] {
        let mut got = Vec::new();
        encoder
            .encode(&live, &[], Output::writer(&mut got))
            .unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            encoder.encode_to_string(&families).unwrap()
        );
    }
}

#[test]
fn live_metrics_stream_what_their_snapshot_says() {
    let c = CounterVec::new(Opts::new("requests", "Requests.").labels(["path"])).unwrap();
    c.with_label_values(&["/x"]).unwrap().inc();
    let h = HistogramVec::new(
        Opts::new("latency", "L.")
            .labels(["op"])
            .buckets([0.1, 1.0]),
    )
    .unwrap();
    h.with_label_values(&["r"]).unwrap().observe(0.5);
    let s = Summary::new("rpc", "").unwrap();
    s.observe(2.0);
    let g = Gauge::new("g", "").unwrap();
    g.set(4.0);
    let live = Streaming(vec![Box::new(c), Box::new(h), Box::new(s), Box::new(g)]);
    let families = prom_core::collect(&live).unwrap();
    for encoder in [Encoder::text(), Encoder::openmetrics()] {
        let mut got = Vec::new();
        encoder
            .encode(&live, &[], Output::writer(&mut got))
            .unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            encoder.encode_to_string(&families).unwrap()
        );
        let mut filtered = Vec::new();
        encoder
            .encode(
                &live,
                &["latency_bucket", "g"],
                Output::writer(&mut filtered),
            )
            .unwrap();
        let kept: Vec<_> = families
            .iter()
            .filter(|f| f.exposes("latency_bucket") || f.exposes("g"))
            .cloned()
            .collect();
        assert_eq!(
            String::from_utf8(filtered).unwrap(),
            encoder.encode_to_string(&kept).unwrap()
        );
    }
}
