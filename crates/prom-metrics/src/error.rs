use std::fmt;

use crate::bridge::Bridge;
use crate::matcher::Matcher;

/// Why a bridge could not be built or installed.
///
/// Recording never fails: a `metrics` call the bridge cannot record as given
/// is counted in its `prom_metrics_bridge_conflicts_total` self-metric
/// instead (see the crate documentation).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Buckets given to [`BridgeBuilder::buckets`](crate::BridgeBuilder::buckets)
    /// or [`BridgeBuilder::buckets_for`](crate::BridgeBuilder::buckets_for)
    /// that a histogram cannot take (empty, not increasing, NaN).
    InvalidBuckets {
        /// The matcher they were given for; `None` for the default layout.
        matcher: Option<Matcher>,
        /// prom-core's reason.
        source: prom_core::Error,
    },
    /// [`BridgeBuilder::install`](crate::BridgeBuilder::install) found a
    /// global `metrics` recorder already installed (there can be one per
    /// process, set once).
    GlobalRecorderSet {
        /// `metrics`' error, holding the bridge that was not installed.
        source: metrics::SetRecorderError<Bridge>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidBuckets {
                matcher: None,
                source,
            } => write!(f, "invalid default buckets for bridged histograms: {source}"),
            Error::InvalidBuckets {
                matcher: Some(m),
                source,
            } => {
                let (kind, text) = match m {
                    Matcher::Full(t) => ("named", t),
                    Matcher::Prefix(t) => ("with the prefix", t),
                    Matcher::Suffix(t) => ("with the suffix", t),
                };
                write!(
                    f,
                    "invalid buckets for bridged histograms {kind} {text:?}: {source}"
                )
            }
            Error::GlobalRecorderSet { .. } => f.write_str(
                "cannot install the bridge as the global metrics recorder: one is already installed",
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidBuckets { source, .. } => Some(source),
            Error::GlobalRecorderSet { source } => Some(source),
        }
    }
}
