//! `labels = [...]` picks a family's child at the start of each call, from
//! the arguments or fixed; a static family takes exactly its number of
//! values (checked when compiling), another family is checked on the call.

mod common;

use std::sync::LazyLock;

use prom::{HistogramVec, Opts};

prom::static_metrics! {
    static REQUESTS: HistogramVec = ("labelled_request_seconds", "", labels = ["method", "route"]);
    static IN_FLIGHT: GaugeVec = ("labelled_in_flight", "", labels = ["method"]);
    static FAILURES: CounterVec = ("labelled_failures_total", "", labels = ["method", "code"]);
}

static DYNAMIC: LazyLock<HistogramVec> = LazyLock::new(|| {
    HistogramVec::new(Opts::new("labelled_dynamic_seconds", "").labels(["a", "b"]))
        .expect("a valid family")
});

#[derive(Debug)]
enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[prom::time(REQUESTS, labels = [method.as_str(), "/users"])]
#[prom::track_inprogress(IN_FLIGHT, labels = [method.as_str()])]
#[prom::count_errors(FAILURES, labels = [method.as_str(), &code.to_string()])]
fn handle(method: Method, code: u16) -> Result<(), u16> {
    assert_eq!(IN_FLIGHT.child([method.as_str()]).get(), 1.0);
    if code >= 500 {
        Err(code)
    } else {
        Ok(())
    }
}

#[test]
fn label_values_come_from_the_arguments() {
    assert!(handle(Method::Get, 200).is_ok());
    assert!(handle(Method::Post, 503).is_err());
    assert!(handle(Method::Get, 503).is_err());
    assert_eq!(REQUESTS.child(["GET", "/users"]).get_count(), 2);
    assert_eq!(REQUESTS.child(["POST", "/users"]).get_count(), 1);
    assert_eq!(IN_FLIGHT.child(["GET"]).get(), 0.0);
    assert_eq!(FAILURES.child(["POST", "503"]).get(), 1.0);
    assert_eq!(FAILURES.child(["GET", "503"]).get(), 1.0);
    assert_eq!(FAILURES.child(["GET", "200"]).get(), 0.0);
}

#[prom::time(REQUESTS, labels = ["GET", "/health"])]
fn health() {}

#[test]
fn a_fixed_child_is_one_series() {
    health();
    health();
    assert_eq!(REQUESTS.child(["GET", "/health"]).get_count(), 2);
}

#[prom::time(DYNAMIC, labels = [a, b])]
fn dynamic(a: &str, b: &str) {}

#[prom::time(DYNAMIC, labels = ["only one"])]
fn dynamic_with_too_few_values() {}

#[test]
fn a_family_that_is_no_static_checks_the_count_on_the_call() {
    dynamic("x", "y");
    assert_eq!(
        DYNAMIC
            .with_label_values(&["x", "y"])
            .expect("two values")
            .get_count(),
        1
    );
    assert_eq!(
        common::panic_message(dynamic_with_too_few_values),
        "the `labels = [...]` of a prom attribute do not fit the family: metric \"labelled_dynamic_seconds\" has 2 label name(s) but 1 label value(s) were given"
    );
}
