//! Validation of metric names, label names and units, and the
//! process-wide switch between UTF-8 names and the legacy character set.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::{Error, MetricType};

/// Which names [`validate_metric_name`] and [`validate_label_name`] accept,
/// for the whole process (client_golang's `model.NameValidationScheme`).
///
/// Prometheus 3 takes any UTF-8 name and negotiates with each scraper how
/// names outside the legacy character set are written (quoted, or escaped:
/// the encoders of `prom-codec` do it), so [`NameValidation::Utf8`] is the
/// default. [`NameValidation::Legacy`] keeps names to what every Prometheus
/// before 3.0 reads, unescaped.
///
/// ```
/// use prom_core::{name_validation, NameValidation};
/// assert_eq!(name_validation(), NameValidation::Utf8);
/// assert!(prom_core::Gauge::new("http.requests", "").is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NameValidation {
    /// Any non-empty UTF-8 name (the default); label names starting with
    /// `__` stay reserved.
    #[default]
    Utf8,
    /// Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names
    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    Legacy,
}

/// The process-wide [`NameValidation`]: 0 for UTF-8, 1 for legacy. A plain
/// `std` atomic, not the `sync` module's: it is read once per name checked,
/// never on a hot path, and loom models do not change it.
static VALIDATION: AtomicU8 = AtomicU8::new(0);

/// Sets which names are valid from now on, for the whole process. Metrics
/// already created keep their names. Set it once, at start-up, before any
/// metric is created: tests that change it should run in a process of
/// their own (an integration-test file with one test).
///
/// ```
/// use prom_core::{set_name_validation, NameValidation};
/// set_name_validation(NameValidation::Legacy);
/// assert!(prom_core::Gauge::new("http.requests", "").is_err());
/// set_name_validation(NameValidation::Utf8);
/// assert!(prom_core::Gauge::new("http.requests", "").is_ok());
/// ```
pub fn set_name_validation(validation: NameValidation) {
    let v = match validation {
        NameValidation::Utf8 => 0,
        NameValidation::Legacy => 1,
    };
    VALIDATION.store(v, Ordering::Relaxed);
}

/// The [`NameValidation`] in force; see [`set_name_validation`].
///
/// ```
/// assert_eq!(prom_core::name_validation(), prom_core::NameValidation::Utf8);
/// ```
pub fn name_validation() -> NameValidation {
    match VALIDATION.load(Ordering::Relaxed) {
        0 => NameValidation::Utf8,
        _ => NameValidation::Legacy,
    }
}

/// Whether `name` matches the legacy metric name set
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`: such a name is written as it is in every
/// exposition format, unquoted and never escaped.
///
/// ```
/// assert!(prom_core::is_legacy_metric_name("http_requests:rate5m"));
/// assert!(!prom_core::is_legacy_metric_name("http.requests"));
/// assert!(!prom_core::is_legacy_metric_name("9lives"));
/// assert!(!prom_core::is_legacy_metric_name(""));
/// ```
pub fn is_legacy_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b':' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        }
        _ => false,
    }
}

/// Whether `name` matches the legacy label name set `[a-zA-Z_][a-zA-Z0-9_]*`
/// (no colon, unlike metric names).
///
/// ```
/// assert!(prom_core::is_legacy_label_name("status_code"));
/// assert!(!prom_core::is_legacy_label_name("a:b"));
/// assert!(!prom_core::is_legacy_label_name("http.method"));
/// ```
pub fn is_legacy_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    }
}

/// Checks a metric name: not empty, not starting with the reserved `__`,
/// and, under [`NameValidation::Legacy`], matching
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
///
/// # Errors
/// [`Error::InvalidMetricName`] naming `name`.
///
/// ```
/// assert!(prom_core::validate_metric_name("http_requests").is_ok());
/// assert!(prom_core::validate_metric_name("http.requests").is_ok()); // UTF-8 names by default
/// assert!(prom_core::validate_metric_name("").is_err());
/// assert!(prom_core::validate_metric_name("__x").is_err());
/// ```
pub fn validate_metric_name(name: &str) -> Result<(), Error> {
    let ok = match name_validation() {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => is_legacy_metric_name(name),
    };
    if ok && !name.starts_with("__") {
        Ok(())
    } else {
        Err(Error::InvalidMetricName { name: name.into() })
    }
}

/// Checks a label name: not empty, not starting with the reserved `__`,
/// and, under [`NameValidation::Legacy`], matching `[a-zA-Z_][a-zA-Z0-9_]*`.
///
/// # Errors
/// [`Error::InvalidLabelName`] or [`Error::ReservedLabelName`] naming `name`.
///
/// ```
/// assert!(prom_core::validate_label_name("http.method").is_ok()); // UTF-8 names by default
/// assert!(prom_core::validate_label_name("").is_err());
/// assert!(prom_core::validate_label_name("__x").is_err());
/// ```
pub fn validate_label_name(name: &str) -> Result<(), Error> {
    let ok = match name_validation() {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => is_legacy_label_name(name),
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

    // The switch is process-wide: the unit tests here only read the
    // default; tests that flip it live in their own integration-test file.

    #[test]
    fn legacy_character_sets() {
        for good in ["a", "_a", ":a", "a:b_c9", "A", "__a"] {
            assert!(is_legacy_metric_name(good), "{good}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "a.", "a\n"] {
            assert!(!is_legacy_metric_name(bad), "{bad}");
        }
        assert!(is_legacy_label_name("a_9"));
        assert!(!is_legacy_label_name("a:b"));
        assert!(!is_legacy_label_name("1a"));
    }

    #[test]
    fn utf8_names_by_default() {
        for good in ["a", "9lives", "a-b", "a b", "é", "a.", "🔥", "a\"b"] {
            assert!(validate_metric_name(good).is_ok(), "{good}");
            assert!(validate_label_name(good).is_ok(), "{good}");
        }
        for bad in ["", "__a"] {
            let err = validate_metric_name(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!(validate_label_name("").is_err());
    }

    #[test]
    fn label_names() {
        assert!(validate_label_name("a:b").is_ok());
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
