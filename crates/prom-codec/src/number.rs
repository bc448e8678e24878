//! Number formatting for the exposition formats, with no allocation.

use std::io::{self, Write};

/// Writes a sample value: `NaN`, `+Inf`, `-Inf`; integral values below 1e15
/// as plain integers (`42`); everything else as the shortest string that
/// parses back to the same `f64` (`0.1`, `1.5e-7`, `1e300`).
pub(crate) fn write_value<W: Write + ?Sized>(w: &mut W, v: f64) -> io::Result<()> {
    if let Some(s) = special(v) {
        return w.write_all(s.as_bytes());
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // Exact: an integral f64 below 2^53 converts to i64 without loss.
        let mut b = itoa::Buffer::new();
        return w.write_all(b.format(v as i64).as_bytes());
    }
    let mut b = ryu::Buffer::new();
    w.write_all(b.format_finite(v).as_bytes())
}

/// Writes an integer count.
#[inline]
pub(crate) fn write_u64<W: Write + ?Sized>(w: &mut W, v: u64) -> io::Result<()> {
    let mut b = itoa::Buffer::new();
    w.write_all(b.format(v).as_bytes())
}

/// Writes an integer.
#[inline]
pub(crate) fn write_i64<W: Write + ?Sized>(w: &mut W, v: i64) -> io::Result<()> {
    let mut b = itoa::Buffer::new();
    w.write_all(b.format(v).as_bytes())
}

fn special(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("+Inf")
    } else if v == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// The canonical form of `le` and `quantile` label values, as the reference
/// client writes them: shortest round-trip digits, always a decimal point or
/// an exponent (`1.0`, `0.005`), and Go-style exponents from 1e+06 up and
/// below 1e-04 (`1e+06`, `2.5e-05`).
pub fn canonical_float(v: f64) -> CanonicalFloat {
    let mut out = CanonicalFloat {
        buf: [0; 40],
        len: 0,
    };
    if let Some(s) = special(v) {
        out.push(s.as_bytes());
        return out;
    }
    if v == 0.0 {
        out.push(if v.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
        return out;
    }
    let mut rb = ryu::Buffer::new();
    let s = rb.format_finite(v).as_bytes();
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (mant, exp) = match s.iter().position(|&c| c == b'e') {
        Some(i) => (&s[..i], parse_exp(&s[i + 1..])),
        None => (s, 0),
    };
    // Digits without the point, and the position of the point relative to
    // the first digit: value = 0.DIGITS * 10^dp.
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut dp = exp;
    let mut seen_point = false;
    let mut leading = true;
    for &c in mant {
        if c == b'.' {
            seen_point = true;
            continue;
        }
        if leading && c == b'0' {
            if seen_point {
                dp -= 1;
            }
            continue;
        }
        leading = false;
        if n < digits.len() {
            digits[n] = c;
            n += 1;
        }
        if !seen_point {
            dp += 1;
        }
    }
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let d = &digits[..n];
    if neg {
        out.push(b"-");
    }
    let x = dp - 1;
    if !(-4..6).contains(&x) {
        out.push(&d[..1]);
        if n > 1 {
            out.push(b".");
            out.push(&d[1..]);
        }
        out.push(if x < 0 { b"e-" } else { b"e+" });
        let ax = x.unsigned_abs();
        if ax < 10 {
            out.push(b"0");
        }
        let mut ib = itoa::Buffer::new();
        out.push(ib.format(ax).as_bytes());
    } else if dp <= 0 {
        out.push(b"0.");
        for _ in 0..-dp {
            out.push(b"0");
        }
        out.push(d);
    } else {
        let dp = dp as usize;
        if dp >= n {
            out.push(d);
            for _ in n..dp {
                out.push(b"0");
            }
            out.push(b".0");
        } else {
            out.push(&d[..dp]);
            out.push(b".");
            out.push(&d[dp..]);
        }
    }
    out
}

fn parse_exp(s: &[u8]) -> i32 {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mag = digits
        .iter()
        .fold(0i32, |acc, &c| acc * 10 + i32::from(c - b'0'));
    if neg {
        -mag
    } else {
        mag
    }
}

/// A formatted canonical float held on the stack; see [`canonical_float`].
#[derive(Clone, Copy)]
pub struct CanonicalFloat {
    buf: [u8; 40],
    len: usize,
}

impl CanonicalFloat {
    fn push(&mut self, s: &[u8]) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    /// The formatted text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, signs, '.', 'e', and the special names are pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("NaN")
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Display for CanonicalFloat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for CanonicalFloat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: f64) -> String {
        let mut out = Vec::new();
        write_value(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values() {
        assert_eq!(value(0.0), "0");
        assert_eq!(value(42.0), "42");
        assert_eq!(value(-3.0), "-3");
        assert_eq!(value(0.1), "0.1");
        assert_eq!(value(1.5e-7), "1.5e-7");
        assert_eq!(value(1e300), "1e300");
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(value(123456789012.0), "123456789012");
    }

    #[test]
    fn canonical_matches_the_reference_client() {
        let cases = [
            (1.0, "1.0"),
            (0.005, "0.005"),
            (0.01, "0.01"),
            (2.5, "2.5"),
            (10.0, "10.0"),
            (123456.0, "123456.0"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (2.5e-5, "2.5e-05"),
            (1e16, "1e+16"),
            (1e300, "1e+300"),
            (0.0, "0.0"),
            (-1.5, "-1.5"),
            (-1e6, "-1e+06"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (v, want) in cases {
            assert_eq!(canonical_float(v).as_str(), want, "{v:e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn canonical_round_trips(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let s = canonical_float(v);
            proptest::prop_assert_eq!(s.as_str().parse::<f64>().unwrap().to_bits(), v.to_bits());
        }

        #[test]
        fn values_round_trip(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            let s = value(v);
            proptest::prop_assert_eq!(s.parse::<f64>().unwrap(), v);
        }
    }
}
