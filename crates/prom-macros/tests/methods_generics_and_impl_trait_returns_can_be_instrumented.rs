//! The attributes leave the signature alone, so methods (`&self`,
//! `&mut self`, `self`), trait methods, generic functions, lifetimes and
//! `impl Trait` returns keep working; the metric can be a field of `self`,
//! an `Arc`, a `Box` or a `LazyLock`.

mod common;

use std::fmt::Display;
use std::sync::{Arc, LazyLock};

use prom::{Counter, Gauge, Histogram, Summary};

prom::static_metrics! {
    static GENERIC_TIME: Summary = ("generic_seconds", "");
    static ITER_TIME: Summary = ("iterator_seconds", "");
    static TRAIT_TIME: Summary = ("trait_method_seconds", "");
}

static DEFAULT_BODY: LazyLock<Summary> =
    LazyLock::new(|| Summary::new("default_body_seconds", "").expect("a valid name"));

struct Service {
    latency: Histogram,
    failures: Arc<Counter>,
    busy: Box<Gauge>,
    served: u32,
}

impl Service {
    /// A handle returned by a call: the guard keeps it alive for the call.
    fn latency(&self) -> Histogram {
        self.latency.clone()
    }

    #[prom::time(self.latency())]
    fn ping(&self) -> &'static str {
        "pong"
    }

    fn new(prefix: &str) -> Self {
        let name = |n: &str| format!("{prefix}_{n}");
        Self {
            latency: Histogram::new(&name("seconds"), "").expect("a valid name"),
            failures: Arc::new(Counter::new(&name("failures"), "").expect("a valid name")),
            busy: Box::new(Gauge::new(&name("busy"), "").expect("a valid name")),
            served: 0,
        }
    }

    #[prom::time(self.latency)]
    #[prom::track_inprogress(self.busy)]
    fn name_of(&self, id: u32) -> String {
        assert_eq!(self.busy.get(), 1.0);
        format!("#{id}")
    }

    #[prom::time(self.latency)]
    #[prom::count_errors(self.failures)]
    fn serve(&mut self, ok: bool) -> Result<u32, String> {
        if !ok {
            return Err("refused".into());
        }
        self.served += 1;
        Ok(self.served)
    }

    #[prom::count_errors(self.failures)]
    fn into_served(self) -> Result<u32, String> {
        Ok(self.served)
    }

    /// The metric borrowed from `self` for the whole future, next to a body
    /// that mutates another field and returns a borrow of it.
    #[prom::time(self.latency)]
    #[prom::count_errors(self.failures)]
    async fn serve_later(&mut self, ok: bool) -> Result<&mut u32, String> {
        common::yield_now().await;
        if !ok {
            return Err("refused later".into());
        }
        self.served += 1;
        Ok(&mut self.served)
    }
}

#[test]
fn methods_taking_self_in_every_way_can_use_their_own_fields_as_metrics() {
    let mut service = Service::new("methods");
    assert_eq!(service.name_of(7), "#7");
    assert_eq!(service.ping(), "pong");
    assert_eq!(service.serve(true), Ok(1));
    assert!(service.serve(false).is_err());
    assert_eq!(service.latency.get_count(), 4);
    assert_eq!(service.busy.get(), 0.0);
    assert_eq!(common::block_on(service.serve_later(true)), Ok(&mut 2));
    assert!(common::block_on(service.serve_later(false)).is_err());
    assert_eq!(service.latency.get_count(), 6);
    let failures = Arc::clone(&service.failures);
    assert_eq!(service.into_served(), Ok(2));
    assert_eq!(failures.get(), 2.0);
}

#[prom::time(GENERIC_TIME)]
fn longest<'a, T>(items: &'a [T], at_least: &str) -> Option<&'a T>
where
    T: Display,
{
    items
        .iter()
        .filter(|i| i.to_string().len() >= at_least.len())
        .max_by_key(|i| i.to_string().len())
}

#[test]
fn generic_functions_with_lifetimes_work() {
    assert_eq!(longest(&[1, 100, 10], "x"), Some(&100));
    assert_eq!(longest::<&str>(&[], ""), None);
    assert_eq!(GENERIC_TIME.get_count(), 2);
}

#[prom::time(ITER_TIME)]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[test]
fn a_function_returning_impl_trait_is_timed_while_it_builds_the_value() {
    assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
    assert_eq!(ITER_TIME.get_count(), 1);
}

trait Greeter {
    fn greet(&self, who: &str) -> String;

    #[prom::time(DEFAULT_BODY)]
    fn greet_all(&self, who: &[&str]) -> Vec<String> {
        who.iter().map(|w| self.greet(w)).collect()
    }
}

struct English;

impl Greeter for English {
    #[prom::time(TRAIT_TIME)]
    fn greet(&self, who: &str) -> String {
        format!("hello {who}")
    }
}

#[test]
fn trait_methods_and_default_bodies_work() {
    let english = English;
    assert_eq!(english.greet_all(&["a", "b"]), ["hello a", "hello b"]);
    assert_eq!(TRAIT_TIME.get_count(), 2);
    assert_eq!(DEFAULT_BODY.get_count(), 1);
}
