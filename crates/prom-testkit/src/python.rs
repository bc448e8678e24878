//! The Python reference parser (`prometheus_client`), run in the harness's virtual environment.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::tools::{combined_output, run_with_stdin};
use crate::{workspace_root, HarnessError};

/// Environment variable naming the Python interpreter to use; `cargo xtask test` sets it.
const PYTHON_ENV: &str = "PROM_TEST_PYTHON";

/// Which of the Python client's parsers [`python_parse`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyFormat {
    /// The Prometheus text format 0.0.4: `prometheus_client.parser`.
    Text,
    /// OpenMetrics 1.0: `prometheus_client.openmetrics.parser`, which requires `# EOF`.
    OpenMetrics,
}

/// The Python interpreter that has `prometheus_client` installed.
///
/// `PROM_TEST_PYTHON` if it is set; otherwise `<workspace root>/target/peers/venv/bin/python`
/// if it exists and can `import prometheus_client`. The answer is computed once per process.
///
/// # Errors
///
/// If `PROM_TEST_PYTHON` names no file, or the virtual environment is missing or lacks
/// `prometheus_client`; the message says how to create it.
pub fn python() -> Result<PathBuf, HarnessError> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(find_python)
        .clone()
        .map_err(HarnessError::new)
}

fn find_python() -> Result<PathBuf, String> {
    const FIX: &str = "run `cargo xtask test` (creates it) or: python3 -m venv target/peers/venv \
                       && target/peers/venv/bin/pip install prometheus_client";
    if let Some(path) = std::env::var_os(PYTHON_ENV) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{PYTHON_ENV}={} is not a file: point it at a Python with prometheus_client, \
                 or unset it and {FIX}",
                path.display()
            ))
        };
    }
    let venv_python = workspace_root().join("target/peers/venv/bin/python");
    if !venv_python.is_file() {
        return Err(format!(
            "the Python virtual environment with prometheus_client is missing: {FIX}"
        ));
    }
    let imports = Command::new(&venv_python)
        .args(["-c", "import prometheus_client"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}; {FIX}", venv_python.display()))?;
    if imports.status.success() {
        Ok(venv_python)
    } else {
        Err(format!(
            "target/peers/venv cannot import prometheus_client ({}): {FIX}",
            String::from_utf8_lossy(&imports.stderr).trim()
        ))
    }
}

/// Parses stdin with the chosen parser and prints the families as JSON; a parse error goes to
/// stderr with exit status 2. Values are strings so NaN, ±Inf and the exact float survive JSON.
const PARSE_SCRIPT: &str = r#"
import json, math, sys
if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families

def number(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)

def timestamp(t):
    if t is None:
        return None
    return repr(t) if isinstance(t, float) else str(t)

def exemplar(e):
    if e is None:
        return None
    return {"labels": dict(e.labels), "value": number(e.value), "timestamp": timestamp(e.timestamp)}

families = []
try:
    for f in text_string_to_metric_families(sys.stdin.read()):
        families.append({
            "name": f.name,
            "type": f.type,
            "documentation": f.documentation,
            "unit": f.unit,
            "samples": [{
                "name": s.name,
                "labels": dict(s.labels),
                "value": number(s.value),
                "timestamp": timestamp(s.timestamp),
                "exemplar": exemplar(s.exemplar),
            } for s in f.samples],
        })
except Exception as e:
    sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
    sys.exit(2)
json.dump(families, sys.stdout)
"#;

/// Parses `text` with the Python reference client and returns what it understood, as JSON.
///
/// The result is an array of families, in input order:
///
/// ```json
/// [{"name": "x", "type": "counter", "documentation": "help", "unit": "",
///   "samples": [{"name": "x_total", "labels": {"a": "b"}, "value": "1.0",
///                "timestamp": null, "exemplar": null}]}]
/// ```
///
/// `value` is Python's `repr` of the float, or `"NaN"`, `"+Inf"`, `"-Inf"`; `timestamp` is
/// `null` or a string (seconds); `exemplar` is `null` or an object with `labels`, `value` and
/// `timestamp`.
///
/// # Errors
///
/// If no Python with `prometheus_client` is found (see [`python`]), or the parser raises; the
/// message carries Python's exception and the input text.
pub fn python_parse(text: &str, format: PyFormat) -> Result<serde_json::Value, HarnessError> {
    let python = python()?;
    let format_arg = match format {
        PyFormat::Text => "text",
        PyFormat::OpenMetrics => "openmetrics",
    };
    let mut command = Command::new(&python);
    command.args(["-c", PARSE_SCRIPT, format_arg]);
    let output = run_with_stdin(command, text.as_bytes())?;
    if !output.status.success() {
        return Err(HarnessError::new(format!(
            "the Python {format_arg} parser rejected the input ({}):\n{}\n--- input ---\n{text}",
            output.status,
            combined_output(&output).trim_end()
        )));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        HarnessError::new(format!(
            "the Python {format_arg} parser printed invalid JSON ({e}):\n{}",
            combined_output(&output)
        ))
    })
}
