//! The text 0.0.4 and OpenMetrics 1.0.0 writers.

use std::collections::HashMap;
use std::fmt;

use prom_core::{
    visit_families, Exemplar, FamilyRef, LabelsRef, MetricFamily, MetricType, SeriesRef, Suffix,
    ValueRef, VisitError, VisitFailure, Visitor,
};

use crate::escape::{
    push_metric_name, push_quoted, put_label_name, write_escaped, Escaping, LegacyNames,
};
use crate::number::{
    canonical_float, write_created_tail, write_i64, write_u64_tail, write_value, write_value_tail,
    LastCreated,
};
use crate::sink::Sink;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Text,
    OpenMetrics,
}

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
pub(crate) struct Writer<'w, S: Sink + ?Sized> {
    w: &'w mut S,
    format: Format,
    /// How names outside the legacy character set are written.
    escaping: Escaping,
    /// Whether the current family's name is written quoted inside the
    /// braces (`{"my.metric",a="x"} 1`), so every sample opens them.
    quoted: bool,
    /// The current family's name as written in its HELP, TYPE and UNIT
    /// lines: escaped, or quoted with `\`, `"` and newline escaped.
    head_name: String,
    /// The current family's sample names, by [`Suffix::index`], for the
    /// suffixes its type has (copied: the header is borrowed only for the
    /// `family` call).
    names: [String; Suffix::ALL.len()],
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
    /// A native histogram's classic bounds and cumulative counts, `+Inf`
    /// included, reused from series to series.
    native_bounds: Vec<f64>,
    native_counts: Vec<u64>,
    /// The current histogram series' bucket sample name and open labels.
    bucket_head: Vec<u8>,
    /// The label a summary's quantile line or a state set's state line adds
    /// (`,quantile="…"} `, `,name="state"} `).
    extra_label: Vec<u8>,
    /// The current family's name, unescaped: a state set's label name.
    family_label: String,
    /// The last label names found legacy-valid, so that the series sharing
    /// them skip the check.
    legacy_names: LegacyNames,
    /// Every name written so far (TYPE lines and samples), with the family
    /// that wrote it: no two families may write one name.
    written: HashMap<String, String>,
    /// The last `_created` value written, to write the next one of the same
    /// millisecond without formatting it again.
    last_created: LastCreated,
}

/// Two families would write the same name (in a TYPE line or as a sample
/// name), which no parser could tell apart: the output would not read back.
/// Seen from collectors the registry does not check, or from snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    /// The name both would write, e.g. `jobs_total`.
    pub name: String,
    /// The family written first.
    pub first: String,
    /// The family refused.
    pub second: String,
}

impl fmt::Display for NameClash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "metric families {:?} and {:?} would both write the name {:?}",
            self.first, self.second, self.name
        )
    }
}

impl std::error::Error for NameClash {}

impl<'w, S: Sink + ?Sized> Writer<'w, S> {
    pub(crate) fn new(w: &'w mut S, format: Format, escaping: Escaping) -> Self {
        Self {
            w,
            format,
            escaping,
            quoted: false,
            head_name: String::new(),
            names: Default::default(),
            labels: Vec::new(),
            labels_open: 0,
            le_bounds: Vec::new(),
            le_text: Vec::new(),
            le_ends: Vec::new(),
            native_bounds: Vec::new(),
            native_counts: Vec::new(),
            bucket_head: Vec::new(),
            extra_label: Vec::new(),
            family_label: String::new(),
            legacy_names: LegacyNames::default(),
            written: HashMap::new(),
            last_created: LastCreated::new(),
        }
    }

    /// Ends the exposition (`# EOF` for OpenMetrics).
    pub(crate) fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.w.put(b"# EOF\n");
        }
    }

    /// Renders `labels` into `self.labels` (escaped, with the closing brace
    /// and a space; just the space for no labels).
    fn render_labels(&mut self, labels: LabelsRef<'_>, more: Option<LabelsRef<'_>>) {
        self.labels.clear();
        self.append_labels(labels);
        if let Some(more) = more {
            self.append_labels(more);
        }
        self.labels_open = self.labels.len();
        if self.braces_open() {
            self.labels.push(b'}');
        }
        self.labels.push(b' ');
    }

    /// Whether a sample's name and labels open braces (a quoted name, or
    /// labels), which a `le` or `quantile` label then joins with a comma.
    fn braces_open(&self) -> bool {
        self.labels_open > 0 || self.quoted
    }

    /// Appends `,name="value"` pairs to `self.labels`, the first opening the
    /// braces.
    fn append_labels(&mut self, labels: LabelsRef<'_>) {
        let mut pairs = labels.iter_bytes();
        let Some((first_name, first_value)) = pairs.next() else {
            return;
        };
        let legacy =
            self.legacy_names.is_same(first_name, labels) || self.legacy_names.check(labels);
        let plain = labels.values_are_plain();
        for (name, value) in std::iter::once((first_name, first_value)).chain(pairs) {
            let first = self.labels.is_empty() && !self.quoted;
            self.labels.push(if first { b'{' } else { b',' });
            if legacy {
                self.labels.put(name.as_bytes());
            } else {
                put_label_name(&mut self.labels, name, self.escaping);
            }
            self.labels.put(b"=\"");
            if plain {
                self.labels.put(value);
            } else {
                write_escaped(&mut self.labels, value, true);
            }
            self.labels.push(b'"');
        }
    }

    /// Writes the sample name and the labels plus `extra`, up to the space
    /// before the value.
    fn head(&mut self, suffix: Suffix, extra: Extra<'_>) {
        self.w.put(self.names[suffix.index()].as_bytes());
        match extra {
            None => self.w.put(&self.labels),
            Some(extra) if !self.braces_open() => {
                // `extra` is `,le="…"} `: open the braces instead.
                self.w.put(b"{");
                self.w.put(extra.get(1..).unwrap_or_default());
            }
            Some(extra) => {
                self.w.put(&self.labels[..self.labels_open]);
                self.w.put(extra);
            }
        }
    }

    /// Ends a line whose value has been written: the timestamp and the
    /// exemplar, if any, and the newline (the value's write carried the
    /// newline when there is neither).
    fn end_line(&mut self, ts: Option<i64>, exemplar: Option<&Exemplar>) {
        if ts.is_none() && exemplar.is_none() {
            return;
        }
        if let Some(ms) = ts {
            self.w.put(b" ");
            match self.format {
                Format::Text => write_i64(self.w, ms),
                // OpenMetrics timestamps are seconds.
                Format::OpenMetrics => write_value(self.w, ms as f64 / 1000.0),
            }
        }
        if let Some(e) = exemplar {
            self.exemplar(e);
        }
        self.w.put(b"\n");
    }

    /// Writes ` # {labels} value [timestamp]` (OpenMetrics only).
    fn exemplar(&mut self, e: &Exemplar) {
        self.w.put(b" # {");
        for (i, (name, value)) in e.labels.as_labels_ref().iter_bytes().enumerate() {
            if i > 0 {
                self.w.put(b",");
            }
            put_label_name(self.w, name, self.escaping);
            self.w.put(b"=\"");
            write_escaped(self.w, value, true);
            self.w.put(b"\"");
        }
        self.w.put(b"} ");
        write_value(self.w, e.value);
        if let Some(ts) = e.timestamp {
            self.w.put(b" ");
            write_value(self.w, ts);
        }
    }

    /// The exemplar a line carries: OpenMetrics only.
    fn exemplar_of<'e>(&self, e: Option<&'e Exemplar>) -> Option<&'e Exemplar> {
        e.filter(|_| self.format == Format::OpenMetrics)
    }

    fn float(&mut self, suffix: Suffix, s: &SeriesRef<'_>, extra: Extra<'_>, v: f64) {
        self.float_with(suffix, s, extra, v, None);
    }

    fn float_with(
        &mut self,
        suffix: Suffix,
        s: &SeriesRef<'_>,
        extra: Extra<'_>,
        v: f64,
        exemplar: Option<&Exemplar>,
    ) {
        self.head(suffix, extra);
        write_value_tail(self.w, v, s.timestamp_ms.is_none() && exemplar.is_none());
        self.end_line(s.timestamp_ms, exemplar);
    }

    fn count(&mut self, suffix: Suffix, s: &SeriesRef<'_>, extra: Extra<'_>, v: u64) {
        self.head(suffix, extra);
        write_u64_tail(self.w, v, s.timestamp_ms.is_none());
        self.end_line(s.timestamp_ms, None);
    }

    fn created(&mut self, s: &SeriesRef<'_>) {
        if let (Format::OpenMetrics, Some(created)) = (self.format, s.created) {
            self.head(Suffix::Created, None);
            write_created_tail(
                self.w,
                created,
                s.timestamp_ms.is_none(),
                &mut self.last_created,
            );
            self.end_line(s.timestamp_ms, None);
        }
    }

    /// Writes the bucket lines of a histogram series: the sample name and
    /// the series' labels are rendered once into `bucket_head`, so a line
    /// is three writes (head, `le` label, count with newline).
    fn buckets(&mut self, s: &SeriesRef<'_>, cumulative: &[u64]) {
        self.bucket_head.clear();
        self.bucket_head
            .extend_from_slice(self.names[Suffix::Bucket.index()].as_bytes());
        self.bucket_head
            .extend_from_slice(&self.labels[..self.labels_open]);
        // `le_text` holds `,le="…"} ` pieces; without labels of its own the
        // series opens the braces with the `le` label instead.
        let skip = if !self.braces_open() {
            self.bucket_head.push(b'{');
            1
        } else {
            0
        };
        if self.exemplar_of(s.exemplars.first()).is_some() {
            self.buckets_with_exemplars(s, cumulative, skip);
            return;
        }
        let newline = s.timestamp_ms.is_none();
        let mut start = 0;
        for (i, &n) in cumulative.iter().enumerate().take(self.le_ends.len()) {
            let end = self.le_ends[i];
            self.w.put(&self.bucket_head);
            self.w
                .put(self.le_text.get(start + skip..end).unwrap_or_default());
            write_u64_tail(self.w, n, newline);
            self.end_line(s.timestamp_ms, None);
            start = end;
        }
    }

    /// [`Writer::buckets`] for a series with exemplars (OpenMetrics only):
    /// they come in bucket order, each naming its bucket's bound; one naming
    /// no bucket of these bounds is left out.
    #[cold]
    #[inline(never)]
    fn buckets_with_exemplars(&mut self, s: &SeriesRef<'_>, cumulative: &[u64], skip: usize) {
        let mut exemplars = s.exemplars.iter().peekable();
        let mut start = 0;
        for (i, &n) in cumulative.iter().enumerate().take(self.le_ends.len()) {
            let end = self.le_ends[i];
            let bound = f64::from_bits(self.le_bounds[i]);
            while exemplars
                .next_if(|e| e.bucket.is_none_or(|b| b < bound))
                .is_some()
            {}
            let exemplar = exemplars.next_if(|e| e.bucket == Some(bound));
            self.w.put(&self.bucket_head);
            self.w
                .put(self.le_text.get(start + skip..end).unwrap_or_default());
            write_u64_tail(self.w, n, s.timestamp_ms.is_none() && exemplar.is_none());
            self.end_line(s.timestamp_ms, exemplar);
            start = end;
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

    /// Claims every name `fam` writes in this format, its TYPE line's and
    /// its samples': in OpenMetrics, its name with each of its type's
    /// suffixes; in text 0.0.4 the same without `_created`, and without the
    /// bare name for a counter or info (whose TYPE line names the sample).
    fn claim_names(&mut self, fam: &FamilyRef<'_>) -> Result<(), NameClash> {
        let text = self.format == Format::Text;
        let named_by_sample = matches!(fam.metric_type, MetricType::Counter | MetricType::Info);
        let first = self.written.len();
        for &suffix in fam.metric_type.suffixes() {
            if text && (suffix == Suffix::Created || suffix == Suffix::Bare && named_by_sample) {
                continue;
            }
            // The names as written, escaped: two names escaping to one
            // clash too.
            let mut name = String::with_capacity(fam.name.len() + suffix.as_str().len());
            push_metric_name(&mut name, fam.name, self.escaping);
            name.push_str(suffix.as_str());
            if let Some(owner) = self.written.get(&name) {
                return Err(NameClash {
                    name,
                    first: owner.clone(),
                    second: fam.name.to_owned(),
                });
            }
            self.written.insert(name, fam.name.to_owned());
        }
        debug_assert!(self.written.len() > first);
        Ok(())
    }

    /// A histogram's `_count` and `_sum` (a gauge histogram's `_gcount` and
    /// `_gsum`, as `names` says). Text 0.0.4 writes both, or a lone count
    /// (it has no rule against one, and it keeps `rate(x_count)` working).
    /// OpenMetrics writes both or neither, and only a sum it allows: never
    /// NaN; a histogram's (a counter) never negative nor beside negative
    /// buckets; a gauge histogram's negative only beside a negative bucket.
    fn count_and_sum(
        &mut self,
        s: &SeriesRef<'_>,
        bounds: &[f64],
        count: u64,
        sum: Option<f64>,
        [count_name, sum_name]: [Suffix; 2],
    ) {
        let negative_buckets = bounds.first().is_some_and(|&b| b < 0.0);
        let gauge = sum_name == Suffix::GSum;
        let allowed = |sum: f64| match (gauge, negative_buckets) {
            (_, _) if sum.is_nan() => false,
            (false, true) => false,
            (true, true) => true,
            (_, false) => sum >= 0.0,
        };
        match sum.filter(|&sum| self.format == Format::Text || allowed(sum)) {
            Some(sum) => {
                self.count(count_name, s, None, count);
                self.float(sum_name, s, None, sum);
            }
            None if self.format == Format::Text => self.count(count_name, s, None, count),
            None => {}
        }
    }

    fn header(&mut self, fam: FamilyRef<'_>) {
        // Quoted only for a scraper that reads UTF-8 names, and only names
        // that need it: the check is once per family, not per sample.
        self.quoted =
            self.escaping == Escaping::AllowUtf8 && !prom_core::is_legacy_metric_name(fam.name);
        for suffix in fam.metric_type.suffixes() {
            let name = &mut self.names[suffix.index()];
            name.clear();
            if self.quoted {
                name.push_str("{\"");
                push_quoted(name, fam.name);
                name.push_str(suffix.as_str());
                name.push('"');
            } else {
                push_metric_name(name, fam.name, self.escaping);
                name.push_str(suffix.as_str());
            }
        }
        // Text 0.0.4 names a counter or info family by its sample name.
        let suffix = match (self.format, fam.metric_type) {
            (Format::Text, MetricType::Counter) => Suffix::Total.as_str(),
            (Format::Text, MetricType::Info) => Suffix::Info.as_str(),
            _ => Suffix::Bare.as_str(),
        };
        self.head_name.clear();
        if self.quoted {
            self.head_name.push('"');
            push_quoted(&mut self.head_name, fam.name);
            self.head_name.push_str(suffix);
            self.head_name.push('"');
        } else {
            push_metric_name(&mut self.head_name, fam.name, self.escaping);
            self.head_name.push_str(suffix);
        }
        if !fam.help.is_empty() {
            self.w.put(b"# HELP ");
            self.w.put(self.head_name.as_bytes());
            self.w.put(b" ");
            write_escaped(
                self.w,
                fam.help.as_bytes(),
                self.format == Format::OpenMetrics,
            );
            self.w.put(b"\n");
        }
        self.w.put(b"# TYPE ");
        self.w.put(self.head_name.as_bytes());
        self.w.put(b" ");
        // Text 0.0.4 knows four types: the others are written as the one
        // closest in shape, as client_python does.
        self.w.put(match (self.format, fam.metric_type) {
            (Format::Text, MetricType::Unknown) => b"untyped",
            (Format::Text, MetricType::Info | MetricType::StateSet) => b"gauge",
            (Format::Text, MetricType::GaugeHistogram) => b"histogram",
            (_, t) => t.as_str().as_bytes(),
        });
        self.w.put(b"\n");
        if let (Format::OpenMetrics, Some(unit)) = (self.format, fam.unit) {
            self.w.put(b"# UNIT ");
            self.w.put(self.head_name.as_bytes());
            self.w.put(b" ");
            self.w.put(unit.as_bytes());
            self.w.put(b"\n");
        }
        self.family_label.clear();
        self.family_label.push_str(fam.name);
    }

    fn write_series(&mut self, s: &SeriesRef<'_>) {
        self.render_labels(s.labels, None);
        match s.value {
            ValueRef::Counter(v) => {
                let exemplar = self.exemplar_of(s.exemplars.first());
                self.float_with(Suffix::Total, s, None, v, exemplar);
                self.created(s);
            }
            ValueRef::Gauge(v) | ValueRef::Unknown(v) => self.float(Suffix::Bare, s, None, v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                count,
                sum,
            } => {
                self.le_labels(bounds);
                self.buckets(s, cumulative);
                self.count_and_sum(s, bounds, count, sum, [Suffix::Count, Suffix::Sum]);
                self.created(s);
            }
            ValueRef::Summary {
                count,
                sum,
                quantiles,
            } => {
                // Reused across series (taken out for the loop, put back).
                let mut extra = std::mem::take(&mut self.extra_label);
                for q in quantiles {
                    extra.clear();
                    extra.extend_from_slice(b",quantile=\"");
                    extra.extend_from_slice(canonical_float(q.quantile).as_bytes());
                    extra.extend_from_slice(b"\"} ");
                    self.float(Suffix::Bare, s, Some(&extra), q.value);
                }
                self.extra_label = extra;
                self.count(Suffix::Count, s, None, count);
                // As for histograms: OpenMetrics has no negative or NaN
                // _sum; left out, it reads back as 0.
                if self.format == Format::Text || writable_sum(sum) {
                    self.float(Suffix::Sum, s, None, sum);
                }
                self.created(s);
            }
            _ => self.write_rare(s),
        }
    }

    /// The types no metric handle of the hot paths has, out of line so that
    /// they cost the common types' loop nothing.
    #[cold]
    #[inline(never)]
    fn write_rare(&mut self, s: &SeriesRef<'_>) {
        match s.value {
            ValueRef::Info(info) => {
                self.render_labels(s.labels, Some(info));
                self.float(Suffix::Info, s, None, 1.0);
            }
            ValueRef::StateSet { names, enabled } => {
                let mut extra = std::mem::take(&mut self.extra_label);
                for (state, &on) in names.iter().zip(enabled) {
                    extra.clear();
                    extra.push(b',');
                    put_label_name(&mut extra, &self.family_label, self.escaping);
                    extra.extend_from_slice(b"=\"");
                    write_escaped(&mut extra, state.as_bytes(), true);
                    extra.extend_from_slice(b"\"} ");
                    self.float(Suffix::Bare, s, Some(&extra), if on { 1.0 } else { 0.0 });
                }
                self.extra_label = extra;
            }
            ValueRef::GaugeHistogram {
                bounds,
                cumulative,
                count,
                sum,
            } => {
                self.le_labels(bounds);
                self.buckets(s, cumulative);
                self.count_and_sum(s, bounds, count, sum, [Suffix::GCount, Suffix::GSum]);
            }
            // What client_golang writes in text for a native histogram:
            // its classic buckets (none for a native-only one), the `+Inf`
            // bucket, `_count` and `_sum`.
            ValueRef::NativeHistogram(h) => {
                let mut bounds = std::mem::take(&mut self.native_bounds);
                let mut counts = std::mem::take(&mut self.native_counts);
                bounds.clear();
                counts.clear();
                for &(bound, n) in &h.classic {
                    bounds.push(bound);
                    counts.push(n);
                }
                bounds.push(f64::INFINITY);
                counts.push(h.count);
                self.le_labels(&bounds);
                self.buckets(s, &counts);
                self.count_and_sum(
                    s,
                    &bounds,
                    h.count,
                    Some(h.sum),
                    [Suffix::Count, Suffix::Sum],
                );
                self.created(s);
                self.native_bounds = bounds;
                self.native_counts = counts;
            }
            // The model may grow; a value this writer does not know is left
            // out rather than written wrongly.
            _ => {}
        }
    }
}

impl<S: Sink + ?Sized> Writer<'_, S> {
    /// Stops the visit once the writer behind the sink has failed.
    fn check(&self) -> Result<(), VisitError> {
        match self.w.error() {
            Some(e) => Err(VisitError::new(e.to_string())),
            None => Ok(()),
        }
    }
}

impl<S: Sink + ?Sized> Visitor for Writer<'_, S> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.claim_names(&family).map_err(VisitError::new)?;
        self.header(family);
        self.check()?;
        Ok(true)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.write_series(series);
        self.check()
    }
}

/// Writes snapshot `families` into `sink`; a writer's error is kept in
/// the sink, and ends the writing.
pub(crate) fn encode<S: Sink + ?Sized>(
    format: Format,
    escaping: Escaping,
    families: &[MetricFamily],
    sink: &mut S,
) -> Result<(), NameClash> {
    let mut writer = Writer::new(sink, format, escaping);
    match visit_families(families, &mut writer) {
        Ok(()) => writer.finish(),
        // The writer's other errors are the sink's, which keeps them.
        Err(e) => return clash(VisitFailure::Visit(e)).map_or(Ok(()), Err),
    }
    Ok(())
}

/// The name clash a visit stopped on, if that is why it stopped.
pub(crate) fn clash(e: VisitFailure) -> Option<NameClash> {
    match e {
        VisitFailure::Visit(e) => e.into_inner().downcast::<NameClash>().ok().map(|c| *c),
        _ => None,
    }
}

/// Whether OpenMetrics allows `sum` as a summary's `_sum`: not negative,
/// not NaN.
fn writable_sum(sum: f64) -> bool {
    sum >= 0.0
}
