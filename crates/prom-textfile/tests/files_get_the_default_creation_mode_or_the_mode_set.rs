//! Without a mode the file gets what `File::create` would give it (`0666` minus the umask, as
//! with client_python); with `TextfileWriter::mode` it gets exactly that mode, umask or not, and
//! a rewrite replaces the mode of the file it replaces.

mod common;

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;

use prom_core::Gauge;
use prom_textfile::{write_to_textfile, TextfileWriter};

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn the_default_mode_is_the_one_file_create_gives() {
    let dir = common::TempDir::new("mode-default");
    let reference = dir.path().join("reference");
    File::create(&reference).unwrap();
    let path = dir.path().join("job.prom");

    write_to_textfile(&path, &Gauge::new("job_up", "").unwrap()).unwrap();

    assert_eq!(mode(&path), mode(&reference));
}

#[test]
fn a_mode_set_is_applied_exactly_and_replaces_the_old_one() {
    let dir = common::TempDir::new("mode-set");
    let path = dir.path().join("job.prom");
    let gauge = Gauge::new("job_up", "").unwrap();
    fs::write(&path, "# an old file, private\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();

    // Bits a umask of 022 or 077 would clear are kept: the mode is set on the open file.
    TextfileWriter::new(&path)
        .mode(0o666)
        .unwrap()
        .write(&gauge)
        .unwrap();
    assert_eq!(mode(&path), 0o666);

    TextfileWriter::new(&path)
        .mode(0o640)
        .unwrap()
        .write(&gauge)
        .unwrap();
    assert_eq!(mode(&path), 0o640);
    assert_eq!(common::entries(dir.path()), ["job.prom"]);
}
