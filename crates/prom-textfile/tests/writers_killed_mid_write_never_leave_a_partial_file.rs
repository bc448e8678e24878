//! A writer process killed with SIGKILL at pseudo-random moments never leaves a partial target
//! or a `*.prom` temporary file, node_exporter reports no scrape error while the killing goes
//! on, and the temporary files of killed writers are removed by `remove_stale_temp_files`.

mod common;

use std::fs;
use std::io::{self, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use prom_testkit::{http_get, NodeExporter};
use prom_textfile::remove_stale_temp_files;

use common::{check_writer_file, entries, writer_binary, KillOnDrop};

/// The seed of the kill moments; change it to explore other interleavings.
const SEED: u64 = 0x7e87_f11e_5eed_0001;
const KILLS: usize = 30;
/// Labelled series per write: about 20 kB of exposition, long enough to be killed inside.
const SERIES: usize = 300;
/// How long a writer runs before it is killed: from just after exec to a few dozen writes.
const MIN_DELAY_MS: u64 = 1;
const MAX_DELAY_MS: u64 = 120;
/// The whole test must finish well within this, kills and checks included.
const TIME_BUDGET: Duration = Duration::from_secs(120);
const TARGET: &str = "crash.prom";

/// SplitMix64: a tiny seeded generator, so a failing run can be replayed exactly.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// What node_exporter served while the writers were being killed.
#[derive(Debug, Default)]
struct ScrapeReport {
    scrapes: usize,
    /// Scrapes that included the writer's metrics (the file existed and was read).
    with_writer_metrics: usize,
}

/// Scrapes node_exporter until `stop`; every scrape must report no textfile error, and the
/// writer's metrics, when present, must come from one write.
fn scrape_until(exporter: &NodeExporter, stop: &AtomicBool) -> Result<ScrapeReport, String> {
    let url = exporter.metrics_url();
    let mut report = ScrapeReport::default();
    while !stop.load(Ordering::SeqCst) {
        let response = http_get(&url, &[]).map_err(|e| e.to_string())?;
        let text = response.text();
        let sample = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .map(str::to_owned)
        };
        if response.status != 200 || sample("node_textfile_scrape_error").as_deref() != Some("0") {
            return Err(format!(
                "scrape {} of node_exporter failed or reported a textfile error (HTTP {}):\n{text}\n\
                 node_exporter log:\n{}",
                report.scrapes + 1,
                response.status,
                exporter.log_tail()
            ));
        }
        if let Some(complete) = sample("textfile_writer_complete") {
            let writes = sample("textfile_writer_writes_total");
            if writes.as_deref() != Some(complete.as_str()) {
                return Err(format!(
                    "node_exporter served a mixed file: complete {complete}, writes {writes:?}"
                ));
            }
            report.with_writer_metrics += 1;
        }
        report.scrapes += 1;
        thread::sleep(Duration::from_millis(5));
    }
    Ok(report)
}

#[test]
#[ignore = "needs node_exporter and the python prometheus_client: run cargo xtask test"]
fn killed_writers_leave_only_whole_files() {
    let started = Instant::now();
    let exporter = NodeExporter::start().unwrap();
    let dir = exporter.textfile_dir().to_path_buf();
    let target = dir.join(TARGET);
    let writer = writer_binary();
    let mut rng = SplitMix64(SEED);
    let stop = AtomicBool::new(false);

    let (scrapes, writes_seen, leftovers_seen) = thread::scope(|scope| {
        let scraper = scope.spawn(|| scrape_until(&exporter, &stop));
        // Stops the scraper even when an assertion below fails.
        struct StopOnDrop<'a>(&'a AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let stopper = StopOnDrop(&stop);

        let mut writes_seen = Vec::new();
        let mut leftovers_seen = 0;
        for kill in 1..=KILLS {
            assert!(
                started.elapsed() < TIME_BUDGET,
                "only {} of {KILLS} kills within {TIME_BUDGET:?}",
                kill - 1
            );
            let mut child = KillOnDrop(
                Command::new(&writer)
                    .arg(&target)
                    .args(["--count", "0", "--series", &SERIES.to_string()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start the textfile_writer example"),
            );
            let delay = Duration::from_millis(rng.between(MIN_DELAY_MS, MAX_DELAY_MS));
            thread::sleep(delay);
            if let Some(status) = child.0.try_wait().expect("poll the writer") {
                let mut stderr = String::new();
                let _ = child
                    .0
                    .stderr
                    .take()
                    .map(|mut e| e.read_to_string(&mut stderr));
                panic!("the writer exited on its own ({status}) before kill {kill}: {stderr}");
            }
            // `Child::kill` sends SIGKILL: no destructor, no cleanup, mid-write if it so happens.
            child.0.kill().expect("SIGKILL the writer");
            child.0.wait().expect("reap the writer");

            match fs::read_to_string(&target) {
                Ok(text) => {
                    let write = check_writer_file(&text, SERIES).unwrap_or_else(|e| {
                        panic!("after kill {kill} ({delay:?} after start) the target is not whole: {e}")
                    });
                    writes_seen.push(write);
                }
                // The first writers may die before their first rename.
                Err(e) if e.kind() == io::ErrorKind::NotFound && writes_seen.is_empty() => {}
                Err(e) => panic!("after kill {kill} the target cannot be read: {e}"),
            }

            let names = entries(&dir);
            for name in &names {
                assert!(
                    name == TARGET || !name.ends_with(".prom"),
                    "after kill {kill} a second *.prom file is visible to node_exporter: {names:?}"
                );
                assert!(
                    name == TARGET || (name.starts_with(".crash.prom.") && name.ends_with(".tmp")),
                    "after kill {kill} an unexpected file is in the directory: {names:?}"
                );
            }
            leftovers_seen = names.len() - usize::from(names.iter().any(|n| n == TARGET));
        }
        drop(stopper);
        let scrapes = scraper
            .join()
            .expect("the scraper thread does not panic")
            .unwrap_or_else(|e| panic!("{e}"));
        (scrapes, writes_seen, leftovers_seen)
    });

    assert!(
        writes_seen.len() >= KILLS / 2 && writes_seen.iter().any(|&w| w > 1),
        "the writers made too little progress to test anything: {writes_seen:?}"
    );
    assert!(
        scrapes.with_writer_metrics >= 10,
        "node_exporter was rarely scraped while the file existed: {scrapes:?}"
    );

    // Leftovers of killed writers are hidden `.tmp` files; removing them leaves the target alone.
    let removed = remove_stale_temp_files(&target, Duration::ZERO).unwrap();
    assert_eq!(removed, leftovers_seen);
    assert_eq!(entries(&dir), [TARGET]);
    check_writer_file(&fs::read_to_string(&target).unwrap(), SERIES).unwrap();
    assert_eq!(exporter.textfile_scrape_error().unwrap(), 0.0);

    println!(
        "{KILLS} kills (seed {SEED:#x}) in {:?}: write numbers seen after each kill \
         {writes_seen:?}; {removed} temporary files of killed writers left behind and removed; \
         {scrapes:?}",
        started.elapsed()
    );
}
