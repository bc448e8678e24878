//! Info: labels that describe the target (a version, a build), exposed as
//! one sample `<name>_info{…} 1`, as client_python's `Info`.

use std::sync::Mutex;

use crate::name::validate_label_names;
use crate::series::{metric_handle, SeriesArc, SeriesState};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, LabelSet, MetricType, Opts};

/// Labels describing the target, exposed as `<name>_info{…} 1`; a gauge
/// `<name>_info` in text format 0.0.4. A trailing `_info` in the name given
/// is dropped from the family name and added back on the sample.
///
/// ```
/// let build = prom_core::Info::new("build", "Build information.").unwrap();
/// build.set([("version", "1.2.3"), ("revision", "4bf92f")]).unwrap();
/// assert_eq!(build.get().get("version"), Some("1.2.3"));
/// // Set again, the labels are replaced as a whole.
/// build.set([("version", "1.2.4")]).unwrap();
/// assert_eq!(build.get().len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Info {
    inner: SeriesArc<InfoState>,
}

metric_handle!(Info, InfoState, "info", InfoVec);

impl Info {
    /// Replaces the info's labels with these `(name, value)` pairs.
    ///
    /// # Errors
    /// An invalid, reserved or repeated label name, or one the family's own
    /// labels already use, naming it; the labels are left as they were.
    pub fn set<N: AsRef<str>, V: AsRef<str>>(
        &self,
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Result<(), Error> {
        let labels = LabelSet::from_pairs(pairs)?;
        validate_label_names(labels.names(), MetricType::Info)?;
        let family = self.inner.desc.label_names();
        if let Some(clash) = labels.names().iter().find(|n| family.contains(n)) {
            return Err(Error::ReservedLabelName {
                name: clash.to_string(),
                reason: "the info's family has a label of that name",
            });
        }
        *self.inner.state.labels() = labels;
        Ok(())
    }

    /// The current labels (empty until [`Info::set`]).
    pub fn get(&self) -> LabelSet {
        self.inner.state.labels().clone()
    }
}

/// An info's labels.
#[derive(Debug, Default)]
pub struct InfoState {
    labels: Mutex<LabelSet>,
}

impl InfoState {
    fn labels(&self) -> std::sync::MutexGuard<'_, LabelSet> {
        // Replacing a label set leaves it whole whatever happens.
        self.labels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SeriesState for InfoState {
    const TYPE: MetricType = MetricType::Info;
    const CREATED: bool = false;
    type Config = ();

    fn config(_: &Opts) -> Result<(), Error> {
        Ok(())
    }

    fn new((): &()) -> Self {
        Self::default()
    }

    fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a> {
        scratch.info = self.labels().clone();
        ValueRef::Info(scratch.info.as_labels_ref())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Collector;

    #[test]
    fn names_lose_info_and_units_are_refused() {
        let i = Info::new("build_info", "").unwrap();
        assert_eq!(i.describe()[0].name(), "build");
        let err = Info::with_opts(Opts::new("build", "").unit("seconds")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metric family \"build\" cannot have a unit: info families have none"
        );
    }
}
