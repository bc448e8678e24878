//! `prom::codec` is there whatever the features: a batch job depending on
//! `prom` with `default-features = false, features = ["textfile"]` reads
//! its own textfile back with `prom::codec::parse_text`.
//!
//! This file needs only `textfile` (see `Cargo.toml`); it proves the point
//! when built without the default features, as in
//! `cargo test -p prom --no-default-features --features textfile --test the_codec_comes_with_every_exporter`.

use prom::codec::{parse_text, Encoder};
use prom::textfile::write_to_textfile;
use prom::{Counter, MetricType, MetricValue};

#[test]
fn a_textfile_reads_back_through_the_facade_codec() {
    let jobs = Counter::new("batch_jobs", "Jobs run.").expect("valid name");
    jobs.inc_by(3.0).expect("a positive increment");
    let dir = std::env::temp_dir().join(format!("prom-codec-facade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    let path = dir.join("batch.prom");
    write_to_textfile(&path, &jobs).expect("the textfile is written");
    let text = std::fs::read_to_string(&path).expect("the textfile is readable");
    std::fs::remove_dir_all(&dir).expect("the scratch directory can be removed");

    assert_eq!(
        text,
        "# HELP batch_jobs_total Jobs run.\n# TYPE batch_jobs_total counter\nbatch_jobs_total 3\n"
    );
    let families = parse_text(&text).expect("the textfile parses");
    assert_eq!(&*families[0].name, "batch_jobs");
    assert_eq!(families[0].metric_type, MetricType::Counter);
    assert_eq!(families[0].metrics[0].value, MetricValue::Counter(3.0));
    assert_eq!(Encoder::text().encode_to_string(&families).unwrap(), text);
}
