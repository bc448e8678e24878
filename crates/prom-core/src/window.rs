//! A summary's quantiles over a sliding time window, as client_golang
//! computes them: `age_buckets` CKMS streams ([`crate::quantile`]) staggered
//! in time, each reset in turn every `max_age / age_buckets`; every
//! observation goes into every live stream, and the oldest stream — which
//! has seen the last `max_age` or a little less — answers queries.
//!
//! Observers do not touch the streams: each appends to a buffer (one per
//! CPU core once two threads collide, like the other stripes), which is
//! merged into the streams when it fills, when the window moves on, or when
//! a scrape reads the quantiles. A buffer holds the values of one time
//! period (each observation reads the clock and compares it with the end of
//! the buffer's period), so a value merged late still counts only in the
//! streams that were live when it was observed, and ages out on time.

use std::sync::{Arc, OnceLock, TryLockError};
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::clock::Clock;
use crate::owned::{stripe_count, thread_slot};
use crate::quantile::{Objective, Stream, Tuple};
use crate::sync::{lock, Mutex};
use crate::Quantile;

/// Observations a buffer holds before it is merged into the streams.
const CAPACITY: usize = 256;

/// What a summary's quantiles are made from: validated objectives and the
/// window's shape. Public in name only: it is the summary's configuration
/// in the metric types' private plumbing trait.
#[derive(Debug, Clone)]
pub struct WindowConfig {
    /// Sorted by quantile.
    pub(crate) objectives: Arc<[Objective]>,
    pub(crate) max_age: Duration,
    pub(crate) age_buckets: u32,
    pub(crate) clock: Arc<dyn Clock>,
}

/// How the clock is cut into periods of `max_age / age_buckets`.
#[derive(Debug, Clone, Copy)]
struct Periods {
    /// The clock's reading when the window started, in nanoseconds.
    start: u64,
    /// The length of a period, in nanoseconds (at least 1).
    length: u64,
}

impl Periods {
    fn of(self, now: u64) -> u64 {
        now.saturating_sub(self.start) / self.length
    }

    /// The clock reading at which period `p` ends.
    fn end(self, p: u64) -> u64 {
        self.start
            .saturating_add(p.saturating_add(1).saturating_mul(self.length))
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Values observed in one period, not yet in the streams.
#[derive(Debug, Default)]
struct Buffer {
    period: u64,
    /// When `period` ends; a later observation starts a new batch. The
    /// comparison spares the hot path a division.
    period_end: u64,
    values: Vec<f64>,
}

impl Buffer {
    /// Appends `v`, observed at `now`; returns a batch to merge when the
    /// buffer is full or its values belong to an earlier period than `v`.
    #[inline]
    fn push(&mut self, v: f64, now: u64, periods: Periods) -> Option<Buffer> {
        let mut out = None;
        if now >= self.period_end {
            let period = periods.of(now);
            if period != self.period && !self.values.is_empty() {
                out = Some(self.take());
            }
            self.period = period;
            self.period_end = periods.end(period);
        }
        self.values.push(v);
        if out.is_none() && self.values.len() >= CAPACITY {
            out = Some(self.take());
        }
        out
    }

    fn take(&mut self) -> Buffer {
        Buffer {
            period: self.period,
            period_end: self.period_end,
            values: std::mem::take(&mut self.values),
        }
    }
}

/// The staggered streams.
#[derive(Debug)]
struct Streams {
    /// The latest period the window has moved to.
    current: u64,
    /// Each stream with the period it was last reset in: it holds every
    /// value observed since then.
    ring: Box<[(u64, Stream)]>,
    /// Space reused by merges.
    spare: Vec<Tuple>,
}

impl Streams {
    fn new(age_buckets: u32) -> Self {
        Self {
            current: 0,
            ring: (0..age_buckets.max(1))
                .map(|_| (0, Stream::default()))
                .collect(),
            spare: Vec::new(),
        }
    }

    /// Moves the window on to period `to`: each step resets the stream
    /// that has lived longest.
    fn advance(&mut self, to: u64) {
        let n = self.ring.len() as u64;
        if to >= self.current.saturating_add(n) {
            // Every stream is stale; reset them all, staggered as if the
            // window had moved step by step.
            for q in to + 1 - n..=to {
                let (reset, stream) = &mut self.ring[((q - 1) % n) as usize];
                *reset = q;
                stream.clear();
            }
            self.current = to;
            return;
        }
        while self.current < to {
            self.current += 1;
            let (reset, stream) = &mut self.ring[((self.current - 1) % n) as usize];
            *reset = self.current;
            stream.clear();
        }
    }

    /// Merges a batch observed in `batch.period` into every stream that was
    /// live then.
    fn merge(&mut self, objectives: &[Objective], mut batch: Buffer) {
        if batch.values.is_empty() {
            return;
        }
        self.advance(batch.period);
        batch.values.sort_unstable_by(f64::total_cmp);
        for (reset, stream) in self.ring.iter_mut() {
            if *reset <= batch.period {
                stream.insert_sorted(objectives, &batch.values, &mut self.spare);
            }
        }
    }

    /// The stream that has lived longest: it covers the window.
    fn oldest(&self) -> &Stream {
        let mut oldest = &self.ring[0];
        for s in self.ring.iter() {
            if s.0 < oldest.0 {
                oldest = s;
            }
        }
        &oldest.1
    }
}

/// A summary's quantiles over a sliding window.
#[derive(Debug)]
pub(crate) struct Window {
    config: WindowConfig,
    periods: Periods,
    /// The only buffer until two observers collide.
    primary: Mutex<Buffer>,
    stripes: OnceLock<Box<[CachePadded<Mutex<Buffer>>]>>,
    streams: Mutex<Streams>,
}

impl Window {
    pub(crate) fn new(config: &WindowConfig) -> Self {
        let length = config.max_age / config.age_buckets.max(1);
        Self {
            periods: Periods {
                start: nanos(config.clock.elapsed()),
                length: nanos(length).max(1),
            },
            primary: Mutex::new(Buffer::default()),
            stripes: OnceLock::new(),
            streams: Mutex::new(Streams::new(config.age_buckets)),
            config: config.clone(),
        }
    }

    /// The clock's reading, in nanoseconds.
    #[inline]
    fn now(&self) -> u64 {
        nanos(self.config.clock.elapsed())
    }

    /// Records `v` (NaN has no rank and is left out of the quantiles; the
    /// summary's count and sum still include it).
    #[inline]
    pub(crate) fn observe(&self, v: f64) {
        if v.is_nan() {
            return;
        }
        let now = self.now();
        let periods = self.periods;
        let full = match self.stripes.get() {
            Some(stripes) => {
                let stripe = &stripes[thread_slot() & (stripes.len() - 1)];
                lock(stripe).push(v, now, periods)
            }
            None => match self.primary.try_lock() {
                Ok(mut buffer) => buffer.push(v, now, periods),
                Err(TryLockError::Poisoned(p)) => p.into_inner().push(v, now, periods),
                Err(TryLockError::WouldBlock) => {
                    self.grow();
                    return self.observe(v);
                }
            },
        };
        if let Some(batch) = full {
            lock(&self.streams).merge(&self.config.objectives, batch);
        }
    }

    /// Two observers collided on the primary buffer: give each core one.
    #[cold]
    #[inline(never)]
    fn grow(&self) {
        self.stripes.get_or_init(|| {
            (0..stripe_count())
                .map(|_| CachePadded::new(Mutex::new(Buffer::default())))
                .collect()
        });
    }

    /// Merges every buffer and writes the window's quantiles into `out`
    /// (NaN for each when the window is empty).
    pub(crate) fn read_into(&self, out: &mut Vec<Quantile>) {
        let now = self.periods.of(self.now());
        let mut batches = Vec::new();
        batches.push(lock(&self.primary).take());
        if let Some(stripes) = self.stripes.get() {
            batches.extend(stripes.iter().map(|s| lock(s).take()));
        }
        let mut streams = lock(&self.streams);
        streams.advance(now);
        for batch in batches {
            streams.merge(&self.config.objectives, batch);
        }
        let oldest = streams.oldest();
        out.clear();
        out.extend(self.config.objectives.iter().map(|o| {
            Quantile {
                quantile: o.quantile,
                value: oldest
                    .query(&self.config.objectives, o.quantile)
                    .unwrap_or(f64::NAN),
            }
        }));
    }
}
