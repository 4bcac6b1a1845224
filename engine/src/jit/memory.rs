//! Storage of linear memories: a plain heap buffer, or an mmap reservation with guard
//! pages for the JIT's [`BoundsChecks::GuardPages`](crate::config::BoundsChecks) strategy.
//!
//! A guarded memory reserves [`GUARDED_RESERVATION`] bytes of address space with
//! `PROT_NONE` and makes only the first `len` bytes readable and writable. Every effective
//! address of a 32-bit memory (`u32` index + `u32` offset + access width) lies inside the
//! reservation, so JIT code needs no bounds check: an access past `len` faults and the
//! signal handler (`jit::signals`) turns the fault into "out of bounds memory access".
//! Growing only changes protections, so the base never moves.
//!
//! Either way, [`VmMemoryDef`] (base and length, boxed at a stable address) is what JIT
//! code reads; it is kept current by every operation that changes the memory. This module
//! is one of the few with `unsafe` code (mmap/mprotect/munmap and the slice views).

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Address space reserved for a guarded memory: 8 GiB (largest `u32` address plus largest
/// `u32` offset) plus one page for the access width.
pub(crate) const GUARDED_RESERVATION: usize = (8 << 30) + 65536;

/// Whether a guard-page reservation makes every access of a memory of type `ty` fault
/// outside its bounds: only for 32-bit addresses (a `u32` address plus a `u32` offset
/// stays inside [`GUARDED_RESERVATION`]) and 64 KiB pages (the accessible length is then
/// a multiple of the host's page size, so nothing past the end is mapped). Memories of
/// other types are heap buffers, and JIT code checks their accesses explicitly.
pub(crate) fn guard_pages_cover(ty: &crate::syntax::MemoryType) -> bool {
    !ty.addr.is_64() && ty.page_size_log2 == 16
}

/// What JIT code reads of a memory: its base address and current length in bytes.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct VmMemoryDef {
    pub base: *mut u8,
    pub len: u64,
}

enum Storage {
    Heap(Vec<u8>),
    Reserved { ptr: NonNull<u8>, len: usize },
}

/// The bytes of one linear memory.
pub(crate) struct LinearMemory {
    storage: Storage,
    def: Box<VmMemoryDef>,
}

impl std::fmt::Debug for LinearMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinearMemory").field("len", &self.len()).field("guarded", &self.is_guarded()).finish()
    }
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|p| *p > 0).unwrap_or(4096)
}

impl LinearMemory {
    /// A zeroed memory of `bytes` bytes; `guarded` selects an mmap reservation with guard
    /// pages. `None` if the allocation or reservation fails.
    pub(crate) fn new(bytes: usize, guarded: bool) -> Option<LinearMemory> {
        let storage = if guarded {
            if bytes > GUARDED_RESERVATION - 65536 {
                return None;
            }
            // SAFETY: an anonymous private PROT_NONE mapping at a kernel-chosen address
            // touches no existing memory.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    GUARDED_RESERVATION,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return None;
            }
            let ptr = NonNull::new(p.cast::<u8>())?;
            let mut m = Storage::Reserved { ptr, len: 0 };
            if bytes > 0 && !protect(&mut m, bytes) {
                // SAFETY: `p` is the reservation just made, of that size, not used since.
                unsafe { libc::munmap(p, GUARDED_RESERVATION) };
                return None;
            }
            m
        } else {
            let mut v = Vec::new();
            v.try_reserve_exact(bytes).ok()?;
            v.resize(bytes, 0);
            Storage::Heap(v)
        };
        let mut m = LinearMemory { storage, def: Box::new(VmMemoryDef { base: std::ptr::null_mut(), len: 0 }) };
        m.sync_def();
        Some(m)
    }

    /// Whether this memory lives in a guard-page reservation.
    pub(crate) fn is_guarded(&self) -> bool {
        matches!(self.storage, Storage::Reserved { .. })
    }

    /// Grows to `new_len` bytes (zero-filled); false if that cannot be allocated.
    pub(crate) fn grow_to(&mut self, new_len: usize) -> bool {
        let ok = match &mut self.storage {
            Storage::Heap(v) => {
                let extra = new_len.saturating_sub(v.len());
                if v.try_reserve_exact(extra).is_err() {
                    return false;
                }
                v.resize(new_len.max(v.len()), 0);
                true
            }
            s @ Storage::Reserved { .. } => new_len <= GUARDED_RESERVATION - 65536 && protect(s, new_len),
        };
        self.sync_def();
        ok
    }

    /// The base/length record JIT code reads; stable for the memory's lifetime.
    pub(crate) fn def_ptr(&self) -> *const VmMemoryDef {
        &*self.def
    }

    fn sync_def(&mut self) {
        let (base, len) = match &mut self.storage {
            Storage::Heap(v) => (v.as_mut_ptr(), v.len()),
            Storage::Reserved { ptr, len } => (ptr.as_ptr(), *len),
        };
        self.def.base = base;
        self.def.len = len as u64;
    }
}

/// Makes the first `new_len` bytes (rounded up to the OS page size) of a reservation
/// accessible. Newly exposed pages are fresh anonymous memory, hence zero.
fn protect(s: &mut Storage, new_len: usize) -> bool {
    let Storage::Reserved { ptr, len } = s else { return false };
    if new_len <= *len {
        *len = new_len;
        return true;
    }
    let ps = page_size();
    let round = |n: usize| n.div_ceil(ps) * ps;
    let (from, to) = (round(*len), round(new_len));
    if to > from {
        // SAFETY: [from, to) lies within the reservation (new_len was checked against its
        // size by the callers, and the reservation size is page aligned); the range is
        // currently PROT_NONE and owned by this memory.
        let r = unsafe { libc::mprotect(ptr.as_ptr().add(from).cast(), to - from, libc::PROT_READ | libc::PROT_WRITE) };
        if r != 0 {
            return false;
        }
    }
    *len = new_len;
    true
}

impl Deref for LinearMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.storage {
            Storage::Heap(v) => v,
            // SAFETY: the first `len` bytes of the reservation are mapped read/write and
            // owned by this memory; the borrow of `self` keeps them alive and unshrunk.
            Storage::Reserved { ptr, len } => unsafe { std::slice::from_raw_parts(ptr.as_ptr(), *len) },
        }
    }
}

impl DerefMut for LinearMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.storage {
            Storage::Heap(v) => v,
            // SAFETY: as in `deref`, and the `&mut self` borrow makes the view unique.
            Storage::Reserved { ptr, len } => unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), *len) },
        }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        if let Storage::Reserved { ptr, .. } = self.storage {
            // SAFETY: the reservation was made in `new` with this size and is released
            // exactly once, here; no view of it outlives `self`.
            unsafe { libc::munmap(ptr.as_ptr().cast(), GUARDED_RESERVATION) };
        }
    }
}
