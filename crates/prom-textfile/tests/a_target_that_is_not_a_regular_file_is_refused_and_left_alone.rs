//! A target that exists and is not a regular file — a character device, a FIFO, a socket, a
//! directory, or a symbolic link to one — is refused with an error naming it and what it is;
//! it is left as it was and no temporary file is left. A regular file, and a symbolic link to
//! one, are written as before; the link is followed and kept.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::{symlink, FileTypeExt};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use prom_core::{CollectError, Collector, FnCollector, Gauge, MetricFamily};
use prom_textfile::{write_to_textfile, FileKind, TextfileError};

fn up() -> Gauge {
    let up = Gauge::new("job_up", "Whether the job ran.").unwrap();
    up.set(1.0);
    up
}

const UP_TEXT: &str = "# HELP job_up Whether the job ran.\n# TYPE job_up gauge\njob_up 1\n";

/// Writes `up` to `path`, expecting the refusal of a `kind` target, and checks that the
/// collector was not even run.
fn refused(path: &Path, kind: FileKind) -> TextfileError {
    let runs = AtomicUsize::new(0);
    let counting = FnCollector::new(|out: &mut Vec<MetricFamily>| -> Result<(), CollectError> {
        runs.fetch_add(1, Ordering::Relaxed);
        up().collect(out)
    });
    let err = write_to_textfile(path, &counting).unwrap_err();
    match &err {
        TextfileError::NotARegularFile {
            path: p, kind: k, ..
        } => {
            assert_eq!(p, path);
            assert_eq!(*k, kind);
        }
        other => panic!("expected NotARegularFile for {path:?}, got {other:?}"),
    }
    assert_eq!(err.path(), path);
    assert_eq!(runs.load(Ordering::Relaxed), 0, "the collector ran");
    err
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo (coreutils)");
    assert!(status.success(), "mkfifo {path:?}: {status}");
}

#[test]
fn dev_null_is_refused_and_stays_a_character_device() {
    let path = Path::new("/dev/null");
    let err = refused(path, FileKind::CharDevice);
    assert_eq!(
        err.to_string(),
        "cannot write \"/dev/null\": it is a character device, not a regular file; nothing was \
         written"
    );
    assert!(fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_char_device());
    // Whether or not the tests may create files in /dev (as root they may), none is left there.
    let leftovers: Vec<_> = fs::read_dir("/dev")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".null."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_fifo_is_refused_and_stays_a_fifo() {
    let dir = common::TempDir::new("fifo");
    let path = dir.path().join("job.prom");
    mkfifo(&path);
    let err = refused(&path, FileKind::Fifo);
    assert_eq!(
        err.to_string(),
        format!("cannot write {path:?}: it is a FIFO (named pipe), not a regular file; nothing was written")
    );
    assert!(fs::symlink_metadata(&path).unwrap().file_type().is_fifo());
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}

#[test]
fn a_socket_is_refused_and_keeps_listening() {
    let dir = common::TempDir::new("socket");
    let path = dir.path().join("job.prom");
    let listener = UnixListener::bind(&path).unwrap();
    let err = refused(&path, FileKind::Socket);
    assert_eq!(
        err.to_string(),
        format!("cannot write {path:?}: it is a socket, not a regular file; nothing was written")
    );
    assert!(fs::symlink_metadata(&path).unwrap().file_type().is_socket());
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
    // Still the listener's socket: a client connects through the path.
    std::os::unix::net::UnixStream::connect(&path).unwrap();
    listener.accept().unwrap();
}

#[test]
fn a_directory_is_refused_and_keeps_its_contents() {
    let dir = common::TempDir::new("directory");
    let path = dir.path().join("job.prom");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside"), "kept").unwrap();
    let err = refused(&path, FileKind::Directory);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: it is a directory, not a regular file; nothing was written"
        )
    );
    assert_eq!(fs::read_to_string(path.join("inside")).unwrap(), "kept");
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}

#[test]
fn a_symbolic_link_to_a_special_file_is_refused_naming_where_it_leads() {
    let dir = common::TempDir::new("link-special");
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    // Two hops, the first relative, to show the whole chain is followed.
    symlink(&fifo, dir.path().join("hop")).unwrap();
    let path = dir.path().join("job.prom");
    symlink("hop", &path).unwrap();
    let err = refused(&path, FileKind::Fifo);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: it is a symbolic link to {fifo:?}, which is a FIFO (named \
             pipe), not a regular file; nothing was written"
        )
    );
    match &err {
        TextfileError::NotARegularFile { link_target, .. } => {
            assert_eq!(link_target.as_deref(), Some(fifo.as_path()));
        }
        other => panic!("{other:?}"),
    }
    assert!(fs::symlink_metadata(&path)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(common::entries(dir.path()), ["hop", "job.prom", "pipe"]);

    let to_null = dir.path().join("null.prom");
    symlink("/dev/null", &to_null).unwrap();
    let err = refused(&to_null, FileKind::CharDevice);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {to_null:?}: it is a symbolic link to \"/dev/null\", which is a \
             character device, not a regular file; nothing was written"
        )
    );
}

#[test]
fn a_regular_file_is_still_replaced() {
    let dir = common::TempDir::new("regular");
    let path = dir.path().join("job.prom");
    fs::write(&path, "# old\n").unwrap();
    write_to_textfile(&path, &up()).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), UP_TEXT);
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}

#[test]
fn a_symbolic_link_to_a_regular_file_is_followed_and_kept() {
    let dir = common::TempDir::new("link-regular");
    let real_dir = dir.path().join("real");
    fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("metrics.prom");
    fs::write(&real, "# old\n").unwrap();
    let path = dir.path().join("job.prom");
    symlink("real/metrics.prom", &path).unwrap();

    write_to_textfile(&path, &up()).unwrap();

    assert!(fs::symlink_metadata(&path)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&path).unwrap(),
        Path::new("real/metrics.prom")
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), UP_TEXT);
    // The temporary file went beside the real file and was renamed; nothing else is left.
    assert_eq!(common::entries(dir.path()), ["job.prom", "real"]);
    assert_eq!(common::entries(&real_dir), ["metrics.prom"]);
}

#[test]
fn a_dangling_symbolic_link_creates_the_file_it_names() {
    let dir = common::TempDir::new("link-dangling");
    let path = dir.path().join("job.prom");
    symlink("made.prom", &path).unwrap();
    write_to_textfile(&path, &up()).unwrap();
    assert!(fs::symlink_metadata(&path)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dir.path().join("made.prom")).unwrap(),
        UP_TEXT
    );
    assert_eq!(common::entries(dir.path()), ["job.prom", "made.prom"]);
}

#[test]
fn a_symbolic_link_loop_is_an_error_and_left_alone() {
    let dir = common::TempDir::new("link-loop");
    let path = dir.path().join("job.prom");
    symlink("other", &path).unwrap();
    symlink("job.prom", dir.path().join("other")).unwrap();
    let err = write_to_textfile(&path, &up()).unwrap_err();
    assert!(matches!(err, TextfileError::Io { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: following the symbolic link failed: too many levels of \
             symbolic links"
        )
    );
    assert_eq!(common::entries(dir.path()), ["job.prom", "other"]);
}
