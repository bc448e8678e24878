//! Scanning one line: names, label sets, quoted strings and the tokens of a
//! sample, borrowed from the input. Nothing here allocates unless a string
//! holds escapes.
//!
//! Every position is a byte offset into the line that the scanner reached by
//! stepping over ASCII bytes, so it always falls on a character boundary;
//! slices are still taken with `get`, so a mistake here cannot panic.

use std::borrow::Cow;

use super::error::{quoted, ParseError};

/// Which grammar a line follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Text 0.0.4: blanks and tabs between tokens, a trailing comma in label
    /// sets, only `\\`, `\"` and `\n` escapes in label values.
    Text,
    /// OpenMetrics 1.0.0: single spaces, no trailing comma, unknown escapes
    /// kept as written, no `__` label names.
    OpenMetrics,
}

/// One line of input and its number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based.
    pub(crate) no: usize,
    pub(crate) text: &'a str,
    /// Where names unescaped from the quoted syntax live while the input
    /// is parsed (names without escapes are borrowed from the input).
    pub(crate) names: &'a Names,
}

/// The arena of one parse's unescaped names.
pub(crate) type Names = bumpalo::Bump;

impl<'a> Line<'a> {
    /// An error at byte offset `at` of this line.
    pub(crate) fn err(
        &self,
        at: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ParseError {
        ParseError::new(self.no, self.text, Some(at), expected, found)
    }

    /// An error about the line as a whole.
    pub(crate) fn err_line(
        &self,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ParseError {
        ParseError::new(self.no, self.text, None, expected, found)
    }

    pub(crate) fn cursor(&self) -> Cursor<'a> {
        Cursor {
            text: self.text,
            pos: 0,
        }
    }
}

/// A position in a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    text: &'a str,
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Steps over `b` if it is next.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Steps over bytes while `keep` holds; `keep` must only accept ASCII.
    pub(crate) fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// Steps up to (not over) the next byte in `stops` (ASCII), or the end.
    pub(crate) fn take_until(&mut self, stops: &[u8]) -> &'a str {
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..).unwrap_or(&[]);
        self.pos = start
            + rest
                .iter()
                .position(|b| stops.contains(b))
                .unwrap_or(rest.len());
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// Skips spaces and tabs; returns how many.
    pub(crate) fn skip_blanks(&mut self) -> usize {
        self.take_while(|b| b == b' ' || b == b'\t').len()
    }

    /// The rest of the line.
    pub(crate) fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// Describes what is at the cursor, for [`ParseError::found`].
    pub(crate) fn found(&self) -> String {
        match self.rest().chars().next() {
            None => "end of line".to_owned(),
            Some(c) => format!("{c:?}"),
        }
    }
}

pub(crate) fn is_metric_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

pub(crate) fn is_metric_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

fn is_label_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_label_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); empty if there is none.
pub(crate) fn metric_name<'a>(cur: &mut Cursor<'a>) -> &'a str {
    if cur.peek().is_some_and(is_metric_name_start) {
        cur.take_while(is_metric_name_char)
    } else {
        ""
    }
}

fn label_name<'a>(cur: &mut Cursor<'a>) -> &'a str {
    if cur.peek().is_some_and(is_label_name_start) {
        cur.take_while(is_label_name_char)
    } else {
        ""
    }
}

/// Reads a quoted name (`"my.metric"`, any UTF-8 but empty); the cursor is
/// on the opening quote and ends past the closing one. `what` names it in
/// errors ("metric name", "label name"). The escapes `\\`, `\"` and `\n`
/// are read as in label values (the name is then copied into the parse's
/// arena); any other is refused.
fn quoted_name<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
    what: &str,
) -> Result<&'a str, ParseError> {
    let open = cur.pos;
    cur.eat(b'"');
    // Stops only at ASCII bytes, so the name ends on a character boundary.
    let head = cur.take_until(b"\"\\");
    let mut unescaped: Option<String> = None;
    loop {
        match cur.peek() {
            Some(b'"') => {
                cur.pos += 1;
                let name = match unescaped {
                    Some(s) => &*line.names.alloc_str(&s),
                    None => head,
                };
                if name.is_empty() {
                    return Err(line.err(open, format!("a non-empty quoted {what}"), "\"\""));
                }
                return Ok(name);
            }
            Some(_) => {
                let at = cur.pos;
                cur.pos += 1;
                let c = match cur.peek() {
                    Some(b'\\') => '\\',
                    Some(b'"') => '"',
                    Some(b'n') => '\n',
                    _ => {
                        return Err(line.err(
                            at,
                            format!("an escape sequence \\\\, \\\" or \\n in the quoted {what}"),
                            match line.text.get(at..at + 2) {
                                Some(esc) => quoted(esc),
                                None => "'\\' at the end of the line".to_owned(),
                            },
                        ))
                    }
                };
                cur.pos += 1;
                let s = unescaped.get_or_insert_with(|| head.to_owned());
                s.push(c);
                s.push_str(cur.take_until(b"\"\\"));
            }
            None => {
                return Err(line.err(
                    cur.pos,
                    format!("a closing '\"' ending the quoted {what}"),
                    "end of line",
                ))
            }
        }
    }
}

/// Reads a metric name as HELP, TYPE and UNIT lines write it: legacy
/// (`[a-zA-Z_:][a-zA-Z0-9_:]*`; empty if there is none) or quoted.
pub(crate) fn metadata_name<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
) -> Result<&'a str, ParseError> {
    if cur.peek() == Some(b'"') {
        quoted_name(line, cur, "metric name")
    } else {
        Ok(metric_name(cur))
    }
}

/// Reads a sample's name and label set: `name{labels}`, `name`, or the
/// quoted name first in the braces, `{"my.metric",labels}`. Returns the
/// name, empty when the line starts with neither a name nor a quoted name
/// in braces (the caller says what it expected). Text 0.0.4 allows blanks
/// between the name and the braces.
fn sample_head<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
    dialect: Dialect,
    labels: &mut Vec<RawLabel<'a>>,
) -> Result<&'a str, ParseError> {
    let text = dialect == Dialect::Text;
    let name = metric_name(cur);
    if !name.is_empty() {
        if text {
            cur.skip_blanks();
        }
        if cur.peek() == Some(b'{') {
            self::labels(line, cur, dialect, labels)?;
        }
        return Ok(name);
    }
    if cur.peek() != Some(b'{') {
        return Ok("");
    }
    let mut probe = *cur;
    probe.eat(b'{');
    if text {
        probe.skip_blanks();
    }
    if probe.peek() != Some(b'"') {
        return Ok("");
    }
    let name_at = probe.pos;
    let name = quoted_name(line, &mut probe, "metric name")?;
    if text {
        probe.skip_blanks();
    }
    if probe.peek() == Some(b'=') {
        return Err(line.err(
            name_at,
            "a metric name: before the braces, or quoted first in them",
            format!("label {}", quoted(name)),
        ));
    }
    *cur = probe;
    if cur.eat(b'}') {
        return Ok(name);
    }
    if !cur.eat(b',') {
        return Err(line.err(
            cur.pos,
            "',' or '}' after the quoted metric name",
            cur.found(),
        ));
    }
    if !text && cur.peek() == Some(b'}') {
        return Err(line.err(cur.pos, "a label name after ','", cur.found()));
    }
    label_list(line, cur, dialect, labels)?;
    Ok(name)
}

/// A label as written on a line, its value unescaped.
#[derive(Debug, Clone)]
pub(crate) struct RawLabel<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Cow<'a, str>,
    /// Byte offset of the name, for errors.
    pub(crate) at: usize,
}

/// Reads a quoted string's body; the cursor is just past the opening quote
/// and ends just past the closing one.
fn label_value<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
    dialect: Dialect,
) -> Result<Cow<'a, str>, ParseError> {
    let start = cur.pos;
    let mut owned: Option<String> = None;
    let mut copied_to = start;
    loop {
        cur.take_until(b"\"\\");
        match cur.peek() {
            None => {
                return Err(line.err(
                    cur.pos,
                    "a closing '\"' ending the label value",
                    "end of line",
                ))
            }
            Some(b'"') => {
                let tail = line.text.get(copied_to..cur.pos).unwrap_or("");
                cur.pos += 1;
                return Ok(match owned {
                    Some(mut s) => {
                        s.push_str(tail);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(tail),
                });
            }
            Some(_) => {
                // A backslash.
                let at = cur.pos;
                let s = owned.get_or_insert_with(String::new);
                s.push_str(line.text.get(copied_to..at).unwrap_or(""));
                cur.pos += 1;
                let unescaped = match cur.peek() {
                    Some(b'\\') => Some('\\'),
                    Some(b'"') => Some('"'),
                    Some(b'n') => Some('\n'),
                    _ => None,
                };
                match (unescaped, dialect) {
                    (Some(c), _) => {
                        s.push(c);
                        cur.pos += 1;
                    }
                    (None, Dialect::OpenMetrics) if !cur.at_end() => {
                        // OpenMetrics reads an unknown escape as the backslash
                        // and the character, which is then scanned normally.
                        s.push('\\');
                    }
                    (None, _) => {
                        return Err(line.err(
                            at,
                            "an escape sequence \\\\, \\\" or \\n in the label value",
                            match cur.rest().chars().next() {
                                Some(c) => quoted(&format!("\\{c}")),
                                None => "'\\' at the end of the line".to_owned(),
                            },
                        ))
                    }
                }
                copied_to = cur.pos;
            }
        }
    }
}

/// Reads a label set; the cursor is on the `{` and ends past the `}`.
pub(crate) fn labels<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
    dialect: Dialect,
    out: &mut Vec<RawLabel<'a>>,
) -> Result<(), ParseError> {
    cur.eat(b'{');
    label_list(line, cur, dialect, out)
}

/// Reads the labels of a label set after its `{` (or after the quoted
/// metric name and its comma), and the closing `}`.
fn label_list<'a>(
    line: &Line<'a>,
    cur: &mut Cursor<'a>,
    dialect: Dialect,
    out: &mut Vec<RawLabel<'a>>,
) -> Result<(), ParseError> {
    let text = dialect == Dialect::Text;
    let blanks = |cur: &mut Cursor<'a>| {
        if text {
            cur.skip_blanks();
        }
    };
    blanks(cur);
    if !cur.eat(b'}') {
        loop {
            blanks(cur);
            let at = cur.pos;
            let name = if cur.peek() == Some(b'"') {
                quoted_name(line, cur, "label name")?
            } else {
                label_name(cur)
            };
            if name.is_empty() {
                let expected = if text && !out.is_empty() {
                    "a label name or '}'"
                } else {
                    "a label name ([a-zA-Z_][a-zA-Z0-9_]*)"
                };
                return Err(line.err(at, expected, cur.found()));
            }
            if name == "__name__" || (!text && name.starts_with("__")) {
                return Err(line.err(
                    at,
                    "a label name not starting with \"__\" (reserved)",
                    quoted(name),
                ));
            }
            blanks(cur);
            if !cur.eat(b'=') {
                return Err(line.err(cur.pos, "'=' after the label name", cur.found()));
            }
            blanks(cur);
            if !cur.eat(b'"') {
                return Err(line.err(cur.pos, "'\"' starting the label value", cur.found()));
            }
            let value = label_value(line, cur, dialect)?;
            out.push(RawLabel { name, value, at });
            blanks(cur);
            if cur.eat(b'}') {
                break;
            }
            if !cur.eat(b',') {
                return Err(line.err(cur.pos, "',' or '}' after the label value", cur.found()));
            }
            blanks(cur);
            // Text 0.0.4 allows a trailing comma; OpenMetrics does not.
            if text && cur.eat(b'}') {
                break;
            }
        }
    }
    if let Some(dup) = duplicate_name(out) {
        return Err(line.err(
            dup.at,
            "label names that are unique within the label set",
            format!("{} a second time", quoted(dup.name)),
        ));
    }
    Ok(())
}

/// The first label (in line order) whose name an earlier label has.
fn duplicate_name<'l, 'a>(labels: &'l [RawLabel<'a>]) -> Option<&'l RawLabel<'a>> {
    // Few labels: compare pairwise. Many: sort, to stay O(n log n).
    if labels.len() <= 16 {
        return labels
            .iter()
            .enumerate()
            .find(|(i, l)| labels.iter().take(*i).any(|e| e.name == l.name))
            .map(|(_, l)| l);
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| (labels.get(i).map(|l| l.name), i));
    order
        .windows(2)
        .filter_map(|pair| match *pair {
            [i, j] => match (labels.get(i), labels.get(j)) {
                (Some(a), Some(b)) if a.name == b.name => Some(b),
                _ => None,
            },
            _ => None,
        })
        .min_by_key(|l| l.at)
}

/// A token and the byte offset where it starts.
pub(crate) type Token<'a> = (&'a str, usize);

/// The parts of a sample line, borrowed; labels go to a caller's buffer.
#[derive(Debug)]
pub(crate) struct RawSample<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Token<'a>,
    pub(crate) timestamp: Option<Token<'a>>,
    pub(crate) exemplar: Option<RawExemplar<'a>>,
}

/// An exemplar as written after a sample; labels go to a caller's buffer.
#[derive(Debug)]
pub(crate) struct RawExemplar<'a> {
    /// Where its `#` is.
    pub(crate) at: usize,
    pub(crate) value: Token<'a>,
    pub(crate) timestamp: Option<Token<'a>>,
}

/// Reads a text 0.0.4 sample line, as Prometheus' own text parser does:
/// `name [{labels}] value [timestamp]`, tokens separated by blanks or tabs,
/// nothing (not even blanks) after the last token.
pub(crate) fn text_sample<'a>(
    line: &Line<'a>,
    labels: &mut Vec<RawLabel<'a>>,
) -> Result<RawSample<'a>, ParseError> {
    let mut cur = line.cursor();
    cur.skip_blanks();
    let at = cur.pos;
    let name = sample_head(line, &mut cur, Dialect::Text, labels)?;
    if name.is_empty() {
        return Err(line.err(
            at,
            "a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or a comment",
            cur.found(),
        ));
    }
    cur.skip_blanks();
    let value_at = cur.pos;
    let value = cur.take_until(b" \t");
    if value.is_empty() {
        return Err(line.err(value_at, "a sample value (a float)", cur.found()));
    }
    if cur.at_end() {
        return Ok(RawSample {
            name,
            value: (value, value_at),
            timestamp: None,
            exemplar: None,
        });
    }
    cur.skip_blanks();
    let ts_at = cur.pos;
    let ts = cur.take_until(b" \t");
    if ts.is_empty() {
        return Err(line.err(
            ts_at,
            "a timestamp (integer milliseconds) after the value and blank",
            "end of line",
        ));
    }
    if !cur.at_end() {
        return Err(line.err(
            cur.pos,
            "end of line after the timestamp",
            quoted(cur.rest()),
        ));
    }
    Ok(RawSample {
        name,
        value: (value, value_at),
        timestamp: Some((ts, ts_at)),
        exemplar: None,
    })
}

/// Reads an OpenMetrics sample line, exactly as its ABNF has it:
/// `name [{labels}] SP value [SP timestamp] [SP # SP {labels} SP value [SP timestamp]]`.
pub(crate) fn om_sample<'a>(
    line: &Line<'a>,
    labels: &mut Vec<RawLabel<'a>>,
    exemplar_labels: &mut Vec<RawLabel<'a>>,
) -> Result<RawSample<'a>, ParseError> {
    let mut cur = line.cursor();
    let name = sample_head(line, &mut cur, Dialect::OpenMetrics, labels)?;
    if name.is_empty() {
        return Err(line.err(
            0,
            "a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), '# HELP', '# TYPE', '# UNIT' or '# EOF'",
            cur.found(),
        ));
    }
    let space = |cur: &mut Cursor<'a>, what: &str| {
        if cur.eat(b' ') {
            Ok(())
        } else {
            Err(line.err(cur.pos, format!("a single space then {what}"), cur.found()))
        }
    };
    space(&mut cur, "the sample value")?;
    let value_at = cur.pos;
    let value = cur.take_until(b" ");
    if value.is_empty() {
        return Err(line.err(value_at, "a sample value (a number)", cur.found()));
    }
    let mut sample = RawSample {
        name,
        value: (value, value_at),
        timestamp: None,
        exemplar: None,
    };
    if cur.at_end() {
        return Ok(sample);
    }
    space(&mut cur, "a timestamp or an exemplar")?;
    if cur.peek() != Some(b'#') {
        let ts_at = cur.pos;
        let ts = cur.take_until(b" ");
        if ts.is_empty() {
            return Err(line.err(
                ts_at,
                "a timestamp or an exemplar after the space",
                cur.found(),
            ));
        }
        sample.timestamp = Some((ts, ts_at));
        if cur.at_end() {
            return Ok(sample);
        }
        space(&mut cur, "an exemplar ('# {...} value')")?;
    }
    let at = cur.pos;
    if !cur.eat(b'#') {
        return Err(line.err(
            cur.pos,
            "end of line or an exemplar ('# {...} value')",
            cur.found(),
        ));
    }
    space(&mut cur, "the exemplar's label set")?;
    if cur.peek() != Some(b'{') {
        return Err(line.err(
            cur.pos,
            "'{' starting the exemplar's label set",
            cur.found(),
        ));
    }
    self::labels(line, &mut cur, Dialect::OpenMetrics, exemplar_labels)?;
    space(&mut cur, "the exemplar's value")?;
    let ex_value_at = cur.pos;
    let ex_value = cur.take_until(b" ");
    if ex_value.is_empty() {
        return Err(line.err(ex_value_at, "the exemplar's value", cur.found()));
    }
    let mut exemplar = RawExemplar {
        at,
        value: (ex_value, ex_value_at),
        timestamp: None,
    };
    if !cur.at_end() {
        space(&mut cur, "the exemplar's timestamp")?;
        let ts_at = cur.pos;
        let ts = cur.take_until(b" ");
        if ts.is_empty() || !cur.at_end() {
            return Err(line.err(
                if ts.is_empty() { ts_at } else { cur.pos },
                "end of line after the exemplar's timestamp",
                cur.found(),
            ));
        }
        exemplar.timestamp = Some((ts, ts_at));
    }
    sample.exemplar = Some(exemplar);
    Ok(sample)
}
