//! The one error type of both parsers.

use std::fmt;

/// The longest excerpt of the offending line an error keeps, in characters.
const MAX_LINE_TEXT: usize = 80;

/// Why an exposition could not be parsed: where (line, column), what the
/// grammar or the format's rules expected there, what was found, and the
/// offending line itself (cut to about 80 characters).
///
/// ```
/// let err = prom_codec::parse_text("# TYPE up gauge\nup{job=\"a} 1\n").unwrap_err();
/// assert_eq!(err.line(), 2);
/// assert_eq!(err.expected(), "a closing '\"' ending the label value");
/// assert_eq!(
///     err.to_string(),
///     "line 2, column 13: expected a closing '\"' ending the label value, found end of line: \"up{job=\\\"a} 1\""
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    line: usize,
    column: Option<usize>,
    expected: String,
    found: String,
    line_text: String,
}

impl ParseError {
    /// An error on line `line` (1-based) whose text is `text`; `byte_column`
    /// is the byte offset in `text` where the problem starts, if known.
    pub(crate) fn new(
        line: usize,
        text: &str,
        byte_column: Option<usize>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        // Columns count characters, as editors do; a byte offset that is not
        // on a character boundary (it never should be) counts the whole line.
        let column = byte_column.map(|b| text.get(..b).unwrap_or(text).chars().count() + 1);
        let line_text = match text.char_indices().nth(MAX_LINE_TEXT) {
            Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
            None => text.to_owned(),
        };
        Self {
            line,
            column,
            expected: expected.into(),
            found: found.into(),
            line_text,
        }
    }

    /// The line of the problem, counted from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the problem, counted in characters from 1, when the
    /// problem has a place within the line (not, say, for a duplicate label set).
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// What the format allows at that place, e.g. `a sample value (a float)`.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What the input has there instead, e.g. `"12abc"` or `end of line`.
    pub fn found(&self) -> &str {
        &self.found
    }

    /// The offending line, cut to about 80 characters (empty when the
    /// problem is the end of the input).
    pub fn line_text(&self) -> &str {
        &self.line_text
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)?;
        if !self.line_text.is_empty() {
            write!(f, ": {:?}", self.line_text)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// Quotes an input excerpt for [`ParseError::found`], cut to 40 characters.
pub(crate) fn quoted(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((cut, _)) => format!("{:?}…", s.get(..cut).unwrap_or(s)),
        None => format!("{s:?}"),
    }
}
