//! Reading a process's figures from `/proc`.

use std::sync::OnceLock;

use procfs::process::{LimitValue, Process};

use crate::{Readings, Target};

/// What is worth keeping between scrapes.
#[derive(Debug)]
pub(crate) struct State {
    /// The boot time in seconds since the epoch. It is kept because reading it
    /// means parsing all of `/proc/stat`, which grows with the number of CPUs.
    boot_time: OnceLock<u64>,
}

impl State {
    pub(crate) const fn new() -> Self {
        Self {
            boot_time: OnceLock::new(),
        }
    }

    fn boot_time(&self) -> Option<u64> {
        if let Some(&secs) = self.boot_time.get() {
            return Some(secs);
        }
        // A failure is not cached, so that the next scrape tries again.
        let secs = procfs::boot_time_secs().ok()?;
        Some(*self.boot_time.get_or_init(|| secs))
    }
}

/// Reads what can be read of `target`; nothing when it cannot be found.
pub(crate) fn read(target: &Target, state: &State) -> Readings {
    let process = match target {
        Target::Current => Process::myself(),
        Target::Pid(pid) => match pid() {
            Ok(pid) => Process::new(pid),
            Err(_) => return Readings::default(),
        },
    };
    // The process has gone (or never was); client_python exposes nothing then.
    let Ok(process) = process else {
        return Readings::default();
    };

    // Every read below goes through the directory handle `process` holds, so
    // if the pid is reused meanwhile they fail rather than describe a stranger.
    let mut readings = Readings::default();
    if let Ok(stat) = process.stat() {
        let ticks = procfs::ticks_per_second() as f64;
        readings.virtual_memory_bytes = Some(stat.vsize as f64);
        readings.resident_memory_bytes = Some(stat.rss as f64 * procfs::page_size() as f64);
        readings.cpu_seconds = Some(stat.utime.saturating_add(stat.stime) as f64 / ticks);
        readings.threads = Some(stat.num_threads as f64);
        readings.start_time_seconds = state
            .boot_time()
            .map(|boot| boot as f64 + stat.starttime as f64 / ticks);
    }
    // The descriptor table is readable only by the process's owner (and root).
    readings.open_fds = process.fd_count().ok().map(|count| count as f64);
    let limits = process.limits().ok();
    let soft = |limit: &procfs::process::Limit| match limit.soft_limit {
        LimitValue::Value(max) => Some(max as f64),
        LimitValue::Unlimited => None,
    };
    readings.max_fds = limits.as_ref().and_then(|l| soft(&l.max_open_files));
    readings.virtual_memory_max_bytes = limits.as_ref().and_then(|l| soft(&l.max_address_space));
    if let Ok(devices) = process.dev_status() {
        let (received, sent) = devices.values().fold((0u64, 0u64), |(r, s), d| {
            (
                r.saturating_add(d.recv_bytes),
                s.saturating_add(d.sent_bytes),
            )
        });
        readings.network_receive_bytes = Some(received as f64);
        readings.network_transmit_bytes = Some(sent as f64);
    }
    readings
}
