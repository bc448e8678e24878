//! A reading of a native histogram, and its spans and deltas.

/// A consistent reading of a [`NativeHistogram`](super::NativeHistogram): what the protobuf
/// exposition's `Histogram` message carries.
///
/// `count` is the zero count plus every bucket's count plus the NaN
/// observations, which are counted (and make the sum NaN) but fall in no
/// bucket, as in client_golang.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct NativeHistogramValue {
    /// The resolution: bucket factor `2^(2^-schema)`.
    pub schema: i32,
    /// The zero bucket's upper bound.
    pub zero_threshold: f64,
    /// Observations in `[-zero_threshold, zero_threshold]`.
    pub zero_count: u64,
    /// All observations.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// Buckets of positive values as `(key, count)`, sorted by key, none
    /// empty; bucket `k` holds `(2^((k-1) * 2^-schema), 2^(k * 2^-schema)]`.
    pub positive: Vec<(i32, u64)>,
    /// Buckets of negative values by their absolute value, as `positive`.
    pub negative: Vec<(i32, u64)>,
    /// Classic buckets kept beside the native ones, as `(upper bound,
    /// cumulative count)` in increasing bounds, `+Inf` left out (it is
    /// `count`); empty for a native-only histogram.
    pub classic: Vec<(f64, u64)>,
}

impl NativeHistogramValue {
    /// A value from its parts, as a parser reads them: `positive` and
    /// `negative` are `(key, count)` buckets sorted by key, none empty
    /// (not checked).
    ///
    /// ```
    /// let v = prom_core::NativeHistogramValue::new(3, 1e-9, 1, 4, 2.5, vec![(0, 2), (8, 1)], vec![]);
    /// assert_eq!((v.schema, v.count, v.positive.len()), (3, 4, 2));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        schema: i32,
        zero_threshold: f64,
        zero_count: u64,
        count: u64,
        sum: f64,
        positive: Vec<(i32, u64)>,
        negative: Vec<(i32, u64)>,
    ) -> Self {
        Self {
            schema,
            zero_threshold,
            zero_count,
            count,
            sum,
            positive,
            negative,
            classic: Vec::new(),
        }
    }

    /// The same value with classic buckets: `(upper bound, cumulative
    /// count)` in increasing bounds, without `+Inf` (not checked).
    ///
    /// ```
    /// let v = prom_core::NativeHistogramValue::new(0, 1e-9, 0, 3, 2.5, vec![(0, 2), (1, 1)], vec![])
    ///     .with_classic(vec![(0.5, 0), (1.0, 2)]);
    /// assert_eq!(v.classic, [(0.5, 0), (1.0, 2)]);
    /// ```
    #[must_use]
    pub fn with_classic(mut self, classic: Vec<(f64, u64)>) -> Self {
        self.classic = classic;
        self
    }
}

/// A run of consecutive buckets in the protobuf exposition: it starts
/// `offset` buckets after the end of the previous span (the first span, at
/// bucket `offset`) and is `length` buckets long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSpan {
    /// Gap from the end of the previous span, or the first bucket's key.
    pub offset: i32,
    /// Buckets in the span.
    pub length: u32,
}

/// Turns sorted `(key, count)` buckets into the protobuf's spans and
/// deltas (each count minus the previous one, the first minus zero). As in
/// client_golang, a gap of one or two buckets is filled with empty buckets
/// rather than starting a new span, which would cost more.
///
/// ```
/// use prom_core::{spans_and_deltas, BucketSpan};
/// let (spans, deltas) = spans_and_deltas(&[(-1, 2), (0, 5), (2, 1), (9, 1)]);
/// assert_eq!(
///     spans,
///     [BucketSpan { offset: -1, length: 4 }, BucketSpan { offset: 6, length: 1 }]
/// );
/// // Bucket 1 is an empty bucket filling the gap.
/// assert_eq!(deltas, [2, 3, -5, 1, 0]);
/// ```
pub fn spans_and_deltas(buckets: &[(i32, u64)]) -> (Vec<BucketSpan>, Vec<i64>) {
    let mut spans: Vec<BucketSpan> = Vec::new();
    let mut deltas = Vec::with_capacity(buckets.len());
    let mut previous = 0i64;
    let mut next_key = 0i32;
    for &(key, count) in buckets {
        let gap = key.wrapping_sub(next_key);
        match spans.last_mut() {
            Some(span) if (0..=2).contains(&gap) => {
                for _ in 0..gap {
                    deltas.push(-previous);
                    previous = 0;
                }
                span.length += gap as u32 + 1;
            }
            _ => spans.push(BucketSpan {
                offset: gap,
                length: 1,
            }),
        }
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        deltas.push(count.wrapping_sub(previous));
        previous = count;
        next_key = key.wrapping_add(1);
    }
    (spans, deltas)
}
