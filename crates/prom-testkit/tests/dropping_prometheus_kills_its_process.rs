//! Dropping the handle stops exactly the server it started.

use std::path::Path;

use prom_testkit::Prometheus;

#[test]
#[ignore = "needs prometheus: run cargo xtask test"]
fn the_process_is_gone_after_drop() {
    let prometheus = Prometheus::start(&[]).unwrap();
    let pid = prometheus.pid();
    let proc_dir = format!("/proc/{pid}");
    assert!(
        Path::new(&proc_dir).exists(),
        "prometheus {pid} is not running"
    );

    drop(prometheus);

    // The child is killed and reaped in drop, so not even a zombie entry remains.
    assert!(
        !Path::new(&proc_dir).exists(),
        "prometheus {pid} survived drop"
    );
}
