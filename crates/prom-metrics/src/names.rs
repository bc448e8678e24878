//! How `metrics` names, label names and units become Prometheus ones.
//!
//! `metrics` takes any string as a name; Prometheus takes
//! `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names and `[a-zA-Z_][a-zA-Z0-9_]*`
//! for label names, neither starting with `__`. The mapping is total (every
//! string maps to a valid name) and leaves valid names as they are.

use std::borrow::Cow;

use metrics::Unit;
use prom_core::MetricType;

/// The Prometheus metric name for a `metrics` name: every character outside
/// `[a-zA-Z0-9_:]` becomes `_` (so `http.server-requests` becomes
/// `http_server_requests`), a name that then starts with a digit or is empty
/// gets a leading `_` (`9lives` becomes `_9lives`), and a leading run of
/// underscores is cut to one (`__x` is reserved: it becomes `_x`).
///
/// ```
/// use prom_metrics::metric_name;
/// assert_eq!(metric_name("http.server-requests"), "http_server_requests");
/// assert_eq!(metric_name("9lives"), "_9lives");
/// assert_eq!(metric_name("__x"), "_x");
/// assert_eq!(metric_name("größe"), "gr__e");
/// assert_eq!(metric_name("jobs_total"), "jobs_total"); // valid names stay as they are
/// ```
pub fn metric_name(name: &str) -> Cow<'_, str> {
    map(name, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b':'
    })
}

/// The Prometheus label name for a `metrics` label key, by the rule of
/// [`metric_name`] except that `:` is not allowed either (`db:shard`
/// becomes `db_shard`).
///
/// ```
/// use prom_metrics::label_name;
/// assert_eq!(label_name("http.method"), "http_method");
/// assert_eq!(label_name("db:shard"), "db_shard");
/// assert_eq!(label_name("1st"), "_1st");
/// assert_eq!(label_name("__name__"), "_name__");
/// ```
pub fn label_name(name: &str) -> Cow<'_, str> {
    map(name, |b| b.is_ascii_alphanumeric() || b == b'_')
}

/// [`label_name`], and then a name the metric type reserves (`le` on
/// histograms) gets the prefix `exported_`, as Prometheus renames a
/// target's label that collides with one of its own.
pub(crate) fn label_name_for(name: &str, metric_type: MetricType) -> Cow<'_, str> {
    let mapped = label_name(name);
    if metric_type == MetricType::Histogram && mapped == "le" {
        Cow::Owned(format!("exported_{mapped}"))
    } else {
        mapped
    }
}

fn map(name: &str, allowed: impl Fn(u8) -> bool) -> Cow<'_, str> {
    let valid = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || (b == b':' && allowed(b)))
        && name.bytes().all(&allowed)
        && !name.starts_with("__");
    if valid {
        return Cow::Borrowed(name);
    }
    let mut out: String = name
        .chars()
        .map(|c| match u8::try_from(c) {
            Ok(b) if allowed(b) => c,
            _ => '_',
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    let underscores = out.len() - out.trim_start_matches('_').len();
    if underscores > 1 {
        out.drain(..underscores - 1);
    }
    Cow::Owned(out)
}

/// The name suffix (and OpenMetrics `# UNIT`) of a `metrics` unit: its name
/// as [`Unit::as_str`] spells it, `seconds`, `bytes`, `milliseconds`,
/// `kibibytes`, `percent`, `bits_per_second` and so on; none for
/// [`Unit::Count`], since Prometheus counts have no unit.
///
/// Values are not converted: a histogram described in
/// [`Unit::Milliseconds`] is exposed as `<name>_milliseconds` with the
/// values recorded. Only `seconds` and `bytes` are Prometheus base units, so
/// record in those where you can.
///
/// ```
/// use metrics::Unit;
/// use prom_metrics::unit_suffix;
/// assert_eq!(unit_suffix(Unit::Seconds), Some("seconds"));
/// assert_eq!(unit_suffix(Unit::Bytes), Some("bytes"));
/// assert_eq!(unit_suffix(Unit::Milliseconds), Some("milliseconds"));
/// assert_eq!(unit_suffix(Unit::Count), None);
/// ```
pub fn unit_suffix(unit: Unit) -> Option<&'static str> {
    match unit {
        Unit::Count => None,
        other => Some(other.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_names_are_valid() {
        for name in [
            "", "9", "_", "__", "___x", ".", "a.b", "a-b", "é", "1.5", ":", "::x", "a:b", "_9",
            "__9", "le",
        ] {
            let m = metric_name(name);
            assert!(
                prom_core::validate_metric_name(&m).is_ok(),
                "{name:?} -> {m:?}"
            );
            let l = label_name(name);
            assert!(
                prom_core::validate_label_name(&l).is_ok(),
                "{name:?} -> {l:?}"
            );
        }
        assert_eq!(metric_name(""), "_");
        assert_eq!(metric_name("::x"), "::x");
        assert_eq!(label_name("::x"), "_x");
        assert_eq!(label_name(":"), "_");
    }

    #[test]
    fn reserved_label_names_are_exported() {
        assert_eq!(label_name_for("le", MetricType::Histogram), "exported_le");
        assert_eq!(label_name_for("le", MetricType::Counter), "le");
    }
}
