//! The batch-job example, run as a process, leaves its metrics where the
//! real node_exporter (textfile collector) and the real Pushgateway serve
//! them; a bad gateway address fails the job with a message naming it.

use std::process::Command;

use prom_testkit::{NodeExporter, Pushgateway};

fn sample(text: &str, line_prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(line_prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
#[ignore = "needs node_exporter and pushgateway: run cargo xtask test"]
fn metrics_reach_both_peers() {
    let node = NodeExporter::start().unwrap();
    let gateway = Pushgateway::start().unwrap();
    let textfile = node.textfile_dir().join("batch.prom");
    let out = Command::new(env!("CARGO_BIN_EXE_batch-job"))
        .args(["--items", "21", "--job", "nightly"])
        .arg("--textfile")
        .arg(&textfile)
        .args(["--gateway", &gateway.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let served = node.metrics_text().unwrap();
    assert_eq!(
        sample(&served, "node_textfile_scrape_error "),
        Some(0.0),
        "{served}"
    );
    assert_eq!(
        sample(&served, "batch_items_processed_total "),
        Some(18.0),
        "{served}"
    );
    assert_eq!(
        sample(&served, "batch_item_failures_total "),
        Some(3.0),
        "{served}"
    );
    assert_eq!(
        sample(&served, "batch_item_duration_seconds_count "),
        Some(21.0),
        "{served}"
    );

    let pushed = gateway.metrics_text().unwrap();
    let line = pushed
        .lines()
        .find(|l| l.starts_with("batch_items_processed_total{"))
        .unwrap_or_else(|| panic!("not pushed:\n{pushed}"));
    assert!(
        line.contains("job=\"nightly\"") && line.ends_with(" 18"),
        "{line}"
    );
}

#[test]
fn an_unreachable_gateway_fails_the_job_with_its_address() {
    let port = prom_testkit::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = Command::new(env!("CARGO_BIN_EXE_batch-job"))
        .args(["--items", "1", "--gateway", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
}
