//! Arbitrary names, help texts, units, label names and values, bucket bounds
//! and updates into the public constructors: whatever they accept must
//! encode, in both formats, to output the parsers accept and read back as
//! the same families.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prom_fuzz::generate::{families, Input};
use prom_fuzz::{assert_round_trip, Format};

fuzz_target!(|input: Input| {
    if let Some(families) = families(&input) {
        assert_round_trip(&families, Format::Text);
        assert_round_trip(&families, Format::OpenMetrics);
    }
});
