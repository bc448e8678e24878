//! Writing metric and label names outside the legacy character set for a
//! scraper that does not read UTF-8 names: the escaping schemes of the
//! exposition formats, negotiated with `escaping=` in `Accept`.
//!
//! A name that is already legacy-valid (`[a-zA-Z_:][a-zA-Z0-9_:]*` for
//! metrics, `[a-zA-Z_][a-zA-Z0-9_]*` for labels) is never changed, whatever
//! the scheme; the others are escaped as prometheus/common's
//! `model.EscapeName` does. Label names are held to the label set, so a
//! colon in a label name is escaped too (Prometheus' text parser refuses it).
//!
//! ```
//! use prom_codec::escape::{escape_metric_name, Escaping};
//! assert_eq!(escape_metric_name("my.metric", Escaping::Underscores), "my_metric");
//! assert_eq!(escape_metric_name("my.metric", Escaping::Dots), "my_dot_metric");
//! assert_eq!(escape_metric_name("my.metric", Escaping::Values), "U__my_2e_metric");
//! assert_eq!(escape_metric_name("my.metric", Escaping::AllowUtf8), "my.metric");
//! assert_eq!(escape_metric_name("my_metric", Escaping::Dots), "my_metric"); // legacy-valid
//! ```

use std::borrow::Cow;

use prom_core::{is_legacy_label_name, is_legacy_metric_name, LabelSet, LabelsRef};

use crate::sink::Sink;

/// How names outside the legacy character set are written: the values of
/// the `escaping` parameter of `Accept` and `Content-Type`.
///
/// ```
/// use prom_codec::escape::Escaping;
/// assert_eq!(Escaping::default(), Escaping::Underscores);
/// assert_eq!(Escaping::from_param("allow-utf-8"), Some(Escaping::AllowUtf8));
/// assert_eq!(Escaping::Values.as_str(), "values");
/// assert_eq!(Escaping::from_param("rot13"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Escaping {
    /// `allow-utf-8`: names are written as they are, in the quoted syntax
    /// (`{"my.metric","label.x"="v"} 1`) where they are not legacy-valid.
    AllowUtf8,
    /// `underscores` (the default): every character outside the legacy set
    /// becomes `_` (`my.metric` → `my_metric`). Not reversible.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, any other character
    /// outside the legacy set `__` (`my.metric` → `my_dot_metric`).
    Dots,
    /// `values`: `U__` then the name with `_` doubled and every other
    /// character outside the legacy set written as `_<hex code point>_`
    /// (`my.metric` → `U__my_2e_metric`). Reversible.
    Values,
}

impl Escaping {
    /// The value of the `escaping` parameter naming this scheme.
    pub const fn as_str(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }

    /// The scheme an `escaping` parameter value names (case-sensitive, as
    /// Prometheus sends them), or `None` for an unknown one.
    pub fn from_param(value: &str) -> Option<Self> {
        Some(match value {
            "allow-utf-8" => Escaping::AllowUtf8,
            "underscores" => Escaping::Underscores,
            "dots" => Escaping::Dots,
            "values" => Escaping::Values,
            _ => return None,
        })
    }
}

/// `name` as a metric name written with `scheme`: unchanged when it is
/// legacy-valid or `scheme` is [`Escaping::AllowUtf8`] (borrowed, no
/// allocation), escaped otherwise.
///
/// ```
/// use prom_codec::escape::{escape_metric_name, Escaping};
/// assert_eq!(escape_metric_name("9lives", Escaping::Underscores), "_lives");
/// assert_eq!(escape_metric_name("9lives", Escaping::Values), "U___39_lives");
/// assert_eq!(escape_metric_name("a_b.c", Escaping::Dots), "a__b_dot_c");
/// assert_eq!(escape_metric_name("🔥", Escaping::Values), "U___1f525_");
/// ```
pub fn escape_metric_name(name: &str, scheme: Escaping) -> Cow<'_, str> {
    if scheme == Escaping::AllowUtf8 || is_legacy_metric_name(name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    escape_into(&mut out, name, scheme, false);
    Cow::Owned(out)
}

/// `name` as a label name written with `scheme`; as [`escape_metric_name`]
/// but against the label set, so a colon is escaped too.
///
/// ```
/// use prom_codec::escape::{escape_label_name, Escaping};
/// assert_eq!(escape_label_name("a:b", Escaping::Underscores), "a_b");
/// assert_eq!(escape_label_name("http.method", Escaping::Dots), "http_dot_method");
/// assert_eq!(escape_label_name("code", Escaping::Values), "code");
/// ```
pub fn escape_label_name(name: &str, scheme: Escaping) -> Cow<'_, str> {
    if scheme == Escaping::AllowUtf8 || is_legacy_label_name(name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    escape_into(&mut out, name, scheme, true);
    Cow::Owned(out)
}

/// Appends `name` escaped with `scheme` to `out`; the caller has checked
/// that it is not legacy-valid.
pub(crate) fn escape_into(out: &mut String, name: &str, scheme: Escaping, label: bool) {
    escape_with(name, scheme, label, |piece| out.push_str(piece));
}

/// Hands `name` escaped with `scheme` to `put`, piece by piece, with no
/// allocation (the writers put it straight into their output).
pub(crate) fn escape_with(name: &str, scheme: Escaping, label: bool, mut put: impl FnMut(&str)) {
    let valid = |i: usize, c: char| {
        c.is_ascii_alphabetic() || c == '_' || (c == ':' && !label) || (i > 0 && c.is_ascii_digit())
    };
    let mut buf = [0u8; 4];
    match scheme {
        Escaping::AllowUtf8 => put(name),
        Escaping::Underscores => {
            for (i, c) in name.char_indices() {
                put(if valid(i, c) {
                    c.encode_utf8(&mut buf)
                } else {
                    "_"
                });
            }
        }
        Escaping::Dots => {
            for (i, c) in name.char_indices() {
                put(match c {
                    '_' => "__",
                    '.' => "_dot_",
                    c if valid(i, c) => c.encode_utf8(&mut buf),
                    _ => "__",
                });
            }
        }
        Escaping::Values => {
            put("U__");
            for (i, c) in name.char_indices() {
                match c {
                    '_' => put("__"),
                    c if valid(i, c) => put(c.encode_utf8(&mut buf)),
                    c => {
                        // `_<lowercase hex, no leading zeros>_`: at most six digits.
                        let mut hex = [0u8; 8];
                        let mut n = u32::from(c);
                        let mut at = hex.len() - 1;
                        hex[at] = b'_';
                        loop {
                            at -= 1;
                            hex[at] = b"0123456789abcdef"[(n % 16) as usize];
                            n /= 16;
                            if n == 0 {
                                break;
                            }
                        }
                        at -= 1;
                        hex[at] = b'_';
                        // Only ASCII was written into `hex`.
                        put(std::str::from_utf8(&hex[at..]).unwrap_or("_"));
                    }
                }
            }
        }
    }
}

/// The label names a family's series share, once found legacy-valid: the
/// series of a family (and the children of a labelled metric) share one
/// list of names, so checking it once per family, not per series, keeps
/// escaping off the hot path.
///
/// The list is held (a [`LabelSet`] sharing it, taken once per list), so
/// its memory cannot be freed and reused while it is cached: a series whose
/// first label name is the very same allocation has the very same names.
#[derive(Default)]
pub(crate) struct LegacyNames {
    held: Option<LabelSet>,
    /// The address and count of the held names' first name and names.
    first: usize,
    len: usize,
}

impl LegacyNames {
    /// Whether `labels`, whose first name is `first`, has the held names.
    #[inline]
    pub(crate) fn is_same(&self, first: &str, labels: LabelsRef<'_>) -> bool {
        let same = first.as_ptr() as usize == self.first
            && labels.len() == self.len
            && self.held.is_some();
        // The reasoning above holds while a label set shares its names'
        // allocation with the views of it; the tests check it.
        debug_assert!(
            !same
                || self.held.as_ref().is_some_and(|held| held
                    .names()
                    .iter()
                    .map(|n| &**n)
                    .eq(labels.iter_bytes().map(|(n, _)| n))),
            "a held label-name list matched other names"
        );
        same
    }

    /// Whether every name of `labels` is legacy-valid, holding them if so.
    #[inline(never)]
    pub(crate) fn check(&mut self, labels: LabelsRef<'_>) -> bool {
        if !labels
            .iter_bytes()
            .all(|(name, _)| is_legacy_label_name(name))
        {
            return false;
        }
        // Empty names own no allocation (they all share one address), so
        // they cannot identify a list; legacy names are never empty.
        if let Some((name, _)) = labels.iter_bytes().next() {
            self.held = Some(labels.to_label_set());
            self.first = name.as_ptr() as usize;
            self.len = labels.len();
        }
        true
    }
}

/// Reverses `scheme` on `name` where it can: [`Escaping::Dots`] turns
/// `_dot_` back into `.` and `__` into `_`; [`Escaping::Values`] decodes a
/// `U__` name (and leaves a name that is not a valid encoding as it is);
/// [`Escaping::Underscores`] and [`Escaping::AllowUtf8`] leave it as it is.
///
/// ```
/// use prom_codec::escape::{unescape_name, Escaping};
/// assert_eq!(unescape_name("U__my_2e_metric", Escaping::Values), "my.metric");
/// assert_eq!(unescape_name("U___1f525_", Escaping::Values), "🔥");
/// assert_eq!(unescape_name("my_dot_metric", Escaping::Dots), "my.metric");
/// assert_eq!(unescape_name("U__bad_zz_", Escaping::Values), "U__bad_zz_");
/// ```
pub fn unescape_name(name: &str, scheme: Escaping) -> Cow<'_, str> {
    match scheme {
        Escaping::AllowUtf8 | Escaping::Underscores => Cow::Borrowed(name),
        Escaping::Dots => {
            if !name.contains('_') {
                return Cow::Borrowed(name);
            }
            Cow::Owned(name.replace("_dot_", ".").replace("__", "_"))
        }
        Escaping::Values => match unescape_values(name) {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(name),
        },
    }
}

/// Decodes a [`Escaping::Values`] name; `None` when it is not one.
fn unescape_values(name: &str) -> Option<String> {
    let rest = name.strip_prefix("U__")?;
    let mut out = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        let mut code: u32 = 0;
        let mut digits = 0;
        loop {
            match chars.next()? {
                '_' if digits == 0 => {
                    out.push('_');
                    break;
                }
                '_' => {
                    out.push(char::from_u32(code)?);
                    break;
                }
                h => {
                    // At most six hex digits: U+10FFFF is the largest.
                    digits += 1;
                    if digits > 6 {
                        return None;
                    }
                    code = code * 16 + h.to_digit(16)?;
                }
            }
        }
    }
    Some(out)
}

/// Writes `bytes` (UTF-8) with `\`, newline and (when `quote`) `"` escaped.
#[inline]
pub(crate) fn write_escaped<S: Sink + ?Sized>(w: &mut S, bytes: &[u8], quote: bool) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'"' if quote => b"\\\"",
            _ => continue,
        };
        w.put(&bytes[start..i]);
        w.put(esc);
        start = i + 1;
    }
    w.put(&bytes[start..]);
}

/// Appends metric name `name` as written with `escaping` outside quotes.
pub(crate) fn push_metric_name(out: &mut String, name: &str, escaping: Escaping) {
    if escaping == Escaping::AllowUtf8 || prom_core::is_legacy_metric_name(name) {
        out.push_str(name);
    } else {
        escape_into(out, name, escaping, false);
    }
}

/// Appends `name` with `\\`, `"` and newline escaped, for a quoted name.
pub(crate) fn push_quoted(out: &mut String, name: &str) {
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Writes label name `name`: as it is when legacy-valid (a byte scan, the
/// common case), else quoted for a UTF-8 scraper or escaped straight into
/// `w`: nothing is allocated either way.
#[inline]
pub(crate) fn put_label_name<S: Sink + ?Sized>(w: &mut S, name: &str, escaping: Escaping) {
    if prom_core::is_legacy_label_name(name) {
        w.put(name.as_bytes());
    } else {
        put_label_name_slow(w, name, escaping);
    }
}

#[cold]
#[inline(never)]
fn put_label_name_slow<S: Sink + ?Sized>(w: &mut S, name: &str, escaping: Escaping) {
    if escaping == Escaping::AllowUtf8 {
        w.put(b"\"");
        write_escaped(w, name.as_bytes(), true);
        w.put(b"\"");
    } else {
        escape_with(name, escaping, true, |piece| w.put(piece.as_bytes()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMES: [Escaping; 4] = [
        Escaping::AllowUtf8,
        Escaping::Underscores,
        Escaping::Dots,
        Escaping::Values,
    ];

    #[test]
    fn the_specifications_examples() {
        let cases = [
            // name, underscores, dots, values
            ("my.metric", "my_metric", "my_dot_metric", "U__my_2e_metric"),
            (
                "metric.name/with/slashes",
                "metric_name_with_slashes",
                "metric_dot_name__with__slashes",
                "U__metric_2e_name_2f_with_2f_slashes",
            ),
            (
                "metric.name.with.dots",
                "metric_name_with_dots",
                "metric_dot_name_dot_with_dot_dots",
                "U__metric_2e_name_2e_with_2e_dots",
            ),
            ("a_b.c", "a_b_c", "a__b_dot_c", "U__a__b_2e_c"),
            ("9lives", "_lives", "__lives", "U___39_lives"),
            ("🔥", "_", "__", "U___1f525_"),
            ("größe", "gr__e", "gr____e", "U__gr_f6__df_e"),
            ("a b", "a_b", "a__b", "U__a_20_b"),
        ];
        for (name, underscores, dots, values) in cases {
            assert_eq!(escape_metric_name(name, Escaping::Underscores), underscores);
            assert_eq!(escape_metric_name(name, Escaping::Dots), dots);
            assert_eq!(escape_metric_name(name, Escaping::Values), values);
            assert_eq!(escape_metric_name(name, Escaping::AllowUtf8), name);
            assert_eq!(unescape_name(values, Escaping::Values), name);
        }
        assert_eq!(unescape_name("my_dot_metric", Escaping::Dots), "my.metric");
        assert_eq!(unescape_name("a__b_dot_c", Escaping::Dots), "a_b.c");
    }

    #[test]
    fn legacy_names_are_never_changed() {
        for name in ["a", "a_b", "_x", "a:b", "http_requests_total", "A9"] {
            for scheme in SCHEMES {
                assert!(
                    matches!(escape_metric_name(name, scheme), Cow::Borrowed(n) if n == name),
                    "{name} {scheme:?}"
                );
            }
        }
        // A colon is legacy in metric names only.
        assert_eq!(escape_label_name("a:b", Escaping::Underscores), "a_b");
        assert_eq!(escape_label_name("a:b", Escaping::Values), "U__a_3a_b");
        assert_eq!(escape_label_name("a_b", Escaping::Dots), "a_b");
    }

    #[test]
    fn escaped_names_are_legacy_valid() {
        for name in ["my.metric", "9", "é", "🔥x", "a-b", "\"q\"", "a\nb", "x:y"] {
            for scheme in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
                let m = escape_metric_name(name, scheme);
                assert!(is_legacy_metric_name(&m), "{name} {scheme:?} {m}");
                let l = escape_label_name(name, scheme);
                assert!(is_legacy_label_name(&l), "{name} {scheme:?} {l}");
            }
            assert_eq!(
                unescape_name(
                    &escape_metric_name(name, Escaping::Values),
                    Escaping::Values
                ),
                name
            );
        }
    }

    #[test]
    fn bad_value_encodings_are_left_as_they_are() {
        for bad in [
            "U__a_",
            "U__a_zz_",
            "U__a_1234567_",
            "U__a_d800_",
            "U__a_110000_",
        ] {
            assert_eq!(unescape_name(bad, Escaping::Values), bad);
        }
        assert_eq!(unescape_name("plain", Escaping::Values), "plain");
    }
}
