//! Every bad path, mode or content given to the textfile writer gets exactly
//! the error `docs/errors.md` shows (rows `textfile.*`). OS messages are
//! Linux's.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{err, Check};
use prom::textfile::{
    remove_stale_temp_files, write_families_to_textfile, write_to_textfile, TextfileWriter,
};
use prom::{
    CollectError, FnCollector, Gauge, LabelSet, Metric, MetricFamily, MetricType, MetricValue,
};

fn up() -> Gauge {
    Gauge::new("up", "").expect("valid name")
}

fn write(path: &str) -> String {
    err(write_to_textfile(path, &up()))
}

/// A fresh directory of this test; messages show it as `<dir>`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("prom-errors-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    dir
}

fn in_scratch(name: &str, f: impl FnOnce(&PathBuf) -> String) -> String {
    let dir = scratch(name);
    let message = f(&dir);
    std::fs::remove_dir_all(&dir).expect("the scratch directory can be removed");
    message.replace(&*dir.to_string_lossy(), "<dir>")
}

fn failing(out: &mut Vec<MetricFamily>) -> Result<(), CollectError> {
    let _ = out;
    Err(CollectError::new("backup", "catalog unreadable"))
}

const CHECKS: &[(&str, Check)] = &[
    ("textfile.empty-path", || write("")),
    ("textfile.trailing-slash", || write("textfiles/")),
    ("textfile.dot", || write(".")),
    ("textfile.dot-dot", || write("textfiles/..")),
    ("textfile.missing-directory", || {
        write("prom-no-such-directory/job.prom")
    }),
    ("textfile.target-is-directory", || {
        in_scratch("target-is-directory", |dir| {
            std::fs::create_dir(dir.join("job.prom")).expect("a new directory");
            err(write_to_textfile(dir.join("job.prom"), &up()))
        })
    }),
    ("textfile.target-dev-null", || write("/dev/null")),
    ("textfile.target-fifo", || {
        in_scratch("target-fifo", |dir| {
            let status = std::process::Command::new("mkfifo")
                .arg(dir.join("job.prom"))
                .status()
                .expect("mkfifo (coreutils) runs");
            assert!(status.success(), "mkfifo: {status}");
            err(write_to_textfile(dir.join("job.prom"), &up()))
        })
    }),
    ("textfile.target-socket", || {
        in_scratch("target-socket", |dir| {
            let _listener =
                std::os::unix::net::UnixListener::bind(dir.join("job.prom")).expect("a new socket");
            err(write_to_textfile(dir.join("job.prom"), &up()))
        })
    }),
    ("textfile.target-link-to-device", || {
        in_scratch("target-link-to-device", |dir| {
            std::os::unix::fs::symlink("/dev/null", dir.join("job.prom")).expect("a new link");
            err(write_to_textfile(dir.join("job.prom"), &up()))
        })
    }),
    ("textfile.target-link-to-file", || {
        in_scratch("target-link-to-file", |dir| {
            std::fs::write(dir.join("real.prom"), "# old\n").expect("a new file");
            std::os::unix::fs::symlink("real.prom", dir.join("job.prom")).expect("a new link");
            write_to_textfile(dir.join("job.prom"), &up()).expect("the link is followed");
            let linked = std::fs::symlink_metadata(dir.join("job.prom"))
                .expect("the link is still there")
                .file_type()
                .is_symlink();
            let replaced = std::fs::read_to_string(dir.join("real.prom"))
                .expect("real.prom is readable")
                .contains("# TYPE up gauge\n");
            assert!(linked && replaced, "linked {linked}, replaced {replaced}");
            "no error: the link is followed and kept, and `real.prom` is replaced".to_owned()
        })
    }),
    ("textfile.mode-setuid", || {
        err(TextfileWriter::new("job.prom").mode(0o4755))
    }),
    ("textfile.timestamp", || {
        in_scratch("timestamp", |dir| {
            let mut family = MetricFamily::new("up", "", MetricType::Gauge).expect("valid name");
            family
                .push_metric(
                    Metric::new(LabelSet::empty(), MetricValue::Gauge(1.0))
                        .with_timestamp_ms(1_700_000_000_000),
                )
                .expect("a gauge value");
            let message = err(write_families_to_textfile(dir.join("job.prom"), &[family]));
            assert!(!dir.join("job.prom").exists());
            message
        })
    }),
    ("textfile.collector-fails", || {
        in_scratch("collector-fails", |dir| {
            err(write_to_textfile(
                dir.join("job.prom"),
                &FnCollector::new(failing),
            ))
        })
    }),
    ("textfile.remove-stale-bad-path", || {
        err(remove_stale_temp_files("", Duration::from_secs(60)))
    }),
];

#[test]
fn every_textfile_row_has_its_error() {
    common::check_area("textfile", CHECKS);
}
