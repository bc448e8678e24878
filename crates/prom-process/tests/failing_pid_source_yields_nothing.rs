//! A pid source that fails empties the scrape without failing it.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use prom_process::ProcessCollector;

#[test]
fn failing_pid_source_yields_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let collector = ProcessCollector::builder()
        .pid(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            Err(io::Error::new(io::ErrorKind::NotFound, "no pid file"))
        })
        .build()
        .unwrap();

    assert_eq!(prom_core::collect(&collector).unwrap(), []);
    assert_eq!(prom_core::collect(&collector).unwrap(), []);
    #[cfg(target_os = "linux")]
    assert_eq!(calls.load(Ordering::Relaxed), 2, "asked at every scrape");
}
