//! The trait through which anything yields metric families for exposition.

use std::sync::Arc;

use crate::visit::{visit_families, VisitFailure, Visitor};
use crate::{CollectError, Descriptor, MetricFamily};

/// Anything that yields metric families at scrape time: the metrics of this
/// crate, registries, process collectors, and user types computing values on
/// demand (the role of client_python's custom collectors).
///
/// ```
/// use prom_core::{Collector, CollectError, LabelSet, MetricFamily, MetricType, MetricValue};
///
/// struct QueueDepth;
/// impl Collector for QueueDepth {
///     fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
///         let mut fam = MetricFamily::new("queue_depth", "Items waiting", MetricType::Gauge)
///             .map_err(|e| CollectError::new("queue", e))?;
///         fam.push(LabelSet::empty(), MetricValue::Gauge(7.0))
///             .map_err(|e| CollectError::new("queue", e))?;
///         out.push(fam);
///         Ok(())
///     }
/// }
/// let fams = prom_core::collect(&QueueDepth).unwrap();
/// assert_eq!(&*fams[0].name, "queue_depth");
/// ```
pub trait Collector: Send + Sync {
    /// Appends this collector's current families to `out`.
    ///
    /// # Errors
    /// A [`CollectError`] when the values cannot be produced; exporters turn
    /// it into a failed scrape and carry on.
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError>;

    /// The families this collector will expose, if known in advance. The
    /// default, an empty list, opts out of duplicate detection.
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    /// Hands every family and series to `visitor` without building a
    /// snapshot: what encoders call. The default collects and visits the
    /// snapshot; the metrics of this crate stream from their live values.
    ///
    /// # Errors
    /// The collector's [`CollectError`], or the visitor's error.
    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        let families = collect(self)?;
        visit_families(&families, visitor)?;
        Ok(())
    }
}

/// Collects `collector` into a fresh vector.
///
/// # Errors
/// Whatever the collector returns.
pub fn collect(collector: &(impl Collector + ?Sized)) -> Result<Vec<MetricFamily>, CollectError> {
    let mut out = Vec::new();
    collector.collect(&mut out)?;
    Ok(out)
}

impl<C: Collector + ?Sized> Collector for Arc<C> {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        (**self).collect(out)
    }
    fn describe(&self) -> Vec<Descriptor> {
        (**self).describe()
    }
    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        (**self).visit(visitor)
    }
}

impl<C: Collector + ?Sized> Collector for Box<C> {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        (**self).collect(out)
    }
    fn describe(&self) -> Vec<Descriptor> {
        (**self).describe()
    }
    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        (**self).visit(visitor)
    }
}

impl<C: Collector + ?Sized> Collector for &C {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        (**self).collect(out)
    }
    fn describe(&self) -> Vec<Descriptor> {
        (**self).describe()
    }
    fn visit(&self, visitor: &mut dyn Visitor) -> Result<(), VisitFailure> {
        (**self).visit(visitor)
    }
}

/// A collector made from a closure, for values computed at scrape time.
///
/// ```
/// use prom_core::{FnCollector, LabelSet, MetricFamily, MetricType, MetricValue};
/// let c = FnCollector::new(|out| {
///     let mut f = MetricFamily::new("answer", "", MetricType::Gauge).expect("valid name");
///     f.push(LabelSet::empty(), MetricValue::Gauge(42.0)).expect("gauge value");
///     out.push(f);
///     Ok(())
/// });
/// assert_eq!(prom_core::collect(&c).unwrap().len(), 1);
/// ```
pub struct FnCollector<F> {
    f: F,
    descriptors: Vec<Descriptor>,
}

impl<F> FnCollector<F>
where
    F: Fn(&mut Vec<MetricFamily>) -> Result<(), CollectError> + Send + Sync,
{
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        Self {
            f,
            descriptors: Vec::new(),
        }
    }

    /// Declares what `f` exposes, for duplicate detection at registration.
    #[must_use]
    pub fn with_descriptors(mut self, descriptors: Vec<Descriptor>) -> Self {
        self.descriptors = descriptors;
        self
    }
}

impl<F> Collector for FnCollector<F>
where
    F: Fn(&mut Vec<MetricFamily>) -> Result<(), CollectError> + Send + Sync,
{
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        (self.f)(out)
    }
    fn describe(&self) -> Vec<Descriptor> {
        self.descriptors.clone()
    }
}

impl<F> std::fmt::Debug for FnCollector<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnCollector")
            .field("descriptors", &self.descriptors)
            .finish_non_exhaustive()
    }
}
