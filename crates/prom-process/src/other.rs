//! Systems without `/proc`: nothing is read, so nothing is exposed.

use crate::{Readings, Target};

/// Nothing is kept between scrapes.
#[derive(Debug)]
pub(crate) struct State;

impl State {
    pub(crate) const fn new() -> Self {
        Self
    }
}

/// Reads nothing.
pub(crate) fn read(_target: &Target, _state: &State) -> Readings {
    Readings::default()
}
