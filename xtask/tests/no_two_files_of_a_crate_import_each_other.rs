//! Within each crate, the files' `crate::` references form no loop: a file
//! never uses, directly or through others, a file that uses it. A loop means
//! a concept lives in the wrong file (the repository's layering rule, one
//! level down).
//!
//! A reference counts wherever `crate::` appears outside comments: in `use`
//! lines, in paths, in test modules. `crate::Name` for an item the crate
//! root re-exports (`pub use module::{Name, …};` in `lib.rs`) counts as a
//! reference to that module.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path (`parse::text`) for each source file of `src`, lib.rs and
/// main.rs left out.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("source directories are readable") {
            let path = entry.expect("directory entries are readable").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("found below src")
                .with_extension("");
            let rel = rel
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "::");
            let module = rel.strip_suffix("::mod").unwrap_or(&rel).to_owned();
            if module != "lib" && module != "main" {
                let text = std::fs::read_to_string(&path).expect("source files are readable");
                out.insert(module, without_comments(&text));
            }
        }
    }
    out
}

fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Every path written after `crate::`, a braced group split into its paths
/// (a nested group counts as its prefix: `d::{e, f}` as `d`).
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(j, _)| j);
            let mut depth = 0;
            for item in group[..end].split(|c| {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                c == ',' && depth == 0
            }) {
                let item: String = item
                    .trim()
                    .chars()
                    .take_while(|&c| is_path_char(c))
                    .collect();
                let item = item.trim_end_matches(':');
                if !item.is_empty() {
                    out.push(item.to_owned());
                }
            }
        } else {
            out.push(rest.chars().take_while(|&c| is_path_char(c)).collect());
        }
    }
    out
}

/// `Name -> module` for the crate root's `pub use module::{Name, …};` lines.
fn reexports(root: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in root.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let (module, names) = match rest.split_once("::{") {
            Some((module, names)) => (module, names.trim_end_matches('}')),
            None => match rest.rsplit_once("::") {
                Some(pair) => pair,
                None => continue,
            },
        };
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.split(" as ").last().unwrap_or(name).trim();
            out.insert(name.to_owned(), module.trim().to_owned());
        }
    }
    out
}

/// The module a `crate::` path points into, if it is another file's.
fn target(
    path: &str,
    modules: &BTreeMap<String, String>,
    reexports: &BTreeMap<String, String>,
) -> Option<String> {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    (1..=parts.len())
        .rev()
        .map(|k| parts[..k].join("::"))
        .find(|candidate| modules.contains_key(candidate))
        .or_else(|| reexports.get(*parts.first()?).cloned())
}

fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(m) = stack.pop() {
        for next in edges.get(&m).into_iter().flatten() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn no_two_files_of_a_crate_reference_each_other() {
    let root = common::project_root();
    let mut sources: Vec<_> = std::fs::read_dir(root.join("crates"))
        .expect("the crates directory exists")
        .map(|e| {
            e.expect("directory entries are readable")
                .path()
                .join("src")
        })
        .collect();
    sources.push(root.join("xtask").join("src"));
    sources.sort();
    let mut loops = Vec::new();
    for src in &sources {
        let modules = modules(src);
        let root_file = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| src.join(f))
            .find(|p| p.exists())
            .expect("every crate has a lib.rs or main.rs");
        let reexports = reexports(&without_comments(
            &std::fs::read_to_string(&root_file).expect("the crate root is readable"),
        ));
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, text) in &modules {
            for path in crate_paths(text) {
                let Some(to) = target(&path, &modules, &reexports) else {
                    continue;
                };
                // A module and its own submodules are one concept.
                let nested = to.starts_with(&format!("{module}::"))
                    || module.starts_with(&format!("{to}::"));
                if to != *module && !nested {
                    edges.entry(module.clone()).or_default().insert(to);
                }
            }
        }
        for (from, tos) in &edges {
            for to in tos {
                if from < to && reaches(&edges, to, from) {
                    let crate_dir = src.parent().unwrap_or(src);
                    let name = crate_dir.file_name().unwrap_or_default().to_string_lossy();
                    loops.push(format!("{name}: {from} <-> {to}"));
                }
            }
        }
    }
    assert!(
        loops.is_empty(),
        "files that reach each other through crate:: references (move the shared concept into \
         a file of its own): {loops:#?}"
    );
}

#[test]
fn the_reference_scanner_sees_groups_paths_and_reexports() {
    let text = "use crate::{a::B, c, d::{e, f}};\nlet x = crate::g::h(); // crate::ignored\n$crate::macro_path";
    assert_eq!(
        crate_paths(&without_comments(text)),
        ["a::B", "c", "d", "g::h"]
    );
    let root = reexports("pub use model::{Metric, MetricFamily};\npub use opts::Opts;");
    assert_eq!(root.get("MetricFamily").map(String::as_str), Some("model"));
    assert_eq!(root.get("Opts").map(String::as_str), Some("opts"));
}
