//! Unit tests of native histograms.

use super::opts::DEFAULT_NATIVE_ZERO_THRESHOLD;
use super::value::{spans_and_deltas, BucketSpan};
use super::*;
use crate::ManualClock;
use std::sync::atomic::AtomicBool;

/// `2^m` for any `m` an `f64` can hold exactly, from its bits.
fn pow2(m: i32) -> f64 {
    assert!((-1074..=1023).contains(&m));
    if m >= -1022 {
        f64::from_bits(((m + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (m + 1074))
    }
}

fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

fn next_down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

fn square(x: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; 2 * x.len()];
    for (i, &a) in x.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &b) in x.iter().enumerate() {
            let t = u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry;
            out[i + j] = t as u32;
            carry = t >> 32;
        }
        // Row i has not reached this limb yet.
        out[i + x.len()] = carry as u32;
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    out
}

/// The number of bits of `base^(2^squarings)`, computed exactly.
fn bits_of_power(base: u64, squarings: u32) -> u64 {
    let mut x = vec![base as u32, (base >> 32) as u32];
    while x.last() == Some(&0) {
        x.pop();
    }
    for _ in 0..squarings {
        x = square(&x);
    }
    let top = *x.last().expect("a positive base has a non-zero limb");
    (x.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros())
}

/// `2^(j/256)` for `j` in `0..256`, correctly rounded, proved with
/// integers: for `c = M/2^52` the neighbouring midpoints are
/// `(2M ± 1)/2^53`, and `c` is the rounding of `x = 2^(j/256)` iff
/// `(2M - 1)^256 < 2^(j + 53*256) < (2M + 1)^256`. Both powers are of
/// odd numbers, never powers of two, so comparing bit lengths decides.
fn exact_roots() -> Vec<f64> {
    (0..256u64)
        .map(|j| {
            if j == 0 {
                return 1.0;
            }
            let limit = j + 53 * 256;
            let mut c = (j as f64 / 256.0).exp2();
            loop {
                let m = (c.to_bits() & ((1 << 52) - 1)) | 1 << 52;
                if bits_of_power(2 * m - 1, 8) > limit {
                    c = next_down(c);
                } else if bits_of_power(2 * m + 1, 8) <= limit {
                    c = next_up(c);
                } else {
                    return c;
                }
            }
        })
        .collect()
}

#[test]
fn bucket_keys_on_and_around_every_boundary_match_exact_arithmetic_for_every_schema() {
    // Schemas up to 0: the boundaries 2^(k * 2^-schema) are powers of
    // two, exact down to the subnormals.
    for schema in MIN_SCHEMA..=0 {
        let width = 1i32 << -schema;
        for m in (-1074..=1023).filter(|m: &i32| m.rem_euclid(width) == 0) {
            let k = m / width;
            let b = pow2(m);
            assert_eq!(bucket_key(b, schema), k, "2^{m} at schema {schema}");
            assert_eq!(bucket_key(next_up(b), schema), k + 1, "above 2^{m}");
            // Unless it is the bound below (2^-1074 below 2^-1073).
            let below = next_down(b);
            if below > 0.0 && (m - width < -1074 || below != pow2(m - width)) {
                assert_eq!(bucket_key(below, schema), k, "below 2^{m}");
            }
        }
        // 2^-1074 is in the bucket whose bound is the next power of
        // 2^width above it; f64::MAX in the one ending at 2^1024.
        let smallest = -1074i32;
        let k = smallest.div_euclid(width) + i32::from(smallest.rem_euclid(width) != 0);
        assert_eq!(bucket_key(pow2(-1074), schema), k);
        assert_eq!(bucket_key(f64::MAX, schema), 1024 / width);
        assert_eq!(bucket_key(f64::INFINITY, schema), 1024 / width + 1);
    }
    // Positive schemas: the boundaries 2^(k / 2^schema) are irrational
    // but for multiples of 2^schema; each bucket ends at the correctly
    // rounded boundary, which therefore falls in it, and the next float
    // in the bucket above.
    let roots = exact_roots();
    for schema in 1..=MAX_SCHEMA {
        let n = 1i32 << schema;
        for j in 0..n {
            let root = roots[(j << (8 - schema)) as usize];
            for e in -1022..=1023 {
                // Exact: scaling by a power of two in the normal range.
                let b = root * pow2(e);
                let k = j + e * n;
                assert_eq!(bucket_key(b, schema), k, "2^({k}/{n})");
                assert_eq!(bucket_key(next_up(b), schema), k + 1, "above 2^({k}/{n})");
                assert_eq!(bucket_key(next_down(b), schema), k, "below 2^({k}/{n})");
            }
        }
        assert_eq!(bucket_key(pow2(-1074), schema), -1074 * n);
        assert_eq!(bucket_key(f64::MAX, schema), 1024 * n);
        assert_eq!(bucket_key(f64::INFINITY, schema), 1024 * n + 1);
    }
}

#[test]
fn the_boundary_table_is_the_exact_boundaries_halved() {
    for (j, root) in exact_roots().into_iter().enumerate() {
        assert_eq!(BOUNDS[j], root / 2.0, "entry {j}");
    }
}

#[test]
fn no_bin_of_the_lookup_table_holds_two_boundaries() {
    let bin_width = pow2(-(BIN_BITS as i32) - 1);
    for w in BOUNDS.windows(2) {
        assert!(w[1] - w[0] > bin_width, "{} and {}", w[0], w[1]);
    }
    assert!(1.0 - BOUNDS[255] > bin_width);
}

#[test]
fn random_values_fall_between_their_buckets_bounds_at_every_schema() {
    // xorshift64: any positive finite f64, by its bits.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let v = f64::from_bits(state >> 1);
        if !v.is_finite() || v < pow2(-1022) {
            continue;
        }
        for schema in MIN_SCHEMA..=MAX_SCHEMA {
            let k = bucket_key(v, schema);
            assert!(v <= upper_bound(k, schema), "{v} in {k} at {schema}");
            assert!(v > upper_bound(k - 1, schema), "{v} in {k} at {schema}");
        }
    }
}

#[test]
fn upper_bounds_are_the_boundaries_of_the_keys() {
    let roots = exact_roots();
    for schema in MIN_SCHEMA..=MAX_SCHEMA {
        // Keys whose bound is a normal number.
        let keys = if schema > 0 {
            -300..300
        } else {
            (-1022 >> -schema) + 1..(1023 >> -schema) + 1
        };
        for key in keys {
            let bound = upper_bound(key, schema);
            if schema > 0 {
                let n = 1 << schema;
                let root = roots[(key.rem_euclid(n) << (8 - schema)) as usize];
                assert_eq!(bound, root * pow2(key.div_euclid(n)), "{key} at {schema}");
            } else {
                assert_eq!(bound, pow2(key << -schema), "{key} at {schema}");
            }
            assert_eq!(bucket_key(bound, schema), key);
        }
    }
    assert_eq!(upper_bound(1024, 0), f64::MAX);
}

fn histogram(opts: NativeHistogramOpts, values: &[f64]) -> NativeHistogram {
    let h = NativeHistogram::with_name("h", "", opts).expect("a valid name");
    for &v in values {
        h.observe(v);
    }
    h
}

fn assert_consistent(r: &NativeHistogramValue, nan: u64) {
    let buckets: u64 = r.positive.iter().chain(&r.negative).map(|b| b.1).sum();
    assert_eq!(r.count, r.zero_count + buckets + nan, "{r:?}");
}

#[test]
fn nan_infinities_negatives_and_values_within_the_zero_threshold_go_where_client_golang_puts_them()
{
    let tiny = 1e-40;
    assert!(tiny < DEFAULT_NATIVE_ZERO_THRESHOLD);
    assert_eq!(DEFAULT_NATIVE_ZERO_THRESHOLD, pow2(-128));
    let h = histogram(
        NativeHistogramOpts::new(),
        &[
            0.0,
            -0.0,
            tiny,
            -tiny,
            DEFAULT_NATIVE_ZERO_THRESHOLD,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -3.0,
            next_up(DEFAULT_NATIVE_ZERO_THRESHOLD),
        ],
    );
    let r = h.get();
    assert_eq!(r.schema, 3);
    assert_eq!(r.zero_threshold, DEFAULT_NATIVE_ZERO_THRESHOLD);
    assert_eq!(r.zero_count, 5);
    assert_eq!(r.count, 10);
    assert!(r.sum.is_nan());
    // +Inf one above f64::MAX's bucket, 1024 * 8; 2^-128 ends bucket
    // -128 * 8, so the next float starts the next one.
    assert_eq!(r.positive, [(-1023, 1), (8193, 1)]);
    // 3 = 2^1.58..., and 1.58 * 8 = 12.7: bucket 13.
    assert_eq!(r.negative, [(13, 1), (8193, 1)]);
    assert_consistent(&r, 1);

    let h = histogram(
        NativeHistogramOpts::new().zero_threshold(0.0).unwrap(),
        &[0.0, -0.0, pow2(-1074), -pow2(-1074)],
    );
    let r = h.get();
    assert_eq!((r.zero_count, r.count, r.sum), (2, 4, 0.0));
    assert_eq!(r.positive, [(-1074 * 8, 1)]);
    assert_eq!(r.negative, [(-1074 * 8, 1)]);

    let h = histogram(
        NativeHistogramOpts::new()
            .schema(0)
            .unwrap()
            .zero_threshold(1.0)
            .unwrap(),
        &[1.0, -1.0, next_up(1.0), -next_up(1.0)],
    );
    let r = h.get();
    assert_eq!(r.zero_count, 2);
    assert_eq!(r.positive, [(1, 1)]);
    assert_eq!(r.negative, [(1, 1)]);
}

#[test]
fn readings_are_totals_and_repeat_when_nothing_is_observed() {
    let h = histogram(NativeHistogramOpts::new(), &[1.0, 2.0]);
    let first = h.get();
    assert_eq!(first, h.get());
    h.observe(2.0);
    let r = h.get();
    assert_eq!(r.count, 3);
    assert_eq!(r.positive, [(0, 1), (8, 2)]);
    assert_eq!(r, h.get());
}

#[test]
fn many_buckets_spill_into_larger_tables_and_are_all_read() {
    let h = NativeHistogram::with_name("h", "", NativeHistogramOpts::new().schema(8).unwrap())
        .expect("a valid name");
    // 20 000 buckets, one observation each, from 2^-40 to 2^38.
    let keys: Vec<i32> = (-10_000..10_000).collect();
    for &k in &keys {
        h.observe(upper_bound(k, 8));
    }
    let r = h.get();
    assert_eq!(r.count, keys.len() as u64);
    assert_eq!(r.positive, keys.iter().map(|&k| (k, 1)).collect::<Vec<_>>());
    // And again after the reading moved them to the other shard.
    h.observe(1.0);
    let r = h.get();
    assert_eq!(r.count, keys.len() as u64 + 1);
    assert_eq!(r.positive.len(), keys.len());
    assert_eq!(r.positive[10_000], (0, 2));
}

#[test]
fn invalid_options_are_refused_with_the_bad_value_named() {
    let msg = |r: Result<NativeHistogramOpts, Error>| r.unwrap_err().to_string();
    let o = NativeHistogramOpts::new;
    assert_eq!(
        msg(o().schema(9)),
        "invalid native histogram options: schema 9 is not in -4..=8"
    );
    assert!(msg(o().schema(-5)).contains("schema -5"));
    assert_eq!(
        msg(o().bucket_factor(1.0)),
        "invalid native histogram options: bucket factor 1 is not a finite number above 1"
    );
    assert!(msg(o().bucket_factor(f64::NAN)).contains("NaN"));
    assert!(msg(o().bucket_factor(f64::INFINITY)).contains("inf"));
    assert_eq!(
        msg(o().zero_threshold(-1.0)),
        "invalid native histogram options: zero threshold -1 is not a finite number >= 0"
    );
    assert!(msg(o().zero_threshold(f64::NAN)).contains("NaN"));
    assert!(msg(o().max_zero_threshold(f64::INFINITY)).contains("max zero threshold inf"));
}

#[test]
fn a_bucket_factor_picks_the_largest_schema_factor_not_above_it() {
    let schema = |f: f64| {
        NativeHistogramOpts::new()
            .bucket_factor(f)
            .unwrap()
            .get_schema()
    };
    assert_eq!(schema(1.1), 3);
    assert_eq!(schema(1.0001), 8);
    assert_eq!(schema(1.0 + 1e-12), 8);
    assert_eq!(schema(2.0), 0);
    assert_eq!(schema(3.9), 0);
    assert_eq!(schema(4.0), -1);
    assert_eq!(schema(16.0), -2);
    assert_eq!(schema(256.0), -3);
    assert_eq!(schema(65536.0), -4);
    assert_eq!(schema(1e300), -4);
}

#[test]
fn spans_and_deltas_fill_gaps_of_up_to_two_buckets_and_start_a_span_after_longer_ones() {
    let span = |offset, length| BucketSpan { offset, length };
    assert_eq!(spans_and_deltas(&[]), (vec![], vec![]));
    assert_eq!(spans_and_deltas(&[(5, 3)]), (vec![span(5, 1)], vec![3]));
    assert_eq!(
        spans_and_deltas(&[(-3, 1), (-2, 4), (1, 4)]),
        (vec![span(-3, 5)], vec![1, 3, -4, 0, 4])
    );
    assert_eq!(
        spans_and_deltas(&[(0, 2), (4, 2), (5, 1)]),
        (vec![span(0, 1), span(3, 2)], vec![2, 0, -1])
    );
}

#[test]
fn one_bucket_too_many_halves_the_resolution() {
    // Schema 2 ends buckets at 2^(k/4): 1, 1.19, 1.41, 1.68, 2. So
    // 1 -> 0, 1.1 -> 1, 1.3 -> 2, 1.5 -> 3, 1.9 -> 4; at schema 1
    // bucket k becomes ceil(k / 2).
    let opts = NativeHistogramOpts::new().schema(2).unwrap().max_buckets(4);
    let h = histogram(opts.clone(), &[1.0, 1.1, 1.3, 1.5]);
    let r = h.get();
    assert_eq!((r.schema, r.positive.len()), (2, 4), "{r:?}");
    h.observe(1.9);
    let r = h.get();
    assert_eq!(r.schema, 1);
    assert_eq!(r.positive, [(0, 1), (1, 2), (2, 2)]);
    assert_eq!((r.count, r.sum), (5, 1.0 + 1.1 + 1.3 + 1.5 + 1.9));
    // Further observations land at the new schema.
    h.observe(1.2);
    assert_eq!(h.get().positive, [(0, 1), (1, 3), (2, 2)]);

    // Negative buckets count too, and go the same way.
    let h = histogram(opts, &[-1.0, -1.1, 1.3, 1.5, -1.9]);
    let r = h.get();
    assert_eq!(r.schema, 1);
    assert_eq!(r.positive, [(1, 1), (2, 1)]);
    assert_eq!(r.negative, [(0, 1), (1, 1), (2, 1)]);

    // Not below schema -4.
    let opts = NativeHistogramOpts::new()
        .schema(-4)
        .unwrap()
        .max_buckets(1);
    let r = histogram(opts, &[1.0, pow2(20), pow2(40)]).get();
    assert_eq!(r.schema, -4);
    assert_eq!(r.positive, [(0, 1), (2, 1), (3, 1)]);
}

#[test]
fn one_bucket_too_many_widens_the_zero_bucket_up_to_its_maximum_then_halves() {
    let opts = NativeHistogramOpts::new()
        .schema(0)
        .unwrap()
        .max_buckets(2)
        .max_zero_threshold(1.0)
        .unwrap();
    let h = histogram(opts, &[0.5, 1.0, 2.0]);
    let r = h.get();
    // The bucket nearest zero, (0.25, 0.5], joins the zero bucket.
    assert_eq!((r.schema, r.zero_threshold, r.zero_count), (0, 0.5, 1));
    assert_eq!(r.positive, [(0, 1), (1, 1)]);
    h.observe(-4.0);
    let r = h.get();
    assert_eq!((r.schema, r.zero_threshold, r.zero_count), (0, 1.0, 2));
    assert_eq!(r.positive, [(1, 1)]);
    assert_eq!(r.negative, [(2, 1)]);
    // Widening over (1, 2] would pass the maximum: halve instead.
    h.observe(8.0);
    let r = h.get();
    assert_eq!((r.schema, r.zero_threshold, r.zero_count), (-1, 1.0, 2));
    assert_eq!(r.positive, [(1, 1), (2, 1)]);
    assert_eq!(r.negative, [(1, 1)]);
    assert_eq!((r.count, r.sum), (5, 7.5));
    // Values within the wider zero bucket now go to it.
    h.observe(-0.75);
    assert_eq!(h.get().zero_count, 3);
}

#[test]
fn one_bucket_too_many_resets_once_the_minimum_reset_duration_has_passed() {
    let clock = ManualClock::new();
    let opts = NativeHistogramOpts::new()
        .schema(0)
        .unwrap()
        .max_buckets(2)
        .min_reset_duration(Duration::from_secs(60))
        .clock(clock.clone());
    // Too early to reset: the resolution is halved.
    let h = histogram(opts, &[1.0, 2.0, 4.0]);
    let r = h.get();
    assert_eq!(r.schema, -1);
    assert_eq!(r.positive, [(0, 1), (1, 2)]);
    clock.advance(Duration::from_secs(59));
    h.observe(16.0);
    assert_eq!(h.get().schema, -2);
    clock.advance(Duration::from_secs(1));
    // 2^10 is a new bucket at schema -2: now the histogram resets to
    // its schema, keeping only that observation.
    h.observe(1024.0);
    let r = h.get();
    assert_eq!(r.schema, 0);
    assert_eq!((r.count, r.sum, r.zero_count), (1, 1024.0, 0));
    assert_eq!(r.positive, [(10, 1)]);
    assert!(r.negative.is_empty());
    // It keeps counting from there, and the next reset is 60 s away.
    h.observe(1.0);
    h.observe(2.0);
    let r = h.get();
    assert_eq!((r.schema, r.count), (-1, 3));
}

#[test]
fn readings_while_threads_observe_are_consistent_and_lose_nothing() {
    for max_buckets in [0, 40] {
        // Classic buckets too: the values up to 0.5 are the zeros and the
        // negatives, and every reading must agree on them.
        let h = NativeHistogram::with_opts(
            crate::Opts::new("h", "")
                .native(
                    NativeHistogramOpts::new()
                        .schema(4)
                        .unwrap()
                        .max_buckets(max_buckets),
                )
                .buckets([0.5, 1000.5]),
        )
        .expect("valid options");
        let stop = AtomicBool::new(false);
        let threads = 4u64;
        let per_thread = 20_000u64;
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut last = 0;
                let mut readings = 0;
                while !stop.load(Ordering::Relaxed) || readings == 0 {
                    let r = h.get();
                    assert_consistent(&r, 0);
                    let negatives: u64 = r.negative.iter().map(|b| b.1).sum();
                    assert_eq!(r.classic[0].1, r.zero_count + negatives, "{r:?}");
                    // Every value observed is an integer: the sum too.
                    assert_eq!(r.sum.fract(), 0.0);
                    assert!(r.count >= last);
                    last = r.count;
                    readings += 1;
                }
                readings
            });
            let writers: Vec<_> = (0..threads)
                .map(|t| {
                    let h = &h;
                    s.spawn(move || {
                        for i in 0..per_thread {
                            // Zeros, negatives and 100 positive
                            // magnitudes, the same in every thread.
                            let v = match (i + t) % 10 {
                                0 => 0.0,
                                1 => -((i % 7) as f64) - 1.0,
                                _ => (i % 100 * 1000) as f64 + 1.0,
                            };
                            h.observe(v);
                        }
                    })
                })
                .collect();
            for w in writers {
                w.join().unwrap();
            }
            stop.store(true, Ordering::Relaxed);
            assert!(reader.join().unwrap() > 0);
        });
        let r = h.get();
        assert_eq!(r.count, threads * per_thread);
        assert_consistent(&r, 0);
        assert_eq!(r.zero_count, threads * per_thread / 10);
        let expected_sum: f64 = (0..threads)
            .flat_map(|t| {
                (0..per_thread).map(move |i| match (i + t) % 10 {
                    0 => 0.0,
                    1 => -((i % 7) as f64) - 1.0,
                    _ => (i % 100 * 1000) as f64 + 1.0,
                })
            })
            .sum();
        assert_eq!(r.sum, expected_sum);
        if max_buckets != 0 {
            // Halved at least once; not necessarily down to 40 buckets:
            // only a new bucket makes it halve again.
            assert!(r.schema < 4, "{r:?}");
        } else {
            assert_eq!(r.schema, 4);
        }
    }
}

#[test]
fn classic_buckets_count_beside_the_native_ones_and_are_reset_with_them() {
    let clock = ManualClock::new();
    let h = NativeHistogram::with_opts(
        crate::Opts::new("h", "")
            .native(
                NativeHistogramOpts::new()
                    .schema(0)
                    .unwrap()
                    .max_buckets(2)
                    .min_reset_duration(Duration::from_secs(60))
                    .clock(clock.clone()),
            )
            .buckets([1.0, 10.0]),
    )
    .expect("valid options");
    // NaN is in `+Inf` only; a value on a bound is in that bound's bucket.
    for v in [0.5, 1.0, 5.0, f64::NAN] {
        h.observe(v);
    }
    let r = h.get();
    assert_eq!(r.classic, [(1.0, 2), (10.0, 3)]);
    assert_eq!(r.count, 4);
    // A third native bucket past the minimum reset duration resets it all,
    // keeping only the observation that overflowed.
    clock.advance(Duration::from_secs(61));
    h.observe(100.0);
    let r = h.get();
    assert_eq!(
        (r.count, r.classic.as_slice()),
        (1, &[(1.0, 0), (10.0, 0)][..])
    );
}

#[test]
fn native_options_are_refused_by_other_metric_types() {
    let native = || crate::Opts::new("h", "").native(NativeHistogramOpts::new());
    for err in [
        crate::Histogram::with_opts(native()).unwrap_err(),
        crate::Counter::with_opts(native()).unwrap_err(),
        crate::Summary::with_opts(native()).unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::InvalidNativeHistogram { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("\"h\""), "{err}");
    }
}

/// A histogram whose stripes are grown, as the first collision of two
/// writers grows them.
fn striped(opts: NativeHistogramOpts, classic: &[f64]) -> NativeHistogram {
    let mut o = crate::Opts::new("h", "").native(opts);
    if !classic.is_empty() {
        o = o.buckets(classic);
    }
    let h = NativeHistogram::with_opts(o).expect("valid options");
    h.inner.state.grow();
    h
}

#[test]
fn stripes_at_different_resolutions_add_up_to_one_consistent_reading() {
    let h = striped(
        NativeHistogramOpts::new()
            .schema(3)
            .unwrap()
            .max_buckets(20),
        &[1.0, 100.0],
    );
    h.observe(0.5); // before the threads: main or this thread's stripe
    std::thread::scope(|s| {
        // One thread spreads over many buckets, so that its stripe halves
        // its resolution; the other stays at schema 3.
        s.spawn(|| (1..=200).for_each(|i| h.observe(f64::from(i))));
        s.spawn(|| (0..100).for_each(|_| h.observe(1.5)));
    });
    let r = h.get();
    assert_eq!(r.count, 301);
    assert_eq!(r.sum, 0.5 + 20_100.0 + 150.0);
    assert_consistent(&r, 0);
    assert!(r.schema < 3, "{r:?}");
    assert!(r.positive.len() <= 20, "{r:?}");
    assert_eq!(r.classic, [(1.0, 2), (100.0, 201)]);
}

#[test]
fn a_reset_forgets_what_every_stripe_holds() {
    let clock = ManualClock::new();
    let h = striped(
        NativeHistogramOpts::new()
            .schema(0)
            .unwrap()
            .max_buckets(3)
            .min_reset_duration(Duration::from_secs(60))
            .clock(clock.clone()),
        &[],
    );
    std::thread::scope(|s| {
        s.spawn(|| h.observe(1.0));
    });
    h.observe(1.0);
    assert_eq!(h.get().count, 2);
    clock.advance(Duration::from_secs(61));
    // Four buckets in this thread's stripe at 8.0: past the limit, after
    // the minimum reset duration. Only 8.0 is kept, in every stripe (the
    // other thread's 1.0 is gone too); 16.0 comes after.
    for v in [2.0, 4.0, 8.0, 16.0] {
        h.observe(v);
    }
    let r = h.get();
    assert_eq!((r.count, r.sum), (2, 24.0), "{r:?}");
    assert_eq!(r.positive, [(3, 1), (4, 1)]);
}
