//! The one generic visitor that turns a streaming visit into owned
//! [`MetricFamily`] snapshots: how every metric of this crate implements
//! [`Collector::collect`](crate::Collector::collect) from its single reading
//! path.

use std::sync::Arc;

use crate::model::{State, SummaryValue};
use crate::visit::{FamilyRef, SeriesRef, ValueRef, VisitError, Visitor};
use crate::{HistogramValue, Metric, MetricFamily, MetricValue};

/// Appends one [`MetricFamily`] per visited family to a vector.
#[derive(Debug)]
pub(crate) struct Snapshot<'a> {
    out: &'a mut Vec<MetricFamily>,
}

impl<'a> Snapshot<'a> {
    pub(crate) fn new(out: &'a mut Vec<MetricFamily>) -> Self {
        Self { out }
    }
}

impl Visitor for Snapshot<'_> {
    fn family(&mut self, family: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.out.push(MetricFamily {
            name: Arc::from(family.name),
            help: Arc::from(family.help),
            unit: family.unit.map(Arc::from),
            metric_type: family.metric_type,
            metrics: Vec::new(),
        });
        Ok(true)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        let Some(family) = self.out.last_mut() else {
            return Err(VisitError::new("a series came before its family"));
        };
        family.metrics.push(to_metric(series));
        Ok(())
    }
}

/// An owned copy of a borrowed series.
pub(crate) fn to_metric(series: &SeriesRef<'_>) -> Metric {
    Metric {
        labels: series.labels.to_label_set(),
        value: to_value(series.value),
        timestamp_ms: series.timestamp_ms,
        created: series.created,
        exemplars: series.exemplars.to_vec(),
    }
}

/// An owned copy of a borrowed value.
pub(crate) fn to_value(value: ValueRef<'_>) -> MetricValue {
    match value {
        ValueRef::Counter(v) => MetricValue::Counter(v),
        ValueRef::Gauge(v) => MetricValue::Gauge(v),
        ValueRef::Unknown(v) => MetricValue::Unknown(v),
        ValueRef::Histogram {
            bounds,
            cumulative,
            count,
            sum,
        } => MetricValue::Histogram(HistogramValue::from_cumulative(
            bounds, cumulative, count, sum,
        )),
        ValueRef::Summary {
            count,
            sum,
            quantiles,
        } => MetricValue::Summary(SummaryValue {
            count,
            sum,
            quantiles: quantiles.to_vec(),
        }),
        ValueRef::Info(labels) => MetricValue::Info(labels.to_label_set()),
        ValueRef::StateSet { names, enabled } => MetricValue::StateSet(
            names
                .iter()
                .zip(enabled)
                .map(|(name, &enabled)| State {
                    name: name.clone(),
                    enabled,
                })
                .collect(),
        ),
        ValueRef::GaugeHistogram {
            bounds,
            cumulative,
            count,
            sum,
        } => MetricValue::GaugeHistogram(HistogramValue::from_cumulative(
            bounds, cumulative, count, sum,
        )),
        ValueRef::NativeHistogram(h) => MetricValue::NativeHistogram(h.clone()),
    }
}
