//! Naming conventions a Prometheus user expects, checked as client_golang's
//! `promlint` checks them: for tests of exporters, and for reading other
//! programs' pages.

use std::fmt;

use prom_core::{MetricFamily, MetricType};

use crate::{parse_text, ParseError};

/// One convention a family breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The family, by its model name (a counter's without `_total`).
    pub metric: String,
    /// What is wrong, in promlint's words where promlint has them.
    pub text: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.metric, self.text)
    }
}

/// Units that are not base units, with the base unit to use instead.
const SCALED_UNITS: [(&str, &str); 16] = [
    ("nanoseconds", "seconds"),
    ("microseconds", "seconds"),
    ("milliseconds", "seconds"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("kilobytes", "bytes"),
    ("megabytes", "bytes"),
    ("gigabytes", "bytes"),
    ("terabytes", "bytes"),
    ("kibibytes", "bytes"),
    ("mebibytes", "bytes"),
    ("gibibytes", "bytes"),
    ("percent", "ratio"),
    ("fahrenheit", "celsius"),
];

/// Abbreviated units, with the word to write.
const ABBREVIATED_UNITS: [(&str, &str); 10] = [
    ("ms", "milliseconds, in seconds"),
    ("us", "microseconds, in seconds"),
    ("ns", "nanoseconds, in seconds"),
    ("sec", "seconds"),
    ("secs", "seconds"),
    ("min", "minutes, in seconds"),
    ("kb", "kilobytes, in bytes"),
    ("mb", "megabytes, in bytes"),
    ("gb", "gigabytes, in bytes"),
    ("pct", "percent, as a ratio"),
];

/// Base units: the last part of a name that has a unit.
const BASE_UNITS: [&str; 10] = [
    "seconds", "bytes", "ratio", "celsius", "meters", "grams", "joules", "volts", "amperes",
    "kelvin",
];

/// The conventions `families` break, in family order.
///
/// Checked: a help text; snake_case metric and label names; no type name in
/// a metric name; `_total` only on counters and `_count`, `_sum`, `_bucket`
/// only on histograms and summaries; base units (`seconds`, not
/// `milliseconds`), spelled out (`seconds`, not `ms`), and last in the name.
///
/// ```
/// use prom_codec::lint::lint;
/// use prom_core::{collect, Gauge, Histogram, Opts};
/// let ok = Histogram::with_opts(Opts::new("request_seconds", "Request latency.")).unwrap();
/// assert!(lint(&collect(&ok).unwrap()).is_empty());
/// let bad = Gauge::new("requestLatency_ms", "").unwrap();
/// let problems: Vec<String> = lint(&collect(&bad).unwrap()).iter().map(|p| p.text.clone()).collect();
/// assert_eq!(problems, [
///     "no help text",
///     "metric names should be written in 'snake_case' not 'camelCase'",
///     "metric names should not contain abbreviated units: write \"ms\" as milliseconds, in seconds",
/// ]);
/// ```
pub fn lint(families: &[MetricFamily]) -> Vec<Problem> {
    let mut out = Vec::new();
    for f in families {
        let mut problem = |text: String| {
            out.push(Problem {
                metric: f.name.to_string(),
                text,
            });
        };
        let name = &*f.name;
        if f.help.is_empty() {
            problem("no help text".into());
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            problem("metric names should be written in 'snake_case' not 'camelCase'".into());
        }
        let mut labels: Vec<&str> = f
            .metrics
            .iter()
            .flat_map(|m| m.labels.names().iter().map(|n| &**n))
            .filter(|n| n.bytes().any(|b| b.is_ascii_uppercase()))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        for label in labels {
            problem(format!(
                "label names should be written in 'snake_case' not 'camelCase': {label:?}"
            ));
        }
        let lower = name.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split(['_', ':']).collect();
        for type_name in ["counter", "gauge", "histogram", "summary"] {
            if parts.contains(&type_name) {
                problem(format!("metric name should not include type '{type_name}'"));
            }
        }
        if f.metric_type != MetricType::Counter && lower.ends_with("_total") {
            problem("non-counter metrics should not have \"_total\" suffix".into());
        }
        if !matches!(f.metric_type, MetricType::Histogram | MetricType::Summary) {
            for suffix in ["_count", "_sum", "_bucket"] {
                if lower.ends_with(suffix) {
                    problem(format!(
                        "non-histogram and non-summary metrics should not have \"{suffix}\" suffix"
                    ));
                }
            }
        }
        for (scaled, base) in SCALED_UNITS {
            if parts.contains(&scaled) {
                problem(format!("use base unit \"{base}\" instead of \"{scaled}\""));
            }
        }
        for (short, long) in ABBREVIATED_UNITS {
            if parts.contains(&short) {
                problem(format!(
                    "metric names should not contain abbreviated units: write \"{short}\" as {long}"
                ));
            }
        }
        // A counter's parts end before its `_total`, already dropped.
        let last = parts.len().saturating_sub(1);
        if let Some((i, unit)) = parts
            .iter()
            .enumerate()
            .find(|(_, p)| BASE_UNITS.contains(p))
        {
            if i != last && !parts[i + 1..].iter().all(|p| BASE_UNITS.contains(p)) {
                problem(format!(
                    "the unit \"{unit}\" should end the name (before a counter's \"_total\")"
                ));
            }
        }
    }
    out
}

/// [`lint`] for an exposition in text format 0.0.4, plus what only the
/// text shows: a counter whose samples lack the `_total` suffix.
///
/// ```
/// let page = "# HELP jobs Jobs run.\n# TYPE jobs counter\njobs 3\n";
/// let problems = prom_codec::lint::lint_text(page).unwrap();
/// assert_eq!(problems[0].to_string(), "jobs: counter metrics should have \"_total\" suffix");
/// ```
///
/// # Errors
/// The [`ParseError`] of a page that does not parse.
pub fn lint_text(text: &str) -> Result<Vec<Problem>, ParseError> {
    let families = parse_text(text)?;
    let mut out = Vec::new();
    for f in families
        .iter()
        .filter(|f| f.metric_type == MetricType::Counter)
    {
        let total = format!("{}_total", f.name);
        let bare_samples = text.lines().any(|line| {
            let line = line.trim_start();
            !line.starts_with('#')
                && line.starts_with(&*f.name)
                && !line.starts_with(&total)
                && line[f.name.len()..].starts_with([' ', '\t', '{'])
        });
        if bare_samples {
            out.push(Problem {
                metric: f.name.to_string(),
                text: "counter metrics should have \"_total\" suffix".into(),
            });
        }
    }
    out.extend(lint(&families));
    Ok(out)
}
