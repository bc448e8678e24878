//! The text 0.0.4 and OpenMetrics 1.0.0 writers.

use std::io::{self, Write};

use prom_core::{
    visit_families, FamilyRef, LabelsRef, MetricFamily, MetricType, SeriesRef, ValueRef,
    VisitError, Visitor,
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

/// Writes families as a [`Visitor`]: from snapshots through
/// [`visit_families`], or straight from live metrics through
/// [`Collector::visit`](prom_core::Collector::visit).
pub(crate) struct Writer<'w, W: Write + ?Sized> {
    w: &'w mut W,
    format: Format,
    /// The current family's name and type (copied: the header is borrowed
    /// only for the `family` call).
    name: String,
    metric_type: MetricType,
    /// The current series' labels rendered once, `{a="x",b="y"` without the
    /// closing brace, for every line of the series (a histogram has many).
    labels: Vec<u8>,
    /// The canonical `le` strings of the last histogram bounds seen: the
    /// series of a histogram family share their bounds.
    le_bounds: Vec<u64>,
    le_strings: Vec<CanonicalFloat>,
    /// Written by the first I/O error, returned by [`Writer::finish`].
    pub(crate) error: Option<io::Error>,
}

impl<'w, W: Write + ?Sized> Writer<'w, W> {
    pub(crate) fn new(w: &'w mut W, format: Format) -> Self {
        Self {
            w,
            format,
            name: String::new(),
            metric_type: MetricType::Unknown,
            labels: Vec::new(),
            le_bounds: Vec::new(),
            le_strings: Vec::new(),
            error: None,
        }
    }

    /// Ends the exposition (`# EOF` for OpenMetrics).
    pub(crate) fn finish(self) -> io::Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.format == Format::OpenMetrics {
            self.w.write_all(b"# EOF\n")?;
        }
        Ok(())
    }

    /// Renders `labels` into `self.labels` (escaped, without the closing
    /// brace; empty for no labels).
    fn render_labels(&mut self, labels: LabelsRef<'_>) {
        self.labels.clear();
        for (i, (name, value)) in labels.iter().enumerate() {
            self.labels.push(if i == 0 { b'{' } else { b',' });
            self.labels.extend_from_slice(name.as_bytes());
            self.labels.extend_from_slice(b"=\"");
            // Writing to a Vec cannot fail.
            let _ = write_escaped(&mut self.labels, value, true);
            self.labels.push(b'"');
        }
    }

    /// Writes the rendered labels plus `extra`, with the braces.
    fn labels(&mut self, extra: Extra<'_>) -> io::Result<()> {
        match (self.labels.is_empty(), extra) {
            (true, None) => Ok(()),
            (true, Some((name, value))) => {
                self.w.write_all(b"{")?;
                self.w.write_all(name.as_bytes())?;
                self.w.write_all(b"=\"")?;
                self.w.write_all(value.as_bytes())?;
                self.w.write_all(b"\"}")
            }
            (false, None) => {
                self.w.write_all(&self.labels)?;
                self.w.write_all(b"}")
            }
            (false, Some((name, value))) => {
                self.w.write_all(&self.labels)?;
                self.w.write_all(b",")?;
                self.w.write_all(name.as_bytes())?;
                self.w.write_all(b"=\"")?;
                self.w.write_all(value.as_bytes())?;
                self.w.write_all(b"\"}")
            }
        }
    }

    fn timestamp(&mut self, ts: Option<i64>) -> io::Result<()> {
        if let Some(ms) = ts {
            self.w.write_all(b" ")?;
            match self.format {
                Format::Text => write_i64(self.w, ms)?,
                // OpenMetrics timestamps are seconds.
                Format::OpenMetrics => write_value(self.w, ms as f64 / 1000.0)?,
            }
        }
        Ok(())
    }

    fn head(&mut self, suffix: &str, extra: Extra<'_>) -> io::Result<()> {
        self.w.write_all(self.name.as_bytes())?;
        self.w.write_all(suffix.as_bytes())?;
        self.labels(extra)?;
        self.w.write_all(b" ")
    }

    fn float(
        &mut self,
        suffix: &str,
        s: &SeriesRef<'_>,
        extra: Extra<'_>,
        v: f64,
    ) -> io::Result<()> {
        self.head(suffix, extra)?;
        write_value(self.w, v)?;
        self.timestamp(s.timestamp_ms)?;
        self.w.write_all(b"\n")
    }

    fn count(
        &mut self,
        suffix: &str,
        s: &SeriesRef<'_>,
        extra: Extra<'_>,
        v: u64,
    ) -> io::Result<()> {
        self.head(suffix, extra)?;
        write_u64(self.w, v)?;
        self.timestamp(s.timestamp_ms)?;
        self.w.write_all(b"\n")
    }

    fn created(&mut self, s: &SeriesRef<'_>) -> io::Result<()> {
        match (self.format, s.created) {
            (Format::OpenMetrics, Some(created)) => {
                self.head("_created", None)?;
                write_created(self.w, created)?;
                self.timestamp(s.timestamp_ms)?;
                self.w.write_all(b"\n")
            }
            _ => Ok(()),
        }
    }

    fn header(&mut self, fam: FamilyRef<'_>) -> io::Result<()> {
        self.name.clear();
        self.name.push_str(fam.name);
        self.metric_type = fam.metric_type;
        let name = fam.name;
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
            write_escaped(self.w, fam.help, self.format == Format::OpenMetrics)?;
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
        if let (Format::OpenMetrics, Some(unit)) = (self.format, fam.unit) {
            self.w.write_all(b"# UNIT ")?;
            self.w.write_all(name.as_bytes())?;
            self.w.write_all(b" ")?;
            self.w.write_all(unit.as_bytes())?;
            self.w.write_all(b"\n")?;
        }
        Ok(())
    }

    fn write_series(&mut self, s: &SeriesRef<'_>) -> io::Result<()> {
        self.render_labels(s.labels);
        match s.value {
            ValueRef::Counter(v) => {
                self.float("_total", s, None, v)?;
                self.created(s)
            }
            ValueRef::Gauge(v) | ValueRef::Unknown(v) => self.float("", s, None, v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                count,
                sum,
            } => {
                if bounds.len() != self.le_bounds.len()
                    || bounds
                        .iter()
                        .zip(&self.le_bounds)
                        .any(|(b, c)| b.to_bits() != *c)
                {
                    self.le_bounds.clear();
                    self.le_bounds.extend(bounds.iter().map(|b| b.to_bits()));
                    self.le_strings.clear();
                    self.le_strings
                        .extend(bounds.iter().map(|&b| canonical_float(b)));
                }
                for (i, &n) in cumulative.iter().enumerate().take(bounds.len()) {
                    let le = self.le_strings[i];
                    self.count("_bucket", s, Some(("le", &le)), n)?;
                }
                // OpenMetrics forbids a negative or NaN _sum (it is a
                // counter); negative or NaN observations can make one even
                // with bounds that are not negative.
                let sum = sum.filter(|&sum| self.format == Format::Text || writable_sum(sum));
                match (self.format, sum) {
                    (_, Some(sum)) => {
                        self.count("_count", s, None, count)?;
                        self.float("_sum", s, None, sum)?;
                    }
                    // Text 0.0.4 has no rule against a lone _count, and it
                    // keeps rate(x_count) working.
                    (Format::Text, None) => self.count("_count", s, None, count)?,
                    // OpenMetrics: _count appears if and only if _sum does,
                    // and _sum is forbidden when observations can be negative.
                    (Format::OpenMetrics, None) => {}
                }
                self.created(s)
            }
            ValueRef::Summary {
                count,
                sum,
                quantiles,
            } => {
                for q in quantiles {
                    let quantile = canonical_float(q.quantile);
                    self.float("", s, Some(("quantile", &quantile)), q.value)?;
                }
                self.count("_count", s, None, count)?;
                // As for histograms: OpenMetrics has no negative or NaN
                // _sum; left out, it reads back as 0.
                if self.format == Format::Text || writable_sum(sum) {
                    self.float("_sum", s, None, sum)?;
                }
                self.created(s)
            }
            // The model may grow; a value this writer does not know is left
            // out rather than written wrongly.
            _ => Ok(()),
        }
    }

    fn fail(&mut self, e: io::Error) -> VisitError {
        let shown = e.to_string();
        self.error = Some(e);
        VisitError::new(shown)
    }
}

impl<W: Write + ?Sized> Visitor for Writer<'_, W> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.header(family).map_err(|e| self.fail(e))?;
        Ok(true)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.write_series(series).map_err(|e| self.fail(e))
    }
}

/// Writes a `_created` time: seconds with millisecond precision, the
/// precision Prometheus keeps, formatted with integers only.
fn write_created<W: Write + ?Sized>(w: &mut W, created: f64) -> io::Result<()> {
    if !(0.0..1e15).contains(&created) {
        return write_value(w, created);
    }
    // Rounds half up; `created` is non-negative here, and this avoids a libm call.
    let ms = (created * 1000.0 + 0.5) as u64;
    write_u64(w, ms / 1000)?;
    let frac = ms % 1000;
    if frac != 0 {
        let digits = [
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let len = if frac % 100 == 0 {
            2
        } else if frac % 10 == 0 {
            3
        } else {
            4
        };
        w.write_all(&digits[..len])?;
    }
    Ok(())
}

pub(crate) fn encode<W: Write + ?Sized>(
    format: Format,
    families: &[MetricFamily],
    w: &mut W,
) -> io::Result<()> {
    let mut writer = Writer::new(w, format);
    // The writer's only errors are I/O errors, kept in `writer.error`.
    let _ = visit_families(families, &mut writer);
    writer.finish()
}

/// Whether OpenMetrics allows `sum` as a histogram's or summary's `_sum`:
/// not negative, not NaN.
fn writable_sum(sum: f64) -> bool {
    sum >= 0.0
}
