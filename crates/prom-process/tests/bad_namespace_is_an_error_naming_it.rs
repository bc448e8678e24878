//! A namespace that makes invalid metric names is refused, naming the bad name:
//! a reserved `__` prefix always, characters outside the legacy set under
//! legacy name validation. (The one test of this file flips the process-wide
//! switch.)

use prom_core::{set_name_validation, Error, NameValidation};
use prom_process::ProcessCollector;

#[test]
fn bad_namespace_is_an_error_naming_it() {
    for utf8 in ["9lives", "my-app", "a b"] {
        assert!(ProcessCollector::builder().namespace(utf8).build().is_ok());
    }
    set_name_validation(NameValidation::Legacy);
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
    set_name_validation(NameValidation::Utf8);
    for bad in ["_", "__x"] {
        assert!(ProcessCollector::builder().namespace(bad).build().is_err());
    }
}
