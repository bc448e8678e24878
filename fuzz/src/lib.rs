//! The fuzz targets' shared code: the round-trip oracles and the input
//! generator of the `encode` target.

pub mod generate;
mod oracle;

pub use oracle::*;
