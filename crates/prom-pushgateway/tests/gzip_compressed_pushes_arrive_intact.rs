//! With `Options::gzip(true)` both clients send the body of a push or pushadd gzip-compressed
//! with `Content-Encoding: gzip`, and the real Pushgateway (1.5 accepts it) stores exactly the
//! values pushed; without it, and for a DELETE, the body goes uncompressed.

mod common;

use std::io::Read;
use std::sync::{Arc, Mutex};

use common::of_job;
use prom_core::{Collector, GaugeVec, Opts};
use prom_pushgateway::{Group, Options, Request};
use prom_testkit::Pushgateway as RealPushgateway;

/// Enough series that compression matters: 500 gauges, `shard` 0 to 499 with value = shard.
fn shards(name: &str) -> GaugeVec {
    let gauges = GaugeVec::new(Opts::new(name, "Rows per shard.").labels(["shard"])).unwrap();
    for shard in 0..500 {
        gauges
            .with_label_values(&[shard.to_string()])
            .unwrap()
            .set(f64::from(shard));
    }
    gauges
}

/// What the hook saw of each request: its `Content-Encoding` and body.
type Seen = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

fn recording(gzip: bool) -> (Options, Seen) {
    let seen: Seen = Arc::default();
    let hook_seen = Arc::clone(&seen);
    let options = Options::new()
        .gzip(gzip)
        .hook(move |request: &mut Request| {
            hook_seen.lock().unwrap().push((
                request.header("Content-Encoding").map(str::to_owned),
                request.body().to_vec(),
            ));
            Ok(())
        });
    (options, seen)
}

fn gunzip(body: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(body)
        .read_to_string(&mut text)
        .expect("the body is gzip-compressed text");
    text
}

/// The hook saw one compressed push whose text is the collector's exposition, and the
/// gateway serves every shard's value under `job`.
fn check(real: &RealPushgateway, seen: &Seen, gauges: &GaugeVec, name: &str, job: &str) {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (encoding, body) = &seen[0];
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(&body[..2], [0x1f, 0x8b], "gzip magic");
    let mut families = Vec::new();
    gauges.collect(&mut families).unwrap();
    let mut expected = Vec::new();
    prom_codec::Encoder::text()
        .encode_families(&families, &mut expected)
        .unwrap();
    let text = gunzip(body);
    assert_eq!(text.as_bytes(), expected);
    assert!(
        body.len() * 4 < text.len(),
        "{} -> {}",
        text.len(),
        body.len()
    );

    let served = real.metrics_text().unwrap();
    let samples = of_job(&served, name, job);
    assert_eq!(samples.len(), 500, "{served}");
    for sample in samples {
        let shard: f64 = sample.labels["shard"].parse().unwrap();
        assert_eq!(sample.value, shard, "{sample:?}");
    }
}

#[cfg(feature = "blocking")]
#[test]
#[ignore = "needs pushgateway: run cargo xtask test"]
fn the_blocking_client_pushes_and_pushadds_gzip_bodies() {
    let real = RealPushgateway::start().unwrap();
    let (options, seen) = recording(true);
    let gateway =
        prom_pushgateway::blocking::Pushgateway::with_options(&real.url(), options).unwrap();
    let gauges = shards("gz_blocking_rows");
    gateway.push(&Group::new("gz_blocking"), &gauges).unwrap();
    check(&real, &seen, &gauges, "gz_blocking_rows", "gz_blocking");

    seen.lock().unwrap().clear();
    let more = shards("gz_blocking_more");
    gateway.pushadd(&Group::new("gz_blocking"), &more).unwrap();
    check(&real, &seen, &more, "gz_blocking_more", "gz_blocking");
    // pushadd kept the first push's metrics.
    assert_eq!(
        of_job(
            &real.metrics_text().unwrap(),
            "gz_blocking_rows",
            "gz_blocking"
        )
        .len(),
        500
    );
}

#[tokio::test]
#[ignore = "needs pushgateway: run cargo xtask test"]
async fn the_async_client_pushes_gzip_bodies() {
    let real = RealPushgateway::start().unwrap();
    let (options, seen) = recording(true);
    let gateway = prom_pushgateway::Pushgateway::with_options(&real.url(), options).unwrap();
    let gauges = shards("gz_async_rows");
    gateway
        .push(&Group::new("gz_async"), &gauges)
        .await
        .unwrap();
    check(&real, &seen, &gauges, "gz_async_rows", "gz_async");
}

/// What goes on the wire, seen by a recording server: the gzip body and header with the
/// option, the plain text without.
#[test]
fn the_wire_carries_gzip_only_with_the_option() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for gzip in [true, false] {
        let server = common::RecordingServer::start(200, "");
        let gateway =
            prom_pushgateway::Pushgateway::with_options(&server.url(), Options::new().gzip(gzip))
                .unwrap();
        runtime
            .block_on(gateway.push(&Group::new("wire"), &shards("wire_rows")))
            .unwrap();
        let recorded = server.next();
        let text = if gzip {
            assert_eq!(recorded.headers("content-encoding"), ["gzip"]);
            gunzip(&recorded.body)
        } else {
            assert!(recorded.headers("content-encoding").is_empty());
            String::from_utf8(recorded.body).unwrap()
        };
        assert!(
            text.starts_with("# HELP wire_rows Rows per shard.\n# TYPE wire_rows gauge\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 502);

        // A DELETE has no body to compress.
        runtime
            .block_on(gateway.delete(&Group::new("wire")))
            .unwrap();
        let recorded = server.next();
        assert!(recorded.request_line().starts_with("DELETE "));
        assert!(recorded.headers("content-encoding").is_empty());
        assert!(recorded.body.is_empty());
    }
}
