//! A summary with client_golang's suggested objectives (0.5 ± 0.05,
//! 0.9 ± 0.01, 0.99 ± 0.001) reports, over 1,000,000 observations from each
//! of four distributions, values whose rank in the sorted observations is
//! within the stated error of the requested quantile. Run with
//! `--nocapture` to see the table.

use prom_core::{ManualClock, Opts, Summary};

const OBJECTIVES: [(f64, f64); 3] = [(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)];
const N: usize = 1_000_000;

/// splitmix64: a fixed, seedable source of uniform numbers in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let (u, v) = (1.0 - self.next(), self.next());
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn distributions() -> Vec<(&'static str, Vec<f64>)> {
    let mut rng = Rng(42);
    let mut make = |f: &mut dyn FnMut(&mut Rng) -> f64| (0..N).map(|_| f(&mut rng)).collect();
    vec![
        ("uniform [0, 1)", make(&mut |r| r.next())),
        (
            "exponential (rate 1)",
            make(&mut |r| -(1.0 - r.next()).ln()),
        ),
        (
            "Pareto (x_m 1, alpha 1.5)",
            make(&mut |r| (1.0 - r.next()).powf(-1.0 / 1.5)),
        ),
        (
            "bimodal N(10, 1) + N(100, 5)",
            make(&mut |r| {
                if r.next() < 0.5 {
                    r.normal(10.0, 1.0)
                } else {
                    r.normal(100.0, 5.0)
                }
            }),
        ),
    ]
}

/// How far, as a fraction of all observations, the rank of `value` in
/// `sorted` is from quantile `q` (0 when one of its ranks is right on it).
fn rank_error(sorted: &[f64], value: f64, q: f64) -> f64 {
    let below = sorted.partition_point(|&x| x < value) as f64;
    let at_most = sorted.partition_point(|&x| x <= value) as f64;
    let target = q * sorted.len() as f64;
    let off = if target < below {
        below - target
    } else if target > at_most {
        target - at_most
    } else {
        0.0
    };
    off / sorted.len() as f64
}

#[test]
fn reported_quantiles_are_within_their_rank_error_on_four_distributions() {
    println!("| distribution | quantile | exact | reported | rank error | bound |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut failures = Vec::new();
    for (name, values) in distributions() {
        let summary = Summary::with_opts(
            Opts::new("s", "")
                .objectives(OBJECTIVES)
                .clock(ManualClock::new()),
        )
        .unwrap();
        for &v in &values {
            summary.observe(v);
        }
        let reading = summary.get();
        assert_eq!(reading.count, N as u64);
        let mut sorted = values;
        sorted.sort_by(f64::total_cmp);
        for (q, (quantile, bound)) in reading.quantiles.iter().zip(OBJECTIVES) {
            assert_eq!(q.quantile, quantile);
            let exact = sorted[((quantile * N as f64).ceil() as usize).saturating_sub(1)];
            let error = rank_error(&sorted, q.value, quantile);
            println!(
                "| {name} | {quantile} | {exact:.6} | {:.6} | {error:.6} | {bound} |",
                q.value
            );
            if error > bound {
                failures.push(format!("{name} q{quantile}: rank error {error} > {bound}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_rank_error_is_measured_against_ties_too() {
    let sorted = [1.0, 2.0, 2.0, 2.0, 3.0];
    assert_eq!(rank_error(&sorted, 2.0, 0.5), 0.0);
    assert!((rank_error(&sorted, 1.0, 0.9) - 0.7).abs() < 1e-12);
}
