use prom_core::{Histogram, Opts};

use crate::bridge::Bridge;
use crate::error::Error;
use crate::matcher::{Buckets, Matcher};

/// Options of a [`Bridge`]: histogram buckets, by default and by name.
///
/// ```
/// use prom_metrics::{Bridge, Matcher};
/// let bridge = Bridge::builder()
///     .buckets(&[0.01, 0.1, 1.0])?
///     .buckets_for(Matcher::Suffix("_bytes".into()), &[1e3, 1e6, 1e9])?
///     .build();
/// metrics::with_local_recorder(&bridge, || {
///     metrics::histogram!("upload_bytes").record(5e5);
/// });
/// let families = prom_core::collect(&bridge)?;
/// let prom_core::MetricValue::Histogram(h) = &families[0].metrics[0].value else { unreachable!() };
/// let bounds: Vec<f64> = h.buckets.iter().map(|b| b.upper_bound).collect();
/// assert_eq!(bounds, [1e3, 1e6, 1e9, f64::INFINITY]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct BridgeBuilder {
    buckets: Buckets,
}

impl Bridge {
    /// Options for a bridge; [`Bridge::new`] takes the defaults.
    pub fn builder() -> BridgeBuilder {
        BridgeBuilder::default()
    }
}

/// Checks buckets by prom-core's own rules.
fn check(buckets: &[f64]) -> Result<(), prom_core::Error> {
    Histogram::with_opts(Opts::new("buckets", "").buckets(buckets)).map(drop)
}

impl BridgeBuilder {
    /// Sets the bucket bounds of histograms no [`Matcher`] picks (by
    /// default [`prom_core::DEFAULT_BUCKETS`]); `+Inf` is added.
    ///
    /// # Errors
    /// [`Error::InvalidBuckets`] for bounds that are empty, not strictly
    /// increasing or NaN.
    pub fn buckets(mut self, buckets: &[f64]) -> Result<Self, Error> {
        check(buckets).map_err(|source| Error::InvalidBuckets {
            matcher: None,
            source,
        })?;
        self.buckets.set_default(buckets);
        Ok(self)
    }

    /// Sets the bucket bounds of the histograms `matcher` picks; `+Inf` is
    /// added. Given twice for one matcher, the second wins. Buckets are
    /// chosen when a name is first recorded.
    ///
    /// # Errors
    /// As [`BridgeBuilder::buckets`], naming the matcher.
    pub fn buckets_for(mut self, matcher: Matcher, buckets: &[f64]) -> Result<Self, Error> {
        if let Err(source) = check(buckets) {
            return Err(Error::InvalidBuckets {
                matcher: Some(matcher),
                source,
            });
        }
        self.buckets.add(matcher, buckets);
        Ok(self)
    }

    /// The bridge: install it as the `metrics` recorder
    /// ([`metrics::set_global_recorder`], or
    /// [`metrics::with_local_recorder`] for a scope) and register it with
    /// your registry.
    pub fn build(self) -> Bridge {
        Bridge::with_buckets(self.buckets)
    }

    /// Builds the bridge and installs it as the process's global `metrics`
    /// recorder; returns a handle to register with your registry (clones
    /// share the series).
    ///
    /// ```no_run
    /// let bridge = prom_metrics::Bridge::builder().install()?;
    /// metrics::counter!("jobs").increment(1); // from anywhere, libraries included
    /// # let _ = bridge;
    /// # Ok::<(), prom_metrics::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::GlobalRecorderSet`] when a global recorder is installed
    /// already (the `metrics` crate allows one per process, set once).
    pub fn install(self) -> Result<Bridge, Error> {
        let bridge = self.build();
        metrics::set_global_recorder(bridge.clone())
            .map_err(|source| Error::GlobalRecorderSet { source })?;
        Ok(bridge)
    }
}
