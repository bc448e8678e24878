//! On a full file system the write fails with the disk-full error, the previous target stays
//! whole and served by node_exporter, and no temporary file is left behind.
//!
//! The full disk is a 64 KiB tmpfs mounted for the test, which needs `CAP_SYS_ADMIN` (root, as in
//! CI). Where mounting is not permitted, the same scenario runs with the writer example inside a
//! private mount namespace made by util-linux's `unshare -m` (or `unshare -r -m`, as a mapped
//! root in a new user namespace). If neither works the test fails and says so: it never skips.
//! Setting `PROM_TEST_FULL_DISK=unshare` forces the namespace path.

mod common;

use std::error::Error as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use prom_core::{Gauge, LabelSet, MetricFamily, MetricType, MetricValue};
use prom_testkit::{require_binary, NodeExporter};
use prom_textfile::{write_families_to_textfile, write_to_textfile, TextfileError};

use common::{check_writer_file, entries, writer_binary, TempDir};

const TMPFS_SIZE: &str = "size=64k";
const TARGET: &str = "full.prom";
/// Series of the writer example that fit in 64 KiB, and that do not.
const SMALL_SERIES: usize = 10;
const LARGE_SERIES: usize = 3000;

/// A tmpfs mounted on a directory, unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
    mounted: bool,
}

impl Tmpfs {
    fn mount(dir: &Path) -> Result<Tmpfs, String> {
        let output = run(Command::new("mount")
            .args(["-t", "tmpfs", "-o", TMPFS_SIZE, "tmpfs"])
            .arg(dir))?;
        check("mount -t tmpfs", &output)?;
        Ok(Tmpfs {
            dir: dir.to_path_buf(),
            mounted: true,
        })
    }

    fn unmount(mut self) {
        let output = run(Command::new("umount").arg(&self.dir)).unwrap();
        check("umount", &output).unwrap();
        self.mounted = false;
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        if self.mounted {
            // A failed test must not leave the mount behind; lazily, in case a file is open.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

fn run(command: &mut Command) -> Result<Output, String> {
    command
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))
}

fn check(what: &str, output: &Output) -> Result<(), String> {
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// An exposition far larger than the file system: 3000 series of about 60 bytes.
fn large_families() -> Vec<MetricFamily> {
    let mut family =
        MetricFamily::new("filler", "Bytes to fill the disk.", MetricType::Gauge).unwrap();
    for i in 0..LARGE_SERIES {
        let labels = LabelSet::from_pairs([("index", format!("{i:040}"))]).unwrap();
        family.push(labels, MetricValue::Gauge(i as f64)).unwrap();
    }
    vec![family]
}

/// The scenario in this process, on a tmpfs mounted here.
fn in_this_process(tmpfs: Tmpfs) {
    let dir = tmpfs.dir.clone();
    let path = dir.join(TARGET);
    let small = Gauge::new("job_up", "Whether the job ran.").unwrap();
    small.set(1.0);
    write_to_textfile(&path, &small).unwrap();
    let before = fs::read(&path).unwrap();

    let err = write_families_to_textfile(&path, &large_families()).unwrap_err();

    assert!(matches!(err, TextfileError::DiskFull { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write {path:?}: the disk is full: no space left while writing the temporary \
             file in directory {dir:?} (No space left on device (os error 28)); the target is \
             unchanged"
        )
    );
    let source = err
        .source()
        .and_then(|s| s.downcast_ref::<io::Error>())
        .expect("the io::Error is the source");
    assert_eq!(source.raw_os_error(), Some(28), "ENOSPC");
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "the previous file changed"
    );
    assert_eq!(entries(&dir), [TARGET], "a temporary file was left behind");

    // node_exporter still serves the previous file, without an error.
    let exporter = NodeExporter::start_with_textfile_dir(&dir).unwrap();
    let text = exporter.metrics_text().unwrap();
    assert!(text.contains("\njob_up 1\n"), "{text}");
    assert_eq!(exporter.textfile_scrape_error().unwrap(), 0.0);
    drop(exporter);

    tmpfs.unmount();
}

/// The scenario inside a private mount namespace: a shell mounts the tmpfs and runs the writer
/// example twice; the mount goes away with the namespace. What it saw is reported through files.
fn in_a_mount_namespace(unshare_args: &[&str], dir: &Path) -> Result<(), String> {
    let unshare = require_binary("unshare", "util-linux").map_err(|e| e.to_string())?;
    let report = TempDir::new("full-disk-report");
    let script = r#"
        set -e
        mount -t tmpfs -o "$4" tmpfs "$1"
        "$2" "$1/full.prom" --series "$5"
        cp "$1/full.prom" "$3/before"
        status=0
        "$2" "$1/full.prom" --series "$6" 2>"$3/stderr" || status=$?
        echo "$status" >"$3/status"
        cp "$1/full.prom" "$3/after"
        ls -A "$1" >"$3/entries"
    "#;
    let output = run(Command::new(unshare)
        .args(unshare_args)
        .args(["sh", "-c", script, "sh"])
        .arg(dir)
        .arg(writer_binary())
        .arg(report.path())
        .arg(TMPFS_SIZE)
        .arg(SMALL_SERIES.to_string())
        .arg(LARGE_SERIES.to_string()))?;
    check(&format!("unshare {}", unshare_args.join(" ")), &output)?;

    let read = |name: &str| fs::read_to_string(report.path().join(name)).unwrap();
    let path = dir.join(TARGET);
    assert_eq!(read("status").trim(), "1", "the large write did not fail");
    assert_eq!(
        read("stderr"),
        format!(
            "textfile_writer: cannot write {path:?}: the disk is full: no space left while \
             writing the temporary file in directory {dir:?} (No space left on device (os error \
             28)); the target is unchanged\n"
        )
    );
    assert_eq!(read("after"), read("before"), "the previous file changed");
    check_writer_file(&read("after"), SMALL_SERIES).unwrap();
    assert_eq!(
        read("entries"),
        format!("{TARGET}\n"),
        "a temporary file was left"
    );
    Ok(())
}

#[test]
#[ignore = "needs node_exporter and root (or unshare): run cargo xtask test"]
fn the_disk_full_error_keeps_the_previous_file() {
    let base = TempDir::new("full-disk");
    let dir = base.path().join("tmpfs");
    fs::create_dir(&dir).unwrap();
    let forced = std::env::var("PROM_TEST_FULL_DISK").is_ok_and(|v| v == "unshare");

    let mut failures = Vec::new();
    if !forced {
        match Tmpfs::mount(&dir) {
            Ok(tmpfs) => return in_this_process(tmpfs),
            Err(e) => failures.push(e),
        }
    }
    for args in [&["-m"][..], &["-r", "-m"][..]] {
        match in_a_mount_namespace(args, &dir) {
            Ok(()) => return,
            Err(e) => failures.push(e),
        }
    }
    panic!(
        "cannot mount a small tmpfs to fill, so the full-disk behaviour is untested. Run the \
         tests as root (CI does) or where `unshare -m` or `unshare -r -m` may mount. \
         Attempts:\n{}",
        failures.join("\n")
    );
}
