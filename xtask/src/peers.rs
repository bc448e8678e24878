//! Installing the real peer programs the tests run against, and any Debian package xtask needs:
//! the one place that runs `apt-get`. Finding programs and knowing whether we are root come from
//! prom-testkit, which the tests use for the same.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use prom_testkit::{find_binary, is_root, ClientGolangExporter};

use crate::{project_root, run, show};

/// Binaries the tests start, each with the Debian package that ships it.
const BINARIES: &[(&str, &str)] = &[
    ("prometheus", "prometheus"),
    ("promtool", "prometheus"),
    ("prometheus-pushgateway", "prometheus-pushgateway"),
    ("prometheus-node-exporter", "prometheus-node-exporter"),
    ("carbon-cache", "graphite-carbon"),
    ("go", "golang-go"),
];

/// Source trees the tests build against, which no binary stands for: client_golang's, for the
/// Go service `ClientGolangExporter` builds (the package brings its Go dependencies too).
const SOURCES: &[&str] = &[ClientGolangExporter::PROMHTTP_SOURCE_DIR];

/// Installed together, whichever binary or source is missing: `python3-whisper` brings `whisper-fetch`.
const PACKAGES: &[&str] = &[
    "prometheus",
    "prometheus-pushgateway",
    "prometheus-node-exporter",
    "graphite-carbon",
    "python3-whisper",
    "golang-go",
    "golang-github-prometheus-client-golang-dev",
];

/// The Python reference client, pinned to the minor version the tests were written against.
const PY_CLIENT: &str = "prometheus_client>=0.26,<0.27";

const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// Installs the Debian packages of any missing peer binary or source tree.
pub(crate) fn ensure_debian_peers() -> Result<(), String> {
    let binaries: Vec<&str> = BINARIES.iter().map(|(binary, _)| *binary).collect();
    ensure_installed(&binaries, SOURCES, PACKAGES, "`cargo xtask test` again")?;
    eprintln!(
        "xtask: peers present: {}; sources present: {}",
        binaries.join(", "),
        SOURCES.join(", ")
    );
    Ok(())
}

/// Makes sure every program of `binaries` is found, installing `packages` through apt-get when
/// one is missing; `then` says what to run after installing them by hand, as a non-root user
/// must. Returns the programs' paths, in the order of `binaries`.
pub(crate) fn ensure_binaries(
    binaries: &[&str],
    packages: &[&str],
    then: &str,
) -> Result<Vec<PathBuf>, String> {
    ensure_installed(binaries, &[], packages, then)
}

/// Makes sure `go` and client_golang's source are installed (the packages `cargo xtask test`
/// installs for `ClientGolangExporter`), installing them through apt-get if not; `then` as for
/// [`ensure_binaries`]. Returns the path of `go`.
pub(crate) fn ensure_client_golang(then: &str) -> Result<PathBuf, String> {
    let mut found = ensure_installed(
        &["go"],
        SOURCES,
        ClientGolangExporter::DEBIAN_PACKAGES,
        then,
    )?;
    Ok(found.remove(0))
}

/// [`ensure_binaries`], installing `packages` also when a path of `paths` (a directory or file
/// that a package installs) is missing.
fn ensure_installed(
    binaries: &[&str],
    paths: &[&str],
    packages: &[&str],
    then: &str,
) -> Result<Vec<PathBuf>, String> {
    let missing = |binaries: &[&str]| -> Vec<String> {
        let absent_paths = paths.iter().filter(|path| !Path::new(path).exists());
        binaries
            .iter()
            .filter(|binary| find_binary(binary).is_none())
            .chain(absent_paths)
            .map(|missing| (*missing).to_owned())
            .collect()
    };
    let absent = missing(binaries);
    if !absent.is_empty() {
        let install = format!(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
             --no-install-recommends {}",
            packages.join(" ")
        );
        if !is_root() {
            return Err(format!(
                "missing programs or sources: {}. Installing them needs root; run\n    sudo sh -c '{install}'\n\
                 then {then}",
                absent.join(", ")
            ));
        }
        eprintln!(
            "xtask: missing {}; installing {}",
            absent.join(", "),
            packages.join(" ")
        );
        apt_install(packages)?;
        let still_absent = missing(binaries);
        if !still_absent.is_empty() {
            return Err(format!(
                "still missing after `{install}`: {}",
                still_absent.join(", ")
            ));
        }
    }
    binaries
        .iter()
        .map(|binary| find_binary(binary).ok_or_else(|| format!("{binary} vanished")))
        .collect()
}

/// `apt-get update` and a non-interactive install, with invoke-rc.d told not to start daemons:
/// Debian's postinst scripts would otherwise start them listening on 0.0.0.0.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let _policy = PolicyRcD::install()?;
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// A `policy-rc.d` that forbids starting services (exit 101), removed on drop only if we
/// created it, so a machine that already had one keeps its own.
struct PolicyRcD {
    path: PathBuf,
    created: bool,
}

impl PolicyRcD {
    fn install() -> Result<PolicyRcD, String> {
        Self::install_at(Path::new(POLICY_RC_D))
    }

    fn install_at(path: &Path) -> Result<PolicyRcD, String> {
        let path = path.to_path_buf();
        if path.exists() {
            return Ok(PolicyRcD {
                path,
                created: false,
            });
        }
        fs::write(
            &path,
            "#!/bin/sh\n# Keep package installs from starting daemons.\nexit 101\n",
        )
        .and_then(|()| fs::set_permissions(&path, fs::Permissions::from_mode(0o755)))
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        eprintln!(
            "xtask: created {} (exit 101) for the install",
            path.display()
        );
        Ok(PolicyRcD {
            path,
            created: true,
        })
    }
}

impl Drop for PolicyRcD {
    fn drop(&mut self) {
        if self.created {
            if let Err(e) = fs::remove_file(&self.path) {
                eprintln!("xtask: warning: cannot remove {}: {e}", self.path.display());
            }
        }
    }
}

/// Makes `target/peers/venv` with the Python reference client and returns its interpreter.
pub(crate) fn ensure_python_venv() -> Result<PathBuf, String> {
    let venv = project_root().join("target/peers/venv");
    let python = venv.join("bin/python");
    if imports_client(&python) {
        eprintln!("xtask: {} has prometheus_client", python.display());
        return Ok(python);
    }
    if !python.is_file() {
        let mut create = Command::new("python3");
        create.arg("-m").arg("venv").arg(&venv);
        if let Err(e) = run(&mut create) {
            // Debian's own python3 needs python3-venv for `-m venv` (ensurepip).
            if !is_root() {
                return Err(format!(
                    "{e}. If python3 is Debian's, run `apt-get install python3-venv` as root, \
                     then `cargo xtask test` again"
                ));
            }
            let _ = fs::remove_dir_all(&venv);
            apt_install(&["python3-venv"])?;
            run(&mut create)?;
        }
    }
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PY_CLIENT,
    ]))?;
    if imports_client(&python) {
        Ok(python)
    } else {
        Err(format!(
            "{} still cannot import prometheus_client after `{}`",
            python.display(),
            show(Command::new(&python).args(["-m", "pip", "install", PY_CLIENT]))
        ))
    }
}

fn imports_client(python: &Path) -> bool {
    python.is_file()
        && Command::new(python)
            .args(["-c", "import prometheus_client"])
            .output()
            .is_ok_and(|o| o.status.success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::scratch_dir;

    #[test]
    fn a_created_policy_forbids_starts_and_is_removed_afterwards() {
        let dir = scratch_dir("policy-created");
        let path = dir.join("policy-rc.d");
        let policy = PolicyRcD::install_at(&path).unwrap();
        let status = Command::new(&path).status().unwrap();
        assert_eq!(status.code(), Some(101));
        drop(policy);
        assert!(!path.exists(), "the policy we created was left behind");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_existing_policy_is_left_alone() {
        let dir = scratch_dir("policy-existing");
        let path = dir.join("policy-rc.d");
        fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        drop(PolicyRcD::install_at(&path).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "#!/bin/sh\nexit 0\n");
        fs::remove_dir_all(dir).unwrap();
    }
}
