//! Every bad input to the metric constructors, label lookups, bucket helpers,
//! counters and the data model gets exactly the error `docs/errors.md` shows
//! (rows `core.*`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{err, Check};
use prom::codec::{parse_openmetrics, parse_text, Encoder};
use prom::{
    exponential_buckets, linear_buckets, Counter, CounterVec, Descriptor, Enum, EnumVec, Gauge,
    GaugeVec, Histogram, HistogramVec, Info, InfoVec, LabelSet, MetricFamily, MetricType,
    MetricValue, NativeHistogramOpts, NativeHistogramVec, Opts, Registry, StaticMetric, Summary,
    SummaryVec,
};

fn ab() -> CounterVec {
    CounterVec::new(Opts::new("requests", "").labels(["a", "b"])).expect("valid family")
}

fn hist(buckets: Vec<f64>) -> String {
    err(Histogram::with_opts(Opts::new("h", "").buckets(buckets)))
}

fn jobs() -> Counter {
    Counter::new("jobs", "").expect("valid counter")
}

fn huge_label_value() -> String {
    let big = "x".repeat(1 << 20);
    let family = CounterVec::new(Opts::new("big", "").labels(["v"])).expect("valid family");
    family.with_label_values(&[&big]).expect("one value").inc();
    let registry = Registry::new();
    registry.register(family).expect("new name");
    let families = registry.gather().expect("no collector fails");
    let text = Encoder::text().encode_to_string(&families).unwrap();
    assert!(
        text == format!("# TYPE big_total counter\nbig_total{{v=\"{big}\"}} 1\n"),
        "the value is not encoded in full"
    );
    let om = Encoder::openmetrics().encode_to_string(&families).unwrap();
    for parsed in [parse_text(&text), parse_openmetrics(&om)] {
        let parsed = parsed.expect("the encoders' output parses");
        assert_eq!(parsed[0].metrics[0].labels.get("v"), Some(big.as_str()));
    }
    "no error: stored, encoded and parsed back in full".into()
}

/// The statics of the `core.static-*` and `core.attribute-*` rows.
mod statics {
    use std::sync::LazyLock;

    use prom::{HistogramVec, Opts};

    prom::static_metrics! {
        pub static JOBS: Counter = ("static_jobs", "");
        pub static JOBS_TOTAL: Gauge = ("static_jobs_total", "");
        pub static QUEUE: Counter = ("static_queue", "");
    }

    pub static ATTRIBUTE_LATENCY: LazyLock<HistogramVec> = LazyLock::new(|| {
        HistogramVec::new(Opts::new("attribute_latency_seconds", "").labels(["method", "route"]))
            .expect("a valid family")
    });

    pub static ATTRIBUTE_HITS: LazyLock<HistogramVec> = LazyLock::new(|| {
        HistogramVec::new(
            Opts::new("attribute_hits_seconds", "")
                .labels(["user"])
                .max_series(1),
        )
        .expect("a valid family")
    });
}

/// `message` with each `(<this file>:<line>)` written `(<file>:<line>)`, as
/// the table shows the places of declarations.
fn at_declarations(message: String) -> String {
    let mut out = String::new();
    let mut rest = message.as_str();
    let file = concat!("(", file!(), ":");
    while let Some(i) = rest.find(file) {
        out.push_str(&rest[..i]);
        out.push_str("(<file>:<line>)");
        let after = &rest[i + file.len()..];
        let close = after.find(')').expect("a closing parenthesis");
        assert!(
            after[..close].bytes().all(|b| b.is_ascii_digit()),
            "{message}"
        );
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The message of the panic `result` holds.
fn panic_message(result: std::thread::Result<()>) -> String {
    let payload = result.expect_err("the call panics");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .expect("a panic message")
}

/// What `check` gives with the legacy name validation on, which is then
/// turned off again. Safe here: the checks run one after the other, in the
/// one test of this binary that creates metrics.
fn legacy(check: impl FnOnce() -> String) -> String {
    prom::set_name_validation(prom::NameValidation::Legacy);
    let result = check();
    prom::set_name_validation(prom::NameValidation::Utf8);
    result
}

const CHECKS: &[(&str, Check)] = &[
    ("core.name-utf8", || {
        let name = Gauge::new("http.requests", "").map(|_| ());
        let label = CounterVec::new(Opts::new("x", "").labels(["http.method"])).map(|_| ());
        assert_eq!((name, label), (Ok(()), Ok(())));
        "no error: any non-empty UTF-8 is a name by default".into()
    }),
    ("core.name-empty", || err(Counter::new("", ""))),
    ("core.name-digit", || {
        legacy(|| err(Counter::new("9lives", "")))
    }),
    ("core.name-dash", || {
        legacy(|| err(Gauge::new("my-app", "")))
    }),
    ("core.name-dot", || {
        legacy(|| err(Gauge::new("http.requests", "")))
    }),
    ("core.name-reserved", || err(Gauge::new("__x", ""))),
    ("core.name-non-ascii", || {
        legacy(|| err(Gauge::new("größe", "")))
    }),
    ("core.name-only-total", || err(Counter::new("_total", ""))),
    ("core.namespace-bad", || {
        legacy(|| err(Counter::with_opts(Opts::new("x", "").namespace("my-app"))))
    }),
    ("core.subsystem-bad", || {
        legacy(|| err(Counter::with_opts(Opts::new("x", "").subsystem("a b"))))
    }),
    ("core.label-invalid", || {
        legacy(|| err(CounterVec::new(Opts::new("x", "").labels(["a-b"]))))
    }),
    ("core.label-digit", || {
        legacy(|| err(CounterVec::new(Opts::new("x", "").labels(["1a"]))))
    }),
    ("core.label-empty", || {
        err(CounterVec::new(Opts::new("x", "").labels([""])))
    }),
    ("core.label-colon", || {
        legacy(|| err(GaugeVec::new(Opts::new("x", "").labels(["a:b"]))))
    }),
    ("core.label-reserved", || {
        err(CounterVec::new(Opts::new("x", "").labels(["__x"])))
    }),
    ("core.label-le", || {
        err(HistogramVec::new(Opts::new("x", "").labels(["le"])))
    }),
    ("core.label-quantile", || {
        err(SummaryVec::new(Opts::new("x", "").labels(["quantile"])))
    }),
    ("core.label-le-on-gauge", || {
        let g = GaugeVec::new(Opts::new("x", "").labels(["le"])).expect("le is free on gauges");
        assert_eq!(g.descriptor().label_names().len(), 1);
        "no error: `le` is reserved on histograms only".into()
    }),
    ("core.label-duplicate", || {
        err(CounterVec::new(Opts::new("x", "").labels(["a", "b", "a"])))
    }),
    ("core.labels-on-unlabelled", || {
        err(Counter::with_opts(Opts::new("x", "").labels(["a"])))
    }),
    (
        "core.values-too-few",
        || err(ab().with_label_values(&["1"])),
    ),
    ("core.values-too-many", || {
        err(ab().with_label_values(&["1", "2", "3"]))
    }),
    ("core.values-none", || {
        err(ab().with_label_values::<&str>(&[]))
    }),
    ("core.with-count", || err(ab().with(&["1"], Counter::inc))),
    ("core.remove-count", || err(ab().remove(&["1"]))),
    ("core.with-labels-unknown", || {
        err(ab().with_labels(&[("a", "1"), ("c", "3")]))
    }),
    ("core.with-labels-missing", || {
        err(ab().with_labels(&[("a", "1")]))
    }),
    ("core.with-labels-duplicated", || {
        err(ab().with_labels(&[("a", "1"), ("a", "2"), ("b", "3")]))
    }),
    ("core.remove-labels-unknown", || {
        err(ab().remove_labels(&[("c", "1")]))
    }),
    ("core.buckets-empty", || hist(vec![])),
    ("core.buckets-only-inf", || hist(vec![f64::INFINITY])),
    ("core.buckets-unsorted", || hist(vec![1.0, 0.5])),
    ("core.buckets-duplicate", || hist(vec![0.5, 1.0, 1.0])),
    ("core.buckets-nan", || hist(vec![0.1, f64::NAN])),
    ("core.buckets-on-counter", || {
        err(Counter::with_opts(Opts::new("c", "").buckets([1.0])))
    }),
    ("core.buckets-on-gauge-vec", || {
        err(GaugeVec::new(Opts::new("g", "").buckets([1.0])))
    }),
    ("core.buckets-on-summary", || {
        err(Summary::with_opts(Opts::new("s", "").buckets([1.0])))
    }),
    ("core.linear-zero-count", || {
        err(linear_buckets(0.0, 1.0, 0))
    }),
    ("core.linear-zero-width", || {
        err(linear_buckets(0.0, 0.0, 3))
    }),
    ("core.linear-negative-width", || {
        err(linear_buckets(0.0, -1.0, 3))
    }),
    ("core.linear-nan-start", || {
        err(linear_buckets(f64::NAN, 1.0, 3))
    }),
    ("core.linear-infinite-width", || {
        err(linear_buckets(0.0, f64::INFINITY, 3))
    }),
    ("core.exponential-zero-count", || {
        err(exponential_buckets(1.0, 2.0, 0))
    }),
    ("core.exponential-zero-start", || {
        err(exponential_buckets(0.0, 2.0, 3))
    }),
    ("core.exponential-negative-start", || {
        err(exponential_buckets(-1.0, 2.0, 3))
    }),
    ("core.exponential-factor-one", || {
        err(exponential_buckets(1.0, 1.0, 3))
    }),
    ("core.exponential-nan-factor", || {
        err(exponential_buckets(1.0, f64::NAN, 3))
    }),
    ("core.exponential-overflow", || {
        let buckets = exponential_buckets(1.0, 10.0, 400).expect("valid parameters");
        hist(buckets)
    }),
    ("core.inc-negative", || err(jobs().inc_by(-1.0))),
    ("core.inc-nan", || err(jobs().inc_by(f64::NAN))),
    ("core.inc-neg-inf", || err(jobs().inc_by(f64::NEG_INFINITY))),
    ("core.inc-rejected-keeps-value", || {
        let c = jobs();
        c.inc_by(2.0).expect("a valid increment");
        let _ = c.inc_by(-1.0);
        let _ = c.inc_by(f64::NAN);
        assert_eq!(c.get(), 2.0);
        "no change: the value stays 2".into()
    }),
    ("core.inc-inf", || {
        let c = jobs();
        c.inc_by(f64::INFINITY).expect("+Inf is an increment");
        assert_eq!(c.get(), f64::INFINITY);
        "no error: the counter becomes +Inf".into()
    }),
    ("core.observe-nan", || {
        let h = Histogram::new("h", "").expect("valid name");
        h.observe(f64::NAN);
        let text = Encoder::text()
            .encode_to_string(&prom::collect(&h).expect("no failure"))
            .unwrap();
        assert!(text.contains("h_bucket{le=\"10.0\"} 0\n"), "{text}");
        assert!(
            text.contains("h_bucket{le=\"+Inf\"} 1\nh_count 1\n"),
            "{text}"
        );
        "no error: counted in the +Inf bucket".into()
    }),
    ("core.gauge-set-nan", || {
        let g = Gauge::new("g", "").expect("valid name");
        g.set(f64::NAN);
        assert!(g.get().is_nan());
        "no error: the gauge holds NaN".into()
    }),
    ("core.unit-space", || {
        err(Gauge::with_opts(Opts::new("speed", "").unit("m s")))
    }),
    ("core.unit-slash", || {
        err(Gauge::with_opts(Opts::new("speed", "").unit("m/s")))
    }),
    ("core.unit-empty", || {
        err(Gauge::with_opts(Opts::new("speed", "").unit("")))
    }),
    ("core.family-name", || {
        legacy(|| err(MetricFamily::new("9x", "", MetricType::Gauge)))
    }),
    ("core.family-only-total", || {
        err(MetricFamily::new("_total", "", MetricType::Counter))
    }),
    ("core.family-unit-not-suffix", || {
        let family = MetricFamily::new("latency", "", MetricType::Gauge).expect("valid name");
        err(family.with_unit("seconds"))
    }),
    ("core.family-unit-bad", || {
        let family = MetricFamily::new("latency", "", MetricType::Gauge).expect("valid name");
        err(family.with_unit("m/s"))
    }),
    ("core.family-type-mismatch", || {
        let mut family = MetricFamily::new("queue", "", MetricType::Gauge).expect("valid name");
        err(family
            .push(LabelSet::empty(), MetricValue::Counter(1.0))
            .map(|_| ()))
    }),
    ("core.labelset-invalid", || {
        legacy(|| err(LabelSet::from_pairs([("a-b", "1")])))
    }),
    ("core.labelset-reserved", || {
        err(LabelSet::from_pairs([("__name__", "x")]))
    }),
    ("core.labelset-duplicate", || {
        err(LabelSet::from_pairs([("a", "1"), ("a", "2")]))
    }),
    ("core.labelset-count", || {
        let names: Arc<[Box<str>]> = vec![Box::from("a"), Box::from("b")].into();
        err(LabelSet::new(names, &["1"]))
    }),
    ("core.descriptor-name", || {
        legacy(|| {
            err(Descriptor::new::<&str>(
                "9x",
                "",
                MetricType::Gauge,
                None,
                &[],
            ))
        })
    }),
    ("core.descriptor-label", || {
        err(Descriptor::new(
            "x",
            "",
            MetricType::Histogram,
            None,
            &["le"],
        ))
    }),
    ("core.facade-name", || {
        legacy(|| err(prom::counter("9lives", "")))
    }),
    ("core.facade-label", || {
        err(prom::histogram_vec("latency", "", &["le"]))
    }),
    ("core.facade-buckets", || {
        err(prom::histogram_with_buckets("sizes", "", &[2.0, 1.0]))
    }),
    ("core.summary-quantile-range", || {
        err(Summary::with_opts(
            Opts::new("s", "").objectives([(1.0, 0.01)]),
        ))
    }),
    ("core.summary-error-range", || {
        err(Summary::with_opts(
            Opts::new("s", "").objectives([(0.5, 0.0)]),
        ))
    }),
    ("core.summary-quantile-twice", || {
        err(Summary::with_opts(
            Opts::new("s", "").objectives([(0.5, 0.1), (0.5, 0.01)]),
        ))
    }),
    ("core.summary-objectives-empty", || {
        err(Summary::with_opts(Opts::new("s", "").objectives([])))
    }),
    ("core.summary-max-age-zero", || {
        err(Summary::with_opts(
            Opts::new("s", "")
                .objectives([(0.5, 0.05)])
                .max_age(Duration::ZERO),
        ))
    }),
    ("core.summary-age-buckets-zero", || {
        err(Summary::with_opts(
            Opts::new("s", "").objectives([(0.5, 0.05)]).age_buckets(0),
        ))
    }),
    ("core.summary-window-alone", || {
        err(Summary::with_opts(
            Opts::new("s", "").max_age(Duration::from_secs(60)),
        ))
    }),
    ("core.objectives-on-histogram", || {
        err(Histogram::with_opts(
            Opts::new("h", "").objectives([(0.5, 0.05)]),
        ))
    }),
    ("core.native-schema", || {
        err(NativeHistogramOpts::new().schema(9))
    }),
    ("core.native-on-classic", || {
        err(Histogram::with_opts(
            Opts::new("h", "").native(NativeHistogramOpts::new()),
        ))
    }),
    ("core.native-on-counter", || {
        err(Counter::with_opts(
            Opts::new("c", "").native(NativeHistogramOpts::new()),
        ))
    }),
    ("core.native-vec-label", || {
        err(NativeHistogramVec::new(
            Opts::new("h", "")
                .labels(["le"])
                .native(NativeHistogramOpts::new()),
        ))
    }),
    ("core.summary-nan", || {
        let s = Summary::with_opts(Opts::new("s", "").objectives([(0.5, 0.05)]))
            .expect("valid summary");
        s.observe(f64::NAN);
        let v = s.get();
        assert_eq!(v.count, 1);
        assert!(v.sum.is_nan() && v.quantiles[0].value.is_nan());
        "no error: counted in _count and _sum; no rank, so the quantiles leave it out".into()
    }),
    ("core.info-label-of-family", || {
        let builds =
            InfoVec::new(Opts::new("build", "").labels(["instance"])).expect("valid family");
        let child = builds.with_label_values(&["a"]).expect("one value");
        err(child.set([("instance", "x")]))
    }),
    ("core.info-label-bad", || {
        legacy(|| {
            err(Info::new("build", "")
                .expect("valid info")
                .set([("9x", "1")]))
        })
    }),
    ("core.info-unit", || {
        err(Info::with_opts(Opts::new("build", "").unit("seconds")))
    }),
    ("core.enum-no-states", || {
        err(Enum::with_opts(Opts::new("e", "")))
    }),
    ("core.enum-state-twice", || {
        err(Enum::with_opts(Opts::new("e", "").states(["a", "b", "a"])))
    }),
    ("core.enum-unknown-state", || {
        let e = Enum::with_opts(Opts::new("e", "").states(["a", "b"])).expect("valid enum");
        err(e.state("c"))
    }),
    ("core.enum-label-like-family", || {
        err(EnumVec::new(Opts::new("e", "").states(["a"]).labels(["e"])))
    }),
    ("core.enum-name-colon", || {
        legacy(|| err(Enum::with_opts(Opts::new("task:state", "").states(["a"]))))
    }),
    ("core.enum-unit", || {
        err(Enum::with_opts(
            Opts::new("e", "").states(["a"]).unit("seconds"),
        ))
    }),
    ("core.states-on-gauge", || {
        err(Gauge::with_opts(Opts::new("g", "").states(["a"])))
    }),
    ("core.exemplar-too-long", || {
        let long = "x".repeat(121);
        err(jobs().inc_with_exemplar(&[("trace_id", &long)]))
    }),
    ("core.exemplar-label-bad", || {
        legacy(|| {
            err(Histogram::new("h", "")
                .expect("valid histogram")
                .observe_with_exemplar(0.1, &[("trace-id", "x")]))
        })
    }),
    ("core.exemplar-negative-increment", || {
        err(jobs().inc_by_with_exemplar(-1.0, &[("trace_id", "x")]))
    }),
    ("core.non-utf8", || err(String::from_utf8(vec![b'a', 0xff]))),
    ("core.huge-label-value", huge_label_value),
    ("core.too-many-series", || {
        let hits = CounterVec::new(Opts::new("hits", "").labels(["user"]).max_series(1))
            .expect("valid family");
        hits.with_label_values(&["ann"]).expect("room for one");
        err(hits.with_label_values(&["bob"]))
    }),
    ("core.overflow-without-max", || {
        err(CounterVec::new(
            Opts::new("hits", "")
                .labels(["user"])
                .overflow_series(["other"]),
        ))
    }),
    ("core.overflow-label-count", || {
        err(CounterVec::new(
            Opts::new("hits", "")
                .labels(["user", "page"])
                .max_series(9)
                .overflow_series(["other"]),
        ))
    }),
    ("core.expire-after-zero", || {
        err(GaugeVec::new(
            Opts::new("queue", "")
                .labels(["name"])
                .expire_after(Duration::ZERO),
        ))
    }),
    ("core.remove-matching-unknown", || {
        err(ab().remove_matching(&[("c", "1")]))
    }),
    ("core.static-clash", || {
        statics::JOBS.inc();
        at_declarations(err(StaticMetric::try_force(&statics::JOBS_TOTAL)))
    }),
    ("core.static-clash-touch", || {
        statics::JOBS.inc();
        let error = err(StaticMetric::try_force(&statics::JOBS_TOTAL));
        for _ in 0..2 {
            let touch = std::panic::catch_unwind(|| statics::JOBS_TOTAL.set(1.0));
            assert_eq!(panic_message(touch), error);
        }
        "the touch panics with the `core.static-clash` message, and so does every later one".into()
    }),
    ("core.static-clash-run-time", || {
        prom::counter("static_queue", "").expect("a free name");
        at_declarations(err(StaticMetric::try_force(&statics::QUEUE)))
    }),
    ("core.attribute-label-count", || {
        #[prom::time(statics::ATTRIBUTE_LATENCY, labels = ["GET"])]
        fn f() {}
        format!("panics: {}", panic_message(std::panic::catch_unwind(f)))
    }),
    ("core.attribute-series-refused", || {
        #[prom::time(statics::ATTRIBUTE_HITS, labels = [user])]
        fn f(user: &str) {}
        f("ann");
        f("bob");
        let hits = &*statics::ATTRIBUTE_HITS;
        assert_eq!(hits.len(), 1);
        let families = prom::collect(hits).expect("no failure");
        let refused = families
            .iter()
            .find_map(|f| f.sample_value("attribute_hits_seconds_series_refused_total", &[]));
        assert_eq!(refused, Some(1.0));
        "no error: the call for \"bob\" runs unmeasured, and attribute_hits_seconds_series_refused_total counts it".into()
    }),
];

#[test]
fn every_core_row_has_its_error() {
    common::check_area("core", CHECKS);
}

#[test]
fn every_row_belongs_to_a_tested_area() {
    for row in common::rows() {
        let area = row.id.split('.').next().unwrap_or_default();
        assert!(
            common::AREAS.contains(&area),
            "row {:?} is in no tested area; areas: {:?}",
            row.id,
            common::AREAS
        );
    }
}
