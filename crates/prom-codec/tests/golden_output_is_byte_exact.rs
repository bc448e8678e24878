//! The encoders' output for a fixture covering every type and escape is
//! byte-for-byte the reviewed golden files. `UPDATE_GOLDEN=1` rewrites them
//! (review the diff before committing).

mod common;

use prom_codec::Encoder;

fn check(encoder: Encoder, file: &str) {
    let got = encoder.encode_to_string(&common::families()).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        got, want,
        "{file} differs; run with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn text_0_0_4() {
    check(Encoder::text(), "all_types.prom");
}

#[test]
fn openmetrics_1_0_0() {
    check(Encoder::openmetrics(), "all_types.om");
}
