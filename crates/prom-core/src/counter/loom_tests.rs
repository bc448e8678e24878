//! Model checks of the counter's lock-free protocols, up to loom's
//! preemption bound: the race for the owned integer cell, and the stripes'
//! hand-off. A thread owns a stripe, adds to it
//! with plain loads and stores, and gives it back when it exits; the next
//! thread to claim it continues from the last value. Every interleaving
//! (up to loom's preemption bound) keeps every increment, which needs the
//! release at thread exit to be Release and the claim to be Acquire: with
//! either weakened to Relaxed, loom finds an increment lost.

use super::*;
use loom::sync::atomic::AtomicBool;

#[test]
fn loom_a_stripe_handed_to_the_next_thread_keeps_every_increment() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let state = Arc::new(CounterState::new());
        let stripes = Arc::clone(state.grow());
        // Slots 1 and 1 + n map to the same stripe.
        let (first, second) = (1, 1 + stripes.cells.len());
        let started = Arc::new(AtomicBool::new(false));
        let owner = {
            let (state, stripes, started) = (
                Arc::clone(&state),
                Arc::clone(&stripes),
                Arc::clone(&started),
            );
            loom::thread::spawn(move || {
                state.add_striped(&stripes, first, 1);
                state.add_striped(&stripes, first, 1);
                // Relaxed: this flag must not order anything itself.
                started.store(true, Ordering::Relaxed);
                // The thread's claims are given back as it exits.
            })
        };
        let next = {
            let (state, stripes, started) = (
                Arc::clone(&state),
                Arc::clone(&stripes),
                Arc::clone(&started),
            );
            loom::thread::spawn(move || {
                while !started.load(Ordering::Relaxed) {
                    loom::thread::yield_now();
                }
                // Claims the stripe if the first thread has exited, else
                // adds to the shared cell: both must count.
                state.add_striped(&stripes, second, 1);
            })
        };
        owner.join().expect("the owner does not panic");
        next.join().expect("the next thread does not panic");
        assert_eq!(state.get(), 3.0);
    });
}

/// Two threads race to own the integer cell and keep adding: whoever
/// wins adds with plain loads and stores, the other to the float cell
/// or (after a lost race) a stripe, and no increment is lost.
#[test]
fn loom_the_integer_cell_has_one_owner_and_keeps_every_increment() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let state = Arc::new(CounterState::new());
        let threads: Vec<_> = [1, 2]
            .into_iter()
            .map(|slot| {
                let state = Arc::clone(&state);
                loom::thread::spawn(move || {
                    state.add_int_as(slot, 1);
                    state.add_int_as(slot, 1);
                })
            })
            .collect();
        for t in threads {
            t.join().expect("adders do not panic");
        }
        assert_eq!(state.get(), 4.0);
    });
}
