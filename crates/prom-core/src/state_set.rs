//! Enum: one of a fixed list of states, exposed as an OpenMetrics state set
//! (one sample per state, the current one 1), as client_python's `Enum`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::series::{metric_handle, SeriesArc, SeriesState};
use crate::visit::{ValueRef, ValueScratch};
use crate::{Error, MetricType, Opts};

/// One of a fixed list of states ([`Opts::states`]), the first the default;
/// exposed as an OpenMetrics `stateset`, one sample per state labelled with
/// the family name, the current state 1 and the others 0 (a gauge in text
/// format 0.0.4).
///
/// ```
/// use prom_core::{Enum, Opts};
/// let task = Enum::with_opts(
///     Opts::new("task_state", "Where the task is.").states(["starting", "running", "stopped"]),
/// )
/// .unwrap();
/// assert_eq!(task.get(), "starting");
/// task.state("running").unwrap();
/// assert_eq!(task.get(), "running");
/// assert!(task.state("exploded").is_err()); // unknown: an error, and no change
/// assert_eq!(task.get(), "running");
/// ```
#[derive(Debug, Clone)]
pub struct Enum {
    inner: SeriesArc<EnumState>,
}

metric_handle!(Enum, EnumState, "enum", EnumVec);

impl Enum {
    /// Switches to `state`, atomically.
    ///
    /// # Errors
    /// [`Error::UnknownState`] for a state not in the list; the current
    /// state is kept.
    pub fn state(&self, state: &str) -> Result<(), Error> {
        let states = &self.inner.state.states;
        match states.iter().position(|s| &**s == state) {
            Some(i) => {
                self.inner.state.current.store(i, Ordering::Relaxed);
                Ok(())
            }
            None => Err(Error::UnknownState {
                metric: self.inner.desc.name().to_owned(),
                state: state.to_owned(),
                states: states.iter().map(|s| s.to_string()).collect(),
            }),
        }
    }

    /// The current state.
    pub fn get(&self) -> &str {
        let state = &self.inner.state;
        // `current` only ever holds an index into `states`.
        &state.states[state.current.load(Ordering::Relaxed)]
    }
}

/// An enum's states and the index of the current one.
#[derive(Debug)]
pub struct EnumState {
    states: Arc<[Box<str>]>,
    current: AtomicUsize,
}

impl SeriesState for EnumState {
    const TYPE: MetricType = MetricType::StateSet;
    const CREATED: bool = false;
    type Config = Arc<[Box<str>]>;

    fn config(opts: &Opts) -> Result<Arc<[Box<str>]>, Error> {
        opts.enum_states()
    }

    fn new(states: &Arc<[Box<str>]>) -> Self {
        Self {
            states: Arc::clone(states),
            current: AtomicUsize::new(0),
        }
    }

    fn read<'a>(&'a self, scratch: &'a mut ValueScratch) -> ValueRef<'a> {
        let current = self.current.load(Ordering::Relaxed);
        scratch.enabled.clear();
        scratch
            .enabled
            .extend((0..self.states.len()).map(|i| i == current));
        ValueRef::StateSet {
            names: &self.states,
            enabled: &scratch.enabled,
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::{MetricValue, State};

    #[test]
    fn bad_state_lists_and_labels_are_refused() {
        for (opts, want) in [
            (Opts::new("e", ""), "no states"),
            (
                Opts::new("e", "").states(["a", "b", "a"]),
                "\"a\" is given twice",
            ),
        ] {
            let err = Enum::with_opts(opts).unwrap_err();
            assert!(err.to_string().contains(want), "{err}");
        }
        let err = Enum::with_opts(Opts::new("e", "").states(["a"]).unit("s")).unwrap_err();
        assert!(
            err.to_string().contains("stateset families have none"),
            "{err}"
        );
        let err = crate::Gauge::with_opts(Opts::new("g", "").states(["a"])).unwrap_err();
        assert!(err.to_string().contains("only enums"), "{err}");
    }

    #[test]
    fn the_state_set_has_exactly_one_state_enabled() {
        let e = Enum::with_opts(Opts::new("e", "").states(["a", "b"])).unwrap();
        e.state("b").unwrap();
        let err = e.state("c").unwrap_err();
        assert_eq!(
            err.to_string(),
            "enum \"e\" has no state \"c\" (its states: \"a\", \"b\")"
        );
        let fams = crate::collect(&e).unwrap();
        assert_eq!(
            fams[0].metrics[0].value,
            MetricValue::StateSet(vec![
                State {
                    name: "a".into(),
                    enabled: false
                },
                State {
                    name: "b".into(),
                    enabled: true
                },
            ])
        );
    }
}
