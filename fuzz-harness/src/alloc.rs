//! A counting global allocator: the peak of live bytes allocated by the current thread
//! since [`reset_peak`], so input fuzzing can flag allocations out of proportion to the
//! input's size (e.g. a vector sized by a claimed count before the data is read).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The allocator; install with `#[global_allocator]` in a binary.
pub struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    // `try_with`: the thread-locals may be gone while a thread is torn down.
    let _ = LIVE.try_with(|l| {
        let now = l.get() + delta;
        l.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every method forwards to `System` with the same arguments and only updates
// thread-local counters (which allocate nothing: const-initialised `Cell`s).
unsafe impl GlobalAlloc for Counting {
    // SAFETY (for callers): `GlobalAlloc::alloc`'s contract, passed on to `System`.
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    // SAFETY (for callers): `GlobalAlloc::alloc_zeroed`'s contract, passed on to `System`.
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    // SAFETY (for callers): `GlobalAlloc::dealloc`'s contract, passed on to `System`.
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    // SAFETY (for callers): `GlobalAlloc::realloc`'s contract, passed on to `System`.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // While moving, both blocks are live.
        add(new_size as isize);
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        add(-(layout.size() as isize));
        p
    }
}

/// Starts measuring: the peak becomes the current live amount.
pub fn reset_peak() {
    let now = LIVE.try_with(Cell::get).unwrap_or(0);
    let _ = PEAK.try_with(|p| p.set(now));
}

/// Bytes allocated above the live amount at the last [`reset_peak`], at the peak.
pub fn peak_since(base: isize) -> usize {
    let peak = PEAK.try_with(Cell::get).unwrap_or(0);
    (peak - base).max(0) as usize
}

/// The current live amount (the base for [`peak_since`]).
pub fn live() -> isize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}
