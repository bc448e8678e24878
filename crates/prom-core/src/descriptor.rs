//! What a metric family is, known before collecting: its name, help, type,
//! unit and label names.

use std::sync::Arc;

use crate::name::{validate_label_name, validate_label_names, validate_metric_name, validate_unit};
use crate::visit::FamilyRef;
use crate::{Error, MetricFamily, MetricType};

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
    /// Whether the family's series expose `_created` (OpenMetrics).
    created: bool,
}

impl Descriptor {
    /// Validates and builds a descriptor. For counters a trailing `_total` is
    /// dropped from `name`, for infos a trailing `_info`; with a unit,
    /// `_<unit>` is appended unless the name already ends with it (as
    /// client_python does). Infos and state sets take no unit.
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
        let mut full = metric_type.family_name(name).to_owned();
        if metric_type == MetricType::StateSet {
            // The family name is also its states' label name.
            validate_label_name(&full)?;
            if let Some(clash) = label_names.iter().find(|n| n.as_ref() == full) {
                return Err(Error::ReservedLabelName {
                    name: clash.as_ref().into(),
                    reason: "a state set labels its states with the family name",
                });
            }
        }
        if let Some(unit) = unit {
            if !metric_type.allows_unit() {
                return Err(Error::UnitNotAllowed {
                    metric: full,
                    metric_type,
                });
            }
            validate_unit(unit)?;
            if !full
                .strip_suffix(unit)
                .is_some_and(|rest| rest.ends_with('_'))
            {
                full.push('_');
                full.push_str(unit);
            }
        }
        // Stripping `_total` may leave an empty or digit-led name ("_total"
        // itself).
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
            created: true,
        })
    }

    /// The same descriptor whose series expose no `_created` sample (as
    /// client_python's `disable_created_metrics`).
    #[must_use]
    pub fn without_created(mut self) -> Self {
        self.created = false;
        self
    }

    /// Whether the family's series expose `_created` (in OpenMetrics).
    pub fn created(&self) -> bool {
        self.created
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

    /// The label names as the family's series share them.
    pub(crate) fn shared_label_names(&self) -> &Arc<[Box<str>]> {
        &self.label_names
    }

    /// Every sample name this family can expose in either format, e.g.
    /// `x`, `x_total` and `x_created` for counter `x`.
    pub fn sample_names(&self) -> impl Iterator<Item = String> + '_ {
        crate::sample_names(&self.name, self.metric_type)
    }

    /// The borrowed header of this descriptor's family, for [`Visitor`](crate::Visitor)s.
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
