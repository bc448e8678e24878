//! A namespace that makes invalid metric names is refused, naming the bad name.

use prom_core::Error;
use prom_process::ProcessCollector;

#[test]
fn bad_namespace_is_an_error_naming_it() {
    for bad in ["9lives", "my-app", "a b", "_", "__x"] {
        let err = ProcessCollector::builder()
            .namespace(bad)
            .build()
            .unwrap_err();
        let Error::InvalidMetricName { name } = &err else {
            panic!("{bad:?}: unexpected error {err:?}");
        };
        assert_eq!(name, &format!("{bad}_process_virtual_memory_bytes"));
        assert!(err.to_string().contains(&format!("\"{bad}_")), "{err}");
    }
}
