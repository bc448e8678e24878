//! Memory measurements shared by the `series_memory` and `series_scale` programs: a global
//! allocator counting the live heap, and the resident set from `/proc/self/statm`.
//!
//! A program measures with it by installing the allocator:
//!
//! ```text
//! #[global_allocator]
//! static GLOBAL: prom_benches::memory::Counting = prom_benches::memory::Counting;
//! ```

// The counting allocator is the only unsafe code: it forwards every call to the system
// allocator unchanged.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// Bytes currently allocated through the global allocator.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting the bytes live through it in [`live_bytes`].
#[derive(Debug, Clone, Copy)]
pub struct Counting;

// SAFETY: every method calls the matching `System` method with the caller's
// arguments and returns its result unchanged, so `System`'s guarantees (and
// the caller's obligations) carry over as they are. The only addition is a
// relaxed atomic add to a static, which neither allocates (no re-entry) nor
// touches the memory handed out; sizes are counted only for calls that
// succeeded, so a failed `realloc` (which leaves the old block in place)
// changes nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(size(layout.size()), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(size(layout.size()), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (every allocation goes
        // through the methods above) with this `layout`, as the caller
        // guarantees.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(size(layout.size()), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and the caller upholds `realloc`'s
        // contract for `new_size`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(size(new_size) - size(layout.size()), Ordering::Relaxed);
        }
        new
    }
}

/// A block size as a signed count; no allocation exceeds `isize::MAX` bytes.
fn size(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

/// Bytes currently allocated through [`Counting`], when it is the global allocator.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// The resident set in bytes.
///
/// # Errors
///
/// If `/proc/self/statm` or `/proc/self/auxv` cannot be read.
pub fn rss_bytes() -> Result<u64, String> {
    Ok(rss_pages()? * page_size()?)
}

/// Resident pages, the second field of `/proc/self/statm`.
fn rss_pages() -> Result<u64, String> {
    let statm = std::fs::read_to_string("/proc/self/statm")
        .map_err(|e| format!("cannot read /proc/self/statm: {e}"))?;
    statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .ok_or(format!("unexpected /proc/self/statm: {statm:?}"))
}

/// The page size, from the kernel's auxiliary vector (`AT_PAGESZ`), which
/// spares a dependency on libc for `sysconf`.
fn page_size() -> Result<u64, String> {
    const AT_PAGESZ: u64 = 6;
    let auxv = std::fs::read("/proc/self/auxv")
        .map_err(|e| format!("cannot read /proc/self/auxv: {e}"))?;
    auxv.chunks_exact(16)
        .map(|pair| {
            let word = |b: &[u8]| u64::from_ne_bytes(b.try_into().unwrap_or_default());
            (word(&pair[..8]), word(&pair[8..]))
        })
        .find(|&(key, _)| key == AT_PAGESZ)
        .map(|(_, value)| value)
        .ok_or("no AT_PAGESZ in /proc/self/auxv".into())
}
