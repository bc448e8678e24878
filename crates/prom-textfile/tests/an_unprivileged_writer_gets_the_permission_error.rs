//! A writer that may not create files in the directory fails with the permission error, naming
//! the file and the directory, and leaves the existing target untouched.
//!
//! Root ignores file permissions, so as root (as in CI) the writer example runs as the user
//! `nobody` (uid and gid 65534) through util-linux's `setpriv`, against a root-owned `0755`
//! directory. Run as another user, the test takes the write permission off the directory itself.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use prom_core::Gauge;
use prom_testkit::require_binary;
use prom_textfile::write_to_textfile;

use common::{is_root, writer_binary, TempDir};

/// `nobody` on Debian; any uid without rights on the directory would do.
const UNPRIVILEGED: &str = "65534";

#[test]
fn the_permission_error_names_the_file_and_the_directory() {
    let dir = TempDir::new("permission");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("job.prom");
    // A previous run's file, written with the rights the job no longer has.
    let previous = Gauge::new("job_up", "Whether the job ran.").unwrap();
    previous.set(1.0);
    write_to_textfile(&path, &previous).unwrap();
    let before = fs::read(&path).unwrap();

    // The example binary must be executable by the unprivileged user, wherever the build
    // directory is: a copy in a world-readable temporary directory is.
    let bin_dir = TempDir::new("permission-bin");
    fs::set_permissions(bin_dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let writer = bin_dir.path().join("textfile_writer");
    fs::copy(writer_binary(), &writer).unwrap();
    fs::set_permissions(&writer, fs::Permissions::from_mode(0o755)).unwrap();

    let output = if is_root() {
        let setpriv = require_binary("setpriv", "util-linux").unwrap();
        Command::new(setpriv)
            .arg(format!("--reuid={UNPRIVILEGED}"))
            .arg(format!("--regid={UNPRIVILEGED}"))
            .arg("--clear-groups")
            .arg(&writer)
            .arg(&path)
            .output()
            .expect("run the writer through setpriv")
    } else {
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
        let output = Command::new(&writer).arg(&path).output();
        // Let the temporary directory be removed, whatever happened.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        output.expect("run the writer")
    };

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr,
        format!(
            "textfile_writer: cannot write {path:?}: permission denied while creating a \
             temporary file in directory {:?} (Permission denied (os error 13))\n",
            dir.path()
        )
    );
    assert_eq!(fs::read(&path).unwrap(), before, "the target changed");
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}
