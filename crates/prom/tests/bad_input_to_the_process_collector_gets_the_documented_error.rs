//! Every bad namespace or pid source given to the process collector gets
//! exactly the outcome `docs/errors.md` shows (rows `process.*`).

mod common;

use std::io;

use common::{err, Check};
use prom::process::ProcessCollector;

fn namespace(namespace: &str) -> String {
    err(ProcessCollector::builder().namespace(namespace).build())
}

fn no_such_process() -> io::Result<i32> {
    Err(io::Error::other("no pid file"))
}

const CHECKS: &[(&str, Check)] = &[
    ("process.namespace-dash", || namespace("my-app")),
    ("process.namespace-digit", || namespace("9app")),
    ("process.namespace-reserved", || namespace("_")),
    ("process.namespace-space", || namespace("my app")),
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
