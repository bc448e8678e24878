//! Where the writers put their bytes: straight into a `Vec<u8>`, or through
//! a buffer into any [`io::Write`].
//!
//! An exposition is mostly short pieces (a name, a label set, a number, a
//! newline), tens of thousands of them per scrape: a `Vec<u8>` takes them
//! directly, and an [`IoSink`] hands its writer 32 KiB at a time instead of
//! every piece through `io::Write`.

use std::fmt;
use std::io::{self, Write};

/// Where an [`Encoder`](crate::Encoder) writes: a `&mut Vec<u8>` (converted
/// with `into`, appended to directly) or any [`io::Write`]
/// ([`Output::writer`], handed 32 KiB at a time).
///
/// ```
/// use prom_codec::{Encoder, Output};
/// let g = prom_core::Gauge::new("up", "").unwrap();
/// let mut stdout = std::io::stdout().lock();
/// Encoder::text().encode(&g, &[], Output::writer(&mut stdout)).unwrap();
/// let mut body = Vec::new();
/// Encoder::text().encode(&g, &[], &mut body).unwrap();
/// assert_eq!(body, b"# TYPE up gauge\nup 0\n");
/// ```
#[derive(Debug)]
pub struct Output<'a>(pub(crate) Dest<'a>);

pub(crate) enum Dest<'a> {
    Vec(&'a mut Vec<u8>),
    Write(&'a mut dyn Write),
}

impl fmt::Debug for Dest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dest::Vec(v) => write!(f, "Vec({} bytes)", v.len()),
            Dest::Write(_) => f.write_str("Write"),
        }
    }
}

impl<'a> Output<'a> {
    /// Writes into `w`. A `Vec<u8>` is better passed as itself
    /// (`&mut vec`): it is then appended to without a buffer in between.
    pub fn writer(w: &'a mut dyn Write) -> Self {
        Self(Dest::Write(w))
    }
}

impl<'a> From<&'a mut Vec<u8>> for Output<'a> {
    fn from(out: &'a mut Vec<u8>) -> Self {
        Self(Dest::Vec(out))
    }
}

/// A destination for exposition bytes.
pub(crate) trait Sink {
    /// Appends `s`.
    fn put(&mut self, s: &[u8]);

    /// The error of the writer behind this sink, once it has failed; later
    /// bytes are dropped.
    fn error(&self) -> Option<&io::Error> {
        None
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }
}

/// How much an [`IoSink`] gathers before it writes.
const CHUNK: usize = 32 * 1024;

/// Gathers bytes and writes them to `w` in chunks of about [`CHUNK`] bytes.
/// The first write error is kept and ends the writing.
pub(crate) struct IoSink<'w, W: Write + ?Sized> {
    buf: Vec<u8>,
    w: &'w mut W,
    error: Option<io::Error>,
}

impl<'w, W: Write + ?Sized> IoSink<'w, W> {
    pub(crate) fn new(w: &'w mut W) -> Self {
        Self {
            buf: Vec::with_capacity(CHUNK + 64),
            w,
            error: None,
        }
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.w.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    /// Writes what is left; the first error, if there was one.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.flush();
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The first error, if there was one.
    pub(crate) fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

impl<W: Write + ?Sized> Sink for IoSink<'_, W> {
    #[inline]
    fn put(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
        if self.buf.len() >= CHUNK {
            self.flush();
        }
    }

    fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails after `budget` bytes.
    struct Failing {
        budget: usize,
        written: Vec<u8>,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.written.len() + buf.len() > self.budget {
                return Err(io::Error::other("disk full"));
            }
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn io_sink_writes_in_chunks_and_keeps_the_first_error() {
        let mut out = Vec::new();
        let mut sink = IoSink::new(&mut out);
        for i in 0..20_000u32 {
            sink.put(i.to_string().as_bytes());
        }
        assert!(sink.error().is_none());
        sink.finish().unwrap();
        let want: String = (0..20_000u32).map(|i| i.to_string()).collect();
        assert_eq!(out, want.as_bytes());

        let mut failing = Failing {
            budget: 40_000,
            written: Vec::new(),
        };
        let mut sink = IoSink::new(&mut failing);
        for _ in 0..10_000 {
            sink.put(b"0123456789");
        }
        assert_eq!(
            sink.error().map(ToString::to_string).as_deref(),
            Some("disk full")
        );
        let err = sink.finish().unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        // The first chunk went out; the second did not fit.
        assert!((CHUNK..40_000).contains(&failing.written.len()));
    }
}
