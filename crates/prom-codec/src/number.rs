//! Number formatting for the exposition formats, with no allocation.

use crate::sink::Sink;

/// Writes a sample value: `NaN`, `+Inf`, `-Inf`; integral values below 1e15
/// as plain integers (`42`), but `-0.0` with its sign; everything else as
/// the shortest string that parses back to the same `f64` (`0.1`,
/// `1.5e-7`, `1e300`).
pub(crate) fn write_value<S: Sink + ?Sized>(w: &mut S, v: f64) {
    write_value_tail(w, v, false);
}

/// The end of a sample line held on the stack: a number, and the newline
/// when the line has no timestamp, built from the right so that the value
/// and its newline go out in one write.
#[derive(Clone, Copy)]
pub(crate) struct Tail {
    buf: [u8; 32],
    start: usize,
}

/// The two-digit pairs "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

impl Tail {
    /// An empty tail, ending with a newline or not.
    #[inline]
    pub(crate) fn new(newline: bool) -> Self {
        let mut buf = [0; 32];
        buf[31] = b'\n';
        Self {
            buf,
            start: if newline { 31 } else { 32 },
        }
    }

    #[inline]
    fn push_pair(&mut self, d: usize) {
        self.start -= 2;
        self.buf[self.start..self.start + 2].copy_from_slice(&PAIRS[2 * d..2 * d + 2]);
    }

    #[inline]
    fn push_byte(&mut self, b: u8) {
        self.start -= 1;
        self.buf[self.start] = b;
    }

    /// Puts the decimal digits of `v` in front (at most 20; a tail holds two
    /// such numbers and a sign, a point and a newline).
    #[inline]
    pub(crate) fn push_u64(&mut self, mut v: u64) {
        while v >= 10_000 {
            let rem = (v % 10_000) as usize;
            v /= 10_000;
            self.push_pair(rem % 100);
            self.push_pair(rem / 100);
        }
        let mut v = v as usize;
        if v >= 100 {
            self.push_pair(v % 100);
            v /= 100;
        }
        if v >= 10 {
            self.push_pair(v);
        } else {
            self.push_byte(b'0' + v as u8);
        }
    }

    /// Puts `v` in front, with its sign.
    #[inline]
    pub(crate) fn push_i64(&mut self, v: i64) {
        self.push_u64(v.unsigned_abs());
        if v < 0 {
            self.push_byte(b'-');
        }
    }

    /// Puts `s` (at most what is left of the 32 bytes) in front.
    #[inline]
    fn push_bytes(&mut self, s: &[u8]) {
        self.start -= s.len();
        self.buf[self.start..self.start + s.len()].copy_from_slice(s);
    }

    /// The text built so far.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// Writes a sample value as [`write_value`] does, followed by a newline
/// when `newline`; integral values, the common case, in one write.
#[inline]
pub(crate) fn write_value_tail<S: Sink + ?Sized>(w: &mut S, v: f64, newline: bool) {
    // Negative zero is integral too, but as an integer it would lose its
    // sign: it goes the long way, which writes `-0.0` (as client_python).
    if v.fract() == 0.0 && v.abs() < 1e15 && v.to_bits() != NEGATIVE_ZERO {
        let mut t = Tail::new(newline);
        // Exact: an integral f64 below 2^53 converts to i64 without loss.
        t.push_i64(v as i64);
        w.put(t.as_bytes());
        return;
    }
    match special(v) {
        Some(s) => w.put(s.as_bytes()),
        None => w.put(ryu::Buffer::new().format_finite(v).as_bytes()),
    }
    if newline {
        w.put(b"\n");
    }
}

/// The bits of `-0.0`.
const NEGATIVE_ZERO: u64 = 0x8000_0000_0000_0000;

/// Writes a count, followed by a newline when `newline`, in one write.
#[inline]
pub(crate) fn write_u64_tail<S: Sink + ?Sized>(w: &mut S, v: u64, newline: bool) {
    let mut t = Tail::new(newline);
    t.push_u64(v);
    w.put(t.as_bytes());
}

/// The last `_created` tail written, by its millisecond and newline: the
/// series of a family are mostly made together, in the same millisecond,
/// and share it.
pub(crate) struct LastCreated(Option<(u64, bool, Tail)>);

impl LastCreated {
    pub(crate) const fn new() -> Self {
        Self(None)
    }
}

/// Writes a `_created` time, followed by a newline when `newline`: seconds
/// with millisecond precision, the precision Prometheus keeps, formatted
/// with integers only (or taken from `last` when it is the same
/// millisecond), in one write.
pub(crate) fn write_created_tail<S: Sink + ?Sized>(
    w: &mut S,
    created: f64,
    newline: bool,
    last: &mut LastCreated,
) {
    if !(0.0..1e15).contains(&created) {
        write_value_tail(w, created, newline);
        return;
    }
    // Rounds half up; `created` is non-negative here, and this avoids a libm call.
    let ms = (created * 1000.0 + 0.5) as u64;
    if let Some((last_ms, last_newline, tail)) = &last.0 {
        if (*last_ms, *last_newline) == (ms, newline) {
            w.put(tail.as_bytes());
            return;
        }
    }
    let mut t = Tail::new(newline);
    let frac = (ms % 1000) as usize;
    if frac != 0 {
        let digits = [
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let len = if frac % 100 == 0 {
            2
        } else if frac % 10 == 0 {
            3
        } else {
            4
        };
        t.push_bytes(&digits[..len]);
    }
    t.push_u64(ms / 1000);
    w.put(t.as_bytes());
    last.0 = Some((ms, newline, t));
}

/// Writes an integer.
#[inline]
pub(crate) fn write_i64<S: Sink + ?Sized>(w: &mut S, v: i64) {
    let mut t = Tail::new(false);
    t.push_i64(v);
    w.put(t.as_bytes());
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
        write_value(&mut out, v);
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
    fn negative_zero_keeps_its_sign() {
        assert_eq!(value(-0.0), "-0.0");
        let mut out = Vec::new();
        write_value_tail(&mut out, -0.0, true);
        assert_eq!(out, b"-0.0\n");
        assert_eq!(canonical_float(-0.0).as_str(), "-0.0");
    }

    #[test]
    fn tails_match_itoa_and_write_value() {
        let mut ints: Vec<u64> = vec![0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 99_999];
        for p in 0..20 {
            let x = 10u64.pow(p);
            ints.extend([x - 1, x, x + 1, x.wrapping_mul(3) + 7]);
        }
        ints.extend([u64::MAX, u64::MAX - 1, 1 << 63, 18_446_744_073_709_551_609]);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ints.push(x >> (x % 64));
        }
        for &v in &ints {
            for newline in [false, true] {
                let mut out = Vec::new();
                write_u64_tail(&mut out, v, newline);
                let want = format!("{v}{}", if newline { "\n" } else { "" });
                assert_eq!(String::from_utf8(out).unwrap(), want);
            }
            let i = (v >> 1) as i64;
            for signed in [i, -i, i64::MIN, i64::MAX] {
                let mut t = Tail::new(false);
                t.push_i64(signed);
                assert_eq!(t.as_bytes(), signed.to_string().as_bytes());
            }
        }
        for v in [
            0.0,
            -0.0,
            42.0,
            -3.0,
            0.1,
            1.5e-7,
            1e300,
            123456789012.0,
            1e15,
            -1e14,
        ]
        .into_iter()
        .chain([f64::NAN, f64::INFINITY, f64::NEG_INFINITY])
        {
            let mut out = Vec::new();
            write_value_tail(&mut out, v, true);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{}\n", value(v)));
        }
    }

    #[test]
    fn created_tails() {
        for (created, want) in [
            (0.0, "0"),
            (1.0, "1"),
            (1_764_031_234.5, "1764031234.5"),
            (1_764_031_234.25, "1764031234.25"),
            (1_764_031_234.125, "1764031234.125"),
            (1_764_031_234.000_4, "1764031234"),
            (1_764_031_234.999_6, "1764031235"),
            (-1.5, "-1.5"),
            (f64::NAN, "NaN"),
        ] {
            for newline in [false, true] {
                // Fresh, then again from the memory of the last one.
                let mut last = LastCreated::new();
                for _ in 0..2 {
                    let mut out = Vec::new();
                    write_created_tail(&mut out, created, newline, &mut last);
                    let want = format!("{want}{}", if newline { "\n" } else { "" });
                    assert_eq!(String::from_utf8(out).unwrap(), want, "{created}");
                }
            }
        }
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
