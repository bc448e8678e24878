//! `promtool check metrics` accepts the text output of a sample of the
//! `encode` target's corpus: the families the constructors built from each
//! input, as the text encoder writes them. Run after `cargo xtask fuzz` has
//! grown the corpus (`cd fuzz && cargo test`); promtool stays out of the
//! fuzz loop, where one process per input would cost more than the input.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use prom_codec::Encoder;
use prom_fuzz::generate::{families, Input};
use prom_testkit::promtool_check_metrics;

/// Enough to cover every metric type and many names, in seconds.
const SAMPLE: usize = 300;

#[test]
fn promtool_accepts_the_text_encoding_of_a_corpus_sample() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-corpus/encode");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!(
            "no corpus at {}: run `cargo xtask fuzz --target encode` first",
            corpus.display()
        );
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let step = paths.len().div_ceil(SAMPLE).max(1);
    let mut checked = 0;
    for path in paths.iter().step_by(step) {
        let data = std::fs::read(path).unwrap();
        let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(&data)) else {
            continue;
        };
        let Some(families) = families(&input) else {
            continue;
        };
        let text = Encoder::text().encode_to_string(&families);
        if let Err(e) = promtool_check_metrics(&text) {
            panic!("{}: {e}", path.display());
        }
        checked += 1;
    }
    eprintln!("promtool accepted {checked} encodings");
}
