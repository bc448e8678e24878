//! What every metric handle shares: the series' descriptor, labels and
//! creation time, next to its type-specific atomic core.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::visit::{Scratch, VisitError, Visitor};
use crate::{
    CollectError, Descriptor, Error, LabelSet, LabelsRef, Metric, MetricFamily, MetricType, Opts,
    PackedValues,
};

/// Seconds since the Unix epoch, as OpenMetrics timestamps are written.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[derive(Debug)]
pub(crate) struct Series<C> {
    pub(crate) core: C,
    pub(crate) desc: Arc<Descriptor>,
    /// The label values; the names are the descriptor's.
    pub(crate) values: PackedValues,
    pub(crate) created: f64,
}

impl<C> Series<C> {
    pub(crate) fn new(core: C, desc: Arc<Descriptor>, values: PackedValues) -> Self {
        Self {
            core,
            desc,
            values,
            created: unix_now(),
        }
    }

    pub(crate) fn labels_ref(&self) -> LabelsRef<'_> {
        LabelsRef::new(self.desc.label_names(), &self.values)
    }

    pub(crate) fn label_set(&self) -> LabelSet {
        LabelSet::from_parts(self.desc.shared_label_names(), self.values.clone())
    }
}

mod private {
    pub trait Sealed {}
}
pub(crate) use private::Sealed;

/// The metric types a [`Family`](crate::Family) can hold: [`Counter`](crate::Counter),
/// [`Gauge`](crate::Gauge), [`Histogram`](crate::Histogram) and [`Summary`](crate::Summary).
///
/// Sealed: the methods are the family's plumbing, not an extension point.
pub trait MetricKind: Clone + Send + Sync + 'static + Sealed {
    #[doc(hidden)]
    const TYPE: MetricType;
    #[doc(hidden)]
    type Config: Send + Sync + std::fmt::Debug;
    #[doc(hidden)]
    fn config(opts: &Opts) -> Result<Self::Config, Error>;
    #[doc(hidden)]
    fn create(desc: Arc<Descriptor>, values: PackedValues, config: &Self::Config) -> Self;
    #[doc(hidden)]
    fn snapshot(&self) -> Metric;
    #[doc(hidden)]
    fn series_descriptor(&self) -> &Arc<Descriptor>;
    #[doc(hidden)]
    fn series_values(&self) -> &PackedValues;
    #[doc(hidden)]
    #[allow(private_interfaces)]
    fn lookup_cache() -> &'static std::thread::LocalKey<crate::lookup_cache::Cache<Self>>;
    #[doc(hidden)]
    fn visit_series(&self, v: &mut dyn Visitor, scratch: &mut Scratch) -> Result<(), VisitError>;
}

/// Builds an unlabelled metric from options.
pub(crate) fn standalone<M: MetricKind>(opts: &Opts) -> Result<M, Error> {
    let config = M::config(opts)?;
    let desc = opts.descriptor(M::TYPE)?;
    if !desc.label_names().is_empty() {
        return Err(Error::LabelCount {
            metric: desc.name().to_owned(),
            expected: desc.label_names().len(),
            got: 0,
        });
    }
    Ok(M::create(Arc::new(desc), PackedValues::default(), &config))
}

/// A single series is a collector of a one-series family.
pub(crate) fn collect_one<M: MetricKind>(
    m: &M,
    out: &mut Vec<MetricFamily>,
) -> Result<(), CollectError> {
    let mut fam = m.series_descriptor().family(1);
    fam.metrics.push(m.snapshot());
    out.push(fam);
    Ok(())
}

/// Implements `Collector` for a metric handle, exposing its one series.
macro_rules! impl_collector_for_series {
    ($t:ty) => {
        impl $crate::Collector for $t {
            fn collect(
                &self,
                out: &mut Vec<$crate::MetricFamily>,
            ) -> Result<(), $crate::CollectError> {
                $crate::series::collect_one(self, out)
            }
            fn describe(&self) -> Vec<$crate::Descriptor> {
                vec![(**$crate::MetricKind::series_descriptor(self)).clone()]
            }
            fn visit(&self, v: &mut dyn $crate::Visitor) -> Result<(), $crate::VisitFailure> {
                if v.family($crate::MetricKind::series_descriptor(self).family_ref())? {
                    let mut scratch = $crate::Scratch::default();
                    $crate::MetricKind::visit_series(self, v, &mut scratch)?;
                }
                Ok(())
            }
        }
    };
}
pub(crate) use impl_collector_for_series;
