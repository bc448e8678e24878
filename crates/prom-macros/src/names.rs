//! prom-core's rules for metric names, label names and buckets, applied to
//! the literals of `static_metrics!` when compiling. The messages are
//! prom-core's, word for word; a unit test compares both on many inputs, so
//! the copies cannot drift apart unnoticed.

/// What a static's type says about its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
}

/// Checks a metric name as prom-core's `Descriptor::new` does for `kind`: a
/// counter's trailing `_total` is dropped first, and what is left must be a
/// name too.
pub(crate) fn check_metric_name(name: &str, kind: Kind) -> Result<(), String> {
    metric_name(name)?;
    let family = match kind {
        Kind::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    metric_name(family)
}

fn metric_name(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let ok = match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b':' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        }
        _ => false,
    };
    if ok && !name.starts_with("__") {
        Ok(())
    } else {
        Err(format!(
            "invalid metric name {name:?}: must match [a-zA-Z_:][a-zA-Z0-9_:]* and not start with \"__\""
        ))
    }
}

/// Checks one label name among `names[..=i]`: valid, not reserved for
/// `kind`, not given before.
pub(crate) fn check_label_name(names: &[String], i: usize, kind: Kind) -> Result<(), String> {
    let name = names[i].as_str();
    let mut bytes = name.bytes();
    let ok = match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    };
    if !ok {
        return Err(format!(
            "invalid label name {name:?}: must match [a-zA-Z_][a-zA-Z0-9_]*"
        ));
    }
    let reserved = if name.starts_with("__") {
        Some("names starting with \"__\" are reserved for Prometheus' internal use")
    } else if kind == Kind::Histogram && name == "le" {
        Some("\"le\" holds the bucket bound on histograms")
    } else if kind == Kind::Summary && name == "quantile" {
        Some("\"quantile\" holds the quantile on summaries")
    } else {
        None
    };
    if let Some(reason) = reserved {
        return Err(format!("reserved label name {name:?}: {reason}"));
    }
    if names[..i].iter().any(|n| n == name) {
        return Err(format!("duplicate label name {name:?}"));
    }
    Ok(())
}

/// Checks histogram bounds as prom-core does: strictly increasing, no NaN,
/// at least one finite bound.
pub(crate) fn check_buckets(bounds: &[f64]) -> Result<(), String> {
    if let Some(i) = bounds.iter().position(|b| b.is_nan()) {
        return Err(format!("invalid histogram buckets: bound #{i} is NaN"));
    }
    if let Some(w) = bounds.windows(2).find(|w| w[0] >= w[1]) {
        return Err(format!(
            "invalid histogram buckets: bounds must be strictly increasing, but {} is followed by {}",
            w[0], w[1]
        ));
    }
    if bounds.iter().all(|b| *b == f64::INFINITY) {
        return Err(
            "invalid histogram buckets: at least one finite bound is needed besides +Inf".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The copies against the originals.

    use super::*;
    use prom_core::{Counter, CounterVec, Gauge, HistogramVec, Opts, SummaryVec};

    const NAMES: &[&str] = &[
        "",
        "a",
        "_",
        ":",
        "__",
        "__a",
        "_a",
        "a_",
        "9lives",
        "a9",
        "my-app",
        "http.requests",
        "größe",
        "a b",
        "a:b",
        "_total",
        "__total",
        "x_total",
        "9_total",
        "total",
        "a_total_total",
        "A",
        "http_requests_total",
    ];

    fn core_error<T>(r: Result<T, prom_core::Error>) -> Result<(), String> {
        r.map(drop).map_err(|e| e.to_string())
    }

    #[test]
    fn metric_names_follow_prom_core() {
        for name in NAMES {
            assert_eq!(
                check_metric_name(name, Kind::Counter),
                core_error(Counter::new(name, "")),
                "counter {name:?}"
            );
            assert_eq!(
                check_metric_name(name, Kind::Gauge),
                core_error(Gauge::new(name, "")),
                "gauge {name:?}"
            );
        }
    }

    fn labels(names: &[&str], kind: Kind) -> Result<(), String> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        (0..names.len()).try_for_each(|i| check_label_name(&names, i, kind))
    }

    #[test]
    fn label_names_follow_prom_core() {
        let mut lists: Vec<Vec<&str>> = NAMES
            .iter()
            .filter(|n| !n.contains(':'))
            .map(|n| vec![*n])
            .collect();
        lists.extend([
            vec!["le"],
            vec!["quantile"],
            vec!["a", "b", "a"],
            vec!["a:b"],
            vec!["a", "__x"],
            vec!["le", "le"],
        ]);
        for list in &lists {
            let opts = || Opts::new("x", "").labels(list.iter().copied());
            assert_eq!(
                labels(list, Kind::Counter),
                core_error(CounterVec::new(opts())),
                "counter {list:?}"
            );
            assert_eq!(
                labels(list, Kind::Histogram),
                core_error(HistogramVec::new(opts())),
                "histogram {list:?}"
            );
            assert_eq!(
                labels(list, Kind::Summary),
                core_error(SummaryVec::new(opts())),
                "summary {list:?}"
            );
        }
    }

    #[test]
    fn buckets_follow_prom_core() {
        let inf = f64::INFINITY;
        let cases: &[&[f64]] = &[
            &[],
            &[inf],
            &[1.0],
            &[1.0, inf],
            &[1.0, 0.5],
            &[0.5, 1.0, 1.0],
            &[-1.0, 0.0, 2.5],
            &[0.1, f64::NAN],
            &[1e300, 1e301],
        ];
        for bounds in cases {
            assert_eq!(
                check_buckets(bounds),
                core_error(HistogramVec::new(
                    Opts::new("x", "").labels(["a"]).buckets(*bounds)
                )),
                "{bounds:?}"
            );
        }
    }
}
