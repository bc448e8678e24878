//! A named [`NativeHistogram`] as a [`Collector`]: one series of a
//! histogram family, streamed to the visit as a
//! [`ValueRef::NativeHistogram`].

use crate::collector::Collector;
use crate::native_histogram::{Named, NativeHistogram, NativeHistogramOpts};
use crate::visit::{FamilyRef, SeriesRef, ValueRef, VisitFailure, Visitor};
use crate::{CollectError, Descriptor, Error, LabelSet, MetricFamily, MetricType};

impl NativeHistogram {
    /// A histogram with `opts` that is also a [`Collector`] of the
    /// histogram family `name`: one series, no labels, with `_created`
    /// (the time of this call). A histogram made by
    /// [`NativeHistogram::new`] exposes nothing.
    ///
    /// The protobuf exposition carries its buckets; the text formats write
    /// its `+Inf` bucket, `_count` and `_sum`, as client_golang writes a
    /// native-only histogram.
    ///
    /// ```
    /// use prom_core::{MetricValue, NativeHistogram, NativeHistogramOpts};
    /// let h = NativeHistogram::with_name("latency_seconds", "Latency.", NativeHistogramOpts::new())?;
    /// h.observe(0.25);
    /// let families = prom_core::collect(&h)?;
    /// assert_eq!(&*families[0].name, "latency_seconds");
    /// let MetricValue::NativeHistogram(v) = &families[0].metrics[0].value else { unreachable!() };
    /// assert_eq!(v.count, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// An invalid metric name, naming it.
    pub fn with_name(name: &str, help: &str, opts: NativeHistogramOpts) -> Result<Self, Error> {
        let desc = Descriptor::new::<&str>(name, help, MetricType::Histogram, None, &[])?;
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64 / 1000.0);
        Ok(Self::new_named(
            opts,
            Named {
                name: desc.name().into(),
                help: help.into(),
                created,
            },
        ))
    }
}

impl Collector for NativeHistogram {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        crate::series::collect_visited(out, |v| self.visit(v))
    }

    fn describe(&self) -> Vec<Descriptor> {
        self.named()
            .and_then(|n| {
                Descriptor::new::<&str>(&n.name, &n.help, MetricType::Histogram, None, &[]).ok()
            })
            .into_iter()
            .collect()
    }

    fn visit(&self, v: &mut dyn Visitor) -> Result<(), VisitFailure> {
        let Some(named) = self.named() else {
            return Ok(());
        };
        let family = FamilyRef {
            name: &named.name,
            help: &named.help,
            unit: None,
            metric_type: MetricType::Histogram,
        };
        if v.family(family)? {
            let value = self.get();
            let labels = LabelSet::default();
            v.series(&SeriesRef {
                labels: labels.as_labels_ref(),
                value: ValueRef::NativeHistogram(&value),
                timestamp_ms: None,
                created: Some(named.created),
                exemplars: &[],
            })?;
        }
        Ok(())
    }
}
