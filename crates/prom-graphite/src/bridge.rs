//! The bridge: configuration, one-shot pushes and the background pusher.

use std::fmt;
use std::io::{self, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use prom_core::{CollectError, Collector, MetricFamily};

use crate::render::{valid_prefix, Renderer};
use crate::{GraphiteError, LabelStyle};

/// client_python's default; here connecting and sending together may take this long.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

type ErrorCallback = Arc<dyn Fn(&GraphiteError) + Send + Sync>;

/// Pushes metrics to a Graphite server (carbon) over the plaintext protocol: the counterpart of
/// client_python's `GraphiteBridge`.
///
/// Each push collects a [`Collector`], renders one `path value timestamp` line per sample, and
/// sends them over a new TCP connection, which it then closes. A bridge is a cheap handle:
/// clones share the configuration.
///
/// ```no_run
/// use prom_core::Counter;
/// use prom_graphite::GraphiteBridge;
///
/// let jobs = Counter::new("jobs_done", "Jobs completed.")?;
/// jobs.inc();
/// GraphiteBridge::new("graphite.example.com:2003").push(&jobs)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct GraphiteBridge {
    inner: Arc<Inner>,
}

struct Inner {
    addr: String,
    prefix: Option<String>,
    style: LabelStyle,
    timeout: Duration,
    on_error: Option<ErrorCallback>,
}

impl GraphiteBridge {
    /// A bridge to `addr` (`host:port`; carbon's plaintext port is usually 2003) with no prefix,
    /// labels as path segments and a 30 s timeout.
    ///
    /// The address is resolved at every push, as client_python does, so a DNS change is picked
    /// up without restarting; a bad address shows up as the first push's error.
    pub fn new(addr: impl Into<String>) -> GraphiteBridge {
        GraphiteBridge::builder(addr).build()
    }

    /// A builder for a bridge to `addr`, to set a prefix, the timeout, the label style or an
    /// error callback.
    ///
    /// ```
    /// use std::time::Duration;
    /// use prom_graphite::{GraphiteBridge, LabelStyle};
    ///
    /// let bridge = GraphiteBridge::builder("127.0.0.1:2003")
    ///     .prefix("myapp.web1")?
    ///     .timeout(Duration::from_secs(5))?
    ///     .label_style(LabelStyle::Tags)
    ///     .on_error(|e| eprintln!("graphite: {e}"))
    ///     .build();
    /// assert_eq!(bridge.addr(), "127.0.0.1:2003");
    /// # Ok::<(), prom_graphite::GraphiteError>(())
    /// ```
    pub fn builder(addr: impl Into<String>) -> GraphiteBridgeBuilder {
        GraphiteBridgeBuilder {
            addr: addr.into(),
            prefix: None,
            style: LabelStyle::default(),
            timeout: DEFAULT_TIMEOUT,
            on_error: None,
        }
    }

    /// The Graphite address, as given.
    pub fn addr(&self) -> &str {
        &self.inner.addr
    }

    /// Collects `collector` and sends its samples to Graphite over a new TCP connection,
    /// stamped with the current time in whole seconds.
    ///
    /// Nothing is retried: a failed push returns its error and the next push starts afresh.
    /// The error callback is not called for the errors returned here.
    ///
    /// # Errors
    ///
    /// [`GraphiteError::Collect`] if the collector fails (nothing is sent),
    /// [`GraphiteError::Resolve`] if the address does not resolve, [`GraphiteError::Connect`]
    /// if no connection can be opened within the timeout (refused, say),
    /// [`GraphiteError::Timeout`] if the lines are not all sent before the
    /// [timeout](GraphiteBridgeBuilder::timeout) for the whole push runs out (the server stopped
    /// reading), and [`GraphiteError::Write`] if sending fails otherwise. Each names the
    /// address.
    pub fn push(&self, collector: &dyn Collector) -> Result<(), GraphiteError> {
        let families = prom_core::collect(collector).map_err(|source| GraphiteError::Collect {
            addr: self.inner.addr.clone(),
            source,
        })?;
        let lines = self.render(&families, SystemTime::now());
        self.send(lines.as_bytes())
    }

    /// The lines a push of `families` at time `now` sends: one per sample, `path value
    /// timestamp\n`, with the timestamp in whole Unix seconds (a series' own timestamp, if it
    /// has one, wins over `now`).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use prom_core::{Counter, GaugeVec, Histogram, Opts};
    /// use prom_graphite::{GraphiteBridge, LabelStyle};
    ///
    /// let requests = Counter::new("requests", "Requests served.")?;
    /// requests.inc_by(7.0)?;
    /// let temp = GaugeVec::new(Opts::new("temp_celsius", "Temperature.").labels(["room", "floor"]))?;
    /// temp.with_label_values(&["hall way", "1"])?.set(21.5);
    /// let latency = Histogram::with_opts(Opts::new("latency_seconds", "Latency.").buckets([0.1, 0.5]))?;
    /// latency.observe(0.3);
    ///
    /// let mut families = prom_core::collect(&requests)?;
    /// families.extend(prom_core::collect(&temp)?);
    /// families.extend(prom_core::collect(&latency)?);
    /// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    ///
    /// let bridge = GraphiteBridge::builder("127.0.0.1:2003").prefix("app")?.build();
    /// assert_eq!(
    ///     bridge.render(&families, now),
    ///     "app.requests_total 7.0 1700000000\n\
    ///      app.temp_celsius.floor.1.room.hall_way 21.5 1700000000\n\
    ///      app.latency_seconds_bucket.le.0_1 0.0 1700000000\n\
    ///      app.latency_seconds_bucket.le.0_5 1.0 1700000000\n\
    ///      app.latency_seconds_bucket.le._Inf 1.0 1700000000\n\
    ///      app.latency_seconds_count 1.0 1700000000\n\
    ///      app.latency_seconds_sum 0.3 1700000000\n"
    /// );
    ///
    /// let tagged = GraphiteBridge::builder("127.0.0.1:2003")
    ///     .label_style(LabelStyle::Tags)
    ///     .build();
    /// assert_eq!(
    ///     tagged.render(&prom_core::collect(&temp)?, now),
    ///     "temp_celsius;floor=1;room=hall_way 21.5 1700000000\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(&self, families: &[MetricFamily], now: SystemTime) -> String {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut out = String::new();
        Renderer {
            prefix: self.inner.prefix.as_deref(),
            style: self.inner.style,
        }
        // Seconds since 1970 fit an i64 for the next 292 billion years.
        .render_into(&mut out, families, i64::try_from(now).unwrap_or(i64::MAX));
        out
    }

    /// Pushes `source` every `interval` from a background thread until the returned handle is
    /// dropped or [stopped](BridgeHandle::stop).
    ///
    /// The first push happens at once; later ones keep a fixed rate from there, measured on the
    /// monotonic clock, as client_python's `start` does: a push that overruns skips the ticks it
    /// missed instead of pushing several times in a row. Pushes are not aligned to wall-clock
    /// multiples of the interval.
    ///
    /// The thread never stops on an error: a failed push (Graphite down, a collector error, even
    /// a collector that panics) is reported and the next tick tries again on a fresh
    /// connection, so pushing resumes by itself once Graphite is back. Errors go to the
    /// [error callback](GraphiteBridgeBuilder::on_error) if one is set, else — with the `log`
    /// feature, on by default — to `log::warn!` under the target `prom_graphite`.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use prom_core::Gauge;
    /// use prom_graphite::GraphiteBridge;
    ///
    /// let queue = Gauge::new("queue_depth", "Items waiting.")?;
    /// let bridge = GraphiteBridge::builder("graphite.example.com:2003")
    ///     .on_error(|e| eprintln!("graphite push failed: {e}"))
    ///     .build();
    /// let handle = bridge.start(Arc::new(queue.clone()), Duration::from_secs(60));
    /// queue.set(3.0);
    /// // ... later, at shutdown:
    /// handle.stop();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If `interval` is zero, or the operating system cannot create a thread.
    pub fn start(&self, source: Arc<dyn Collector>, interval: Duration) -> BridgeHandle {
        assert!(
            !interval.is_zero(),
            "GraphiteBridge::start needs a push interval greater than zero"
        );
        let stop = Arc::new(StopSignal::default());
        let thread_stop = Arc::clone(&stop);
        let bridge = self.clone();
        let thread = std::thread::Builder::new()
            .name("prom-graphite".into())
            .spawn(move || bridge.run(&*source, interval, &thread_stop))
            .expect("the operating system could not create the prom-graphite push thread");
        BridgeHandle {
            stop,
            thread: Some(thread),
        }
    }

    /// The background loop: push, then wait for the next tick or the stop signal.
    fn run(&self, source: &dyn Collector, interval: Duration, stop: &StopSignal) {
        let mut next = Instant::now();
        loop {
            if let Err(e) = self.push_catching_panics(source) {
                self.report(&e);
            }
            next = next_tick(next, interval, Instant::now());
            if stop.wait_until(next) {
                return;
            }
        }
    }

    /// A push in which a panicking collector becomes an error, so the thread lives on.
    fn push_catching_panics(&self, source: &dyn Collector) -> Result<(), GraphiteError> {
        // The collector is only read here; state it leaves half-updated by a panic is its own
        // (prom-core's metrics shrug off poisoned locks).
        panic::catch_unwind(AssertUnwindSafe(|| self.push(source))).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            Err(GraphiteError::Collect {
                addr: self.inner.addr.clone(),
                source: CollectError::new(
                    "background push source",
                    format!("the collector panicked: {message}"),
                ),
            })
        })
    }

    fn report(&self, error: &GraphiteError) {
        let Some(callback) = &self.inner.on_error else {
            #[cfg(feature = "log")]
            log::warn!(target: "prom_graphite", "{error}");
            return;
        };
        callback(error);
    }

    /// Opens a connection (trying each resolved address in turn, like Python's
    /// `socket.create_connection`), sends `bytes` and closes it, all within the timeout.
    fn send(&self, bytes: &[u8]) -> Result<(), GraphiteError> {
        let addr = &self.inner.addr;
        let timeout = self.inner.timeout;
        // One deadline for the whole push: a per-call socket timeout would let a server that
        // reads a little now and then, or whose buffers take several writes to fill, keep the
        // push going for many times the timeout.
        let deadline = Instant::now() + timeout;
        let resolved = addr
            .to_socket_addrs()
            .map_err(|source| GraphiteError::Resolve {
                addr: addr.clone(),
                source,
            })?;
        let mut last_error = None;
        let mut stream = None;
        for socket_addr in resolved {
            let Some(left) = time_left(deadline) else {
                last_error = Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the timeout ran out before a connection was opened",
                ));
                break;
            };
            match TcpStream::connect_timeout(&socket_addr, left) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        let mut stream = match (stream, last_error) {
            (Some(s), _) => s,
            (None, Some(source)) => {
                return Err(GraphiteError::Connect {
                    addr: addr.clone(),
                    source,
                })
            }
            (None, None) => {
                return Err(GraphiteError::Resolve {
                    addr: addr.clone(),
                    source: io::Error::new(
                        io::ErrorKind::NotFound,
                        "the name resolved to no address",
                    ),
                })
            }
        };
        let write_error = |source| GraphiteError::Write {
            addr: addr.clone(),
            source,
        };
        let timed_out = || GraphiteError::Timeout {
            addr: addr.clone(),
            timeout,
        };
        stream.set_nodelay(true).map_err(write_error)?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let left = time_left(deadline).ok_or_else(timed_out)?;
            stream.set_write_timeout(Some(left)).map_err(write_error)?;
            match stream.write(rest) {
                Ok(0) => return Err(write_error(io::ErrorKind::WriteZero.into())),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // What an expired `SO_SNDTIMEO` returns: `EAGAIN` on Unix, `WSAETIMEDOUT` on
                // Windows.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(timed_out())
                }
                Err(e) => return Err(write_error(e)),
            }
        }
        Ok(())
        // Dropping the stream closes the connection, as client_python does after `sendall`.
    }
}

/// The time until `deadline`, or `None` once it has passed (std refuses a zero socket timeout).
fn time_left(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
}

impl fmt::Debug for GraphiteBridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphiteBridge")
            .field("addr", &self.inner.addr)
            .field("prefix", &self.inner.prefix)
            .field("label_style", &self.inner.style)
            .field("timeout", &self.inner.timeout)
            .field("on_error", &self.inner.on_error.is_some())
            .finish()
    }
}

/// The next push time after one due at `due` finished at `now`: `due + interval`, or the first
/// later tick if that one has passed already.
fn next_tick(due: Instant, interval: Duration, now: Instant) -> Instant {
    let next = due + interval;
    if next > now {
        return next;
    }
    let behind = now.duration_since(next).as_nanos();
    let skipped = behind / interval.as_nanos() + 1;
    u64::try_from(interval.as_nanos() * skipped)
        .ok()
        .and_then(|nanos| next.checked_add(Duration::from_nanos(nanos)))
        .unwrap_or(now + interval)
}

/// Configures a [`GraphiteBridge`]; made by [`GraphiteBridge::builder`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct GraphiteBridgeBuilder {
    addr: String,
    prefix: Option<String>,
    style: LabelStyle,
    timeout: Duration,
    on_error: Option<ErrorCallback>,
}

impl GraphiteBridgeBuilder {
    /// Starts every path with `prefix` and a dot, e.g. `myapp.host1` gives
    /// `myapp.host1.requests_total`. An empty prefix means none. The prefix is written as given,
    /// dots included, so it can span several path levels.
    ///
    /// # Errors
    ///
    /// [`GraphiteError::InvalidPrefix`] if a dot-separated segment is empty (`a..b`, `.a`, `a.`)
    /// or contains whitespace, a control character or `;`, which would break the line or its
    /// tags.
    pub fn prefix(mut self, prefix: &str) -> Result<Self, GraphiteError> {
        if prefix.is_empty() {
            self.prefix = None;
            return Ok(self);
        }
        if !valid_prefix(prefix) {
            return Err(GraphiteError::InvalidPrefix {
                prefix: prefix.to_owned(),
            });
        }
        self.prefix = Some(prefix.to_owned());
        Ok(self)
    }

    /// How long connecting and sending all the lines may take together (default 30 s, as in
    /// client_python, whose timeout bounds each socket call instead). The clock starts when
    /// the push starts sending, after collecting; a server that stops reading makes the push
    /// fail with [`GraphiteError::Timeout`] once the time is up. A background push stuck this
    /// long also delays [`BridgeHandle::stop`].
    ///
    /// # Errors
    ///
    /// [`GraphiteError::InvalidTimeout`] for a zero duration.
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, GraphiteError> {
        if timeout.is_zero() {
            return Err(GraphiteError::InvalidTimeout);
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// How labels are written: path segments (the default) or Graphite tags.
    pub fn label_style(mut self, style: LabelStyle) -> Self {
        self.style = style;
        self
    }

    /// Calls `callback` with every error of a background push started by
    /// [`GraphiteBridge::start`], instead of logging it. It runs on the push thread, so it should
    /// return quickly. Errors of [`GraphiteBridge::push`] are returned, not passed here.
    pub fn on_error(mut self, callback: impl Fn(&GraphiteError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(callback));
        self
    }

    /// The configured bridge.
    pub fn build(self) -> GraphiteBridge {
        GraphiteBridge {
            inner: Arc::new(Inner {
                addr: self.addr,
                prefix: self.prefix,
                style: self.style,
                timeout: self.timeout,
                on_error: self.on_error,
            }),
        }
    }
}

impl fmt::Debug for GraphiteBridgeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphiteBridgeBuilder")
            .field("addr", &self.addr)
            .field("prefix", &self.prefix)
            .field("label_style", &self.style)
            .field("timeout", &self.timeout)
            .field("on_error", &self.on_error.is_some())
            .finish()
    }
}

/// The stop flag of a background pusher, with a condvar so a stop wakes it mid-interval.
#[derive(Default)]
struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_all();
    }

    /// Sleeps until `deadline` or a stop, whichever comes first; true if stopped.
    fn wait_until(&self, deadline: Instant) -> bool {
        let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        while !*stopped {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            stopped = self
                .wake
                .wait_timeout(stopped, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *stopped
    }
}

/// The background pusher started by [`GraphiteBridge::start`]. Dropping it, or calling
/// [`BridgeHandle::stop`], stops the pushes and joins the thread.
#[must_use = "dropping the handle stops the background pushes at once"]
pub struct BridgeHandle {
    stop: Arc<StopSignal>,
    thread: Option<JoinHandle<()>>,
}

impl BridgeHandle {
    /// Stops the background pushes and waits for the thread to end. A thread waiting for its
    /// next tick ends at once; one in the middle of a push ends when that push does (within the
    /// bridge's timeout).
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.stop();
        if let Some(thread) = self.thread.take() {
            // The thread only panics if the error callback does; that panic has been printed
            // by the panic hook already and there is nothing left to clean up.
            let _ = thread.join();
        }
    }
}

impl Drop for BridgeHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl fmt::Debug for BridgeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeHandle")
            .field(
                "running",
                &self.thread.as_ref().is_some_and(|t| !t.is_finished()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_keep_a_fixed_rate_and_skip_missed_ones() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        assert_eq!(next_tick(t0, s, t0 + Duration::from_millis(10)), t0 + s);
        // A push that took 2.5 intervals: the ticks at 1 s and 2 s are skipped.
        assert_eq!(
            next_tick(t0, s, t0 + Duration::from_millis(2500)),
            t0 + 3 * s
        );
        // Exactly on a tick: that tick has passed, the next one is due.
        assert_eq!(next_tick(t0, s, t0 + s), t0 + 2 * s);
    }

    #[test]
    fn stop_wakes_a_waiting_pusher() {
        let signal = Arc::new(StopSignal::default());
        let waiter = Arc::clone(&signal);
        let started = Instant::now();
        let t = std::thread::spawn(move || {
            waiter.wait_until(Instant::now() + Duration::from_secs(600))
        });
        signal.stop();
        assert!(t.join().unwrap());
        assert!(started.elapsed() < Duration::from_secs(300));
        assert!(!StopSignal::default().wait_until(Instant::now()));
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let err = GraphiteBridge::builder("x:1").prefix("a b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Graphite prefix \"a b\": must be non-empty segments separated by dots, \
             without whitespace, control characters or ';'"
        );
        assert!(matches!(
            GraphiteBridge::builder("x:1").timeout(Duration::ZERO),
            Err(GraphiteError::InvalidTimeout)
        ));
        let b = GraphiteBridge::builder("x:1").prefix("").unwrap().build();
        assert!(b.inner.prefix.is_none());
    }

    #[test]
    fn an_unresolvable_address_is_a_resolve_error() {
        let err = GraphiteBridge::new("no port here").send(b"").unwrap_err();
        assert!(matches!(err, GraphiteError::Resolve { .. }), "{err:?}");
        assert!(err.to_string().contains("no port here"), "{err}");
    }
}
