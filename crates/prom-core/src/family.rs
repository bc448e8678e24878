use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::children::Children;
use crate::hashing::ValuesHasher;
use crate::lifecycle::{Discard, Expiring, Lifecycle};
use crate::lookup_cache::{fill, sketch, with_cached, Key};
use crate::series::{collect_visited, create, visit_series, MetricKind, SeriesState};
use crate::visit::{Scratch, VisitFailure, Visitor};
use crate::{
    CollectError, Collector, Counter, Descriptor, Enum, Error, Gauge, Histogram, Info,
    MetricFamily, NativeHistogram, Opts, PackedValues, Summary,
};

/// Process-unique family ids, for the per-thread lookup cache.
static NEXT_FAMILY_ID: AtomicU64 = AtomicU64::new(1);

struct Inner<M: MetricKind> {
    /// Identifies this family in per-thread lookup caches.
    id: u64,
    /// Bumped whenever children are removed, invalidating cached lookups.
    generation: AtomicU64,
    /// Hashes label values, here and in the children's index.
    hasher: ValuesHasher,
    /// The number of label names, next to the id (a lookup checks it
    /// without a trip through the descriptor).
    label_count: usize,
    desc: Arc<Descriptor>,
    config: <M::State as SeriesState>::Config,
    lifecycle: Lifecycle,
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
/// Infos by label values.
pub type InfoVec = Family<Info>;
/// Enums by label values.
pub type EnumVec = Family<Enum>;
/// Native histograms by label values.
pub type NativeHistogramVec = Family<NativeHistogram>;

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
        let config = M::State::config(&opts)?;
        let desc = Arc::new(opts.descriptor(M::State::TYPE)?);
        let lifecycle = Lifecycle::new(opts.lifecycle(desc.label_names().len())?);
        let hasher = ValuesHasher::new();
        let expires = lifecycle.expiry.is_some();
        Ok(Self {
            inner: Arc::new(Inner {
                id: NEXT_FAMILY_ID.fetch_add(1, Ordering::Relaxed),
                generation: AtomicU64::new(0),
                hasher,
                label_count: desc.label_names().len(),
                desc,
                config,
                lifecycle,
                children: RwLock::new(Children::new(hasher, expires)),
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
        let expected = self.inner.label_count;
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
        self.with(values, M::clone)
    }

    /// Runs `f` on the child for these label values (created on first use)
    /// without cloning its handle: the cheapest way to update a series that
    /// is not kept.
    ///
    /// Repeated lookups from one thread are answered by a per-thread cache
    /// with no lock and no atomic read-modify-write; a miss takes the
    /// family's read lock (or, for a new child, its write lock). `f` runs
    /// with no family lock held. The first cached lookup of a metric type on
    /// a thread allocates that thread's cache (about 32 KiB); after that,
    /// lookups of existing children allocate nothing.
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
        let key = Key {
            family: self.inner.id,
            generation: self.inner.generation.load(Ordering::Acquire),
            sketch: sketch(values),
        };
        match with_cached(M::lookup_cache(), key, values, f) {
            Ok(r) => Ok(r),
            Err(f) => self.with_uncached(values, key, f),
        }
    }

    /// [`Family::with`] past a miss of the per-thread cache. Kept out of
    /// line: the hit path then needs fewer registers, and its frame is small.
    #[cold]
    #[inline(never)]
    fn with_uncached<S: AsRef<str>, R>(
        &self,
        values: &[S],
        key: Key,
        f: impl FnOnce(&M) -> R,
    ) -> Result<R, Error> {
        let (child, own) = self.get_or_create(values, self.inner.hasher.hash(values))?;
        // The overflow series stands in for values past the ceiling: not
        // cached under them, so each such lookup is counted.
        if own {
            fill(M::lookup_cache(), key, &child);
        }
        Ok(f(&child))
    }

    /// The child of `values`, created if new; and whether it is theirs
    /// (not the overflow series standing in for them).
    fn get_or_create<S: AsRef<str>>(&self, values: &[S], hash: u64) -> Result<(M, bool), Error> {
        if let Some(child) = self.read().get_hashed(values, hash) {
            return Ok((child.clone(), true));
        }
        let mut map = self.write();
        // Another thread may have created it between the two locks.
        if let Some(child) = map.get_hashed(values, hash) {
            return Ok((child.clone(), true));
        }
        let lifecycle = &self.inner.lifecycle;
        if lifecycle.max.is_some_and(|max| map.entries.len() >= max) {
            if let Some(refused) = &lifecycle.refused {
                refused.inc();
            }
            let Some(overflow) = &lifecycle.overflow else {
                return Err(Error::TooManySeries {
                    metric: self.inner.desc.name().to_owned(),
                    max: lifecycle.max.unwrap_or(0),
                    values: values.iter().map(|v| v.as_ref().to_owned()).collect(),
                });
            };
            let hash = map.hash(overflow);
            if let Some(child) = map.get_hashed(overflow, hash) {
                return Ok((child.clone(), false));
            }
            let child = create::<M>(
                Arc::clone(&self.inner.desc),
                &PackedValues::pack(overflow),
                &self.inner.config,
            );
            return Ok((map.insert(child).clone(), false));
        }
        let child = create::<M>(
            Arc::clone(&self.inner.desc),
            &PackedValues::pack(values),
            &self.inner.config,
        );
        Ok((map.insert(child).clone(), true))
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
        let removed = self.write().remove(values);
        // Cached lookups of this family, on every thread, are now stale.
        self.inner.generation.fetch_add(1, Ordering::Release);
        Ok(removed)
    }

    /// Removes the child with these `(name, value)` pairs; returns whether it existed.
    ///
    /// # Errors
    /// As [`Family::with_labels`].
    pub fn remove_labels(&self, pairs: &[(&str, &str)]) -> Result<bool, Error> {
        let values = self.order(pairs)?;
        self.remove(&values)
    }

    /// Removes every child whose labels include all of these `(name, value)`
    /// pairs (client_python's `remove_matching`, client_golang's
    /// `DeletePartialMatch`); returns how many. Handles to them keep working
    /// but are no longer exposed: a new lookup of their values creates a
    /// fresh child.
    ///
    /// ```
    /// use prom_core::{CounterVec, Opts};
    /// let hits = CounterVec::new(Opts::new("hits", "").labels(["path", "code"])).unwrap();
    /// for (path, code) in [("/old", "200"), ("/old", "404"), ("/new", "200")] {
    ///     hits.with_label_values(&[path, code]).unwrap().inc();
    /// }
    /// assert_eq!(hits.remove_matching(&[("path", "/old")]).unwrap(), 2);
    /// assert_eq!(hits.len(), 1);
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownLabel`] for a name the family does not have,
    /// [`Error::DuplicateLabelName`] for a name given twice.
    pub fn remove_matching(&self, pairs: &[(&str, &str)]) -> Result<usize, Error> {
        let names = self.inner.desc.label_names();
        let mut wanted = Vec::with_capacity(pairs.len());
        for (k, (name, value)) in pairs.iter().enumerate() {
            let Some(i) = names.iter().position(|n| &**n == *name) else {
                return Err(Error::UnknownLabel {
                    metric: self.inner.desc.name().to_owned(),
                    name: (*name).to_owned(),
                });
            };
            if pairs[..k].iter().any(|(n, _)| n == name) {
                return Err(Error::DuplicateLabelName {
                    name: (*name).to_owned(),
                });
            }
            wanted.push((i, *value));
        }
        let removed = self.write().remove_where(|_, m| {
            let values = m.series().values();
            wanted.iter().all(|&(i, v)| values.get(i) == v)
        });
        if removed > 0 {
            self.inner.generation.fetch_add(1, Ordering::Release);
        }
        Ok(removed)
    }

    /// Removes the children found idle for the family's
    /// [`Opts::expire_after`] time, as a scrape does (for a family that is
    /// not scraped, e.g. pushed); returns how many. Nothing without that
    /// option.
    pub fn remove_idle(&self) -> usize {
        // Discarding what it reads, the visit fails on nothing.
        self.visit_children(&mut Discard).unwrap_or(0)
    }

    /// Visits the children, leaving out and then removing those found idle;
    /// returns how many were removed.
    fn visit_children(&self, v: &mut dyn Visitor) -> Result<usize, VisitFailure> {
        let mut scratch = Scratch::default();
        let created = self.inner.desc.created();
        let Some(expiry) = &self.inner.lifecycle.expiry else {
            // Values are read under the read lock: no handle is cloned, and
            // writers to existing children never take this lock; only the
            // creation of a new child waits for the scrape to finish.
            for child in &self.read().entries {
                visit_series(child, v, &mut scratch, created)?;
            }
            return Ok(0);
        };
        let expired = {
            let children = self.read();
            let mut expiring = Expiring {
                inner: v,
                expiry,
                now: expiry.now(),
                current: (0, None),
                expired: Vec::new(),
            };
            for (i, child) in children.entries.iter().enumerate() {
                expiring.current = (i, children.seen.get(i));
                visit_series(child, &mut expiring, &mut scratch, created)?;
            }
            // The expired children, by identity: positions may shift before
            // the write lock is taken.
            expiring
                .expired
                .iter()
                .filter_map(|&i| children.entries.get(i))
                .map(|m| std::ptr::from_ref(m.series()) as usize)
                .collect::<Vec<usize>>()
        };
        if expired.is_empty() {
            return Ok(0);
        }
        let removed = self
            .write()
            .remove_where(|_, m| expired.contains(&(std::ptr::from_ref(m.series()) as usize)));
        self.inner.generation.fetch_add(1, Ordering::Release);
        Ok(removed)
    }

    /// Removes every child.
    pub fn clear(&self) {
        self.write().clear();
        self.inner.generation.fetch_add(1, Ordering::Release);
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
        collect_visited(out, |v| self.visit(v))
    }

    fn describe(&self) -> Vec<Descriptor> {
        let mut out = vec![(*self.inner.desc).clone()];
        if let Some(refused) = &self.inner.lifecycle.refused {
            out.extend(refused.describe());
        }
        out
    }

    fn visit(&self, v: &mut dyn Visitor) -> Result<(), VisitFailure> {
        if v.family(self.inner.desc.family_ref())? {
            self.visit_children(v)?;
        }
        if let Some(refused) = &self.inner.lifecycle.refused {
            refused.visit(v)?;
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
    fn cached_lookups_follow_removals_and_never_mix_families() {
        let a = family();
        let b = family();
        a.with(&["1", "2"], |c| c.inc()).unwrap();
        b.with(&["1", "2"], |c| c.inc_by(5.0).unwrap()).unwrap();
        // Same values, same thread, two families: two series.
        assert_eq!(a.with(&["1", "2"], |c| c.get()).unwrap(), 1.0);
        assert_eq!(b.with(&["1", "2"], |c| c.get()).unwrap(), 5.0);
        // Another thread has it cached; the removal must not leave it
        // updating the removed child.
        std::thread::scope(|s| {
            s.spawn(|| a.with(&["1", "2"], |c| c.inc()).unwrap())
                .join()
                .unwrap();
            assert!(a.remove(&["1", "2"]).unwrap());
            s.spawn(|| a.with(&["1", "2"], |c| c.inc()).unwrap())
                .join()
                .unwrap();
        });
        let fams = crate::collect(&a).unwrap();
        assert_eq!(fams[0].metrics.len(), 1);
        assert_eq!(fams[0].metrics[0].value, crate::MetricValue::Counter(1.0));
        a.clear();
        assert_eq!(a.with(&["1", "2"], |c| c.get()).unwrap(), 0.0);
    }

    #[test]
    fn values_alike_in_every_sampled_byte_are_still_two_series() {
        // The lookup cache samples 24 bytes per value to pick a set; these
        // differ only outside them, so they share a set and must be told
        // apart by comparing the values.
        let f = family();
        let x = format!("{}x{}", "p".repeat(12), "q".repeat(30));
        let y = format!("{}y{}", "p".repeat(12), "q".repeat(30));
        assert_eq!(
            crate::lookup_cache::sketch(&[x.as_str(), "b"]),
            crate::lookup_cache::sketch(&[y.as_str(), "b"])
        );
        for round in 1..=3 {
            f.with(&[x.as_str(), "b"], |c| c.inc()).unwrap();
            f.with(&[y.as_str(), "b"], |c| c.inc_by(10.0).unwrap())
                .unwrap();
            assert_eq!(
                f.with(&[x.as_str(), "b"], |c| c.get()).unwrap(),
                f64::from(round)
            );
            assert_eq!(
                f.with(&[y.as_str(), "b"], |c| c.get()).unwrap(),
                10.0 * f64::from(round)
            );
        }
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn lookups_nest() {
        let a = family();
        let total = a
            .with(&["x", "y"], |outer| {
                outer.inc();
                a.with(&["x", "y"], |inner| inner.get()).unwrap()
                    + a.with(&["new", "one"], |c| c.get()).unwrap()
            })
            .unwrap();
        assert_eq!(total, 1.0);
        assert_eq!(a.len(), 2);
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
