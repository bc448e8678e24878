use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use indexmap::{Equivalent, IndexMap};

use crate::series::MetricKind;
use crate::visit::{Scratch, VisitFailure, Visitor};
use crate::{
    CollectError, Collector, Counter, Descriptor, Error, Gauge, Histogram, LabelSet, MetricFamily,
    Opts, Summary,
};

/// The label values of one child: the map key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key(Arc<[Box<str>]>);

// Hashes element by element (no length prefix), so that `Key` and a borrowed
// `Values` of the same strings hash alike.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for v in self.0.iter() {
            (**v).hash(state);
        }
    }
}

/// Borrowed label values, for lookups that allocate nothing.
struct Values<'a, S>(&'a [S]);

impl<S: AsRef<str>> Hash for Values<'_, S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for v in self.0 {
            v.as_ref().hash(state);
        }
    }
}

impl<S: AsRef<str>> Equivalent<Key> for Values<'_, S> {
    fn equivalent(&self, key: &Key) -> bool {
        // Compare the values themselves: equal hashes are never trusted alone.
        self.0.len() == key.0.len()
            && self
                .0
                .iter()
                .zip(key.0.iter())
                .all(|(a, b)| a.as_ref() == &**b)
    }
}

type Children<M> = IndexMap<Key, M, foldhash::fast::RandomState>;

struct Inner<M: MetricKind> {
    desc: Arc<Descriptor>,
    config: M::Config,
    children: RwLock<Children<M>>,
}

/// A labelled metric: one child series per combination of label values.
///
/// Children are handles of the metric type (a [`Counter`] for a
/// [`CounterVec`]) and may be kept: updating a kept child skips the lookup.
/// Looking a child up by borrowed `&str` values allocates nothing once it
/// exists. Series are exposed in creation order.
///
/// ```
/// use prom_core::{CounterVec, Opts};
/// let requests = CounterVec::new(Opts::new("requests", "Requests").labels(["method", "code"])).unwrap();
/// requests.with_label_values(&["GET", "200"]).unwrap().inc();
/// let post_ok = requests.with_labels(&[("code", "200"), ("method", "POST")]).unwrap();
/// post_ok.inc_by(2.0).unwrap();
/// assert!(requests.with_label_values(&["GET"]).is_err()); // wrong count: an error, not a panic
/// assert_eq!(requests.len(), 2);
/// ```
pub struct Family<M: MetricKind> {
    inner: Arc<Inner<M>>,
}

/// Counters by label values.
pub type CounterVec = Family<Counter>;
/// Gauges by label values.
pub type GaugeVec = Family<Gauge>;
/// Histograms by label values.
pub type HistogramVec = Family<Histogram>;
/// Summaries by label values.
pub type SummaryVec = Family<Summary>;

impl<M: MetricKind> Clone for Family<M> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M: MetricKind> fmt::Debug for Family<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Family")
            .field("desc", &self.inner.desc)
            .field("children", &self.len())
            .finish()
    }
}

impl<M: MetricKind> Family<M> {
    /// A family with the label names of `opts` (possibly none).
    ///
    /// # Errors
    /// An invalid name, label name (including `le` on histograms and
    /// `quantile` on summaries), unit or buckets, naming it.
    pub fn new(opts: Opts) -> Result<Self, Error> {
        let config = M::config(&opts)?;
        let desc = Arc::new(opts.descriptor(M::TYPE)?);
        Ok(Self {
            inner: Arc::new(Inner {
                desc,
                config,
                children: RwLock::new(IndexMap::default()),
            }),
        })
    }

    /// The family's name, help, type, unit and label names.
    pub fn descriptor(&self) -> &Descriptor {
        &self.inner.desc
    }

    fn read(&self) -> RwLockReadGuard<'_, Children<M>> {
        // No code path panics while holding the lock with the map half-updated.
        self.inner
            .children
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Children<M>> {
        self.inner
            .children
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check_count(&self, got: usize) -> Result<(), Error> {
        let expected = self.inner.desc.label_names().len();
        if got == expected {
            Ok(())
        } else {
            Err(Error::LabelCount {
                metric: self.inner.desc.name().to_owned(),
                expected,
                got,
            })
        }
    }

    /// The child for these label values, in label-name order, created on
    /// first use.
    ///
    /// # Errors
    /// [`Error::LabelCount`] when the number of values is wrong.
    pub fn with_label_values<S: AsRef<str>>(&self, values: &[S]) -> Result<M, Error> {
        self.check_count(values.len())?;
        if let Some(child) = self.read().get(&Values(values)) {
            return Ok(child.clone());
        }
        let key = Key(values.iter().map(|v| Box::from(v.as_ref())).collect());
        let mut map = self.write();
        // Another thread may have created it between the two locks.
        let child = map.entry(key).or_insert_with_key(|key| {
            let labels = LabelSet::new(self.inner.desc.shared_label_names(), Arc::clone(&key.0))
                .expect("the count was checked against the label names");
            M::create(Arc::clone(&self.inner.desc), labels, &self.inner.config)
        });
        Ok(child.clone())
    }

    /// Runs `f` on the child for these label values (created on first use)
    /// without cloning its handle: the cheapest way to update a series that
    /// is not kept.
    ///
    /// `f` runs under the family's read lock, so it must not add or remove
    /// children of this same family.
    ///
    /// ```
    /// use prom_core::{CounterVec, Opts};
    /// let hits = CounterVec::new(Opts::new("hits", "").labels(["page"])).unwrap();
    /// hits.with(&["/"], |c| c.inc()).unwrap();
    /// assert_eq!(hits.with(&["/"], |c| c.get()).unwrap(), 1.0);
    /// ```
    ///
    /// # Errors
    /// [`Error::LabelCount`] when the number of values is wrong.
    pub fn with<S: AsRef<str>, R>(
        &self,
        values: &[S],
        f: impl FnOnce(&M) -> R,
    ) -> Result<R, Error> {
        self.check_count(values.len())?;
        if let Some(child) = self.read().get(&Values(values)) {
            return Ok(f(child));
        }
        let child = self.with_label_values(values)?;
        Ok(f(&child))
    }

    /// Puts `(name, value)` pairs in label-name order.
    fn order<'a>(&self, pairs: &[(&str, &'a str)]) -> Result<Vec<&'a str>, Error> {
        let names = self.inner.desc.label_names();
        let metric = || self.inner.desc.name().to_owned();
        if let Some((unknown, _)) = pairs
            .iter()
            .find(|(n, _)| !names.iter().any(|name| &**name == *n))
        {
            return Err(Error::UnknownLabel {
                metric: metric(),
                name: (*unknown).to_owned(),
            });
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names.iter() {
            let mut matching = pairs.iter().filter(|(n, _)| *n == &**name);
            match (matching.next(), matching.next()) {
                (Some((_, v)), None) => out.push(*v),
                (None, _) => {
                    return Err(Error::MissingLabel {
                        metric: metric(),
                        name: name.to_string(),
                    })
                }
                (Some(_), Some(_)) => {
                    return Err(Error::DuplicateLabelName {
                        name: name.to_string(),
                    })
                }
            }
        }
        Ok(out)
    }

    /// The child for these `(name, value)` pairs, in any order.
    ///
    /// # Errors
    /// [`Error::UnknownLabel`], [`Error::MissingLabel`] or
    /// [`Error::DuplicateLabelName`], naming the label.
    pub fn with_labels(&self, pairs: &[(&str, &str)]) -> Result<M, Error> {
        let values = self.order(pairs)?;
        self.with_label_values(&values)
    }

    /// Removes the child with these label values; returns whether it existed.
    /// Handles to it keep working but are no longer exposed.
    ///
    /// # Errors
    /// [`Error::LabelCount`] when the number of values is wrong.
    pub fn remove<S: AsRef<str>>(&self, values: &[S]) -> Result<bool, Error> {
        self.check_count(values.len())?;
        Ok(self.write().shift_remove(&Values(values)).is_some())
    }

    /// Removes the child with these `(name, value)` pairs; returns whether it existed.
    ///
    /// # Errors
    /// As [`Family::with_labels`].
    pub fn remove_labels(&self, pairs: &[(&str, &str)]) -> Result<bool, Error> {
        let values = self.order(pairs)?;
        self.remove(&values)
    }

    /// Removes every child.
    pub fn clear(&self) {
        self.write().clear();
    }

    /// The number of children.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<M: MetricKind> Collector for Family<M> {
    fn collect(&self, out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
        // Copy the handles out so that values are read without the lock held:
        // a slow scrape never delays the creation of a new child.
        let children: Vec<M> = self.read().values().cloned().collect();
        let mut fam = self.inner.desc.family(children.len());
        fam.metrics.extend(children.iter().map(M::snapshot));
        out.push(fam);
        Ok(())
    }

    fn describe(&self) -> Vec<Descriptor> {
        vec![(*self.inner.desc).clone()]
    }

    fn visit(&self, v: &mut dyn Visitor) -> Result<(), VisitFailure> {
        if !v.family(self.inner.desc.family_ref())? {
            return Ok(());
        }
        let mut scratch = Scratch::default();
        // Values are read under the read lock: no handle is cloned, and
        // writers to existing children never take this lock; only the
        // creation of a new child waits for the scrape to finish.
        for child in self.read().values() {
            child.visit_series(v, &mut scratch)?;
        }
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn family() -> CounterVec {
        CounterVec::new(Opts::new("req", "").labels(["a", "b"])).unwrap()
    }

    #[test]
    fn children_are_shared_and_distinct() {
        let f = family();
        let x = f.with_label_values(&["1", "2"]).unwrap();
        x.inc();
        assert_eq!(f.with_label_values(&["1", "2"]).unwrap().get(), 1.0);
        // Values that concatenate alike are still different series.
        assert_eq!(f.with_label_values(&["12", ""]).unwrap().get(), 0.0);
        assert_eq!(
            f.with_label_values(&[String::from("1"), "2".into()])
                .unwrap()
                .get(),
            1.0
        );
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn label_errors() {
        let f = family();
        assert_eq!(
            f.with_label_values(&["x"]).unwrap_err(),
            Error::LabelCount {
                metric: "req".into(),
                expected: 2,
                got: 1
            }
        );
        assert!(matches!(
            f.with_labels(&[("a", "1"), ("c", "2")]),
            Err(Error::UnknownLabel { .. })
        ));
        assert!(matches!(
            f.with_labels(&[("a", "1")]),
            Err(Error::MissingLabel { .. })
        ));
        assert!(matches!(
            f.with_labels(&[("a", "1"), ("a", "2"), ("b", "3")]),
            Err(Error::DuplicateLabelName { .. })
        ));
        assert!(matches!(
            HistogramVec::new(Opts::new("h", "").labels(["le"])),
            Err(Error::ReservedLabelName { .. })
        ));
        assert!(matches!(
            Counter::with_opts(Opts::new("c", "").labels(["x"])),
            Err(Error::LabelCount {
                expected: 1,
                got: 0,
                ..
            })
        ));
    }

    #[test]
    fn remove_and_clear() {
        let f = family();
        let kept = f.with_labels(&[("b", "2"), ("a", "1")]).unwrap();
        f.with_label_values(&["3", "4"]).unwrap();
        assert!(f.remove_labels(&[("a", "1"), ("b", "2")]).unwrap());
        assert!(!f.remove(&["1", "2"]).unwrap());
        kept.inc(); // a removed child's handle still works
        assert_eq!(f.len(), 1);
        f.clear();
        assert!(f.is_empty());
        assert_eq!(crate::collect(&f).unwrap()[0].metrics.len(), 0);
    }

    #[test]
    fn collect_keeps_creation_order_and_label_values() {
        let f = family();
        for v in ["z", "a", "m"] {
            f.with_label_values(&[v, "\"\\\n"]).unwrap().inc();
        }
        let fams = crate::collect(&f).unwrap();
        let firsts: Vec<&str> = fams[0]
            .metrics
            .iter()
            .map(|m| m.labels.values()[0].as_ref())
            .collect();
        assert_eq!(firsts, ["z", "a", "m"]);
        assert_eq!(fams[0].metrics[0].labels.get("b"), Some("\"\\\n"));
    }
}
