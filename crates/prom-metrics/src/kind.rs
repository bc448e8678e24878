//! The three kinds of `metrics` series, and what differs between them:
//! their prom type, handler, handle, thread cache and index.

use std::sync::Arc;
use std::thread::LocalKey;

use prom_core::{CounterVec, GaugeVec, HistogramVec, MetricType, Opts};

use crate::cache::{Cache, Index};
use crate::exposition::AnyFamily;
use crate::handles::Cell;
use crate::handles::{CounterCell, GaugeCell, HistogramCell};

thread_local! {
    static COUNTERS: Cache<CounterCell> = const { std::cell::RefCell::new(Vec::new()) };
    static GAUGES: Cache<GaugeCell> = const { std::cell::RefCell::new(Vec::new()) };
    static HISTOGRAMS: Cache<HistogramCell> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The shared indexes of one bridge, one per kind.
#[derive(Debug, Default)]
pub(crate) struct Indexes {
    counters: Index<CounterCell>,
    gauges: Index<GaugeCell>,
    histograms: Index<HistogramCell>,
}

/// A kind of `metrics` series.
pub(crate) trait Kind {
    /// The handler behind the `metrics` handle.
    type Cell: Cell + Send + Sync + 'static;
    /// The `metrics` handle.
    type Handle;
    /// The Prometheus type.
    const TYPE: MetricType;
    /// The kind's name, which keys its descriptions and names apart from
    /// the other kinds'.
    const NAME: &'static str;

    fn cache() -> &'static LocalKey<Cache<Self::Cell>>;
    fn index(indexes: &Indexes) -> &Index<Self::Cell>;
    /// A new prom-core family of this kind.
    ///
    /// # Errors
    /// prom-core's, for options it refuses.
    fn family(opts: Opts) -> Result<AnyFamily, prom_core::Error>;
    /// The child of `values` in `family`, if it is of this kind.
    fn child(family: &AnyFamily, values: &[&str]) -> Option<Self::Cell>;
    /// A handle over `cell`, or one that does nothing.
    fn handle(cell: Option<Arc<Self::Cell>>) -> Self::Handle;
}

/// `counter!`.
pub(crate) enum Counters {}
/// `gauge!`.
pub(crate) enum Gauges {}
/// `histogram!`.
pub(crate) enum Histograms {}

impl Kind for Counters {
    type Cell = CounterCell;
    type Handle = metrics::Counter;
    const TYPE: MetricType = MetricType::Counter;
    const NAME: &'static str = "counter";

    fn cache() -> &'static LocalKey<Cache<CounterCell>> {
        &COUNTERS
    }

    fn index(indexes: &Indexes) -> &Index<CounterCell> {
        &indexes.counters
    }

    fn family(opts: Opts) -> Result<AnyFamily, prom_core::Error> {
        CounterVec::new(opts).map(AnyFamily::Counter)
    }

    fn child(family: &AnyFamily, values: &[&str]) -> Option<CounterCell> {
        match family {
            AnyFamily::Counter(f) => f.with_label_values(values).ok().map(CounterCell),
            _ => None,
        }
    }

    #[inline]
    fn handle(cell: Option<Arc<CounterCell>>) -> metrics::Counter {
        cell.map_or_else(metrics::Counter::noop, metrics::Counter::from_arc)
    }
}

impl Kind for Gauges {
    type Cell = GaugeCell;
    type Handle = metrics::Gauge;
    const TYPE: MetricType = MetricType::Gauge;
    const NAME: &'static str = "gauge";

    fn cache() -> &'static LocalKey<Cache<GaugeCell>> {
        &GAUGES
    }

    fn index(indexes: &Indexes) -> &Index<GaugeCell> {
        &indexes.gauges
    }

    fn family(opts: Opts) -> Result<AnyFamily, prom_core::Error> {
        GaugeVec::new(opts).map(AnyFamily::Gauge)
    }

    fn child(family: &AnyFamily, values: &[&str]) -> Option<GaugeCell> {
        match family {
            AnyFamily::Gauge(f) => f.with_label_values(values).ok().map(GaugeCell),
            _ => None,
        }
    }

    #[inline]
    fn handle(cell: Option<Arc<GaugeCell>>) -> metrics::Gauge {
        cell.map_or_else(metrics::Gauge::noop, metrics::Gauge::from_arc)
    }
}

impl Kind for Histograms {
    type Cell = HistogramCell;
    type Handle = metrics::Histogram;
    const TYPE: MetricType = MetricType::Histogram;
    const NAME: &'static str = "histogram";

    fn cache() -> &'static LocalKey<Cache<HistogramCell>> {
        &HISTOGRAMS
    }

    fn index(indexes: &Indexes) -> &Index<HistogramCell> {
        &indexes.histograms
    }

    fn family(opts: Opts) -> Result<AnyFamily, prom_core::Error> {
        HistogramVec::new(opts).map(AnyFamily::Histogram)
    }

    fn child(family: &AnyFamily, values: &[&str]) -> Option<HistogramCell> {
        match family {
            AnyFamily::Histogram(f) => f.with_label_values(values).ok().map(HistogramCell),
            _ => None,
        }
    }

    #[inline]
    fn handle(cell: Option<Arc<HistogramCell>>) -> metrics::Histogram {
        cell.map_or_else(metrics::Histogram::noop, metrics::Histogram::from_arc)
    }
}
