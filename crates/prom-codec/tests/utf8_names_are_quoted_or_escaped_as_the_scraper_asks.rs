//! Names outside the legacy character set: written in the quoted syntax for
//! a scraper that asks for `escaping=allow-utf-8`, escaped with the scheme
//! asked for otherwise (`underscores` by default); legacy names unchanged.

use prom_codec::escape::Escaping;
use prom_codec::Encoder;
use prom_core::{
    Collector, Counter, CounterVec, Enum, Gauge, Histogram, LabelSet, MetricFamily, MetricType,
    MetricValue, Opts, Summary,
};

fn text(encoder: Encoder, source: &dyn Collector) -> String {
    let mut out = Vec::new();
    encoder.encode(source, &[], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn dotted_counter() -> CounterVec {
    let c = CounterVec::new(Opts::new("my.metric", "Dots.").labels(["label.x", "code"])).unwrap();
    c.with_label_values(&["v", "200"]).unwrap().inc();
    c
}

#[test]
fn quoted_names_for_a_utf8_scraper() {
    let c = dotted_counter();
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::AllowUtf8), &c),
        "# HELP \"my.metric_total\" Dots.\n# TYPE \"my.metric_total\" counter\n\
         {\"my.metric_total\",\"label.x\"=\"v\",code=\"200\"} 1\n"
    );
    let om = text(
        Encoder::openmetrics().with_escaping(Escaping::AllowUtf8),
        &c,
    );
    assert!(
        om.starts_with(
            "# HELP \"my.metric\" Dots.\n# TYPE \"my.metric\" counter\n\
             {\"my.metric_total\",\"label.x\"=\"v\",code=\"200\"} 1\n\
             {\"my.metric_created\",\"label.x\"=\"v\",code=\"200\"} "
        ),
        "{om}"
    );
    // A legacy metric name with a UTF-8 label keeps its name outside.
    let g = prom_core::GaugeVec::new(Opts::new("foo", "").labels(["label.x"])).unwrap();
    g.with_label_values(&["v"]).unwrap().set(1.0);
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::AllowUtf8), &g),
        "# TYPE foo gauge\nfoo{\"label.x\"=\"v\"} 1\n"
    );
}

#[test]
fn quoted_names_with_buckets_quantiles_states_and_no_labels() {
    let utf8 = Encoder::openmetrics().with_escaping(Escaping::AllowUtf8);
    let h = Histogram::with_opts(Opts::new("req.seconds", "").buckets([0.5])).unwrap();
    h.observe(0.1);
    let om = text(utf8, &h);
    assert!(
        om.starts_with(
            "# TYPE \"req.seconds\" histogram\n{\"req.seconds_bucket\",le=\"0.5\"} 1\n\
             {\"req.seconds_bucket\",le=\"+Inf\"} 1\n{\"req.seconds_count\"} 1\n{\"req.seconds_sum\"} 0.1\n"
        ),
        "{om}"
    );
    let s = Summary::new("lat.s", "").unwrap();
    s.observe(2.0);
    let t = text(Encoder::text().with_escaping(Escaping::AllowUtf8), &s);
    assert_eq!(
        t,
        "# TYPE \"lat.s\" summary\n{\"lat.s_count\"} 1\n{\"lat.s_sum\"} 2\n"
    );
    let e = Enum::with_opts(Opts::new("task.state", "").states(["run", "stop"])).unwrap();
    let om = text(utf8, &e);
    assert!(
        om.starts_with(
            "# TYPE \"task.state\" stateset\n{\"task.state\",\"task.state\"=\"run\"} 1\n\
             {\"task.state\",\"task.state\"=\"stop\"} 0\n"
        ),
        "{om}"
    );
    let g = Gauge::new("a \"quoted\\ name\"", "").unwrap();
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::AllowUtf8), &g),
        "# TYPE \"a \\\"quoted\\\\ name\\\"\" gauge\n{\"a \\\"quoted\\\\ name\\\"\"} 0\n"
    );
}

#[test]
fn escaped_names_for_every_other_scraper() {
    let c = dotted_counter();
    let underscores = "# HELP my_metric_total Dots.\n# TYPE my_metric_total counter\n\
                       my_metric_total{label_x=\"v\",code=\"200\"} 1\n";
    assert_eq!(text(Encoder::text(), &c), underscores);
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::Underscores), &c),
        underscores
    );
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::Dots), &c),
        "# HELP my_dot_metric_total Dots.\n# TYPE my_dot_metric_total counter\n\
         my_dot_metric_total{label_dot_x=\"v\",code=\"200\"} 1\n"
    );
    assert_eq!(
        text(Encoder::text().with_escaping(Escaping::Values), &c),
        "# HELP U__my_2e_metric_total Dots.\n# TYPE U__my_2e_metric_total counter\n\
         U__my_2e_metric_total{U__label_2e_x=\"v\",code=\"200\"} 1\n"
    );
    let om = text(Encoder::openmetrics(), &c);
    assert!(
        om.starts_with(
            "# HELP my_metric Dots.\n# TYPE my_metric counter\n\
             my_metric_total{label_x=\"v\",code=\"200\"} 1\nmy_metric_created{"
        ),
        "{om}"
    );
}

#[test]
fn legacy_names_are_written_the_same_whatever_the_scheme() {
    let c = Counter::new("http_requests", "Served.").unwrap();
    c.inc();
    let plain = text(Encoder::text(), &c);
    for scheme in [
        Escaping::AllowUtf8,
        Escaping::Underscores,
        Escaping::Dots,
        Escaping::Values,
    ] {
        assert_eq!(text(Encoder::text().with_escaping(scheme), &c), plain);
        let mut a = Vec::new();
        let mut b = Vec::new();
        Encoder::protobuf().encode(&c, &[], &mut a).unwrap();
        Encoder::protobuf()
            .with_escaping(scheme)
            .encode(&c, &[], &mut b)
            .unwrap();
        assert_eq!(a, b, "{scheme:?}");
    }
}

#[test]
fn names_that_escape_to_one_clash() {
    let mut a = MetricFamily::new("a.b", "", MetricType::Gauge).unwrap();
    a.push(LabelSet::default(), MetricValue::Gauge(1.0))
        .unwrap();
    let b = MetricFamily::new("a_b", "", MetricType::Gauge).unwrap();
    let fams = [a, b];
    let err = Encoder::text().encode_to_string(&fams).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot encode metrics: metric families \"a.b\" and \"a_b\" would both write the name \"a_b\""
    );
    // Quoted, they are two names.
    assert!(Encoder::text()
        .with_escaping(Escaping::AllowUtf8)
        .encode_to_string(&fams)
        .is_ok());
}

#[test]
fn the_protobuf_exposition_escapes_too() {
    let c = dotted_counter();
    for (scheme, name, label) in [
        (Escaping::AllowUtf8, "my.metric_total", "label.x"),
        (Escaping::Underscores, "my_metric_total", "label_x"),
        (Escaping::Dots, "my_dot_metric_total", "label_dot_x"),
        (Escaping::Values, "U__my_2e_metric_total", "U__label_2e_x"),
    ] {
        let mut body = Vec::new();
        Encoder::protobuf()
            .with_escaping(scheme)
            .encode(&c, &[], &mut body)
            .unwrap();
        let fams = prom_codec::parse_protobuf(&body).unwrap();
        assert_eq!(fams[0].name.as_ref(), name.strip_suffix("_total").unwrap());
        assert_eq!(
            fams[0].metrics[0].labels.get(label),
            Some("v"),
            "{scheme:?}"
        );
        assert_eq!(fams[0].metrics[0].labels.get("code"), Some("200"));
    }
}

#[test]
fn negotiation_reads_the_version_and_the_escaping() {
    let cases = [
        // Accept, content type answered, escaping used.
        (
            None,
            "text/plain; version=0.0.4; charset=utf-8",
            Escaping::Underscores,
        ),
        (
            Some("text/plain;version=0.0.4"),
            "text/plain; version=0.0.4; charset=utf-8",
            Escaping::Underscores,
        ),
        (
            Some("text/plain;version=1.0.0"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
            Escaping::Underscores,
        ),
        (
            Some("text/plain;version=1.0.0;escaping=allow-utf-8"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
            Escaping::AllowUtf8,
        ),
        (
            Some("text/plain;version=0.0.4;escaping=dots"),
            "text/plain; version=0.0.4; charset=utf-8; escaping=dots",
            Escaping::Dots,
        ),
        (
            Some("text/plain;version=1.0.0;escaping=rot13"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
            Escaping::Underscores,
        ),
        // Prometheus 3's scrape Accept header, with UTF-8 names.
        (
            Some(
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
                 application/openmetrics-text;version=0.0.1;q=0.5,\
                 text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
                 text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
            ),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
            Escaping::AllowUtf8,
        ),
        (
            Some("application/openmetrics-text;version=1.0.0;escaping=values"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values",
            Escaping::Values,
        ),
        (
            Some(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
                 encoding=delimited;escaping=allow-utf-8",
            ),
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; \
             encoding=delimited; escaping=allow-utf-8",
            Escaping::AllowUtf8,
        ),
        // Prometheus 2.42: no escaping asked, the content types of before.
        (
            Some(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
                 version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            ),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Escaping::Underscores,
        ),
    ];
    for (accept, content_type, escaping) in cases {
        let e = Encoder::negotiate(accept);
        assert_eq!(e.content_type(), content_type, "{accept:?}");
        assert_eq!(e.escaping(), escaping, "{accept:?}");
    }
    let v1 = Encoder::negotiate(Some("text/plain;version=1.0.0"));
    assert!(v1.is_text() && !v1.is_openmetrics() && !v1.is_protobuf());
}

#[test]
fn series_with_other_label_names_are_checked_on_their_own() {
    // The writers remember the last label names found legacy-valid; series
    // of one family with other names (snapshots may have them) are checked
    // anew, whatever their order.
    let mut fam = MetricFamily::new("g", "", MetricType::Gauge).unwrap();
    for (name, v) in [("a_b", 1.0), ("a.b", 2.0), ("a_b", 3.0), ("c.d", 4.0)] {
        fam.push(
            LabelSet::from_pairs([(name, "x")]).unwrap(),
            MetricValue::Gauge(v),
        )
        .unwrap();
    }
    let fams = [fam];
    assert_eq!(
        Encoder::text().encode_to_string(&fams).unwrap(),
        "# TYPE g gauge\ng{a_b=\"x\"} 1\ng{a_b=\"x\"} 2\ng{a_b=\"x\"} 3\ng{c_d=\"x\"} 4\n"
    );
    assert_eq!(
        Encoder::text()
            .with_escaping(Escaping::AllowUtf8)
            .encode_to_string(&fams)
            .unwrap(),
        "# TYPE g gauge\ng{a_b=\"x\"} 1\ng{\"a.b\"=\"x\"} 2\ng{a_b=\"x\"} 3\ng{\"c.d\"=\"x\"} 4\n"
    );
    let mut body = Vec::new();
    Encoder::protobuf()
        .with_escaping(Escaping::Dots)
        .encode_families(&fams, &mut body)
        .unwrap();
    let parsed = prom_codec::parse_protobuf(&body).unwrap();
    let names: Vec<&str> = parsed[0]
        .metrics
        .iter()
        .map(|m| m.labels.names()[0].as_ref())
        .collect();
    assert_eq!(names, ["a_b", "a_dot_b", "a_b", "c_dot_d"]);
}
