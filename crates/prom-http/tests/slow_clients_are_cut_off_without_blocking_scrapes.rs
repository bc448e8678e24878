//! A client dribbling its request a byte a second is cut off by the header timeout, and scrapes on other connections go on meanwhile.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

mod common;

/// Sends `GET /metrics` one byte a second (the header never ends) until the
/// server closes the connection; how long that took, or `None` if it was
/// still open after 60 s.
fn dribble(addr: SocketAddr, bytes_sent: &std::sync::atomic::AtomicUsize) -> Option<Duration> {
    let start = Instant::now();
    let mut stream = common::connect(addr, Duration::from_secs(1));
    let request = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter();
    let mut bytes = request.chain(std::iter::repeat(&b'z'));
    while start.elapsed() < Duration::from_secs(60) {
        let byte = bytes.next().expect("the byte stream is endless");
        match stream.write_all(std::slice::from_ref(byte)) {
            Ok(()) => bytes_sent.fetch_add(1, Ordering::SeqCst),
            Err(e) if common::is_closed(&e) => return Some(start.elapsed()),
            Err(e) => panic!("writing: {e}"),
        };
        // The read doubles as the one-second pause between bytes.
        let mut buf = [0; 1024];
        match stream.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(n) => panic!(
                "answered before the head ended: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if common::is_closed(&e) => return Some(start.elapsed()),
            Err(e) => panic!("reading: {e}"),
        }
    }
    None
}

#[test]
fn a_dribbling_client_is_cut_off_and_scrapes_go_on_meanwhile() {
    let (server, _, _) = common::server();
    let addr = server.local_addr();
    let bytes_sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let slow = {
        let (bytes_sent, done) = (Arc::clone(&bytes_sent), Arc::clone(&done));
        thread::spawn(move || {
            let cut_off = dribble(addr, &bytes_sent);
            done.store(true, Ordering::SeqCst);
            cut_off
        })
    };
    // Fifty more connections that send half a head and then nothing: an
    // idle slowloris crowd must not starve the scrapes either.
    let crowd: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = common::connect(addr, Duration::from_secs(1));
            s.write_all(b"GET /metrics HTTP/1.1\r\nHo").unwrap();
            s
        })
        .collect();
    let mut scrapes_while_dribbling = 0;
    while !done.load(Ordering::SeqCst) {
        let before = bytes_sent.load(Ordering::SeqCst);
        common::assert_scrapes(addr);
        if !done.load(Ordering::SeqCst) && before >= 2 {
            scrapes_while_dribbling += 1;
        }
        thread::sleep(Duration::from_millis(200));
    }
    let cut_off = slow.join().unwrap();
    let cut_off = cut_off.expect("the slow client was still connected after 60 s");
    println!(
        "cut off after {cut_off:?} and {} bytes; {scrapes_while_dribbling} scrapes meanwhile",
        bytes_sent.load(Ordering::SeqCst)
    );
    assert!(
        scrapes_while_dribbling >= 3,
        "{scrapes_while_dribbling} scrapes"
    );
    // The crowd was cut off by the same timeout.
    for mut s in crowd {
        let mut buf = [0; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Err(e) if common::is_closed(&e) => {}
            other => panic!("an idle half-request was not closed: {other:?}"),
        }
    }
    common::assert_scrapes(addr);
}

#[test]
fn the_header_timeout_is_an_option() {
    let g = prom_core::Gauge::new("g", "").unwrap();
    let options = prom_http::ServerOptions::default().header_read_timeout(Duration::from_secs(1));
    let server = prom_http::start_http_server_with("127.0.0.1:0", Arc::new(g), options).unwrap();
    let addr = server.local_addr();
    let start = Instant::now();
    // A connection that sends nothing at all is idle, and cut off too.
    let mut idle = common::connect(addr, Duration::from_secs(60));
    let mut buf = [0; 64];
    match idle.read(&mut buf) {
        Ok(0) => {}
        Err(e) if common::is_closed(&e) => {}
        other => panic!("an idle connection was not closed: {other:?}"),
    }
    // Well before the default of 10 s, however loaded the machine.
    assert!(
        start.elapsed() < Duration::from_secs(9),
        "{:?}",
        start.elapsed()
    );
    let r = common::get(&format!("http://{addr}/metrics"), &[]);
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "# TYPE g gauge\ng 0\n")
    );
}
