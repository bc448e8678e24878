//! What a scrape sees: one Prometheus family per name, whose series may come
//! from several prom-core families, one per distinct set of label names.
//!
//! `metrics` lets every call of one name carry its own labels; a prom-core
//! family has one list of label names. So a name (a [`Group`]) holds one
//! prom-core family per label-name set it has met (a shape), and a scrape
//! writes all their series under the one `# HELP` and `# TYPE` of the name:
//! each series with exactly the labels it was recorded with. For Prometheus
//! a missing label and an empty one are the same, so this is the family
//! whose label names are the union, with the missing values empty — written
//! without the empty ones.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};

use prom_core::{
    CollectError, Collector, CounterVec, FamilyRef, GaugeVec, HistogramVec, MetricFamily,
    MetricType, SeriesRef, VisitError, VisitFailure, Visitor,
};

/// A prom-core family of any kind the bridge makes.
#[derive(Debug, Clone)]
pub(crate) enum AnyFamily {
    Counter(CounterVec),
    Gauge(GaugeVec),
    Histogram(HistogramVec),
}

impl AnyFamily {
    fn collector(&self) -> &dyn Collector {
        match self {
            AnyFamily::Counter(f) => f,
            AnyFamily::Gauge(f) => f,
            AnyFamily::Histogram(f) => f,
        }
    }
}

/// The label names (sorted) of some of a name's series, and their family.
type Shape = (Box<[Box<str>]>, AnyFamily);

/// One Prometheus family: a name, its type, unit and help, and its shapes.
#[derive(Debug)]
pub(crate) struct Group {
    /// The exposed family name (a counter's without `_total`).
    pub(crate) name: Box<str>,
    pub(crate) metric_type: MetricType,
    pub(crate) unit: Option<&'static str>,
    /// A histogram's bucket bounds (empty for the other types).
    pub(crate) buckets: Vec<f64>,
    help: RwLock<Arc<str>>,
    /// In creation order.
    shapes: RwLock<Vec<Shape>>,
}

impl Group {
    pub(crate) fn new(
        name: &str,
        metric_type: MetricType,
        unit: Option<&'static str>,
        help: Arc<str>,
        buckets: Vec<f64>,
    ) -> Self {
        Self {
            name: name.into(),
            metric_type,
            unit,
            buckets,
            help: RwLock::new(help),
            shapes: RwLock::new(Vec::new()),
        }
    }

    pub(crate) fn set_help(&self, help: Arc<str>) {
        *self.help.write().unwrap_or_else(PoisonError::into_inner) = help;
    }

    fn help(&self) -> Arc<str> {
        Arc::clone(&self.help.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The family of the label names `names` (sorted), made by `make` if
    /// this is the first key with them.
    ///
    /// # Errors
    /// `make`'s error.
    pub(crate) fn shape(
        &self,
        names: &[&str],
        make: impl FnOnce() -> Result<AnyFamily, prom_core::Error>,
    ) -> Result<AnyFamily, prom_core::Error> {
        let same = |shape: &&Shape| {
            shape.0.len() == names.len() && shape.0.iter().zip(names).all(|(a, b)| **a == **b)
        };
        if let Some((_, f)) = self
            .shapes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(same)
        {
            return Ok(f.clone());
        }
        let mut shapes = self.shapes.write().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, f)) = shapes.iter().find(same) {
            return Ok(f.clone());
        }
        let family = make()?;
        shapes.push((names.iter().map(|&n| n.into()).collect(), family.clone()));
        Ok(family)
    }

    fn families(&self) -> Vec<AnyFamily> {
        self.shapes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, f)| f.clone())
            .collect()
    }

    /// Visits every shape's series under one header.
    pub(crate) fn visit(&self, v: &mut dyn Visitor) -> Result<(), VisitFailure> {
        let help = self.help();
        let mut one = OneHeader {
            inner: v,
            header: FamilyRef {
                name: &self.name,
                help: &help,
                unit: self.unit,
                metric_type: self.metric_type,
            },
            opened: None,
        };
        for family in self.families() {
            family.collector().visit(&mut one)?;
        }
        Ok(())
    }

    /// One snapshot family holding every shape's series.
    pub(crate) fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        let mut parts = Vec::new();
        for family in self.families() {
            family.collector().collect(&mut parts)?;
        }
        let mut parts = parts.into_iter();
        let Some(mut first) = parts.next() else {
            return Ok(());
        };
        first.help = self.help();
        for part in parts {
            first.metrics.extend(part.metrics);
        }
        out.push(first);
        Ok(())
    }
}

/// Passes the first family header on as the group's, with its current
/// help, and swallows the headers of the other shapes, so that their series
/// follow as part of one family.
struct OneHeader<'a, 'h> {
    inner: &'a mut dyn Visitor,
    header: FamilyRef<'h>,
    /// What the visitor answered to the header, once it was passed on.
    opened: Option<bool>,
}

impl Visitor for OneHeader<'_, '_> {
    fn family(&mut self, _shape: FamilyRef<'_>) -> Result<bool, VisitError> {
        match self.opened {
            Some(wanted) => Ok(wanted),
            None => {
                let wanted = self.inner.family(self.header)?;
                self.opened = Some(wanted);
                Ok(wanted)
            }
        }
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.inner.series(series)
    }
}

/// Every group of a bridge, and every sample name they (and the bridge's
/// self-metric) claim.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// In creation order, the order of the exposition.
    pub(crate) list: Vec<Arc<Group>>,
    pub(crate) by_name: HashMap<Box<str>, Arc<Group>>,
    /// By kind and by the family name a `metrics` name gives without a unit:
    /// once a name has a group, later descriptions do not move it.
    pub(crate) by_key: HashMap<(&'static str, String), Arc<Group>>,
    /// Every sample name written by a group, in either format: a new group
    /// may not write one of them (`x_total` as a gauge next to counter
    /// `x`), or the encoder would refuse the whole scrape.
    pub(crate) claimed: HashSet<String>,
}
