//! Adding up the readings of a histogram's stripes, which may differ in
//! schema and zero threshold: each bucket of the finer reading goes into
//! the coarser schema's bucket that holds it, or into the zero bucket when
//! the wider zero threshold covers it, as a shard's `absorb` does.

use super::*;

/// Adds `from` into `into`, both at the coarser of their schemas and the
/// wider of their zero thresholds. Their classic bounds are the same (one
/// histogram's); their cumulative counts add up.
pub(super) fn merge(into: &mut NativeHistogramValue, from: &NativeHistogramValue) {
    if from.count == 0 {
        return;
    }
    let schema = into.schema.min(from.schema);
    let threshold = into.zero_threshold.max(from.zero_threshold);
    rebucket(into, schema, threshold);
    into.count += from.count;
    into.sum += from.sum;
    into.zero_count += from.zero_count;
    for (buckets, more) in [
        (&mut into.positive, &from.positive),
        (&mut into.negative, &from.negative),
    ] {
        for &(key, n) in more {
            let key = coarser_key(key, from.schema, schema);
            if upper_bound(key, schema) <= threshold {
                into.zero_count += n;
            } else {
                buckets.push((key, n));
            }
        }
        combine(buckets);
    }
    for (total, &(_, n)) in into.classic.iter_mut().zip(&from.classic) {
        total.1 += n;
    }
}

/// Halves `value`'s resolution until it has at most `max` buckets (or the
/// coarsest schema): the merged stripes may have more than each of them.
pub(super) fn fit(value: &mut NativeHistogramValue, max: u32) {
    while value.positive.len() + value.negative.len() > max as usize && value.schema > MIN_SCHEMA {
        let (schema, threshold) = (value.schema - 1, value.zero_threshold);
        rebucket(value, schema, threshold);
    }
}

/// Puts `value`'s buckets at `schema` (not finer than its own) and its
/// zero bucket at `threshold` (not narrower than its own).
fn rebucket(value: &mut NativeHistogramValue, schema: i32, threshold: f64) {
    if value.schema == schema && value.zero_threshold.to_bits() == threshold.to_bits() {
        return;
    }
    let from = value.schema;
    for buckets in [&mut value.positive, &mut value.negative] {
        let mut zero = 0;
        buckets.retain_mut(|(key, n)| {
            *key = coarser_key(*key, from, schema);
            let keep = upper_bound(*key, schema) > threshold;
            if !keep {
                zero += *n;
            }
            keep
        });
        value.zero_count += zero;
        combine(buckets);
    }
    value.schema = schema;
    value.zero_threshold = threshold;
}

/// Sorts buckets by key and adds up those with the same key.
fn combine(buckets: &mut Vec<(i32, u64)>) {
    buckets.sort_unstable_by_key(|b| b.0);
    buckets.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(schema: i32, zero_threshold: f64, positive: &[(i32, u64)]) -> NativeHistogramValue {
        let count = positive.iter().map(|b| b.1).sum();
        NativeHistogramValue::new(
            schema,
            zero_threshold,
            0,
            count,
            count as f64,
            positive.to_vec(),
            vec![],
        )
    }

    #[test]
    fn buckets_of_a_finer_reading_go_into_the_coarser_buckets_holding_them() {
        // Schema 1 keys 1 and 2 are (2^0, 2^0.5] and (2^0.5, 2^1]: both in
        // schema 0's key 1, (1, 2].
        let mut into = value(0, 0.0, &[(1, 5)]);
        merge(&mut into, &value(1, 0.0, &[(1, 1), (2, 2), (5, 1)]));
        assert_eq!(into.schema, 0);
        assert_eq!(into.positive, [(1, 8), (3, 1)]);
        assert_eq!(into.count, 9);
        // The other way round gives the same.
        let mut into = value(1, 0.0, &[(1, 1), (2, 2), (5, 1)]);
        merge(&mut into, &value(0, 0.0, &[(1, 5)]));
        assert_eq!((into.schema, into.positive), (0, vec![(1, 8), (3, 1)]));
    }

    #[test]
    fn a_wider_zero_bucket_takes_the_buckets_it_covers() {
        // Key -1 at schema 0 is (0.25, 0.5]: inside a zero bucket of 0.5.
        let mut into = value(0, 0.0, &[(-1, 2), (0, 1)]);
        merge(&mut into, &value(0, 0.5, &[(0, 1)]));
        assert_eq!(into.zero_threshold, 0.5);
        assert_eq!((into.zero_count, into.positive), (2, vec![(0, 2)]));
        assert_eq!(into.count, 4);
    }

    #[test]
    fn fitting_halves_the_resolution_until_the_buckets_fit() {
        let mut v = value(2, 0.0, &[(1, 1), (2, 1), (3, 1), (4, 1), (9, 1)]);
        fit(&mut v, 2);
        assert!(v.positive.len() <= 2, "{v:?}");
        assert_eq!(v.positive.iter().map(|b| b.1).sum::<u64>(), 5);
        assert!(v.schema < 2);
    }
}
