//! OpenMetrics 1.0.0, read strictly: its ABNF for every line, and the rules
//! of the specification as the Python reference parser
//! (`prometheus_client.openmetrics.parser`) applies them; see the module
//! documentation of [`crate::parse`].

use std::collections::HashMap;

use prom_core::{
    Bucket, Exemplar, LabelSet, Metric, MetricFamily, MetricType, MetricValue, Quantile, State,
    Suffix,
};

mod metadata;

use super::error::{quoted, ParseError};
use super::index::ChainedIndex;
use super::lex::{self, Line, Names, RawExemplar, RawLabel};
use super::number;
use super::series::{
    duplicate, label_number, le_bound, reserved_label, same_labels, set_once, special_label,
    Hashing, Interner, Series,
};

/// The longest an exemplar's label names and values may be together, in
/// characters.
const EXEMPLAR_LABELS_MAX: usize = Exemplar::MAX_LABEL_CHARS;

struct Family<'a> {
    name: &'a str,
    /// The family's first line.
    line: Line<'a>,
    help: Option<String>,
    unit: Option<&'a str>,
    /// The UNIT line, if any (an empty unit included).
    unit_line: Option<Line<'a>>,
    metric_type: Option<MetricType>,
    metrics: Vec<Metric>,
    /// The MetricPoint being assembled, of group `groups[current]`.
    point: Option<Series<'a>>,
    current: Option<usize>,
    /// Every label set seen (a "group": a Metric of the family) and its first
    /// line; `index` finds them by keyed hash.
    groups: Vec<(LabelSet, Line<'a>)>,
    index: ChainedIndex,
    interner: Interner,
    /// Read as Prometheus reads it (see [`parse`]).
    lenient: bool,
    /// The group of the last point closed.
    closed: Option<usize>,
}

impl<'a> Family<'a> {
    fn new(name: &'a str, line: Line<'a>, metric_type: Option<MetricType>, lenient: bool) -> Self {
        Self {
            lenient,
            closed: None,
            name,
            line,
            help: None,
            unit: None,
            unit_line: None,
            metric_type,
            metrics: Vec::new(),
            point: None,
            current: None,
            groups: Vec::new(),
            index: ChainedIndex::default(),
            interner: Interner::default(),
        }
    }

    fn metric_type(&self) -> MetricType {
        self.metric_type.unwrap_or(MetricType::Unknown)
    }

    fn has_samples(&self) -> bool {
        self.point.is_some() || !self.metrics.is_empty()
    }

    /// Ends the current MetricPoint, checking it as a whole.
    fn close_point(&mut self) -> Result<(), ParseError> {
        let Some(point) = self.point.take() else {
            return Ok(());
        };
        let line = point.line;
        let metric = match self.metric_type() {
            MetricType::Counter => point.finish_simple(MetricValue::Counter, self.name)?,
            MetricType::Gauge => point.finish_simple(MetricValue::Gauge, self.name)?,
            MetricType::Histogram => point.finish_om_histogram(self.name, false, self.lenient)?,
            MetricType::GaugeHistogram => {
                point.finish_om_histogram(self.name, true, self.lenient)?
            }
            MetricType::Summary => point.finish_summary(false)?,
            MetricType::Info => point.finish_info(self.name)?,
            MetricType::StateSet => point.finish_state_set(),
            _ => point.finish_simple(MetricValue::Unknown, self.name)?,
        };
        // A counter's total does not go down from one MetricPoint of a
        // Metric to the next, unless it was reset (a new created time).
        if let (false, Some(prev), MetricValue::Counter(now)) =
            (self.lenient, self.metrics.last(), &metric.value)
        {
            if let MetricValue::Counter(before) = prev.value {
                if self.closed == self.current && *now < before && metric.created == prev.created {
                    return Err(line.err_line(
                        format!("a total of at least {before} (the previous point's; a reset sets a new _created)"),
                        now.to_string(),
                    ));
                }
            }
        }
        self.closed = self.current;
        self.metrics.push(metric);
        Ok(())
    }
}

#[derive(Default)]
struct Parser<'a> {
    out: Vec<MetricFamily>,
    family: Option<Family<'a>>,
    /// Every sample name of the families already ended, with the family that
    /// owns it and that family's first line.
    seen: HashMap<String, (&'a str, usize)>,
    hashing: Hashing,
    lenient: bool,
}

/// Parses `input` strictly, or (`lenient`) as Prometheus' own OpenMetrics
/// parser reads it: the checks [`crate::parse_openmetrics_lenient`] lists
/// are left out.
pub(crate) fn parse(input: &str, lenient: bool) -> Result<Vec<MetricFamily>, ParseError> {
    let names = Names::new();
    let mut p = Parser {
        lenient,
        ..Parser::default()
    };
    let mut labels = Vec::new();
    let mut exemplar_labels = Vec::new();
    let mut last_no = 0;
    let mut lines = input.split_terminator('\n').enumerate();
    while let Some((i, text)) = lines.next() {
        let line = Line {
            no: i + 1,
            text,
            names: &names,
        };
        last_no = line.no;
        if text == "# EOF" {
            p.close_family()?;
            // Only the optional newline after `# EOF` may follow it.
            if let Some((j, after)) = lines.next() {
                let after = Line {
                    no: j + 1,
                    text: after,
                    names: &names,
                };
                return Err(after.err(0, "nothing after '# EOF'", quoted(after.text)));
            }
            return Ok(p.out);
        }
        if text.is_empty() {
            return Err(line.err_line(
                "a sample, a '# HELP', '# TYPE' or '# UNIT' line, or '# EOF'",
                "a blank line",
            ));
        }
        if text.starts_with('#') {
            p.descriptor(line)?;
        } else {
            labels.clear();
            exemplar_labels.clear();
            p.sample(line, &mut labels, &mut exemplar_labels)?;
        }
    }
    let end = Line {
        no: last_no + 1,
        text: "",
        names: &names,
    };
    Err(end.err_line("'# EOF' ending the exposition", "end of input"))
}

impl<'a> Parser<'a> {
    /// Ends the current family: its last point, the name-clash check against
    /// earlier families, and the model family.
    fn close_family(&mut self) -> Result<(), ParseError> {
        let Some(mut fam) = self.family.take() else {
            return Ok(());
        };
        fam.close_point()?;
        let metric_type = fam.metric_type();
        if let (Some(unit), Some(line)) = (fam.unit, fam.unit_line) {
            if !metric_type.allows_unit() {
                return Err(line.err_line(
                    format!(
                        "no UNIT line for {:?}: a {} family has no unit",
                        fam.name,
                        metric_type.as_str()
                    ),
                    format!("unit {unit:?}"),
                ));
            }
        }
        // Every sample name the family's type may expose, its bare name
        // included, as the Python parser reckons name clashes.
        for suffix in metric_type.suffixes() {
            let sample = format!("{}{}", fam.name, suffix.as_str());
            if let Some((owner, line)) = self.seen.get(&sample) {
                return Err(fam.line.err_line(
                    "metric families whose sample names do not clash",
                    format!(
                        "{sample:?} of family {:?}, also a sample name of family {owner:?} (line {line})",
                        fam.name
                    ),
                ));
            }
            self.seen.insert(sample, (fam.name, fam.line.no));
        }
        let help = fam.help.as_deref().unwrap_or("");
        self.out.push(super::family(
            &fam.line,
            fam.name,
            help,
            fam.unit,
            metric_type,
            fam.metrics,
        )?);
        Ok(())
    }

    /// Starts a family, refusing a name an earlier family used.
    fn open_family(
        &mut self,
        name: &'a str,
        line: Line<'a>,
        metric_type: Option<MetricType>,
    ) -> Result<(), ParseError> {
        self.close_family()?;
        if let Some((owner, first)) = self.seen.get(name) {
            return Err(line.err(
                0,
                "each metric family's lines together (OpenMetrics forbids interleaving)",
                if *owner == name {
                    format!("family {name:?} again (first seen on line {first})")
                } else {
                    format!("{name:?}, a sample name of family {owner:?} (line {first})")
                },
            ));
        }
        if name.starts_with("__") {
            return Err(line.err(
                0,
                "a metric name not starting with \"__\" (reserved)",
                quoted(name),
            ));
        }
        self.family = Some(Family::new(name, line, metric_type, self.lenient));
        Ok(())
    }

    /// What sample `name` is to the current family, if it is one of the
    /// family's sample names (prom-core's table of them).
    fn role(&self, line: &Line<'a>, name: &str) -> Result<Option<Suffix>, ParseError> {
        let Some(fam) = &self.family else {
            return Ok(None);
        };
        let metric_type = fam.metric_type();
        match (metric_type, metric_type.sample_suffix(fam.name, name)) {
            // Prometheus reads a counter's value under its bare name too.
            (MetricType::Counter, Some(Suffix::Bare)) if self.lenient => Ok(Some(Suffix::Total)),
            (MetricType::Counter, Some(Suffix::Bare)) => Err(line.err(
                0,
                format!(
                    "{0}_total or {0}_created for counter {0:?} (the _total suffix is required)",
                    fam.name
                ),
                quoted(name),
            )),
            (MetricType::Histogram, Some(Suffix::Bare)) => Err(line.err(
                0,
                format!(
                    "{0}_bucket, {0}_count, {0}_sum or {0}_created for histogram {0:?}",
                    fam.name
                ),
                quoted(name),
            )),
            (MetricType::GaugeHistogram, Some(Suffix::Bare)) => Err(line.err(
                0,
                format!(
                    "{0}_bucket, {0}_gcount or {0}_gsum for gauge histogram {0:?}",
                    fam.name
                ),
                quoted(name),
            )),
            (MetricType::Info, Some(Suffix::Bare)) => Err(line.err(
                0,
                format!("{0}_info for info {0:?}", fam.name),
                quoted(name),
            )),
            (_, suffix) => Ok(suffix),
        }
    }

    fn sample(
        &mut self,
        line: Line<'a>,
        labels: &mut Vec<RawLabel<'a>>,
        exemplar_labels: &mut Vec<RawLabel<'a>>,
    ) -> Result<(), ParseError> {
        let s = lex::om_sample(&line, labels, exemplar_labels)?;
        let ts = match s.timestamp {
            None => None,
            Some((tok, at)) => Some(number::real(tok).map(number::seconds_to_ms).ok_or_else(
                || line.err(at, "a timestamp (seconds, a real number)", quoted(tok)),
            )?),
        };
        let suffix = match self.role(&line, s.name)? {
            Some(suffix) => suffix,
            None => {
                self.open_family(s.name, line, Some(MetricType::Unknown))?;
                Suffix::Bare
            }
        };
        let hashing = &self.hashing;
        let Some(fam) = self.family.as_mut() else {
            return Ok(());
        };
        let metric_type = fam.metric_type();
        // A summary's bare name is its quantiles', a state set's its
        // states'; any other's, its value's.
        let is_quantile = metric_type == MetricType::Summary && suffix == Suffix::Bare;
        let is_state = metric_type == MetricType::StateSet;
        let family_name = fam.name;
        let special = match suffix {
            Suffix::Bucket => Some("le"),
            _ if is_quantile => Some("quantile"),
            _ if is_state => Some(family_name),
            _ => None,
        };
        let reserved = reserved_label(metric_type);
        let special_label = special_label(&line, s.name, labels, reserved, special)?;

        // Which Metric (label set) and MetricPoint (timestamp) this is.
        let same_group = fam
            .current
            .and_then(|g| fam.groups.get(g))
            .is_some_and(|(set, _)| same_labels(labels, special, set));
        if same_group {
            let point_ts = fam.point.as_ref().and_then(|p| p.timestamp_ms);
            let point_has_ts = fam.point.as_ref().is_some_and(|p| p.timestamp_ms.is_some());
            if point_has_ts != ts.is_some() {
                return Err(line.err_line(
                    "timestamps on all samples of a label set, or on none",
                    if ts.is_some() {
                        "a timestamp after samples without one"
                    } else {
                        "no timestamp after samples with one"
                    },
                ));
            }
            match (point_ts, ts) {
                (Some(prev), Some(now)) if now < prev => {
                    return Err(line.err_line(
                        "timestamps that do not go backwards within a label set",
                        format!("{now} ms after {prev} ms"),
                    ))
                }
                (Some(prev), Some(now))
                    if now > prev
                        || fam.point.as_ref().is_some_and(|p| {
                            fills_again(p, suffix, is_quantile, is_state, special_label.0)
                        }) =>
                {
                    // A new MetricPoint of the same Metric: a later
                    // timestamp, or the same one (as the specification's
                    // own test suite allows) on a sample the point has.
                    fam.close_point()?;
                    let set = fam
                        .current
                        .and_then(|g| fam.groups.get(g))
                        .map(|(set, _)| set.clone())
                        .unwrap_or_default();
                    fam.point = Some(Series::new(set, ts, line));
                }
                _ => {}
            }
        } else {
            let key = hashing.labels(labels, special, 0);
            let again = fam
                .index
                .get(key)
                .filter_map(|g| fam.groups.get(g))
                .find(|(set, _)| same_labels(labels, special, set));
            if let Some((_, first)) = again {
                return Err(line.err_line(
                    "each label set's samples together, and no label set twice (OpenMetrics forbids interleaving)",
                    format!("the label set of line {} again", first.no),
                ));
            }
            fam.close_point()?;
            let set = fam.interner.label_set(labels, special);
            fam.groups.push((set.clone(), line));
            let g = fam.index.push(key);
            fam.current = Some(g);
            fam.point = Some(Series::new(set, ts, line));
        }

        let Some(point) = fam.point.as_mut() else {
            return Ok(());
        };
        let (value, value_at) = s.value;
        let float = |what: &str| {
            number::float(value).ok_or_else(|| line.err(value_at, what, quoted(value)))
        };
        let count = |what: &str| {
            number::count(value).ok_or_else(|| line.err(value_at, what, quoted(value)))
        };
        let lenient = fam.lenient;
        let counter_like = |what: &str| {
            float(what).and_then(|v| {
                if !lenient && (v.is_nan() || v < 0.0) {
                    Err(line.err(value_at, what, quoted(value)))
                } else {
                    Ok(v)
                }
            })
        };
        let exemplar_allowed = matches!(suffix, Suffix::Total | Suffix::Bucket);
        // Prometheus reads an exemplar on any sample; the model holds those
        // of totals and buckets, so the lenient reader drops the others.
        let exemplar_kept = s.exemplar.as_ref().filter(|_| exemplar_allowed);
        if s.exemplar.is_some() && !exemplar_allowed && !lenient {
            return Err(line.err(
                s.exemplar.as_ref().map_or(0, |e| e.at),
                "an exemplar only on a counter's _total or a histogram's _bucket samples",
                format!("an exemplar on {}", s.name),
            ));
        }
        match suffix {
            Suffix::Bare if is_state => {
                let (state, state_at) = special_label;
                // Any number equal to 1 or 0 (client_python writes 1.0 and 0.0).
                let enabled = match number::float(value) {
                    Some(1.0) => true,
                    Some(0.0) => false,
                    _ => {
                        return Err(line.err(
                            value_at,
                            "a state's value: 1 (enabled) or 0",
                            quoted(value),
                        ))
                    }
                };
                if point.states.iter().any(|s| &*s.name == state) {
                    return Err(line.err(
                        state_at,
                        "each state of the state set once",
                        quoted(state),
                    ));
                }
                point.states.push(State {
                    name: state.into(),
                    enabled,
                });
            }
            Suffix::Bare if !is_quantile => {
                let v = float("a sample value (a number)")?;
                if point.value.is_some() {
                    return Err(duplicate(&line, "label set and timestamp"));
                }
                point.value = Some(v);
            }
            Suffix::Total => {
                let v = counter_like("a counter total: a number, not negative, not NaN")?;
                if point.value.is_some() {
                    return Err(duplicate(&line, "label set and timestamp"));
                }
                point.value = Some(v);
                if let Some(e) = exemplar_kept {
                    point.exemplars.push(exemplar(&line, e, exemplar_labels)?);
                }
            }
            Suffix::Created => {
                let v = float("a created time (seconds, a number)")?;
                set_once(&mut point.created, v, &line, "_created of the series")?;
            }
            Suffix::Bucket => {
                let (special_value, special_at) = special_label;
                let bound = le_bound(&line, special_label)?;
                if bound == f64::INFINITY && special_value != "+Inf" {
                    return Err(line.err(
                        special_at,
                        "le=\"+Inf\" written canonically",
                        quoted(&format!("le=\"{special_value}\"")),
                    ));
                }
                let n = count("a bucket count (a non-negative integer)")?;
                if let Some(last) = point.buckets.last() {
                    if bound == last.upper_bound && lenient {
                        // Read as text 0.0.4's: the first is kept.
                        return Ok(());
                    }
                    if bound == last.upper_bound {
                        return Err(duplicate(&line, "bucket (le) of the series"));
                    }
                    if bound < last.upper_bound && lenient {
                        point.unsorted = true;
                    } else if bound < last.upper_bound {
                        return Err(line.err(
                            special_at,
                            "buckets in increasing order of le",
                            format!("le=\"{special_value}\" after le=\"{}\"", last.upper_bound),
                        ));
                    }
                    if n < last.cumulative_count && !lenient {
                        return Err(line.err(
                            value_at,
                            format!(
                                "cumulative bucket counts (at least the previous bucket's {})",
                                last.cumulative_count
                            ),
                            value.to_owned(),
                        ));
                    }
                }
                point.buckets.push(Bucket {
                    upper_bound: bound,
                    cumulative_count: n,
                });
                point.bucket_lines.push(line);
                if let Some(e) = exemplar_kept {
                    let ex = exemplar(&line, e, exemplar_labels)?;
                    // The exemplar's value lies in its (cumulative) bucket.
                    if !lenient && ex.value > bound {
                        return Err(line.err(
                            e.at,
                            format!("an exemplar value in its bucket (at most {bound})"),
                            ex.value.to_string(),
                        ));
                    }
                    point.exemplars.push(ex.in_bucket(bound));
                }
            }
            Suffix::Count => {
                let n = count("a count (a non-negative integer)")?;
                set_once(&mut point.count, (n, line), &line, "_count of the series")?;
            }
            Suffix::Sum => {
                let v = counter_like("a sum: a number, not negative, not NaN")?;
                set_once(&mut point.sum, (v, line), &line, "_sum of the series")?;
            }
            Suffix::GCount => {
                let n = count("a gauge histogram's count (a non-negative integer)")?;
                set_once(&mut point.count, (n, line), &line, "_gcount of the series")?;
            }
            Suffix::GSum => {
                let v = float("a gauge histogram's sum (a number)")?;
                set_once(&mut point.sum, (v, line), &line, "_gsum of the series")?;
            }
            Suffix::Info => {
                let v = float("an info's value (1)")?;
                if point.value.is_some() {
                    return Err(duplicate(&line, "label set and timestamp"));
                }
                point.value = Some(v);
            }
            Suffix::Bare => {
                let quantile = label_number(
                    &line,
                    special_label,
                    "a quantile label holding a number from 0 to 1",
                    |q| lenient && !q.is_nan() || (0.0..=1.0).contains(&q),
                )?;
                let v = float("a quantile value (a number)")?;
                if v < 0.0 && !lenient {
                    return Err(line.err(
                        value_at,
                        "a quantile value that is not negative (or NaN)",
                        quoted(value),
                    ));
                }
                point.quantiles.push(Quantile { quantile, value: v });
                point.quantile_lines.push(line);
            }
            // Every suffix `role` resolves to is handled above.
            _ => {}
        }
        Ok(())
    }
}

/// Whether a sample (what `suffix` is to the family, and its `le`,
/// `quantile` or state label) would fill a place of `point` that is already
/// filled, so that it begins another MetricPoint.
fn fills_again(
    point: &Series<'_>,
    suffix: Suffix,
    is_quantile: bool,
    is_state: bool,
    special: &str,
) -> bool {
    match suffix {
        Suffix::Bare if is_state => point.states.iter().any(|s| &*s.name == special),
        Suffix::Bare if is_quantile => number::float(special)
            .is_some_and(|q| point.quantiles.iter().any(|have| have.quantile == q)),
        Suffix::Bare | Suffix::Total | Suffix::Info => point.value.is_some(),
        Suffix::Created => point.created.is_some(),
        Suffix::Bucket => number::float(special)
            .is_some_and(|le| point.buckets.last().is_some_and(|b| le <= b.upper_bound)),
        Suffix::Count | Suffix::GCount => point.count.is_some(),
        Suffix::Sum | Suffix::GSum => point.sum.is_some(),
        _ => false,
    }
}

/// The model's exemplar for the one written on `line`.
fn exemplar(
    line: &Line<'_>,
    e: &RawExemplar<'_>,
    labels: &[RawLabel<'_>],
) -> Result<Exemplar, ParseError> {
    let length: usize = labels
        .iter()
        .map(|l| l.name.chars().count() + l.value.chars().count())
        .sum();
    if length > EXEMPLAR_LABELS_MAX {
        return Err(line.err(
            e.at,
            format!("exemplar labels of at most {EXEMPLAR_LABELS_MAX} characters (names and values together)"),
            format!("{length} characters"),
        ));
    }
    let (value, value_at) = e.value;
    let v = number::float(value)
        .ok_or_else(|| line.err(value_at, "the exemplar's value (a number)", quoted(value)))?;
    let mut out = Exemplar::new(Interner::exemplar_labels(labels), v);
    if let Some((ts, ts_at)) = e.timestamp {
        out = out.with_timestamp(number::real(ts).ok_or_else(|| {
            line.err(
                ts_at,
                "the exemplar's timestamp (seconds, a real number)",
                quoted(ts),
            )
        })?);
    }
    Ok(out)
}
