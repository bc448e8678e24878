//! The helpers for users' tests: `Comparison` (what a collector exposes
//! against an expected exposition, with a diff) and `lint` (promlint's
//! naming conventions).

use prom_codec::lint::{lint, lint_text};
use prom_codec::{Comparison, Mismatch};
use prom_core::{collect, CounterVec, Gauge, HistogramVec, Opts};

fn requests() -> CounterVec {
    let c = CounterVec::new(Opts::new("requests", "Requests.").labels(["method", "code"])).unwrap();
    c.with_label_values(&["GET", "200"])
        .unwrap()
        .inc_by(2.0)
        .unwrap();
    c.with_label_values(&["POST", "500"]).unwrap().inc();
    c
}

#[test]
fn an_equal_exposition_passes_whatever_its_spacing_spelling_and_label_order() {
    Comparison::new(
        "
        # HELP requests_total Requests.
        # TYPE requests_total counter
        requests_total{code=\"200\",method=\"GET\"}   2.0
        requests_total{method=\"POST\", code=\"500\"} 1e0
        ",
    )
    .check(&requests())
    .unwrap();
}

#[test]
fn a_different_value_fails_with_a_diff_of_the_lines_that_differ() {
    let err = Comparison::new(
        "# HELP requests_total Requests.\n# TYPE requests_total counter\n\
         requests_total{method=\"GET\",code=\"200\"} 3\nrequests_total{method=\"POST\",code=\"500\"} 1\n",
    )
    .check(&requests())
    .unwrap_err();
    let Mismatch::Differ { diff } = &err else {
        panic!("{err}")
    };
    assert!(diff.contains("--- expected\n+++ exposed\n"), "{diff}");
    assert!(
        // Labels are written in name order on both sides.
        diff.contains("-requests_total{code=\"200\",method=\"GET\"} 3\n+requests_total{code=\"200\",method=\"GET\"} 2\n"),
        "{diff}"
    );
    assert!(!diff.contains("-requests_total{code=\"500\""), "{diff}");
}

#[test]
fn help_order_and_other_families_are_ignored_only_when_asked() {
    let both = requests();
    let expected = "# TYPE requests_total counter\n\
                    requests_total{method=\"POST\",code=\"500\"} 1\n\
                    requests_total{method=\"GET\",code=\"200\"} 2\n";
    assert!(Comparison::new(expected).check(&both).is_err());
    assert!(Comparison::new(expected)
        .ignore_help()
        .check(&both)
        .is_err());
    Comparison::new(expected)
        .ignore_help()
        .any_order()
        .check(&both)
        .unwrap();
    // Only the families named are compared, on both sides.
    let up = Gauge::new("up", "Up.").unwrap();
    up.set(1.0);
    let parts: [&dyn prom_core::Collector; 2] = [&both, &up];
    let registry = prom_registry_like(&parts);
    Comparison::new("# HELP up Up.\n# TYPE up gauge\nup 1\n")
        .only(&["up"])
        .check(&registry)
        .unwrap();
}

/// Two collectors as one.
fn prom_registry_like<'a>(
    parts: &'a [&'a dyn prom_core::Collector],
) -> impl prom_core::Collector + 'a {
    prom_core::FnCollector::new(move |out: &mut Vec<prom_core::MetricFamily>| {
        for p in parts {
            out.extend(collect(*p)?);
        }
        Ok(())
    })
}

#[test]
fn an_expected_exposition_that_does_not_parse_is_named_as_such() {
    let err = Comparison::new("requests_total{ 1\n")
        .check(&requests())
        .unwrap_err();
    assert!(matches!(err, Mismatch::Expected(_)));
    assert!(err
        .to_string()
        .starts_with("the expected exposition does not parse: line 1"));
}

#[test]
fn lint_finds_what_promlint_finds() {
    let cases: [(&str, &str, &[&str]); 6] = [
        ("http_request_seconds", "Latency.", &[]),
        (
            "httpRequests",
            "x",
            &["metric names should be written in 'snake_case' not 'camelCase'"],
        ),
        (
            "queue_gauge",
            "x",
            &["metric name should not include type 'gauge'"],
        ),
        (
            "latency_milliseconds",
            "x",
            &["use base unit \"seconds\" instead of \"milliseconds\""],
        ),
        (
            "errors_total",
            "x",
            &["non-counter metrics should not have \"_total\" suffix"],
        ),
        (
            "request_seconds_latency",
            "x",
            &["the unit \"seconds\" should end the name (before a counter's \"_total\")"],
        ),
    ];
    for (name, help, want) in cases {
        let g = Gauge::new(name, help).unwrap();
        let got: Vec<String> = lint(&collect(&g).unwrap())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(got, want, "{name}");
    }
    let h = HistogramVec::new(Opts::new("size", "").labels(["pageName"])).unwrap();
    h.with_label_values(&["/"]).unwrap().observe(1.0);
    let got: Vec<String> = lint(&collect(&h).unwrap())
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(
        got,
        [
            "no help text",
            "label names should be written in 'snake_case' not 'camelCase': \"pageName\""
        ]
    );
}

#[test]
fn lint_text_finds_counters_without_total() {
    let page = "# HELP a A.\n# TYPE a counter\na 1\n# HELP b_total B.\n# TYPE b_total counter\nb_total 1\n";
    let problems = lint_text(page).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].metric, "a");
}
