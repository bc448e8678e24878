//! The parsers read the quoted syntax of UTF-8 names (`{"my.metric",
//! "label.x"="v"} 1`, quoted names in HELP, TYPE and UNIT lines), refuse
//! malformed quoted names with the line and the reason, and what the
//! encoders write with `escaping=allow-utf-8` parses back to the same names.

use prom_codec::escape::Escaping;
use prom_codec::{parse_openmetrics, parse_text, Encoder};
use prom_core::{
    Exemplar, HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue,
};

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    LabelSet::from_pairs(pairs.iter().copied()).unwrap()
}

/// Families named outside the legacy set, of several types.
fn families() -> Vec<MetricFamily> {
    let mut counter = MetricFamily::new("my.metric", "Dots.", MetricType::Counter).unwrap();
    counter
        .push_metric(
            Metric::new(
                labels(&[("label.x", "v"), ("code", "200")]),
                MetricValue::Counter(3.0),
            )
            .with_created(1_700_000_000.5),
        )
        .unwrap();
    let mut gauge =
        MetricFamily::new("foo", "Legacy name, UTF-8 label.", MetricType::Gauge).unwrap();
    gauge
        .push(
            labels(&[("größe", "1"), ("🔥", "hot")]),
            MetricValue::Gauge(1.5),
        )
        .unwrap();
    let mut hist = MetricFamily::new("req.seconds", "", MetricType::Histogram).unwrap();
    let mut m = Metric::new(
        labels(&[("route.name", "/a")]),
        MetricValue::Histogram(HistogramValue::from_counts(
            &[0.5, 1.0, f64::INFINITY],
            &[1, 1, 0],
            Some(1.2),
        )),
    );
    m.exemplars
        .push(Exemplar::new(labels(&[("trace.id", "ab")]), 0.3).in_bucket(0.5));
    hist.push_metric(m).unwrap();
    let mut unlabelled = MetricFamily::new("temp.°C", "", MetricType::Gauge).unwrap();
    unlabelled
        .push(LabelSet::default(), MetricValue::Gauge(21.0))
        .unwrap();
    vec![counter, gauge, hist, unlabelled]
}

/// (family name, type, each series' labels and value) of `families`.
fn shape(families: &[MetricFamily]) -> Vec<(String, MetricType, Vec<String>)> {
    families
        .iter()
        .map(|f| {
            let series = f
                .metrics
                .iter()
                .map(|m| format!("{:?} {:?}", m.labels.iter().collect::<Vec<_>>(), m.value))
                .collect();
            (f.name.to_string(), f.metric_type, series)
        })
        .collect()
}

#[test]
fn utf8_output_parses_back_to_the_same_names() {
    let fams = families();
    let text = Encoder::text_1_0_0()
        .with_escaping(Escaping::AllowUtf8)
        .encode_to_string(&fams)
        .unwrap();
    assert!(
        text.contains("{\"my.metric_total\",\"label.x\"=\"v\",code=\"200\"} 3\n"),
        "{text}"
    );
    assert!(
        text.contains("foo{\"größe\"=\"1\",\"🔥\"=\"hot\"} 1.5\n"),
        "{text}"
    );
    assert_eq!(shape(&parse_text(&text).unwrap()), shape(&fams));
    let om = Encoder::openmetrics()
        .with_escaping(Escaping::AllowUtf8)
        .encode_to_string(&fams)
        .unwrap();
    assert!(
        om.contains("# TYPE \"temp.°C\" gauge\n{\"temp.°C\"} 21\n"),
        "{om}"
    );
    let parsed = parse_openmetrics(&om).unwrap();
    assert_eq!(shape(&parsed), shape(&fams));
    let exemplar = &parsed[2].metrics[0].exemplars[0];
    assert_eq!(exemplar.labels.get("trace.id"), Some("ab"));
    assert_eq!(parsed[0].metrics[0].created, Some(1_700_000_000.5));
}

#[test]
fn quoted_names_are_read_where_the_syntax_allows_them() {
    let text = "# HELP \"my.metric\" A help.\n# TYPE \"my.metric\" gauge\n\
                { \"my.metric\" , \"a.b\" = \"1\" , c=\"2\", } 1\n\
                {\"my.metric\"} 2\n\
                other{\"x y\"=\"3\"} 4 1000\n\
                \"quoted\"_is_not_a_name 1\n";
    let err = parse_text(text).unwrap_err();
    assert_eq!(err.line(), 6);
    let fams = parse_text(&text[..text.rfind("\"quoted\"").unwrap()]).unwrap();
    assert_eq!(&*fams[0].name, "my.metric");
    assert_eq!(&*fams[0].help, "A help.");
    assert_eq!(fams[0].metric_type, MetricType::Gauge);
    assert_eq!(fams[0].metrics[0].labels.get("a.b"), Some("1"));
    assert_eq!(fams[0].metrics[0].labels.get("c"), Some("2"));
    assert_eq!(fams[0].metrics[1].labels.len(), 0);
    assert_eq!(fams[1].metrics[0].labels.get("x y"), Some("3"));

    let om = "# TYPE \"req.x_s\" histogram\n# UNIT \"req.x_s\" s\n\
              {\"req.x_s_bucket\",le=\"+Inf\"} 2\n{\"req.x_s_count\"} 2\n{\"req.x_s_sum\"} 1\n\
              # TYPE \"c.x\" counter\n{\"c.x_total\"} 1 # {\"trace.id\"=\"t\"} 1\n# EOF\n";
    let fams = parse_openmetrics(om).unwrap();
    assert_eq!(&*fams[0].name, "req.x_s");
    assert_eq!(fams[0].unit.as_deref(), Some("s"));
    assert_eq!(&*fams[1].name, "c.x");
    assert_eq!(
        fams[1].metrics[0].exemplars[0].labels.get("trace.id"),
        Some("t")
    );
}

#[test]
fn malformed_quoted_names_get_the_line_and_the_reason() {
    let cases: [(&str, usize, &str); 7] = [
        (
            "{\"unterminated} 1\n",
            1,
            "a closing '\"' ending the quoted metric name",
        ),
        ("{\"\"} 1\n", 1, "a non-empty quoted metric name"),
        (
            "x 1\n{\"a\\qb\"} 1\n",
            2,
            "an escape sequence \\\\, \\\" or \\n in the quoted metric name",
        ),
        (
            "{\"a\"=\"b\"} 1\n",
            1,
            "a metric name: before the braces, or quoted first in them",
        ),
        (
            "{\"a\" \"b\"} 1\n",
            1,
            "',' or '}' after the quoted metric name",
        ),
        (
            "x{\"a} 1\n",
            1,
            "a closing '\"' ending the quoted label name",
        ),
        (
            "# TYPE \"x gauge\n",
            1,
            "a closing '\"' ending the quoted metric name",
        ),
    ];
    for (input, line, expected) in cases {
        let err = parse_text(input).unwrap_err();
        assert_eq!((err.line(), err.expected()), (line, expected), "{input:?}");
        let om = format!("{input}# EOF\n");
        let err = parse_openmetrics(&om).unwrap_err();
        assert_eq!(err.line(), line, "{om:?}: {err}");
    }
    // OpenMetrics allows no trailing comma after the quoted name either.
    let err = parse_openmetrics("{\"a.b\",} 1\n# EOF\n").unwrap_err();
    assert_eq!(err.expected(), "a label name after ','");
    assert!(parse_text("{\"a.b\",} 1\n").is_ok());
}

#[test]
fn quoted_names_holding_quotes_backslashes_and_newlines_read_back() {
    let name = "say \"hi\"\\now\nplease";
    let label = "la\"bel\\x";
    let mut fam = MetricFamily::new(name, "", MetricType::Gauge).unwrap();
    fam.push(
        LabelSet::from_pairs([(label, "v\"1")]).unwrap(),
        MetricValue::Gauge(1.0),
    )
    .unwrap();
    for encoder in [
        Encoder::text_1_0_0().with_escaping(Escaping::AllowUtf8),
        Encoder::openmetrics().with_escaping(Escaping::AllowUtf8),
    ] {
        let text = encoder
            .encode_to_string(std::slice::from_ref(&fam))
            .unwrap();
        assert!(
            text.contains("{\"say \\\"hi\\\"\\\\now\\nplease\""),
            "{text}"
        );
        let read = if text.ends_with("# EOF\n") {
            parse_openmetrics(&text)
        } else {
            parse_text(&text)
        }
        .unwrap();
        assert_eq!(read, [fam.clone()], "{text}");
    }
}
