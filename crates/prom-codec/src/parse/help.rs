//! The text of a HELP line, unescaped as each format says.

use std::borrow::Cow;

use super::error::{quoted, ParseError};
use super::lex::{Dialect, Line};

/// Unescapes a HELP text: `\\` and `\n` in text 0.0.4 (anything else after
/// a backslash is an error, as in Prometheus); `\\`, `\n` and `\"` in
/// OpenMetrics (anything else is kept as written, as its ABNF allows).
pub(crate) fn help<'a>(
    line: &Line<'a>,
    start: usize,
    dialect: Dialect,
) -> Result<Cow<'a, str>, ParseError> {
    let raw = line.text.get(start..).unwrap_or("");
    if !raw.contains('\\') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match (chars.next(), dialect) {
            (Some((_, '\\')), _) => out.push('\\'),
            (Some((_, 'n')), _) => out.push('\n'),
            (Some((_, '"')), Dialect::OpenMetrics) => out.push('"'),
            (Some((_, other)), Dialect::OpenMetrics) => {
                out.push('\\');
                out.push(other);
            }
            (None, Dialect::OpenMetrics) => out.push('\\'),
            (next, Dialect::Text) => {
                return Err(line.err(
                    start + i,
                    "an escape sequence \\\\ or \\n in the help text",
                    match next {
                        Some((_, c)) => quoted(&format!("\\{c}")),
                        None => "'\\' at the end of the line".to_owned(),
                    },
                ))
            }
        }
    }
    Ok(Cow::Owned(out))
}
