//! Series lifecycle: removing children by partial labels, expiring idle
//! children on scrape, and a ceiling on children per family — alone, and
//! with writers and scrapes running at the same time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use prom_core::{
    collect, CounterVec, Error, GaugeVec, HistogramVec, ManualClock, MetricFamily, MetricValue,
    Opts, SummaryVec,
};

fn exposed(families: &[MetricFamily], name: &str) -> Vec<Vec<String>> {
    families
        .iter()
        .filter(|f| &*f.name == name)
        .flat_map(|f| &f.metrics)
        .map(|m| m.labels.values().map(str::to_owned).collect())
        .collect()
}

fn refused(families: &[MetricFamily]) -> Option<f64> {
    families
        .iter()
        .find_map(|f| match f.metrics.first()?.value {
            MetricValue::Counter(v) if f.name.ends_with("_series_refused") => Some(v),
            _ => None,
        })
}

#[test]
fn remove_matching_removes_every_child_with_those_labels_and_nothing_else() {
    let hits = CounterVec::new(Opts::new("hits", "").labels(["path", "code", "method"])).unwrap();
    for path in ["/a", "/b"] {
        for code in ["200", "500"] {
            hits.with_label_values(&[path, code, "GET"]).unwrap().inc();
        }
    }
    assert_eq!(
        hits.remove_matching(&[("code", "500"), ("path", "/a")])
            .unwrap(),
        1
    );
    assert_eq!(hits.remove_matching(&[("path", "/b")]).unwrap(), 2);
    assert_eq!(hits.remove_matching(&[("path", "/nowhere")]).unwrap(), 0);
    let left = exposed(&collect(&hits).unwrap(), "hits");
    assert_eq!(left, [["/a", "200", "GET"]]);
    // No pairs match every child.
    assert_eq!(hits.remove_matching(&[]).unwrap(), 1);
    assert!(hits.is_empty());
}

#[test]
fn remove_matching_names_a_label_the_family_does_not_have() {
    let hits = CounterVec::new(Opts::new("hits", "").labels(["path"])).unwrap();
    let err = hits.remove_matching(&[("paht", "/")]).unwrap_err();
    assert!(matches!(err, Error::UnknownLabel { ref name, .. } if name == "paht"));
    let err = hits
        .remove_matching(&[("path", "/"), ("path", "/x")])
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateLabelName { .. }));
}

#[test]
fn a_removed_childs_handle_keeps_working_detached_and_a_new_lookup_starts_afresh() {
    let hits = CounterVec::new(Opts::new("hits", "").labels(["path"])).unwrap();
    let kept = hits.with_label_values(&["/old"]).unwrap();
    kept.inc_by(5.0).unwrap();
    hits.with(&["/old"], |c| c.inc()).unwrap(); // cached on this thread
    assert_eq!(hits.remove_matching(&[("path", "/old")]).unwrap(), 1);
    // The kept handle still counts, into a series no scrape sees.
    kept.inc();
    assert_eq!(kept.get(), 7.0);
    assert!(collect(&hits).unwrap()[0].metrics.is_empty());
    // The cached lookup does not reach the removed child.
    hits.with(&["/old"], |c| c.inc()).unwrap();
    assert_eq!(hits.with_label_values(&["/old"]).unwrap().get(), 1.0);
}

fn expiring_gauges(clock: &ManualClock) -> GaugeVec {
    GaugeVec::new(
        Opts::new("queue", "")
            .labels(["name"])
            .expire_after(Duration::from_secs(60))
            .clock(clock.clone()),
    )
    .unwrap()
}

#[test]
fn children_whose_value_does_not_change_expire_on_the_scrape_that_finds_them_idle() {
    let clock = ManualClock::new();
    let queue = expiring_gauges(&clock);
    queue.with_label_values(&["busy"]).unwrap().set(1.0);
    queue.with_label_values(&["quiet"]).unwrap().set(1.0);
    assert_eq!(exposed(&collect(&queue).unwrap(), "queue").len(), 2);
    clock.advance(Duration::from_secs(40));
    queue.with_label_values(&["busy"]).unwrap().set(2.0);
    // Setting the same value is not a change.
    queue.with_label_values(&["quiet"]).unwrap().set(1.0);
    assert_eq!(exposed(&collect(&queue).unwrap(), "queue").len(), 2);
    clock.advance(Duration::from_secs(20));
    // quiet: unchanged for 60 s since first seen; busy: changed 20 s ago.
    assert_eq!(exposed(&collect(&queue).unwrap(), "queue"), [["busy"]]);
    assert_eq!(queue.len(), 1);
    // Looked up again, it starts afresh and is exposed.
    queue.with_label_values(&["quiet"]).unwrap().inc();
    assert_eq!(exposed(&collect(&queue).unwrap(), "queue").len(), 2);
}

#[test]
fn histograms_and_summaries_expire_when_they_see_no_observation() {
    let clock = ManualClock::new();
    let latency = HistogramVec::new(
        Opts::new("latency_seconds", "")
            .labels(["route"])
            .expire_after(Duration::from_secs(10))
            .clock(clock.clone()),
    )
    .unwrap();
    let sizes = SummaryVec::new(
        Opts::new("size_bytes", "")
            .labels(["route"])
            .expire_after(Duration::from_secs(10))
            .clock(clock.clone()),
    )
    .unwrap();
    for route in ["/a", "/b"] {
        latency.with_label_values(&[route]).unwrap().observe(0.1);
        sizes.with_label_values(&[route]).unwrap().observe(10.0);
    }
    collect(&latency).unwrap();
    collect(&sizes).unwrap();
    clock.advance(Duration::from_secs(10));
    latency.with_label_values(&["/a"]).unwrap().observe(0.2);
    sizes.with_label_values(&["/a"]).unwrap().observe(20.0);
    assert_eq!(
        exposed(&collect(&latency).unwrap(), "latency_seconds"),
        [["/a"]]
    );
    assert_eq!(exposed(&collect(&sizes).unwrap(), "size_bytes"), [["/a"]]);
}

#[test]
fn remove_idle_expires_without_a_scrape_and_nothing_expires_without_the_option() {
    let clock = ManualClock::new();
    let queue = expiring_gauges(&clock);
    queue.with_label_values(&["a"]).unwrap().set(1.0);
    assert_eq!(queue.remove_idle(), 0); // first seen now
    clock.advance(Duration::from_secs(61));
    assert_eq!(queue.remove_idle(), 1);
    assert!(queue.is_empty());

    let plain = GaugeVec::new(Opts::new("plain", "").labels(["name"])).unwrap();
    plain.with_label_values(&["a"]).unwrap().set(1.0);
    assert_eq!(plain.remove_idle(), 0);
    assert_eq!(plain.len(), 1);
}

#[test]
fn past_the_ceiling_new_label_values_are_refused_and_counted() {
    let hits = CounterVec::new(Opts::new("hits", "").labels(["user"]).max_series(2)).unwrap();
    hits.with_label_values(&["ann"]).unwrap().inc();
    hits.with(&["bob"], |c| c.inc()).unwrap();
    for _ in 0..3 {
        let err = hits.with(&["eve"], |c| c.inc()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metric \"hits\" already has 2 series, its maximum: no new series for label values [\"eve\"]"
        );
    }
    hits.with(&["ann"], |c| c.inc()).unwrap();
    let families = collect(&hits).unwrap();
    assert_eq!(exposed(&families, "hits").len(), 2);
    assert_eq!(refused(&families), Some(3.0));
    // Removing a child makes room.
    hits.remove(&["bob"]).unwrap();
    hits.with(&["eve"], |c| c.inc()).unwrap();
    // The self-metric is described, so the registry checks its name.
    let names: Vec<String> = prom_core::Collector::describe(&hits)
        .iter()
        .map(|d| d.name().to_owned())
        .collect();
    assert_eq!(names, ["hits", "hits_series_refused"]);
}

#[test]
fn past_the_ceiling_an_overflow_series_takes_the_updates_if_asked() {
    let hits = CounterVec::new(
        Opts::new("hits", "")
            .labels(["user", "page"])
            .max_series(1)
            .overflow_series(["other", "other"]),
    )
    .unwrap();
    hits.with(&["ann", "/"], |c| c.inc()).unwrap();
    for user in ["bob", "cid", "bob"] {
        hits.with(&[user, "/"], |c| c.inc()).unwrap();
    }
    let families = collect(&hits).unwrap();
    assert_eq!(
        exposed(&families, "hits"),
        [["ann", "/"], ["other", "other"]]
    );
    assert_eq!(
        hits.with_label_values(&["other", "other"]).unwrap().get(),
        3.0
    );
    // Every lookup that found no room is counted (none is cached).
    assert_eq!(refused(&families), Some(3.0));
}

#[test]
fn lifecycle_options_that_do_not_fit_are_refused() {
    let err = CounterVec::new(Opts::new("a", "").labels(["x"]).overflow_series(["o"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid series options for metric \"a\": an overflow series without a maximum number of series"
    );
    let err = CounterVec::new(
        Opts::new("a", "")
            .labels(["x", "y"])
            .max_series(1)
            .overflow_series(["o"]),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::LabelCount {
            expected: 2,
            got: 1,
            ..
        }
    ));
    let err = CounterVec::new(
        Opts::new("a", "")
            .labels(["x"])
            .expire_after(Duration::ZERO),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid series options for metric \"a\": an idle time of zero"
    );
}

#[test]
fn concurrent_writers_scrapes_and_removals_never_exceed_the_ceiling_or_lose_a_kept_series() {
    const MAX: usize = 50;
    let clock = ManualClock::new();
    let hits = CounterVec::new(
        Opts::new("hits", "")
            .labels(["id"])
            .max_series(MAX)
            .overflow_series(["other"])
            .expire_after(Duration::from_secs(3))
            .clock(clock.clone()),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for t in 0..2 {
        let (hits, stop) = (hits.clone(), Arc::clone(&stop));
        threads.push(thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("{t}-{}", i % 200);
                hits.with(&[id.as_str()], |c| c.inc()).unwrap();
                // "keep" is updated on every round: it never expires.
                hits.with(&["keep"], |c| c.inc()).unwrap();
                i += 1;
            }
            i
        }));
    }
    {
        let (hits, stop) = (hits.clone(), Arc::clone(&stop));
        threads.push(thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let families = collect(&hits).unwrap();
                // The ceiling, plus the overflow series.
                assert!(exposed(&families, "hits").len() <= MAX + 1);
                hits.remove_matching(&[("id", "0-7")]).unwrap();
                n += 1;
            }
            n
        }));
    }
    for _ in 0..20 {
        thread::sleep(Duration::from_millis(20));
        clock.advance(Duration::from_millis(500));
    }
    stop.store(true, Ordering::Relaxed);
    let rounds: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(rounds.iter().all(|&r| r > 0), "{rounds:?}");
    assert!(hits.len() <= MAX + 1);
    // Written on every round by both writers, so never idle: never removed,
    // it counts every round (one series, never detached).
    let kept = hits.with_label_values(&["keep"]).unwrap().get();
    assert_eq!(kept, (rounds[0] + rounds[1]) as f64);
}
