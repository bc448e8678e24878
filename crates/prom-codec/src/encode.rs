//! The text 0.0.4 and OpenMetrics 1.0.0 writers.

use std::io::{self, Write};

use prom_core::{
    HistogramValue, LabelSet, Metric, MetricFamily, MetricType, MetricValue, SummaryValue,
};

use crate::number::{canonical_float, write_i64, write_u64, write_value, CanonicalFloat};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    OpenMetrics,
}

/// Writes `s` with `\`, newline and (when `quote`) `"` escaped.
#[inline]
fn write_escaped<W: Write + ?Sized>(w: &mut W, s: &str, quote: bool) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'"' if quote => b"\\\"",
            _ => continue,
        };
        w.write_all(&bytes[start..i])?;
        w.write_all(esc)?;
        start = i + 1;
    }
    w.write_all(&bytes[start..])
}

/// The label appended after a series' own labels: `le` or `quantile`.
type Extra<'a> = Option<(&'a str, &'a CanonicalFloat)>;

struct Writer<'w, W: Write + ?Sized> {
    w: &'w mut W,
    format: Format,
}

impl<W: Write + ?Sized> Writer<'_, W> {
    fn labels(&mut self, labels: &LabelSet, extra: Extra<'_>) -> io::Result<()> {
        if labels.is_empty() && extra.is_none() {
            return Ok(());
        }
        self.w.write_all(b"{")?;
        let mut first = true;
        for (name, value) in labels.iter() {
            if !first {
                self.w.write_all(b",")?;
            }
            first = false;
            self.w.write_all(name.as_bytes())?;
            self.w.write_all(b"=\"")?;
            write_escaped(self.w, value, true)?;
            self.w.write_all(b"\"")?;
        }
        if let Some((name, value)) = extra {
            if !first {
                self.w.write_all(b",")?;
            }
            self.w.write_all(name.as_bytes())?;
            self.w.write_all(b"=\"")?;
            self.w.write_all(value.as_bytes())?;
            self.w.write_all(b"\"")?;
        }
        self.w.write_all(b"}")
    }

    fn timestamp(&mut self, m: &Metric) -> io::Result<()> {
        if let Some(ms) = m.timestamp_ms {
            self.w.write_all(b" ")?;
            match self.format {
                Format::Text => write_i64(self.w, ms)?,
                // OpenMetrics timestamps are seconds.
                Format::OpenMetrics => write_value(self.w, ms as f64 / 1000.0)?,
            }
        }
        Ok(())
    }

    fn head(&mut self, name: &str, suffix: &str, m: &Metric, extra: Extra<'_>) -> io::Result<()> {
        self.w.write_all(name.as_bytes())?;
        self.w.write_all(suffix.as_bytes())?;
        self.labels(&m.labels, extra)?;
        self.w.write_all(b" ")
    }

    fn float(
        &mut self,
        name: &str,
        suffix: &str,
        m: &Metric,
        extra: Extra<'_>,
        v: f64,
    ) -> io::Result<()> {
        self.head(name, suffix, m, extra)?;
        write_value(self.w, v)?;
        self.timestamp(m)?;
        self.w.write_all(b"\n")
    }

    fn count(
        &mut self,
        name: &str,
        suffix: &str,
        m: &Metric,
        extra: Extra<'_>,
        v: u64,
    ) -> io::Result<()> {
        self.head(name, suffix, m, extra)?;
        write_u64(self.w, v)?;
        self.timestamp(m)?;
        self.w.write_all(b"\n")
    }

    fn created(&mut self, name: &str, m: &Metric) -> io::Result<()> {
        match (self.format, m.created) {
            (Format::OpenMetrics, Some(created)) => self.float(name, "_created", m, None, created),
            _ => Ok(()),
        }
    }

    fn family(&mut self, fam: &MetricFamily) -> io::Result<()> {
        let name: &str = &fam.name;
        // Text 0.0.4 names a counter family by its sample name.
        let suffix = match (self.format, fam.metric_type) {
            (Format::Text, MetricType::Counter) => "_total",
            _ => "",
        };
        if !fam.help.is_empty() {
            self.w.write_all(b"# HELP ")?;
            self.w.write_all(name.as_bytes())?;
            self.w.write_all(suffix.as_bytes())?;
            self.w.write_all(b" ")?;
            write_escaped(self.w, &fam.help, self.format == Format::OpenMetrics)?;
            self.w.write_all(b"\n")?;
        }
        self.w.write_all(b"# TYPE ")?;
        self.w.write_all(name.as_bytes())?;
        self.w.write_all(suffix.as_bytes())?;
        self.w.write_all(b" ")?;
        self.w.write_all(match (self.format, fam.metric_type) {
            (Format::Text, MetricType::Unknown) => b"untyped",
            (_, t) => t.as_str().as_bytes(),
        })?;
        self.w.write_all(b"\n")?;
        if let (Format::OpenMetrics, Some(unit)) = (self.format, &fam.unit) {
            self.w.write_all(b"# UNIT ")?;
            self.w.write_all(name.as_bytes())?;
            self.w.write_all(b" ")?;
            self.w.write_all(unit.as_bytes())?;
            self.w.write_all(b"\n")?;
        }
        for m in &fam.metrics {
            match &m.value {
                MetricValue::Counter(v) => {
                    self.float(name, "_total", m, None, *v)?;
                    self.created(name, m)?;
                }
                MetricValue::Gauge(v) | MetricValue::Unknown(v) => {
                    self.float(name, "", m, None, *v)?
                }
                MetricValue::Histogram(h) => self.histogram(name, m, h)?,
                MetricValue::Summary(s) => self.summary(name, m, s)?,
                // The model may grow; a value this writer does not know is left out
                // rather than written wrongly.
                _ => {}
            }
        }
        Ok(())
    }

    fn histogram(&mut self, name: &str, m: &Metric, h: &HistogramValue) -> io::Result<()> {
        for b in &h.buckets {
            let le = canonical_float(b.upper_bound);
            self.count(name, "_bucket", m, Some(("le", &le)), b.cumulative_count)?;
        }
        match (self.format, h.sum) {
            (_, Some(sum)) => {
                self.count(name, "_count", m, None, h.count)?;
                self.float(name, "_sum", m, None, sum)?;
            }
            // Text 0.0.4 has no rule against a lone _count, and it keeps
            // rate(x_count) working.
            (Format::Text, None) => self.count(name, "_count", m, None, h.count)?,
            // OpenMetrics: _count appears if and only if _sum does, and
            // _sum is forbidden when observations can be negative.
            (Format::OpenMetrics, None) => {}
        }
        self.created(name, m)
    }

    fn summary(&mut self, name: &str, m: &Metric, s: &SummaryValue) -> io::Result<()> {
        for q in &s.quantiles {
            let quantile = canonical_float(q.quantile);
            self.float(name, "", m, Some(("quantile", &quantile)), q.value)?;
        }
        self.count(name, "_count", m, None, s.count)?;
        self.float(name, "_sum", m, None, s.sum)?;
        self.created(name, m)
    }
}

pub(crate) fn encode<W: Write + ?Sized>(
    format: Format,
    families: &[MetricFamily],
    w: &mut W,
) -> io::Result<()> {
    let mut writer = Writer { w, format };
    for fam in families {
        writer.family(fam)?;
    }
    if format == Format::OpenMetrics {
        writer.w.write_all(b"# EOF\n")?;
    }
    Ok(())
}
