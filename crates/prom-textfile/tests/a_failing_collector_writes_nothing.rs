//! When the collector fails, nothing is written: the previous target and the directory are
//! exactly as they were, and the error carries the collector's error as its source.

mod common;

use std::error::Error as _;
use std::fs;

use prom_core::{CollectError, FnCollector, Gauge};
use prom_textfile::{write_to_textfile, TextfileError};

#[test]
fn the_previous_file_is_kept_and_the_cause_is_the_source() {
    let dir = common::TempDir::new("collect");
    let path = dir.path().join("job.prom");
    let gauge = Gauge::new("job_up", "Whether the job ran.").unwrap();
    gauge.set(1.0);
    write_to_textfile(&path, &gauge).unwrap();
    let before = fs::read(&path).unwrap();

    let failing = FnCollector::new(|_out| {
        Err(CollectError::new(
            "database",
            "connection refused by 127.0.0.1:5432",
        ))
    });
    let err = write_to_textfile(&path, &failing).unwrap_err();

    assert!(matches!(err, TextfileError::Collect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: collector \"database\" failed: connection refused by \
             127.0.0.1:5432; nothing was written"
        )
    );
    let source = err
        .source()
        .and_then(|s| s.downcast_ref::<CollectError>())
        .expect("the CollectError is the source");
    assert_eq!(source.collector(), "database");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}
