//! Fixtures used by several integration tests: temporary directories, the `textfile_writer`
//! example as a separate process, and checks of what it writes.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicU64, Ordering};

use prom_testkit::{python_parse, PyFormat};
use serde_json::Value;

/// A fresh directory under the system temporary directory, removed with its contents on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("prom-textfile-{prefix}-{}-{n}", std::process::id()));
        // A directory left by an earlier run with the same pid would mix old files in.
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// The `textfile_writer` example, built by `cargo test` alongside the tests.
pub fn writer_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>/examples/textfile_writer
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target profile directory");
    let writer = dir
        .join("examples")
        .join(format!("textfile_writer{}", std::env::consts::EXE_SUFFIX));
    assert!(
        writer.is_file(),
        "{} is missing: `cargo test` builds examples unless targets are restricted; run \
         `cargo test -p prom-textfile` or `cargo xtask test`",
        writer.display()
    );
    writer
}

/// Kills (SIGKILL) and reaps the child however the test ends.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether the tests run as root (effective uid 0), read from `/proc/self/status`.
pub fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    let uid_line = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .expect("/proc/self/status has a Uid line");
    // Real, effective, saved, file-system uid.
    uid_line.split_whitespace().nth(2) == Some("0")
}

/// The names of the directory's entries, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The value of the sample `name` whose labels include `labels`, in the Python parser's JSON.
pub fn sample_value(families: &Value, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families
        .as_array()?
        .iter()
        .flat_map(|f| f["samples"].as_array().into_iter().flatten())
        .find(|s| {
            s["name"] == name
                && labels
                    .iter()
                    .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
        })
        .and_then(|s| number(&s["value"]))
}

fn number(v: &Value) -> Option<f64> {
    match v.as_str()? {
        "NaN" => Some(f64::NAN),
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        s => s.parse().ok(),
    }
}

/// Checks that `text` is one whole file written by `textfile_writer --series <series>`: the
/// Python parser accepts all of it, the last family is the completion marker, and every value
/// agrees with it. Returns the number of the write.
pub fn check_writer_file(text: &str, series: usize) -> Result<u64, String> {
    let families = python_parse(text, PyFormat::Text).map_err(|e| e.to_string())?;
    let list = families.as_array().ok_or("the parser returned no list")?;
    let last = list.last().ok_or("the file has no family")?;
    if last["name"] != "textfile_writer_complete" {
        return Err(format!(
            "the last family is {}, not textfile_writer_complete:\n{text}",
            last["name"]
        ));
    }
    let write = sample_value(&families, "textfile_writer_complete", &[])
        .ok_or("textfile_writer_complete has no sample")?;
    let writes = sample_value(&families, "textfile_writer_writes_total", &[]);
    let count = sample_value(&families, "textfile_writer_value_count", &[]);
    let series_values: Vec<f64> = list
        .iter()
        .filter(|f| f["name"] == "textfile_writer_series")
        .flat_map(|f| f["samples"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| number(&s["value"]))
        .collect();
    if writes != Some(write)
        || count != Some(write)
        || series_values.len() != series
        || series_values.iter().any(|&v| v != write)
    {
        return Err(format!(
            "the file mixes writes: complete {write}, writes_total {writes:?}, histogram count \
             {count:?}, {} series (expected {series}) with values {series_values:?}",
            series_values.len()
        ));
    }
    Ok(write as u64)
}
