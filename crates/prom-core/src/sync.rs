//! The one place the lock-free parts get their atomics and locks from.
//!
//! Under `--cfg loom` these are loom's model-checked types (and loom's
//! thread-locals, whose destructors run when a model thread ends), so the
//! histogram's hot/cold protocol and the stripes' hand-off between threads
//! can be explored exhaustively; otherwise they are `std`'s.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::Mutex;
#[cfg(loom)]
pub(crate) use loom::thread::yield_now;
#[cfg(loom)]
pub(crate) use loom::thread_local;

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::Mutex;
#[cfg(not(loom))]
pub(crate) use std::thread::yield_now;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

/// An `f64` stored as its bit pattern in an [`AtomicU64`].
#[derive(Debug)]
pub(crate) struct AtomicF64(AtomicU64);

impl Default for AtomicF64 {
    fn default() -> Self {
        AtomicF64::new(0.0)
    }
}

impl AtomicF64 {
    pub(crate) fn new(v: f64) -> Self {
        Self(AtomicU64::new(v.to_bits()))
    }

    #[inline]
    pub(crate) fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }

    #[inline]
    pub(crate) fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds `delta` with a compare-and-swap loop; returns whether the first
    /// attempt lost a race with another writer.
    #[inline]
    pub(crate) fn add_detecting_contention(&self, delta: f64, order: Ordering) -> bool {
        let mut cur = self.0.load(Ordering::Relaxed);
        let mut first = true;
        loop {
            let next = (f64::from_bits(cur) + delta).to_bits();
            // A strong exchange: a spurious failure would read as contention.
            match self.0.compare_exchange(cur, next, order, Ordering::Relaxed) {
                Ok(_) => return !first,
                Err(actual) => {
                    cur = actual;
                    first = false;
                }
            }
        }
    }

    /// Adds `delta` with a compare-and-swap loop; returns nothing because no
    /// caller needs the previous value.
    #[inline]
    pub(crate) fn add(&self, delta: f64, order: Ordering) {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(cur) + delta).to_bits();
            match self
                .0
                .compare_exchange_weak(cur, next, order, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }
}

/// Locks a mutex, ignoring poisoning: every critical section in this crate
/// leaves the protected data consistent even if a user callback panics.
#[cfg(not(loom))]
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(loom)]
pub(crate) fn lock<T>(m: &Mutex<T>) -> loom::sync::MutexGuard<'_, T> {
    // A poisoned loom mutex means a model thread already panicked and failed the model.
    m.lock()
        .expect("loom mutex is not poisoned in these models")
}
