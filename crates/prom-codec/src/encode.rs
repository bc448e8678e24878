//! The text 0.0.4 and OpenMetrics 1.0.0 writers.

use std::io::{self, Write};

use prom_core::{
    visit_families, FamilyRef, LabelsRef, MetricFamily, MetricType, SeriesRef, ValueRef,
    VisitError, Visitor,
};

use crate::number::{canonical_float, write_i64, write_u64, write_value};

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

/// The sample-name suffixes a family's lines use.
#[derive(Debug, Clone, Copy)]
enum Suffix {
    None = 0,
    Total,
    Bucket,
    Count,
    Sum,
    Created,
}

const SUFFIXES: [&str; 6] = ["", "_total", "_bucket", "_count", "_sum", "_created"];

/// The label appended after a series' own labels, pre-rendered as
/// `,le="0.5"} ` (or `,quantile="0.5"} `).
type Extra<'a> = Option<&'a [u8]>;

/// Writes families as a [`Visitor`]: from snapshots through
/// [`visit_families`], or straight from live metrics through
/// [`Collector::visit`](prom_core::Collector::visit).
///
/// Everything a line shares with other lines is rendered once and written
/// with one call: the family's sample names with each suffix, the series'
/// labels, a histogram layout's `le` labels. A bucket line is then four
/// writes (name, labels, `le`, count) and a newline.
pub(crate) struct Writer<'w, W: Write + ?Sized> {
    w: &'w mut W,
    format: Format,
    /// The current family's sample names, one per [`Suffix`] (copied: the
    /// header is borrowed only for the `family` call).
    names: [String; 6],
    metric_type: MetricType,
    /// The current series' labels rendered once, `{a="x",b="y"} ` with the
    /// closing brace and the space before the value (just ` ` for no
    /// labels), for every line of the series (a histogram has many).
    labels: Vec<u8>,
    /// How much of `labels` precedes the closing `} ` (0 for no labels).
    labels_open: usize,
    /// The `le` labels (`,le="0.005"} `) of the last histogram bounds seen,
    /// end offsets into `le_text`: the series of a histogram family share
    /// their bounds.
    le_bounds: Vec<u64>,
    le_text: Vec<u8>,
    le_ends: Vec<usize>,
    /// Written by the first I/O error, returned by [`Writer::finish`].
    pub(crate) error: Option<io::Error>,
}

impl<'w, W: Write + ?Sized> Writer<'w, W> {
    pub(crate) fn new(w: &'w mut W, format: Format) -> Self {
        Self {
            w,
            format,
            names: Default::default(),
            metric_type: MetricType::Unknown,
            labels: Vec::new(),
            labels_open: 0,
            le_bounds: Vec::new(),
            le_text: Vec::new(),
            le_ends: Vec::new(),
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

    /// Renders `labels` into `self.labels` (escaped, with the closing brace
    /// and a space; just the space for no labels).
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
        self.labels_open = self.labels.len();
        if self.labels_open > 0 {
            self.labels.push(b'}');
        }
        self.labels.push(b' ');
    }

    /// Writes the sample name and the labels plus `extra`, up to the space
    /// before the value.
    fn head(&mut self, suffix: Suffix, extra: Extra<'_>) -> io::Result<()> {
        self.w.write_all(self.names[suffix as usize].as_bytes())?;
        match extra {
            None => self.w.write_all(&self.labels),
            Some(extra) if self.labels_open == 0 => {
                // `extra` is `,le="…"} `: open the braces instead.
                self.w.write_all(b"{")?;
                self.w.write_all(extra.get(1..).unwrap_or_default())
            }
            Some(extra) => {
                self.w.write_all(&self.labels[..self.labels_open])?;
                self.w.write_all(extra)
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

    fn float(
        &mut self,
        suffix: Suffix,
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
        suffix: Suffix,
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
                self.head(Suffix::Created, None)?;
                write_created(self.w, created)?;
                self.timestamp(s.timestamp_ms)?;
                self.w.write_all(b"\n")
            }
            _ => Ok(()),
        }
    }

    /// Renders the `le` labels of `bounds`, unless they are the last ones.
    fn le_labels(&mut self, bounds: &[f64]) {
        if bounds.len() == self.le_bounds.len()
            && bounds
                .iter()
                .zip(&self.le_bounds)
                .all(|(b, c)| b.to_bits() == *c)
        {
            return;
        }
        self.le_bounds.clear();
        self.le_bounds.extend(bounds.iter().map(|b| b.to_bits()));
        self.le_text.clear();
        self.le_ends.clear();
        for &b in bounds {
            self.le_text.extend_from_slice(b",le=\"");
            self.le_text
                .extend_from_slice(canonical_float(b).as_bytes());
            self.le_text.extend_from_slice(b"\"} ");
            self.le_ends.push(self.le_text.len());
        }
    }

    fn header(&mut self, fam: FamilyRef<'_>) -> io::Result<()> {
        for (name, suffix) in self.names.iter_mut().zip(SUFFIXES) {
            name.clear();
            name.push_str(fam.name);
            name.push_str(suffix);
        }
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
                self.float(Suffix::Total, s, None, v)?;
                self.created(s)
            }
            ValueRef::Gauge(v) | ValueRef::Unknown(v) => self.float(Suffix::None, s, None, v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                count,
                sum,
            } => {
                self.le_labels(bounds);
                // Taken out for the loop (no copy) and put back after it.
                let le_text = std::mem::take(&mut self.le_text);
                let le_ends = std::mem::take(&mut self.le_ends);
                let mut start = 0;
                let mut result = Ok(());
                for (&end, &n) in le_ends.iter().zip(cumulative) {
                    result = self.count(Suffix::Bucket, s, le_text.get(start..end), n);
                    if result.is_err() {
                        break;
                    }
                    start = end;
                }
                self.le_text = le_text;
                self.le_ends = le_ends;
                result?;
                // OpenMetrics forbids a negative or NaN _sum (it is a
                // counter); negative or NaN observations can make one even
                // with bounds that are not negative.
                let sum = sum.filter(|&sum| self.format == Format::Text || writable_sum(sum));
                match (self.format, sum) {
                    (_, Some(sum)) => {
                        self.count(Suffix::Count, s, None, count)?;
                        self.float(Suffix::Sum, s, None, sum)?;
                    }
                    // Text 0.0.4 has no rule against a lone _count, and it
                    // keeps rate(x_count) working.
                    (Format::Text, None) => self.count(Suffix::Count, s, None, count)?,
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
                let mut extra = Vec::with_capacity(48);
                for q in quantiles {
                    extra.clear();
                    extra.extend_from_slice(b",quantile=\"");
                    extra.extend_from_slice(canonical_float(q.quantile).as_bytes());
                    extra.extend_from_slice(b"\"} ");
                    self.float(Suffix::None, s, Some(&extra), q.value)?;
                }
                self.count(Suffix::Count, s, None, count)?;
                // As for histograms: OpenMetrics has no negative or NaN
                // _sum; left out, it reads back as 0.
                if self.format == Format::Text || writable_sum(sum) {
                    self.float(Suffix::Sum, s, None, sum)?;
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
