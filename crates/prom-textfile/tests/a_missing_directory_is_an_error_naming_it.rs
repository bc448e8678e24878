//! Writing into a directory that does not exist fails with the missing-directory error, which
//! names the directory, and creates nothing.

mod common;

use std::error::Error as _;
use std::io;
use std::process::Command;

use prom_core::Gauge;
use prom_textfile::{write_to_textfile, TextfileError};

#[test]
fn the_missing_directory_is_named_and_nothing_is_created() {
    let base = common::TempDir::new("missing");
    let dir = base.path().join("not-created");
    let path = dir.join("job.prom");
    let gauge = Gauge::new("job_up", "Whether the job ran.").unwrap();

    let err = write_to_textfile(&path, &gauge).unwrap_err();

    match &err {
        TextfileError::MissingDirectory {
            path: p, dir: d, ..
        } => {
            assert_eq!(p, &path);
            assert_eq!(d, &dir);
        }
        other => panic!("expected MissingDirectory, got {other:?}"),
    }
    assert_eq!(err.path(), path);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: directory {dir:?} does not exist (No such file or directory \
             (os error 2))"
        )
    );
    let source = err
        .source()
        .and_then(|s| s.downcast_ref::<io::Error>())
        .expect("the io::Error is the source");
    assert_eq!(source.kind(), io::ErrorKind::NotFound);
    // The directory is not created on the caller's behalf.
    assert!(!dir.exists());
    assert!(common::entries(base.path()).is_empty());
}

#[test]
fn a_writer_process_prints_the_error_and_fails() {
    let base = common::TempDir::new("missing-process");
    let dir = base.path().join("not-created");
    let path = dir.join("job.prom");
    let output = Command::new(common::writer_binary())
        .arg(&path)
        .output()
        .expect("run the textfile_writer example");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "textfile_writer: cannot write {path:?}: directory {dir:?} does not exist (No such \
             file or directory (os error 2))\n"
        )
    );
    assert!(!dir.exists());
}
