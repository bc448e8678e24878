//! `promtool check metrics` accepts the text output of the `encode` target's generator: the
//! families the constructors build from a fixed, seeded sample of inputs, as the text encoder
//! writes them. promtool stays out of the fuzz loop, where one process per input would cost more
//! than the input; this test brings it in for a sample.
//!
//! The sample is made here from a fixed seed, so the test checks the same inputs on every
//! machine and never depends on a corpus being present; when `cargo xtask fuzz --target encode`
//! has grown a corpus in `target/fuzz-corpus/encode`, a sample of it is checked as well.
//! `cargo xtask test` runs this file (the fuzz crate is outside the workspace).

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use prom_codec::Encoder;
use prom_core::MetricFamily;
use prom_fuzz::generate::{families, Input, Kind};
use prom_testkit::promtool_check_metrics;

/// Generated inputs tried. Random bytes rarely give label values that match the label names, so
/// about one in forty builds a family with series; making them takes well under a second.
const GENERATED: usize = 10_000;
/// Families with series the generated sample must hold, so the check cannot pass on a handful.
const MIN_ACCEPTED: usize = 150;
/// Corpus entries checked at most, spread over the sorted corpus.
const CORPUS_SAMPLE: usize = 300;
/// The seed of the sample; change it only on purpose, since it fixes the inputs.
const SEED: u64 = 0x7072_6f6d_2d66_757a;

/// SplitMix64: a tiny, well-known generator, enough to make varied bytes for `arbitrary`.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Between 16 and 1039 bytes: short inputs give few series, long ones many.
    fn bytes(&mut self) -> Vec<u8> {
        let len = 16 + (self.next() % 1024) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// One case: where it came from, for the failure message, and the families it built.
struct Case {
    origin: String,
    kind: usize,
    families: Vec<MetricFamily>,
}

/// The case `data` makes, if the constructors accept it and it has at least one series: a family
/// without series encodes to its HELP and TYPE lines only, which the others carry as well.
fn case(origin: String, data: &[u8]) -> Option<Case> {
    let input = Input::arbitrary_take_rest(Unstructured::new(data)).ok()?;
    let kind = match input.kind {
        Kind::Counter => 0,
        Kind::Gauge => 1,
        Kind::Histogram => 2,
        Kind::Summary => 3,
    };
    let families = families(&input)?;
    if families.iter().all(|f| f.metrics.is_empty()) {
        return None;
    }
    Some(Case {
        origin,
        kind,
        families,
    })
}

/// The cases of the seeded sample.
fn generated() -> Vec<Case> {
    let mut rng = SplitMix64(SEED);
    (0..GENERATED)
        .filter_map(|i| {
            case(
                format!("generated input {i} (seed {SEED:#x})"),
                &rng.bytes(),
            )
        })
        .collect()
}

/// The cases of a spread sample of the fuzzer's corpus, if it has one.
fn corpus_sample() -> Vec<Case> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-corpus/encode");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let step = paths.len().div_ceil(CORPUS_SAMPLE).max(1);
    paths
        .iter()
        .step_by(step)
        .filter_map(|path| {
            let data = std::fs::read(path).unwrap();
            case(path.display().to_string(), &data)
        })
        .collect()
}

/// The generated sample is large and varied enough to mean something.
#[test]
fn the_generated_sample_covers_every_metric_type() {
    let cases = generated();
    assert!(
        cases.len() >= MIN_ACCEPTED,
        "only {} of {GENERATED} generated inputs built families with series",
        cases.len()
    );
    let mut per_kind = [0usize; 4];
    for case in &cases {
        per_kind[case.kind] += 1;
    }
    assert!(
        per_kind.iter().all(|&n| n >= 20),
        "counters, gauges, histograms, summaries: {per_kind:?}"
    );
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn promtool_accepts_the_text_encoding_of_a_seeded_sample_and_the_corpus() {
    let generated = generated();
    assert!(generated.len() >= MIN_ACCEPTED, "{}", generated.len());
    let corpus = corpus_sample();
    let (from_generator, from_corpus) = (generated.len(), corpus.len());
    for case in generated.into_iter().chain(corpus) {
        let text = Encoder::text().encode_to_string(&case.families).unwrap();
        if let Err(e) = promtool_check_metrics(&text) {
            panic!("{}: {e}", case.origin);
        }
    }
    eprintln!(
        "promtool accepted {from_generator} generated encodings and {from_corpus} from the corpus"
    );
}
