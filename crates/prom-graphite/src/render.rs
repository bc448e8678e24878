//! Metric families to Graphite plaintext lines.

use std::fmt::Write as _;

use prom_codec::canonical_float;
use prom_core::{LabelSet, MetricFamily, MetricValue};

/// How the labels of a series are written into its Graphite line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LabelStyle {
    /// Labels become path segments, sorted by name: `name.label1.value1.label2.value2`, with
    /// every character of a label value outside `[a-zA-Z0-9_-]` replaced by `_`. This is
    /// client_python's default, and works with any Graphite.
    #[default]
    Path,
    /// Labels become Graphite 1.1 tags, sorted by name: `name;label1=value1;label2=value2`. Tag
    /// values keep every character carbon accepts (see the crate documentation); a label named
    /// `name`, which Graphite reserves for the series name, is sent as `exported_name`.
    Tags,
}

/// The configuration that shapes lines, borrowed from a bridge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Renderer<'a> {
    pub(crate) prefix: Option<&'a str>,
    pub(crate) style: LabelStyle,
}

/// A label to write: its name and its (unsanitised) value.
type Label<'a> = (&'a str, &'a str);

impl Renderer<'_> {
    /// Appends one line per sample of `families` to `out`, stamped `now` (Unix seconds) unless
    /// the series carries its own timestamp.
    pub(crate) fn render_into(&self, out: &mut String, families: &[MetricFamily], now: i64) {
        for family in families {
            let name = &*family.name;
            for metric in &family.metrics {
                let ts = metric.timestamp_ms.map_or(now, |ms| ms.div_euclid(1000));
                let labels = &metric.labels;
                match &metric.value {
                    MetricValue::Counter(v) => self.line(out, name, "_total", labels, None, *v, ts),
                    MetricValue::Gauge(v) | MetricValue::Unknown(v) => {
                        self.line(out, name, "", labels, None, *v, ts);
                    }
                    MetricValue::Histogram(h) => {
                        for b in &h.buckets {
                            let le = canonical_float(b.upper_bound);
                            self.line(
                                out,
                                name,
                                "_bucket",
                                labels,
                                Some(("le", le.as_str())),
                                b.cumulative_count as f64,
                                ts,
                            );
                        }
                        self.line(out, name, "_count", labels, None, h.count as f64, ts);
                        if let Some(sum) = h.sum {
                            self.line(out, name, "_sum", labels, None, sum, ts);
                        }
                    }
                    MetricValue::Summary(s) => {
                        for q in &s.quantiles {
                            let quantile = canonical_float(q.quantile);
                            self.line(
                                out,
                                name,
                                "",
                                labels,
                                Some(("quantile", quantile.as_str())),
                                q.value,
                                ts,
                            );
                        }
                        self.line(out, name, "_count", labels, None, s.count as f64, ts);
                        self.line(out, name, "_sum", labels, None, s.sum, ts);
                    }
                    // A value type added to prom-core later has no Graphite mapping yet.
                    _ => {}
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // One line's parts; a struct would only rename them.
    fn line(
        &self,
        out: &mut String,
        name: &str,
        suffix: &str,
        labels: &LabelSet,
        extra: Option<Label<'_>>,
        value: f64,
        ts: i64,
    ) {
        // Carbon drops NaN datapoints on receipt, so a NaN line would only cost bytes.
        if value.is_nan() {
            return;
        }
        if let Some(prefix) = self.prefix {
            out.push_str(prefix);
            out.push('.');
        }
        push_sanitized(out, name);
        push_sanitized(out, suffix);

        let mut sorted: Vec<Label<'_>> = labels.iter().chain(extra).collect();
        // Stable, so a (rejected by prom-core anyway) duplicate name keeps its order.
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (label, label_value) in sorted {
            // An empty value is an absent label in Prometheus, and would make an empty path
            // segment or a tag carbon rejects.
            if label_value.is_empty() {
                continue;
            }
            match self.style {
                LabelStyle::Path => {
                    out.push('.');
                    push_sanitized(out, label);
                    out.push('.');
                    push_sanitized(out, label_value);
                }
                LabelStyle::Tags => {
                    out.push(';');
                    out.push_str(if label == "name" {
                        "exported_name"
                    } else {
                        label
                    });
                    out.push('=');
                    push_tag_value(out, label_value);
                }
            }
        }
        // Debug is the shortest round-trip form, like Python's float repr: `1.0`, `0.25`,
        // `1e300`, `inf`; carbon parses each with Python's `float()`. Writing to a String
        // cannot fail.
        let _ = writeln!(out, " {value:?} {ts}");
    }
}

/// client_python's `_sanitize`: every character outside `[a-zA-Z0-9_-]` becomes `_`, so a path
/// segment never contains a dot, a space or anything a filesystem path could trip on.
pub(crate) fn push_sanitized(out: &mut String, s: &str) {
    out.extend(s.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '_'
        }
    }));
}

/// A tag value as carbon 1.1 accepts it: `;` (the tag separator), whitespace and control
/// characters (which would split or end the plaintext line) become `_`, and so does a leading
/// `~`, which carbon refuses at the start of a value. Everything else, `=`, `!`, `^`, dots and
/// non-ASCII letters included, is kept.
pub(crate) fn push_tag_value(out: &mut String, s: &str) {
    for (i, c) in s.chars().enumerate() {
        let bad = c == ';' || c.is_whitespace() || c.is_control() || (i == 0 && c == '~');
        out.push(if bad { '_' } else { c });
    }
}

/// Whether `prefix` can start every line: dot-separated non-empty segments without whitespace,
/// control characters or `;`.
pub(crate) fn valid_prefix(prefix: &str) -> bool {
    prefix.split('.').all(|segment| {
        !segment.is_empty()
            && !segment
                .chars()
                .any(|c| c == ';' || c.is_whitespace() || c.is_control())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prom_core::{Bucket, HistogramValue, Metric, MetricType, Quantile, SummaryValue};

    fn render(style: LabelStyle, prefix: Option<&str>, families: &[MetricFamily]) -> String {
        let mut out = String::new();
        Renderer { prefix, style }.render_into(&mut out, families, 1_700_000_000);
        out
    }

    fn family(name: &str, t: MetricType, labels: &[(&str, &str)], v: MetricValue) -> MetricFamily {
        let mut f = MetricFamily::new(name, "help", t).unwrap();
        f.push(LabelSet::from_pairs(labels.iter().copied()).unwrap(), v)
            .unwrap();
        f
    }

    #[test]
    fn sanitising_keeps_only_alphanumerics_underscore_and_dash() {
        let mut s = String::new();
        push_sanitized(&mut s, "a.b c/d:e-f_g\u{e9}\u{1f600}");
        assert_eq!(s, "a_b_c_d_e-f_g__");
    }

    #[test]
    fn tag_values_lose_only_what_carbon_refuses() {
        let mut s = String::new();
        push_tag_value(&mut s, "~a=b!c^d.e;f g\th\u{e9}~");
        assert_eq!(s, "_a=b!c^d.e_f_g_h\u{e9}~");
        let mut s = String::new();
        push_tag_value(&mut s, "x\u{a0}y\u{1f}z\n");
        assert_eq!(s, "x_y_z_");
    }

    #[test]
    fn prefixes_are_dot_separated_segments() {
        for ok in ["app", "a.b", "a-b.c_d", "~x.y"] {
            assert!(valid_prefix(ok), "{ok}");
        }
        for bad in ["", ".a", "a.", "a..b", "a b", "a;b", "a\nb"] {
            assert!(!valid_prefix(bad), "{bad:?}");
        }
    }

    #[test]
    fn paths_sort_labels_and_sanitise_values() {
        let f = family(
            "http_requests",
            MetricType::Counter,
            &[("path", "/api/v1"), ("method", "GET"), ("code", "")],
            MetricValue::Counter(3.0),
        );
        assert_eq!(
            render(LabelStyle::Path, Some("app.web"), &[f]),
            "app.web.http_requests_total.method.GET.path._api_v1 3.0 1700000000\n"
        );
    }

    #[test]
    fn colons_in_names_become_underscores() {
        let f = family("job:rate", MetricType::Gauge, &[], MetricValue::Gauge(0.5));
        assert_eq!(
            render(LabelStyle::Path, None, &[f]),
            "job_rate 0.5 1700000000\n"
        );
    }

    #[test]
    fn histogram_buckets_carry_le_among_the_sorted_labels() {
        let h = HistogramValue {
            buckets: vec![
                Bucket {
                    upper_bound: 0.1,
                    cumulative_count: 1,
                },
                Bucket {
                    upper_bound: 1.0,
                    cumulative_count: 2,
                },
                Bucket {
                    upper_bound: 1e6,
                    cumulative_count: 2,
                },
                Bucket {
                    upper_bound: f64::INFINITY,
                    cumulative_count: 3,
                },
            ],
            count: 3,
            sum: Some(7.25),
        };
        let f = family(
            "lat",
            MetricType::Histogram,
            &[("z", "1"), ("a", "2")],
            MetricValue::Histogram(h),
        );
        assert_eq!(
            render(LabelStyle::Path, None, std::slice::from_ref(&f)),
            "lat_bucket.a.2.le.0_1.z.1 1.0 1700000000\n\
             lat_bucket.a.2.le.1_0.z.1 2.0 1700000000\n\
             lat_bucket.a.2.le.1e_06.z.1 2.0 1700000000\n\
             lat_bucket.a.2.le._Inf.z.1 3.0 1700000000\n\
             lat_count.a.2.z.1 3.0 1700000000\n\
             lat_sum.a.2.z.1 7.25 1700000000\n"
        );
        assert_eq!(
            render(LabelStyle::Tags, None, &[f]),
            "lat_bucket;a=2;le=0.1;z=1 1.0 1700000000\n\
             lat_bucket;a=2;le=1.0;z=1 2.0 1700000000\n\
             lat_bucket;a=2;le=1e+06;z=1 2.0 1700000000\n\
             lat_bucket;a=2;le=+Inf;z=1 3.0 1700000000\n\
             lat_count;a=2;z=1 3.0 1700000000\n\
             lat_sum;a=2;z=1 7.25 1700000000\n"
        );
    }

    #[test]
    fn histograms_without_sum_write_no_sum_line() {
        let h = HistogramValue {
            buckets: vec![
                Bucket {
                    upper_bound: -1.0,
                    cumulative_count: 0,
                },
                Bucket {
                    upper_bound: f64::INFINITY,
                    cumulative_count: 0,
                },
            ],
            count: 0,
            sum: None,
        };
        let f = family("neg", MetricType::Histogram, &[], MetricValue::Histogram(h));
        assert_eq!(
            render(LabelStyle::Path, None, &[f]),
            "neg_bucket.le.-1_0 0.0 1700000000\n\
             neg_bucket.le._Inf 0.0 1700000000\n\
             neg_count 0.0 1700000000\n"
        );
    }

    #[test]
    fn summaries_write_quantiles_count_and_sum() {
        let s = SummaryValue {
            count: 4,
            sum: 10.0,
            quantiles: vec![Quantile {
                quantile: 0.99,
                value: 3.5,
            }],
        };
        let f = family("rpc", MetricType::Summary, &[], MetricValue::Summary(s));
        assert_eq!(
            render(LabelStyle::Path, None, &[f]),
            "rpc.quantile.0_99 3.5 1700000000\nrpc_count 4.0 1700000000\nrpc_sum 10.0 1700000000\n"
        );
    }

    #[test]
    fn tags_rename_the_name_label_and_keep_readable_values() {
        let f = family(
            "up",
            MetricType::Gauge,
            &[("name", "db"), ("path", "/a b;c"), ("v", "~1.2")],
            MetricValue::Gauge(1.0),
        );
        assert_eq!(
            render(LabelStyle::Tags, Some("p"), &[f]),
            "p.up;exported_name=db;path=/a_b_c;v=_1.2 1.0 1700000000\n"
        );
    }

    #[test]
    fn nan_is_skipped_and_infinities_and_extremes_use_float_repr() {
        let mut f = MetricFamily::new("g", "", MetricType::Gauge).unwrap();
        for (i, v) in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            1.5e-7,
            -0.0,
        ]
        .into_iter()
        .enumerate()
        {
            let i = i.to_string();
            f.push(
                LabelSet::from_pairs([("i", i.as_str())]).unwrap(),
                MetricValue::Gauge(v),
            )
            .unwrap();
        }
        assert_eq!(
            render(LabelStyle::Path, None, &[f]),
            "g.i.1 inf 1700000000\n\
             g.i.2 -inf 1700000000\n\
             g.i.3 1e300 1700000000\n\
             g.i.4 1.5e-7 1700000000\n\
             g.i.5 -0.0 1700000000\n"
        );
    }

    #[test]
    fn a_series_timestamp_wins_over_now() {
        let mut f = MetricFamily::new("g", "", MetricType::Gauge).unwrap();
        f.push_metric(
            Metric::new(LabelSet::empty(), MetricValue::Gauge(1.0))
                .with_timestamp_ms(1_600_000_000_999),
        )
        .unwrap();
        f.push_metric(
            Metric::new(LabelSet::empty(), MetricValue::Gauge(2.0)).with_timestamp_ms(-1500),
        )
        .unwrap();
        assert_eq!(
            render(LabelStyle::Path, None, &[f]),
            "g 1.0 1600000000\ng 2.0 -2\n"
        );
    }
}
