//! Validation of metric names, label names and units.

use crate::{Error, MetricType};

/// Checks a metric name against `[a-zA-Z_:][a-zA-Z0-9_:]*` and the reserved `__` prefix.
///
/// # Errors
/// [`Error::InvalidMetricName`] naming `name`.
///
/// ```
/// assert!(prom_core::validate_metric_name("http_requests").is_ok());
/// assert!(prom_core::validate_metric_name("9lives").is_err());
/// ```
pub fn validate_metric_name(name: &str) -> Result<(), Error> {
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
        Err(Error::InvalidMetricName { name: name.into() })
    }
}

/// Checks a label name against `[a-zA-Z_][a-zA-Z0-9_]*` and the reserved `__` prefix.
///
/// # Errors
/// [`Error::InvalidLabelName`] or [`Error::ReservedLabelName`] naming `name`.
pub fn validate_label_name(name: &str) -> Result<(), Error> {
    let mut bytes = name.bytes();
    let ok = match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    };
    if !ok {
        return Err(Error::InvalidLabelName { name: name.into() });
    }
    if name.starts_with("__") {
        return Err(Error::ReservedLabelName {
            name: name.into(),
            reason: "names starting with \"__\" are reserved for Prometheus' internal use",
        });
    }
    Ok(())
}

/// Checks the label names of a family of type `metric_type`: each valid, none
/// reserved for that type, no duplicates.
///
/// # Errors
/// The first problem found, naming the label.
pub fn validate_label_names<S: AsRef<str>>(
    names: &[S],
    metric_type: MetricType,
) -> Result<(), Error> {
    for (i, name) in names.iter().enumerate() {
        let name = name.as_ref();
        validate_label_name(name)?;
        let reserved = match metric_type {
            MetricType::Histogram | MetricType::GaugeHistogram if name == "le" => {
                Some("\"le\" holds the bucket bound on histograms")
            }
            MetricType::Summary if name == "quantile" => {
                Some("\"quantile\" holds the quantile on summaries")
            }
            _ => None,
        };
        if let Some(reason) = reserved {
            return Err(Error::ReservedLabelName {
                name: name.into(),
                reason,
            });
        }
        if names[..i].iter().any(|n| n.as_ref() == name) {
            return Err(Error::DuplicateLabelName { name: name.into() });
        }
    }
    Ok(())
}

/// Checks a unit: non-empty, `[a-zA-Z0-9_]` only.
///
/// # Errors
/// [`Error::InvalidUnit`] naming `unit`.
pub fn validate_unit(unit: &str) -> Result<(), Error> {
    if !unit.is_empty() && unit.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(Error::InvalidUnit { unit: unit.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        for good in ["a", "_a", ":a", "a:b_c9", "A"] {
            assert!(validate_metric_name(good).is_ok(), "{good}");
        }
        for bad in ["", "9a", "a-b", "a b", "__a", "é", "a."] {
            let err = validate_metric_name(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn label_names() {
        assert!(validate_label_name("a:b").is_err());
        assert!(matches!(
            validate_label_name("__x"),
            Err(Error::ReservedLabelName { .. })
        ));
        assert!(validate_label_names(&["le"], MetricType::Gauge).is_ok());
        assert!(matches!(
            validate_label_names(&["le"], MetricType::Histogram),
            Err(Error::ReservedLabelName { .. })
        ));
        assert!(matches!(
            validate_label_names(&["quantile"], MetricType::Summary),
            Err(Error::ReservedLabelName { .. })
        ));
        assert_eq!(
            validate_label_names(&["a", "b", "a"], MetricType::Counter),
            Err(Error::DuplicateLabelName { name: "a".into() })
        );
    }

    #[test]
    fn units() {
        assert!(validate_unit("seconds").is_ok());
        assert!(validate_unit("").is_err());
        assert!(validate_unit("a b").is_err());
    }
}
