//! Conformance cases: expositions with the verdict the format's
//! specification gives them, kept as files so that the fuzz targets can
//! start from them too.
//!
//! `tests/cases/<format>/good/*.txt` must parse, `…/bad/*.txt` must not.
//! [`upstream_openmetrics`] adds the OpenMetrics project's parser suite
//! (`tests/testdata/parsers`, one directory per case with `metrics` and
//! `test.json`) when `PROM_OPENMETRICS_SUITE` names a copy of it; it is not
//! redistributed here.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One input and whether the format accepts it.
pub struct Case {
    /// Where it came from, for messages.
    pub name: String,
    pub input: Vec<u8>,
    pub should_parse: bool,
}

impl Case {
    /// The input as text, if it is UTF-8 (a parser refuses anything else).
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.input).ok()
    }
}

fn dir(format: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(format)
}

/// This repository's cases for `format` (`openmetrics` or `text`).
pub fn own(format: &str) -> Vec<Case> {
    let mut out = Vec::new();
    for (sub, should_parse) in [("good", true), ("bad", false)] {
        let d = dir(format).join(sub);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            out.push(Case {
                name: format!(
                    "{format}/{sub}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ),
                input: std::fs::read(&path).unwrap(),
                should_parse,
            });
        }
    }
    assert!(out.len() > 20, "the {format} cases are missing");
    out
}

/// The OpenMetrics project's parser suite, if `PROM_OPENMETRICS_SUITE` names
/// its `tests/testdata/parsers` directory; empty otherwise.
pub fn upstream_openmetrics() -> Vec<Case> {
    let Some(root) = std::env::var_os("PROM_OPENMETRICS_SUITE") else {
        return Vec::new();
    };
    let root = PathBuf::from(root);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("PROM_OPENMETRICS_SUITE={}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("test.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no cases under {}", root.display());
    dirs.into_iter()
        .map(|d| {
            let meta = std::fs::read_to_string(d.join("test.json")).unwrap();
            let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
            let file = meta["file"].as_str().unwrap_or("metrics");
            Case {
                name: format!("suite/{}", d.file_name().unwrap().to_string_lossy()),
                input: std::fs::read(d.join(file)).unwrap(),
                should_parse: meta["shouldParse"] == serde_json::Value::Bool(true),
            }
        })
        .collect()
}

/// The inputs of a fuzz corpus directory named by `PROM_FUZZ_CORPUS` (e.g.
/// `target/fuzz-corpus/parse_text` after `cargo xtask fuzz`), as cases with
/// no verdict of their own; empty when it is not set.
pub fn fuzz_corpus() -> Vec<Case> {
    let Some(dir) = std::env::var_os("PROM_FUZZ_CORPUS") else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("PROM_FUZZ_CORPUS={}: {e}", PathBuf::from(&dir).display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Case {
            name: format!("corpus/{}", p.file_name().unwrap().to_string_lossy()),
            input: std::fs::read(&p).unwrap(),
            should_parse: false,
        })
        .collect()
}

/// Every exposition a parse target's fuzzing starts from: the cases of
/// both formats and the golden files.
pub fn seeds() -> Vec<Case> {
    let mut out = own("openmetrics");
    out.extend(own("text"));
    out.extend(upstream_openmetrics());
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for f in ["all_types.om", "all_types.prom"] {
        out.push(Case {
            name: format!("golden/{f}"),
            input: std::fs::read(golden.join(f)).unwrap(),
            should_parse: true,
        });
    }
    out
}
