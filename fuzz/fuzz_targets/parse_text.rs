//! Arbitrary bytes into `parse_text`: no panic, and whatever parses survives
//! an encode as text and a parse back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prom_fuzz::{parse_target, Format};

fuzz_target!(|data: &[u8]| parse_target(data, Format::Text));
