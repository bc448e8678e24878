//! Numbers as both formats write them.
//!
//! Text 0.0.4 values are what Go's `strconv.ParseFloat` accepts once
//! Prometheus has refused hexadecimal and `_` separators; OpenMetrics
//! numbers follow its ABNF. Both come to the same grammar: an optional sign,
//! digits with an optional point (at least one digit), an optional exponent,
//! or `Inf`/`Infinity` with an optional sign, or an unsigned `NaN` (the
//! words in any case). Values beyond the range of `f64` are refused, as Go
//! refuses them.

/// Parses a sample value.
pub(crate) fn float(token: &str) -> Option<f64> {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(if token.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if token.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    real(token)
}

/// Parses a real number: no infinities, no NaN.
pub(crate) fn real(token: &str) -> Option<f64> {
    if !is_decimal(token) {
        return None;
    }
    // The grammar was checked above, so the standard library's parser (which
    // is exact) sees only forms it and the formats agree on.
    let v: f64 = token.parse().ok()?;
    v.is_finite().then_some(v)
}

/// `[+-] (D+ [. D*] | . D+) [(e|E) [+-] D+]`.
fn is_decimal(token: &str) -> bool {
    let b = token.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Parses a count: a non-negative integer, written as digits (exact to
/// `u64::MAX`) or as an integral float (`17.0`, `1e3`, as the Python client
/// writes counts).
pub(crate) fn count(token: &str) -> Option<u64> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return token.parse().ok();
    }
    let v = real(token)?;
    // 2^64 is exactly representable; every integral f64 below it fits.
    ((0.0..18_446_744_073_709_551_616.0).contains(&v) && v.fract() == 0.0).then_some(v as u64)
}

/// Parses a count as Prometheus' text parser does: any float, converted to
/// the nearest `u64` toward zero (fractions truncated, NaN and negatives 0,
/// beyond `u64::MAX` that). Exact for every count [`count`] reads.
pub(crate) fn count_lenient(token: &str) -> Option<u64> {
    // `as` truncates and saturates, and takes NaN to 0.
    count(token).or_else(|| float(token).map(|v| v as u64))
}

/// Converts an OpenMetrics timestamp (seconds, a real number) into
/// milliseconds, rounding to the nearest. The model holds milliseconds in an
/// `i64` (±292 million years): a timestamp beyond that (the format allows
/// any real number) is clamped to the nearest one it holds.
pub(crate) fn seconds_to_ms(seconds: f64) -> i64 {
    // `as` saturates at the bounds of i64.
    (seconds * 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        for (s, v) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("1E-3", 0.001),
            ("0042", 42.0),
            ("1.5e+7", 1.5e7),
        ] {
            assert_eq!(float(s), Some(v), "{s}");
        }
        for s in ["+Inf", "inf", "Infinity", "+INF"] {
            assert_eq!(float(s), Some(f64::INFINITY), "{s}");
        }
        assert_eq!(float("-Inf"), Some(f64::NEG_INFINITY));
        assert!(float("NaN").unwrap().is_nan());
        assert!(float("nan").unwrap().is_nan());
        for s in [
            "", "+", ".", "e5", "1e", "1e+", "0x10", "1_000", "+NaN", "-nan", "1.2.3", " 1", "1 ",
            "1e400", "infinit", "Inf1", "1f",
        ] {
            assert_eq!(float(s).map(f64::to_bits), None, "{s:?}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(count("18446744073709551615"), Some(u64::MAX));
        assert_eq!(count("18446744073709551616"), None);
        assert_eq!(count("17.0"), Some(17));
        assert_eq!(count("1e3"), Some(1000));
        assert_eq!(count("-0"), Some(0));
        for s in ["-1", "1.5", "NaN", "+Inf", ""] {
            assert_eq!(count(s), None, "{s:?}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(count_lenient("18446744073709551615"), Some(u64::MAX));
        assert_eq!(count_lenient("1e30"), Some(u64::MAX));
        assert_eq!(count_lenient("2.9"), Some(2));
        assert_eq!(count_lenient("-1"), Some(0));
        assert_eq!(count_lenient("NaN"), Some(0));
        assert_eq!(count_lenient("x"), None);
        assert_eq!(seconds_to_ms(1_700_000_000.123), 1_700_000_000_123);
        assert_eq!(seconds_to_ms(-0.001), -1);
        assert_eq!(seconds_to_ms(1e300), i64::MAX);
        assert_eq!(seconds_to_ms(-12_345_678_901_234_567_890.5), i64::MIN);
        // What the encoder writes for the largest reads back as it.
        assert_eq!(seconds_to_ms(9_223_372_036_854_775.807), i64::MAX);
    }
}
