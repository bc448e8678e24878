//! A missing peer fails the test with the command that installs it, rather than skipping.

use prom_testkit::require_binary;

#[test]
fn a_missing_binary_names_the_install_command() {
    let message = require_binary("prom-testkit-no-such-peer", "some-package")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("prom-testkit-no-such-peer not found"),
        "{message}"
    );
    assert!(message.contains("cargo xtask test"), "{message}");
    assert!(
        message.contains("apt-get install some-package"),
        "{message}"
    );
}

#[test]
#[ignore = "needs promtool: run cargo xtask test"]
fn an_installed_binary_is_found() {
    let path = require_binary("promtool", "prometheus").unwrap();
    assert!(path.ends_with("promtool"), "{}", path.display());
}
