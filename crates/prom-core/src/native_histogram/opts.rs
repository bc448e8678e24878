//! The options of a native histogram, as client_golang's `HistogramOpts`.

use super::*;

/// client_golang's `DefNativeHistogramZeroThreshold`: 2^-128, the default
/// width of the zero bucket.
pub const DEFAULT_NATIVE_ZERO_THRESHOLD: f64 = 2.938735877055719e-39;

/// Options of a [`NativeHistogram`]: client_golang's `NativeHistogram*`
/// fields of `HistogramOpts`.
///
/// ```
/// use std::time::Duration;
/// use prom_core::NativeHistogramOpts;
/// let opts = NativeHistogramOpts::new()
///     .bucket_factor(1.1)?
///     .max_buckets(160)
///     .min_reset_duration(Duration::from_secs(3600));
/// // 2^(2^-3) = 1.09 is the largest bucket factor not above 1.1.
/// assert_eq!(opts.get_schema(), 3);
/// # Ok::<(), prom_core::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct NativeHistogramOpts {
    pub(super) schema: i32,
    pub(super) zero_threshold: f64,
    pub(super) max_zero_threshold: f64,
    pub(super) max_buckets: u32,
    pub(super) min_reset_duration: Duration,
    pub(super) clock: Arc<dyn Clock>,
}

impl fmt::Debug for NativeHistogramOpts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeHistogramOpts")
            .field("schema", &self.schema)
            .field("zero_threshold", &self.zero_threshold)
            .field("max_zero_threshold", &self.max_zero_threshold)
            .field("max_buckets", &self.max_buckets)
            .field("min_reset_duration", &self.min_reset_duration)
            .finish_non_exhaustive()
    }
}

/// Equal options have the same settings and share the same clock.
impl PartialEq for NativeHistogramOpts {
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.zero_threshold.to_bits() == other.zero_threshold.to_bits()
            && self.max_zero_threshold.to_bits() == other.max_zero_threshold.to_bits()
            && self.max_buckets == other.max_buckets
            && self.min_reset_duration == other.min_reset_duration
            && Arc::ptr_eq(&self.clock, &other.clock)
    }
}

impl Default for NativeHistogramOpts {
    fn default() -> Self {
        Self::new()
    }
}

pub(super) fn invalid(reason: String) -> Error {
    Error::InvalidNativeHistogram { reason }
}

pub(super) fn non_negative(what: &str, v: f64) -> Result<f64, Error> {
    if v.is_nan() || v < 0.0 || v.is_infinite() {
        return Err(invalid(format!("{what} {v} is not a finite number >= 0")));
    }
    Ok(v)
}

impl NativeHistogramOpts {
    /// Schema 3 (bucket factor 1.09), zero threshold
    /// [`DEFAULT_NATIVE_ZERO_THRESHOLD`], no bucket limit.
    pub fn new() -> Self {
        Self {
            schema: 3,
            zero_threshold: DEFAULT_NATIVE_ZERO_THRESHOLD,
            max_zero_threshold: 0.0,
            max_buckets: 0,
            min_reset_duration: Duration::ZERO,
            clock: Arc::new(SystemClock::new()),
        }
    }

    /// The resolution: each bucket's upper bound is `2^(2^-schema)` times
    /// its lower bound.
    ///
    /// # Errors
    /// [`Error::InvalidNativeHistogram`] unless `-4 <= schema <= 8`.
    pub fn schema(mut self, schema: i32) -> Result<Self, Error> {
        if !(MIN_SCHEMA..=MAX_SCHEMA).contains(&schema) {
            return Err(invalid(format!(
                "schema {schema} is not in {MIN_SCHEMA}..={MAX_SCHEMA}"
            )));
        }
        self.schema = schema;
        Ok(self)
    }

    /// The schema whose bucket factor `2^(2^-schema)` is the largest not
    /// above `factor` (client_golang's `NativeHistogramBucketFactor`),
    /// within `-4..=8`.
    ///
    /// # Errors
    /// [`Error::InvalidNativeHistogram`] unless `factor` is finite and
    /// above 1.
    pub fn bucket_factor(mut self, factor: f64) -> Result<Self, Error> {
        if factor.is_nan() || factor <= 1.0 || factor.is_infinite() {
            return Err(invalid(format!(
                "bucket factor {factor} is not a finite number above 1"
            )));
        }
        let floor = factor.log2().log2().floor();
        self.schema = if floor <= -f64::from(MAX_SCHEMA) {
            MAX_SCHEMA
        } else if floor >= -f64::from(MIN_SCHEMA) {
            MIN_SCHEMA
        } else {
            // Strictly between -8 and 4: the cast is exact.
            -(floor as i32)
        };
        Ok(self)
    }

    /// Observations with an absolute value up to `threshold` count in the
    /// zero bucket. Default [`DEFAULT_NATIVE_ZERO_THRESHOLD`]; 0 leaves only exact
    /// zeros to it.
    ///
    /// # Errors
    /// [`Error::InvalidNativeHistogram`] unless `threshold` is finite and
    /// not negative.
    pub fn zero_threshold(mut self, threshold: f64) -> Result<Self, Error> {
        self.zero_threshold = non_negative("zero threshold", threshold)?;
        Ok(self)
    }

    /// How wide the bucket limit may make the zero bucket (default 0: it
    /// never widens it).
    ///
    /// # Errors
    /// [`Error::InvalidNativeHistogram`] unless `threshold` is finite and
    /// not negative.
    pub fn max_zero_threshold(mut self, threshold: f64) -> Result<Self, Error> {
        self.max_zero_threshold = non_negative("max zero threshold", threshold)?;
        Ok(self)
    }

    /// The most buckets (positive and negative together) the histogram
    /// keeps; 0, the default, is no limit. When an observation creates one
    /// too many, the histogram resets if its last reset (or creation) is at
    /// least [`min_reset_duration`](Self::min_reset_duration) ago; else it
    /// widens the zero bucket over the bucket nearest zero if that stays
    /// within [`max_zero_threshold`](Self::max_zero_threshold); else it
    /// halves its resolution (down to schema -4).
    pub fn max_buckets(mut self, max: u32) -> Self {
        self.max_buckets = max;
        self
    }

    /// How long after the last reset (or creation) the bucket limit may
    /// reset the histogram; zero, the default, never resets.
    pub fn min_reset_duration(mut self, d: Duration) -> Self {
        self.min_reset_duration = d;
        self
    }

    /// The clock [`min_reset_duration`](Self::min_reset_duration) is
    /// measured with (default the process's monotonic clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The schema these options give.
    #[must_use]
    pub fn get_schema(&self) -> i32 {
        self.schema
    }
}
