//! `MetricFamily::sample_value` finds one sample of every type by the name
//! and labels an exposition shows it with.

use prom_core::{
    collect, Collector, Counter, Enum, Gauge, HistogramValue, Info, LabelSet, MetricFamily,
    MetricType, MetricValue, Opts, Summary,
};

fn family(c: &dyn Collector) -> MetricFamily {
    collect(c).unwrap().remove(0)
}

#[test]
fn counters_and_gauges_by_total_created_and_bare_name() {
    let jobs = Counter::new("jobs", "").unwrap();
    jobs.inc_by(2.0).unwrap();
    let f = family(&jobs);
    assert_eq!(f.sample_value("jobs_total", &[]), Some(2.0));
    assert!(f.sample_value("jobs_created", &[]).is_some_and(|t| t > 1e9));
    assert_eq!(f.sample_value("jobs", &[]), None);
    let up = Gauge::new("up", "").unwrap();
    up.set(-1.5);
    assert_eq!(family(&up).sample_value("up", &[]), Some(-1.5));
    assert_eq!(family(&up).sample_value("up_total", &[]), None);
}

#[test]
fn summary_quantiles_by_any_spelling_of_their_quantile() {
    let s = Summary::with_opts(Opts::new("size", "").objectives([(0.5, 0.05)])).unwrap();
    for v in 1..=9 {
        s.observe(f64::from(v));
    }
    let f = family(&s);
    assert_eq!(f.sample_value("size", &[("quantile", "0.5")]), Some(5.0));
    assert_eq!(f.sample_value("size", &[("quantile", ".50")]), Some(5.0));
    assert_eq!(f.sample_value("size", &[("quantile", "0.9")]), None);
    assert_eq!(f.sample_value("size", &[]), None);
    assert_eq!(f.sample_value("size_count", &[]), Some(9.0));
    assert_eq!(f.sample_value("size_sum", &[]), Some(45.0));
}

#[test]
fn info_and_enum_samples_carry_their_own_labels() {
    let build = Info::new("build", "").unwrap();
    build.set([("version", "1.2")]).unwrap();
    let f = family(&build);
    assert_eq!(
        f.sample_value("build_info", &[("version", "1.2")]),
        Some(1.0)
    );
    assert_eq!(f.sample_value("build_info", &[]), None);
    let task = Enum::with_opts(Opts::new("task", "").states(["idle", "busy"])).unwrap();
    task.state("busy").unwrap();
    let f = family(&task);
    assert_eq!(f.sample_value("task", &[("task", "busy")]), Some(1.0));
    assert_eq!(f.sample_value("task", &[("task", "idle")]), Some(0.0));
    assert_eq!(f.sample_value("task", &[("task", "gone")]), None);
}

#[test]
fn gauge_histogram_buckets_gcount_and_gsum() {
    let mut f = MetricFamily::new("queue_age", "", MetricType::GaugeHistogram).unwrap();
    let value = HistogramValue::from_counts(&[1.0, f64::INFINITY], &[2, 1], Some(3.5));
    f.push(
        LabelSet::from_pairs([("q", "mail")]).unwrap(),
        MetricValue::GaugeHistogram(value),
    )
    .unwrap();
    let labels = |le| [("q", "mail"), ("le", le)];
    assert_eq!(
        f.sample_value("queue_age_bucket", &labels("1.0")),
        Some(2.0)
    );
    assert_eq!(
        f.sample_value("queue_age_bucket", &labels("+Inf")),
        Some(3.0)
    );
    assert_eq!(
        f.sample_value("queue_age_gcount", &[("q", "mail")]),
        Some(3.0)
    );
    assert_eq!(
        f.sample_value("queue_age_gsum", &[("q", "mail")]),
        Some(3.5)
    );
    assert_eq!(f.sample_value("queue_age_count", &[("q", "mail")]), None);
}
