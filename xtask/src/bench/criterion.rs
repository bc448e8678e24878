//! The criterion workload: counters, labelled lookups, histograms and encoding, one criterion
//! group per table, read from the JSON criterion writes.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{target_dir, Options, Stats};
use crate::cargo;

/// One criterion group: a table of the document.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    pub(super) id: String,
    pub(super) rows: Vec<Row>,
}

/// One benchmark: per-sample times in nanoseconds per iteration.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub(super) name: String,
    pub(super) stats: Stats,
}

/// Runs every criterion benchmark (those `--filter` matches) and reads this run's results.
pub(super) fn run(options: &Options) -> Result<Vec<Group>, String> {
    let home = target_dir().join("bench-run").join("criterion");
    if home.exists() {
        fs::remove_dir_all(&home).map_err(|e| format!("cannot empty {}: {e}", home.display()))?;
    }
    let mut command = cargo();
    // `--bench '*'` selects the criterion programs only: the library and the
    // programs in src/bin would run under libtest's harness, which rejects
    // criterion's options.
    command
        .args(["bench", "-p", "prom-benches", "--bench", "*", "--"])
        .args(["--warm-up-time", &options.warm_up_secs.to_string()])
        .args(["--measurement-time", &options.measurement_secs.to_string()])
        .args(options.filter.as_deref())
        .env("CRITERION_HOME", &home);
    crate::run(&mut command)?;
    read(&home)
}

/// Reads every benchmark under a criterion output directory, grouped, in the
/// order they ran (the order of their results' modification times).
fn read(home: &Path) -> Result<Vec<Group>, String> {
    let mut found = Vec::new();
    collect_new_dirs(home, &mut found)?;
    let mut benchmarks = Vec::new();
    for dir in found {
        let benchmark = read_json(&dir.join("benchmark.json"))?;
        let sample_path = dir.join("sample.json");
        let sample = read_json(&sample_path)?;
        let modified = fs::metadata(&sample_path)
            .map(|m| (m.mtime(), m.mtime_nsec()))
            .map_err(|e| format!("cannot stat {}: {e}", sample_path.display()))?;
        let group = benchmark
            .get("group_id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no group_id in {}", dir.display()))?
            .to_owned();
        let function = benchmark.get("function_id").and_then(Value::as_str);
        let value = benchmark.get("value_str").and_then(Value::as_str);
        let name = match (function, value) {
            (Some(f), Some(v)) => format!("{f}/{v}"),
            (Some(f), None) => f.to_owned(),
            (None, Some(v)) => v.to_owned(),
            (None, None) => group.clone(),
        };
        let stats = Stats::of(
            &per_iteration(&sample).map_err(|e| format!("{}: {e}", sample_path.display()))?,
        )
        .ok_or_else(|| format!("{}: no samples", sample_path.display()))?;
        benchmarks.push((modified, group, Row { name, stats }));
    }
    benchmarks.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut groups: Vec<Group> = Vec::new();
    for (_, id, row) in benchmarks {
        match groups.iter_mut().find(|g| g.id == id) {
            Some(group) => group.rows.push(row),
            None => groups.push(Group {
                id,
                rows: vec![row],
            }),
        }
    }
    Ok(groups)
}

/// The `new` directories (one per benchmark, holding this run's results).
fn collect_new_dirs(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // Nothing ran (a filter that matches nothing): no results.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") && path.join("sample.json").is_file() {
            found.push(path);
        } else {
            collect_new_dirs(&path, found)?;
        }
    }
    Ok(())
}

/// Per-sample time per iteration, `times[i] / iters[i]`, from a criterion
/// `sample.json` (times in nanoseconds).
fn per_iteration(sample: &Value) -> Result<Vec<f64>, String> {
    let numbers = |key: &str| -> Result<Vec<f64>, String> {
        sample
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("no `{key}` array"))?
            .iter()
            .map(|v| v.as_f64().ok_or_else(|| format!("a non-number in `{key}`")))
            .collect()
    };
    let iters = numbers("iters")?;
    let times = numbers("times")?;
    if iters.len() != times.len() {
        return Err("`iters` and `times` differ in length".into());
    }
    Ok(iters
        .iter()
        .zip(&times)
        .filter(|(i, _)| **i > 0.0)
        .map(|(i, t)| t / i)
        .collect())
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::tests::scratch_dir;

    #[test]
    fn criterion_json_is_read() {
        let dir = scratch_dir("criterion-json");
        let path = dir.join("sample.json");
        fs::write(
            &path,
            r#" {"sampling_mode":"Linear","iters":[1.0,2.0,3e2],"times":[10,20.5,-1E-3],
                "function_id":"prometheus-client Counter<u64> inc()","value_str":null} "#,
        )
        .unwrap();
        let sample = read_json(&path).unwrap();
        assert_eq!(
            per_iteration(&sample).unwrap(),
            [10.0, 10.25, -1e-3 / 300.0]
        );
        assert_eq!(
            sample["function_id"].as_str(),
            Some("prometheus-client Counter<u64> inc()")
        );
        assert!(sample["value_str"].is_null());

        fs::write(&path, r#"{"iters":[1,]}"#).unwrap();
        let err = read_json(&path).unwrap_err();
        assert!(
            err.starts_with(&path.display().to_string()) && err.contains("line 1 column"),
            "{err}"
        );
        let missing = read_json(&dir.join("missing.json")).unwrap_err();
        assert!(missing.starts_with("cannot read "), "{missing}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn samples_become_times_per_iteration_with_median_and_range() {
        let sample =
            serde_json::from_str::<Value>(r#"{"iters":[10,20,30,40],"times":[100,300,300,1200]}"#)
                .unwrap();
        let per = per_iteration(&sample).unwrap();
        assert_eq!(per, [10.0, 15.0, 10.0, 30.0]);
        let s = Stats::of(&per).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (12.5, 10.0, 30.0, 4));
        assert_eq!(Stats::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn criterion_output_is_grouped_in_run_order() {
        let home = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let _ = fs::remove_dir_all(&home);
        let write = |group: &str, dir: &str, function: &str, times: &str| {
            let new = home.join(group).join(dir).join("new");
            fs::create_dir_all(&new).unwrap();
            fs::write(
                new.join("benchmark.json"),
                format!(r#"{{"group_id":"{group}","function_id":"{function}","value_str":null}}"#),
            )
            .unwrap();
            fs::write(
                new.join("sample.json"),
                format!(r#"{{"iters":[1,1,1],"times":[{times}]}}"#),
            )
            .unwrap();
            // Distinct modification times, in this order.
            std::thread::sleep(Duration::from_millis(20));
        };
        write("b_group", "raw", "raw", "1,2,3");
        write("b_group", "prom x", "prom x", "2,4,6");
        write("a_group", "prometheus_u64_", "prometheus<u64>", "5,5,5");
        // An older result criterion keeps beside `new` is not read.
        fs::create_dir_all(home.join("a_group/prometheus_u64_/base")).unwrap();
        let groups = read(&home).unwrap();
        fs::remove_dir_all(&home).unwrap();
        let shape: Vec<(&str, Vec<(&str, f64)>)> = groups
            .iter()
            .map(|g| {
                let rows = g
                    .rows
                    .iter()
                    .map(|r| (r.name.as_str(), r.stats.median))
                    .collect();
                (g.id.as_str(), rows)
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("b_group", vec![("raw", 2.0), ("prom x", 4.0)]),
                ("a_group", vec![("prometheus<u64>", 5.0)]),
            ]
        );
        assert!(read(Path::new("/nonexistent/criterion"))
            .unwrap()
            .is_empty());
    }
}
