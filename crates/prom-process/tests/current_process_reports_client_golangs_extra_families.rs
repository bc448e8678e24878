//! Beyond client_python's six, the current process reports what
//! client_golang's process collector adds: threads, network bytes and the
//! address-space limit.

#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use common::{family, value};
use prom_core::MetricType;
use prom_process::ProcessCollector;

#[test]
fn threads_are_counted() {
    let before = value(
        &prom_core::collect(&ProcessCollector::new()).unwrap(),
        "process_threads",
    );
    assert!(before >= 1.0);
    let extra: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(std::thread::park))
        .collect();
    let during = value(
        &prom_core::collect(&ProcessCollector::new()).unwrap(),
        "process_threads",
    );
    // Other tests run in parallel threads too: at least three more than none.
    assert!(during >= 4.0, "{during}");
    for t in extra {
        t.thread().unpark();
        t.join().unwrap();
    }
}

#[test]
fn loopback_traffic_shows_in_the_network_counters() {
    let read = || {
        let f = prom_core::collect(&ProcessCollector::new()).unwrap();
        (
            value(&f, "process_network_receive_bytes"),
            value(&f, "process_network_transmit_bytes"),
        )
    };
    let (rx0, tx0) = read();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 1 << 20];
        s.read_exact(&mut buf).unwrap();
    });
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(&vec![7u8; 1 << 20]).unwrap();
    server.join().unwrap();
    let (rx1, tx1) = read();
    // A mebibyte each way over loopback, counted once sent and once received.
    assert!(rx1 - rx0 >= f64::from(1 << 20), "received {rx0} → {rx1}");
    assert!(tx1 - tx0 >= f64::from(1 << 20), "sent {tx0} → {tx1}");
    let families = prom_core::collect(&ProcessCollector::new()).unwrap();
    for name in [
        "process_network_receive_bytes",
        "process_network_transmit_bytes",
    ] {
        let f = family(&families, name).unwrap();
        assert_eq!(
            (f.metric_type, f.unit.as_deref()),
            (MetricType::Counter, Some("bytes"))
        );
    }
}

#[test]
fn the_address_space_limit_is_exposed_unless_unlimited() {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))
        .and_then(|l| l["Max address space".len()..].split_whitespace().next())
        .unwrap()
        .to_owned();
    let families = prom_core::collect(&ProcessCollector::new()).unwrap();
    match soft.as_str() {
        "unlimited" => assert!(family(&families, "process_virtual_memory_max_bytes").is_none()),
        n => assert_eq!(
            value(&families, "process_virtual_memory_max_bytes"),
            n.parse::<f64>().unwrap()
        ),
    }
}
