//! Text format 0.0.4, read as Prometheus' own text parser (`expfmt`, used by
//! promtool, the Pushgateway and node_exporter's textfile collector) reads
//! it; see the documentation of [`crate::parse`] for the rules.

use std::collections::HashMap;

use prom_core::{Bucket, MetricFamily, MetricType, MetricValue, Quantile, Suffix};

use super::error::{quoted, ParseError};
use super::help;
use super::index::ChainedIndex;
use super::lex::{self, Dialect, Line, Names, RawLabel};
use super::number;
use super::series::{
    label_number, le_bound, reserved_label, same_labels, special_label, Hashing, Interner, Series,
};

/// The suffixes by which a sample belongs to another family than the one
/// of its own name (a histogram's `_bucket`, a histogram's or summary's
/// `_count` and `_sum`, a counter's `_total`), when that family's type has
/// them. Text 0.0.4 has no `_created` samples.
const FILED_UNDER_STEM: [Suffix; 4] = [Suffix::Bucket, Suffix::Count, Suffix::Sum, Suffix::Total];

/// The suffixes a histogram or summary TYPE line must come before (see
/// [`Parser::comment`]).
const TYPED_BEFORE: [Suffix; 3] = [Suffix::Bucket, Suffix::Count, Suffix::Sum];

struct Family<'a> {
    /// The name as exposed (`x_total` for a counter named so in `# TYPE`).
    name: &'a str,
    /// The first line naming the family.
    line: Line<'a>,
    help: Option<String>,
    /// Fixed by `# TYPE`, or as unknown (untyped) by the first sample.
    metric_type: Option<MetricType>,
    series: Vec<Series<'a>>,
    /// Series by keyed hash of labels and timestamp.
    index: ChainedIndex,
    interner: Interner,
}

impl<'a> Family<'a> {
    fn new(name: &'a str, line: Line<'a>) -> Self {
        Self {
            name,
            line,
            help: None,
            metric_type: None,
            series: Vec::new(),
            index: ChainedIndex::default(),
            interner: Interner::default(),
        }
    }

    /// The series of these labels (without `skip`) and timestamp, if any.
    fn find(
        &self,
        key: u64,
        labels: &[RawLabel<'_>],
        skip: Option<&str>,
        ts: Option<i64>,
    ) -> Option<usize> {
        self.index.get(key).find(|&i| {
            self.series
                .get(i)
                .is_some_and(|s| s.timestamp_ms == ts && same_labels(labels, skip, &s.labels))
        })
    }

    fn insert(&mut self, key: u64, series: Series<'a>) -> usize {
        self.series.push(series);
        self.index.push(key)
    }
}

#[derive(Default)]
struct Parser<'a> {
    families: Vec<Family<'a>>,
    /// Families by exposed name (borrowed from the input).
    by_name: HashMap<&'a str, usize>,
    hashing: Hashing,
    labels: Vec<RawLabel<'a>>,
}

pub(crate) fn parse(input: &str) -> Result<Vec<MetricFamily>, ParseError> {
    let names = Names::new();
    let mut p = Parser::default();
    let mut last = None;
    for (i, text) in input.split_terminator('\n').enumerate() {
        let line = Line {
            no: i + 1,
            text,
            names: &names,
        };
        p.line(line)?;
        last = Some(line);
    }
    if let Some(line) = last {
        if !input.ends_with('\n') && !line.text.trim_matches([' ', '\t']).is_empty() {
            return Err(line.err(
                line.text.len(),
                "a newline ending the last line",
                "end of input",
            ));
        }
    }
    p.finish()
}

impl<'a> Parser<'a> {
    fn line(&mut self, line: Line<'a>) -> Result<(), ParseError> {
        let mut cur = line.cursor();
        cur.skip_blanks();
        match cur.peek() {
            None => Ok(()),
            Some(b'#') => self.comment(line),
            Some(_) => self.sample(line),
        }
    }

    /// The family exposed under exactly `name`, created (first named on
    /// `line`) if new.
    fn family(&mut self, name: &'a str, line: Line<'a>) -> usize {
        *self.by_name.entry(name).or_insert_with(|| {
            self.families.push(Family::new(name, line));
            self.families.len() - 1
        })
    }

    /// `# HELP name text`, `# TYPE name type`, or any other comment.
    fn comment(&mut self, line: Line<'a>) -> Result<(), ParseError> {
        let mut cur = line.cursor();
        cur.skip_blanks();
        cur.eat(b'#');
        cur.skip_blanks();
        let keyword = cur.take_until(b" \t");
        if cur.at_end() || (keyword != "HELP" && keyword != "TYPE") {
            return Ok(());
        }
        cur.skip_blanks();
        let name_at = cur.pos;
        let name = lex::metadata_name(&line, &mut cur)?;
        if cur.at_end() {
            // `# HELP name` with nothing after the name: ignored, as Prometheus does.
            return Ok(());
        }
        if name.is_empty() || cur.skip_blanks() == 0 {
            return Err(line.err(
                if name.is_empty() { name_at } else { cur.pos },
                format!("a metric name and a blank after {keyword}"),
                cur.found(),
            ));
        }
        // Metadata names resolve as sample names do: `# HELP h_bucket` is
        // about histogram `h`.
        let f = match self.lookup(name) {
            Some((i, _)) => i,
            None => self.family(name, line),
        };
        if cur.at_end() {
            return Ok(());
        }
        let Some(fam) = self.families.get_mut(f) else {
            return Ok(());
        };
        if keyword == "HELP" {
            if fam.help.is_some() {
                return Err(line.err_line(
                    format!("at most one HELP line for {name:?}"),
                    "a second HELP line",
                ));
            }
            fam.help = Some(help::help(&line, cur.pos, Dialect::Text)?.into_owned());
            return Ok(());
        }
        if fam.metric_type.is_some() {
            return Err(if fam.series.is_empty() {
                line.err_line(
                    format!("at most one TYPE line for {name:?}"),
                    "a second TYPE line",
                )
            } else {
                line.err_line(
                    format!("the TYPE line for {name:?} before its first sample"),
                    "a TYPE line after samples",
                )
            });
        }
        let ty = cur.rest();
        let metric_type = match ty.to_ascii_lowercase().as_str() {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "untyped" => MetricType::Unknown,
            "gaugehistogram" | "gauge_histogram" | "info" | "stateset" => return Err(line.err(
                cur.pos,
                "a metric type this parser supports: counter, gauge, histogram, summary or untyped",
                format!("unsupported type {ty:?}"),
            )),
            _ => {
                return Err(line.err(
                    cur.pos,
                    "a metric type: counter, gauge, histogram, summary or untyped",
                    quoted(ty),
                ))
            }
        };
        // A histogram's or summary's `_bucket`, `_count` and `_sum` samples
        // resolve to a family of exactly their name first, so if an earlier
        // sample made one, this family can never have them: its missing
        // `_sum` and `_count` would read as 0, and writing those back would
        // file them under the other family. Refused, so that what parses is
        // what the encoder can write.
        if let Some(taken) = TYPED_BEFORE
            .iter()
            .filter(|suffix| metric_type.suffixes().contains(suffix))
            .map(|suffix| format!("{}{}", fam.name, suffix.as_str()))
            .find(|sample| self.by_name.contains_key(sample.as_str()))
        {
            return Err(line.err_line(
                format!(
                    "the TYPE line for {:?} before any sample named {taken:?}",
                    fam.name
                ),
                format!(
                    "a {} TYPE line after {taken:?} became a family of its own",
                    ty.to_ascii_lowercase()
                ),
            ));
        }
        fam.metric_type = Some(metric_type);
        Ok(())
    }

    /// The family a name belongs to, as Prometheus resolves it: the family
    /// of exactly that name (as [`Suffix::Bare`]), else a summary or
    /// histogram whose `_count` or `_sum` (or `_bucket`) it is.
    fn lookup(&self, name: &str) -> Option<(usize, Suffix)> {
        if let Some(&i) = self.by_name.get(name) {
            return Some((i, Suffix::Bare));
        }
        FILED_UNDER_STEM.into_iter().find_map(|suffix| {
            let i = *self.by_name.get(name.strip_suffix(suffix.as_str())?)?;
            let metric_type = self.families.get(i)?.metric_type?;
            metric_type
                .suffixes()
                .contains(&suffix)
                .then_some((i, suffix))
        })
    }

    /// Which family a sample belongs to ([`Parser::lookup`], else a new
    /// untyped family of its own name) and what it is to that family.
    fn resolve(&mut self, line: &Line<'a>, name: &'a str) -> Result<(usize, Suffix), ParseError> {
        let Some((i, suffix)) = self.lookup(name) else {
            return Ok((self.family(name, *line), Suffix::Bare));
        };
        match (self.families.get(i).and_then(|f| f.metric_type), suffix) {
            (Some(MetricType::Histogram), Suffix::Bare) => Err(line.err(
                0,
                format!("{name}_bucket, {name}_count or {name}_sum for histogram {name:?}"),
                quoted(name),
            )),
            _ => Ok((i, suffix)),
        }
    }

    fn sample(&mut self, line: Line<'a>) -> Result<(), ParseError> {
        let mut labels = std::mem::take(&mut self.labels);
        labels.clear();
        let result = self.sample_with(line, &mut labels);
        self.labels = labels;
        result
    }

    fn sample_with(
        &mut self,
        line: Line<'a>,
        labels: &mut Vec<RawLabel<'a>>,
    ) -> Result<(), ParseError> {
        let s = lex::text_sample(&line, labels)?;
        let ts = match s.timestamp {
            None => None,
            Some((tok, at)) => Some(
                tok.parse::<i64>()
                    .map_err(|_| line.err(at, "a timestamp (integer milliseconds)", quoted(tok)))?,
            ),
        };
        let (f, suffix) = self.resolve(&line, s.name)?;
        let Some(fam) = self.families.get_mut(f) else {
            return Ok(());
        };
        let metric_type = *fam.metric_type.get_or_insert(MetricType::Unknown);
        // A summary's bare name is its quantiles'; any other's, its value's,
        // as is a counter's `_total`.
        let is_value =
            matches!(suffix, Suffix::Bare | Suffix::Total) && metric_type != MetricType::Summary;
        let (value, value_at) = s.value;
        let float = |what: &str| {
            number::float(value).ok_or_else(|| line.err(value_at, what, quoted(value)))
        };
        let count = |what: &str| {
            number::count_lenient(value).ok_or_else(|| line.err(value_at, what, quoted(value)))
        };
        let special = match (metric_type, suffix) {
            (MetricType::Histogram, Suffix::Bucket) => Some("le"),
            (MetricType::Summary, Suffix::Bare) => Some("quantile"),
            _ => None,
        };
        let reserved = reserved_label(metric_type);
        // A bucket without `le` or a quantile without `quantile` (or with
        // NaN there) is read and dropped, as Prometheus' parser drops it: its
        // series is kept, and the model has no place for the sample.
        let special_value = special.and_then(|n| labels.iter().find(|l| l.name == n));
        let dropped = special.is_some()
            && special_value.is_none_or(|l| number::float(&l.value).is_some_and(f64::is_nan));
        let special_label = special_label(
            &line,
            s.name,
            labels,
            reserved,
            special.filter(|_| special_value.is_some()),
        )?;
        let key = self
            .hashing
            .labels(labels, special, ts.map_or(u64::MAX, |t| t as u64));
        let existing = fam.find(key, labels, special, ts);
        if is_value {
            // A series written twice is two series of one label set, as
            // Prometheus' parser reads it (the model keeps both, in order).
            let v = float("a sample value (a float)")?;
            let mut series = Series::new(fam.interner.label_set(labels, None), ts, line);
            series.value = Some(v);
            fam.insert(key, series);
            return Ok(());
        }
        let i = match existing {
            Some(i) => i,
            None => {
                let series = Series::new(fam.interner.label_set(labels, special), ts, line);
                fam.insert(key, series)
            }
        };
        let Some(series) = fam.series.get_mut(i) else {
            return Ok(());
        };
        if dropped {
            // Dropped, but read: its value must still be a number.
            float("a sample value (a float)")?;
            return Ok(());
        }
        match suffix {
            Suffix::Bucket => {
                let bound = le_bound(&line, special_label)?;
                let n = count("a bucket count (a number)")?;
                if let Some(last) = series.buckets.last() {
                    if bound == last.upper_bound {
                        // Two buckets with one bound: the first is kept, as
                        // Prometheus' storage keeps the first of two samples
                        // of one series.
                        return Ok(());
                    }
                    series.unsorted |= bound < last.upper_bound;
                }
                series.buckets.push(Bucket {
                    upper_bound: bound,
                    cumulative_count: n,
                });
                series.bucket_lines.push(line);
            }
            // Written twice, the first is kept, as for buckets.
            Suffix::Count => {
                let n = count("a count (a number)")?;
                series.count.get_or_insert((n, line));
            }
            Suffix::Sum => {
                let v = float("a sum (a float)")?;
                series.sum.get_or_insert((v, line));
            }
            Suffix::Bare => {
                let quantile = label_number(
                    &line,
                    special_label,
                    "a quantile label holding a number (not NaN)",
                    |q| !q.is_nan(),
                )?;
                let v = float("a quantile value (a float)")?;
                series.quantiles.push(Quantile { quantile, value: v });
                series.quantile_lines.push(line);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<MetricFamily>, ParseError> {
        let mut out = Vec::with_capacity(self.families.len());
        for fam in self.families {
            let metric_type = fam.metric_type.unwrap_or(MetricType::Unknown);
            // `# TYPE x counter` with no samples, and samples named
            // `x_total` that came before it (a family of their own): the
            // metadata-only family is dropped, as Prometheus' parser drops
            // every family without samples, so that no two families write
            // the name `x_total`.
            if metric_type == MetricType::Counter
                && fam.series.is_empty()
                && !fam.name.ends_with(Suffix::Total.as_str())
                && self
                    .by_name
                    .contains_key(format!("{}{}", fam.name, Suffix::Total.as_str()).as_str())
            {
                continue;
            }
            // Text 0.0.4 names a counter family by its sample name; the
            // model's counter names leave the `_total` to the encoders.
            let name = match metric_type {
                MetricType::Counter => fam
                    .name
                    .strip_suffix(Suffix::Total.as_str())
                    .unwrap_or(fam.name),
                _ => fam.name,
            };
            let mut metrics = Vec::with_capacity(fam.series.len());
            for series in fam.series {
                metrics.push(match metric_type {
                    MetricType::Counter => series.finish_simple(MetricValue::Counter, name)?,
                    MetricType::Gauge => series.finish_simple(MetricValue::Gauge, name)?,
                    MetricType::Histogram => series.finish_text_histogram()?,
                    MetricType::Summary => series.finish_summary(true)?,
                    _ => series.finish_simple(MetricValue::Unknown, name)?,
                });
            }
            let help = fam.help.as_deref().unwrap_or("");
            out.push(super::family(
                &fam.line,
                name,
                help,
                None,
                metric_type,
                metrics,
            )?);
        }
        Ok(out)
    }
}
