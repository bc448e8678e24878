use crate::{Descriptor, Error, MetricType};

/// Options shared by every metric constructor: name, help, and optionally
/// namespace, subsystem, unit, label names and (histograms only) buckets.
///
/// The full name is `namespace_subsystem_name`, leaving out empty parts.
///
/// ```
/// use prom_core::{CounterVec, Opts};
/// let requests = CounterVec::new(
///     Opts::new("requests", "Requests served").namespace("shop").labels(["method"]),
/// ).unwrap();
/// requests.with_label_values(&["GET"]).unwrap().inc();
/// assert_eq!(requests.descriptor().name(), "shop_requests");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Opts {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) namespace: String,
    pub(crate) subsystem: String,
    pub(crate) unit: Option<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) buckets: Option<Vec<f64>>,
}

impl Opts {
    /// Options with a name and a help text.
    pub fn new(name: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            help: help.into(),
            namespace: String::new(),
            subsystem: String::new(),
            unit: None,
            labels: Vec::new(),
            buckets: None,
        }
    }

    /// Prefixes the name with `namespace_`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Prefixes the name (after the namespace) with `subsystem_`.
    pub fn subsystem(mut self, subsystem: impl Into<String>) -> Self {
        self.subsystem = subsystem.into();
        self
    }

    /// Sets the unit, exposed as `# UNIT` in OpenMetrics; `_<unit>` is
    /// appended to the name unless it already ends with it.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the label names of a labelled family (`CounterVec` and co.).
    pub fn labels<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets histogram bucket upper bounds (validated when the histogram is
    /// built; `+Inf` is added if absent). Other metric types refuse them.
    pub fn buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.buckets = Some(buckets.into());
        self
    }

    /// The full name: `namespace_subsystem_name` without empty parts.
    pub fn full_name(&self) -> String {
        [&self.namespace, &self.subsystem, &self.name]
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("_")
    }

    pub(crate) fn descriptor(&self, metric_type: MetricType) -> Result<Descriptor, Error> {
        if self.buckets.is_some() && metric_type != MetricType::Histogram {
            return Err(Error::InvalidBuckets {
                reason: format!(
                    "buckets were given for {:?}, a {}; only histograms have buckets",
                    self.full_name(),
                    metric_type.as_str()
                ),
            });
        }
        Descriptor::new(
            &self.full_name(),
            &self.help,
            metric_type,
            self.unit.as_deref(),
            &self.labels,
        )
    }
}
