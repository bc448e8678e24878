//! Every bad namespace or pid source given to the process collector gets
//! exactly the outcome `docs/errors.md` shows (rows `process.*`).

mod common;

use std::io;

use common::{err, Check};
use prom::process::ProcessCollector;

fn namespace(namespace: &str) -> String {
    err(ProcessCollector::builder().namespace(namespace).build())
}

/// [`namespace`] with the legacy name validation on, turned off again
/// after: the checks of this binary's one test run one after the other.
fn legacy_namespace(ns: &str) -> String {
    prom::set_name_validation(prom::NameValidation::Legacy);
    let result = namespace(ns);
    prom::set_name_validation(prom::NameValidation::Utf8);
    result
}

fn no_such_process() -> io::Result<i32> {
    Err(io::Error::other("no pid file"))
}

const CHECKS: &[(&str, Check)] = &[
    ("process.namespace-dash", || legacy_namespace("my-app")),
    ("process.namespace-digit", || legacy_namespace("9app")),
    ("process.namespace-reserved", || namespace("_")),
    ("process.namespace-space", || legacy_namespace("my app")),
    ("process.namespace-empty", || {
        let c = ProcessCollector::builder()
            .namespace("")
            .build()
            .expect("empty means none");
        assert_eq!(c.namespace(), None);
        "no error: no namespace".into()
    }),
    ("process.pid-fails", || {
        let c = ProcessCollector::builder()
            .pid(no_such_process)
            .build()
            .expect("valid names");
        let families = prom::collect(&c).expect("a missing process is no scrape error");
        assert!(
            families.iter().all(|f| f.metrics.is_empty()),
            "{families:?}"
        );
        "no error: the scrape exposes no process samples".into()
    }),
];

#[test]
fn every_process_row_has_its_error() {
    common::check_area("process", CHECKS);
}
