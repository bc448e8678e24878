//! The process-wide name validation switch: UTF-8 names by default, the
//! legacy character set when asked. The switch is global, so this file
//! holds a single test that flips it in order (a test binary of its own).

use prom_core::{
    name_validation, set_name_validation, Counter, CounterVec, Gauge, LabelSet, MetricFamily,
    MetricType, NameValidation, Opts,
};

#[test]
fn legacy_validation_refuses_what_utf8_accepts() {
    assert_eq!(name_validation(), NameValidation::Utf8);
    let utf8_names = ["my.metric", "9lives", "größe", "🔥", "a-b", "a b"];
    for name in utf8_names {
        assert!(Gauge::new(name, "").is_ok(), "{name}");
        assert!(
            CounterVec::new(Opts::new("x", "").labels([name])).is_ok(),
            "{name}"
        );
        assert!(LabelSet::from_pairs([(name, "v")]).is_ok(), "{name}");
        assert!(
            MetricFamily::new(name, "", MetricType::Gauge).is_ok(),
            "{name}"
        );
    }
    // What stays refused under UTF-8: empty names and the `__` prefix.
    assert_eq!(
        Counter::new("", "").unwrap_err().to_string(),
        "invalid metric name \"\": must not be empty"
    );
    assert!(Gauge::new("__x", "").is_err());
    assert!(CounterVec::new(Opts::new("x", "").labels(["__x"])).is_err());
    assert_eq!(
        CounterVec::new(Opts::new("x", "").labels([""]))
            .unwrap_err()
            .to_string(),
        "invalid label name \"\": must not be empty"
    );
    // `_total` alone leaves an empty family name.
    assert!(Counter::new("_total", "").is_err());

    set_name_validation(NameValidation::Legacy);
    assert_eq!(name_validation(), NameValidation::Legacy);
    for name in utf8_names {
        let err = Gauge::new(name, "").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid metric name {name:?}: must match [a-zA-Z_:][a-zA-Z0-9_:]* and not start with \"__\""
            )
        );
        assert!(
            CounterVec::new(Opts::new("x", "").labels([name])).is_err(),
            "{name}"
        );
        assert!(LabelSet::from_pairs([(name, "v")]).is_err(), "{name}");
    }
    assert!(CounterVec::new(Opts::new("x", "").labels(["a:b"])).is_err());
    assert!(Gauge::new("a:b", "").is_ok());

    set_name_validation(NameValidation::Utf8);
    assert!(Gauge::new("my.metric", "").is_ok());
}
