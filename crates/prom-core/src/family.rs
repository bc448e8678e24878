use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use hashbrown::HashTable;

use crate::model::hash_label_values;
use crate::series::MetricKind;
use crate::visit::{Scratch, VisitFailure, Visitor};
use crate::{
    CollectError, Collector, Counter, Descriptor, Error, Gauge, Histogram, LabelSet, MetricFamily,
    Opts, Summary,
};

/// A family's children in creation order, indexed by a hash of their label
/// values. The index holds positions, not keys: each child's values live
/// once, in the child, and lookups compare them (a hash match alone is never
/// trusted).
struct Children<M> {
    entries: Vec<M>,
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl<M: MetricKind> Children<M> {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    fn hash<S: AsRef<str>>(&self, values: &[S]) -> u64 {
        let mut h = self.hasher.build_hasher();
        hash_label_values(values, &mut h);
        h.finish()
    }

    fn hash_of(hasher: &foldhash::fast::RandomState, m: &M) -> u64 {
        let mut h = hasher.build_hasher();
        m.series_labels().hash_values(&mut h);
        h.finish()
    }

    fn position<S: AsRef<str>>(&self, values: &[S]) -> Option<usize> {
        let hash = self.hash(values);
        self.index
            .find(hash, |&i| {
                self.entries[i as usize].series_labels().values_eq(values)
            })
            .map(|&i| i as usize)
    }

    fn get<S: AsRef<str>>(&self, values: &[S]) -> Option<&M> {
        self.position(values).map(|i| &self.entries[i])
    }

    fn insert(&mut self, child: M) -> &M {
        let i = self.entries.len();
        let hash = Self::hash_of(&self.hasher, &child);
        self.entries.push(child);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.insert_unique(hash, i as u32, |&j| {
            Self::hash_of(hasher, &entries[j as usize])
        });
        &self.entries[i]
    }

    fn remove<S: AsRef<str>>(&mut self, values: &[S]) -> bool {
        let Some(i) = self.position(values) else {
            return false;
        };
        // Keeps creation order; positions after `i` shift, so the index is
        // rebuilt. Removal is rare next to lookups.
        self.entries.remove(i);
        self.index.clear();
        let (entries, hasher) = (&self.entries, &self.hasher);
        for (j, m) in entries.iter().enumerate() {
            self.index
                .insert_unique(Self::hash_of(hasher, m), j as u32, |&k| {
                    Self::hash_of(hasher, &entries[k as usize])
                });
        }
        true
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
    }
}

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
                children: RwLock::new(Children::new()),
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
        if let Some(child) = self.read().get(values) {
            return Ok(child.clone());
        }
        let mut map = self.write();
        // Another thread may have created it between the two locks.
        if let Some(child) = map.get(values) {
            return Ok(child.clone());
        }
        let labels = LabelSet::new(self.inner.desc.shared_label_names(), values)?;
        let child = M::create(Arc::clone(&self.inner.desc), labels, &self.inner.config);
        Ok(map.insert(child).clone())
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
        if let Some(child) = self.read().get(values) {
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
        Ok(self.write().remove(values))
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
        self.read().entries.len()
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
        let children: Vec<M> = self.read().entries.clone();
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
        for child in &self.read().entries {
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
            .map(|m| m.labels.value(0).unwrap())
            .collect();
        assert_eq!(firsts, ["z", "a", "m"]);
        assert_eq!(fams[0].metrics[0].labels.get("b"), Some("\"\\\n"));
    }
}
