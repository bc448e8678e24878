//! Stripes owned by one thread at a time.
//!
//! A contended counter or histogram grows stripes, one per core. A stripe
//! is claimed by the first thread that uses it (a compare-and-swap of its
//! owner field from 0 to the thread's slot number) and from then on only
//! that thread writes it, so it can add with plain loads and stores instead
//! of atomic read-modify-writes. The claim is remembered in a thread-local
//! list and given back when the thread exits, so short-lived threads do not
//! keep stripes from the threads that come after them: the release is a
//! Release store and the claim an Acquire, so the next owner continues from
//! the last owner's values.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use crate::sync::{thread_local, AtomicU64, Ordering};

/// How many stripes a contended series grows: one per CPU core, rounded up
/// to a power of two (so a slot picks its stripe with a mask), 2 to 64.
pub(crate) fn stripe_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(4, usize::from);
    cores.clamp(2, 64).next_power_of_two()
}

/// This thread's stripe index: small sequential numbers, assigned on first
/// use, so that up to one thread per stripe never share a cell.
#[inline]
pub(crate) fn thread_slot() -> usize {
    use std::cell::Cell;
    use std::sync::atomic::AtomicUsize;
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    std::thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(0) };
    }
    SLOT.with(|slot| match slot.get() {
        0 => {
            let s = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            slot.set(s);
            s
        }
        s => s,
    })
}

/// A set of stripes, each with an owner field.
pub(crate) trait StripeSet: Send + Sync {
    /// The owner field of stripe `i` (0 while free).
    fn owner(&self, i: usize) -> Option<&AtomicU64>;
}

/// The stripes this thread owns, as `(set, index, owner id)`.
struct Claims(Vec<(Weak<dyn StripeSet>, usize, u64)>);

impl Drop for Claims {
    fn drop(&mut self) {
        for (set, i, me) in self.0.drain(..) {
            if let Some(set) = set.upgrade() {
                if let Some(owner) = set.owner(i) {
                    // Release: the next owner's claim (Acquire) sees this
                    // thread's last stores to the stripe.
                    let _ = owner.compare_exchange(me, 0, Ordering::Release, Ordering::Relaxed);
                }
            }
        }
    }
}

// Through the `sync` shim: under loom, each model thread has its own list,
// dropped when the model thread ends, as a real thread's is.
thread_local! {
    static CLAIMS: RefCell<Claims> = RefCell::new(Claims(Vec::new()));
}

/// Makes this thread (`me`, its [`thread_slot`])
/// the owner of stripe `i` of `set`, if the stripe is free and this thread
/// can remember to give it back when it exits.
pub(crate) fn claim<T: StripeSet + 'static>(set: &Arc<T>, i: usize, me: u64) -> bool {
    let Some(owner) = set.owner(i) else {
        return false;
    };
    if owner.load(Ordering::Relaxed) != 0 {
        return false;
    }
    let weak: Weak<dyn StripeSet> = Arc::downgrade(set) as Weak<dyn StripeSet>;
    let remembered = CLAIMS.try_with(|c| {
        let Ok(mut claims) = c.try_borrow_mut() else {
            return false;
        };
        // Forget stripes of series that are gone, now and then.
        if claims.0.len() >= 64 && claims.0.len().is_power_of_two() {
            claims.0.retain(|(s, _, _)| s.strong_count() > 0);
        }
        claims.0.push((weak, i, me));
        true
    });
    if !matches!(remembered, Ok(true)) {
        return false;
    }
    // Acquire: pairs with the previous owner's release of the stripe.
    if owner
        .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
    {
        return true;
    }
    let _ = CLAIMS.try_with(|c| {
        if let Ok(mut claims) = c.try_borrow_mut() {
            claims.0.pop();
        }
    });
    false
}
