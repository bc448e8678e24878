//! Unit tests of the counter's cells: the owned integer cell, the float
//! cell and the stripes.

use super::*;

#[test]
fn integral_and_fractional_increments_add_up() {
    let c = Counter::new("c_total", "h").unwrap();
    assert_eq!(c.inner.desc.name(), "c");
    c.inc();
    c.inc_by(2.0).unwrap();
    c.inc_by(0.25).unwrap();
    c.inc_by(1e300).unwrap();
    assert_eq!(c.get(), 3.25 + 1e300);
}

#[test]
fn contention_grows_stripes_and_loses_nothing() {
    let c = Counter::new("c", "h").unwrap();
    let mut expected = 0.0;
    // Threads that really run at once collide quickly; on a loaded
    // machine they may take a few rounds to overlap.
    for _round in 0..50 {
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    barrier.wait();
                    for _ in 0..100_000 {
                        c.inc();
                        c.inc_by(2.0).unwrap();
                    }
                });
            }
        });
        expected += 1_200_000.0;
        assert_eq!(c.get(), expected);
        if c.inner.state.stripes.get().is_some() {
            return;
        }
    }
    panic!("four threads never collided on one counter in 50 rounds");
}

#[test]
fn stripes_are_owned_one_thread_at_a_time_and_given_back_at_exit() {
    let state = CounterState::new();
    let stripes = Arc::clone(state.grow());
    // Rounds of short-lived threads, more of them than stripes: every
    // increment counts, and no stripe stays owned by a thread that has
    // exited.
    let threads = 2 * stripes.cells.len() + 1;
    for round in 0..20u64 {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        for _ in 0..10_000 {
                            state.inc();
                        }
                        state.add(3.0);
                    })
                })
                .collect();
            // An explicit join waits for the thread's exit, thread-local
            // destructors included; the scope's own wait does not.
            for h in handles {
                h.join().unwrap();
            }
        });
        let want = (round + 1) * threads as u64 * 10_003;
        assert_eq!(state.get(), want as f64, "round {round}");
        for (i, stripe) in stripes.cells.iter().enumerate() {
            assert_eq!(
                stripe.owner.load(Ordering::Relaxed),
                0,
                "stripe {i} after round {round}"
            );
        }
    }
    // The stripes were used, not just the shared cell.
    let striped: u64 = stripes
        .cells
        .iter()
        .map(|s| s.value.load(Ordering::Relaxed))
        .sum();
    assert!(striped > 0);
}

#[test]
fn a_thread_owns_its_stripe_while_it_runs() {
    let state = CounterState::new();
    let me = thread_slot();
    state.contended(me, 1);
    let stripes = state.stripes.get().unwrap();
    let mine = &stripes.cells[me & (stripes.cells.len() - 1)];
    assert_eq!(mine.owner.load(Ordering::Relaxed), me as u64);
    assert_eq!(mine.value.load(Ordering::Relaxed), 1);
    // Once stripes exist, an unowned integer cell stays unowned.
    state.inc();
    assert_eq!(mine.value.load(Ordering::Relaxed), 2);
    assert_eq!(state.int.load(Ordering::Relaxed), 0);
    assert_eq!(state.get(), 2.0);
}

#[test]
fn a_scrape_looks_for_exemplars_only_once_one_was_kept() {
    let c = Counter::new("c", "").unwrap();
    c.inner.state.contended(thread_slot(), 1);
    assert!(c.inner.state.stripes.get().is_some());
    assert!(!c.inner.state.keeps_exemplars());
    c.inc_with_exemplar(&[("trace_id", "1")]).unwrap();
    assert!(c.inner.state.keeps_exemplars());
    let mut out = Vec::new();
    c.inner.state.exemplars(&mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn the_contended_path_stripes_and_keeps_the_total() {
    let state = CounterState::new();
    state.inc();
    state.contended(thread_slot(), 2);
    assert!(state.stripes.get().is_some());
    state.inc();
    assert!(state.add(0.5));
    assert_eq!(state.get(), 4.5);
    // The first thread's cell kept what it counted before the stripes.
    assert_eq!(state.int.load(Ordering::Relaxed) & COUNT_MASK, 1);
}

#[test]
fn the_first_thread_owns_the_integer_cell_and_others_add_beside_it() {
    let state = CounterState::new();
    let me = thread_slot();
    state.inc();
    state.inc();
    let cell = state.int.load(Ordering::Relaxed);
    assert_eq!(
        (cell >> (64 - OWNER_BITS), cell & COUNT_MASK),
        (me as u64, 2)
    );
    // Another thread (slot me + 1) cannot write the cell: its additions
    // go to the float cell, and no stripes grow without contention.
    state.add_int_as(me + 1, 5);
    assert_eq!(state.int.load(Ordering::Relaxed), cell);
    assert_eq!(state.float.get(), 5.0);
    assert!(state.stripes.get().is_none());
    // A slot too large for the owner bits never owns the cell.
    let fresh = CounterState::new();
    fresh.add_int_as(1 << OWNER_BITS, 3);
    assert_eq!(fresh.int.load(Ordering::Relaxed), 0);
    assert_eq!(fresh.get(), 3.0);
    // The owner's cell full: the rest goes to the float cell.
    let full = CounterState::new();
    full.add_int_as(me, COUNT_MASK - 1);
    full.add_int_as(me, 3);
    assert_eq!(
        full.int.load(Ordering::Relaxed) & COUNT_MASK,
        COUNT_MASK - 1
    );
    assert_eq!(full.get(), (COUNT_MASK + 2) as f64);
    assert_eq!(state.get(), 7.0);
}

#[test]
fn amounts_split_between_the_cells_exactly() {
    // Integral amounts that fit the owned cell's 48 bits go there,
    // everything else to the float cell; each row checks the cell and
    // the total.
    let cases: [(f64, u64, f64); 10] = [
        (0.0, 0, 0.0),
        (-0.0, 0, 0.0),
        (1.0, 1, 0.0),
        (1.5, 0, 1.5),
        (0.1, 0, 0.1),
        (281_474_976_710_655.0, 281_474_976_710_655, 0.0),
        (4_503_599_627_370_495.0, 0, 4_503_599_627_370_495.0),
        (TWO_POW_52, 0, TWO_POW_52),
        (4_503_599_627_370_495.5, 0, 4_503_599_627_370_495.5),
        (f64::INFINITY, 0, f64::INFINITY),
    ];
    for (amount, int, float) in cases {
        let state = CounterState::new();
        assert!(state.add(amount), "{amount}");
        let cell = state.int.load(Ordering::Relaxed);
        assert_eq!(cell & COUNT_MASK, int, "{amount}");
        assert_eq!(state.float.get(), float, "{amount}");
        assert_eq!(state.get(), amount.abs(), "{amount}");
    }
    let state = CounterState::new();
    for _ in 0..1_000 {
        state.add(3.0);
        state.add(0.25);
    }
    assert_eq!(state.get(), 3_250.0);
}

#[test]
fn bad_increments_leave_value_unchanged() {
    let c = Counter::new("c", "h").unwrap();
    c.inc();
    for bad in [-1.0, f64::NAN, f64::NEG_INFINITY, -0.5] {
        let err = c.inc_by(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidIncrement { .. }));
        assert!(err.to_string().contains("\"c\""), "{err}");
    }
    assert_eq!(c.get(), 1.0);
}

#[test]
fn count_errors_if_filters() {
    let c = Counter::new("c", "h").unwrap();
    let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(2));
    let _ = c.count_errors_if(|e: &i32| *e == 1, || Err::<(), _>(1));
    let _ = c.count_errors(|| Ok::<_, ()>(()));
    assert_eq!(c.get(), 1.0);
}
