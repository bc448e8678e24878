//! Every input a reader accepts — the conformance cases of both formats,
//! the golden files, and the OpenMetrics project's suite when
//! `PROM_OPENMETRICS_SUITE` names it: the fuzz targets' seeds — reads back
//! the same after being written in the same format, exemplars included. The
//! comparison is the fuzz targets' own (`fuzz/src/lib.rs`): the model up to
//! what the format documents it does not carry.

mod cases;
#[path = "../../../fuzz/src/oracle.rs"]
#[allow(dead_code)]
mod oracle;

use oracle::{assert_round_trip, canonical, Format};
use prom_codec::{parse_openmetrics_lenient, Encoder};

#[test]
fn every_seed_a_strict_reader_accepts_round_trips() {
    let mut read = [0, 0];
    for case in cases::seeds() {
        let Some(text) = case.text() else { continue };
        for (i, format) in [Format::Text, Format::OpenMetrics].into_iter().enumerate() {
            if let Ok(families) = format.parse(text) {
                read[i] += 1;
                let outcome = std::panic::catch_unwind(|| assert_round_trip(&families, format));
                assert!(
                    outcome.is_ok(),
                    "{}: {format:?} round trip failed",
                    case.name
                );
            }
        }
    }
    // Both readers accept a good share of the inputs.
    assert!(read[0] > 40 && read[1] > 40, "read {read:?}");
}

#[test]
fn every_seed_the_lenient_reader_accepts_round_trips() {
    let mut read = 0;
    for case in cases::seeds() {
        let Some(text) = case.text() else { continue };
        let Ok(families) = parse_openmetrics_lenient(text) else {
            continue;
        };
        read += 1;
        let written = Encoder::openmetrics()
            .encode_to_string(&families)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let again = parse_openmetrics_lenient(&written)
            .unwrap_or_else(|e| panic!("{}: {e}\n{written}", case.name));
        assert_eq!(
            canonical(&families, Format::OpenMetrics),
            canonical(&again, Format::OpenMetrics),
            "{}",
            case.name
        );
    }
    assert!(read > 50, "read {read}");
}
