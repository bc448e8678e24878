//! `remove_stale_temp_files` removes only the temporary files of the given target, only when old
//! enough, and never the target or other files.

mod common;

use std::fs::{self, File, FileTimes};
use std::time::{Duration, SystemTime};

use prom_core::Gauge;
use prom_textfile::{remove_stale_temp_files, write_to_textfile, TextfileError};

const HOUR: Duration = Duration::from_secs(3600);

fn age(path: &std::path::Path, by: Duration) {
    let then = SystemTime::now() - by;
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_times(FileTimes::new().set_modified(then).set_accessed(then))
        .unwrap();
}

#[test]
fn only_old_leftovers_of_the_target_go() {
    let dir = common::TempDir::new("stale");
    let path = dir.path().join("job.prom");
    write_to_textfile(&path, &Gauge::new("job_up", "").unwrap()).unwrap();
    for name in [
        ".job.prom.100.0.tmp",     // a writer killed two hours ago
        ".job.prom.200.7.tmp",     // a write in progress right now
        ".other.prom.100.0.tmp",   // another target's leftover
        ".job.prom.100.0.tmp.bak", // not a temporary file name
        "notes.txt",
    ] {
        fs::write(dir.path().join(name), "partial").unwrap();
    }
    for name in [
        ".job.prom.100.0.tmp",
        ".other.prom.100.0.tmp",
        ".job.prom.100.0.tmp.bak",
        "notes.txt",
    ] {
        age(&dir.path().join(name), 2 * HOUR);
    }
    age(&path, 2 * HOUR);

    assert_eq!(remove_stale_temp_files(&path, HOUR).unwrap(), 1);
    assert_eq!(
        common::entries(dir.path()),
        [
            ".job.prom.100.0.tmp.bak",
            ".job.prom.200.7.tmp",
            ".other.prom.100.0.tmp",
            "job.prom",
            "notes.txt"
        ]
    );

    // With no minimum age, the fresh one goes too: safe only when nobody else writes the target.
    assert_eq!(remove_stale_temp_files(&path, Duration::ZERO).unwrap(), 1);
    assert!(!dir.path().join(".job.prom.200.7.tmp").exists());
    assert!(path.is_file());
}

#[test]
fn a_missing_directory_is_the_missing_directory_error() {
    let dir = common::TempDir::new("stale-missing");
    let err = remove_stale_temp_files(dir.path().join("gone/job.prom"), HOUR).unwrap_err();
    assert!(
        matches!(err, TextfileError::MissingDirectory { .. }),
        "{err:?}"
    );
}

#[cfg(unix)]
#[test]
fn for_a_symbolic_link_the_leftovers_beside_the_file_it_leads_to_go() {
    let dir = common::TempDir::new("stale-link");
    fs::create_dir(dir.path().join("real")).unwrap();
    let path = dir.path().join("job.prom");
    std::os::unix::fs::symlink("real/metrics.prom", &path).unwrap();
    // Writes through the link put their temporary files beside `real/metrics.prom`.
    fs::write(dir.path().join("real/.metrics.prom.100.0.tmp"), "partial").unwrap();
    fs::write(
        dir.path().join(".job.prom.100.0.tmp"),
        "not a leftover of a write",
    )
    .unwrap();
    assert_eq!(remove_stale_temp_files(&path, Duration::ZERO).unwrap(), 1);
    assert!(common::entries(&dir.path().join("real")).is_empty());
    assert_eq!(
        common::entries(dir.path()),
        [".job.prom.100.0.tmp", "job.prom", "real"]
    );
}
