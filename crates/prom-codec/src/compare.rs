//! Comparing what a collector exposes with an expected exposition, for
//! tests: client_golang's `testutil.CollectAndCompare`, with a readable
//! diff.

use std::fmt;

use prom_core::{collect, CollectError, Collector, LabelSet, MetricFamily};

use crate::{parse_text, EncodeError, Encoder, ParseError};

/// An expected exposition (text format 0.0.4) to check collectors against.
/// Both sides are read into the data model and written again, so spacing,
/// number spelling, label order within a series, comments and `_created`
/// samples do not matter; families, series, values, types and (unless
/// [ignored](Comparison::ignore_help)) help texts do.
///
/// ```
/// use prom_codec::Comparison;
/// use prom_core::{CounterVec, Opts};
/// let requests = CounterVec::new(Opts::new("requests", "Requests served.").labels(["method"])).unwrap();
/// requests.with_label_values(&["GET"]).unwrap().inc();
/// Comparison::new(concat!(
///     "# HELP requests_total Requests served.\n",
///     "# TYPE requests_total counter\n",
///     "requests_total{method=\"GET\"} 1\n",
/// ))
/// .check(&requests)
/// .unwrap();
///
/// let err = Comparison::new("# TYPE requests_total counter\nrequests_total{method=\"GET\"} 2\n")
///     .ignore_help()
///     .check(&requests)
///     .unwrap_err();
/// assert!(err.to_string().contains("-requests_total{method=\"GET\"} 2\n+requests_total{method=\"GET\"} 1"));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Comparison<'a> {
    expected: &'a str,
    names: Vec<String>,
    ignore_help: bool,
    any_order: bool,
}

impl<'a> Comparison<'a> {
    /// A comparison with `expected`, an exposition in text format 0.0.4
    /// (leading blanks on its lines are ignored, so it may be indented).
    pub fn new(expected: &'a str) -> Self {
        Self {
            expected,
            names: Vec::new(),
            ignore_help: false,
            any_order: false,
        }
    }

    /// Compares only the families exposing one of `names` (a family name
    /// or one of its sample names), on both sides.
    pub fn only<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = names.iter().map(|n| n.as_ref().to_owned()).collect();
        self
    }

    /// Help texts are not compared.
    pub fn ignore_help(mut self) -> Self {
        self.ignore_help = true;
        self
    }

    /// Families and series may come in any order (they are sorted by name
    /// and by labels on both sides).
    pub fn any_order(mut self) -> Self {
        self.any_order = true;
        self
    }

    /// Checks what `collector` exposes.
    ///
    /// # Errors
    /// [`Mismatch::Differ`] with a diff (`-` expected, `+` exposed; labels
    /// in name order) when they differ; [`Mismatch::Expected`] when `expected` does not parse;
    /// [`Mismatch::Collect`] when the collector fails.
    pub fn check(&self, collector: &(impl Collector + ?Sized)) -> Result<(), Mismatch> {
        let indented = self
            .expected
            .lines()
            .map(|l| l.trim_start_matches([' ', '\t']))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let expected = parse_text(&indented).map_err(Mismatch::Expected)?;
        let exposed = collect(collector).map_err(Mismatch::Collect)?;
        let expected = self.render(expected)?;
        let exposed = self.render(exposed)?;
        if expected == exposed {
            return Ok(());
        }
        Err(Mismatch::Differ {
            diff: similar::TextDiff::from_lines(&expected, &exposed)
                .unified_diff()
                .context_radius(3)
                .header("expected", "exposed")
                .to_string(),
        })
    }

    /// `families` as compared: filtered, normalised, in text 0.0.4.
    fn render(&self, mut families: Vec<MetricFamily>) -> Result<String, Mismatch> {
        if !self.names.is_empty() {
            families.retain(|f| self.names.iter().any(|n| f.exposes(n)));
        }
        for f in &mut families {
            f.unit = None;
            if self.ignore_help {
                f.help = "".into();
            }
            for m in &mut f.metrics {
                m.created = None;
                m.exemplars.clear();
                // Label order within a series does not matter: by name.
                let mut pairs: Vec<(&str, &str)> = m.labels.iter().collect();
                pairs.sort_unstable();
                if let Ok(sorted) = LabelSet::from_pairs(pairs) {
                    m.labels = sorted;
                }
            }
            if self.any_order {
                f.metrics.sort_by_cached_key(|m| {
                    let mut pairs: Vec<(String, String)> = m
                        .labels
                        .iter()
                        .map(|(n, v)| (n.to_owned(), v.to_owned()))
                        .collect();
                    pairs.sort();
                    pairs
                });
            }
        }
        if self.any_order {
            families.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Encoder::text()
            .encode_to_string(&families)
            .map_err(Mismatch::Encode)
    }
}

/// Why a [`Comparison`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Mismatch {
    /// The exposition differs from the expected one.
    Differ {
        /// A unified diff, `-` for expected lines, `+` for exposed ones.
        diff: String,
    },
    /// The expected exposition is not valid text 0.0.4.
    Expected(ParseError),
    /// The collector failed.
    Collect(CollectError),
    /// One side has two families writing one name.
    Encode(EncodeError),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Differ { diff } => {
                write!(f, "the exposition differs from the expected one:\n{diff}")
            }
            Mismatch::Expected(e) => write!(f, "the expected exposition does not parse: {e}"),
            Mismatch::Collect(e) => write!(f, "the collector failed: {e}"),
            Mismatch::Encode(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Mismatch {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Mismatch::Differ { .. } => None,
            Mismatch::Expected(e) => Some(e),
            Mismatch::Collect(e) => Some(e),
            Mismatch::Encode(e) => Some(e),
        }
    }
}
