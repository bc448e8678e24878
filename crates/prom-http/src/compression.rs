//! Response compression: which coding a scraper gets, and producing it.
//!
//! Prometheus asks for gzip on every scrape, so gzip speed is scrape speed:
//! flate2 runs on zlib-rs at level 1, chosen by measurement (see
//! docs/architecture.md), and a large exposition is compressed in chunks on
//! two threads, as pigz does. zstd is offered too, as client_golang does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use flate2::{Compress, Crc, FlushCompress, Status};

/// A content coding the exporter can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Compression {
    Identity,
    Gzip,
    Zstd,
}

/// The codings offered, in the order ties are broken (client_golang's
/// order: zstd compresses better and faster than gzip).
const OFFERS: [(Compression, &str); 2] = [(Compression::Zstd, "zstd"), (Compression::Gzip, "gzip")];

/// zstd's level 1: at expositions' redundancy it already beats gzip's
/// ratio several times over, at a fraction of its time.
const ZSTD_LEVEL: i32 = 1;

impl Compression {
    /// The coding `accept_encoding` prefers among those offered: the highest
    /// `q`, ties going to the earlier offer; identity when it names none.
    pub(crate) fn negotiate(accept_encoding: Option<&str>) -> Self {
        let mut best = (Compression::Identity, 0.0);
        for (coding, name) in OFFERS {
            if let Some(q) = prom_codec::accept::quality(accept_encoding, name) {
                if q > best.1 {
                    best = (coding, q);
                }
            }
        }
        best.0
    }

    /// The `Content-Encoding` value, if any.
    pub(crate) fn content_encoding(self) -> Option<&'static str> {
        match self {
            Compression::Identity => None,
            Compression::Gzip => Some("gzip"),
            Compression::Zstd => Some("zstd"),
        }
    }

    /// `body` in this coding.
    pub(crate) fn apply(self, body: &[u8]) -> Vec<u8> {
        match self {
            Compression::Identity => body.to_vec(),
            Compression::Gzip => gzip(body),
            Compression::Zstd => zstd::bulk::compress(body, ZSTD_LEVEL)
                .expect("zstd compresses any input at a valid level into memory"),
        }
    }
}

/// Bodies at least this long are compressed on two threads.
const PARALLEL_FROM: usize = 512 * 1024;

/// The piece of a body one thread compresses at a time: large enough that
/// the chunks' fresh dictionaries cost little ratio (under 1% here).
const CHUNK: usize = 256 * 1024;

/// A chunk's deflate data and the CRC of its input.
type Deflated = (Vec<u8>, Crc);

/// `body` as one gzip member (RFC 1952) at level 1. From [`PARALLEL_FROM`]
/// bytes on, its chunks are deflated independently, on this thread and one
/// more, each but the last ending in a sync flush so that their
/// concatenation is one valid deflate stream; their CRCs are combined.
fn gzip(body: &[u8]) -> Vec<u8> {
    // Magic, deflate, no flags, no time, no extra flags, unknown OS.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut out = Vec::with_capacity(body.len() / 8 + 64);
    out.extend_from_slice(&HEADER);
    let mut crc = Crc::new();
    if body.len() < PARALLEL_FROM {
        deflate_into(body, true, &mut out);
        crc.update(body);
    } else {
        let chunks: Vec<&[u8]> = body.chunks(CHUNK).collect();
        let done: Vec<Mutex<Option<Deflated>>> = chunks.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else { break };
            let mut deflated = Vec::with_capacity(chunk.len() / 8 + 64);
            deflate_into(chunk, i + 1 == chunks.len(), &mut deflated);
            let mut chunk_crc = Crc::new();
            chunk_crc.update(chunk);
            *done[i]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((deflated, chunk_crc));
        };
        std::thread::scope(|scope| {
            // Without a second thread (none can be made) this thread does
            // every chunk itself.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
            work();
        });
        for slot in done {
            let (deflated, chunk_crc) = slot
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .expect("the scope ends after every chunk is compressed");
            out.extend_from_slice(&deflated);
            crc.combine(&chunk_crc);
        }
    }
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out
}

/// Appends `input` to `out` as raw deflate data at level 1: the end of the
/// stream when `last`, else ending at a byte boundary after a sync flush.
fn deflate_into(input: &[u8], last: bool, out: &mut Vec<u8>) {
    let mut deflate = Compress::new(flate2::Compression::fast(), false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        out.reserve(input.len() / 8 + 64);
        let consumed = usize::try_from(deflate.total_in()).unwrap_or(usize::MAX);
        let status = deflate
            .compress_vec(&input[consumed.min(input.len())..], out, flush)
            .expect("deflating into memory with valid settings cannot fail");
        let all_in = usize::try_from(deflate.total_in()) == Ok(input.len());
        // zlib's rule: a flush is complete when output space was left over.
        let flushed = out.len() < out.capacity();
        match (last, status) {
            (true, Status::StreamEnd) => return,
            (false, _) if all_in && flushed => return,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Compression::{self, Gzip, Identity, Zstd};
    use std::io::Read;

    #[test]
    fn the_highest_quality_wins_and_ties_go_to_zstd() {
        let cases = [
            (None, Identity),
            (Some(""), Identity),
            (Some("gzip"), Gzip),
            (Some("deflate, GZIP;q=0.5"), Gzip),
            (Some("gzip;q=0"), Identity),
            (Some("br"), Identity),
            (Some("*"), Identity),
            (Some("zstd"), Zstd),
            (Some("gzip, zstd"), Zstd),
            (Some("gzip;q=1, zstd;q=0.9"), Gzip),
            (Some("zstd;q=0, gzip;q=0.1"), Gzip),
        ];
        for (header, expected) in cases {
            assert_eq!(Compression::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn gzip_of_any_size_is_one_member_that_decodes_to_the_body() {
        // One chunk, several, an exact multiple of the chunk, a partial last one.
        let line = b"http_requests_total{method=\"GET\",path=\"/api/v1/x\"} 12345\n";
        for len in [
            0,
            1,
            1000,
            super::PARALLEL_FROM - 1,
            super::PARALLEL_FROM,
            3 * super::CHUNK,
            1_500_000,
        ] {
            let body: Vec<u8> = line.iter().copied().cycle().take(len).collect();
            let gz = Gzip.apply(&body);
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut out)
                .unwrap();
            assert!(out == body, "length {len}");
            // The whole input in one member: nothing follows it.
            let mut one = flate2::bufread::GzDecoder::new(&gz[..]);
            std::io::copy(&mut one, &mut std::io::sink()).unwrap();
            assert!(one.into_inner().is_empty(), "length {len}");
            if len > 1000 {
                assert!(gz.len() < len / 5, "length {len}: {} bytes", gz.len());
            }
        }
    }

    #[test]
    fn each_coding_decodes_to_the_body() {
        let body = "http_requests_total{path=\"/a\"} 1\n".repeat(1000);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&Gzip.apply(body.as_bytes())[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, body);
        let zst = Zstd.apply(body.as_bytes());
        assert!(zst.len() < body.len() / 10);
        assert_eq!(
            zstd::bulk::decompress(&zst, body.len()).unwrap(),
            body.as_bytes()
        );
        assert_eq!(Identity.apply(body.as_bytes()), body.as_bytes());
    }
}
