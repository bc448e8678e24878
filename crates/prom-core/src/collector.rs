//! The trait through which anything yields metric families for exposition.

use std::sync::Arc;

use crate::name::{validate_label_names, validate_metric_name, validate_unit};
use crate::visit::{visit_families, FamilyRef, VisitFailure, Visitor};
use crate::{CollectError, Error, MetricFamily, MetricType};

/// What a collector exposes, known before collecting: name, help, type, unit
/// and label names. Registries use it to refuse two collectors exposing the
/// same time series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    name: Arc<str>,
    help: Arc<str>,
    unit: Option<Arc<str>>,
    metric_type: MetricType,
    label_names: Arc<[Box<str>]>,
}

impl Descriptor {
    /// Validates and builds a descriptor. For counters a trailing `_total` is
    /// dropped from `name`; with a unit, `_<unit>` is appended unless the name
    /// already ends with it (as client_python does).
    ///
    /// # Errors
    /// An invalid metric name, label name (including those reserved for the
    /// type) or unit, naming the bad input.
    pub fn new<S: AsRef<str>>(
        name: &str,
        help: &str,
        metric_type: MetricType,
        unit: Option<&str>,
        label_names: &[S],
    ) -> Result<Self, Error> {
        validate_metric_name(name)?;
        validate_label_names(label_names, metric_type)?;
        let mut full = match metric_type {
            MetricType::Counter => name.strip_suffix("_total").unwrap_or(name).to_owned(),
            _ => name.to_owned(),
        };
        if let Some(unit) = unit {
            validate_unit(unit)?;
            if !full
                .strip_suffix(unit)
                .is_some_and(|rest| rest.ends_with('_'))
            {
                full.push('_');
                full.push_str(unit);
            }
        }
        // Stripping `_total` may leave an empty or digit-led name ("_total" itself).
        validate_metric_name(&full)?;
        Ok(Self {
            name: full.into(),
            help: help.into(),
            unit: unit.map(Arc::from),
            metric_type,
            label_names: label_names
                .iter()
                .map(|n| Box::from(n.as_ref()))
                .collect::<Vec<_>>()
                .into(),
        })
    }

    /// The family name (no `_total` for counters).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The help text.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The unit, if any.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The type.
    pub fn metric_type(&self) -> MetricType {
        self.metric_type
    }

    /// The label names, in order.
    pub fn label_names(&self) -> &[Box<str>] {
        &self.label_names
    }

    pub(crate) fn shared_label_names(&self) -> Arc<[Box<str>]> {
        Arc::clone(&self.label_names)
    }

    /// Every sample name this family can expose in either format, e.g.
    /// `x`, `x_total` and `x_created` for counter `x`.
    pub fn sample_names(&self) -> impl Iterator<Item = String> + '_ {
        sample_names(&self.name, self.metric_type)
    }

    /// The borrowed header of this descriptor's family, for [`Visitor`]s.
    pub fn family_ref(&self) -> FamilyRef<'_> {
        FamilyRef {
            name: &self.name,
            help: &self.help,
            unit: self.unit.as_deref(),
            metric_type: self.metric_type,
        }
    }

    /// An empty family with this descriptor's name, help, unit and type.
    pub fn family(&self, capacity: usize) -> MetricFamily {
        MetricFamily {
            name: Arc::clone(&self.name),
            help: Arc::clone(&self.help),
            unit: self.unit.clone(),
            metric_type: self.metric_type,
            metrics: Vec::with_capacity(capacity),
        }
    }
}

/// Every sample name a family named `name` of type `metric_type` can expose.
pub fn sample_names(name: &str, metric_type: MetricType) -> impl Iterator<Item = String> + '_ {
    metric_type
        .suffixes()
        .iter()
        .map(move |suffix| format!("{name}{suffix}"))
}

impl MetricFamily {
    /// Whether `sample_name` is this family's name or one of its sample names
    /// (`x_total`, `x_bucket`, …). Used to honour `name[]` filters.
    pub fn exposes(&self, sample_name: &str) -> bool {
        exposes(&self.name, self.metric_type, sample_name)
    }
}

pub(crate) fn exposes(name: &str, metric_type: MetricType, sample_name: &str) -> bool {
    sample_name
        .strip_prefix(name)
        .is_some_and(|suffix| metric_type.suffixes().contains(&suffix))
}

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
