//! OpenMetrics metadata lines: `# HELP`, `# TYPE` and `# UNIT`, each once
//! per family and before its samples.

use prom_core::MetricType;

use super::super::error::{quoted, ParseError};
use super::super::help;
use super::super::lex::{self, Dialect, Line};
use super::Parser;

impl<'a> Parser<'a> {
    /// `# HELP name text`, `# TYPE name type` or `# UNIT name unit`.
    pub(super) fn descriptor(&mut self, line: Line<'a>) -> Result<(), ParseError> {
        let mut cur = line.cursor();
        let bad = |at: usize, found: String| {
            line.err(
                at,
                "'# HELP', '# TYPE', '# UNIT' or '# EOF' (OpenMetrics has no comments)",
                found,
            )
        };
        cur.eat(b'#');
        if !cur.eat(b' ') {
            return Err(bad(1, cur.found()));
        }
        let keyword_at = cur.pos;
        let keyword = cur.take_until(b" ");
        if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
            return Err(bad(keyword_at, quoted(keyword)));
        }
        if !cur.eat(b' ') {
            return Err(line.err(
                cur.pos,
                format!("a space then the metric name after {keyword}"),
                cur.found(),
            ));
        }
        let name_at = cur.pos;
        let name = lex::metadata_name(&line, &mut cur)?;
        if name.is_empty() {
            return Err(line.err(
                name_at,
                "a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)",
                cur.found(),
            ));
        }
        let what = match keyword {
            "HELP" => "the help text",
            "TYPE" => "the type",
            _ => "the unit",
        };
        if !cur.eat(b' ') {
            return Err(line.err(
                cur.pos,
                format!("a space then {what} after the metric name"),
                cur.found(),
            ));
        }
        match &self.family {
            Some(fam) if fam.name == name => {
                if fam.has_samples() {
                    return Err(line.err_line(
                        format!("the metadata of {name:?} before its first sample"),
                        format!("a {keyword} line after samples"),
                    ));
                }
            }
            _ => self.open_family(name, line, None)?,
        }
        let Some(fam) = self.family.as_mut() else {
            return Ok(());
        };
        let once = |seen: bool| {
            if seen {
                Err(line.err_line(
                    format!("at most one {keyword} line for {name:?}"),
                    format!("a second {keyword} line"),
                ))
            } else {
                Ok(())
            }
        };
        let value_at = cur.pos;
        let value = cur.rest();
        match keyword {
            "HELP" => {
                once(fam.help.is_some())?;
                fam.help = Some(help::help(&line, value_at, Dialect::OpenMetrics)?.into_owned());
            }
            "TYPE" => {
                once(fam.metric_type.is_some())?;
                fam.metric_type = Some(match value {
                    "counter" => MetricType::Counter,
                    "gauge" => MetricType::Gauge,
                    "histogram" => MetricType::Histogram,
                    "summary" => MetricType::Summary,
                    "unknown" => MetricType::Unknown,
                    "info" => MetricType::Info,
                    "stateset" => MetricType::StateSet,
                    "gaugehistogram" => MetricType::GaugeHistogram,
                    "untyped" => {
                        return Err(line.err(
                            value_at,
                            "an OpenMetrics type (\"untyped\" is text 0.0.4's name for \"unknown\")",
                            quoted(value),
                        ))
                    }
                    _ => {
                        return Err(line.err(
                            value_at,
                            "a metric type: counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown",
                            quoted(value),
                        ))
                    }
                });
            }
            _ => {
                once(fam.unit_line.is_some())?;
                fam.unit_line = Some(line);
                let is_unit_char = |c: char| c.is_ascii() && lex::is_metric_name_char(c as u8);
                if let Some((bad, c)) = value.char_indices().find(|&(_, c)| !is_unit_char(c)) {
                    return Err(line.err(
                        value_at + bad,
                        "a unit of [a-zA-Z0-9_:] characters",
                        format!("{c:?}"),
                    ));
                }
                // An empty UNIT counts as none.
                if !value.is_empty() {
                    let suffixed = name
                        .strip_suffix(value)
                        .is_some_and(|rest| rest.ends_with('_'));
                    if !suffixed {
                        return Err(line.err(
                            value_at,
                            format!("a unit that the metric name ends with, after '_' ({name:?} does not end in \"_{value}\")"),
                            quoted(value),
                        ));
                    }
                    fam.unit = Some(value);
                }
            }
        }
        Ok(())
    }
}
